//! A deterministic simulator of a replicated ensemble, driven by one seed: peers of the core over
//! a faulty network (`net.rs`), each with a `SimLog` disk, a snapshot and a `DataTree`
//! (`replica.rs`), clients recording a history (`client.rs`), and invariant checks after every
//! step (`check.rs`) plus the history checker at the end. Same seed, same run.

pub mod check;
pub mod client;
pub mod net;
pub mod replica;
pub mod snapshot;
#[cfg(test)]
mod tests;

use crate::history::{self, Op, Outcome, ReadMode, Recorder};
use crate::replication::peer::{Entry, Input, Output, Phase, Role};
use crate::replication::zxid::{self, Zxid};
use crate::replication::{Config, ServerId};
use crate::txn::TxnEntry;
use check::{hash, Checker};
use client::Client;
use net::{Faults, Net};
use replica::{DiskOp, Replica};
use std::collections::VecDeque;
use zkd_storage::sim::Rng;

/// A deliberately broken host, to show the checkers catch what it breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mutation {
    /// Reports appends durable as soon as they are issued (before the write).
    LieDurable,
    /// Applies entries when they are logged instead of when they commit.
    ApplyOnAppend,
    /// Ignores TRUNC: the log keeps entries the leader does not have.
    SkipTruncate,
}

#[derive(Debug, Clone)]
pub struct SimConfig {
    pub participants: usize,
    pub observers: usize,
    pub clients: usize,
    /// Steps with faults; then the network heals and every server restarts.
    pub fault_steps: u64,
    /// Steps allowed after healing for a new write to commit.
    pub liveness_steps: u64,
    /// Steps per core tick.
    pub tick_steps: u64,
    /// Per mille per step.
    pub crash: u64,
    pub restart: u64,
    pub partition: u64,
    pub heal: u64,
    pub faults: Faults,
    pub log_window: usize,
    pub snapshot_every: usize,
    /// Most steps a log append takes to become durable.
    pub disk_delay: u64,
    pub mutation: Option<Mutation>,
    /// Named in the replay hint of a failure (`ZKD_SIM_PROFILE`).
    pub profile: &'static str,
}

impl SimConfig {
    pub fn new(participants: usize, observers: usize) -> SimConfig {
        SimConfig {
            participants,
            observers,
            clients: 3,
            fault_steps: 600,
            liveness_steps: 1500,
            tick_steps: 4,
            crash: 4,
            restart: 30,
            partition: 3,
            heal: 15,
            faults: Faults { loss: 5, dup: 50, max_delay: 4 },
            log_window: 20,
            snapshot_every: 15,
            disk_delay: 3,
            mutation: None,
            profile: "default",
        }
    }
}

/// What a run did (to see that a seed set exercises something).
#[derive(Debug, Clone, Default)]
pub struct Stats {
    pub steps: u64,
    pub applied: u64,
    pub acked: usize,
    pub events: usize,
    pub crashes: u64,
    pub partitions: u64,
    pub snaps: u64,
    pub truncs: u64,
    pub max_epoch: u32,
}

struct Sim {
    cfg: SimConfig,
    rng: Rng,
    now: u64,
    net: Net,
    faults: Faults,
    reps: Vec<Replica>,
    clients: Vec<Client>,
    rec: Recorder,
    check: Checker,
    work: VecDeque<(usize, Input)>,
    proposing: Option<usize>,
    proposed: Option<Zxid>,
    next_session: i64,
    churn_n: u64,
    heal_time: Option<u64>,
    live: bool,
    stats: Stats,
    /// ZKD_SIM_TRACE set: print every server input and output (debugging one seed).
    trace: bool,
}

type R<T = ()> = Result<T, String>;

/// Runs one seed; the error names the seed and the step.
pub fn run(seed: u64, cfg: &SimConfig) -> Result<Stats, String> {
    let mut s = Sim::new(seed, cfg.clone());
    s.run().map_err(|e| {
        let mutation = cfg.mutation.map(|m| format!(" ZKD_SIM_MUTATION={m:?}")).unwrap_or_default();
        format!(
            "seed {seed} (replay: ZKD_SIM_SEED={seed} ZKD_SIM_PROFILE={}{mutation} cargo test --lib replication::sim::tests::replay -- --ignored --nocapture) step {}: {e}",
            cfg.profile, s.now
        )
    })
}

impl Sim {
    fn new(seed: u64, cfg: SimConfig) -> Sim {
        let participants: Vec<ServerId> = (1..=cfg.participants as u64).collect();
        let observers: Vec<ServerId> = (0..cfg.observers as u64).map(|i| cfg.participants as u64 + 1 + i).collect();
        let reps = participants
            .iter()
            .chain(observers.iter())
            .map(|&id| {
                let mut c = Config::new(id, participants.clone(), observers.clone());
                c.log_window = cfg.log_window;
                Replica::new(id, c)
            })
            .collect();
        Sim {
            faults: cfg.faults.clone(),
            clients: (0..cfg.clients).map(Client::new).collect(),
            cfg,
            rng: Rng::new(seed ^ 0x5eed_0000_0000_0000),
            now: 0,
            net: Net::default(),
            reps,
            rec: Recorder::new(),
            check: Checker::default(),
            work: VecDeque::new(),
            proposing: None,
            proposed: None,
            next_session: 1000,
            churn_n: 0,
            heal_time: None,
            live: false,
            stats: Stats::default(),
            trace: std::env::var_os("ZKD_SIM_TRACE").is_some(),
        }
    }

    fn run(&mut self) -> R<Stats> {
        for r in 0..self.reps.len() {
            self.start(r)?;
        }
        while self.now < self.cfg.fault_steps {
            self.faults_step()?;
            self.step()?;
        }
        self.net.heal();
        self.faults = Faults { loss: 0, dup: 0, max_delay: self.cfg.faults.max_delay };
        for r in 0..self.reps.len() {
            if self.reps[r].peer.is_none() {
                self.start(r)?;
            }
        }
        self.heal_time = Some(self.now);
        while !self.live {
            if self.now - self.heal_time.unwrap_or(0) > self.cfg.liveness_steps {
                return Err(format!("liveness: no client write committed within {} steps after healing", self.cfg.liveness_steps));
            }
            self.step()?;
        }
        let h = self.rec.history();
        let report = history::check_all(h, &history::Options { reads: ReadMode::Sequential, ..Default::default() });
        if report.exit_code() != 0 {
            if self.trace {
                for e in &h.events {
                    eprintln!("EVENT {}", e.describe());
                }
            }
            let mut msg = format!("client history check failed ({} events): {:?}", h.events.len(), report.lin.verdict);
            for v in &report.sessions {
                msg.push_str(&format!("\n  session: {v:?}"));
            }
            msg.truncate(4000);
            return Err(msg);
        }
        self.stats.steps = self.now;
        self.stats.applied = self.check.applied;
        self.stats.acked = self.check.acked_count();
        self.stats.events = h.events.len();
        Ok(self.stats.clone())
    }

    fn id(&self, r: usize) -> ServerId {
        self.reps[r].id
    }

    fn start(&mut self, r: usize) -> R {
        let id = self.id(r);
        if self.trace {
            eprintln!("{} r{id} START snapshot {}", self.now, zxid::fmt(self.reps[r].snapshot_zxid()));
        }
        self.net.down.remove(&id);
        let out = self.reps[r].restart()?;
        let z = self.reps[r].snapshot_zxid();
        let d = self.reps[r].tree.digest();
        self.check.reset(id, z, d)?;
        self.handle_all(r, out)?;
        self.drain()
    }

    fn faults_step(&mut self) -> R {
        let n = self.reps.len() as u64;
        if self.rng.below(1000) < self.cfg.crash {
            let r = self.rng.below(n) as usize;
            if self.reps[r].peer.is_some() {
                self.stats.crashes += 1;
                let id = self.id(r);
                if self.trace {
                    eprintln!("{} r{id} CRASH", self.now);
                }
                self.reps[r].crash(&mut self.rng);
                self.net.down.insert(id);
                for x in 0..self.reps.len() {
                    if x != r {
                        let at = self.now + 5 + self.rng.below(25);
                        let xid = self.id(x);
                        self.net.kill_stream(id, xid, at);
                    }
                }
            }
        }
        for r in 0..self.reps.len() {
            if self.reps[r].peer.is_none() && self.rng.below(1000) < self.cfg.restart {
                self.start(r)?;
            }
        }
        if self.rng.below(1000) < self.cfg.partition {
            self.stats.partitions += 1;
            for r in 0..self.reps.len() {
                let g = self.rng.below(2) as u32;
                let id = self.id(r);
                self.net.groups.insert(id, g);
            }
            if self.trace {
                eprintln!("{} PARTITION {:?}", self.now, self.net.groups);
            }
        } else if self.rng.below(1000) < self.cfg.heal {
            self.net.heal();
        }
        Ok(())
    }

    fn step(&mut self) -> R {
        self.now += 1;
        let now = self.now;
        for (a, b) in self.net.due_disconnects(now) {
            for (x, y) in [(a, b), (b, a)] {
                if let Some(r) = self.up(x) {
                    self.work.push_back((r, Input::Disconnected { peer: y }));
                }
            }
        }
        for (from, to, msg) in self.net.due(now) {
            if let Some(r) = self.up(to) {
                self.work.push_back((r, Input::Message { from, msg }));
            }
        }
        self.drain()?;
        for r in 0..self.reps.len() {
            while self.reps[r].peer.is_some() && self.reps[r].disk.front().is_some_and(|(at, _)| *at <= now) {
                let (_, op) = self.reps[r].disk.pop_front().expect("front");
                if self.trace {
                    match &op {
                        DiskOp::Append { batch, entries } => eprintln!("{now} r{} DISK append {batch} {:?}", r + 1, entries.iter().map(|e| zxid::fmt(e.zxid)).collect::<Vec<_>>()),
                        DiskOp::Truncate { after } => eprintln!("{now} r{} DISK truncate after {} (log last {:?})", r + 1, zxid::fmt(*after), self.reps[r].log.planner.last_zxid().map(zxid::fmt)),
                    }
                }
                let done = self.reps[r].run_disk_op(op, &mut self.rng)?;
                self.reps[r].maybe_snapshot(self.cfg.snapshot_every);
                if let Some(batch) = done {
                    if self.cfg.mutation != Some(Mutation::LieDurable) {
                        self.work.push_back((r, Input::LogDurable { batch }));
                    }
                }
            }
        }
        self.drain()?;
        if now % self.cfg.tick_steps == 0 {
            for r in 0..self.reps.len() {
                self.work.push_back((r, Input::Tick));
            }
            self.drain()?;
        }
        self.clients_step()?;
        if self.rng.below(100) < 5 {
            self.churn()?;
        }
        Ok(())
    }

    fn up(&self, id: ServerId) -> Option<usize> {
        self.reps.iter().position(|x| x.id == id && x.peer.is_some())
    }

    fn drain(&mut self) -> R {
        while let Some((r, input)) = self.work.pop_front() {
            let Some(peer) = self.reps[r].peer.as_mut() else { continue };
            if self.trace && input != Input::Tick {
                eprintln!("{} r{} <- {input:?}", self.now, r + 1);
            }
            let out = peer.step(input);
            if self.trace {
                for o in &out {
                    eprintln!("{} r{} -> {o:?}", self.now, r + 1);
                }
            }
            self.handle_all(r, out)?;
        }
        Ok(())
    }

    fn handle_all(&mut self, r: usize, out: Vec<Output>) -> R {
        for o in out {
            self.handle(r, o)?;
        }
        Ok(())
    }

    fn disk_ready(&mut self, r: usize) -> u64 {
        let last = self.reps[r].disk.back().map_or(0, |(at, _)| *at);
        (self.now + 1 + self.rng.below(self.cfg.disk_delay)).max(last)
    }

    fn handle(&mut self, r: usize, o: Output) -> R {
        let id = self.id(r);
        match o {
            Output::Send { to, msg } => {
                match &msg {
                    crate::replication::Msg::Snap { .. } => self.stats.snaps += 1,
                    crate::replication::Msg::Trunc { .. } => self.stats.truncs += 1,
                    _ => {}
                }
                self.net.send(self.now, id, to, msg, &self.faults, &mut self.rng)
            }
            Output::AppendLog { batch, entries } => {
                if self.cfg.mutation == Some(Mutation::ApplyOnAppend) {
                    for e in &entries {
                        self.apply(r, e)?;
                    }
                }
                let at = self.disk_ready(r);
                self.reps[r].disk.push_back((at, DiskOp::Append { batch, entries }));
                if self.cfg.mutation == Some(Mutation::LieDurable) {
                    self.work.push_back((r, Input::LogDurable { batch }));
                }
            }
            Output::TruncateLog { after } => {
                if self.cfg.mutation != Some(Mutation::SkipTruncate) {
                    let at = self.disk_ready(r);
                    self.reps[r].disk.push_back((at, DiskOp::Truncate { after }));
                }
            }
            Output::InstallSnapshot { zxid, data } => {
                self.reps[r].install(zxid, data);
                let d = self.reps[r].tree.digest();
                self.check.reset(id, zxid, d)?;
            }
            Output::SnapshotNeeded => {
                let t = &self.reps[r].tree;
                let input = Input::Snapshot { zxid: t.last_processed_zxid, data: snapshot::serialize(t) };
                self.work.push_back((r, input));
            }
            Output::Commit { entries } => {
                if self.cfg.mutation != Some(Mutation::ApplyOnAppend) {
                    for e in &entries {
                        self.apply(r, e)?;
                    }
                }
            }
            Output::PersistEpochs { accepted, current } => self.reps[r].epochs = (accepted, current),
            Output::StateChanged { role, phase, leader, epoch } => self.state_changed(r, role, phase, leader, epoch)?,
            Output::Proposed { zxid } => {
                if let Some(c) = self.proposing.take() {
                    self.reps[r].pending.insert(zxid, c);
                }
                self.proposed = Some(zxid);
            }
            Output::ProposalRejected { .. } => self.proposing = None,
        }
        Ok(())
    }

    fn state_changed(&mut self, r: usize, role: Role, phase: Phase, leader: Option<ServerId>, epoch: u32) -> R {
        let id = self.id(r);
        self.stats.max_epoch = self.stats.max_epoch.max(epoch);
        if role == Role::Leading && phase >= Phase::Sync {
            self.check.leader(id, epoch)?;
        }
        if role == Role::Leading && phase == Phase::Broadcast {
            let peer = self.reps[r].peer.as_ref().expect("up");
            self.check.leader_history(id, peer.history())?;
            self.reps[r].spec = Some(self.reps[r].tree.clone());
        } else {
            self.reps[r].spec = None;
            self.reps[r].pending.clear();
        }
        let was = self.reps[r].role;
        self.reps[r].role = (role, leader);
        if was != (role, leader) && was.0 != Role::Looking {
            // A server leaving a role closes that role's quorum connections; the other ends see it
            // at once. (A looking server has none: a learner may connect before its leader leads.)
            for x in 0..self.reps.len() {
                if x != r {
                    let xid = self.id(x);
                    self.net.reset_stream(id, xid);
                    if self.reps[x].peer.is_some() {
                        self.work.push_back((x, Input::Disconnected { peer: id }));
                    }
                }
            }
        }
        Ok(())
    }

    fn apply(&mut self, r: usize, e: &Entry) -> R {
        let id = self.id(r);
        let mut te = TxnEntry::decode(&e.data).map_err(|err| format!("replica {id}: undecodable entry {}: {err:?}", zxid::fmt(e.zxid)))?;
        te.header.zxid = e.zxid;
        let mut triggers = Vec::new();
        let rep = &mut self.reps[r];
        let res = rep.tree.process_txn(&te.header, &te.txn, &mut triggers);
        let d = rep.tree.digest();
        rep.commits_since_snapshot += 1;
        rep.maybe_snapshot(self.cfg.snapshot_every);
        self.check.apply(id, e.zxid, hash(&e.data), d)?;
        if let Some(c) = self.reps[r].pending.remove(&e.zxid) {
            let client = &mut self.clients[c];
            if let Some((h, _)) = client.busy.take() {
                let outcome = client::outcome_of(res.err);
                let ev = self.rec.complete(h, self.now, outcome);
                ev.zxid = Some(e.zxid);
                if matches!(ev.op, Op::Set { .. }) && outcome == Outcome::Ok {
                    ev.version = res.stat.map(|s| s.version);
                }
                let invoked = ev.invoke;
                client.last_zxid = client.last_zxid.max(e.zxid);
                self.check.acked(e.zxid, hash(&e.data));
                if self.heal_time.is_some_and(|t| invoked >= t) {
                    self.live = true;
                }
            }
        }
        Ok(())
    }

    fn leaders(&self) -> Vec<usize> {
        (0..self.reps.len()).filter(|&r| self.reps[r].spec.is_some()).collect()
    }

    /// Proposes `data` at leader `r`; on success the speculative tree takes the txn too.
    fn propose(&mut self, r: usize, te: TxnEntry, client: Option<usize>) -> R<bool> {
        self.proposing = client;
        self.proposed = None;
        self.work.push_back((r, Input::Propose { data: te.encode() }));
        self.drain()?;
        self.proposing = None;
        let Some(z) = self.proposed.take() else { return Ok(false) };
        if let Some(spec) = self.reps[r].spec.as_mut() {
            let mut h = te.header;
            h.zxid = z;
            spec.process_txn(&h, &te.txn, &mut Vec::new());
        }
        Ok(true)
    }

    fn clients_step(&mut self) -> R {
        for c in 0..self.clients.len() {
            if let Some((_, since)) = self.clients[c].busy {
                if self.now - since > 300 {
                    // Gives up: the op stays open-ended (unknown) in the history, and the client
                    // continues in a new session (the old one's order no longer binds it: the
                    // abandoned op may still commit later, as in ZooKeeper after a connection loss).
                    self.clients[c].abandon();
                }
                continue;
            }
            if self.rng.below(100) >= 30 {
                continue;
            }
            if self.rng.below(10) < 6 {
                let leaders = self.leaders();
                if leaders.is_empty() {
                    continue;
                }
                let r = leaders[self.rng.below(leaders.len() as u64) as usize];
                let op = self.clients[c].next_write(&mut self.rng);
                let txn = client::prepare(self.reps[r].spec.as_ref().expect("leader"), &op);
                let cl = &mut self.clients[c];
                cl.cxid += 1;
                let header = crate::txn::TxnHeader { client_id: cl.session, cxid: cl.cxid, zxid: 0, time: self.now as i64, op: txn.op_code() };
                let h = self.rec.invoke(&cl.name.clone(), self.now, op);
                self.clients[c].busy = Some((h, self.now));
                if !self.propose(r, TxnEntry { header, txn }, Some(c))? {
                    self.clients[c].busy = None;
                }
            } else {
                self.read(c);
            }
        }
        Ok(())
    }

    fn read(&mut self, c: usize) {
        let need = self.clients[c].last_zxid;
        let ok: Vec<usize> = (0..self.reps.len())
            .filter(|&r| {
                let rep = &self.reps[r];
                rep.peer.as_ref().is_some_and(|p| p.phase() == Phase::Broadcast) && rep.tree.last_processed_zxid >= need
            })
            .collect();
        if ok.is_empty() {
            return;
        }
        let r = ok[self.rng.below(ok.len() as u64) as usize];
        let path = client::PATHS[self.rng.below(client::PATHS.len() as u64) as usize].to_string();
        let get = self.rng.below(2) == 0;
        let op = if get { Op::Get { path: path.clone() } } else { Op::Exists { path: path.clone() } };
        let tree = &self.reps[r].tree;
        let z = tree.last_processed_zxid;
        let node = tree.get(&path).map(|n| (n.data.map(|d| String::from_utf8_lossy(d).into_owned()), n.stat.version));
        let name = self.clients[c].name.clone();
        let h = self.rec.invoke(&name, self.now, op);
        let ev = self.rec.complete(h, self.now, if node.is_some() { Outcome::Ok } else { Outcome::NoNode });
        ev.zxid = Some(z);
        if let Some((data, version)) = node {
            ev.version = Some(version);
            if get {
                ev.data = Some(data.unwrap_or_default());
            }
        }
        self.clients[c].last_zxid = z.max(need);
    }

    fn churn(&mut self) -> R {
        let leaders = self.leaders();
        if leaders.is_empty() {
            return Ok(());
        }
        let r = leaders[self.rng.below(leaders.len() as u64) as usize];
        self.churn_n += 1;
        let te = client::churn(self.reps[r].spec.as_ref().expect("leader"), &mut self.rng, &mut self.next_session, self.churn_n);
        self.propose(r, te, None)?;
        Ok(())
    }
}
