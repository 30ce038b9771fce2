//! A node's child names as a delta over the base layer, so a node with a million children in the
//! snapshot is never copied: `added` and `removed` hold only what changed since the snapshot.
//!
//! Canonical form (kept by every operation): with `base = Some(b)`, `added` holds no name that
//! base node `b` has and `removed` only names it has; with `base = None`, `added` is the whole set.

use super::base::BaseTree;
use std::collections::HashSet;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Children {
    pub(super) base: Option<u32>,
    pub(super) added: HashSet<String>,
    pub(super) removed: HashSet<String>,
}

fn base_has(base: Option<&dyn BaseTree>, idx: Option<u32>, name: &str) -> bool {
    match (base, idx) {
        (Some(t), Some(i)) => t.find_child(i, name).is_some(),
        _ => false,
    }
}

impl Children {
    /// The children of base node `idx`, unchanged.
    pub fn of_base(idx: u32) -> Children {
        Children { base: Some(idx), ..Default::default() }
    }

    pub fn insert(&mut self, base: Option<&dyn BaseTree>, name: &str) {
        if self.removed.remove(name) {
            return;
        }
        if !base_has(base, self.base, name) {
            self.added.insert(name.to_string());
        }
    }

    pub fn remove(&mut self, base: Option<&dyn BaseTree>, name: &str) {
        if self.added.remove(name) {
            return;
        }
        if base_has(base, self.base, name) {
            self.removed.insert(name.to_string());
        }
    }

    pub fn contains(&self, base: Option<&dyn BaseTree>, name: &str) -> bool {
        self.added.contains(name) || (!self.removed.contains(name) && base_has(base, self.base, name))
    }

    pub fn len(&self, base: Option<&dyn BaseTree>) -> usize {
        let from_base = match (base, self.base) {
            (Some(t), Some(i)) => t.children(i).len(),
            _ => 0,
        };
        from_base - self.removed.len() + self.added.len()
    }

    pub fn iter<'a>(&'a self, base: Option<&'a dyn BaseTree>) -> Box<dyn Iterator<Item = &'a str> + 'a> {
        let added = self.added.iter().map(|s| s.as_str());
        match (base, self.base) {
            (Some(t), Some(i)) => Box::new(
                t.children(i).map(move |c| t.name_of(c)).filter(move |n| !self.removed.contains(*n)).chain(added),
            ),
            _ => Box::new(added),
        }
    }

    /// Re-expresses this delta (taken over the old base, after the snapshot's own version `frozen`
    /// of the same node) over the new base written from old base + frozen layer, in which this
    /// node is `new_idx`. With S = (OB - removed) + added and NB = (OB - fr) + fa:
    /// added' = S - NB = (added - fa) + (fr - removed), removed' = NB - S = (fa - added) + (removed - fr).
    pub fn rebase_after(&mut self, frozen: Option<&Children>, new_idx: u32) {
        if let Some(f) = frozen {
            let added: HashSet<String> =
                self.added.difference(&f.added).chain(f.removed.difference(&self.removed)).cloned().collect();
            let removed: HashSet<String> =
                f.added.difference(&self.added).chain(self.removed.difference(&f.removed)).cloned().collect();
            self.added = added;
            self.removed = removed;
        }
        self.base = Some(new_idx);
    }
}

#[cfg(test)]
mod tests {
    use super::super::base::MemBase;
    use super::*;
    use crate::wire::StatPersisted;

    fn base(paths: &[&str]) -> MemBase {
        MemBase::build(0, paths.iter().map(|p| (p.to_string(), None, -1, StatPersisted::default())).collect())
    }

    fn sorted(c: &Children, b: Option<&dyn BaseTree>) -> Vec<String> {
        let mut v: Vec<String> = c.iter(b).map(String::from).collect();
        v.sort();
        v
    }

    #[test]
    fn delta_over_base() {
        let b = base(&["/", "/p", "/p/a", "/p/b"]);
        let bt: &dyn BaseTree = &b;
        let mut c = Children::of_base(b.lookup("/p").unwrap());
        assert_eq!(c.len(Some(bt)), 2);
        c.insert(Some(bt), "a");
        assert!(c.added.is_empty(), "already in the base");
        c.remove(Some(bt), "a");
        c.insert(Some(bt), "c");
        assert_eq!(sorted(&c, Some(bt)), vec!["b", "c"]);
        assert_eq!(c.len(Some(bt)), 2);
        assert!(!c.contains(Some(bt), "a") && c.contains(Some(bt), "b") && c.contains(Some(bt), "c"));
        c.insert(Some(bt), "a");
        assert!(c.removed.is_empty());
        c.remove(Some(bt), "c");
        assert_eq!(c, Children::of_base(b.lookup("/p").unwrap()));
    }

    #[test]
    fn rebase_matches_the_new_base() {
        // old base: p/{a,b,c}; frozen: -a +d +e; active (cloned from frozen): +a -d -b +f
        let old = base(&["/", "/p", "/p/a", "/p/b", "/p/c"]);
        let ob: &dyn BaseTree = &old;
        let mut frozen = Children::of_base(old.lookup("/p").unwrap());
        frozen.remove(Some(ob), "a");
        frozen.insert(Some(ob), "d");
        frozen.insert(Some(ob), "e");
        let mut active = frozen.clone();
        for (add, n) in [(true, "a"), (false, "d"), (false, "b"), (true, "f")] {
            if add {
                active.insert(Some(ob), n)
            } else {
                active.remove(Some(ob), n)
            }
        }
        let expect = sorted(&active, Some(ob));
        let newb = base(&["/", "/p", "/p/b", "/p/c", "/p/d", "/p/e"]);
        let nb: &dyn BaseTree = &newb;
        active.rebase_after(Some(&frozen), newb.lookup("/p").unwrap());
        assert_eq!(sorted(&active, Some(nb)), expect);
        assert_eq!(active.len(Some(nb)), expect.len());
        // canonical: nothing added that the new base has, nothing removed that it lacks
        assert!(active.added.iter().all(|n| newb.find_child(1, n).is_none()));
        assert!(active.removed.iter().all(|n| newb.find_child(1, n).is_some()));
    }
}
