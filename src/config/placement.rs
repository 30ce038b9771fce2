//! zkd-specific executor placement: which CPU each glommio executor is pinned to.
//!
//! zoo.cfg keys (zkd only; ZooKeeper would turn them into unused `zookeeper.zkd.*` properties):
//! - `zkd.cores.client`   CPUs for the client I/O executors, one executor per entry: `0`, `0,1`,
//!   `0-3`; `none` = one unpinned executor.
//! - `zkd.cores.pipeline` CPU of the pipeline (core state machine) executor, or `none`. When it
//!   equals the single `zkd.cores.client` entry, client I/O runs inside the pipeline executor.
//! - `zkd.cores.log`      equal to `zkd.cores.pipeline`: the log runs inside the pipeline executor.
//! - `zkd.cores.log`      CPU of the transaction log executor, or `none`.

/// CPU per executor; `None` leaves an executor unpinned (matches `server::CorePlacement`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecutorPlacement {
    pub client: Vec<Option<usize>>,
    pub pipeline: Option<usize>,
    pub log: Option<usize>,
}

impl ExecutorPlacement {
    /// Default for a machine with `cpus` CPUs: 1 CPU ⇒ nothing pinned, one executor; 2 ⇒ one
    /// executor on CPU 0 running client I/O, pipeline and log as tasks, CPU 1 left to the kernel's
    /// network and io-wq work and the snapshot thread (measured in PERF.md: on 2 cores every
    /// cross-executor hand-off cost more than the work it spread); 3 ⇒ client 0, pipeline 1, log 2; n ≥ 4 ⇒ clients on 0..n-2,
    /// pipeline on n-2, log on n-1.
    pub fn default_for(cpus: usize) -> ExecutorPlacement {
        match cpus {
            0 | 1 => ExecutorPlacement { client: vec![None], pipeline: None, log: None },
            2 => ExecutorPlacement { client: vec![Some(0)], pipeline: Some(0), log: Some(0) },
            3 => ExecutorPlacement { client: vec![Some(0)], pipeline: Some(1), log: Some(2) },
            n => ExecutorPlacement { client: (0..n - 2).map(Some).collect(), pipeline: Some(n - 2), log: Some(n - 1) },
        }
    }
}

fn cpu(text: &str, cpus: usize) -> Result<usize, String> {
    let n: usize = text.trim().parse().map_err(|_| format!("invalid CPU number \"{}\"", text.trim()))?;
    if cpus > 0 && n >= cpus {
        return Err(format!("CPU {n} does not exist (this machine has {cpus})"));
    }
    Ok(n)
}

/// `zkd.cores.client`: comma-separated CPUs or ranges `a-b`, or `none`.
pub fn parse_core_list(text: &str, cpus: usize) -> Result<Vec<Option<usize>>, String> {
    if text.trim().eq_ignore_ascii_case("none") {
        return Ok(vec![None]);
    }
    let mut out = Vec::new();
    for item in text.split(',') {
        match item.split_once('-') {
            Some((a, b)) => {
                let (a, b) = (cpu(a, cpus)?, cpu(b, cpus)?);
                if a > b {
                    return Err(format!("empty CPU range \"{}\"", item.trim()));
                }
                out.extend((a..=b).map(Some));
            }
            None => out.push(Some(cpu(item, cpus)?)),
        }
    }
    if out.is_empty() {
        return Err("no CPU given".to_string());
    }
    Ok(out)
}

/// `zkd.cores.pipeline` / `zkd.cores.log`: one CPU or `none`.
pub fn parse_one_core(text: &str, cpus: usize) -> Result<Option<usize>, String> {
    if text.trim().eq_ignore_ascii_case("none") {
        return Ok(None);
    }
    cpu(text, cpus).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_by_cpu_count() {
        assert_eq!(ExecutorPlacement::default_for(1), ExecutorPlacement { client: vec![None], pipeline: None, log: None });
        assert_eq!(ExecutorPlacement::default_for(2), ExecutorPlacement { client: vec![Some(0)], pipeline: Some(0), log: Some(0) });
        assert_eq!(ExecutorPlacement::default_for(3), ExecutorPlacement { client: vec![Some(0)], pipeline: Some(1), log: Some(2) });
        assert_eq!(
            ExecutorPlacement::default_for(6),
            ExecutorPlacement { client: vec![Some(0), Some(1), Some(2), Some(3)], pipeline: Some(4), log: Some(5) }
        );
    }

    #[test]
    fn lists() {
        assert_eq!(parse_core_list("0", 2), Ok(vec![Some(0)]));
        assert_eq!(parse_core_list("0, 1", 2), Ok(vec![Some(0), Some(1)]));
        assert_eq!(parse_core_list("0-2,5", 8), Ok(vec![Some(0), Some(1), Some(2), Some(5)]));
        assert_eq!(parse_core_list("none", 2), Ok(vec![None]));
        assert!(parse_core_list("2", 2).unwrap_err().contains("does not exist"));
        assert!(parse_core_list("x", 2).is_err());
        assert!(parse_core_list("3-1", 8).is_err());
        assert_eq!(parse_one_core("1", 2), Ok(Some(1)));
        assert_eq!(parse_one_core("NONE", 2), Ok(None));
        assert!(parse_one_core("0,1", 2).is_err());
    }
}
