//! The pure core: one synchronous state machine (see notes/core-api.md). The edge feeds `Input`s and
//! carries out the `Output`s in order; the core never does IO and never reads a clock.
//!
//! Files: `core.rs` (state + dispatch), `sessions.rs` (handshake, expiry), `connection.rs` (per-connection
//! FIFO), `overlay.rs` (uncommitted changes), `prep.rs`/`prep_multi.rs` (write validation → txn),
//! `commit.rs` (Durable → apply → events → replies), `reads.rs` (reads and other non-txn requests),
//! `reaper.rs` (containers/TTL), `deps.rs` (request decoding), `roles.rs` (leader / follower traffic),
//! `handover.rs` (the tree passed from Core to Core on a role change); auth rules come from `crate::auth`, session rules from `crate::session`.

mod commit;
mod connection;
mod core;
pub mod deps;
mod handover;
mod null_path;
mod overlay;
mod prep;
mod prep_multi;
mod reads;
mod reaper;
mod roles;
mod sasl;
mod sessions;
mod snapshots;

pub use self::core::Core;
pub use roles::EnsembleState;
pub use snapshots::BaseHandle;

use crate::wire::{ConnectRequest, ConnectResponse, Id, ReplyHeader, RequestHeader, Response, WatcherEvent};

pub type ConnId = u64;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    /// Monotonic ms: session expiry, reaper intervals.
    pub mono_ms: i64,
    /// Wall-clock ms: ctime/mtime of txns, TTL ages.
    pub wall_ms: i64,
}

/// What this server is in its ensemble. Fixed for a Core's life: after an election the host builds
/// a new Core from the tree (ZooKeeper likewise restarts its server object on every role change).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Role {
    /// Alone: prepares, logs and applies every write itself.
    #[default]
    Standalone,
    /// Prepares every write (its clients' and the ones followers forward); `Output::Append` is a
    /// proposal and `Input::Durable` means a quorum made it durable.
    Leader,
    /// Serves reads; forwards writes, createSession and sync to the leader; applies the leader's
    /// commits (`Input::Committed`). Observers run the same pipeline.
    Follower,
}

/// A client packet a follower hands to the leader (ZooKeeper's Learner REQUEST): the session it
/// belongs to, the connection's auth ids and the raw request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForwardedPacket {
    pub session: i64,
    pub timeout: i32,
    pub header: RequestHeader,
    pub body: Vec<u8>,
    pub ids: Vec<Id>,
}

/// The leader's answer to a forwarded packet. The follower releases it to the client once it has
/// applied `zxid` itself, so the client never reads behind its own write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RemoteAnswer {
    Reply { header: ReplyHeader, body: Response, close: bool },
    Connected { resp: ConnectResponse, close_after: bool },
    Close,
}

#[derive(Debug, Clone)]
pub struct CoreConfig {
    pub role: Role,
    pub tick_time_ms: i64,
    pub min_session_timeout_ms: i32,
    pub max_session_timeout_ms: i32,
    /// 1 for standalone (session id top byte).
    pub server_id: u8,
    /// Seeds the session id generator (spec §2.3).
    pub initial_mono_ms: i64,
    /// `authProvider.N` values (zoo.cfg) / `zookeeper.authProvider.N`: Java class names of extra auth
    /// providers (e.g. `org.apache.zookeeper.server.auth.SASLAuthenticationProvider`).
    pub auth_providers: Vec<String>,
    /// zookeeper.DigestAuthenticationProvider.superDigest (`user:base64hash`).
    pub super_digest: Option<String>,
    pub skip_acl: bool,
    pub extended_types_enabled: bool,
    pub reconfig_enabled: bool,
    pub container_check_interval_ms: i64,
    pub container_max_per_minute: i64,
    pub container_max_never_used_interval_ms: i64,
    /// user -> password, from the JAAS Server section.
    pub sasl_users: Vec<(String, String)>,
    /// A JAAS server section was found (ZooKeeper then has a SASL login; without one it answers SASL
    /// packets with an empty success).
    pub sasl_enabled: bool,
    /// `zookeeper.superUser` and `zookeeper.superUser.*` values: SASL ids that also get `super`.
    pub sasl_super_users: Vec<String>,
    /// `zookeeper.SASLAuthenticationProvider.superPassword`: password of the JAAS user `super`.
    pub sasl_super_password: Option<String>,
    /// Secret randomness from the edge (seeds the SASL nonces).
    pub random_seed: [u8; 32],
    pub read_only: bool,
    /// zookeeper.enforceQuota
    pub enforce_quota: bool,
    /// jute.maxbuffer, passed to the request decoder.
    pub max_buffer: usize,
    /// zookeeper.snapCount: a snapshot after snapCount/2 .. snapCount applied txns.
    pub snap_count: i64,
}

impl Default for CoreConfig {
    fn default() -> Self {
        CoreConfig {
            role: Role::Standalone,
            tick_time_ms: 2000,
            min_session_timeout_ms: 4000,
            max_session_timeout_ms: 40000,
            server_id: 1,
            initial_mono_ms: 0,
            auth_providers: Vec::new(),
            super_digest: None,
            skip_acl: false,
            extended_types_enabled: false,
            reconfig_enabled: false,
            container_check_interval_ms: 60_000,
            container_max_per_minute: 10_000,
            container_max_never_used_interval_ms: 0,
            sasl_users: Vec::new(),
            sasl_enabled: false,
            sasl_super_users: Vec::new(),
            sasl_super_password: None,
            random_seed: [0; 32],
            read_only: false,
            enforce_quota: false,
            max_buffer: 0xfffff,
            snap_count: 100_000,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// The first packet of a connection (already decoded). `remote` gives the `ip:` auth id.
    Connect { conn: ConnId, remote: std::net::SocketAddr, req: ConnectRequest },
    /// A framed packet after the handshake; `body` is the raw bytes after the 8-byte RequestHeader.
    Packet { conn: ConnId, header: RequestHeader, body: Vec<u8> },
    /// The socket closed. Watches of the connection are dropped; the session lives on.
    Disconnected { conn: ConnId },
    /// About every tick_time/2 ms: session expiry, container/TTL reaper.
    Tick,
    /// Every txn with zxid <= `zxid` is durable.
    Durable { zxid: i64 },
    /// The transaction log failed (EIO, ENOSPC): nothing more can be made durable.
    LogFailed,
    /// Start a snapshot now if none is in progress (start-up, after replaying a log tail).
    TakeSnapshot,
    /// The snapshot from `Output::Snapshot` is written and mapped (`Some`), or could not be (`None`).
    SnapshotWritten { base: Option<BaseHandle> },
    /// Leader: a follower (`server`) forwards a client packet.
    Forwarded { server: u64, packet: ForwardedPacket },
    /// Leader: sessions a follower's clients kept alive since its last report (id, timeout).
    Touches { sessions: Vec<(i64, i32)> },
    /// Follower: the leader answered a packet forwarded for `session`.
    Answer { session: i64, zxid: i64, answer: RemoteAnswer },
    /// Follower: the next committed txn, in zxid order.
    Committed { entry: crate::txn::TxnEntry },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    Connected { conn: ConnId, resp: ConnectResponse, close_after: bool },
    Reply { conn: ConnId, header: ReplyHeader, body: Response },
    Event { conn: ConnId, zxid: i64, event: WatcherEvent },
    Close { conn: ConnId },
    Append { zxid: i64, txn: crate::txn::TxnEntry },
    /// Write this frozen state as a snapshot (in the background), then answer `SnapshotWritten`.
    Snapshot(crate::tree::SnapshotJob),
    /// Follower: send this packet to the leader.
    Forward(ForwardedPacket),
    /// Follower, every tick: sessions touched since the last report, for the leader's expiry.
    Touched(Vec<(i64, i32)>),
    /// Leader: send this answer to follower `server`.
    Answer { server: u64, session: i64, zxid: i64, answer: RemoteAnswer },
}

/// Per-connection facts for cons/stat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnStats {
    pub conn: ConnId,
    /// 0 before the session is established.
    pub session_id: i64,
    pub timeout: i32,
    /// Requests received but not yet answered.
    pub outstanding: usize,
}

/// Read-only facts for four-letter words / mntr.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CoreStats {
    /// ZooKeeper's count (includes its `""` root alias: a fresh tree reports 5).
    pub node_count: usize,
    pub approximate_data_size: i64,
    /// Watchers summed over the data and child tables (mntr zk_watch_count).
    pub watch_count: usize,
    /// wchs: (connections, paths, total watches) of the data table.
    pub data_watch_summary: (usize, usize, usize),
    /// wchc: session id (of the watching connection) -> paths, data table.
    pub watches_by_session: Vec<(i64, Vec<String>)>,
    /// wchp: path -> session ids, data table.
    pub watches_by_path: Vec<(String, Vec<i64>)>,
    /// Live sessions and their timeouts.
    pub sessions: Vec<(i64, i32)>,
    /// Expiry buckets: (expire-at mono ms, session ids) in time order (dump).
    pub session_expiry: Vec<(i64, Vec<i64>)>,
    pub ephemerals: Vec<(i64, Vec<String>)>,
    pub ephemerals_count: usize,
    pub last_zxid: i64,
    pub outstanding_requests: usize,
    pub connections: Vec<ConnStats>,
}

#[cfg(test)]
mod tests;
