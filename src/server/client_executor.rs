//! A client I/O executor: accepts connections, runs their reader/writer tasks and routes what the
//! pipeline sends back to the right connection. It never touches the tree or the log.

use super::connection::{self, ConnLimits, ConnShared, PipelineLink};
use super::messages::{make_conn_id, ToClient, ToPipeline};
use crate::pipeline::ConnId;
use glommio::channels::local_channel::{self, LocalSender};
use glommio::channels::shared_channel::{SharedReceiver, SharedSender};
use glommio::net::TcpListener;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::net::IpAddr;
use std::os::fd::{AsRawFd, FromRawFd, IntoRawFd};
use std::rc::Rc;

pub struct ClientExecutorParams {
    pub index: usize,
    /// A bound, listening socket (a dup per executor; the kernel spreads accepts between them).
    pub listener: std::net::TcpListener,
    pub limits: ConnLimits,
    /// maxClientCnxns: connections per source address on this executor (0 = unlimited).
    pub max_client_cnxns: usize,
}

/// Each connection's writer queue, by connection id: where the pipeline's outputs are routed.
pub type Routes = Rc<RefCell<HashMap<ConnId, LocalSender<ToClient>>>>;

/// Hands one pipeline output to the writer of its connection (dropped if the connection is gone).
pub fn route(routes: &Routes, msg: ToClient) {
    let Some(conn) = msg.conn() else { return };
    // Sending only schedules the writer task; nothing here re-enters `routes`.
    if let Some(tx) = routes.borrow().get(&conn) {
        let _ = tx.try_send(msg);
    }
}

/// A client I/O executor of its own, talking to the pipeline executor over shared channels.
pub async fn run(
    params: ClientExecutorParams,
    to_pipeline: SharedSender<ToPipeline>,
    from_pipeline: SharedReceiver<Vec<ToClient>>,
) {
    let (to_pipeline, from_pipeline) = futures_lite::future::zip(to_pipeline.connect(), from_pipeline.connect()).await;
    let routes: Routes = Rc::new(RefCell::new(HashMap::new()));

    // Dispatcher: never awaits on anything but its own channel, so replies always drain even when
    // connection readers are blocked on a full pipeline channel.
    let dispatch = routes.clone();
    glommio::spawn_local(async move {
        while let Some(batch) = from_pipeline.recv().await {
            for msg in batch {
                route(&dispatch, msg);
            }
        }
    })
    .detach();
    accept_loop(params, Rc::new(PipelineLink::Remote(to_pipeline)), routes).await
}

/// Accepts connections and runs each one's reader and writer on the current executor. `routes` is
/// filled with each connection's writer queue; the pipeline's outputs are delivered through it.
pub async fn accept_loop(params: ClientExecutorParams, to_pipeline: Rc<PipelineLink>, outboxes: Routes) {
    // SAFETY: the std listener's descriptor is handed over to glommio, which now owns it.
    let listener = unsafe { TcpListener::from_raw_fd(params.listener.into_raw_fd()) };
    let per_ip: Rc<RefCell<HashMap<IpAddr, usize>>> = Rc::new(RefCell::new(HashMap::new()));
    let seq = Cell::new(0u64);
    loop {
        let stream = match listener.accept().await {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(error = %e, "accept failed");
                glommio::timer::sleep(std::time::Duration::from_millis(10)).await;
                continue;
            }
        };
        let remote = match stream.peer_addr() {
            Ok(a) => a,
            Err(_) => continue,
        };
        {
            let mut counts = per_ip.borrow_mut();
            let n = counts.entry(remote.ip()).or_insert(0);
            if params.max_client_cnxns != 0 && *n >= params.max_client_cnxns {
                tracing::warn!(%remote, limit = params.max_client_cnxns, "too many connections from this address: closing");
                continue;
            }
            *n += 1;
        }
        let _ = stream.set_nodelay(true);
        seq.set(seq.get() + 1);
        let conn = make_conn_id(params.index, seq.get());
        let fd = stream.as_raw_fd();
        let (rd, wr) = futures_lite::io::split(stream);
        let (tx, rx) = local_channel::new_unbounded();
        outboxes.borrow_mut().insert(conn, tx);
        let shared = Rc::new(ConnShared::default());
        let _ = to_pipeline.send(ToPipeline::Accepted { conn, remote }).await;

        let writer = glommio::spawn_local(connection::write_loop(conn, wr, rx, shared.clone(), move || {
            connection::shutdown_fd(fd)
        }));
        let shutdown = move || connection::shutdown_fd(fd);
        let (routes, counts, tp, limits) = (outboxes.clone(), per_ip.clone(), to_pipeline.clone(), params.limits);
        glommio::spawn_local(async move {
            match connection::read_loop(conn, rd, remote, shared, limits, tp, shutdown).await {
                connection::ReaderEnd::Done => {
                    // Dropping the outbox ends the writer once it has flushed what it holds.
                    routes.borrow_mut().remove(&conn);
                    writer.await;
                }
                connection::ReaderEnd::AwaitWriter => {
                    writer.await;
                    routes.borrow_mut().remove(&conn);
                }
            }
            if let Some(n) = counts.borrow_mut().get_mut(&remote.ip()) {
                *n = n.saturating_sub(1);
            }
        })
        .detach();
    }
}
