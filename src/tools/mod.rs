//! Operator commands beside the server: `zkd purge` (ZooKeeper's PurgeTxnLog / zkCleanup.sh) and
//! `zkd dump log|snapshot PATH` (TxnLogToolkit / SnapshotFormatter), and `zkd check-history FILE`
//! (checks a recorded client history, see src/history/README.md).

mod check_history;
mod dump_log;
mod purge;

use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// zkd's operator tools.
#[derive(Debug, Parser)]
#[command(name = "zkd", about = "zkd operator tools")]
pub struct ToolCli {
    #[command(subcommand)]
    pub command: Tool,
}

#[derive(Debug, Subcommand)]
pub enum Tool {
    /// Deletes old snapshots and the log segments only they need, keeping the newest COUNT snapshots.
    Purge {
        /// zoo.cfg to take dataDir and dataLogDir from
        #[arg(long, value_name = "CONFIG")]
        config: Option<PathBuf>,
        /// dataDir (snapshots); overrides the file
        #[arg(long, value_name = "DIR")]
        data_dir: Option<PathBuf>,
        /// dataLogDir (transaction log); defaults to dataDir
        #[arg(long, value_name = "DIR")]
        data_log_dir: Option<PathBuf>,
        /// Snapshots to keep (at least 3, as ZooKeeper requires)
        #[arg(short = 'n', long, default_value_t = 3)]
        count: usize,
    },
    /// Prints a log segment (or every segment of a log directory) or a snapshot file.
    Dump {
        #[command(subcommand)]
        what: DumpWhat,
    },
    /// Checks a JSONL client history for linearizability, session FIFO and monotonic zxids.
    /// Exit status: 0 holds, 1 violation, 2 unknown (budget exceeded) or bad input.
    CheckHistory {
        /// The history (JSON Lines, see src/history/README.md)
        file: PathBuf,
        /// What reads must satisfy: linearizable (standalone server) or sequential (ZooKeeper's
        /// guarantee for reads served by any replica)
        #[arg(long, value_enum, default_value_t = ReadsArg::Linearizable)]
        reads: ReadsArg,
        /// Do not require a session's ops to take effect in issue order
        #[arg(long)]
        no_fifo: bool,
        /// Search the whole history at once instead of per independent partition
        #[arg(long)]
        no_partition: bool,
        /// Search steps before giving up with "unknown"
        #[arg(long, default_value_t = 5_000_000)]
        budget: u64,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ReadsArg {
    Linearizable,
    Sequential,
}

#[derive(Debug, Subcommand)]
pub enum DumpWhat {
    /// A `zkdlog.*` segment file, or a directory of them (e.g. dataLogDir/version-2)
    Log { path: PathBuf },
    /// A `zkdsnap.*` snapshot file
    Snapshot { path: PathBuf },
}

/// True when the command line names a tool rather than a zoo.cfg.
pub fn is_tool_invocation(args: &[String]) -> bool {
    matches!(args.get(1).map(String::as_str), Some("purge" | "dump" | "check-history"))
}

/// Runs a tool; returns the process exit code.
pub fn run(cli: ToolCli) -> i32 {
    let out = &mut std::io::stdout().lock();
    if let Tool::CheckHistory { file, reads, no_fifo, no_partition, budget } = &cli.command {
        let reads = match reads {
            ReadsArg::Linearizable => crate::history::ReadMode::Linearizable,
            ReadsArg::Sequential => crate::history::ReadMode::Sequential,
        };
        let args = check_history::Args { file, reads, fifo: !no_fifo, partition: !no_partition, budget: *budget };
        return check_history::run(&args, out);
    }
    let result = match cli.command {
        Tool::Purge { config, data_dir, data_log_dir, count } => purge::run(config, data_dir, data_log_dir, count, out),
        Tool::Dump { what: DumpWhat::Log { path } } => dump_log::run(&path, out),
        Tool::Dump { what: DumpWhat::Snapshot { path } } => zkd_storage::snapshot::MappedSnapshot::open(&path)
            .map_err(|e| e.to_string())
            .and_then(|s| zkd_storage::snapshot::dump_snapshot(&s, out).map_err(|e| e.to_string())),
        Tool::CheckHistory { .. } => unreachable!("handled above"),
    };
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("zkd: {e}");
            2
        }
    }
}
