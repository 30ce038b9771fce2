//! The in-memory host: what the glommio edge will do with each `Output`, minus the IO. Streams
//! are FIFO per ordered pair; a server leaving a role (or dying) breaks its streams and the
//! other ends are told, as `src/replication/sim` does.

use crate::ensemble::{Input, Node, NodeConfig, Output, Restart};
use crate::pipeline::{Clock, ConnId, CoreConfig};
use crate::replication::{self, Entry, Phase, Role, ServerId, Zxid};
use crate::tree::DataTree;
use crate::wire::codec_client::{request_op, write_request};
use crate::wire::jute::JuteWriter;
use crate::wire::{ConnectRequest, ReplyHeader, Request, RequestHeader, Response};
use std::collections::{BTreeMap, VecDeque};

pub struct Server {
    pub node: Option<Node>,
    /// Durable log entries (after the snapshot).
    pub log: Vec<Entry>,
    /// Appended, not yet reported durable (lost on a crash).
    pub unsynced: VecDeque<(u64, Vec<Entry>)>,
    pub snapshot: Option<(Zxid, Vec<u8>)>,
    pub epochs: (u32, u32),
    pub role: (Role, Option<ServerId>),
    /// Everything the node said to its clients, in order.
    pub clients: Vec<Output>,
}

pub struct Cluster {
    pub ids: Vec<ServerId>,
    pub servers: BTreeMap<ServerId, Server>,
    net: BTreeMap<(ServerId, ServerId), VecDeque<Vec<u8>>>,
    events: VecDeque<(ServerId, Input)>,
    pub now: Clock,
    log_window: usize,
    participants: u64,
    /// Servers whose sends are lost (the test kills them before anything else can notice).
    pub muted: Vec<ServerId>,
    /// Clock advance per tick.
    pub tick_ms: i64,
    /// TruncateLog outputs carried out (what a schedule exercised).
    pub truncations: usize,
}

pub fn body(req: &Request) -> Vec<u8> {
    let mut v = Vec::new();
    write_request(&mut JuteWriter::new(&mut v), req);
    v
}

impl Cluster {
    pub fn new(n: u64, log_window: usize) -> Cluster {
        Cluster::with_observers(n, 0, log_window)
    }

    /// `n` participants (ids 1..=n), then `observers` observers.
    pub fn with_observers(n: u64, observers: u64, log_window: usize) -> Cluster {
        let ids: Vec<ServerId> = (1..=n + observers).collect();
        let mut c = Cluster {
            ids: ids.clone(),
            servers: BTreeMap::new(),
            net: BTreeMap::new(),
            events: VecDeque::new(),
            now: Clock { mono_ms: 1_000_000, wall_ms: 1_700_000_000_000 },
            log_window,
            participants: n,
            muted: Vec::new(),
            tick_ms: 100,
            truncations: 0,
        };
        for id in ids {
            let s = Server { node: None, log: Vec::new(), unsynced: VecDeque::new(), snapshot: None, epochs: (0, 0), role: (Role::Looking, None), clients: Vec::new() };
            c.servers.insert(id, s);
            c.start(id);
        }
        c
    }

    fn config(&self, me: ServerId) -> NodeConfig {
        let (p, o) = self.ids.split_at(self.participants as usize);
        let mut replication = replication::Config::new(me, p.to_vec(), o.to_vec());
        replication.log_window = self.log_window;
        let core = CoreConfig { tick_time_ms: 2000, min_session_timeout_ms: 4000, max_session_timeout_ms: 40000, ..Default::default() };
        NodeConfig { replication, core }
    }

    /// (Re)starts `id` from what its disk holds: the snapshot's tree, the log after it, the epochs.
    pub fn start(&mut self, id: ServerId) {
        let cfg = self.config(id);
        let s = self.servers.get_mut(&id).expect("known server");
        let (tree, snap) = match &s.snapshot {
            Some((z, data)) => (replication::sim::snapshot::deserialize(data), *z),
            None => (DataTree::new(false), 0),
        };
        let log = s.log.iter().filter(|e| e.zxid > snap).cloned().collect();
        let restart = Restart { tree, accepted_epoch: s.epochs.0, current_epoch: s.epochs.1, log };
        let (node, out) = Node::new(cfg, restart, self.now);
        s.node = Some(node);
        s.role = (Role::Looking, None);
        self.carry_out(id, out);
    }

    /// Crash: the node and its unsynced appends are gone; its streams break.
    pub fn kill(&mut self, id: ServerId) {
        let s = self.servers.get_mut(&id).expect("known server");
        s.node = None;
        s.unsynced.clear();
        self.muted.retain(|&m| m != id);
        self.break_streams(id);
    }

    fn break_streams(&mut self, id: ServerId) {
        for &x in &self.ids {
            if x == id {
                continue;
            }
            self.net.remove(&(id, x));
            self.net.remove(&(x, id));
            if self.servers[&x].node.is_some() {
                self.events.push_back((x, Input::PeerLost { peer: id }));
                if self.servers[&id].node.is_some() {
                    self.events.push_back((id, Input::PeerLost { peer: x }));
                }
            }
        }
    }

    pub fn input(&mut self, id: ServerId, i: Input) {
        let now = self.now;
        let Some(node) = self.servers.get_mut(&id).and_then(|s| s.node.as_mut()) else { return };
        let out = node.step(now, i);
        self.carry_out(id, out);
    }

    fn carry_out(&mut self, id: ServerId, out: Vec<Output>) {
        for o in out {
            match o {
                Output::Send { to, bytes } => {
                    if self.servers.get(&to).is_some_and(|s| s.node.is_some()) && !self.muted.contains(&id) {
                        self.net.entry((id, to)).or_default().push_back(bytes);
                    }
                }
                Output::ClosePeer { .. } => panic!("server {id}: an envelope did not decode"),
                Output::AppendLog { batch, entries } => self.server(id).unsynced.push_back((batch, entries)),
                Output::TruncateLog { after } => {
                    self.truncations += 1;
                    let s = self.server(id);
                    s.log.retain(|e| e.zxid <= after);
                    for (_, es) in s.unsynced.iter_mut() {
                        es.retain(|e| e.zxid <= after);
                    }
                }
                Output::InstallSnapshot { zxid, data } => {
                    let s = self.server(id);
                    s.snapshot = Some((zxid, data));
                    s.log.clear();
                    for (_, es) in s.unsynced.iter_mut() {
                        es.clear();
                    }
                }
                Output::PersistEpochs { accepted, current } => self.server(id).epochs = (accepted, current),
                Output::StateChanged { role, leader, phase, epoch } => {
                    if std::env::var_os("ZKD_ENSEMBLE_TRACE").is_some() {
                        eprintln!("t={} server {id}: {role:?} {phase:?} leader {leader:?} epoch {epoch}", self.now.mono_ms);
                    }
                    let was = std::mem::replace(&mut self.server(id).role, (role, leader));
                    if was != (role, leader) && was.0 != Role::Looking {
                        self.break_streams(id);
                    }
                }
                Output::Snapshot(_) => panic!("server {id}: no local snapshots at this snap count"),
                o => self.server(id).clients.push(o),
            }
        }
    }

    fn server(&mut self, id: ServerId) -> &mut Server {
        self.servers.get_mut(&id).expect("known server")
    }

    /// Delivers events, makes appends durable and delivers messages until nothing moves.
    pub fn pump(&mut self) {
        for _ in 0..100_000 {
            if let Some((id, i)) = self.events.pop_front() {
                self.input(id, i);
                continue;
            }
            let durable: Vec<(ServerId, u64)> = self
                .servers
                .iter_mut()
                .filter(|(_, s)| s.node.is_some())
                .flat_map(|(id, s)| {
                    let done: Vec<(u64, Vec<Entry>)> = s.unsynced.drain(..).collect();
                    let mut batches = Vec::new();
                    for (b, es) in done {
                        s.log.extend(es);
                        batches.push((*id, b));
                    }
                    batches
                })
                .collect();
            if !durable.is_empty() {
                for (id, batch) in durable {
                    self.events.push_back((id, Input::LogDurable { batch }));
                }
                continue;
            }
            let Some(&pair) = self.net.iter().find(|(_, q)| !q.is_empty()).map(|(k, _)| k) else { return };
            let bytes = self.net.get_mut(&pair).and_then(|q| q.pop_front()).expect("non-empty");
            self.input(pair.1, Input::PeerMessage { from: pair.0, bytes });
        }
        let mut tail = Vec::new();
        for _ in 0..30 {
            if let Some(&pair) = self.net.iter().find(|(_, q)| !q.is_empty()).map(|(k, _)| k) {
                let bytes = self.net.get_mut(&pair).and_then(|q| q.pop_front()).expect("non-empty");
                tail.push(format!("{pair:?} {:?}", crate::ensemble::envelope::decode(&bytes)));
                self.input(pair.1, Input::PeerMessage { from: pair.0, bytes });
            }
        }
        panic!("the cluster never went quiet; events {:?}; last messages:\n{}", self.events, tail.join("\n"));
    }

    /// One step of a random schedule: pending events first (a broken stream is reported before
    /// anything of the next one arrives: the transport contract), then one message of one
    /// stream, one append made durable, or a tick.
    pub fn random_step(&mut self, rng: &mut zkd_storage::sim::Rng) {
        if let Some((id, i)) = self.events.pop_front() {
            self.input(id, i);
            return;
        }
        let streams: Vec<(ServerId, ServerId)> = self.net.iter().filter(|(_, q)| !q.is_empty()).map(|(k, _)| *k).collect();
        let disks: Vec<ServerId> = self.servers.iter().filter(|(_, s)| s.node.is_some() && !s.unsynced.is_empty()).map(|(id, _)| *id).collect();
        // Time passes only while the backlog is short: messages take well under a tick, as on
        // a LAN (a backlog growing past init_limit would time out every epoch).
        let backlog: usize = self.net.values().map(|q| q.len()).sum();
        let tick = backlog <= 4 * self.ids.len() && rng.below(40) == 0;
        let disk = !disks.is_empty() && (streams.is_empty() || rng.below(4) == 0);
        if !tick && disk {
            let id = disks[rng.below(disks.len() as u64) as usize];
            let s = self.server(id);
            let (batch, es) = s.unsynced.pop_front().expect("non-empty");
            s.log.extend(es);
            self.events.push_back((id, Input::LogDurable { batch }));
        } else if !tick && !streams.is_empty() {
            // Mostly any stream; sometimes the longest, so no stream lags ticks behind.
            let pair = if rng.below(4) == 0 {
                *streams.iter().max_by_key(|k| self.net[*k].len()).expect("non-empty")
            } else {
                streams[rng.below(streams.len() as u64) as usize]
            };
            let bytes = self.net.get_mut(&pair).and_then(|q| q.pop_front()).expect("non-empty");
            self.input(pair.1, Input::PeerMessage { from: pair.0, bytes });
        } else {
            self.now.mono_ms += self.tick_ms;
            self.now.wall_ms += self.tick_ms;
            let live: Vec<ServerId> = self.ids.iter().copied().filter(|id| self.servers[id].node.is_some()).collect();
            for id in live {
                self.input(id, Input::PeerTick);
            }
        }
    }

    pub fn is_up(&self, id: ServerId) -> bool {
        self.servers[&id].node.is_some()
    }

    /// One tick of every live server's replication clock, then everything it causes.
    pub fn tick(&mut self) {
        self.now.mono_ms += self.tick_ms;
        self.now.wall_ms += self.tick_ms;
        let live: Vec<ServerId> = self.ids.iter().copied().filter(|id| self.servers[id].node.is_some()).collect();
        for id in live {
            self.input(id, Input::PeerTick);
        }
        self.pump();
    }

    /// One pipeline tick at every live server (expiry at the leader, touch reports at followers).
    pub fn pipeline_tick_all(&mut self) {
        let live: Vec<ServerId> = self.ids.iter().copied().filter(|id| self.servers[id].node.is_some()).collect();
        for id in live {
            self.input(id, Input::Tick);
        }
        self.pump();
    }

    /// Ticks until every live server serves clients in one epoch under one leader; returns it.
    pub fn settle(&mut self) -> ServerId {
        for _ in 0..200 {
            self.tick();
            if let Some(l) = self.settled() {
                return l;
            }
        }
        panic!("no settled ensemble after 200 ticks");
    }

    fn settled(&self) -> Option<ServerId> {
        let live: Vec<&Node> = self.servers.values().filter_map(|s| s.node.as_ref()).collect();
        let leader = live.iter().find(|n| n.peer().role() == Role::Leading)?.peer().config().me;
        let epoch = self.node(leader).peer().epoch();
        let ok = live.iter().all(|n| {
            let p = n.peer();
            p.phase() == Phase::Broadcast && p.leader() == Some(leader) && p.epoch() == epoch && n.core().is_some()
        });
        ok.then_some(leader)
    }

    pub fn node(&self, id: ServerId) -> &Node {
        self.servers[&id].node.as_ref().expect("live server")
    }

    pub fn followers(&self, leader: ServerId) -> Vec<ServerId> {
        self.ids.iter().copied().filter(|&i| i != leader && self.servers[&i].node.is_some()).collect()
    }

    /// Client outputs of `id` since the last call.
    pub fn take_client(&mut self, id: ServerId) -> Vec<Output> {
        std::mem::take(&mut self.server(id).clients)
    }

    /// A client handshake at `id`; everything it causes; the session id granted.
    pub fn connect(&mut self, id: ServerId, conn: ConnId, req: ConnectRequest) -> i64 {
        self.input(id, Input::Connect { conn, remote: "127.0.0.1:5555".parse().unwrap(), req });
        self.pump();
        let out = self.take_client(id);
        match out.as_slice() {
            [Output::Connected { conn: c, resp, close_after: false }] if *c == conn => resp.session_id,
            o => panic!("server {id}: connect {conn}: {o:?}"),
        }
    }

    /// A request from `conn` at `id`; everything it causes; the replies `conn` got.
    pub fn call(&mut self, id: ServerId, conn: ConnId, xid: i32, req: Request) -> Vec<(ReplyHeader, Response)> {
        let header = RequestHeader { xid, op: request_op(&req) };
        self.input(id, Input::Packet { conn, header, body: body(&req) });
        self.pump();
        replies(&self.take_client(id), conn)
    }
}

pub fn replies(out: &[Output], conn: ConnId) -> Vec<(ReplyHeader, Response)> {
    out.iter()
        .filter_map(|o| match o {
            Output::Reply { conn: c, header, body } if *c == conn => Some((*header, decoded(body))),
            _ => None,
        })
        .collect()
}

/// A relayed body (`Response::Encoded`) decoded into its record, so tests compare records.
pub fn decoded(body: &Response) -> Response {
    match body {
        Response::Encoded { op, body } => crate::wire::codec_client::decode_response(*op, body).expect("an encoded body decodes"),
        other => other.clone(),
    }
}
