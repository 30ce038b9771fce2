//! zkd: a ZooKeeper-compatible coordination server.
//!
//! Layout (see ARCHITECTURE.md): `wire` (jute codec and records), `tree` (the ZNode tree),
//! `txn` (transaction types), `watch` (watch tables), `auth` (ACL checks and auth providers),
//! `session` (session tracking), `pipeline` (prepare → log → commit → apply → reply),
//! `config` (zoo.cfg), `fourlw` (four-letter words), `server` (glommio executors, sockets: the edge),
//! `snapshot` (tree ↔ snapshot files of zkd-storage), `tools` (`zkd purge`, `zkd dump`, `zkd check-history`),
//! `history` (client histories and the linearizability / session checker), `replication` (the ZAB core and its
//! simulator), `ensemble` (one server as an ensemble member: replication joined to the pipeline).

pub mod wire;
pub mod tree;
pub mod txn;
pub mod watch;
pub mod auth;
pub mod session;
pub mod pipeline;
pub mod server;
pub mod config;
pub mod fourlw;
pub mod snapshot;
pub mod tools;
pub mod history;
pub mod replication;
pub mod ensemble;
pub mod fast_map;
