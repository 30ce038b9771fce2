//! The follower / observer side (ZooKeeper's Learner, Follower, Observer): report our epoch and
//! history, accept the new epoch, take DIFF / TRUNC / SNAP and the proposals, acknowledge NEWLEADER
//! once they are durable, then log proposals and ACK each only after it is durable.

use super::{Entry, Peer, Phase, State};
use crate::replication::msg::{Msg, Vote};
use crate::replication::zxid::{self, Zxid};
use crate::replication::ServerId;

#[derive(Debug, Clone)]
pub(super) struct Learner {
    pub leader: ServerId,
    pub vote: Vote,
    pub observer: bool,
    pub phase: Phase,
    /// The leader's epoch (known from LEADERINFO).
    pub epoch: u32,
    pub since: u64,
    pub last_heard: u64,
    /// NEWLEADER received; its ack waits for the log to be durable up to this zxid.
    pub new_leader_at: Option<Zxid>,
    pub new_leader_acked: bool,
    /// Highest zxid acknowledged to the leader.
    pub acked: Zxid,
}

impl Peer {
    pub(super) fn become_learner(&mut self, vote: Vote) {
        let observer = !self.cfg.is_participant(self.cfg.me);
        self.state = State::Learning(Box::new(Learner {
            leader: vote.leader,
            vote,
            observer,
            phase: Phase::Discovery,
            epoch: 0,
            since: self.now,
            last_heard: self.now,
            new_leader_at: None,
            new_leader_acked: false,
            acked: 0,
        }));
        self.state_changed();
        let info = Msg::LearnerInfo { accepted_epoch: self.accepted_epoch, last_zxid: self.hist.last(), observer };
        self.send(vote.leader, info);
    }

    fn learner(&mut self) -> &mut Learner {
        match &mut self.state {
            State::Learning(l) => l,
            _ => unreachable!("learner state"),
        }
    }

    pub(super) fn learner_tick(&mut self) {
        let now = self.now;
        let (init_limit, sync_limit) = (self.cfg.init_limit, self.cfg.sync_limit);
        let l = self.learner();
        let timed_out = if l.phase == Phase::Broadcast { now - l.last_heard > sync_limit } else { now - l.since > init_limit };
        if timed_out {
            return self.look();
        }
        // Until the leader answers, ask again (it may not have been leading yet, as a follower
        // retries connecting to its leader in ZooKeeper).
        if l.phase == Phase::Discovery {
            let (leader, observer) = (l.leader, l.observer);
            let info = Msg::LearnerInfo { accepted_epoch: self.accepted_epoch, last_zxid: self.hist.last(), observer };
            self.send(leader, info);
        }
    }

    pub(super) fn learner_message(&mut self, from: ServerId, msg: Msg) {
        let now = self.now;
        let l = self.learner();
        if from != l.leader {
            return;
        }
        l.last_heard = now;
        let phase = l.phase;
        let ok = match (phase, msg) {
            (Phase::Discovery, Msg::LeaderInfo { epoch }) => self.on_leader_info(epoch),
            // The answer to a repeated LEARNERINFO.
            (Phase::Sync | Phase::Broadcast, Msg::LeaderInfo { epoch }) => epoch == self.learner().epoch,
            (Phase::Sync, Msg::Diff { zxid }) => zxid == self.hist.last(),
            // The leader truncates us to its newest zxid below our last one. If we lack that
            // zxid itself (our log skipped to another epoch before it), the truncation still
            // holds, but our history now ends earlier: sync again from there.
            (Phase::Sync, Msg::Trunc { zxid }) => zxid <= self.hist.last() && self.truncate(zxid) && self.hist.last() == zxid,
            (Phase::Sync, Msg::Snap { zxid, data }) => {
                self.install_snapshot(zxid, data);
                true
            }
            (Phase::Sync | Phase::Broadcast, Msg::Proposal { zxid, data }) => {
                // The stream is FIFO and complete, so a proposal continues our log exactly.
                if !zxid::follows(self.hist.last(), zxid) {
                    false
                } else {
                    self.append(vec![Entry { zxid, data }]);
                    true
                }
            }
            (Phase::Sync | Phase::Broadcast, Msg::Commit { zxid }) => {
                self.commit_to(zxid);
                true
            }
            (Phase::Sync | Phase::Broadcast, Msg::Inform { zxid, data }) if self.learner().observer => {
                if zxid > self.hist.last() {
                    self.append(vec![Entry { zxid, data }]);
                }
                self.commit_to(zxid);
                true
            }
            (Phase::Sync, Msg::NewLeader { epoch }) => {
                let last = self.hist.last();
                let l = self.learner();
                if epoch != l.epoch {
                    false
                } else {
                    l.new_leader_at = Some(last);
                    self.learner_durable();
                    true
                }
            }
            (Phase::Sync, Msg::UpToDate { commit }) => {
                if !self.learner().new_leader_acked {
                    false
                } else {
                    self.commit_to(commit);
                    self.learner().phase = Phase::Broadcast;
                    self.state_changed();
                    true
                }
            }
            (_, Msg::Ping { .. }) => {
                self.send(from, Msg::PingAck);
                true
            }
            // Anything else from our leader is out of protocol: start over.
            _ => false,
        };
        if !ok {
            self.look();
        }
    }

    /// NEWEPOCH: accept an epoch above any we accepted before (a repeat of the one we accepted
    /// is answered but does not count for the leader).
    fn on_leader_info(&mut self, epoch: u32) -> bool {
        let fresh = epoch > self.accepted_epoch;
        if epoch < self.accepted_epoch {
            // ZooKeeper's learner refuses too ("Leaders epoch, N is less than accepted epoch, M").
            self.refused = Some(self.learner().vote);
            return false;
        }
        if fresh {
            let current = self.current_epoch;
            self.persist_epochs(epoch, current);
        }
        let now = self.now;
        let l = self.learner();
        l.epoch = epoch;
        l.phase = Phase::Sync;
        l.since = now;
        let leader = l.leader;
        self.state_changed();
        let m = Msg::AckEpoch { epoch, current_epoch: self.current_epoch, last_zxid: self.hist.last(), fresh };
        self.send(leader, m);
        true
    }

    /// Acknowledges what became durable: NEWLEADER once the synced history is, then proposals.
    pub(super) fn learner_durable(&mut self) {
        let durable = self.durable;
        let l = self.learner();
        let Some(at) = l.new_leader_at else { return };
        if !l.new_leader_acked {
            if durable < at {
                return;
            }
            l.new_leader_acked = true;
            let (leader, epoch) = (l.leader, l.epoch);
            // Only now may the current epoch move: a vote with the new epoch must come with the
            // synced history on disk, or a restart could lead with a shorter one.
            let accepted = self.accepted_epoch;
            self.persist_epochs(accepted, epoch);
            self.send(leader, Msg::AckNewLeader { epoch });
        }
        let l = self.learner();
        if l.observer {
            return;
        }
        if durable > l.acked {
            l.acked = durable;
            let leader = l.leader;
            self.send(leader, Msg::Ack { zxid: durable });
        }
    }
}
