//! zkd-bench: a ZooKeeper-protocol load generator built on zkd's own codec (`zkd::wire`), plus
//! fixtures for the criterion benches. Works against any ZooKeeper-compatible server.

pub mod churn;
pub mod conn;
pub mod fanout;
pub mod fixtures;
pub mod pacing;
pub mod populate;
pub mod progress;
pub mod report;
pub mod requests;
pub mod runner;
pub mod setup;
pub mod stats;
pub mod workload;

pub use fixtures::*;
