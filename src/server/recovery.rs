//! Start-up recovery: map the newest valid snapshot (served in place, not rebuilt), then replay
//! the log records after it. Restart cost = map + one checksum pass + the log tail.

use crate::tree::DataTree;
use crate::txn::TxnEntry;
use std::path::Path;
use zkd_storage::{log_dir, recover_with, FsBackend};

pub struct Recovered {
    pub tree: DataTree,
    /// Newest zxid in the log or the snapshot, whichever is larger (the log writer continues after it).
    pub last_zxid: Option<i64>,
    /// Zxid of the snapshot started from (None: no snapshot).
    pub snapshot_zxid: Option<i64>,
    /// Log records replayed on top of the snapshot.
    pub replayed: u64,
}

fn epoch(zxid: i64) -> i64 {
    zxid >> 32
}

/// Loads `<dataDir>/version-2`'s newest valid snapshot and replays `<dataLogDir>/version-2` after
/// it. A record that does not decode, a gap between the snapshot and the log, or corruption before
/// the torn tail stops start-up: committed data is never dropped silently.
pub fn recover_tree(data_dir: &Path, data_log_dir: &Path, extended_types: bool) -> Result<Recovered, String> {
    let snap_dir = zkd_storage::snapshot::snapshot_dir(data_dir);
    let dir = log_dir(data_log_dir);
    for d in [&snap_dir, &dir] {
        std::fs::create_dir_all(d).map_err(|e| format!("cannot create {}: {e}", d.display()))?;
    }
    let (mut tree, snapshot_zxid) = match crate::snapshot::load_newest(&snap_dir, extended_types)? {
        Some(t) => {
            let z = t.last_processed_zxid;
            (t, Some(z))
        }
        None => (DataTree::new(extended_types), None),
    };
    let from = snapshot_zxid.unwrap_or(0);
    let mut replayed = 0u64;
    let mut bad: Option<String> = None;
    let mut prev = from;
    let mut triggers = Vec::new();
    let info = recover_with(&mut FsBackend::new(&dir), from, |zxid, payload| {
        if bad.is_some() {
            return;
        }
        // The first record after the snapshot must follow it (same epoch: the very next zxid).
        if replayed == 0 && snapshot_zxid.is_some() && epoch(zxid) == epoch(prev) && zxid != prev + 1 {
            bad = Some(format!(
                "{}: the log continues at zxid 0x{zxid:x} but the snapshot ends at 0x{prev:x}: records are missing",
                dir.display()
            ));
            return;
        }
        match TxnEntry::decode(payload) {
            Ok(mut entry) => {
                triggers.clear();
                tree.process_txn_taking_data(&entry.header, &mut entry.txn, &mut triggers);
                replayed += 1;
                prev = zxid;
            }
            Err(e) => bad = Some(format!("{}: txn at zxid 0x{zxid:x} does not decode: {e:?}", dir.display())),
        }
    })
    .map_err(|e| e.to_string())?;
    if let Some(msg) = bad {
        return Err(msg);
    }
    if let Some(t) = &info.torn_tail {
        tracing::warn!(?t, "cut a torn tail off the transaction log");
    }
    let last_zxid = match (info.last_zxid, snapshot_zxid) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };
    Ok(Recovered { tree, last_zxid, snapshot_zxid, replayed })
}
