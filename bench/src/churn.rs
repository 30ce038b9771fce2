//! Session churn: each op connects a new session, creates an ephemeral node and closes the
//! session; the op's latency is the whole cycle.

use crate::conn::{self, ConnError};
use crate::requests;
use crate::runner::{Outcome, DRAIN_GRACE};
use crate::stats::{new_histogram, record, Counters};
use crate::workload::Layout;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub struct ChurnSpec {
    pub server: String,
    /// Cycles running concurrently.
    pub concurrency: usize,
    pub duration: Duration,
    pub ops: Option<u64>,
    pub value_size: usize,
}

async fn one_cycle(server: &str, path: String, value: &[u8]) -> Result<bool, ConnError> {
    let mut s = conn::connect(server).await?;
    let h = s.call(&requests::create(path, value, requests::EPHEMERAL)).await?;
    s.close().await?;
    Ok(h.err == 0)
}

pub async fn run(spec: &ChurnSpec, layout: &Layout, counters: Arc<Counters>) -> Result<Outcome, String> {
    let start = Instant::now();
    let deadline = start + spec.duration;
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..spec.concurrency {
        let (server, layout, counters, ops) = (spec.server.clone(), layout.clone(), counters.clone(), spec.ops);
        let value = vec![b'c'; spec.value_size];
        tasks.spawn(async move {
            let mut h = new_histogram();
            let mut seq = 0;
            while Instant::now() < deadline && counters.claim(ops) {
                let t0 = Instant::now();
                let ok = one_cycle(&server, layout.churned(i, seq), &value).await?;
                record(&mut h, t0.elapsed());
                counters.add_done(ok);
                seq += 1;
            }
            Ok::<_, ConnError>(h)
        });
    }
    let mut histogram = new_histogram();
    let (mut failed_sessions, mut failure) = (0, None);
    let joined = tokio::time::timeout_at((deadline + DRAIN_GRACE).into(), async {
        while let Some(r) = tasks.join_next().await {
            match r.map_err(|e| e.to_string()) {
                Ok(Ok(h)) => histogram.add(&h).map_err(|e| e.to_string())?,
                Ok(Err(e)) => {
                    failed_sessions += 1;
                    failure.get_or_insert(e.to_string());
                }
                Err(e) => return Err(e),
            }
        }
        Ok(())
    })
    .await;
    match joined {
        Ok(r) => r?,
        Err(_) => failure = Some("session churn did not finish in time".into()),
    }
    Ok(Outcome { histogram, elapsed: start.elapsed(), errors: counters.errors(), failed_sessions, first_failure: failure })
}
