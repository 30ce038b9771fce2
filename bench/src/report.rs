//! The end-of-run summary: one row per workload, as a human table and as JSON.

use hdrhistogram::Histogram;
use serde::Serialize;
use std::time::Duration;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Summary {
    pub workload: String,
    pub server: String,
    /// "closed" (each session keeps `window` requests in flight) or "open" (fixed rate).
    pub mode: String,
    pub target_rate: Option<f64>,
    pub sessions: usize,
    pub window: usize,
    pub seconds: f64,
    pub ops: u64,
    pub errors: u64,
    pub ops_per_sec: f64,
    pub p50_us: u64,
    pub p99_us: u64,
    pub p999_us: u64,
    pub max_us: u64,
    pub mean_us: f64,
}

/// The parts of a summary that describe how the load was offered.
#[derive(Debug, Clone)]
pub struct RunShape {
    pub workload: String,
    pub server: String,
    pub target_rate: Option<f64>,
    pub sessions: usize,
    pub window: usize,
}

pub fn summarize(shape: &RunShape, elapsed: Duration, errors: u64, h: &Histogram<u64>) -> Summary {
    let secs = elapsed.as_secs_f64().max(1e-9);
    let ops = h.len();
    Summary {
        workload: shape.workload.clone(),
        server: shape.server.clone(),
        mode: if shape.target_rate.is_some() { "open" } else { "closed" }.into(),
        target_rate: shape.target_rate,
        sessions: shape.sessions,
        window: shape.window,
        seconds: secs,
        ops,
        errors,
        ops_per_sec: ops as f64 / secs,
        p50_us: h.value_at_quantile(0.50),
        p99_us: h.value_at_quantile(0.99),
        p999_us: h.value_at_quantile(0.999),
        max_us: h.max(),
        mean_us: if ops == 0 { 0.0 } else { h.mean() },
    }
}

/// A fixed-width table, one row per summary.
pub fn table(rows: &[Summary]) -> String {
    let mut out = format!(
        "{:<28} {:>6} {:>9} {:>9} {:>11} {:>9} {:>9} {:>9} {:>9} {:>7}\n",
        "workload", "mode", "sessions", "ops", "ops/s", "p50 µs", "p99 µs", "p99.9 µs", "max µs", "errors"
    );
    for r in rows {
        out.push_str(&format!(
            "{:<28} {:>6} {:>9} {:>9} {:>11.0} {:>9} {:>9} {:>9} {:>9} {:>7}\n",
            r.workload,
            r.mode,
            format!("{}x{}", r.sessions, r.window),
            r.ops,
            r.ops_per_sec,
            r.p50_us,
            r.p99_us,
            r.p999_us,
            r.max_us,
            r.errors
        ));
    }
    out
}

/// The JSON document `--json FILE` writes.
pub fn to_json(rows: &[Summary]) -> String {
    serde_json::to_string_pretty(&serde_json::json!({ "runs": rows })).expect("summaries serialize")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::{new_histogram, record};

    fn sample() -> Summary {
        let mut h = new_histogram();
        for us in 1..=1000u64 {
            record(&mut h, Duration::from_micros(us));
        }
        let shape = RunShape { workload: "get".into(), server: "127.0.0.1:2181".into(), target_rate: None, sessions: 4, window: 8 };
        summarize(&shape, Duration::from_secs(2), 3, &h)
    }

    #[test]
    fn summary_has_throughput_and_quantiles() {
        let s = sample();
        assert_eq!((s.ops, s.errors, s.mode.as_str()), (1000, 3, "closed"));
        assert_eq!(s.ops_per_sec, 500.0);
        assert_eq!((s.p50_us, s.p99_us, s.max_us), (500, 990, 1000));
        assert!((999..=1000).contains(&s.p999_us));
    }

    #[test]
    fn table_and_json_carry_every_field() {
        let s = sample();
        let t = table(std::slice::from_ref(&s));
        let row = t.lines().nth(1).unwrap();
        let cells: Vec<&str> = row.split_whitespace().collect();
        assert_eq!(cells[..5], ["get", "closed", "4x8", "1000", "500"]);
        assert_eq!(cells[9], "3");
        let v: serde_json::Value = serde_json::from_str(&to_json(&[s])).unwrap();
        assert_eq!(v["runs"][0]["p99_us"], 990);
        assert_eq!(v["runs"][0]["workload"], "get");
        assert_eq!(v["runs"][0]["target_rate"], serde_json::Value::Null);
    }
}
