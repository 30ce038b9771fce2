//! `zkd check-history FILE`: checks a JSONL client history (src/history/README.md) for ZooKeeper's
//! guarantees. Exit status 0: linearizable and session checks hold; 1: a violation (witness
//! printed); 2: no verdict (budget exceeded) or unreadable/malformed input (file and line named).

use crate::history::{self, jsonl, Event, Options, ReadMode, Verdict};
use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

pub struct Args<'a> {
    pub file: &'a Path,
    pub reads: ReadMode,
    pub fifo: bool,
    pub partition: bool,
    pub budget: u64,
}

/// Returns the exit code; messages about bad input go to stderr.
pub fn run(args: &Args, out: &mut impl Write) -> i32 {
    let name = args.file.display();
    let text = match std::fs::read_to_string(args.file) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("zkd: {name}: {e}");
            return 2;
        }
    };
    let h = match jsonl::parse(&text) {
        Ok(h) => h,
        Err(e) => {
            eprintln!("zkd: {name}:{}: {}", e.line, e.message);
            return 2;
        }
    };
    let opts = Options { budget: args.budget, reads: args.reads, fifo: args.fifo, partition: args.partition, ..Options::default() };
    let report = history::check_all(&h, &opts);
    let by_id: HashMap<u64, &Event> = h.events.iter().map(|e| (e.id, e)).collect();
    let describe = |id: &u64| by_id.get(id).map(|e| e.describe()).unwrap_or_else(|| format!("#{id}"));
    let ids = |v: &[u64]| v.iter().map(|i| format!("#{i}")).collect::<Vec<_>>().join(" ");
    let res: std::io::Result<()> = (|| {
        match &report.lin.verdict {
            Verdict::Linearizable => writeln!(
                out,
                "linearizable: {} events, {} partitions, {} search steps (reads: {:?}, fifo: {})",
                h.events.len(),
                report.lin.partitions,
                report.lin.steps,
                args.reads,
                args.fifo
            )?,
            Verdict::Unknown { reason } => writeln!(out, "unknown: {reason}")?,
            Verdict::NotLinearizable(w) => {
                writeln!(out, "NOT LINEARIZABLE on {}", w.paths.join(", "))?;
                writeln!(out, "conflict: {} of them already fail together (shrunk from the proof below, not a proof by itself):", w.core.len())?;
                for id in &w.core {
                    writeln!(out, "  {}", describe(id))?;
                }
                writeln!(out, "proof: {} events that are not linearizable by themselves, so neither is the history:", w.events.len())?;
                for id in &w.events {
                    let pending = if w.cut_pending.contains(id) { "   (pending at the cut: outcome taken as unknown)" } else { "" };
                    writeln!(out, "  {}{pending}", describe(id))?;
                }
                writeln!(out, "longest linearization found: {}", if w.linearized.is_empty() { "(none)".to_string() } else { ids(&w.linearized) })?;
                writeln!(out, "none of these can come next: {}", ids(&w.stuck))?;
            }
        }
        for v in &report.sessions {
            writeln!(out, "SESSION VIOLATION ({:?}): {}", v.kind, v.message)?;
            writeln!(out, "  {}", describe(&v.events.0))?;
            writeln!(out, "  {}", describe(&v.events.1))?;
        }
        Ok(())
    })();
    match res {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        Err(e) => {
            eprintln!("zkd: {e}");
            return 2;
        }
        Ok(()) => {}
    }
    report.exit_code()
}
