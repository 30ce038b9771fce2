//! ContainerManager: periodically deletes empty used containers, never-used containers past their
//! allowance, and expired TTL nodes, through ordinary deleteContainer txns.

use super::core::{Core, Origin};
use super::overlay::Scratch;
use super::prep;
use super::Output;
use crate::tree::{ttl_of_owner, EphemeralType};
use crate::txn::Txn;
use crate::wire::op;

#[derive(Debug)]
pub struct Reaper {
    next_check_mono: i64,
}

impl Reaper {
    pub fn new(now_mono: i64, interval: i64) -> Reaper {
        Reaper { next_check_mono: now_mono + interval.max(1) }
    }
}

impl Core {
    /// ContainerManager.getCandidates (TTL and never-used ages use wall time, as ZooKeeper does).
    pub fn reaper_candidates(&self) -> Vec<String> {
        let wall = self.now.wall_ms;
        let never_used = self.cfg.container_max_never_used_interval_ms;
        let mut v = Vec::new();
        for p in self.tree.containers() {
            if let Some(n) = self.tree.get(p) {
                if n.children.is_empty() {
                    if n.stat.cversion > 0 || (never_used != 0 && wall - n.stat.mtime > never_used) {
                        v.push(p.clone());
                    }
                }
            }
        }
        for p in self.tree.ttls() {
            if let Some(n) = self.tree.get(p) {
                if n.children.is_empty() && self.tree.ephemeral_type(n.stat.ephemeral_owner) == EphemeralType::Ttl {
                    let ttl = ttl_of_owner(n.stat.ephemeral_owner);
                    if ttl != 0 && wall - n.stat.mtime > ttl {
                        v.push(p.clone());
                    }
                }
            }
        }
        v
    }

    pub(super) fn run_reaper(&mut self, out: &mut Vec<Output>) {
        if self.cfg.read_only || self.now.mono_ms < self.reaper.next_check_mono {
            return;
        }
        let interval = self.cfg.container_check_interval_ms.max(1);
        self.reaper.next_check_mono = self.now.mono_ms + interval;
        // maxPerMinute spreads deletions; per check we allow the share of one interval (at least one).
        let budget = ((self.cfg.container_max_per_minute as i128 * interval as i128) / 60_000).max(1) as usize;
        for path in self.reaper_candidates().into_iter().take(budget) {
            self.submit_delete_container(&path, out);
        }
    }

    fn submit_delete_container(&mut self, path: &str, out: &mut Vec<Output>) {
        let zxid = self.last_assigned_zxid + 1;
        let ctx = self.internal_prep_ctx(0, zxid);
        let mut scratch = Scratch::new(&self.tree, &self.overlay);
        let r = prep::prep_delete_container(&ctx, &mut scratch, path);
        let added = scratch.into_added();
        let (txn, op_code) = match r {
            Ok(t) => {
                for a in added {
                    self.overlay.add(a);
                }
                (t, op::DELETE_CONTAINER)
            }
            Err(e) => (Txn::Error { err: e.code() }, op::ERROR),
        };
        self.append_txn(0, 0, op_code, txn, Origin::Internal, out);
    }
}
