//! Counters shared by a run's tasks (for the progress line and the bounds) and latency histograms.

use hdrhistogram::Histogram;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

/// Latencies in microseconds, 1 µs .. 100 s, 3 significant digits.
pub fn new_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 100_000_000, 3).expect("valid histogram bounds")
}

pub fn record(h: &mut Histogram<u64>, d: Duration) {
    h.saturating_record((d.as_micros() as u64).max(1));
}

/// What every task of a run updates: ops issued (for `--ops`), done, errors, and the stop flag.
#[derive(Debug, Default)]
pub struct Counters {
    issued: AtomicU64,
    pub done: AtomicU64,
    pub errors: AtomicU64,
    stop: AtomicBool,
}

impl Counters {
    /// Claims the right to issue one more op; false once `limit` ops were claimed or stop is set.
    pub fn claim(&self, limit: Option<u64>) -> bool {
        if self.stopped() {
            return false;
        }
        let n = self.issued.fetch_add(1, Ordering::Relaxed);
        if limit.is_some_and(|l| n >= l) {
            self.stop();
            return false;
        }
        true
    }
    pub fn stop(&self) {
        self.stop.store(true, Ordering::Relaxed);
    }
    pub fn stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }
    pub fn done(&self) -> u64 {
        self.done.load(Ordering::Relaxed)
    }
    pub fn errors(&self) -> u64 {
        self.errors.load(Ordering::Relaxed)
    }
    pub fn add_done(&self, ok: bool) {
        self.done.fetch_add(1, Ordering::Relaxed);
        if !ok {
            self.errors.fetch_add(1, Ordering::Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claim_stops_at_the_op_limit() {
        let c = Counters::default();
        assert_eq!((0..10).filter(|_| c.claim(Some(4))).count(), 4);
        assert!(c.stopped());
        let unbounded = Counters::default();
        assert_eq!((0..10).filter(|_| unbounded.claim(None)).count(), 10);
    }
}
