//! Start-up of an ensemble member: the newest snapshot's tree (not replayed: the ensemble commits
//! the log entries after it again), those log entries for the replication core, and the epoch
//! files (src/ensemble/README.md, "The host's contract").

use crate::ensemble::Restart;
use crate::replication::Entry;
use crate::tree::DataTree;
use std::path::Path;
use zkd_storage::{epochs, log_dir, recover, FsBackend};

pub struct MemberRecovered {
    pub restart: Restart,
    /// Newest zxid in the log or the snapshot (the log writer continues after it).
    pub last_zxid: Option<i64>,
    /// Notes for the operator (epoch files created with defaults, a torn tail cut).
    pub notes: Vec<String>,
}

/// `data_dir`/`data_log_dir` as in zoo.cfg; snapshots and epoch files live in `<dataDir>/version-2`.
pub fn recover_member(data_dir: &Path, data_log_dir: &Path, extended_types: bool) -> Result<MemberRecovered, String> {
    let snap_dir = zkd_storage::snapshot::snapshot_dir(data_dir);
    let dir = log_dir(data_log_dir);
    for d in [&snap_dir, &dir] {
        std::fs::create_dir_all(d).map_err(|e| format!("cannot create {}: {e}", d.display()))?;
    }
    let snapshot = crate::snapshot::load_newest(&snap_dir, extended_types)?;
    let snapshot_zxid = snapshot.as_ref().map(|t| t.last_processed_zxid);
    let tree = snapshot.unwrap_or_else(|| DataTree::new(extended_types));
    let (info, records) = recover(&mut FsBackend::new(&dir), snapshot_zxid.unwrap_or(0)).map_err(|e| e.to_string())?;
    let mut notes = Vec::new();
    if let Some(t) = &info.torn_tail {
        notes.push(format!("cut a torn tail off the transaction log: {t:?}"));
    }
    let last_zxid = match (info.last_zxid, snapshot_zxid) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };
    let e = epochs::load(&snap_dir, last_zxid.unwrap_or(0)).map_err(|e| e.to_string())?;
    notes.extend(e.notes);
    let epoch = |name: &str, v: i64| u32::try_from(v).map_err(|_| format!("{}: epoch {v} out of range", snap_dir.join(name).display()));
    let restart = Restart {
        tree,
        accepted_epoch: epoch(epochs::ACCEPTED_EPOCH, e.accepted)?,
        current_epoch: epoch(epochs::CURRENT_EPOCH, e.current)?,
        log: records.into_iter().map(|(zxid, data)| Entry { zxid, data }).collect(),
    };
    Ok(MemberRecovered { restart, last_zxid, notes })
}
