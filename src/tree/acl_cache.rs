//! Reference-counted ACL interning (ReferenceCountedACLCache): nodes store an index, identical lists share
//! one entry. Index -1 is the implicit `world:anyone ALL` list. Indices are also what snapshots store.

use crate::wire::Acl;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

pub const OPEN_UNSAFE_ACL_ID: i64 = -1;

#[derive(Debug, Default, Clone)]
pub struct AclCache {
    /// Shared lists, so the write pipeline can hold a node's ACL without copying it.
    by_index: BTreeMap<i64, (Arc<[Acl]>, u64)>,
    by_list: HashMap<Vec<Acl>, i64>,
    last_index: i64,
}

impl AclCache {
    pub fn new() -> AclCache {
        AclCache::default()
    }

    /// Interns `acls` and takes one reference on it.
    pub fn intern(&mut self, acls: &[Acl]) -> i64 {
        if let Some(&idx) = self.by_list.get(acls) {
            if let Some(e) = self.by_index.get_mut(&idx) {
                e.1 += 1;
            }
            return idx;
        }
        self.last_index += 1;
        let idx = self.last_index;
        self.by_list.insert(acls.to_vec(), idx);
        self.by_index.insert(idx, (Arc::from(acls), 1));
        idx
    }

    /// Drops one reference; the entry disappears at zero.
    pub fn release(&mut self, idx: i64) {
        if idx == OPEN_UNSAFE_ACL_ID {
            return;
        }
        let remove = match self.by_index.get_mut(&idx) {
            Some(e) => {
                e.1 = e.1.saturating_sub(1);
                e.1 == 0
            }
            None => false,
        };
        if remove {
            if let Some((list, _)) = self.by_index.remove(&idx) {
                self.by_list.remove(&list[..]);
            }
        }
    }

    /// The list behind an index (unknown indices read as an empty list, which allows everything,
    /// like ZooKeeper's empty-ACL rule; they cannot occur for indices this cache handed out).
    pub fn get(&self, idx: i64) -> Vec<Acl> {
        if idx == OPEN_UNSAFE_ACL_ID {
            return Acl::open_unsafe();
        }
        self.by_index.get(&idx).map(|e| e.0.to_vec()).unwrap_or_default()
    }

    /// `get` without copying the list.
    pub fn get_shared(&self, idx: i64) -> Arc<[Acl]> {
        if idx == OPEN_UNSAFE_ACL_ID {
            return Arc::from(Acl::open_unsafe());
        }
        self.by_index.get(&idx).map(|e| e.0.clone()).unwrap_or_else(|| Arc::from(Vec::new()))
    }

    /// Borrowing variant of `get` for hot paths (open-unsafe is returned through `open`).
    pub fn get_ref<'a>(&'a self, idx: i64, open: &'a [Acl]) -> &'a [Acl] {
        if idx == OPEN_UNSAFE_ACL_ID {
            return open;
        }
        self.by_index.get(&idx).map(|e| &e.0[..]).unwrap_or(&[])
    }

    /// Loads an entry from a snapshot with a zero reference count (nodes add their references).
    pub fn insert_loaded(&mut self, idx: i64, acls: Vec<Acl>) {
        if idx > self.last_index {
            self.last_index = idx;
        }
        self.by_list.insert(acls.clone(), idx);
        self.by_index.insert(idx, (Arc::from(acls), 0));
    }

    /// Adds a reference to an existing index (snapshot loading).
    pub fn add_usage(&mut self, idx: i64) {
        if let Some(e) = self.by_index.get_mut(&idx) {
            e.1 += 1;
        }
    }

    pub fn len(&self) -> usize {
        self.by_index.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_index.is_empty()
    }

    /// (index, list) pairs in index order, for snapshot writing.
    pub fn entries(&self) -> impl Iterator<Item = (i64, &[Acl])> {
        self.by_index.iter().map(|(k, v)| (*k, &v.0[..]))
    }

    /// The reference count of an index (tests, diagnostics).
    pub fn ref_count(&self, idx: i64) -> u64 {
        self.by_index.get(&idx).map(|e| e.1).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{perms, Id};

    #[test]
    fn interning_shares_and_releases() {
        let mut c = AclCache::new();
        let a = vec![Acl { perms: perms::READ, id: Id::new("world", "anyone") }];
        let b = vec![Acl { perms: perms::ALL, id: Id::new("digest", "u:x") }];
        let i1 = c.intern(&a);
        let i2 = c.intern(&a);
        let i3 = c.intern(&b);
        assert_eq!(i1, 1);
        assert_eq!(i1, i2);
        assert_eq!(i3, 2);
        assert_eq!(c.ref_count(i1), 2);
        c.release(i1);
        assert_eq!(c.get(i1), a);
        c.release(i1);
        assert_eq!(c.len(), 1);
        assert_eq!(c.intern(&a), 3, "indices are never reused");
        assert_eq!(c.get(OPEN_UNSAFE_ACL_ID), Acl::open_unsafe());
    }
}
