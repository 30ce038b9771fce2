//! Snapshot files: the whole tree state at one zxid as an rkyv archive, memory-mapped at start-up
//! and read in place (see SNAPSHOT.md).
//!
//! - `format`: the archived types and the fixed file header (pure);
//! - `encode`: input nodes → file bytes: archive layout, child runs, hash index (pure);
//! - `mapped`: `MappedSnapshot`, validation and zero-copy accessors;
//! - `files`: names, atomic write, listing, newest-valid selection with fallback;
//! - `purge`: retention (autopurge / `zkd purge`); `dump`: the operator listing.

mod dump;
mod encode;
mod files;
mod format;
mod mapped;
mod purge;

pub use dump::dump_snapshot;
pub use encode::encode_snapshot;
pub use files::{list_snapshots, open_newest_valid, parse_snapshot_name, snapshot_dir, snapshot_file_name, write_snapshot};
pub use format::{SnapAcl, SnapStat};
pub use mapped::MappedSnapshot;
pub use purge::{purge, PurgeReport};

/// One node handed to the writer (borrowed: the caller's data may live in another mapping).
#[derive(Debug, Clone, Copy)]
pub struct NodeIn<'a> {
    pub path: &'a str,
    pub data: Option<&'a [u8]>,
    pub acl: i64,
    pub stat: SnapStat,
}

/// Everything a snapshot holds.
#[derive(Debug, Clone)]
pub struct SnapshotInput<'a> {
    /// The last applied zxid: the snapshot is exactly the state after it.
    pub last_zxid: i64,
    /// Any order; must include "/" and every non-root node's parent.
    pub nodes: Vec<NodeIn<'a>>,
    /// ACL table: (index, reference count, list).
    pub acls: Vec<(i64, u64, Vec<SnapAcl>)>,
    /// Session id, timeout ms.
    pub sessions: Vec<(i64, i32)>,
    /// The tree's approximateDataSize, stored as is.
    pub data_size: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum SnapError {
    #[error("snapshot I/O error on {path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("snapshot {file} is invalid: {reason}")]
    Corrupt { file: String, reason: String },
    #[error("cannot snapshot this tree: {0}")]
    Invalid(String),
}

impl SnapError {
    pub(crate) fn io(path: &std::path::Path, source: std::io::Error) -> SnapError {
        SnapError::Io { path: path.display().to_string(), source }
    }
}
