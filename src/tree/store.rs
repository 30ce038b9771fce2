//! Where nodes live: up to three layers, newest first.
//!
//! - `active`: nodes changed since the last freeze (owned; `None` = deleted);
//! - `frozen`: the previous `active`, read-only while a snapshot of (base + frozen) is written in the
//!   background (copy-on-write: a node changed meanwhile is first copied into `active`);
//! - `base`: the last snapshot, served in place from the mapped archive.
//!
//! A lookup takes the first layer that knows the path. `install` swaps in the freshly written
//! snapshot as the new base and drops `frozen`; only `active` remains, re-expressed over it.

use super::base::BaseTree;
use super::children::Children;
use super::node::{Node, NodeRef};
use std::sync::Arc;

pub type Layer = crate::fast_map::FastMap<String, Option<Node>>;

#[derive(Clone, Default)]
pub struct Store {
    base: Option<Arc<dyn BaseTree>>,
    frozen: Option<Arc<Layer>>,
    active: Layer,
    count: usize,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("base_nodes", &self.base.as_ref().map(|b| b.node_count()))
            .field("frozen", &self.frozen.as_ref().map(|l| l.len()))
            .field("active", &self.active.len())
            .field("count", &self.count)
            .finish()
    }
}

/// What a snapshot writer reads: the base and the frozen layer, both immutable and shareable
/// with another thread.
#[derive(Clone)]
pub struct FrozenView {
    pub base: Option<Arc<dyn BaseTree>>,
    pub frozen: Arc<Layer>,
}

impl FrozenView {
    /// Every node of base + frozen as (path, data, acl, stat), in no particular order.
    /// Base nodes come first, in the base's (sorted) order, which keeps the writer's sort cheap.
    pub fn for_each_node<'a>(&'a self, mut f: impl FnMut(&'a str, Option<&'a [u8]>, i64, super::StatPersisted)) {
        if let Some(b) = &self.base {
            let check = !self.frozen.is_empty();
            for i in 0..b.node_count() {
                let p = b.path_of(i);
                if !check || !self.frozen.contains_key(p) {
                    f(p, b.data(i), b.acl(i), b.stat(i));
                }
            }
        }
        for (p, n) in self.frozen.iter() {
            if let Some(n) = n {
                f(p, n.data.as_deref(), n.acl, n.stat);
            }
        }
    }
}

impl Store {
    pub fn new() -> Store {
        Store::default()
    }

    /// A store serving `base` with nothing changed yet.
    pub fn over_base(base: Arc<dyn BaseTree>) -> Store {
        let count = base.node_count() as usize;
        Store { base: Some(base), frozen: None, active: Layer::default(), count }
    }

    pub fn len(&self) -> usize {
        self.count
    }

    /// Nodes held in memory (active + frozen layers), for diagnostics.
    pub fn overlay_len(&self) -> usize {
        self.active.len() + self.frozen.as_ref().map(|f| f.len()).unwrap_or(0)
    }

    pub fn snapshot_in_progress(&self) -> bool {
        self.frozen.is_some()
    }

    pub fn get(&self, path: &str) -> Option<NodeRef<'_>> {
        let base = self.base.as_deref();
        if let Some(n) = self.active.get(path) {
            return n.as_ref().map(|n| NodeRef::of(n, base));
        }
        if let Some(f) = &self.frozen {
            if let Some(n) = f.get(path) {
                return n.as_ref().map(|n| NodeRef::of(n, base));
            }
        }
        let b = base?;
        b.lookup(path).map(|i| NodeRef::of_base(b, i))
    }

    pub fn contains(&self, path: &str) -> bool {
        self.get(path).is_some()
    }

    /// Whether a layer below `active` has the path (then deleting it needs a tombstone).
    fn below_active(&self, path: &str) -> bool {
        if let Some(f) = &self.frozen {
            if let Some(n) = f.get(path) {
                return n.is_some();
            }
        }
        self.base.as_ref().map(|b| b.lookup(path).is_some()).unwrap_or(false)
    }

    /// The node for changing, copied into `active` first if it lives below; plus the base, which
    /// child-set changes consult.
    pub fn get_mut(&mut self, path: &str) -> Option<(&mut Node, Option<&dyn BaseTree>)> {
        if !self.active.contains_key(path) {
            let copied: Option<Node> = match self.frozen.as_ref().and_then(|f| f.get(path)) {
                Some(n) => n.clone(),
                None => {
                    let b = self.base.as_deref()?;
                    let i = b.lookup(path)?;
                    Some(Node { data: b.data(i).map(|d| d.to_vec()), acl: b.acl(i), stat: b.stat(i), children: Children::of_base(i) })
                }
            };
            copied.as_ref()?;
            self.active.insert(path.to_string(), copied);
        }
        let base = self.base.as_deref();
        self.active.get_mut(path).and_then(|n| n.as_mut()).map(|n| (n, base))
    }

    /// Adds a node that does not exist.
    pub fn insert_new(&mut self, path: &str, node: Node) {
        self.active.insert(path.to_string(), Some(node));
        self.count += 1;
    }

    /// Removes a node, returning (data length, acl, ephemeral owner).
    pub fn remove(&mut self, path: &str) -> Option<(usize, i64, i64)> {
        let n = self.get(path)?;
        let facts = (n.data_len(), n.acl, n.stat.ephemeral_owner);
        if self.below_active(path) {
            self.active.insert(path.to_string(), None);
        } else {
            self.active.remove(path);
        }
        self.count -= 1;
        Some(facts)
    }

    /// Every live node as (path, node), in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, NodeRef<'_>)> + '_ {
        let base = self.base.as_deref();
        let active = self.active.iter().filter_map(move |(p, n)| n.as_ref().map(|n| (p.as_str(), NodeRef::of(n, base))));
        let frozen = self.frozen.iter().flat_map(move |f| {
            f.iter()
                .filter(move |(p, _)| !self.active.contains_key(p.as_str()))
                .filter_map(move |(p, n)| n.as_ref().map(|n| (p.as_str(), NodeRef::of(n, base))))
        });
        let based = base.into_iter().flat_map(move |b| {
            (0..b.node_count()).filter_map(move |i| {
                let p = b.path_of(i);
                let shadowed = self.active.contains_key(p) || self.frozen.as_ref().map(|f| f.contains_key(p)).unwrap_or(false);
                (!shadowed).then(|| (p, NodeRef::of_base(b, i)))
            })
        });
        active.chain(frozen).chain(based)
    }

    /// Starts a snapshot: `active` becomes the frozen layer. None if one is already in progress.
    pub fn freeze(&mut self) -> Option<FrozenView> {
        if self.frozen.is_some() {
            return None;
        }
        let frozen = Arc::new(std::mem::take(&mut self.active));
        self.frozen = Some(frozen.clone());
        Some(FrozenView { base: self.base.clone(), frozen })
    }

    /// The snapshot could not be written: fold the frozen layer back under `active`.
    pub fn abort_freeze(&mut self) {
        if let Some(f) = self.frozen.take() {
            let f = Arc::try_unwrap(f).unwrap_or_else(|a| (*a).clone());
            for (p, n) in f {
                self.active.entry(p).or_insert(n);
            }
        }
    }

    /// The snapshot of base + frozen is written and mapped: serve it as the base. Nodes changed
    /// since the freeze stay in `active`, their child deltas re-expressed over the new base.
    pub fn install(&mut self, new_base: Arc<dyn BaseTree>) {
        let old_base = self.base.clone();
        let frozen = self.frozen.take().unwrap_or_default();
        let mut active = std::mem::take(&mut self.active);
        active.retain(|path, slot| {
            let new_idx = new_base.lookup(path);
            let Some(node) = slot else {
                // A tombstone only matters where the new base still has the node.
                return new_idx.is_some();
            };
            if node.children.base.is_none() {
                return true;
            }
            let frozen_children = frozen.get(path.as_str()).and_then(|n| n.as_ref()).map(|n| &n.children);
            match new_idx {
                Some(ni) if frozen_children.map(|c| c.base.is_some()).unwrap_or(true) => {
                    node.children.rebase_after(frozen_children, ni);
                }
                _ => {
                    // Cannot happen for a snapshot written from this store; recompute from scratch.
                    let names: Vec<String> = node.children.iter(old_base.as_deref()).map(String::from).collect();
                    let mut c = new_idx.map(Children::of_base).unwrap_or_default();
                    let have: std::collections::HashSet<&str> = names.iter().map(|s| s.as_str()).collect();
                    if let Some(ni) = new_idx {
                        for ci in new_base.children(ni) {
                            let n = new_base.name_of(ci);
                            if !have.contains(n) {
                                c.removed.insert(n.to_string());
                            }
                        }
                    }
                    for n in &names {
                        c.insert(Some(&*new_base), n);
                    }
                    node.children = c;
                }
            }
            true
        });
        self.active = active;
        self.base = Some(new_base);
    }
}
