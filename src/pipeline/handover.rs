//! Handing the tree from one Core to the next when the server's ensemble role changes (the
//! ensemble glue, `crate::ensemble`, builds a Core per settled role and drops it on the next
//! election, as ZooKeeper restarts its server object).

use super::core::Core;
use super::roles::REMOTE_CONN;
use super::{ConnId, CoreConfig};
use crate::tree::DataTree;

impl Core {
    /// A leader's Core for a new epoch: its zxid counter continues after `last_assigned` (the
    /// replication core's newest zxid, or epoch << 32 when the epoch has none yet), so every
    /// `Output::Append` carries the zxid the replication core gives that proposal.
    pub fn with_tree_and_zxid(cfg: CoreConfig, tree: DataTree, last_assigned: i64) -> Core {
        assert!(last_assigned >= tree.last_processed_zxid, "the counter never goes behind the applied tree");
        let mut c = Core::with_tree(cfg, Some(tree));
        c.last_assigned_zxid = last_assigned;
        c
    }

    /// The zxid of the newest txn this Core prepared (or the one it started from).
    pub fn last_assigned_zxid(&self) -> i64 {
        self.last_assigned_zxid
    }

    /// Ends this Core: its committed tree, and the client connections the edge must close.
    /// Uncommitted txns are dropped (the replication log still holds them and commits or
    /// truncates them in the next epoch).
    pub fn into_tree(self) -> (DataTree, Vec<ConnId>) {
        let mut conns: Vec<ConnId> = self.conns.keys().copied().filter(|c| c & REMOTE_CONN == 0).collect();
        conns.sort_unstable();
        (self.tree, conns)
    }
}
