//! Invariants checked while the simulation runs: one leader per epoch, every replica applies a
//! prefix of one global committed sequence, equal trees at equal applied zxids, and every write
//! acknowledged to a client is in every later leader's committed history.

use crate::replication::peer::History;
use crate::replication::zxid::{self, Zxid};
use crate::replication::ServerId;
use std::collections::{BTreeMap, HashMap};
use xxhash_rust::xxh3::xxh3_64;

pub fn hash(data: &[u8]) -> u64 {
    xxh3_64(data)
}

#[derive(Debug, Default)]
pub struct Checker {
    /// The committed sequence, as first applied by any replica.
    seq: Vec<(Zxid, u64)>,
    index: HashMap<Zxid, usize>,
    digests: HashMap<Zxid, u64>,
    epoch_leader: BTreeMap<u32, ServerId>,
    acked: Vec<(Zxid, u64)>,
    /// Per replica: how many entries of `seq` its state machine holds.
    pos: BTreeMap<ServerId, usize>,
    pub applied: u64,
}

impl Checker {
    /// Replica `r` applied `z` as the next entry of its state machine, reaching `digest`.
    pub fn apply(&mut self, r: ServerId, z: Zxid, h: u64, digest: u64) -> Result<(), String> {
        self.applied += 1;
        let p = self.pos.get(&r).copied().unwrap_or(0);
        match self.seq.get(p) {
            Some(&(z0, h0)) if (z0, h0) != (z, h) => {
                return Err(format!(
                    "committed histories diverge: replica {r} applied {} as entry {p}, others applied {}{}",
                    zxid::fmt(z),
                    zxid::fmt(z0),
                    if z0 == z { " with other data" } else { "" }
                ))
            }
            Some(_) => {}
            None => {
                if let Some(&(last, _)) = self.seq.last() {
                    if z <= last {
                        return Err(format!("replica {r} applied {} after {}", zxid::fmt(z), zxid::fmt(last)));
                    }
                }
                self.index.insert(z, self.seq.len());
                self.seq.push((z, h));
            }
        }
        self.pos.insert(r, p + 1);
        self.digest(r, z, digest)
    }

    fn digest(&mut self, r: ServerId, z: Zxid, digest: u64) -> Result<(), String> {
        match self.digests.get(&z) {
            Some(&d) if d != digest => Err(format!("replica {r}: tree digest {digest:x} at {} differs from {d:x}", zxid::fmt(z))),
            Some(_) => Ok(()),
            None => {
                self.digests.insert(z, digest);
                Ok(())
            }
        }
    }

    /// Replica `r`'s state machine was replaced by a snapshot at `z` (SNAP, or restart).
    pub fn reset(&mut self, r: ServerId, z: Zxid, digest: u64) -> Result<(), String> {
        let p = if z == 0 {
            0
        } else {
            match self.index.get(&z) {
                Some(i) => i + 1,
                None => return Err(format!("replica {r} holds a snapshot at {} that was never committed", zxid::fmt(z))),
            }
        };
        self.pos.insert(r, p);
        if z == 0 {
            return Ok(());
        }
        self.digest(r, z, digest)
    }

    /// Replica `r` leads `epoch` (discovery done): no other replica may.
    pub fn leader(&mut self, r: ServerId, epoch: u32) -> Result<(), String> {
        match self.epoch_leader.insert(epoch, r) {
            Some(o) if o != r => Err(format!("two leaders in epoch {epoch}: {o} and {r}")),
            _ => Ok(()),
        }
    }

    pub fn acked(&mut self, z: Zxid, h: u64) {
        self.acked.push((z, h));
    }

    pub fn acked_count(&self) -> usize {
        self.acked.len()
    }

    /// A leader started broadcasting with this history: every acknowledged write is committed in it.
    pub fn leader_history(&self, r: ServerId, hist: &History) -> Result<(), String> {
        for &(z, h) in &self.acked {
            if z > hist.commit() {
                return Err(format!("acknowledged write {} lost: leader {r} committed only up to {}", zxid::fmt(z), zxid::fmt(hist.commit())));
            }
            if z > hist.base() {
                let e = hist.range(z - 1, z);
                if e.len() != 1 || e[0].zxid != z || hash(&e[0].data) != h {
                    return Err(format!("acknowledged write {} lost: leader {r}'s history differs there", zxid::fmt(z)));
                }
            }
        }
        Ok(())
    }
}
