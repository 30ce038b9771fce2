//! Start-up recovery: rebuilds the tree by replaying the durable transaction log.
//! (Snapshots will shorten this to map + validate + replay of the tail.)

use crate::tree::DataTree;
use crate::txn::TxnEntry;
use std::path::Path;
use zkd_storage::{log_dir, recover_with, FsBackend};

pub struct Recovered {
    pub tree: DataTree,
    pub last_zxid: Option<i64>,
    pub replayed: u64,
}

/// Replays every logged txn into a fresh tree. A record that does not decode, or corruption before
/// the torn tail, stops start-up: committed data is never dropped silently.
pub fn recover_tree(data_log_dir: &Path, extended_types: bool) -> Result<Recovered, String> {
    let dir = log_dir(data_log_dir);
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let mut tree = DataTree::new(extended_types);
    let mut replayed = 0u64;
    let mut bad: Option<String> = None;
    let mut triggers = Vec::new();
    let info = recover_with(&mut FsBackend::new(&dir), 0, |zxid, payload| {
        if bad.is_some() {
            return;
        }
        match TxnEntry::decode(payload) {
            Ok(entry) => {
                triggers.clear();
                tree.process_txn(&entry.header, &entry.txn, &mut triggers);
                replayed += 1;
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
    Ok(Recovered { tree, last_zxid: info.last_zxid, replayed })
}
