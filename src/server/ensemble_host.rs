//! The host of an ensemble member: one glommio executor runs the client connections, the quorum
//! transport (`peer_net`), the storage log writer and the timers around one pure `ensemble::Node`,
//! and carries out its outputs in order (src/ensemble/README.md, "The host's contract").

use super::client_executor::{accept_loop, route, ClientExecutorParams, Routes};
use super::clock::{now, wall_ms};
use super::conn_stats::ConnStats;
use super::connection::{ConnLimits, PipelineLink};
use super::fourlw_answer::answer_four_letter_word;
use super::messages::{ToClient, ToPipeline};
use super::member_log::MemberLog;
use super::peer_net::{self, PeerEvent, PeerNetConfig, PeerSender};
use super::snapshotter::Snapshotter;
use super::{LogParams, RunningServer, ServerInfo};
use crate::ensemble::{Input, Node, NodeConfig, Output, Restart};
use crate::pipeline;
use crate::replication::{Role, ServerId};
use glommio::channels::local_channel::{self, LocalSender};
use glommio::LocalExecutorBuilder;
use std::cell::{Cell, RefCell};
use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::rc::Rc;
use std::time::Duration;
use zkd_storage::{epochs, LogNotice};

pub struct EnsembleParams {
    pub client_addr: SocketAddr,
    pub listen_backlog: i32,
    /// The one executor's CPU (None: unpinned).
    pub cpu: Option<usize>,
    pub limits: ConnLimits,
    pub max_client_cnxns: usize,
    pub tick: Duration,
    pub node: NodeConfig,
    pub restart: Restart,
    /// This member's quorum address (its own `server.N` line).
    pub quorum_addr: SocketAddr,
    /// Every other member's quorum address.
    pub peers: Vec<(ServerId, SocketAddr)>,
    pub info: ServerInfo,
    pub log: LogParams,
    /// `<dataDir>/version-2`: snapshots and the epoch files.
    pub snap_dir: PathBuf,
}

/// Binds the client and quorum ports and starts the member's executor.
pub fn start(params: EnsembleParams) -> std::io::Result<RunningServer> {
    let listener = super::bind_retrying(params.client_addr, params.listen_backlog)?;
    let quorum = super::bind_retrying(params.quorum_addr, 0)?;
    let local_addr = listener.local_addr()?;
    let handle = LocalExecutorBuilder::new(super::placement(params.cpu))
        .name("zkd-member")
        .spawn(move || run(params, listener, quorum))
        .map_err(super::to_io)?;
    Ok(RunningServer { local_addr, handles: vec![handle] })
}

/// The member cannot go on safely: say why and stop (the ensemble carries on without it).
fn fatal(msg: String) -> ! {
    tracing::error!("{msg}");
    eprintln!("zkd: {msg}");
    std::process::exit(1);
}

struct Host {
    node: RefCell<Node>,
    /// Inputs not yet stepped: produced by outputs, or arrived during a TRUNC.
    inbox: RefCell<VecDeque<Input>>,
    busy: Cell<bool>,
    /// A TRUNC or SNAP waits for earlier appends and the log rewrite: the outputs after it wait
    /// here and no input is stepped meanwhile ("before later outputs").
    stalled: Cell<bool>,
    deferred: RefCell<VecDeque<Output>>,
    rewrites: LocalSender<Rewrite>,
    routes: Routes,
    stats: RefCell<ConnStats>,
    peers: PeerSender,
    others: Vec<ServerId>,
    log: MemberLog,
    /// AppendLog batches not yet durable, with the last zxid each one needs synced.
    unsynced: RefCell<VecDeque<(u64, i64)>>,
    last_logged: Cell<i64>,
    role: Cell<(Role, Option<ServerId>)>,
    snap_dir: PathBuf,
    snapshotter: Snapshotter,
    info: ServerInfo,
    trace_mask: Cell<i64>,
}

impl Host {
    fn feed(&self, input: Input) {
        self.inbox.borrow_mut().push_back(input);
        self.pump();
    }

    fn pump(&self) {
        if self.busy.replace(true) {
            return;
        }
        while !self.stalled.get() {
            let Some(input) = self.inbox.borrow_mut().pop_front() else { break };
            let outs = self.node.borrow_mut().step(now(), input);
            self.carry_out(outs.into());
        }
        self.busy.set(false);
    }

    fn stall(&self, rest: VecDeque<Output>, rewrite: Rewrite) {
        self.stalled.set(true);
        *self.deferred.borrow_mut() = rest;
        let _ = self.rewrites.try_send(rewrite);
    }

    /// The TRUNC / SNAP is done: carry out what followed it, then step the inputs that waited.
    fn resume(&self) {
        self.stalled.set(false);
        let rest = std::mem::take(&mut *self.deferred.borrow_mut());
        self.busy.set(true);
        self.carry_out(rest);
        self.busy.set(false);
        self.pump();
    }

    fn carry_out(&self, mut outs: VecDeque<Output>) {
        while let Some(out) = outs.pop_front() {
            let client = match out {
                Output::Connected { conn, resp, close_after } => pipeline::Output::Connected { conn, resp, close_after },
                Output::Reply { conn, header, body } => pipeline::Output::Reply { conn, header, body },
                Output::Event { conn, zxid, event } => pipeline::Output::Event { conn, zxid, event },
                Output::Close { conn } => pipeline::Output::Close { conn },
                Output::Snapshot(job) => {
                    self.snapshotter.start(job);
                    continue;
                }
                // A full queue makes peer_net reset the link and report Lost itself.
                Output::Send { to, bytes } => {
                    if !self.peers.send(to, bytes) {
                        tracing::debug!(peer = to, "quorum message not queued");
                    }
                    continue;
                }
                Output::ClosePeer { peer } => {
                    self.peers.reset(peer);
                    continue;
                }
                Output::AppendLog { batch, entries } => {
                    self.append(batch, entries);
                    continue;
                }
                Output::TruncateLog { after } => {
                    // Nothing logged above `after`: the TRUNC removes nothing.
                    if after < self.last_logged.get() {
                        self.stall(outs, Rewrite::Truncate { after });
                        return;
                    }
                    continue;
                }
                Output::InstallSnapshot { zxid, data } => {
                    self.stall(outs, Rewrite::Install { zxid, data });
                    return;
                }
                Output::PersistEpochs { accepted, current } => {
                    for (name, v) in [(epochs::ACCEPTED_EPOCH, accepted), (epochs::CURRENT_EPOCH, current)] {
                        if let Err(e) = epochs::store(&self.snap_dir, name, v as i64) {
                            fatal(format!("cannot write an epoch file: {e}"));
                        }
                    }
                    continue;
                }
                Output::StateChanged { role, phase, leader, epoch } => {
                    self.state_changed(role, leader);
                    tracing::info!(?role, ?phase, ?leader, epoch, "ensemble state");
                    continue;
                }
            };
            self.stats.borrow_mut().on_output(&client, now().mono_ms);
            route(&self.routes, ToClient::Core(client));
        }
    }

    fn append(&self, batch: u64, entries: Vec<crate::replication::Entry>) {
        let mut unsynced = self.unsynced.borrow_mut();
        let Some(last) = entries.last().map(|e| e.zxid) else {
            // An empty batch is durable once everything before it is.
            match unsynced.back().map(|b| b.1) {
                Some(z) => unsynced.push_back((batch, z)),
                None => self.inbox.borrow_mut().push_back(Input::LogDurable { batch }),
            }
            return;
        };
        for e in entries {
            if e.zxid <= self.last_logged.get() {
                fatal(format!("log append out of order: zxid 0x{:x} after 0x{:x}", e.zxid, self.last_logged.get()));
            }
            self.last_logged.set(e.zxid);
            self.log.push(e.zxid, e.data);
        }
        unsynced.push_back((batch, last));
    }

    /// The log synced up to `zxid`: every batch it covers is durable.
    fn durable(&self, zxid: i64) {
        let mut done = None;
        {
            let mut unsynced = self.unsynced.borrow_mut();
            while unsynced.front().is_some_and(|b| b.1 <= zxid) {
                done = unsynced.pop_front().map(|b| b.0);
            }
        }
        if let Some(batch) = done {
            self.feed(Input::LogDurable { batch });
        }
    }

    /// Leaving a Leading / Following / Observing role: its quorum connections close (the other
    /// ends report them lost), as the in-memory harness breaks a server's streams.
    fn state_changed(&self, role: Role, leader: Option<ServerId>) {
        let was = self.role.replace((role, leader));
        if was != (role, leader) && was.0 != Role::Looking {
            for &p in &self.others {
                self.peers.reset(p);
            }
        }
    }

    fn mode(&self) -> &'static str {
        match self.role.get().0 {
            Role::Leading => "leader",
            Role::Following => "follower",
            Role::Observing => "observer",
            Role::Looking => "looking",
        }
    }

    fn on_client_message(&self, msg: ToPipeline) {
        match msg {
            ToPipeline::Core(input) => {
                self.stats.borrow_mut().on_input(&input, now().mono_ms);
                let input = match input {
                    pipeline::Input::Connect { conn, remote, req } => Input::Connect { conn, remote, req },
                    pipeline::Input::Packet { conn, header, body } => Input::Packet { conn, header, body },
                    pipeline::Input::Disconnected { conn } => Input::Disconnected { conn },
                    // Connections produce nothing else.
                    _ => return,
                };
                self.feed(input);
            }
            ToPipeline::Accepted { conn, remote } => self.stats.borrow_mut().accepted(conn, remote, wall_ms()),
            ToPipeline::FourLetterWord { conn, word, arg } => {
                let node = self.node.borrow();
                let text = match node.core() {
                    Some(core) => {
                        let mut mask = self.trace_mask.get();
                        let t = answer_four_letter_word(conn, word, arg, core, &mut self.stats.borrow_mut(), &self.info, &mut mask, self.mode());
                        self.trace_mask.set(mask);
                        t
                    }
                    // ZooKeeper's answer while the member is not serving (looking or syncing).
                    None => "This ZooKeeper instance is not currently serving requests\n".to_string(),
                };
                drop(node);
                self.stats.borrow_mut().closed(conn);
                route(&self.routes, ToClient::Text { conn, text });
            }
        }
    }
}

/// Reads one log writer's notices until it stops.
fn spawn_notices(host: &Rc<Host>, notices: glommio::channels::shared_channel::ConnectedReceiver<LogNotice>) {
    let h = host.clone();
    glommio::spawn_local(async move {
        while let Some(notice) = notices.recv().await {
            match notice {
                LogNotice::Durable { zxid } => {
                    h.log.answered();
                    h.durable(zxid);
                }
                LogNotice::Failed { error } => fatal(format!("transaction log failed: {error}; a member cannot go on without its log")),
            }
        }
    })
    .detach();
}

/// A sync that rewrites local history.
enum Rewrite {
    /// TRUNC: remove every record after `after`.
    Truncate { after: i64 },
    /// SNAP: `data` (the Node's tree already) becomes the newest snapshot and the log restarts after `zxid`.
    Install { zxid: i64, data: Vec<u8> },
}

/// Once every earlier append is durable: stop the writer, rewrite, start a writer continuing
/// after what is left, then carry out the outputs that waited.
async fn rewrite_log(h: &Rc<Host>, rewrite: Rewrite) {
    while !h.log.idle() {
        glommio::timer::sleep(Duration::from_millis(1)).await;
    }
    h.log.stop().await;
    let mut log = zkd_storage::FsBackend::new(h.log.dir());
    let last = match rewrite {
        Rewrite::Truncate { after } => {
            let kept = zkd_storage::truncate_after(&mut log, after)
                .unwrap_or_else(|e| fatal(format!("cannot truncate the transaction log after zxid 0x{after:x}: {e}")));
            tracing::info!(after = format!("0x{after:x}"), kept = ?kept.map(|z| format!("0x{z:x}")), "log truncated (TRUNC sync)");
            kept
        }
        Rewrite::Install { zxid, data } => {
            install_snapshot(&h.snap_dir, zxid, &data);
            // The snapshot is durable and covers everything committed: the old log (maybe with
            // entries the leader never committed) goes, so recovery cannot resurrect them.
            zkd_storage::truncate_after(&mut log, 0)
                .unwrap_or_else(|e| fatal(format!("cannot clear the transaction log after a SNAP at 0x{zxid:x}: {e}")));
            tracing::info!(zxid = format!("0x{zxid:x}"), "snapshot installed (SNAP sync), log restarted after it");
            Some(zxid)
        }
    };
    h.last_logged.set(last.unwrap_or(0));
    spawn_notices(h, h.log.start(last).await);
    h.resume();
}

/// Writes the leader's snapshot as this member's newest snapshot file, durably.
fn install_snapshot(snap_dir: &std::path::Path, zxid: i64, data: &[u8]) {
    // The same bytes the Node already decoded into its tree (only a leader's own serialization).
    let mut tree = crate::replication::sim::snapshot::deserialize(data);
    let Some(mut job) = tree.freeze() else { fatal("a freshly decoded tree refused to freeze".into()) };
    job.last_zxid = zxid;
    if let Err(e) = crate::snapshot::write_job(snap_dir, &job) {
        fatal(format!("cannot write the snapshot received from the leader (zxid 0x{zxid:x}): {e}"));
    }
}

/// How often a finished background snapshot is looked for.
const SNAPSHOT_POLL: Duration = Duration::from_millis(20);

async fn run(p: EnsembleParams, listener: std::net::TcpListener, quorum: std::net::TcpListener) {
    let others: Vec<ServerId> = p.peers.iter().map(|x| x.0).collect();
    let (peers, peer_events) = peer_net::start(quorum, PeerNetConfig::new(p.node.replication.me, p.peers));

    let lp = p.log;
    let last_logged = lp.last_zxid.unwrap_or(0);
    let (rewrites, rewrite_rx) = local_channel::new_unbounded();
    let (node, first) = Node::new(p.node, p.restart, now());
    let routes: Routes = Rc::new(RefCell::new(HashMap::new()));
    let mut info = p.info;
    info.bound_port = listener.local_addr().map(|a| a.port()).unwrap_or(0);
    let host = Rc::new(Host {
        node: RefCell::new(node),
        inbox: RefCell::new(VecDeque::new()),
        busy: Cell::new(false),
        stalled: Cell::new(false),
        deferred: RefCell::new(VecDeque::new()),
        rewrites,
        routes: routes.clone(),
        stats: RefCell::new(ConnStats::default()),
        peers,
        others,
        log: MemberLog::new(lp.dir, lp.options, lp.stats),
        unsynced: RefCell::new(VecDeque::new()),
        last_logged: Cell::new(last_logged),
        role: Cell::new((Role::Looking, None)),
        snapshotter: Snapshotter::new(p.snap_dir.clone()),
        snap_dir: p.snap_dir,
        info,
        trace_mask: Cell::new(crate::fourlw::DEFAULT_TRACE_MASK),
    });
    spawn_notices(&host, host.log.start(lp.last_zxid).await);
    host.busy.set(true);
    host.carry_out(first.into());
    host.busy.set(false);
    host.pump();

    let mut tasks = Vec::new();
    {
        let h = host.clone();
        tasks.push(glommio::spawn_local(async move {
            while let Some(rewrite) = rewrite_rx.recv().await {
                rewrite_log(&h, rewrite).await;
            }
        }));
    }
    {
        let h = host.clone();
        tasks.push(glommio::spawn_local(async move {
            while let Some(ev) = peer_events.recv().await {
                match ev {
                    PeerEvent::Message { from, bytes } => h.feed(Input::PeerMessage { from, bytes }),
                    PeerEvent::Lost { peer } => h.feed(Input::PeerLost { peer }),
                }
            }
        }));
    }
    let tick = p.tick;
    for (period, input) in [(tick / 2, Input::Tick), (tick, Input::PeerTick)] {
        let h = host.clone();
        tasks.push(glommio::spawn_local(async move {
            loop {
                glommio::timer::sleep(period).await;
                h.feed(input.clone());
            }
        }));
    }
    {
        let h = host.clone();
        tasks.push(glommio::spawn_local(async move {
            loop {
                glommio::timer::sleep(SNAPSHOT_POLL).await;
                if let Some(base) = h.snapshotter.try_finished() {
                    h.feed(Input::SnapshotWritten { base });
                    h.snapshotter.retire();
                }
            }
        }));
    }
    let params = ClientExecutorParams { index: 0, listener, limits: p.limits, max_client_cnxns: p.max_client_cnxns };
    let h = host.clone();
    let deliver: Rc<dyn Fn(ToPipeline)> = Rc::new(move |msg| h.on_client_message(msg));
    tasks.push(glommio::spawn_local(accept_loop(params, Rc::new(PipelineLink::Local(deliver)), routes)));
    for t in tasks {
        t.await;
    }
}
