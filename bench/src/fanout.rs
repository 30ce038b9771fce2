//! Watch fan-out: N sessions hold a data watch on one node, one writer sets it; an op is one such
//! round and its latency is the time from sending the write to the last watcher's notification.

use crate::conn::{self, ConnError, Session, CALL_TIMEOUT};
use crate::requests;
use crate::runner::Outcome;
use crate::stats::{new_histogram, record, Counters};
use crate::workload::Layout;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tokio::time::timeout;
use zkd::wire::xid;

pub struct FanoutSpec {
    pub server: String,
    pub watchers: usize,
    pub duration: Duration,
    pub ops: Option<u64>,
    pub value_size: usize,
}

enum Report {
    Armed,
    Notified(Instant),
}

/// One watcher: per round, set a data watch (getData with watch) and report when it fires.
async fn watcher(mut s: Session, path: String, mut rounds: mpsc::Receiver<()>, to_coord: mpsc::Sender<Report>) -> Result<(), ConnError> {
    while rounds.recv().await.is_some() {
        let h = s.call(&requests::get_data(path.clone(), true)).await?;
        if h.err != 0 {
            return Err(ConnError::Decode(zkd::wire::DecodeError::Invalid("getData on the fan-out node failed")));
        }
        let _ = to_coord.send(Report::Armed).await;
        let fired = timeout(CALL_TIMEOUT, async {
            loop {
                if s.reader.next_header().await?.xid == xid::NOTIFICATION {
                    return Ok::<_, ConnError>(Instant::now());
                }
            }
        })
        .await
        .map_err(|_| ConnError::Timeout("notification"))??;
        let _ = to_coord.send(Report::Notified(fired)).await;
    }
    s.close().await
}

pub async fn run(spec: &FanoutSpec, layout: &Layout, counters: Arc<Counters>) -> Result<Outcome, String> {
    let path = layout.fanout_node();
    let value = vec![b'w'; spec.value_size];
    let mut writer = conn::connect(&spec.server).await.map_err(|e| format!("writer connect: {e}"))?;
    let (to_coord, mut reports) = mpsc::channel(spec.watchers.max(1) * 2);
    let mut round_senders = Vec::new();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..spec.watchers {
        let s = conn::connect(&spec.server).await.map_err(|e| format!("watcher connect: {e}"))?;
        let (tx, rx) = mpsc::channel(1);
        round_senders.push(tx);
        tasks.spawn(watcher(s, path.clone(), rx, to_coord.clone()));
    }
    drop(to_coord);
    let mut histogram = new_histogram();
    let start = Instant::now();
    let deadline = start + spec.duration;
    let mut failure = None;
    'rounds: while Instant::now() < deadline && counters.claim(spec.ops) {
        for tx in &round_senders {
            let _ = tx.send(()).await;
        }
        for _ in 0..spec.watchers {
            match timeout(CALL_TIMEOUT, reports.recv()).await {
                Ok(Some(Report::Armed)) => {}
                _ => {
                    failure = Some("a watcher did not arm its watch".to_string());
                    break 'rounds;
                }
            }
        }
        let sent = Instant::now();
        let h = writer.call(&requests::set_data(path.clone(), &value)).await.map_err(|e| format!("writer: {e}"))?;
        let mut last = sent;
        for _ in 0..spec.watchers {
            match timeout(CALL_TIMEOUT, reports.recv()).await {
                Ok(Some(Report::Notified(at))) => last = last.max(at),
                _ => {
                    failure = Some("a watcher was not notified".to_string());
                    break 'rounds;
                }
            }
        }
        record(&mut histogram, last - sent);
        counters.add_done(h.err == 0);
    }
    let elapsed = start.elapsed();
    drop(round_senders);
    let mut failed_sessions = 0;
    while let Some(r) = tasks.join_next().await {
        if let Err(e) = r.map_err(|e| ConnError::Io(std::io::Error::other(e.to_string()))).and_then(|r| r) {
            failed_sessions += 1;
            failure.get_or_insert(e.to_string());
        }
    }
    let _ = writer.close().await;
    Ok(Outcome { histogram, elapsed, errors: counters.errors(), failed_sessions, first_failure: failure })
}
