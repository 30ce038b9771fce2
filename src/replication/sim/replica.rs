//! One simulated server: the `Peer` core, its durable log on a `SimLog` (appends complete after a
//! delay; a crash leaves a crash image that restart recovers, as the real server does), its
//! durable snapshot and epoch files, and the `DataTree` it applies commits to.

use crate::replication::peer::{Entry, Peer, Restored, Role};
use crate::replication::zxid::Zxid;
use crate::replication::{Config, ServerId};
use crate::tree::DataTree;
use std::collections::{BTreeMap, VecDeque};
use zkd_storage::backend::MemBackend;
use zkd_storage::plan::LogOptions;
use zkd_storage::recovery::{recover, truncate_after};
use zkd_storage::sim::{Rng, SimDisk, SimLog};

#[derive(Debug, Clone)]
pub enum DiskOp {
    Append { batch: u64, entries: Vec<Entry> },
    Truncate { after: Zxid },
}

pub fn log_options() -> LogOptions {
    // Small sizes so a run rolls segments and extends files.
    LogOptions { pre_alloc_size: 8192, segment_size: 32768, block_size: 4096, max_unsynced: 8192, force_sync: true }
}

pub struct Replica {
    pub id: ServerId,
    pub cfg: Config,
    pub peer: Option<Peer>,
    pub tree: DataTree,
    pub log: SimLog,
    pub disk: VecDeque<(u64, DiskOp)>,
    /// Durable snapshot (zxid, serialized tree).
    pub snapshot: Option<(Zxid, Vec<u8>)>,
    /// Durable acceptedEpoch / currentEpoch.
    pub epochs: (u32, u32),
    /// What the disk held at the crash, while down.
    pub image: Option<MemBackend>,
    pub role: (Role, Option<ServerId>),
    /// Leader only: applied tree + own uncommitted proposals, to prepare txns.
    pub spec: Option<DataTree>,
    /// Leader only: client writes by zxid, answered when applied.
    pub pending: BTreeMap<Zxid, usize>,
    pub commits_since_snapshot: usize,
    /// Newest zxid durable in the log (a snapshot is only taken of state the log also holds, so
    /// the log always reaches the snapshot and continues from it).
    pub durable: Zxid,
}

fn new_log(disk: SimDisk, last: Option<Zxid>) -> SimLog {
    SimLog::new(log_options(), disk, last.filter(|z| *z > 0)).expect("valid log options")
}

impl Replica {
    pub fn new(id: ServerId, cfg: Config) -> Replica {
        Replica {
            id,
            cfg,
            peer: None,
            tree: DataTree::new(false),
            log: new_log(SimDisk::new(), None),
            disk: VecDeque::new(),
            snapshot: None,
            epochs: (0, 0),
            image: None,
            role: (Role::Looking, None),
            spec: None,
            pending: BTreeMap::new(),
            commits_since_snapshot: 0,
            durable: 0,
        }
    }

    pub fn snapshot_zxid(&self) -> Zxid {
        self.snapshot.as_ref().map_or(0, |s| s.0)
    }

    /// Carries out a log op (the head of the disk queue). Returns the batch made durable.
    pub fn run_disk_op(&mut self, op: DiskOp, rng: &mut Rng) -> Result<Option<u64>, String> {
        match op {
            DiskOp::Append { batch, entries } => {
                let recs: Vec<(i64, &[u8])> = entries.iter().map(|e| (e.zxid, &e.data[..])).collect();
                self.log.append_batch(&recs, rng).map_err(|e| format!("replica {}: log append failed: {e}", self.id))?;
                self.durable = entries.last().map_or(self.durable, |e| e.zxid);
                Ok(Some(batch))
            }
            DiskOp::Truncate { after } => {
                // Every append before it completed and synced, so the image is exactly the log.
                let mut image = self.log.disk.crash_image(rng);
                let last = truncate_after(&mut image, after).map_err(|e| format!("replica {}: truncate: {e}", self.id))?;
                let last = last.unwrap_or(0).max(self.snapshot_zxid());
                self.log = new_log(SimDisk::from_image(&image), Some(last));
                self.durable = last;
                Ok(None)
            }
        }
    }

    /// SNAP: the snapshot replaces the tree and the log (synchronously, before later outputs).
    pub fn install(&mut self, zxid: Zxid, data: Vec<u8>) {
        self.tree = super::snapshot::deserialize(&data);
        self.disk.clear();
        self.log = new_log(SimDisk::new(), Some(zxid));
        self.durable = zxid;
        self.snapshot = Some((zxid, data));
        self.commits_since_snapshot = 0;
    }

    /// A local snapshot of the applied tree, once the log holds everything it covers.
    pub fn maybe_snapshot(&mut self, every: usize) {
        let z = self.tree.last_processed_zxid;
        if self.commits_since_snapshot < every || self.durable < z {
            return;
        }
        self.snapshot = Some((z, super::snapshot::serialize(&self.tree)));
        self.commits_since_snapshot = 0;
    }

    /// Crash: an append in progress may be cut part-way; the disk keeps what a crash may leave.
    pub fn crash(&mut self, rng: &mut Rng) {
        if let Some((_, DiskOp::Append { entries, .. })) = self.disk.front() {
            if rng.below(2) == 0 {
                self.log.crash_after_ops = Some(rng.below(6) as usize);
                let recs: Vec<(i64, &[u8])> = entries.iter().map(|e| (e.zxid, &e.data[..])).collect();
                let _ = self.log.append_batch(&recs, rng);
            }
        }
        self.image = Some(self.log.disk.crash_image(rng));
        self.disk.clear();
        self.peer = None;
        self.spec = None;
        self.pending.clear();
        self.role = (Role::Looking, None);
    }

    /// Restart from the crash image: snapshot, then the log recovered after it.
    pub fn restart(&mut self) -> Result<Vec<crate::replication::Output>, String> {
        let mut image = self.image.take().unwrap_or_default();
        let snap = self.snapshot_zxid();
        let (info, recs) = recover(&mut image, snap).map_err(|e| format!("replica {}: log recovery failed: {e}", self.id))?;
        self.tree = match &self.snapshot {
            Some((_, data)) => super::snapshot::deserialize(data),
            None => DataTree::new(false),
        };
        self.durable = info.last_zxid.unwrap_or(0).max(snap);
        self.log = new_log(SimDisk::from_image(&image), Some(self.durable));
        let log = recs.into_iter().map(|(zxid, data)| Entry { zxid, data }).collect();
        let restored = Restored { accepted_epoch: self.epochs.0, current_epoch: self.epochs.1, snapshot_zxid: snap, log };
        let (peer, out) = Peer::new(self.cfg.clone(), restored);
        self.peer = Some(peer);
        Ok(out)
    }
}
