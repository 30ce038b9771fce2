//! One zkd server as an ensemble member (see README.md here): the replication core
//! (`crate::replication::Peer`) and the request pipeline (`crate::pipeline::Core`) joined by a
//! pure synchronous state machine. No IO, clock, threads or randomness: the host feeds `Input`s
//! (with the time) and carries out the `Output`s in order.
//!
//! - [`envelope`]: the one message format on a quorum connection (replication or pipeline traffic).
//! - [`node`]: `Node`, its `Input` / `Output`, and the dispatch of inputs.
//! - `route.rs`: what each replication and pipeline output turns into.

pub mod envelope;
pub mod node;
mod route;

pub use node::{Input, Node, NodeConfig, Output, Restart};

#[cfg(test)]
mod tests;
