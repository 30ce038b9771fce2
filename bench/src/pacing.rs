//! Open-loop rate control: when each op of a session is due, and which start time its latency
//! is measured from (the due time, so a slow server cannot hide behind a full window).

use std::time::{Duration, Instant};

/// Fixed-rate schedule of one session: the total rate split evenly over `sessions`, each session
/// shifted by its share of one interval so the sessions do not fire in lockstep.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pacer {
    interval_ns: f64,
    phase_ns: f64,
}

impl Pacer {
    /// `rate` is ops/s over all sessions; `index` is this session's number in `0..sessions`.
    pub fn new(rate: f64, sessions: usize, index: usize) -> Pacer {
        assert!(rate > 0.0 && sessions > 0 && index < sessions);
        let interval_ns = 1e9 * sessions as f64 / rate;
        Pacer { interval_ns, phase_ns: interval_ns * index as f64 / sessions as f64 }
    }

    /// Offset from the run's start at which op `seq` of this session is due.
    pub fn due_offset(&self, seq: u64) -> Duration {
        Duration::from_nanos((self.phase_ns + self.interval_ns * seq as f64) as u64)
    }

    pub fn due(&self, start: Instant, seq: u64) -> Instant {
        start + self.due_offset(seq)
    }
}

/// The instant an open-loop op's latency counts from: its due time, except that time the generator
/// itself overslept (the timer woke at `woke`, after `due`) is not charged to the server.
pub fn latency_origin(due: Instant, last_timer_wake: Option<Instant>) -> Instant {
    match last_timer_wake {
        Some(w) if w > due => w,
        _ => due,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn total_rate_is_split_over_sessions() {
        // 1000 ops/s over 4 sessions: each session one op per 4 ms.
        let p = Pacer::new(1000.0, 4, 0);
        assert_eq!(p.due_offset(0), Duration::ZERO);
        assert_eq!(p.due_offset(1), Duration::from_millis(4));
        assert_eq!(p.due_offset(250), Duration::from_secs(1));
    }

    #[test]
    fn sessions_are_phase_shifted_within_one_interval() {
        let offsets: Vec<Duration> = (0..4).map(|i| Pacer::new(1000.0, 4, i).due_offset(0)).collect();
        assert_eq!(offsets, [0, 1, 2, 3].map(Duration::from_millis));
        // Over one second all sessions together are due exactly `rate` times.
        let due_in_first_second: usize =
            (0..4).map(|i| (0..1000).filter(|&s| Pacer::new(1000.0, 4, i).due_offset(s) < Duration::from_secs(1)).count()).sum();
        assert_eq!(due_in_first_second, 1000);
    }

    #[test]
    fn oversleeping_is_not_charged_but_lateness_is() {
        let t0 = Instant::now();
        let due = t0 + Duration::from_millis(10);
        assert_eq!(latency_origin(due, None), due);
        // The timer woke 1 ms late: count from the wake-up.
        assert_eq!(latency_origin(due, Some(due + Duration::from_millis(1))), due + Duration::from_millis(1));
        // We woke long before it was due and then waited for the server's window: count from due.
        assert_eq!(latency_origin(due, Some(t0)), due);
    }
}
