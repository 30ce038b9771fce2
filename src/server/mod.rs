//! The edge: glommio executors pinned to cores, sockets, time. Everything here moves bytes and
//! messages; every protocol rule lives in the pure modules.
//!
//! Executors (see ARCHITECTURE.md): N client I/O executors (accept, frame, encode, write), one
//! pipeline executor (the `Core`: prepare, commit, apply, watches, sessions) and one log executor.
//! They share nothing and talk over glommio shared channels.

mod autopurge;
mod client_executor;
mod clock;
mod conn_stats;
mod connection;
pub mod ensemble_host;
mod fourlw_answer;
mod log_executor;
mod member_log;
mod member_recovery;
mod messages;
mod outbox;
pub mod peer_net;
mod pipeline_executor;
mod recovery;
mod snapshotter;

pub use autopurge::AutoPurge;
pub use connection::ConnLimits;
pub use log_executor::LogParams;
pub use clock::mono_ms;
pub use member_recovery::{recover_member, MemberRecovered};
pub use recovery::{recover_tree, Recovered};

use crate::pipeline::{Core, CoreConfig};
use crate::tree::DataTree;
use glommio::channels::shared_channel;
use glommio::{LocalExecutorBuilder, Placement};
use std::net::SocketAddr;
use std::rc::Rc;
use std::time::Duration;

/// Where each executor runs. `None` leaves an executor unpinned.
#[derive(Debug, Clone)]
pub struct CorePlacement {
    pub client: Vec<Option<usize>>,
    pub pipeline: Option<usize>,
    pub log: Option<usize>,
}

/// Static facts the four-letter words report (configuration, environment, directories).
#[derive(Debug, Clone)]
pub struct ServerInfo {
    pub config: crate::config::ServerConfig,
    /// The client port actually bound (clientPort=0 picks a free one).
    pub bound_port: u16,
    pub full_version: String,
    /// `envi` values by key (host.name, os.name, user.dir...).
    pub env: Vec<(String, String)>,
    pub started_mono_ms: i64,
    /// The log executor's counters (mntr).
    pub log_stats: std::sync::Arc<zkd_storage::LogStats>,
}

pub struct ServerParams {
    pub client_addr: SocketAddr,
    pub listen_backlog: i32,
    pub placement: CorePlacement,
    pub limits: ConnLimits,
    pub max_client_cnxns: usize,
    pub tick: Duration,
    pub core: CoreConfig,
    pub info: ServerInfo,
    pub log: LogParams,
    /// The tree rebuilt by recovery (None: a fresh tree).
    pub tree: Option<DataTree>,
    /// `<dataDir>/version-2`, where snapshots go.
    pub snap_dir: std::path::PathBuf,
    /// Log records recovery replayed on top of the snapshot: they count towards the next one.
    pub replayed: u64,
    /// autopurge.* (None: purgeInterval 0, disabled as in ZooKeeper).
    pub autopurge: Option<AutoPurge>,
}

/// A started server: its executors run on their own threads until the process exits.
pub struct RunningServer {
    pub local_addr: SocketAddr,
    handles: Vec<glommio::ExecutorJoinHandle<()>>,
}

impl RunningServer {
    /// Blocks until every executor has stopped (they normally run until the process exits).
    pub fn join(self) {
        for h in self.handles {
            let _ = h.join();
        }
    }
}

fn placement(cpu: Option<usize>) -> Placement {
    match cpu {
        Some(c) => Placement::Fixed(c),
        None => Placement::Unbound,
    }
}

/// Binds the client port and starts every executor.
pub fn start(params: ServerParams) -> std::io::Result<RunningServer> {
    let listener = bind_retrying(params.client_addr, params.listen_backlog)?;
    let local_addr = listener.local_addr()?;
    // One client executor on the pipeline's CPU: run client I/O inside the pipeline executor, so a
    // request and its reply cross no executor boundary (on 2 cores the hand-offs cost more than
    // the work; see PERF.md).
    let colocated = params.placement.client.len() == 1 && params.placement.client[0] == params.placement.pipeline;
    let n_remote_clients = if colocated { 0 } else { params.placement.client.len().max(1) };

    let mut to_pipeline_rx = Vec::new();
    let mut to_client_tx = Vec::new();
    let mut client_ends = Vec::new();
    for _ in 0..n_remote_clients {
        let (tx, rx) = shared_channel::new_bounded(4096);
        to_pipeline_rx.push(rx);
        let (ctx, crx) = shared_channel::new_bounded(4096);
        to_client_tx.push(ctx);
        client_ends.push((tx, crx));
    }
    let (to_log_tx, to_log_rx) = shared_channel::new_bounded(4096);
    let (from_log_tx, from_log_rx) = shared_channel::new_bounded(4096);

    let mut handles = Vec::new();
    let log_params = params.log;
    // The log on the pipeline's CPU: run it as a task of the pipeline executor (the channels stay;
    // both ends then live on one executor and no wake-up crosses threads).
    let log_inside = params.placement.log == params.placement.pipeline;
    let mut inner_log = None;
    if log_inside {
        inner_log = Some((log_params, to_log_rx, from_log_tx));
    } else {
        handles.push(
            LocalExecutorBuilder::new(placement(params.placement.log))
                .name("zkd-log")
                .spawn(move || log_executor::run(log_params, to_log_rx, from_log_tx))
                .map_err(to_io)?,
        );
    }

    if let Some(p) = params.autopurge.clone() {
        autopurge::spawn(p)?;
    }
    let mut core = Core::with_tree(params.core, params.tree);
    core.count_replayed(params.replayed);
    let snapshotter = snapshotter::Snapshotter::new(params.snap_dir);
    let tick = params.tick;
    let mut info = params.info;
    info.bound_port = local_addr.port();
    let channels = pipeline_executor::PipelineChannels {
        from_clients: to_pipeline_rx,
        to_clients: to_client_tx,
        to_log: to_log_tx,
        from_log: from_log_rx,
    };
    let local_clients = if colocated {
        Some(client_executor::ClientExecutorParams {
            index: 0,
            listener: listener.try_clone()?,
            limits: params.limits,
            max_client_cnxns: params.max_client_cnxns,
        })
    } else {
        None
    };
    handles.push(
        LocalExecutorBuilder::new(placement(params.placement.pipeline))
            .name("zkd-pipeline")
            .spawn(move || async move {
                if let Some((lp, rx, tx)) = inner_log {
                    glommio::spawn_local(log_executor::run(lp, rx, tx)).detach();
                }
                pipeline_executor::run(core, tick, channels, Rc::new(info), snapshotter, local_clients).await
            })
            .map_err(to_io)?,
    );

    for (index, (tx, crx)) in client_ends.into_iter().enumerate() {
        let cpu = params.placement.client.get(index).copied().flatten();
        let cparams = client_executor::ClientExecutorParams {
            index,
            listener: listener.try_clone()?,
            limits: params.limits,
            max_client_cnxns: params.max_client_cnxns,
        };
        handles.push(
            LocalExecutorBuilder::new(placement(cpu))
                .name(&format!("zkd-client-{index}"))
                .spawn(move || client_executor::run(cparams, tx, crx))
                .map_err(to_io)?,
        );
    }
    drop(listener);
    Ok(RunningServer { local_addr, handles })
}

fn to_io(e: glommio::GlommioError<()>) -> std::io::Error {
    std::io::Error::other(e.to_string())
}

/// A process killed with -9 can hold its port a moment longer than it lives: the kernel tears its
/// io_uring instance (with a pending accept on the listener) down asynchronously. So a restart
/// right after a crash retries a busy port for a bounded while before failing as ZooKeeper does.
fn bind_retrying(addr: SocketAddr, backlog: i32) -> std::io::Result<std::net::TcpListener> {
    const TRIES: u32 = 30;
    for attempt in 1..=TRIES {
        match bind(addr, backlog) {
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse && attempt < TRIES => {
                if attempt == 1 {
                    tracing::warn!(%addr, "client port in use; retrying for up to 3 s (a previous instance may still be exiting)");
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            other => return other,
        }
    }
    unreachable!("the last attempt returns")
}

/// A plain listening socket (no SO_REUSEPORT: a second server on the same port must fail, as Java's does).
fn bind(addr: SocketAddr, backlog: i32) -> std::io::Result<std::net::TcpListener> {
    use socket2::{Domain, Socket, Type};
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, None)?;
    socket.set_reuse_address(true)?;
    socket.bind(&addr.into())?;
    socket.listen(if backlog > 0 { backlog } else { 1024 })?;
    Ok(socket.into())
}
