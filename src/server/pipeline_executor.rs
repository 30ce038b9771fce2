//! The pipeline executor: owns the pure `Core` (request preparation, ZNode tree, sessions, watches),
//! feeds it inputs from client executors, the log and the tick timer, and routes its outputs:
//! appends to the log executor, replies and events to the client executor owning each connection.

use super::client_executor::{accept_loop, route, ClientExecutorParams, Routes};
use super::clock::now;
use super::connection::PipelineLink;
use std::collections::HashMap;
use super::conn_stats::ConnStats;
use super::fourlw_answer::answer_four_letter_word;
use super::messages::{owner_of, ToClient, ToPipeline};
use zkd_storage::LogNotice;
use super::outbox::{Gate, Outbox};
use glommio::sync::Semaphore;
use super::snapshotter::Snapshotter;
use super::ServerInfo;
use crate::pipeline::{Core, Input, Output};
use glommio::channels::shared_channel::{ConnectedReceiver, SharedReceiver, SharedSender};
use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

/// How outputs reach the client I/O executor owning a connection.
enum ClientRoute {
    /// Another executor: batched over a shared channel.
    Remote(Rc<Outbox<ToClient>>),
    /// This executor: straight into the connection's writer queue.
    Local(Routes),
}

impl ClientRoute {
    fn push(&self, msg: ToClient) {
        match self {
            ClientRoute::Remote(outbox) => outbox.push(msg),
            ClientRoute::Local(routes) => route(routes, msg),
        }
    }
}

struct Pipeline {
    core: RefCell<Core>,
    snapshotter: Snapshotter,
    stats: RefCell<ConnStats>,
    clients: Vec<ClientRoute>,
    log: Rc<Outbox<(i64, crate::txn::TxnEntry)>>,
    info: Rc<ServerInfo>,
    scratch: RefCell<Vec<Output>>,
    /// gtmk/stmk trace mask (only reported; zkd's logging is configured by --log-level).
    trace_mask: RefCell<i64>,
}

impl Pipeline {
    /// Runs one input through the core and routes every output, synchronously and in order.
    fn step(&self, input: Input) {
        let mut outs = std::mem::take(&mut *self.scratch.borrow_mut());
        let now = now();
        self.stats.borrow_mut().on_input(&input, now.mono_ms);
        self.core.borrow_mut().handle(now, input, &mut outs);
        for out in outs.drain(..) {
            match out {
                Output::Append { zxid, txn } => self.log.push((zxid, txn)),
                Output::Snapshot(job) => self.snapshotter.start(job),
                // Only a Leader or Follower core produces these; this executor runs standalone.
                Output::Forward(_) | Output::Touched(_) | Output::Answer { .. } => {
                    tracing::error!("ensemble output from a standalone pipeline dropped")
                }
                other => {
                    self.stats.borrow_mut().on_output(&other, now.mono_ms);
                    let dest = match &other {
                        Output::Connected { conn, .. }
                        | Output::Reply { conn, .. }
                        | Output::Event { conn, .. }
                        | Output::Close { conn } => owner_of(*conn),
                        Output::Append { .. } | Output::Snapshot(_) | Output::Forward(_) | Output::Touched(_) | Output::Answer { .. } => {
                            unreachable!("routed above")
                        }
                    };
                    if let Some(client) = self.clients.get(dest) {
                        client.push(ToClient::Core(other));
                    }
                }
            }
        }
        *self.scratch.borrow_mut() = outs;
    }

    fn on_client_message(&self, msg: ToPipeline) {
        match msg {
            ToPipeline::Core(input) => self.step(input),
            ToPipeline::Accepted { conn, remote } => self.stats.borrow_mut().accepted(conn, remote, now().wall_ms),
            ToPipeline::FourLetterWord { conn, word, arg } => {
                let text = answer_four_letter_word(
                    conn,
                    word,
                    arg,
                    &self.core.borrow(),
                    &mut self.stats.borrow_mut(),
                    &self.info,
                    &mut self.trace_mask.borrow_mut(),
                    "standalone",
                );
                self.stats.borrow_mut().closed(conn);
                if let Some(client) = self.clients.get(owner_of(conn)) {
                    client.push(ToClient::Text { conn, text });
                }
            }
        }
    }
}

pub struct PipelineChannels {
    pub from_clients: Vec<SharedReceiver<ToPipeline>>,
    pub to_clients: Vec<SharedSender<Vec<ToClient>>>,
    pub to_log: SharedSender<Vec<(i64, crate::txn::TxnEntry)>>,
    pub from_log: SharedReceiver<LogNotice>,
}

/// How often a finished background snapshot is looked for.
const SNAPSHOT_POLL: Duration = Duration::from_millis(20);

/// Runs the pipeline. With `local_clients`, client I/O runs on this executor too (connection ids of
/// executor index 0 are routed locally, with no channel hop); `channels.from_clients`/`to_clients`
/// then serve only the other client executors, if any.
pub async fn run(
    core: Core,
    tick: Duration,
    channels: PipelineChannels,
    info: Rc<ServerInfo>,
    snapshotter: Snapshotter,
    local_clients: Option<ClientExecutorParams>,
) {
    // Connect receivers in their own tasks first: each peer executor blocks on its sender's
    // connect() until this side connects, in whatever order the peers do it.
    let client_rx: Vec<_> = channels.from_clients.into_iter().map(|rx| glommio::spawn_local(rx.connect())).collect();
    let log_rx = glommio::spawn_local(channels.from_log.connect());
    let mut clients = Vec::new();
    let local_routes: Option<Routes> = local_clients.as_ref().map(|_| Rc::new(RefCell::new(HashMap::new())));
    if let Some(routes) = &local_routes {
        clients.push(ClientRoute::Local(routes.clone()));
    }
    for tx in channels.to_clients {
        clients.push(ClientRoute::Remote(Outbox::spawn(tx.connect().await)));
    }
    // One batch at a time towards the log: the next leaves when the log answers the previous one,
    // so the log executor wakes once per fdatasync, not once per message (group commit as before:
    // whatever arrives during a sync forms the next batch).
    let log_gate: Gate = Rc::new(Semaphore::new(1));
    let log = Outbox::spawn_gated(channels.to_log.connect().await, Some(log_gate.clone()));
    let p = Rc::new(Pipeline {
        core: RefCell::new(core),
        snapshotter,
        stats: RefCell::new(ConnStats::default()),
        clients,
        log,
        info,
        scratch: RefCell::new(Vec::new()),
        trace_mask: RefCell::new(crate::fourlw::DEFAULT_TRACE_MASK),
    });

    let mut tasks = Vec::new();
    if let (Some(params), Some(routes)) = (local_clients, local_routes) {
        let p = p.clone();
        let deliver: Rc<dyn Fn(ToPipeline)> = Rc::new(move |msg| p.on_client_message(msg));
        tasks.push(glommio::spawn_local(accept_loop(params, Rc::new(PipelineLink::Local(deliver)), routes)));
    }
    for rx in client_rx {
        let p = p.clone();
        tasks.push(glommio::spawn_local(async move {
            let rx: ConnectedReceiver<ToPipeline> = rx.await;
            while let Some(msg) = rx.recv().await {
                p.on_client_message(msg);
            }
        }));
    }
    {
        let p = p.clone();
        tasks.push(glommio::spawn_local(async move {
            let rx = log_rx.await;
            while let Some(notice) = rx.recv().await {
                match notice {
                    LogNotice::Durable { zxid } => {
                        log_gate.signal(1);
                        p.step(Input::Durable { zxid })
                    }
                    // Nothing acknowledged is ever lost: writes in flight end in ConnectionLoss,
                    // later ones are refused with NotReadOnly; reads go on.
                    LogNotice::Failed { error } => {
                        // Nothing more is answered; let whatever is queued drain (it is dropped).
                        log_gate.signal(u32::MAX as u64);
                        tracing::error!(%error, "transaction log failed: writes are refused from now on (reads are still served)");
                        p.step(Input::LogFailed);
                    }
                }
            }
        }));
    }
    {
        let p = p.clone();
        tasks.push(glommio::spawn_local(async move {
            loop {
                glommio::timer::sleep(SNAPSHOT_POLL).await;
                if let Some(base) = p.snapshotter.try_finished() {
                    p.step(Input::SnapshotWritten { base });
                    // The frozen layer was just retired: free it (and trim the heap) elsewhere.
                    p.snapshotter.retire();
                }
            }
        }));
    }
    {
        let p = p.clone();
        tasks.push(glommio::spawn_local(async move {
            loop {
                glommio::timer::sleep(tick / 2).await;
                p.step(Input::Tick);
            }
        }));
    }
    for t in tasks {
        t.await;
    }
}
