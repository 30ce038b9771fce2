//! Fast leader election (FastLeaderElection): a looking peer proposes the best vote it knows,
//! adopts better votes of its round, and decides when a quorum of participants agrees with its
//! vote. A peer that is already following/leading answers with the leader it knows, which lets a
//! restarted peer (or an observer) join an established leader once a quorum reports it.

use super::msg::{Msg, PeerState, Vote};
use super::{Config, ServerId};
use std::collections::BTreeMap;

/// Outcome of an election, for the peer to act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Lead(Vote),
    Follow(Vote),
}

#[derive(Debug, Clone)]
pub struct Election {
    pub round: u64,
    pub vote: Vote,
    /// Votes of looking participants in `round`.
    recv: BTreeMap<ServerId, Vote>,
    /// Votes of participants that are following or leading (any round), with their state.
    settled: BTreeMap<ServerId, (Vote, PeerState)>,
    ticks_since_send: u64,
    observer: bool,
    /// A quorum agreed with our vote; decided at the next tick unless a better vote arrives
    /// first (FastLeaderElection's finalizeWait).
    ready: Option<Decision>,
}

impl Election {
    /// Starts looking in `round` with our own vote; returns the notifications to send.
    pub fn start(cfg: &Config, round: u64, own: Vote, out: &mut Vec<(ServerId, Msg)>) -> Election {
        let e = Election {
            round,
            vote: own,
            recv: BTreeMap::new(),
            settled: BTreeMap::new(),
            ticks_since_send: 0,
            observer: !cfg.is_participant(cfg.me),
            ready: None,
        };
        e.broadcast(cfg, out);
        e
    }

    fn notification(&self) -> Msg {
        Msg::Notification { vote: self.vote, round: self.round, state: PeerState::Looking }
    }

    /// Participants get our vote; an observer also asks everyone, since only answers tell it the
    /// outcome.
    fn broadcast(&self, cfg: &Config, out: &mut Vec<(ServerId, Msg)>) {
        for p in cfg.participants.iter().copied().filter(|&p| p != cfg.me) {
            out.push((p, self.notification()));
        }
    }

    /// Decides if a quorum agreed since the last tick; re-sends our vote every `election_resend`
    /// ticks (notifications may be lost).
    pub fn tick(&mut self, cfg: &Config, out: &mut Vec<(ServerId, Msg)>) -> Option<Decision> {
        if let Some(d) = self.ready.take() {
            return Some(d);
        }
        self.ticks_since_send += 1;
        if self.ticks_since_send >= cfg.election_resend {
            self.ticks_since_send = 0;
            self.broadcast(cfg, out);
        }
        None
    }

    pub fn on_notification(
        &mut self,
        cfg: &Config,
        from: ServerId,
        vote: Vote,
        round: u64,
        state: PeerState,
        out: &mut Vec<(ServerId, Msg)>,
    ) -> Option<Decision> {
        if !cfg.is_participant(from) {
            // Observers never vote; answer so a looking observer learns our state.
            if state == PeerState::Looking && !self.observer {
                out.push((from, self.notification()));
            }
            return None;
        }
        match state {
            PeerState::Looking => {
                if self.observer {
                    return None;
                }
                if round > self.round {
                    // A newer round: start over with the better of its vote and our own.
                    self.round = round;
                    self.recv.clear();
                    let own = self.vote;
                    if vote.beats(&own) {
                        self.vote = vote;
                    }
                    self.broadcast(cfg, out);
                } else if round < self.round {
                    out.push((from, self.notification()));
                    return None;
                } else if vote.beats(&self.vote) {
                    self.vote = vote;
                    self.broadcast(cfg, out);
                }
                self.recv.insert(from, vote);
                self.recv.insert(cfg.me, self.vote);
                let agree = self.recv.iter().filter(|(_, v)| **v == self.vote).map(|(id, _)| id);
                self.ready = if cfg.is_quorum(agree) {
                    Some(if self.vote.leader == cfg.me { Decision::Lead(self.vote) } else { Decision::Follow(self.vote) })
                } else {
                    None
                };
                None
            }
            PeerState::Following | PeerState::Leading | PeerState::Observing => {
                self.settled.insert(from, (vote, state));
                self.join_established(cfg, vote)
            }
        }
    }

    /// Follows `vote.leader` once a quorum of participants follows or leads it and the leader
    /// itself says it leads (FastLeaderElection.checkLeader). Never decides to lead this way: a
    /// stale report must not make us a leader.
    fn join_established(&mut self, cfg: &Config, vote: Vote) -> Option<Decision> {
        if vote.leader == cfg.me || !cfg.is_participant(vote.leader) {
            return None;
        }
        let leads = matches!(self.settled.get(&vote.leader), Some((v, PeerState::Leading)) if v.leader == vote.leader);
        let with = self
            .settled
            .iter()
            .filter(|(_, (v, s))| v.leader == vote.leader && matches!(s, PeerState::Following | PeerState::Leading))
            .map(|(id, _)| id);
        if leads && cfg.is_quorum(with) {
            self.vote = vote;
            return Some(Decision::Follow(vote));
        }
        None
    }
}
