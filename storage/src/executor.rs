//! The log executor's loop: group commit. A drain task moves whatever the pipeline sends into a local
//! queue at any time; the writer loop takes everything queued, writes it with one fdatasync, reports the
//! durable zxid, and repeats. So whatever arrives while a sync is in flight forms the next batch.

use crate::plan::LogOptions;
use crate::writer::LogWriter;
use glommio::channels::shared_channel::{SharedReceiver, SharedSender};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Arc;

/// Log executor → pipeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogNotice {
    /// Every txn with zxid <= `zxid` is durable.
    Durable { zxid: i64 },
    /// The log failed (EIO, ENOSPC, ...): nothing after the last `Durable` will ever be acknowledged.
    /// Sent once; later batches are dropped unwritten.
    Failed { error: String },
}

/// Number of histogram buckets: bucket i counts batches of [2^i, 2^(i+1)) records.
pub const BATCH_BUCKETS: usize = 20;

/// Counters shared with whoever reports them (mntr, PERF.md). Lock-free, updated once per batch.
#[derive(Debug, Default)]
pub struct LogStats {
    batches: AtomicU64,
    records: AtomicU64,
    bytes: AtomicU64,
    syncs: AtomicU64,
    sync_ns: AtomicU64,
    max_sync_ns: AtomicU64,
    failures: AtomicU64,
    batch_hist: [AtomicU64; BATCH_BUCKETS],
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogStatsSnapshot {
    pub batches: u64,
    pub records: u64,
    pub bytes: u64,
    pub syncs: u64,
    pub sync_ns_total: u64,
    pub sync_ns_max: u64,
    pub failures: u64,
    /// `batch_hist[i]`: batches of [2^i, 2^(i+1)) records (the last bucket has no upper bound).
    pub batch_hist: [u64; BATCH_BUCKETS],
}

impl LogStats {
    pub fn new() -> Arc<LogStats> {
        Arc::new(LogStats::default())
    }

    pub fn record_batch(&self, records: u64, bytes: u64, syncs: u64, sync_ns: u64) {
        self.batches.fetch_add(1, Relaxed);
        self.records.fetch_add(records, Relaxed);
        self.bytes.fetch_add(bytes, Relaxed);
        self.syncs.fetch_add(syncs, Relaxed);
        self.sync_ns.fetch_add(sync_ns, Relaxed);
        self.max_sync_ns.fetch_max(sync_ns, Relaxed);
        let b = (63 - records.max(1).leading_zeros() as usize).min(BATCH_BUCKETS - 1);
        self.batch_hist[b].fetch_add(1, Relaxed);
    }

    pub fn record_failure(&self) {
        self.failures.fetch_add(1, Relaxed);
    }

    pub fn snapshot(&self) -> LogStatsSnapshot {
        let mut h = [0u64; BATCH_BUCKETS];
        for (o, a) in h.iter_mut().zip(&self.batch_hist) {
            *o = a.load(Relaxed);
        }
        LogStatsSnapshot {
            batches: self.batches.load(Relaxed),
            records: self.records.load(Relaxed),
            bytes: self.bytes.load(Relaxed),
            syncs: self.syncs.load(Relaxed),
            sync_ns_total: self.sync_ns.load(Relaxed),
            sync_ns_max: self.max_sync_ns.load(Relaxed),
            failures: self.failures.load(Relaxed),
            batch_hist: h,
        }
    }
}

impl LogStatsSnapshot {
    /// Human-readable histogram lines, e.g. "   8-15 records: 1234 batches".
    pub fn histogram_lines(&self) -> Vec<String> {
        self.batch_hist
            .iter()
            .enumerate()
            .filter(|(_, &n)| n > 0)
            .map(|(i, n)| {
                let lo = 1u64 << i;
                if i + 1 == BATCH_BUCKETS {
                    format!("{lo:>7}+     records: {n} batches")
                } else {
                    format!("{lo:>7}-{:<6}records: {n} batches", (lo << 1) - 1)
                }
            })
            .collect()
    }
}

struct Inbox<T> {
    queue: VecDeque<Vec<(i64, T)>>,
    closed: bool,
}

/// Runs the log executor until `inbox` closes (all senders dropped) or `notices` is closed.
/// `dir` is `<dataLogDir>/version-2`; `last_zxid` comes from `recover`. Each inbox message is one or
/// more txns `(zxid, txn)` in zxid order; `encode` appends a txn's payload bytes to the buffer (so
/// serialization happens on the log executor, not the pipeline's). An open or write failure is sent
/// once as `LogNotice::Failed`; nothing is acknowledged after it.
pub async fn run_log_executor<T: Send + 'static>(
    dir: PathBuf,
    opts: LogOptions,
    last_zxid: Option<i64>,
    stats: Arc<LogStats>,
    inbox: SharedReceiver<Vec<(i64, T)>>,
    encode: impl Fn(&T, &mut Vec<u8>),
    notices: SharedSender<LogNotice>,
) {
    let rx = inbox.connect().await;
    let tx = notices.connect().await;
    let mut writer = match LogWriter::open(&dir, opts, last_zxid, stats).await {
        Ok(w) => Some(w),
        Err(e) => {
            tracing::error!("cannot open the transaction log: {e}");
            if tx
                .send(LogNotice::Failed {
                    error: e.to_string(),
                })
                .await
                .is_err()
            {
                return;
            }
            None
        }
    };
    let state = Rc::new(RefCell::new(Inbox {
        queue: VecDeque::new(),
        closed: false,
    }));
    let wake = Rc::new(glommio::sync::Semaphore::new(0));
    let drain = {
        let state = state.clone();
        let wake = wake.clone();
        glommio::spawn_local(async move {
            while let Some(v) = rx.recv().await {
                state.borrow_mut().queue.push_back(v);
                wake.signal(1);
            }
            state.borrow_mut().closed = true;
            wake.signal(1);
        })
    };
    let mut batch: Vec<Vec<(i64, T)>> = Vec::new();
    let mut bytes: Vec<u8> = Vec::new();
    let mut spans: Vec<(i64, std::ops::Range<usize>)> = Vec::new();
    loop {
        if wake.acquire(1).await.is_err() {
            break;
        }
        {
            let mut s = state.borrow_mut();
            batch.extend(s.queue.drain(..));
            if batch.is_empty() {
                if s.closed {
                    break;
                }
                continue;
            }
        }
        let Some(w) = writer.as_mut() else {
            batch.clear(); // failed: never acknowledge; the pipeline was told.
            continue;
        };
        bytes.clear();
        spans.clear();
        for (z, t) in batch.drain(..).flatten() {
            let at = bytes.len();
            encode(&t, &mut bytes);
            spans.push((z, at..bytes.len()));
        }
        let refs: Vec<(i64, &[u8])> = spans.iter().map(|(z, r)| (*z, &bytes[r.clone()])).collect();
        let notice = match w.append_batch(&refs).await {
            Ok(Some(zxid)) => Some(LogNotice::Durable { zxid }),
            Ok(None) => None,
            Err(e) => {
                writer = None;
                Some(LogNotice::Failed {
                    error: e.to_string(),
                })
            }
        };
        drop(refs);
        if let Some(n) = notice {
            if tx.send(n).await.is_err() {
                break;
            }
        }
    }
    if let Some(w) = writer {
        w.close().await;
    }
    drop(drain);
}
