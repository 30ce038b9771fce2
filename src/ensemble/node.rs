//! `Node`: owns the replication `Peer` and, once this server's role is settled (broadcast phase),
//! a pipeline `Core` of that role; while looking or syncing only the bare tree, which committed
//! entries are applied to directly (there are no clients to answer).

use super::envelope::{self, Envelope};
use crate::pipeline::{self, BaseHandle, Clock, ConnId, Core, CoreConfig};
use crate::replication::{self, Entry, Peer, Phase, Restored, Role, ServerId, Zxid};
use crate::tree::{DataTree, SnapshotJob};
use crate::wire::{ConnectRequest, ConnectResponse, ReplyHeader, RequestHeader, Response, WatcherEvent};
use std::collections::VecDeque;

#[derive(Debug, Clone)]
pub struct NodeConfig {
    pub replication: replication::Config,
    /// The pipeline's settings; `role`, `server_id` and `initial_mono_ms` are set per Core.
    pub core: CoreConfig,
}

/// What the host recovered at (re)start: the tree of the newest snapshot (not the log replayed on
/// top: log entries after it are applied once the ensemble commits them), the epoch files and the
/// log entries after the snapshot.
#[derive(Debug)]
pub struct Restart {
    pub tree: DataTree,
    pub accepted_epoch: u32,
    pub current_epoch: u32,
    pub log: Vec<Entry>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    // ---- client side (as `pipeline::Input`) ----
    Connect { conn: ConnId, remote: std::net::SocketAddr, req: ConnectRequest },
    Packet { conn: ConnId, header: RequestHeader, body: Vec<u8> },
    Disconnected { conn: ConnId },
    /// About every tickTime/2 ms: session expiry (leader), touch reports (follower).
    Tick,
    TakeSnapshot,
    SnapshotWritten { base: Option<BaseHandle> },
    // ---- quorum side ----
    /// Every tickTime: the replication core's clock.
    PeerTick,
    /// One envelope from server `from` (framing is the transport's job).
    PeerMessage { from: ServerId, bytes: Vec<u8> },
    /// The quorum connection to `peer` broke.
    PeerLost { peer: ServerId },
    /// Every `Output::AppendLog` up to `batch` is durable.
    LogDurable { batch: u64 },
}

#[derive(Debug, Clone)]
pub enum Output {
    // ---- client side ----
    Connected { conn: ConnId, resp: ConnectResponse, close_after: bool },
    Reply { conn: ConnId, header: ReplyHeader, body: Response },
    Event { conn: ConnId, zxid: i64, event: WatcherEvent },
    Close { conn: ConnId },
    /// Write this frozen tree as a local snapshot, then answer `Input::SnapshotWritten`.
    Snapshot(SnapshotJob),
    // ---- quorum side ----
    Send { to: ServerId, bytes: Vec<u8> },
    /// `peer` sent bytes that do not decode: close that connection (it was reported lost).
    ClosePeer { peer: ServerId },
    AppendLog { batch: u64, entries: Vec<Entry> },
    TruncateLog { after: Zxid },
    /// Replace the local snapshot and the log with this one, durably, before later outputs.
    InstallSnapshot { zxid: Zxid, data: Vec<u8> },
    PersistEpochs { accepted: u32, current: u32 },
    /// When leaving a Leading / Following / Observing role, close that role's quorum connections.
    StateChanged { role: Role, phase: Phase, leader: Option<ServerId>, epoch: u32 },
}

/// What serves clients.
pub(super) enum Serving {
    Bare(DataTree),
    Leader(Core),
    Follower { core: Core, leader: ServerId },
}

pub(super) enum Work {
    Peer(replication::Input),
    Core(pipeline::Input),
}

pub struct Node {
    pub(super) cfg: NodeConfig,
    pub(super) peer: Peer,
    pub(super) serving: Serving,
    /// The settled (role, leader, epoch) the current Core was built for.
    pub(super) settled: Option<(pipeline::Role, ServerId, u32)>,
    /// Leader Core: zxids above this one are its own proposals; entries at or below it that
    /// commit are the history it did not prepare.
    pub(super) own_from: Zxid,
    /// Zxids of proposals handed to the replication core, awaiting `Proposed`.
    pub(super) expected: VecDeque<Zxid>,
    pub(super) work: VecDeque<Work>,
    pub(super) out: Vec<Output>,
    pub(super) now: Clock,
    /// Local snapshots handed out and not yet answered; those begun on a tree that a SNAP
    /// replaced since are stale (their answer is dropped).
    pub(super) snapshots_in_flight: u32,
    pub(super) stale_snapshots: u32,
    /// Entries applied to the bare tree since the last Core (counted toward its next snapshot).
    pub(super) applied_bare: u64,
    /// The ms each Core's session id generator was seeded with, strictly increasing: two Cores
    /// built in the same ms would hand out the same session ids.
    pub(super) seed_ms: i64,
}

impl Node {
    pub fn new(cfg: NodeConfig, restart: Restart, now: Clock) -> (Node, Vec<Output>) {
        let restored = Restored {
            accepted_epoch: restart.accepted_epoch,
            current_epoch: restart.current_epoch,
            snapshot_zxid: restart.tree.last_processed_zxid,
            log: restart.log,
        };
        let (peer, first) = Peer::new(cfg.replication.clone(), restored);
        let mut n = Node {
            cfg,
            peer,
            serving: Serving::Bare(restart.tree),
            settled: None,
            own_from: 0,
            expected: VecDeque::new(),
            work: VecDeque::new(),
            out: Vec::new(),
            now,
            snapshots_in_flight: 0,
            stale_snapshots: 0,
            applied_bare: 0,
            seed_ms: i64::MIN,
        };
        n.peer_outputs(first);
        n.run();
        let out = std::mem::take(&mut n.out);
        (n, out)
    }

    pub fn step(&mut self, now: Clock, input: Input) -> Vec<Output> {
        self.now = now;
        match input {
            Input::Connect { conn, remote, req } => match self.serving {
                // No settled role, no service: ZooKeeper refuses connections while looking.
                Serving::Bare(_) => self.out.push(Output::Close { conn }),
                _ => self.work.push_back(Work::Core(pipeline::Input::Connect { conn, remote, req })),
            },
            Input::Packet { conn, header, body } => self.work.push_back(Work::Core(pipeline::Input::Packet { conn, header, body })),
            Input::Disconnected { conn } => self.work.push_back(Work::Core(pipeline::Input::Disconnected { conn })),
            Input::Tick => self.work.push_back(Work::Core(pipeline::Input::Tick)),
            Input::TakeSnapshot => self.work.push_back(Work::Core(pipeline::Input::TakeSnapshot)),
            Input::SnapshotWritten { base } => self.snapshot_written(base),
            Input::PeerTick => self.work.push_back(Work::Peer(replication::Input::Tick)),
            Input::PeerLost { peer } => self.work.push_back(Work::Peer(replication::Input::Disconnected { peer })),
            Input::LogDurable { batch } => self.work.push_back(Work::Peer(replication::Input::LogDurable { batch })),
            Input::PeerMessage { from, bytes } => self.peer_message(from, &bytes),
        }
        self.run();
        std::mem::take(&mut self.out)
    }

    fn peer_message(&mut self, from: ServerId, bytes: &[u8]) {
        let e = match envelope::decode(bytes) {
            Ok(e) => e,
            Err(_) => {
                // A corrupt stream: nothing more on it can be trusted.
                self.out.push(Output::ClosePeer { peer: from });
                self.work.push_back(Work::Peer(replication::Input::Disconnected { peer: from }));
                return;
            }
        };
        // Pipeline traffic only between a settled leader and its followers; anything else is
        // left over from an earlier epoch (its clients' connections were closed with it).
        let w = match (e, &self.serving) {
            (Envelope::Replication(msg), _) => Work::Peer(replication::Input::Message { from, msg }),
            (Envelope::Forwarded(packet), Serving::Leader(_)) => Work::Core(pipeline::Input::Forwarded { server: from, packet }),
            (Envelope::Touches(sessions), Serving::Leader(_)) => Work::Core(pipeline::Input::Touches { sessions }),
            (Envelope::Answer { session, zxid, answer }, Serving::Follower { leader, .. }) if *leader == from => {
                Work::Core(pipeline::Input::Answer { session, zxid, answer })
            }
            _ => return,
        };
        self.work.push_back(w);
    }

    fn snapshot_written(&mut self, base: Option<BaseHandle>) {
        if self.stale_snapshots > 0 {
            self.stale_snapshots -= 1;
            return;
        }
        self.snapshots_in_flight = self.snapshots_in_flight.saturating_sub(1);
        match &mut self.serving {
            Serving::Bare(t) if t.snapshot_in_progress() => match base {
                Some(b) => t.install_snapshot(b.0),
                None => t.abort_snapshot(),
            },
            Serving::Bare(_) => {}
            _ => self.work.push_back(Work::Core(pipeline::Input::SnapshotWritten { base })),
        }
    }

    /// Carries out queued work until none is left.
    fn run(&mut self) {
        while let Some(w) = self.work.pop_front() {
            match w {
                Work::Peer(i) => {
                    let o = self.peer.step(i);
                    self.peer_outputs(o);
                }
                Work::Core(i) => self.core_step(i),
            }
        }
    }

    pub fn tree(&self) -> &DataTree {
        match &self.serving {
            Serving::Bare(t) => t,
            Serving::Leader(c) | Serving::Follower { core: c, .. } => c.tree(),
        }
    }

    pub fn peer(&self) -> &Peer {
        &self.peer
    }

    /// The pipeline Core serving clients, once the role is settled.
    pub fn core(&self) -> Option<&Core> {
        match &self.serving {
            Serving::Bare(_) => None,
            Serving::Leader(c) | Serving::Follower { core: c, .. } => Some(c),
        }
    }

    pub(super) fn send(&mut self, to: ServerId, e: &Envelope) {
        self.out.push(Output::Send { to, bytes: envelope::encode(e) });
    }
}
