//! zkd-bench: ZooKeeper-protocol load generator. `run` drives workloads, `populate` builds big trees.

use clap::{Parser, Subcommand};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use zkd_bench::churn::{self, ChurnSpec};
use zkd_bench::fanout::{self, FanoutSpec};
use zkd_bench::populate::{self, PopulateSpec};
use zkd_bench::report::{self, RunShape, Summary};
use zkd_bench::runner::{self, LoadSpec, Outcome};
use zkd_bench::stats::Counters;
use zkd_bench::workload::{Layout, Workload};
use zkd_bench::{progress, setup};

#[derive(Parser)]
#[command(name = "zkd-bench", about = "Load generator for ZooKeeper-compatible servers")]
struct Cli {
    /// Tokio worker threads of the generator.
    #[arg(long, global = true, default_value_t = 2)]
    threads: usize,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Run one or more workloads (one after the other) and report throughput and latency.
    Run(RunArgs),
    /// Create N persistent nodes under /populate/pXXXX/nYYYYYYY.
    Populate(PopulateArgs),
}

#[derive(clap::Args)]
struct RunArgs {
    #[arg(long, default_value = "127.0.0.1:2181")]
    server: String,
    /// Workloads, comma separated.
    #[arg(long, value_enum, value_delimiter = ',', required = true)]
    workload: Vec<Workload>,
    /// Sessions (one connection each); watchers for watch-fanout, concurrent cycles for session-churn.
    #[arg(long, default_value_t = 16)]
    sessions: usize,
    /// Requests in flight per session (closed loop) or at most in flight (open loop).
    #[arg(long, default_value_t = 8)]
    window: usize,
    /// Seconds per workload (always applies).
    #[arg(long, default_value_t = 10.0)]
    duration: f64,
    /// Stop after this many ops (per workload), if sooner than the duration.
    #[arg(long)]
    ops: Option<u64>,
    /// Open loop: total ops/s over all sessions, latency measured from each op's due time.
    #[arg(long)]
    rate: Option<f64>,
    /// Keys read and written by set/get/exists/multi/mix workloads.
    #[arg(long, default_value_t = 1000)]
    keys: usize,
    #[arg(long, default_value_t = 100)]
    value_size: usize,
    /// Parent of every znode the workloads use.
    #[arg(long, default_value = "/zkd-bench")]
    root: String,
    /// Also write the summaries as JSON to this file.
    #[arg(long)]
    json: Option<std::path::PathBuf>,
}

#[derive(clap::Args)]
struct PopulateArgs {
    #[arg(long, default_value = "127.0.0.1:2181")]
    server: String,
    #[arg(long)]
    nodes: u64,
    #[arg(long, default_value_t = 100)]
    value_size: usize,
    /// Nodes per parent.
    #[arg(long, default_value_t = 1000)]
    fanout: u64,
    #[arg(long, default_value_t = 8)]
    sessions: usize,
    #[arg(long, default_value_t = 256)]
    window: usize,
    /// Give up after this many seconds.
    #[arg(long, default_value_t = 3600)]
    timeout: u64,
    #[arg(long)]
    json: Option<std::path::PathBuf>,
}

fn run_id() -> String {
    let ms = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or(0);
    format!("{ms:x}-{}", std::process::id())
}

async fn one_workload(a: &RunArgs, w: Workload, layout: &Layout) -> Result<Summary, String> {
    setup::prepare(&a.server, w, layout, a.keys, a.value_size).await?;
    let counters = Arc::new(Counters::default());
    let ticker = progress::spawn(w.name().to_string(), counters.clone());
    let duration = Duration::from_secs_f64(a.duration.max(0.0));
    let outcome: Result<Outcome, String> = match w {
        Workload::WatchFanout => {
            let spec = FanoutSpec { server: a.server.clone(), watchers: a.sessions, duration, ops: a.ops, value_size: a.value_size };
            fanout::run(&spec, layout, counters).await
        }
        Workload::SessionChurn => {
            let spec = ChurnSpec { server: a.server.clone(), concurrency: a.sessions, duration, ops: a.ops, value_size: a.value_size };
            churn::run(&spec, layout, counters).await
        }
        _ => {
            let spec = LoadSpec {
                server: a.server.clone(),
                workload: w,
                sessions: a.sessions,
                window: a.window,
                duration,
                ops: a.ops,
                rate: a.rate,
                keys: a.keys,
                value_size: a.value_size,
            };
            runner::run(Arc::new(spec), layout.clone(), counters).await
        }
    };
    ticker.abort();
    let o = outcome?;
    if o.failed_sessions > 0 {
        eprintln!("{}: {} session(s) failed: {}", w.name(), o.failed_sessions, o.first_failure.as_deref().unwrap_or("?"));
    }
    let window = if matches!(w, Workload::WatchFanout | Workload::SessionChurn) { 1 } else { a.window };
    let shape = RunShape { workload: w.name().into(), server: a.server.clone(), target_rate: a.rate, sessions: a.sessions, window };
    let mut s = report::summarize(&shape, o.elapsed, o.errors, &o.histogram);
    // A failed session is an error of the run too, even if it lost no reply.
    s.errors += o.failed_sessions as u64;
    Ok(s)
}

async fn cmd_run(a: RunArgs) -> Result<(), String> {
    let layout = Layout { root: a.root.clone(), run: run_id() };
    let mut rows = Vec::new();
    for &w in &a.workload {
        rows.push(one_workload(&a, w, &layout).await?);
    }
    print!("{}", report::table(&rows));
    if let Some(path) = &a.json {
        std::fs::write(path, report::to_json(&rows)).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}

async fn cmd_populate(a: PopulateArgs) -> Result<(), String> {
    let spec = PopulateSpec {
        server: a.server.clone(),
        nodes: a.nodes,
        value_size: a.value_size,
        fanout: a.fanout,
        sessions: a.sessions,
        window: a.window,
        timeout: Duration::from_secs(a.timeout),
    };
    let counters = Arc::new(Counters::default());
    let ticker = progress::spawn("populate".into(), counters.clone());
    let r = populate::run(&spec, counters).await;
    ticker.abort();
    let r = r?;
    println!(
        "populate: {} nodes requested under {} parents: {} created, {} existed, {} failed{} in {:.1} s ({:.0} creates/s)",
        r.nodes_requested,
        r.parents,
        r.tally.created,
        r.tally.existed,
        r.tally.failed,
        r.first_error.map(|e| format!(" (first error {e})")).unwrap_or_default(),
        r.seconds,
        r.creates_per_sec
    );
    if let Some(path) = &a.json {
        let text = serde_json::to_string_pretty(&r).expect("report serializes");
        std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    if r.tally.failed > 0 {
        return Err(format!("{} creates failed", r.tally.failed));
    }
    Ok(())
}

fn main() {
    let cli = Cli::parse();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(cli.threads.max(1)).enable_all().build().expect("tokio runtime");
    let result = rt.block_on(async move {
        match cli.cmd {
            Cmd::Run(a) => cmd_run(a).await,
            Cmd::Populate(a) => cmd_populate(a).await,
        }
    });
    if let Err(e) = result {
        eprintln!("zkd-bench: {e}");
        std::process::exit(1);
    }
}
