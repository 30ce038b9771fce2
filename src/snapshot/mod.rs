//! Glue between the tree's snapshot seam (`tree::BaseTree`, `tree::SnapshotJob`) and the snapshot
//! files of zkd-storage (rkyv archives, memory-mapped). The tree never sees a file; storage never
//! sees a znode rule.

mod mapped_base;
mod write;

pub use write::write_job;

use crate::tree::{BaseAux, BaseTree, DataTree};
use crate::wire::{Acl, Id};
use std::path::Path;
use std::sync::Arc;
use zkd_storage::snapshot::{open_newest_valid, MappedSnapshot};

/// The small tables of a mapped snapshot, read into memory.
pub fn aux_of(s: &MappedSnapshot) -> BaseAux {
    BaseAux {
        acls: s
            .acls()
            .map(|(idx, refs, list)| {
                (idx, refs, list.into_iter().map(|a| Acl { perms: a.perms, id: Id::new(&a.scheme, &a.id) }).collect())
            })
            .collect(),
        sessions: s.sessions().collect(),
        data_size: s.data_size(),
        special: s.special_nodes().collect(),
    }
}

/// A tree served from a mapped snapshot.
pub fn tree_from(s: MappedSnapshot, extended_types_enabled: bool) -> DataTree {
    let aux = aux_of(&s);
    let base: Arc<dyn BaseTree> = Arc::new(s);
    DataTree::from_base(base, &aux, extended_types_enabled)
}

/// The newest valid snapshot in `snap_dir` as a tree, or None when there is none. Each invalid
/// newer snapshot that was skipped is logged.
pub fn load_newest(snap_dir: &Path, extended_types_enabled: bool) -> Result<Option<DataTree>, String> {
    let (snap, skipped) = open_newest_valid(snap_dir).map_err(|e| e.to_string())?;
    for why in skipped {
        tracing::warn!("skipping an invalid snapshot, falling back to an older one: {why}");
    }
    Ok(snap.map(|s| {
        tracing::info!(file = ?s.path(), zxid = format_args!("0x{:x}", s.last_zxid()), nodes = s.node_count(), "mapped snapshot");
        tree_from(s, extended_types_enabled)
    }))
}

#[cfg(test)]
mod tests;
