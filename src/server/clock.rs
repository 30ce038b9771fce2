//! Wall and monotonic time, read only at the edge and handed to the pure core as input.

use crate::pipeline::Clock;
use std::sync::OnceLock;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

static ORIGIN: OnceLock<Instant> = OnceLock::new();

/// Milliseconds on a monotonic clock with an arbitrary origin (like Java's nanoTime()/10^6).
pub fn mono_ms() -> i64 {
    let origin = *ORIGIN.get_or_init(Instant::now);
    // Offset the origin so the value looks like an uptime-scale clock and is never 0.
    origin.elapsed().as_millis() as i64 + 1_000_000
}

pub fn wall_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

pub fn now() -> Clock {
    Clock { mono_ms: mono_ms(), wall_ms: wall_ms() }
}
