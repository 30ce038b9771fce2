//! zkd storage engine.
//!
//! Transaction log (this crate today):
//! - `record`: framing of one record (pure); `segment`: segment names and header block (pure);
//! - `scan`: reading one segment's bytes (pure); `recovery`: start-up checks, torn-tail cut,
//!   replay and TRUNC over a `backend::Backend`;
//! - `plan`: the writer's layout decisions as a list of `plan::Op` (pure);
//! - `writer`: `LogWriter`, carrying out ops on glommio `DmaFile`s (O_DIRECT, io_uring);
//! - `executor`: the group-commit loop run on the log executor, and its `LogStats`;
//! - `sim`: a fault-injecting simulator of the same ops with a crash-image model (tests).
//!
//! Snapshots: `snapshot` (rkyv archive encoder, memory-mapped zero-copy reader, atomic files,
//! retention, dump). See FORMAT.md (log) and SNAPSHOT.md (snapshots) for the on-disk formats.

pub mod backend;
pub mod epochs;
pub mod error;
pub mod executor;
pub mod plan;
pub mod record;
pub mod recovery;
pub mod scan;
pub mod segment;
pub mod sim;
pub mod snapshot;
pub mod writer;

pub use backend::{log_dir, Backend, FsBackend, MemBackend};
pub use error::{Corruption, LogError};
pub use executor::{run_log_executor, LogNotice, LogStats, LogStatsSnapshot};
pub use plan::LogOptions;
pub use recovery::{recover, recover_with, truncate_after, RecoveryInfo};
pub use writer::LogWriter;
