//! The leader side of discovery, sync and broadcast (ZooKeeper's Leader + LearnerHandler):
//! a quorum's LEARNERINFO fixes the new epoch, a quorum's ACKEPOCH lets sync start, each learner
//! gets DIFF / TRUNC / SNAP plus the missing proposals and NEWLEADER, a quorum's NEWLEADER ack
//! commits the initial history and starts broadcast.

use super::{Entry, Output, Peer, Phase, Rejection, State};
use crate::replication::msg::{Msg, Vote};
use crate::replication::zxid::{self, Zxid};
use crate::replication::ServerId;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum LearnerPhase {
    /// Sent LEARNERINFO; waiting for the epoch / its ACKEPOCH.
    Info { accepted_epoch: u32 },
    /// Acked the epoch, waiting for the epoch quorum before sync starts.
    /// `counted`: a fresh ack, which counts toward the epoch quorum.
    EpochAcked { last_zxid: Zxid, counted: bool },
    /// Needs SNAP; waiting for the host's snapshot.
    AwaitSnapshot,
    /// Sync stream sent (then forwarded to as the history grows); NEWLEADER not yet acked.
    Syncing,
    /// Acked NEWLEADER.
    NewLeaderAcked,
}

#[derive(Debug, Clone)]
pub(super) struct LearnerState {
    pub observer: bool,
    pub phase: LearnerPhase,
    /// Last zxid streamed to it (proposals for followers, informs for observers).
    pub sent: Zxid,
    /// Last commit point sent.
    pub sent_commit: Zxid,
    /// Highest zxid it acknowledged as durable.
    pub acked: Zxid,
    pub last_heard: u64,
}

#[derive(Debug, Clone)]
pub(super) struct Leader {
    pub vote: Vote,
    pub phase: Phase,
    /// The new epoch; 0 until a quorum's LEARNERINFO fixed it.
    pub epoch: u32,
    pub learners: BTreeMap<ServerId, LearnerState>,
    pub since: u64,
    /// Our own history's last zxid when sync started (NEWLEADER covers it).
    pub initial_last: Zxid,
}

impl Peer {
    pub(super) fn become_leader(&mut self, vote: Vote) {
        self.state = State::Leading(Box::new(Leader {
            vote,
            phase: Phase::Discovery,
            epoch: 0,
            learners: BTreeMap::new(),
            since: self.now,
            initial_last: 0,
        }));
        self.state_changed();
        self.try_fix_epoch();
    }

    fn ld(&mut self) -> &mut Leader {
        match &mut self.state {
            State::Leading(l) => l,
            _ => unreachable!("leader state"),
        }
    }

    pub(super) fn leader_tick(&mut self) {
        let now = self.now;
        let (init_limit, sync_limit) = (self.cfg.init_limit, self.cfg.sync_limit);
        let l = self.ld();
        if l.phase != Phase::Broadcast {
            if now - l.since > init_limit {
                return self.look();
            }
        } else {
            let me = self.cfg.me;
            let l = self.ld();
            let fresh: Vec<ServerId> = l
                .learners
                .iter()
                .filter(|(_, s)| s.phase == LearnerPhase::NewLeaderAcked && now - s.last_heard <= sync_limit)
                .map(|(id, _)| *id)
                .chain(std::iter::once(me))
                .collect();
            if !self.cfg.is_quorum(&fresh) {
                return self.look();
            }
        }
        let commit = self.hist.commit();
        let to: Vec<ServerId> = self.ld().learners.keys().copied().collect();
        for id in to {
            self.send(id, Msg::Ping { commit });
        }
    }

    pub(super) fn leader_message(&mut self, from: ServerId, msg: Msg) {
        let now = self.now;
        if let Some(s) = self.ld().learners.get_mut(&from) {
            s.last_heard = now;
        }
        match msg {
            Msg::LearnerInfo { accepted_epoch, last_zxid: _, observer } => {
                if observer != self.cfg.is_observer(from) || !(self.cfg.is_participant(from) || observer) {
                    return;
                }
                // A repeat (the learner asks until answered) can only come before its ACKEPOCH
                // on the same FIFO stream: answer again. Past that, it is a new session.
                let repeat = matches!(self.ld().learners.get(&from), Some(s) if matches!(s.phase, LearnerPhase::Info { .. }));
                if repeat {
                    if let Some(s) = self.ld().learners.get_mut(&from) {
                        s.phase = LearnerPhase::Info { accepted_epoch };
                    }
                    let epoch = self.ld().epoch;
                    if epoch == 0 {
                        self.try_fix_epoch();
                    } else {
                        self.send(from, Msg::LeaderInfo { epoch });
                    }
                    return;
                }
                let s = LearnerState {
                    observer,
                    phase: LearnerPhase::Info { accepted_epoch },
                    sent: 0,
                    sent_commit: 0,
                    acked: 0,
                    last_heard: now,
                };
                self.ld().learners.insert(from, s);
                let epoch = self.ld().epoch;
                if epoch == 0 {
                    self.try_fix_epoch();
                } else {
                    self.send(from, Msg::LeaderInfo { epoch });
                }
            }
            Msg::AckEpoch { epoch, current_epoch, last_zxid, fresh } => self.on_ack_epoch(from, epoch, current_epoch, last_zxid, fresh),
            Msg::AckNewLeader { epoch } => self.on_ack_new_leader(from, epoch),
            Msg::Ack { zxid } => {
                let l = self.ld();
                if let Some(s) = l.learners.get_mut(&from) {
                    if !s.observer && matches!(s.phase, LearnerPhase::Syncing | LearnerPhase::NewLeaderAcked) {
                        s.acked = s.acked.max(zxid);
                    }
                }
                self.try_commit();
            }
            _ => {}
        }
    }

    /// Discovery: a quorum (us included) reported its accepted epoch; propose one above them all.
    fn try_fix_epoch(&mut self) {
        let me = self.cfg.me;
        let l = self.ld();
        let mut ids = vec![me];
        let mut max = 0;
        for (id, s) in &l.learners {
            if let LearnerPhase::Info { accepted_epoch } = s.phase {
                if !s.observer {
                    ids.push(*id);
                    max = max.max(accepted_epoch);
                }
            }
        }
        if !self.cfg.is_quorum(&ids) {
            return;
        }
        let epoch = max.max(self.accepted_epoch) + 1;
        self.ld().epoch = epoch;
        let current = self.current_epoch;
        self.persist_epochs(epoch, current);
        self.state_changed();
        let to: Vec<ServerId> = self.ld().learners.keys().copied().collect();
        for id in to {
            self.send(id, Msg::LeaderInfo { epoch });
        }
    }

    fn on_ack_epoch(&mut self, from: ServerId, epoch: u32, current_epoch: u32, last_zxid: Zxid, fresh: bool) {
        let l = self.ld();
        if epoch != l.epoch || !matches!(l.learners.get(&from).map(|s| s.phase), Some(LearnerPhase::Info { .. })) {
            return;
        }
        // The leader must hold the newest history of the quorum that establishes its epoch
        // (ZooKeeper's isMoreRecentThan); a learner joining later is simply synced (truncated).
        if l.phase == Phase::Discovery && (current_epoch, last_zxid) > (self.current_epoch, self.hist.last()) {
            return self.look();
        }
        let l = self.ld();
        let s = l.learners.get_mut(&from).expect("checked above");
        // A repeated ack (the learner had accepted this epoch before) does not count (ZooKeeper).
        s.phase = LearnerPhase::EpochAcked { last_zxid, counted: fresh };
        if l.phase == Phase::Discovery {
            let me = self.cfg.me;
            let ids: Vec<ServerId> = self
                .ld()
                .learners
                .iter()
                .filter(|(_, s)| !s.observer && matches!(s.phase, LearnerPhase::EpochAcked { counted: true, .. }))
                .map(|(id, _)| *id)
                .chain(std::iter::once(me))
                .collect();
            if self.cfg.is_quorum(&ids) {
                self.start_sync_phase();
            }
        } else {
            self.sync_learner(from, last_zxid);
        }
    }

    /// The epoch is established: our current epoch becomes it, and every acked learner gets synced.
    fn start_sync_phase(&mut self) {
        let (last, now) = (self.hist.last(), self.now);
        let l = self.ld();
        l.phase = Phase::Sync;
        l.since = now;
        l.initial_last = last;
        self.state_changed();
        let ready: Vec<(ServerId, Zxid)> = self
            .ld()
            .learners
            .iter()
            .filter_map(|(id, s)| match s.phase {
                LearnerPhase::EpochAcked { last_zxid, .. } => Some((*id, last_zxid)),
                _ => None,
            })
            .collect();
        for (id, z) in ready {
            self.sync_learner(id, z);
        }
        self.persist_current_epoch();
        self.try_new_leader_quorum();
    }

    /// Our current epoch becomes the new one once our initial history is durable (a vote with
    /// the new epoch must not come with a shorter history after a crash).
    fn persist_current_epoch(&mut self) {
        let l = self.ld();
        let (epoch, initial) = (l.epoch, l.initial_last);
        if l.phase >= Phase::Sync && self.current_epoch != epoch && self.durable >= initial {
            self.persist_epochs(epoch, epoch);
        }
    }

    /// DIFF when the learner's last zxid is in our history, TRUNC to our newest zxid below it when
    /// it has entries we lack, SNAP when it is older than our in-memory window.
    fn sync_learner(&mut self, id: ServerId, learner_last: Zxid) {
        match self.hist.floor(learner_last) {
            None => {
                self.ld().learners.get_mut(&id).expect("learner").phase = LearnerPhase::AwaitSnapshot;
                self.out.push(Output::SnapshotNeeded);
            }
            Some(p) => {
                let m = if p == learner_last { Msg::Diff { zxid: p } } else { Msg::Trunc { zxid: p } };
                self.send(id, m);
                self.stream_from(id, p);
            }
        }
    }

    /// After DIFF/TRUNC/SNAP at `from`: the entries after it, the commit point, NEWLEADER.
    fn stream_from(&mut self, id: ServerId, from: Zxid) {
        let epoch = self.ld().epoch;
        let s = self.ld().learners.get_mut(&id).expect("learner");
        s.phase = LearnerPhase::Syncing;
        s.sent = from;
        s.sent_commit = from;
        s.acked = 0;
        if s.observer {
            // Observers never see uncommitted proposals: only what is committed, later by INFORM.
            let commit = self.hist.commit();
            let entries: Vec<Entry> = self.hist.range(from, commit).to_vec();
            for e in entries {
                self.send(id, Msg::Proposal { zxid: e.zxid, data: e.data });
            }
            let s = self.ld().learners.get_mut(&id).expect("learner");
            s.sent = commit.max(from);
            if commit > from {
                s.sent_commit = commit;
                self.send(id, Msg::Commit { zxid: commit });
            }
        } else {
            self.flush(id);
        }
        self.send(id, Msg::NewLeader { epoch });
    }

    /// Sends a learner what it is due: proposals past `sent` and the commit point (followers), or
    /// the newly committed entries as INFORM (observers).
    fn flush(&mut self, id: ServerId) {
        let commit = self.hist.commit();
        let Some(s) = self.ld().learners.get(&id) else { return };
        if !matches!(s.phase, LearnerPhase::Syncing | LearnerPhase::NewLeaderAcked) {
            return;
        }
        let (observer, sent, sent_commit) = (s.observer, s.sent, s.sent_commit);
        if observer {
            let entries: Vec<Entry> = self.hist.range(sent, commit).to_vec();
            for e in entries {
                self.send(id, Msg::Inform { zxid: e.zxid, data: e.data });
            }
            let s = self.ld().learners.get_mut(&id).expect("learner");
            s.sent = s.sent.max(commit);
            s.sent_commit = s.sent;
            return;
        }
        let entries: Vec<Entry> = self.hist.after(sent).to_vec();
        let last = self.hist.last();
        for e in entries {
            self.send(id, Msg::Proposal { zxid: e.zxid, data: e.data });
        }
        if commit > sent_commit {
            self.send(id, Msg::Commit { zxid: commit });
        }
        let s = self.ld().learners.get_mut(&id).expect("learner");
        s.sent = s.sent.max(last);
        s.sent_commit = s.sent_commit.max(commit);
    }

    fn flush_all(&mut self) {
        let ids: Vec<ServerId> = self.ld().learners.keys().copied().collect();
        for id in ids {
            self.flush(id);
        }
    }

    pub(super) fn leader_snapshot(&mut self, zxid: Zxid, data: Vec<u8>) {
        let waiting: Vec<ServerId> = self
            .ld()
            .learners
            .iter()
            .filter(|(_, s)| s.phase == LearnerPhase::AwaitSnapshot)
            .map(|(id, _)| *id)
            .collect();
        if waiting.is_empty() {
            return;
        }
        // The stream after the snapshot comes from our log, so the snapshot must reach into it.
        if zxid < self.hist.base() || zxid > self.hist.commit() {
            self.out.push(Output::SnapshotNeeded);
            return;
        }
        for id in waiting {
            self.send(id, Msg::Snap { zxid, data: data.clone() });
            self.stream_from(id, zxid);
        }
    }

    fn on_ack_new_leader(&mut self, from: ServerId, epoch: u32) {
        let l = self.ld();
        if epoch != l.epoch {
            return;
        }
        let Some(s) = l.learners.get_mut(&from) else { return };
        if s.phase != LearnerPhase::Syncing {
            return;
        }
        s.phase = LearnerPhase::NewLeaderAcked;
        if l.phase == Phase::Broadcast {
            let commit = self.hist.commit();
            self.send(from, Msg::UpToDate { commit });
            self.flush(from);
        } else {
            self.try_new_leader_quorum();
        }
    }

    /// Sync → broadcast once a quorum (us included, with our history durable) acked NEWLEADER:
    /// the whole initial history is committed.
    fn try_new_leader_quorum(&mut self) {
        let me = self.cfg.me;
        let durable = self.durable;
        let l = self.ld();
        if l.phase != Phase::Sync || durable < l.initial_last {
            return;
        }
        let ids: Vec<ServerId> = l
            .learners
            .iter()
            .filter(|(_, s)| !s.observer && s.phase == LearnerPhase::NewLeaderAcked)
            .map(|(id, _)| *id)
            .chain(std::iter::once(me))
            .collect();
        if !self.cfg.is_quorum(&ids) {
            return;
        }
        let l = self.ld();
        l.phase = Phase::Broadcast;
        let initial = l.initial_last;
        self.commit_to(initial);
        self.state_changed();
        let commit = self.hist.commit();
        let acked: Vec<ServerId> = self
            .ld()
            .learners
            .iter()
            .filter(|(_, s)| s.phase == LearnerPhase::NewLeaderAcked)
            .map(|(id, _)| *id)
            .collect();
        for id in acked {
            self.send(id, Msg::UpToDate { commit });
        }
        self.flush_all();
    }

    pub(super) fn leader_durable(&mut self) {
        self.persist_current_epoch();
        if self.ld().phase == Phase::Sync {
            self.try_new_leader_quorum();
        } else {
            self.try_commit();
        }
    }

    /// Commits, in zxid order, the newest proposal of our epoch that a quorum has durably logged
    /// (our own durable log counts).
    fn try_commit(&mut self) {
        let me = self.cfg.me;
        let durable = self.durable;
        let l = self.ld();
        if l.phase != Phase::Broadcast {
            return;
        }
        let epoch = l.epoch;
        let mut acks: Vec<(ServerId, Zxid)> =
            l.learners.iter().filter(|(_, s)| !s.observer).map(|(id, s)| (*id, s.acked)).collect();
        acks.push((me, durable));
        let cands: Vec<Zxid> = self.hist.after(self.hist.commit()).iter().map(|e| e.zxid).rev().collect();
        for z in cands {
            if zxid::epoch_of(z) != epoch {
                break;
            }
            let ids: Vec<ServerId> = acks.iter().filter(|(_, a)| *a >= z).map(|(id, _)| *id).collect();
            if self.cfg.is_quorum(&ids) {
                self.commit_to(z);
                self.flush_all();
                return;
            }
        }
    }

    pub(super) fn leader_propose(&mut self, data: Vec<u8>) {
        let epoch = self.ld().epoch;
        let Some(z) = self.next_zxid(epoch) else {
            self.out.push(Output::ProposalRejected { reason: Rejection::EpochExhausted });
            return self.look();
        };
        self.append(vec![Entry { zxid: z, data }]);
        self.out.push(Output::Proposed { zxid: z });
        self.flush_all();
    }
}
