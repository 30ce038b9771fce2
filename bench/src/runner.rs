//! The request/reply workloads: many sessions, each with a window of requests in flight, either
//! closed-loop (a reply frees a slot for the next request) or open-loop at a fixed total rate.

use crate::conn::{self, is_unsolicited, ConnError, ReplyReader, Session, CLOSE_XID};
use crate::pacing::{latency_origin, Pacer};
use crate::stats::{new_histogram, record, Counters};
use crate::workload::{Layout, OpGen, Workload};
use hdrhistogram::Histogram;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;
use zkd::wire::Request;

/// How a run offers load and when it ends (always bounded by `duration`; `ops` may end it sooner).
#[derive(Debug, Clone)]
pub struct LoadSpec {
    pub server: String,
    pub workload: Workload,
    pub sessions: usize,
    pub window: usize,
    pub duration: Duration,
    pub ops: Option<u64>,
    /// Total ops/s over all sessions (open loop); `None` = closed loop.
    pub rate: Option<f64>,
    pub keys: usize,
    pub value_size: usize,
}

/// Flush early once this much is queued, so a big window never builds a huge write.
const MAX_BATCH_BYTES: usize = 64 << 10;
/// Time allowed after the deadline for outstanding replies and the close.
pub const DRAIN_GRACE: Duration = Duration::from_secs(30);

/// The merged outcome of all sessions.
#[derive(Debug)]
pub struct Outcome {
    pub histogram: Histogram<u64>,
    pub elapsed: Duration,
    pub errors: u64,
    /// Sessions that failed (connection lost, timeout), with the first reason.
    pub failed_sessions: usize,
    pub first_failure: Option<String>,
}

struct SessionResult {
    histogram: Histogram<u64>,
    last_reply: Option<Instant>,
}

/// Connects all sessions, then runs them from one common start until the bound.
pub async fn run(spec: Arc<LoadSpec>, layout: Layout, counters: Arc<Counters>) -> Result<Outcome, String> {
    let mut connecting = tokio::task::JoinSet::new();
    for _ in 0..spec.sessions {
        let server = spec.server.clone();
        connecting.spawn(async move { conn::connect(&server).await });
    }
    let mut sessions = Vec::with_capacity(spec.sessions);
    while let Some(r) = connecting.join_next().await {
        sessions.push(r.map_err(|e| e.to_string())?.map_err(|e| format!("connect: {e}"))?);
    }
    let start = Instant::now();
    let deadline = start + spec.duration;
    let mut running = tokio::task::JoinSet::new();
    for (i, s) in sessions.into_iter().enumerate() {
        let gen = OpGen::new(spec.workload, layout.clone(), i, spec.keys, spec.value_size);
        let pacer = spec.rate.map(|r| Pacer::new(r, spec.sessions, i));
        let (spec, counters) = (spec.clone(), counters.clone());
        running.spawn(async move {
            let work = drive(s, gen, pacer, spec.window, spec.ops, start, deadline, counters);
            tokio::time::timeout_at((deadline + DRAIN_GRACE).into(), work).await.unwrap_or(Err(ConnError::Timeout("session drain")))
        });
    }
    let mut histogram = new_histogram();
    let (mut failed_sessions, mut first_failure, mut last) = (0, None, start);
    while let Some(r) = running.join_next().await {
        match r.map_err(|e| e.to_string())? {
            Ok(s) => {
                histogram.add(&s.histogram).map_err(|e| e.to_string())?;
                last = last.max(s.last_reply.unwrap_or(start));
            }
            Err(e) => {
                failed_sessions += 1;
                first_failure.get_or_insert(e.to_string());
            }
        }
    }
    Ok(Outcome { histogram, elapsed: last - start, errors: counters.errors(), failed_sessions, first_failure })
}

/// One session: this task writes, a spawned task reads. Start instants of in-flight requests go
/// into a queue in send order; replies come back in the same order.
#[allow(clippy::too_many_arguments)]
async fn drive(
    session: Session,
    mut gen: OpGen,
    pacer: Option<Pacer>,
    window: usize,
    ops: Option<u64>,
    start: Instant,
    deadline: Instant,
    counters: Arc<Counters>,
) -> Result<SessionResult, ConnError> {
    let Session { reader, mut writer, .. } = session;
    let window = window.max(1);
    let slots = Arc::new(Semaphore::new(window));
    let started: Arc<Mutex<VecDeque<Instant>>> = Arc::new(Mutex::new(VecDeque::with_capacity(window)));
    let reading = tokio::spawn(read_replies(reader, slots.clone(), started.clone(), counters.clone()));
    let mut seq = 0u64;
    let mut last_wake: Option<Instant> = None;
    loop {
        if slots.acquire().await.map(|p| p.forget()).is_err() {
            break; // the reader failed and closed the slots: its error is returned below
        }
        if Instant::now() >= deadline || !counters.claim(ops) {
            slots.add_permits(1);
            break;
        }
        let origin = match pacer {
            None => Instant::now(),
            Some(p) => {
                let due = p.due(start, seq);
                if due > Instant::now() {
                    writer.flush().await?;
                    tokio::time::sleep_until(due.into()).await;
                    last_wake = Some(Instant::now());
                }
                latency_origin(due, last_wake)
            }
        };
        seq += 1;
        let req: Request = gen.next_request();
        started.lock().expect("not poisoned").push_back(origin);
        writer.queue(&req);
        let next_not_due = pacer.is_some_and(|p| p.due(start, seq) > Instant::now());
        if slots.available_permits() == 0 || next_not_due || writer.buffered() >= MAX_BATCH_BYTES {
            writer.flush().await?;
        }
    }
    writer.flush().await?;
    // Every slot back means every reply arrived; then close so ephemerals go at once.
    if slots.acquire_many(window as u32).await.map(|p| p.forget()).is_ok() {
        writer.queue_with_xid(CLOSE_XID, &Request::CloseSession);
        writer.flush().await?;
    }
    reading.await.map_err(|e| ConnError::Io(std::io::Error::other(e.to_string())))?
}

async fn read_replies(
    mut reader: ReplyReader,
    slots: Arc<Semaphore>,
    started: Arc<Mutex<VecDeque<Instant>>>,
    counters: Arc<Counters>,
) -> Result<SessionResult, ConnError> {
    let mut histogram = new_histogram();
    let mut last_reply = None;
    loop {
        let h = match reader.next_header().await {
            Ok(h) => h,
            Err(e) => {
                // Unblock the writer so the session ends instead of waiting for slots forever.
                slots.close();
                return Err(e);
            }
        };
        if is_unsolicited(&h) {
            continue;
        }
        if h.xid == CLOSE_XID {
            return Ok(SessionResult { histogram, last_reply });
        }
        let Some(origin) = started.lock().expect("not poisoned").pop_front() else {
            slots.close();
            return Err(ConnError::Decode(zkd::wire::DecodeError::Invalid("reply without a request")));
        };
        let now = Instant::now();
        record(&mut histogram, now - origin);
        last_reply = Some(now);
        counters.add_done(h.err == 0);
        slots.add_permits(1);
    }
}
