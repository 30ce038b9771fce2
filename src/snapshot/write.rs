//! Writing a frozen tree state as a snapshot file (runs on a background thread).

use super::mapped_base::from_stat;
use crate::tree::SnapshotJob;
use std::path::{Path, PathBuf};
use zkd_storage::snapshot::{write_snapshot, NodeIn, SnapAcl, SnapError, SnapshotInput};

/// Writes `job` into `snap_dir` (tmp file, fdatasync, rename, directory fsync). Node data is
/// borrowed from the frozen layer and the old mapped snapshot, not copied.
pub fn write_job(snap_dir: &Path, job: &SnapshotJob) -> Result<PathBuf, SnapError> {
    let mut nodes = Vec::with_capacity(job.node_count);
    job.for_each_node(|path, data, acl, stat| nodes.push(NodeIn { path, data, acl, stat: from_stat(stat) }));
    let input = SnapshotInput {
        last_zxid: job.last_zxid,
        nodes,
        acls: job
            .aux
            .acls
            .iter()
            .map(|(i, r, l)| {
                (*i, *r, l.iter().map(|a| SnapAcl { perms: a.perms, scheme: a.id.scheme.clone(), id: a.id.id.clone() }).collect())
            })
            .collect(),
        sessions: job.aux.sessions.clone(),
        data_size: job.aux.data_size,
    };
    write_snapshot(snap_dir, &input)
}
