//! Snapshots seen from the tree: `freeze` hands out a consistent view (base + frozen layer + the
//! small tables) for a background writer, `install` serves the written snapshot as the new base,
//! and `from_base` starts a tree from a mapped snapshot without visiting its nodes.

use super::base::{BaseAux, BaseTree, MemBase};
use super::store::{FrozenView, Store};
use super::{AclCache, DataTree, StatPersisted};
use crate::wire::Acl;
use std::sync::Arc;

/// Everything a snapshot at `last_zxid` holds, readable from another thread.
#[derive(Clone)]
pub struct SnapshotJob {
    pub last_zxid: i64,
    pub view: FrozenView,
    pub aux: BaseAux,
    pub node_count: usize,
}

impl std::fmt::Debug for SnapshotJob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SnapshotJob(zxid 0x{:x}, {} nodes)", self.last_zxid, self.node_count)
    }
}

/// Jobs compare by identity of their frozen layer.
impl PartialEq for SnapshotJob {
    fn eq(&self, other: &Self) -> bool {
        self.last_zxid == other.last_zxid && Arc::ptr_eq(&self.view.frozen, &other.view.frozen)
    }
}
impl Eq for SnapshotJob {}

impl SnapshotJob {
    /// Every node as (path, data, acl, stat), in no particular order.
    pub fn for_each_node<'a>(&'a self, f: impl FnMut(&'a str, Option<&'a [u8]>, i64, StatPersisted)) {
        self.view.for_each_node(f)
    }

    /// An in-memory base holding exactly this snapshot (tests and simulations; the server writes
    /// the same content to an rkyv file instead).
    pub fn to_mem_base(&self) -> (MemBase, BaseAux) {
        let mut rows = Vec::with_capacity(self.node_count);
        self.for_each_node(|p, d, a, s| rows.push((p.to_string(), d.map(|d| d.to_vec()), a, s)));
        let base = MemBase::build(self.last_zxid, rows);
        let mut aux = self.aux.clone();
        aux.special = (0..base.node_count()).filter(|&i| base.stat(i).ephemeral_owner != 0).collect();
        (base, aux)
    }
}

fn acl_table(acls: &AclCache) -> Vec<(i64, u64, Vec<Acl>)> {
    acls.entries().map(|(i, l)| (i, acls.ref_count(i), l.to_vec())).collect()
}

impl DataTree {
    /// A tree served from a snapshot: nodes stay in the base; only the small tables (ACLs,
    /// sessions, ephemeral/container/TTL indexes, quotas) are loaded into memory.
    pub fn from_base(base: Arc<dyn BaseTree>, aux: &BaseAux, extended_types_enabled: bool) -> DataTree {
        let mut t = DataTree::empty_for_load(extended_types_enabled);
        for (idx, refs, list) in &aux.acls {
            t.acls.insert_loaded(*idx, list.clone());
            for _ in 0..*refs {
                t.acls.add_usage(*idx);
            }
        }
        for (id, timeout) in &aux.sessions {
            t.sessions.insert(*id, *timeout);
        }
        for &i in &aux.special {
            let path = base.path_of(i).to_string();
            t.index_owner(&path, base.stat(i).ephemeral_owner);
        }
        t.last_processed_zxid = base.last_zxid();
        t.nodes = Store::over_base(base);
        t.data_size = aux.data_size;
        t.setup_quota();
        t
    }

    /// Starts a snapshot of the current state. None while another one is being written.
    pub fn freeze(&mut self) -> Option<SnapshotJob> {
        let view = self.nodes.freeze()?;
        let aux = BaseAux {
            acls: acl_table(&self.acls),
            sessions: self.sessions.iter().map(|(k, v)| (*k, *v)).collect(),
            data_size: self.data_size,
            special: Vec::new(),
        };
        Some(SnapshotJob { last_zxid: self.last_processed_zxid, view, aux, node_count: self.nodes.len() })
    }

    pub fn snapshot_in_progress(&self) -> bool {
        self.nodes.snapshot_in_progress()
    }

    /// The frozen snapshot is on disk and mapped: serve it as the base.
    pub fn install_snapshot(&mut self, base: Arc<dyn BaseTree>) {
        self.nodes.install(base);
    }

    /// The frozen snapshot could not be written: keep serving from memory.
    pub fn abort_snapshot(&mut self) {
        self.nodes.abort_freeze();
    }
}
