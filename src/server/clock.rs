//! Wall and monotonic time, read only at the edge and handed to the pure core as input.

use crate::pipeline::Clock;
use std::time::{SystemTime, UNIX_EPOCH};

/// Milliseconds on CLOCK_MONOTONIC (since boot), like Java's nanoTime()/10^6. It must not restart
/// at 0 with the process: session ids are seeded from it, and a restarted server must not hand
/// out the ids of its previous run.
pub fn mono_ms() -> i64 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime fills the timespec we pass; CLOCK_MONOTONIC always exists on Linux.
    unsafe {
        libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts);
    }
    ts.tv_sec as i64 * 1000 + ts.tv_nsec as i64 / 1_000_000
}

pub fn wall_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

pub fn now() -> Clock {
    Clock { mono_ms: mono_ms(), wall_ms: wall_ms() }
}
