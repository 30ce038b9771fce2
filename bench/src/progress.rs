//! A progress line per second on stderr while a run goes on.

use crate::stats::Counters;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Prints `[  3s] set: 12345 ops/s (total 37000, errors 0)` every second until aborted.
pub fn spawn(label: String, counters: Arc<Counters>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let start = Instant::now();
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + Duration::from_secs(1), Duration::from_secs(1));
        let mut last = 0;
        loop {
            tick.tick().await;
            let done = counters.done();
            eprintln!(
                "[{:>4}s] {label}: {} ops/s (total {done}, errors {})",
                start.elapsed().as_secs(),
                done - last,
                counters.errors()
            );
            last = done;
        }
    })
}
