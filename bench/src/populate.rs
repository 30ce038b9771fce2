//! `zkd-bench populate`: N persistent nodes under /populate/pXXXX/nYYYYYYY (`fanout` nodes per
//! parent), created as fast as pipelining allows, for restart and memory measurements.

use crate::conn;
use crate::setup::{create_all, Tally};
use crate::stats::Counters;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub const ROOT: &str = "/populate";

#[derive(Debug, Clone)]
pub struct PopulateSpec {
    pub server: String,
    pub nodes: u64,
    pub value_size: usize,
    pub fanout: u64,
    pub sessions: usize,
    pub window: usize,
    /// Upper bound on the whole run.
    pub timeout: Duration,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct PopulateReport {
    pub nodes_requested: u64,
    pub parents: u64,
    #[serde(flatten)]
    pub tally: Tally,
    pub first_error: Option<i32>,
    pub seconds: f64,
    pub creates_per_sec: f64,
}

pub fn parent_count(nodes: u64, fanout: u64) -> u64 {
    nodes.div_ceil(fanout.max(1))
}

pub fn parent_path(p: u64) -> String {
    format!("{ROOT}/p{p:04}")
}

pub fn node_path(i: u64, fanout: u64) -> String {
    format!("{ROOT}/p{:04}/n{i:07}", i / fanout.max(1))
}

/// Contiguous index ranges, one per session, covering `0..nodes`.
pub fn split(nodes: u64, sessions: usize) -> Vec<std::ops::Range<u64>> {
    let n = sessions.max(1) as u64;
    (0..n).map(|k| (nodes * k / n)..(nodes * (k + 1) / n)).filter(|r| !r.is_empty()).collect()
}

pub async fn run(spec: &PopulateSpec, progress: Arc<Counters>) -> Result<PopulateReport, String> {
    let start = Instant::now();
    let value = vec![b'p'; spec.value_size];
    let parents = parent_count(spec.nodes, spec.fanout);
    let work = async {
        let mut s = conn::connect(&spec.server).await.map_err(|e| format!("connect: {e}"))?;
        let dirs = std::iter::once(ROOT.to_string()).chain((0..parents).map(parent_path));
        let (dirs_tally, dir_err) = create_all(&mut s, dirs, &value, spec.window, None).await.map_err(|e| format!("parents: {e}"))?;
        let _ = s.close().await;
        if dirs_tally.failed > 0 {
            return Err(format!("{} parents could not be created (error {})", dirs_tally.failed, dir_err.unwrap_or(0)));
        }
        let mut tasks = tokio::task::JoinSet::new();
        for range in split(spec.nodes, spec.sessions) {
            let (server, fanout, window, value, progress) = (spec.server.clone(), spec.fanout, spec.window, value.clone(), progress.clone());
            tasks.spawn(async move {
                let mut s = conn::connect(&server).await?;
                let r = create_all(&mut s, range.map(|i| node_path(i, fanout)), &value, window, Some(&progress)).await?;
                let _ = s.close().await;
                Ok::<_, conn::ConnError>(r)
            });
        }
        let (mut tally, mut first_error) = (Tally::default(), None);
        while let Some(r) = tasks.join_next().await {
            let (t, e) = r.map_err(|e| e.to_string())?.map_err(|e| format!("populate session: {e}"))?;
            tally.add(t);
            first_error = first_error.or(e);
        }
        Ok((tally, first_error))
    };
    let (tally, first_error) = tokio::time::timeout(spec.timeout, work).await.map_err(|_| format!("populate did not finish within {:?}", spec.timeout))??;
    let seconds = start.elapsed().as_secs_f64();
    Ok(PopulateReport { nodes_requested: spec.nodes, parents, tally, first_error, seconds, creates_per_sec: tally.created as f64 / seconds })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_paths_fill_parents_of_fanout_nodes() {
        assert_eq!(node_path(0, 1000), "/populate/p0000/n0000000");
        assert_eq!(node_path(999, 1000), "/populate/p0000/n0000999");
        assert_eq!(node_path(1000, 1000), "/populate/p0001/n0001000");
        assert_eq!(node_path(999_999, 1000), "/populate/p0999/n0999999");
        assert_eq!(parent_count(1_000_000, 1000), 1000);
        assert_eq!(parent_count(1001, 1000), 2);
        assert_eq!(parent_path(7), "/populate/p0007");
    }

    #[test]
    fn split_covers_every_index_once() {
        let parts = split(10, 3);
        assert_eq!(parts, [0..3, 3..6, 6..10]);
        assert_eq!(split(2, 8).iter().map(|r| r.end - r.start).sum::<u64>(), 2);
    }
}
