//! Client histories and a checker of ZooKeeper's guarantees over them: linearizable writes (and,
//! for a standalone server, linearizable reads), per-session FIFO, and monotonic reads.
//!
//! - [`types`]: the history model ([`Event`], [`Op`], [`Outcome`], [`History`]); its JSON Lines
//!   form is in [`jsonl`] and documented in `src/history/README.md`.
//! - [`lin`]: Wing & Gong search with memoization of (linearized set, state), per partition.
//! - [`session`]: zxid-based session checks (no search).
//! - [`recorder`]: builds a history as requests are sent and replies arrive (simulator, Rust tests).
//! - [`brute`]: an all-permutations reference checker for tiny histories (tests).
//!
//! Plain synchronous code, no IO: the simulator, `zkd check-history` and tests share it.

pub mod brute;
pub mod jsonl;
pub mod lin;
mod model;
pub mod recorder;
pub mod session;
pub mod types;
mod validate;

#[cfg(test)]
mod tests;

pub use lin::{check, check_report, LinReport, Options, ReadMode, Verdict, Witness};
pub use recorder::{OpHandle, Recorder};
pub use session::{check_sessions, SessionViolation, SessionViolationKind};
pub use types::{Event, History, InitNode, Op, Outcome, Time};

/// Both checks together.
#[derive(Debug, Clone)]
pub struct Report {
    pub lin: LinReport,
    pub sessions: Vec<SessionViolation>,
}

impl Report {
    /// 0 everything holds, 1 a violation, 2 no verdict (budget exceeded / malformed history).
    pub fn exit_code(&self) -> i32 {
        match (&self.lin.verdict, self.sessions.is_empty()) {
            (Verdict::NotLinearizable(_), _) | (_, false) => 1,
            (Verdict::Unknown { .. }, true) => 2,
            (Verdict::Linearizable, true) => 0,
        }
    }
}

/// Runs the linearizability search and the session checks.
pub fn check_all(h: &History, opts: &Options) -> Report {
    Report { lin: check_report(h, opts), sessions: check_sessions(h, 20) }
}
