//! The replica state machine: Looking (election) → Leading / Following / Observing, each through
//! discovery → sync → broadcast. `Peer::step` takes one `Input` and returns the `Output`s for the
//! host to carry out, in order (see `src/replication/README.md` for the contract).

mod history;
mod leader;
mod learner;

pub use history::{Entry, History};

use super::election::{Decision, Election};
use super::msg::{Msg, PeerState, Vote};
use super::zxid::{self, Zxid};
use super::{Config, ServerId};
use leader::{Leader, LearnerPhase};
use learner::Learner;
use std::collections::VecDeque;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Looking,
    Following,
    Leading,
    Observing,
}

/// Where a leader or learner is in establishing the epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Phase {
    Election,
    /// Agreeing on the new epoch (LEARNERINFO / LEADERINFO / ACKEPOCH).
    Discovery,
    /// Bringing learners to the leader's history (DIFF / TRUNC / SNAP, NEWLEADER).
    Sync,
    /// Proposing and committing (after a quorum acknowledged NEWLEADER).
    Broadcast,
}

/// What the host persisted before the (re)start.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Restored {
    /// zoo's `acceptedEpoch` and `currentEpoch` files.
    pub accepted_epoch: u32,
    pub current_epoch: u32,
    /// The zxid the host's state machine (snapshot) is at; everything up to it is committed.
    pub snapshot_zxid: Zxid,
    /// Durable log entries after `snapshot_zxid`, in order (as recovered from the log).
    pub log: Vec<Entry>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// One tick of the host's clock (zoo.cfg tickTime).
    Tick,
    Message { from: ServerId, msg: Msg },
    /// The quorum connection to `peer` broke: in-flight messages of it are gone.
    Disconnected { peer: ServerId },
    /// Every `AppendLog` up to and including `batch` is durable.
    LogDurable { batch: u64 },
    /// Leader: a client write to replicate (the payload the host's state machine applies).
    Propose { data: Vec<u8> },
    /// Leader: the host's snapshot, asked for by `Output::SnapshotNeeded`; `zxid` is the last
    /// committed zxid it contains.
    Snapshot { zxid: Zxid, data: Vec<u8> },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejection {
    /// Not the leader, or the leader is not broadcasting yet.
    NotLeader,
    /// The epoch's counter is used up; the leader steps down so a new epoch can start.
    EpochExhausted,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    Send { to: ServerId, msg: Msg },
    /// Write `entries` to the durable log after everything earlier, then report
    /// `Input::LogDurable { batch }`.
    AppendLog { batch: u64, entries: Vec<Entry> },
    /// Remove every log entry after `after` (in order with the appends before it).
    TruncateLog { after: Zxid },
    /// Replace the state machine and the log with this snapshot (the log continues after `zxid`).
    InstallSnapshot { zxid: Zxid, data: Vec<u8> },
    /// Leader: produce a snapshot of the state machine and hand it in as `Input::Snapshot`.
    SnapshotNeeded,
    /// Apply these committed entries to the state machine, in order.
    Commit { entries: Vec<Entry> },
    /// Make these epochs durable before carrying out any later output.
    PersistEpochs { accepted: u32, current: u32 },
    StateChanged { role: Role, phase: Phase, leader: Option<ServerId>, epoch: u32 },
    /// The leader took the proposal as `zxid`.
    Proposed { zxid: Zxid },
    ProposalRejected { reason: Rejection },
}

#[derive(Debug, Clone)]
enum State {
    Looking(Election),
    Leading(Box<Leader>),
    Learning(Box<Learner>),
}

pub struct Peer {
    cfg: Config,
    accepted_epoch: u32,
    current_epoch: u32,
    hist: History,
    /// Newest zxid known durable in the local log.
    durable: Zxid,
    /// Appends handed to the host and not yet durable: (batch, last zxid it carries).
    pending: VecDeque<(u64, Zxid)>,
    next_batch: u64,
    now: u64,
    round: u64,
    state: State,
    out: Vec<Output>,
    /// The leader's vote whose epoch was below our accepted epoch: following it again can only
    /// end the same way, so we wait in election until its vote changes (a new election).
    pub(super) refused: Option<Vote>,
}

impl Peer {
    /// A replica after (re)start: it starts looking. Returns the first outputs too.
    pub fn new(cfg: Config, r: Restored) -> (Peer, Vec<Output>) {
        let hist = History::new(r.snapshot_zxid, r.log);
        let durable = hist.last();
        // Replaced at once by `look()` below (which starts round 1 and announces the state).
        let placeholder = Election::start(&cfg, 0, Vote { leader: cfg.me, peer_epoch: 0, zxid: 0 }, &mut Vec::new());
        let mut p = Peer {
            cfg,
            accepted_epoch: r.accepted_epoch,
            current_epoch: r.current_epoch,
            hist,
            durable,
            pending: VecDeque::new(),
            next_batch: 1,
            now: 0,
            round: 0,
            state: State::Looking(placeholder),
            out: Vec::new(),
            refused: None,
        };
        p.look();
        let out = std::mem::take(&mut p.out);
        (p, out)
    }

    pub fn config(&self) -> &Config {
        &self.cfg
    }

    pub fn role(&self) -> Role {
        match &self.state {
            State::Looking(_) => Role::Looking,
            State::Leading(_) => Role::Leading,
            State::Learning(l) if l.observer => Role::Observing,
            State::Learning(_) => Role::Following,
        }
    }

    pub fn phase(&self) -> Phase {
        match &self.state {
            State::Looking(_) => Phase::Election,
            State::Leading(l) => l.phase,
            State::Learning(l) => l.phase,
        }
    }

    /// The leader's epoch once discovery fixed it (else the current epoch).
    pub fn epoch(&self) -> u32 {
        match &self.state {
            State::Leading(l) if l.epoch != 0 => l.epoch,
            _ => self.current_epoch,
        }
    }

    pub fn leader(&self) -> Option<ServerId> {
        match &self.state {
            State::Looking(_) => None,
            State::Leading(_) => Some(self.cfg.me),
            State::Learning(l) => Some(l.leader),
        }
    }

    pub fn history(&self) -> &History {
        &self.hist
    }

    pub fn durable(&self) -> Zxid {
        self.durable
    }

    pub fn epochs(&self) -> (u32, u32) {
        (self.accepted_epoch, self.current_epoch)
    }

    pub fn step(&mut self, input: Input) -> Vec<Output> {
        match input {
            Input::Tick => {
                self.now += 1;
                self.on_tick();
            }
            Input::Message { from, msg } => self.on_message(from, msg),
            Input::Disconnected { peer } => self.on_disconnected(peer),
            Input::LogDurable { batch } => self.on_durable(batch),
            Input::Propose { data } => self.on_propose(data),
            Input::Snapshot { zxid, data } => {
                if let State::Leading(_) = self.state {
                    self.leader_snapshot(zxid, data);
                }
            }
        }
        std::mem::take(&mut self.out)
    }

    fn send(&mut self, to: ServerId, msg: Msg) {
        self.out.push(Output::Send { to, msg });
    }

    fn own_vote(&self) -> Vote {
        Vote { leader: self.cfg.me, peer_epoch: self.current_epoch, zxid: self.hist.last() }
    }

    fn state_changed(&mut self) {
        let (role, phase, leader, epoch) = (self.role(), self.phase(), self.leader(), self.epoch());
        self.out.push(Output::StateChanged { role, phase, leader, epoch });
    }

    /// Back to election (from anywhere): a new round with our own vote.
    fn look(&mut self) {
        self.round += 1;
        let mut msgs = Vec::new();
        let e = Election::start(&self.cfg, self.round, self.own_vote(), &mut msgs);
        self.state = State::Looking(e);
        self.state_changed();
        for (to, m) in msgs {
            self.send(to, m);
        }
    }

    fn on_tick(&mut self) {
        match &mut self.state {
            State::Looking(e) => {
                let mut msgs = Vec::new();
                let d = e.tick(&self.cfg, &mut msgs);
                for (to, m) in msgs {
                    self.send(to, m);
                }
                self.decide(d);
            }
            State::Leading(_) => self.leader_tick(),
            State::Learning(_) => self.learner_tick(),
        }
    }

    fn on_message(&mut self, from: ServerId, msg: Msg) {
        if let Msg::Notification { vote, round, state } = msg {
            return self.on_notification(from, vote, round, state);
        }
        match &self.state {
            State::Looking(_) => {}
            State::Leading(_) => self.leader_message(from, msg),
            State::Learning(_) => self.learner_message(from, msg),
        }
    }

    fn on_notification(&mut self, from: ServerId, vote: Vote, round: u64, state: PeerState) {
        let mut msgs = Vec::new();
        let decision = match &mut self.state {
            State::Looking(e) => {
                let d = e.on_notification(&self.cfg, from, vote, round, state, &mut msgs);
                self.round = e.round;
                d
            }
            // Settled: tell a looking peer whom we follow (or that we lead).
            State::Leading(l) => {
                if state == PeerState::Looking {
                    msgs.push((from, Msg::Notification { vote: l.vote, round: self.round, state: PeerState::Leading }));
                }
                None
            }
            State::Learning(l) if l.phase == Phase::Discovery && from == l.leader && matches!(state, PeerState::Following | PeerState::Observing) => {
                // Our pick settled on another leader: it will never lead us.
                return self.look();
            }
            State::Learning(l) => {
                if state == PeerState::Looking {
                    let s = if l.observer { PeerState::Observing } else { PeerState::Following };
                    msgs.push((from, Msg::Notification { vote: l.vote, round: self.round, state: s }));
                }
                None
            }
        };
        for (to, m) in msgs {
            self.send(to, m);
        }
        self.decide(decision);
    }

    fn decide(&mut self, d: Option<Decision>) {
        match d {
            Some(Decision::Follow(v)) if self.refused == Some(v) => {}
            Some(Decision::Lead(v)) => {
                self.refused = None;
                self.become_leader(v)
            }
            Some(Decision::Follow(v)) => {
                self.refused = None;
                self.become_learner(v)
            }
            None => {}
        }
    }

    fn on_disconnected(&mut self, peer: ServerId) {
        match &mut self.state {
            State::Looking(_) => {}
            State::Leading(l) => {
                l.learners.remove(&peer);
            }
            State::Learning(l) => {
                if l.leader == peer {
                    self.look();
                }
            }
        }
    }

    fn on_durable(&mut self, batch: u64) {
        while let Some(&(b, z)) = self.pending.front() {
            if b > batch {
                break;
            }
            self.pending.pop_front();
            self.durable = self.durable.max(z);
        }
        match &self.state {
            State::Leading(_) => self.leader_durable(),
            State::Learning(_) => self.learner_durable(),
            State::Looking(_) => {}
        }
    }

    fn on_propose(&mut self, data: Vec<u8>) {
        match &self.state {
            State::Leading(l) if l.phase == Phase::Broadcast => self.leader_propose(data),
            _ => self.out.push(Output::ProposalRejected { reason: Rejection::NotLeader }),
        }
    }

    /// Logs entries (in memory now, durably by the host later).
    fn append(&mut self, entries: Vec<Entry>) {
        if entries.is_empty() {
            return;
        }
        let last = entries.last().map(|e| e.zxid).unwrap_or(0);
        for e in &entries {
            self.hist.push(e.clone());
        }
        let batch = self.next_batch;
        self.next_batch += 1;
        self.pending.push_back((batch, last));
        self.out.push(Output::AppendLog { batch, entries });
    }

    /// Truncates the log after `z`; false when that would remove committed entries.
    fn truncate(&mut self, z: Zxid) -> bool {
        if !self.hist.truncate_after(z) {
            return false;
        }
        // The host truncates after carrying out earlier appends, so their entries past z are gone.
        for p in self.pending.iter_mut() {
            p.1 = p.1.min(z);
        }
        self.durable = self.durable.min(z);
        self.out.push(Output::TruncateLog { after: z });
        true
    }

    fn install_snapshot(&mut self, z: Zxid, data: Vec<u8>) {
        self.hist.reset(z);
        for p in self.pending.iter_mut() {
            p.1 = p.1.min(z);
        }
        self.durable = z;
        self.out.push(Output::InstallSnapshot { zxid: z, data });
    }

    fn commit_to(&mut self, z: Zxid) {
        let entries = self.hist.commit_to(z);
        if !entries.is_empty() {
            self.out.push(Output::Commit { entries });
        }
        // A leader keeps what it has not yet streamed to a learner being served (an observer gets
        // committed entries only after this commit): trimming them would silently skip them.
        let owed = match &self.state {
            State::Leading(l) => l.learners.values().filter(|s| matches!(s.phase, LearnerPhase::Syncing | LearnerPhase::NewLeaderAcked)).map(|s| s.sent).min(),
            _ => None,
        };
        self.hist.trim(self.cfg.log_window, owed);
    }

    fn persist_epochs(&mut self, accepted: u32, current: u32) {
        self.accepted_epoch = accepted;
        self.current_epoch = current;
        self.out.push(Output::PersistEpochs { accepted, current });
    }

    /// Tests: pretend the leader already proposed up to `z` (the counter cannot be exhausted by
    /// proposing 2^32 entries in a unit test).
    #[cfg(test)]
    pub(crate) fn test_jump_to(&mut self, z: Zxid) {
        self.hist.push(Entry { zxid: z, data: Vec::new() });
    }

    fn next_zxid(&self, epoch: u32) -> Option<Zxid> {
        zxid::next(self.hist.last(), epoch)
    }
}
