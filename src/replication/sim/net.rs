//! The simulated network. Election notifications are datagrams: each may be lost, duplicated or
//! delayed independently (so reordered). Every other message travels on a FIFO stream per pair of
//! servers, as TCP: a lost message or a partition kills the stream — everything sent on it from
//! then on is dropped — and both ends learn it (`Disconnected`) only after a detection delay, as
//! with a TCP timeout; then a fresh stream exists. A host closing its connections (role change)
//! tells the other end at once.

use crate::replication::msg::Msg;
use crate::replication::ServerId;
use std::collections::{BTreeMap, BTreeSet};
use zkd_storage::sim::Rng;

#[derive(Debug, Clone)]
pub struct Faults {
    /// Per mille.
    pub loss: u64,
    pub dup: u64,
    pub max_delay: u64,
}

#[derive(Debug, Clone)]
struct InFlight {
    from: ServerId,
    to: ServerId,
    msg: Msg,
    /// Stream generation the message was sent on (None: a datagram).
    gen: Option<u64>,
}

#[derive(Debug, Default)]
pub struct Net {
    queue: BTreeMap<(u64, u64), InFlight>,
    seq: u64,
    /// Current generation of the stream between a pair (unordered).
    gens: BTreeMap<(ServerId, ServerId), u64>,
    /// Latest delivery time scheduled per ordered pair (keeps streams FIFO).
    last_at: BTreeMap<(ServerId, ServerId), u64>,
    /// Servers are in the same partition iff they map to the same group (absent: group 0).
    pub groups: BTreeMap<ServerId, u32>,
    pub down: BTreeSet<ServerId>,
    /// Dead streams and when their ends are told.
    dead: BTreeMap<(ServerId, ServerId), u64>,
}

fn pair(a: ServerId, b: ServerId) -> (ServerId, ServerId) {
    (a.min(b), a.max(b))
}

impl Net {
    pub fn connected(&self, a: ServerId, b: ServerId) -> bool {
        !self.down.contains(&a)
            && !self.down.contains(&b)
            && self.groups.get(&a).copied().unwrap_or(0) == self.groups.get(&b).copied().unwrap_or(0)
    }

    /// Replaces the stream between a and b by a fresh one at once (a host closed it).
    pub fn reset_stream(&mut self, a: ServerId, b: ServerId) {
        *self.gens.entry(pair(a, b)).or_default() += 1;
        self.dead.remove(&pair(a, b));
    }

    /// Kills the stream; its ends are told at `notify_at` (the earliest of several kills).
    pub fn kill_stream(&mut self, a: ServerId, b: ServerId, notify_at: u64) {
        let e = self.dead.entry(pair(a, b)).or_insert(notify_at);
        *e = (*e).min(notify_at);
    }

    /// Dead streams whose ends are due to learn it now; each is replaced by a fresh stream.
    pub fn due_disconnects(&mut self, now: u64) -> Vec<(ServerId, ServerId)> {
        let due: Vec<_> = self.dead.iter().filter(|(_, &at)| at <= now).map(|(p, _)| *p).collect();
        for p in &due {
            self.reset_stream(p.0, p.1);
        }
        due
    }

    pub fn send(&mut self, now: u64, from: ServerId, to: ServerId, msg: Msg, f: &Faults, rng: &mut Rng) {
        let election = msg.is_election();
        if election && (!self.connected(from, to) || rng.below(1000) < f.loss) {
            return;
        }
        if !election {
            if self.dead.contains_key(&pair(from, to)) {
                return;
            }
            if !self.connected(from, to) {
                // Noticed only by a timeout.
                let at = now + 10 + rng.below(30);
                return self.kill_stream(from, to, at);
            }
            if rng.below(1000) < f.loss {
                let at = now + 1 + rng.below(5);
                return self.kill_stream(from, to, at);
            }
        }
        let delay = 1 + rng.below(f.max_delay.max(1));
        if election {
            let copies = if rng.below(1000) < f.dup { 2 } else { 1 };
            for _ in 0..copies {
                let at = now + 1 + rng.below(f.max_delay.max(1) * 2);
                self.push(at, InFlight { from, to, msg: msg.clone(), gen: None });
            }
            return;
        }
        let key = (from, to);
        let at = (now + delay).max(self.last_at.get(&key).copied().unwrap_or(0));
        self.last_at.insert(key, at);
        let gen = self.gens.get(&pair(from, to)).copied().unwrap_or(0);
        self.push(at, InFlight { from, to, msg, gen: Some(gen) });
    }

    fn push(&mut self, at: u64, m: InFlight) {
        self.seq += 1;
        self.queue.insert((at, self.seq), m);
    }

    /// Messages due at `now`, in order; stream messages of a broken stream are dropped, as are
    /// messages to or from a server that is down.
    pub fn due(&mut self, now: u64) -> Vec<(ServerId, ServerId, Msg)> {
        let mut out = Vec::new();
        while let Some((&(at, s), _)) = self.queue.iter().next() {
            if at > now {
                break;
            }
            let m = self.queue.remove(&(at, s)).expect("present");
            if self.down.contains(&m.from) || self.down.contains(&m.to) {
                continue;
            }
            if let Some(g) = m.gen {
                if self.dead.contains_key(&pair(m.from, m.to)) || g != self.gens.get(&pair(m.from, m.to)).copied().unwrap_or(0) {
                    continue;
                }
            }
            out.push((m.from, m.to, m.msg));
        }
        out
    }

    pub fn heal(&mut self) {
        self.groups.clear();
    }
}
