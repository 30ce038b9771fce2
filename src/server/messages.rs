//! Messages crossing executor boundaries. Executors share nothing; they talk only through these.

use crate::pipeline::{ConnId, Input, Output};
use std::net::SocketAddr;

/// Client I/O executor → pipeline executor.
pub enum ToPipeline {
    /// A core input produced by a connection (Connect, Packet, Disconnected).
    Core(Input),
    /// A connection was accepted (for `cons`/`stat` bookkeeping).
    Accepted { conn: ConnId, remote: SocketAddr },
    /// The first four bytes of a connection were a four-letter word; `arg` is stmk's 8-byte mask.
    FourLetterWord { conn: ConnId, word: &'static str, arg: Option<i64> },
}

/// Pipeline executor → client I/O executor.
pub enum ToClient {
    /// A core output addressed to one of the executor's connections (never `Append`).
    Core(Output),
    /// A four-letter word's answer: write it raw, then close.
    Text { conn: ConnId, text: String },
}

impl ToClient {
    pub fn conn(&self) -> Option<ConnId> {
        match self {
            ToClient::Core(Output::Connected { conn, .. })
            | ToClient::Core(Output::Reply { conn, .. })
            | ToClient::Core(Output::Event { conn, .. })
            | ToClient::Core(Output::Close { conn })
            | ToClient::Text { conn, .. } => Some(*conn),
            ToClient::Core(Output::Append { .. })
            | ToClient::Core(Output::Snapshot(_))
            | ToClient::Core(Output::Forward(_))
            | ToClient::Core(Output::Touched(_))
            | ToClient::Core(Output::Answer { .. }) => None,
        }
    }
}

/// The connection id carries the index of the client executor that owns it in its top byte,
/// so the pipeline can route outputs without a lookup table.
pub fn owner_of(conn: ConnId) -> usize {
    (conn >> 56) as usize
}

pub fn make_conn_id(executor: usize, seq: u64) -> ConnId {
    ((executor as u64) << 56) | (seq & ((1u64 << 56) - 1))
}
