//! ZAB-style replication, as a pure core plus a deterministic simulator (see README.md here).
//!
//! - [`zxid`]: epoch << 32 | counter.
//! - [`msg`] / [`codec`]: the messages between servers and their binary form.
//! - [`election`]: fast-leader-election votes and the decision rule.
//! - [`peer`]: the `Peer` state machine (election → discovery → sync → broadcast), driven by
//!   `Input`s and answering with `Output`s; no IO, clock or randomness inside.
//! - [`sim`]: many peers over a simulated network and `zkd_storage::sim` disks, with checkers.

pub mod codec;
pub mod election;
pub mod msg;
pub mod peer;
pub mod sim;
pub mod zxid;

#[cfg(test)]
mod tests;

pub use msg::{Msg, PeerState, Vote};
pub use peer::{Entry, Input, Output, Peer, Phase, Restored, Role};
pub use zxid::Zxid;

/// A server's `myid`.
pub type ServerId = u64;

/// The ensemble as zoo.cfg gives it, plus the limits the core needs (all times in ticks).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub me: ServerId,
    /// Voting members (zoo.cfg `server.N=...:participant`).
    pub participants: Vec<ServerId>,
    /// Non-voting members (`:observer`): never vote, never lead, learn commits by INFORM.
    pub observers: Vec<ServerId>,
    /// zoo.cfg initLimit: ticks a learner may take to connect and sync with a leader.
    pub init_limit: u64,
    /// zoo.cfg syncLimit: ticks a follower may be out of touch with the leader (and the leader
    /// without a quorum of followers) before giving up.
    pub sync_limit: u64,
    /// Ticks between re-sent election notifications while looking.
    pub election_resend: u64,
    /// Committed entries the core keeps in memory for DIFF; a learner further behind gets SNAP.
    pub log_window: usize,
}

impl Config {
    pub fn new(me: ServerId, participants: Vec<ServerId>, observers: Vec<ServerId>) -> Config {
        Config { me, participants, observers, init_limit: 10, sync_limit: 5, election_resend: 2, log_window: 1000 }
    }

    pub fn is_participant(&self, id: ServerId) -> bool {
        self.participants.contains(&id)
    }

    pub fn is_observer(&self, id: ServerId) -> bool {
        self.observers.contains(&id)
    }

    /// Every other server (participants and observers).
    pub fn others(&self) -> impl Iterator<Item = ServerId> + '_ {
        self.participants.iter().chain(self.observers.iter()).copied().filter(move |&p| p != self.me)
    }

    /// Strict majority of the participants.
    pub fn is_quorum<'a>(&self, ids: impl IntoIterator<Item = &'a ServerId>) -> bool {
        let mut seen: Vec<ServerId> = ids.into_iter().copied().filter(|i| self.is_participant(*i)).collect();
        seen.sort_unstable();
        seen.dedup();
        seen.len() * 2 > self.participants.len()
    }
}
