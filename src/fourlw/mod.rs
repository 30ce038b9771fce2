//! Four-letter words: the text ZooKeeper 3.8 answers for each word, built from a snapshot of
//! server facts ([`FourLwContext`]) the edge gathers. Pure formatting: no IO, no clock.
//!
//! Framing (the edge's job): a word is the first 4 bytes of a connection ([`word_for_code`]);
//! the server writes [`render`]'s text and closes. For `stmk` the edge reads the 8-byte mask,
//! stores it, and renders with `trace_mask` set to the new value. `crst`/`srst` only print: the
//! edge resets its counters when it sees those words (after checking [`FourLwWhitelist`]).

mod dump;
mod java_fmt;
mod mntr;
mod stat;
mod whitelist;

#[cfg(test)]
mod tests;

pub use java_fmt::{java_date, java_double, java_socket_address, round_half_up_4, JavaTimeZone};
pub use mntr::{MetricValue, MntrValues};
pub use whitelist::{word_for_code, FourLwWhitelist, KNOWN_WORDS};

use std::net::SocketAddr;
use std::path::Path;

/// ZooKeeper release whose behaviour zkd reproduces (reported in version strings).
pub const ZOOKEEPER_COMPAT_VERSION: &str = "3.8.4";

/// `ZooTrace`'s default mask (client request | server packet | session | warning).
pub const DEFAULT_TRACE_MASK: i64 = 306;

/// `AbstractFourLetterCommand.ZK_NOT_SERVING`.
pub const NOT_SERVING: &str = "This ZooKeeper instance is not currently serving requests";

/// `Version.getFullVersion()` for zkd: `3.8.4-zkd-<crate version>, built on <build_date>`.
/// Parsers take the leading `major.minor.micro` (kazoo: `[\d.]*`, zkServer.sh greps `Mode:`
/// only), so the `-zkd-…` part stands where ZooKeeper puts its git hash. ZooKeeper's build
/// date looks like `2024-02-12 22:16 UTC`.
pub fn zkd_full_version(build_date: &str) -> String {
    format!("{ZOOKEEPER_COMPAT_VERSION}-zkd-{}, built on {build_date}", env!("CARGO_PKG_VERSION"))
}

/// The `envi` keys in ZooKeeper's order (`Environment.list`). Values zkd cannot know (the
/// `java.*` ones) are `<NA>`, as ZooKeeper prints a missing property.
pub const ENVI_KEYS: [&str; 18] = [
    "zookeeper.version",
    "host.name",
    "java.version",
    "java.vendor",
    "java.home",
    "java.class.path",
    "java.library.path",
    "java.io.tmpdir",
    "java.compiler",
    "os.name",
    "os.arch",
    "os.version",
    "user.name",
    "user.home",
    "user.dir",
    "os.memory.free",
    "os.memory.max",
    "os.memory.total",
];

/// Builds the `envi` pairs: `lookup` gives what the edge knows (e.g. host.name, os.*, user.*);
/// anything else is `<NA>`. `zookeeper.version` is `full_version`.
pub fn envi_pairs(full_version: &str, lookup: impl Fn(&str) -> Option<String>) -> Vec<(String, String)> {
    ENVI_KEYS
        .iter()
        .map(|k| {
            let v = if *k == "zookeeper.version" { full_version.to_string() } else { lookup(k).unwrap_or_else(|| "<NA>".to_string()) };
            (k.to_string(), v)
        })
        .collect()
}

/// Java's `os.arch` for a Rust `std::env::consts::ARCH` (OpenJDK's names on Linux), for `envi`.
pub fn java_os_arch(rust_arch: &str) -> &str {
    match rust_arch {
        "x86_64" => "amd64",
        "x86" => "i386",
        "powerpc64" if cfg!(target_endian = "little") => "ppc64le",
        "powerpc64" => "ppc64",
        "powerpc" => "ppc",
        other => other,
    }
}

/// How many packets ZooKeeper counts as sent (`packetSent`, server and connection) for a
/// four-letter reply: the text goes through an 8192-char `BufferedWriter` into a writer that
/// sends each chunk it gets, so one packet per started 8192 UTF-16 units, none for "".
pub fn reply_packets(reply: &str) -> i64 {
    let units = reply.encode_utf16().count() as i64;
    (units + 8191) / 8192
}

/// Request latency (`AvgMinMaxCounter` / per-connection fields), milliseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LatencyStats {
    pub count: u64,
    pub total_ms: i64,
    /// Meaningless when `count == 0` (printed as 0).
    pub min_ms: i64,
    pub max_ms: i64,
}

impl LatencyStats {
    pub fn min(&self) -> i64 {
        if self.count == 0 { 0 } else { self.min_ms }
    }
    pub fn max(&self) -> i64 {
        if self.count == 0 { 0 } else { self.max_ms }
    }
    /// Server average: a double rounded half-up to 4 decimals.
    pub fn server_avg(&self) -> f64 {
        if self.count == 0 { 0.0 } else { round_half_up_4(self.total_ms as f64 / self.count as f64) }
    }
    /// Connection average: integer division (`ServerCnxn.getAvgLatency`).
    pub fn connection_avg(&self) -> i64 {
        if self.count == 0 { 0 } else { self.total_ms / self.count as i64 }
    }
}

/// One connection as `stat`/`cons` show it. ZooKeeper lists every connection of the factory,
/// including the one asking (which has received 1 packet: the word itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionInfo {
    pub remote: SocketAddr,
    /// NIO selection interest (1 = read, 4 = write, 5 = both, 0 = none).
    pub interest_ops: i32,
    pub outstanding: i64,
    pub packets_received: i64,
    pub packets_sent: i64,
    /// 0 = no session yet (cons then omits the session fields).
    pub session_id: i64,
    /// `lop`: "NA" before the first reply, else a tag from [`last_op_tag`].
    pub last_op: String,
    pub established_wall_ms: i64,
    pub session_timeout_ms: i32,
    /// -1 = none (then `lcxid` is omitted).
    pub last_cxid: i64,
    pub last_zxid: i64,
    /// ZooKeeper prints its elapsed-time clock here (ms).
    pub last_response_ms: i64,
    pub last_latency_ms: i64,
    pub latency: LatencyStats,
}

/// `lop` tag of an opcode (FinalRequestProcessor); "NA" for anything else.
pub fn last_op_tag(op: i32) -> &'static str {
    match op {
        11 => "PING",
        -10 => "SESS",
        14 => "MULT",
        22 => "MLTR",
        1 | 15 | 19 | 21 => "CREA",
        2 | 20 => "DELE",
        5 => "SETD",
        16 => "RECO",
        7 => "SETA",
        -11 => "CLOS",
        9 => "SYNC",
        13 => "CHEC",
        3 => "EXIS",
        4 => "GETD",
        101 => "SETW",
        105 => "STW2",
        106 => "ADDW",
        6 => "GETA",
        8 | 12 => "GETC",
        104 => "GETACN",
        17 => "CHKW",
        18 => "REMW",
        107 => "HOMI",
        103 => "GETE",
        _ => "NA",
    }
}

/// A session expiry bucket (`ExpiryQueue`): sessions expiring at `expire_wall_ms`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionBucket {
    pub expire_wall_ms: i64,
    pub session_ids: Vec<i64>,
}

/// A connection expiry bucket of the NIO factory (`dump`'s "Connections" part).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionBucket {
    pub expire_wall_ms: i64,
    /// (remote address, session id or 0).
    pub connections: Vec<(SocketAddr, i64)>,
}

/// The data-watch table (`wchs`/`wchc`/`wchp` show only data watches, not child watches).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WatchTables {
    /// Per watching connection: its session id and watched paths.
    pub by_session: Vec<(i64, Vec<String>)>,
    /// Per path: session ids of the watching connections.
    pub by_path: Vec<(String, Vec<i64>)>,
}

/// What `conf` prints (`ZooKeeperServer.dumpConf`, standalone).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfValues {
    /// The bound port; -1 if none.
    pub client_port: i32,
    /// -1: no TLS listener (always in zkd).
    pub secure_client_port: i32,
    /// Absolute snapshot directory (`<dataDir>/version-2`).
    pub data_dir: String,
    pub data_dir_size: i64,
    /// Absolute log directory (`<dataLogDir>/version-2`).
    pub data_log_dir: String,
    pub data_log_size: i64,
    pub tick_time: i32,
    pub max_client_cnxns: i32,
    pub min_session_timeout: i32,
    pub max_session_timeout: i32,
    pub client_port_listen_backlog: i32,
    /// 0 for a standalone server.
    pub server_id: i64,
}

impl ConfValues {
    /// From the configuration. `abs_data_dir`/`abs_data_log_dir` are the absolute forms of
    /// `data_dir`/`data_log_dir` (the edge resolves them); sizes are in bytes.
    pub fn from_config(
        cfg: &crate::config::ServerConfig,
        bound_port: u16,
        abs_data_dir: &Path,
        abs_data_log_dir: &Path,
        data_dir_size: i64,
        data_log_size: i64,
    ) -> ConfValues {
        ConfValues {
            client_port: bound_port as i32,
            secure_client_port: -1,
            data_dir: abs_data_dir.join("version-2").display().to_string(),
            data_dir_size,
            data_log_dir: abs_data_log_dir.join("version-2").display().to_string(),
            data_log_size,
            tick_time: cfg.tick_time_ms,
            max_client_cnxns: cfg.max_client_cnxns,
            min_session_timeout: cfg.min_session_timeout_ms,
            max_session_timeout: cfg.max_session_timeout_ms,
            client_port_listen_backlog: cfg.client_port_listen_backlog,
            server_id: 0,
        }
    }
}

/// Everything the words print. The edge fills it from the core (`CoreStats`), its connection
/// counters and the configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct FourLwContext {
    /// False while starting/stopping: most words then answer [`NOT_SERVING`].
    pub running: bool,
    /// [`zkd_full_version`].
    pub full_version: String,
    /// `standalone` (or `read-only`, `leader`...).
    pub server_state: String,
    /// A ReadOnlyZooKeeperServer (adds the READ-ONLY line, `isro` says `ro`).
    pub read_only: bool,
    pub packets_received: i64,
    pub packets_sent: i64,
    pub latency: LatencyStats,
    pub outstanding_requests: i64,
    /// Last processed zxid.
    pub last_zxid: i64,
    /// ZooKeeper's node count (a fresh tree counts 5 with the "" alias of `/`).
    pub node_count: i64,
    /// All connections (their count is `Connections:`).
    pub connections: Vec<ConnectionInfo>,
    pub watches: WatchTables,
    /// Session expiry buckets in time order.
    pub session_buckets: Vec<SessionBucket>,
    /// Sessions and their ephemeral paths.
    pub ephemerals: Vec<(i64, Vec<String>)>,
    pub connection_buckets: Vec<ConnectionBucket>,
    pub conf: ConfValues,
    /// `envi` pairs ([`envi_pairs`]).
    pub environment: Vec<(String, String)>,
    pub trace_mask: i64,
    /// `hash`: (zxid, digest) of the recent digest log, oldest first.
    pub digests: Vec<(i64, i64)>,
    pub mntr: MntrValues,
    pub time_zone: JavaTimeZone,
}

fn not_serving() -> String {
    format!("{NOT_SERVING}\n")
}

/// The answer to `word` (`"telnet close"` included), exactly as ZooKeeper 3.8 writes it.
/// A word that is not enabled gets `<word> is not executed because it is not in the whitelist.`
/// An unknown word gets "" (ZooKeeper would not treat it as a command at all).
pub fn render(word: &str, ctx: &FourLwContext, whitelist: &FourLwWhitelist) -> String {
    if !KNOWN_WORDS.iter().any(|(w, _)| *w == word) {
        return String::new();
    }
    if !whitelist.is_enabled(word) {
        return format!("{word} is not executed because it is not in the whitelist.\n");
    }
    match word {
        "ruok" => "imok".to_string(),
        "gtmk" | "stmk" => ctx.trace_mask.to_string(),
        "envi" => {
            let mut out = String::from("Environment:\n");
            for (k, v) in &ctx.environment {
                out.push_str(&format!("{k}={v}\n"));
            }
            out
        }
        "isro" if !ctx.running => "null".to_string(),
        "isro" => if ctx.read_only { "ro" } else { "rw" }.to_string(),
        "hash" if !ctx.running => NOT_SERVING.to_string(),
        _ if !ctx.running => not_serving(),
        "srvr" => stat::server_block(ctx, false),
        "stat" => stat::server_block(ctx, true),
        "cons" => stat::cons(ctx),
        "conf" => conf(&ctx.conf),
        "crst" => "Connection stats reset.\n".to_string(),
        "srst" => "Server stats reset.\n".to_string(),
        "dirs" => format!("datadir_size: {}\nlogdir_size: {}\n", ctx.conf.data_dir_size, ctx.conf.data_log_size),
        "mntr" => mntr::mntr(ctx),
        "dump" => dump::dump(ctx),
        "wchs" => dump::wchs(&ctx.watches),
        "wchc" => dump::wchc(&ctx.watches),
        "wchp" => dump::wchp(&ctx.watches),
        "hash" => ctx.digests.iter().map(|(z, d)| format!("{z:x}: {d}\n")).collect(),
        // "telnet close": ZooKeeper has no command object for it and just closes.
        _ => String::new(),
    }
}

impl ConfValues {
    /// The `key=value` pairs `conf` prints, in ZooKeeper's order (`dumpConf`, standalone).
    pub fn lines(&self) -> Vec<(String, String)> {
        [
            ("clientPort", self.client_port.to_string()),
            ("secureClientPort", self.secure_client_port.to_string()),
            ("dataDir", self.data_dir.clone()),
            ("dataDirSize", self.data_dir_size.to_string()),
            ("dataLogDir", self.data_log_dir.clone()),
            ("dataLogSize", self.data_log_size.to_string()),
            ("tickTime", self.tick_time.to_string()),
            ("maxClientCnxns", self.max_client_cnxns.to_string()),
            ("minSessionTimeout", self.min_session_timeout.to_string()),
            ("maxSessionTimeout", self.max_session_timeout.to_string()),
            ("clientPortListenBacklog", self.client_port_listen_backlog.to_string()),
            ("serverId", self.server_id.to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
    }
}

fn conf(c: &ConfValues) -> String {
    c.lines().iter().map(|(k, v)| format!("{k}={v}\n")).collect()
}
