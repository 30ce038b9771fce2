//! When to snapshot (ZooKeeper's SyncRequestProcessor rule) and what to do with the outcome.
//!
//! A snapshot starts once more than snapCount/2 + roll txns were applied since the last one, with
//! `roll` drawn in [0, snapCount/2) each time so that the servers of an ensemble do not all snapshot
//! at once. Starting one freezes the tree (no copy); the edge writes it in the background and
//! reports back with `Input::SnapshotWritten`.

use super::core::Core;
use super::Output;
use crate::tree::BaseTree;
use std::sync::Arc;

/// A written and mapped snapshot handed back by the edge (compared by identity).
#[derive(Clone)]
pub struct BaseHandle(pub Arc<dyn BaseTree>);

impl std::fmt::Debug for BaseHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "BaseHandle(zxid 0x{:x}, {} nodes)", self.0.last_zxid(), self.0.node_count())
    }
}

impl PartialEq for BaseHandle {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}
impl Eq for BaseHandle {}

#[derive(Debug, Clone)]
pub(super) struct SnapshotPolicy {
    half: i64,
    since_last: i64,
    roll: i64,
    rng: u64,
    pub(super) taken: u64,
    pub(super) failed: u64,
}

impl SnapshotPolicy {
    pub(super) fn new(snap_count: i64, seed: &[u8; 32]) -> SnapshotPolicy {
        let mut s = [0u8; 8];
        s.copy_from_slice(&seed[8..16]);
        let mut p = SnapshotPolicy {
            half: (snap_count.max(2)) / 2,
            since_last: 0,
            roll: 0,
            rng: u64::from_le_bytes(s) | 1,
            taken: 0,
            failed: 0,
        };
        p.reroll();
        p
    }

    fn reroll(&mut self) {
        // xorshift64: the randomness is an input (the seed), so runs replay exactly.
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        self.roll = (self.rng % self.half.max(1) as u64) as i64;
    }

    pub(super) fn due(&self) -> bool {
        self.since_last > self.half + self.roll
    }
}

impl Core {
    /// After each applied txn: start a snapshot when one is due and none is being written.
    pub(super) fn count_for_snapshot(&mut self, out: &mut Vec<Output>) {
        self.snapshots.since_last += 1;
        if self.snapshots.due() {
            self.start_snapshot(out);
        }
    }

    /// Freezes the tree and asks the edge to write it (no-op while one is in progress).
    pub(super) fn start_snapshot(&mut self, out: &mut Vec<Output>) {
        if let Some(job) = self.tree.freeze() {
            self.snapshots.since_last = 0;
            self.snapshots.reroll();
            out.push(Output::Snapshot(job));
        }
    }

    /// The edge wrote (`Some`) or failed to write (`None`) the snapshot it was given.
    pub(super) fn snapshot_written(&mut self, base: Option<BaseHandle>, out: &mut Vec<Output>) {
        if !self.tree.snapshot_in_progress() {
            return;
        }
        match base {
            Some(b) => {
                self.tree.install_snapshot(b.0);
                self.snapshots.taken += 1;
                // Under a heavy write load the next one may be due already.
                if self.snapshots.due() {
                    self.start_snapshot(out);
                }
            }
            None => {
                self.tree.abort_snapshot();
                self.snapshots.failed += 1;
            }
        }
    }

    /// Txns replayed from the log at start-up count towards the next snapshot, as if just applied.
    pub fn count_replayed(&mut self, txns: u64) {
        self.snapshots.since_last = self.snapshots.since_last.saturating_add(txns as i64);
    }

    /// Snapshots installed and failed since start (mntr, tests).
    pub fn snapshot_counts(&self) -> (u64, u64) {
        (self.snapshots.taken, self.snapshots.failed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn due_between_half_and_full_snap_count() {
        for seed in 0..50u8 {
            let mut p = SnapshotPolicy::new(100, &[seed; 32]);
            let mut n = 0;
            while !p.due() {
                p.since_last += 1;
                n += 1;
            }
            assert!((51..=100).contains(&n), "seed {seed}: due after {n}");
        }
    }
}
