//! zoo.cfg and system properties → [`ServerConfig`], following ZooKeeper 3.8's
//! `QuorumPeerConfig.parse` (pure: the edge reads the files and the environment).
//!
//! Rules (see ZooKeeper's `QuorumPeerConfig.parseProperties`):
//! - zoo.cfg is a Java properties file (`properties`); keys and values are trimmed; a later
//!   duplicate wins.
//! - Keys ZooKeeper consumes are checked the same way (a bad number, port or boolean is an
//!   error naming file, line and key). Every other key becomes the system property
//!   `zookeeper.<key>`; that is how `snapCount`, `4lw.commands.whitelist`, `skipACL`,
//!   `DigestAuthenticationProvider.superDigest`... reach the server.
//! - System properties also come from `-D` tokens of `SERVER_JVMFLAGS` then `JVMFLAGS`. The
//!   zoo.cfg fall-through runs later (`System.setProperty` while parsing), so **zoo.cfg wins over
//!   `-D`** for the same `zookeeper.<key>`.
//! - Properties read with `Integer.getInteger` & co. fall back to their default on a bad value,
//!   as in ZooKeeper; zkd adds a warning line.
//! - A config ZooKeeper accepts is accepted; features zkd lacks (TLS, JVM classes, AdminServer)
//!   are accepted with one warning each. Quorum configurations (`server.N`) run an ensemble member
//!   (`quorum::node_config`; the edge reads `<dataDir>/myid`).
//!
//! zkd-only zoo.cfg keys: `zkd.cores.client`, `zkd.cores.pipeline`, `zkd.cores.log` (see
//! `placement`).

pub mod cli;
mod error;
mod java_values;
mod jvm_flags;
pub mod myid;
mod placement;
mod properties;
pub mod quorum;
mod server_spec;
mod system_props;
mod zoo_cfg;

pub use crate::fourlw::FourLwWhitelist;
pub use error::ConfigError;
pub use jvm_flags::PropertyOrigin;
pub use placement::ExecutorPlacement;
pub use server_spec::{LearnerType, QuorumAddress, ServerSpec};

use java_values::java_trim;
use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use system_props::SystemProps;

/// Resolves a host name to an address (DNS lookups are IO: the edge supplies this).
pub type HostResolver<'a> = &'a dyn Fn(&str) -> Option<IpAddr>;

/// The zoo.cfg file, read by the edge.
pub struct ConfigFile<'a> {
    /// The path as given (used in messages).
    pub name: &'a str,
    /// Raw bytes; decoded as ISO-8859-1 like `Properties.load(InputStream)`.
    pub contents: &'a [u8],
}

/// Command-line overrides (applied after the file).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides {
    pub client_port: Option<u16>,
    pub data_dir: Option<PathBuf>,
}

/// Everything the configuration is made from.
pub struct ConfigSources<'a> {
    /// `None`: no config file given: standalone on 127.0.0.1:2181, dataDir ./zkd-data, tickTime 2000.
    pub file: Option<ConfigFile<'a>>,
    /// Contents of the `SERVER_JVMFLAGS` and `JVMFLAGS` environment variables ("" if unset).
    pub server_jvmflags: &'a str,
    pub jvmflags: &'a str,
    /// Number of CPUs (default executor placement, checks of `zkd.cores.*`).
    pub cpus: usize,
    pub overrides: Overrides,
    /// Resolves a `clientPortAddress` that is not an IP literal or `localhost` (DNS is IO, so
    /// the edge provides it). `None`: such names are an error.
    pub resolve_host: Option<HostResolver<'a>>,
}

/// `admin.*` (zkd has no AdminServer; kept for `conf`-style reporting and warnings).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminServerConfig {
    pub enabled: bool,
    pub address: String,
    pub port: i32,
    pub command_url: String,
}

/// The typed server configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerConfig {
    pub tick_time_ms: i32,
    pub init_limit: i32,
    pub sync_limit: i32,
    pub data_dir: PathBuf,
    pub data_log_dir: PathBuf,
    /// Where to listen: `clientPortAddress:clientPort`, all interfaces when no address is set;
    /// port 0 = any free port (3.9 behaviour).
    pub client_addr: SocketAddr,
    pub client_port_listen_backlog: i32,
    /// Parsed but not served (no TLS in zkd).
    pub secure_client_port: Option<u16>,
    /// Per source IP; 0 or less = unlimited.
    pub max_client_cnxns: i32,
    pub min_session_timeout_ms: i32,
    pub max_session_timeout_ms: i32,
    /// `autopurge.snapRetainCount` (at least 3).
    pub autopurge_snap_retain_count: i32,
    /// `autopurge.purgeInterval` in hours; 0 = off.
    pub autopurge_purge_interval_hours: i32,
    pub servers: Vec<ServerSpec>,
    pub peer_type: LearnerType,
    pub standalone_enabled: bool,
    pub reconfig_enabled: bool,
    pub election_alg: i32,
    pub sync_enabled: bool,
    pub local_sessions_enabled: bool,
    pub local_sessions_upgrading_enabled: bool,
    pub four_lw_whitelist: FourLwWhitelist,
    pub admin: AdminServerConfig,
    /// `zookeeper.snapCount` (≥ 2).
    pub snap_count: i32,
    /// `zookeeper.snapSizeLimitInKb` (≤ 0 disables).
    pub snap_size_limit_kb: i64,
    /// `zookeeper.preAllocSize` in KiB.
    pub pre_alloc_size_kb: i64,
    pub global_outstanding_limit: i32,
    /// `zookeeper.maxCnxns`: all connections; 0 = unlimited.
    pub max_cnxns: i32,
    /// `zookeeper.nio.sessionlessCnxnTimeout`.
    pub sessionless_cnxn_timeout_ms: i32,
    /// `zookeeper.skipACL=yes`.
    pub skip_acl: bool,
    pub enforce_quota: bool,
    pub extended_types_enabled: bool,
    pub digest_enabled: bool,
    pub close_session_txn_enabled: bool,
    /// `zookeeper.forceSync` not `no`.
    pub force_sync: bool,
    /// `zookeeper.DigestAuthenticationProvider.superDigest`.
    pub super_digest: Option<String>,
    /// `readonlymode.enabled` (system property only; read-only mode needs a quorum).
    pub read_only_mode_enabled: bool,
    /// `jute.maxbuffer` (system property only), default 0xfffff.
    pub jute_max_buffer: i32,
    /// `java.security.auth.login.config`.
    pub jaas_config_path: Option<PathBuf>,
    pub container_check_interval_ms: i32,
    pub container_max_per_minute: i32,
    pub container_max_never_used_interval_ms: i64,
    pub placement: ExecutorPlacement,
    /// The effective system properties (`-D` flags and zoo.cfg fall-through).
    pub system_properties: BTreeMap<String, String>,
}

impl ServerConfig {
    /// `zookeeper.authProvider.*` values (Java class names), ordered by property name.
    pub fn auth_provider_classes(&self) -> Vec<&str> {
        self.system_properties.range("zookeeper.authProvider.".to_string()..).take_while(|(k, _)| k.starts_with("zookeeper.authProvider.")).map(|(_, v)| v.as_str()).collect()
    }

    /// A replicated member: two or more participants, or one with standaloneEnabled=false
    /// (QuorumPeerConfig's rule; a lone participant otherwise runs standalone).
    pub fn is_quorum(&self) -> bool {
        let participants = self.servers.iter().filter(|s| s.learner_type == LearnerType::Participant).count();
        participants >= 2 || (participants == 1 && !self.standalone_enabled)
    }

    /// The pipeline settings derived from this configuration (`sasl_users` is left empty: the
    /// edge reads the JAAS file named by `jaas_config_path`).
    pub fn core_config(&self, initial_mono_ms: i64) -> crate::pipeline::CoreConfig {
        crate::pipeline::CoreConfig {
            tick_time_ms: self.tick_time_ms as i64,
            min_session_timeout_ms: self.min_session_timeout_ms,
            max_session_timeout_ms: self.max_session_timeout_ms,
            initial_mono_ms,
            super_digest: self.super_digest.clone(),
            skip_acl: self.skip_acl,
            extended_types_enabled: self.extended_types_enabled,
            reconfig_enabled: self.reconfig_enabled,
            container_check_interval_ms: self.container_check_interval_ms as i64,
            container_max_per_minute: self.container_max_per_minute as i64,
            container_max_never_used_interval_ms: self.container_max_never_used_interval_ms,
            auth_providers: self.auth_provider_classes().into_iter().map(String::from).collect(),
            ..crate::pipeline::CoreConfig::default()
        }
    }
}

impl ServerConfig {
    /// zkd without a config file: standalone on 127.0.0.1:2181, dataDir ./zkd-data, tickTime
    /// 2000, executors unpinned (no CPU count is known here), no system properties.
    pub fn default_standalone() -> ServerConfig {
        let src = ConfigSources { file: None, server_jvmflags: "", jvmflags: "", cpus: 1, overrides: Overrides::default(), resolve_host: None };
        match parse_config(&src) {
            Ok(p) => p.config,
            // Without a file nothing is read that could be malformed.
            Err(e) => panic!("default configuration rejected: {e}"),
        }
    }

    /// What `conf` prints for this standalone server: `bound_port` is the listening port,
    /// `abs_data_dir`/`abs_data_log_dir` the absolute directories (the edge resolves them),
    /// sizes in bytes (`dataDirSize`/`dataLogSize`).
    pub fn conf_lines(
        &self,
        bound_port: u16,
        abs_data_dir: &std::path::Path,
        abs_data_log_dir: &std::path::Path,
        data_dir_size: i64,
        data_log_size: i64,
    ) -> Vec<(String, String)> {
        crate::fourlw::ConfValues::from_config(self, bound_port, abs_data_dir, abs_data_log_dir, data_dir_size, data_log_size).lines()
    }
}

/// The brief's entry point: zoo.cfg `text` (named `file_name` in messages) plus the `-D`
/// tokens of `jvm_flags` (the SERVER_JVMFLAGS and JVMFLAGS text, joined by the edge), no CLI
/// overrides, host names other than IP literals/`localhost` refused. Returns the configuration
/// and the warnings to log. [`parse_config`] is the full form.
pub fn parse_zoo_cfg(file_name: &str, text: &str, jvm_flags: &str, ncpus: usize) -> Result<(ServerConfig, Vec<String>), ConfigError> {
    let src = ConfigSources {
        file: Some(ConfigFile { name: file_name, contents: text.as_bytes() }),
        server_jvmflags: jvm_flags,
        jvmflags: "",
        cpus: ncpus,
        overrides: Overrides::default(),
        resolve_host: None,
    };
    parse_config(&src).map(|p| (p.config, p.warnings))
}

/// A configuration and the warning lines the edge should log.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedConfig {
    pub config: ServerConfig,
    pub warnings: Vec<String>,
}

const NO_FILE: &str = "zkd";

/// `InetAddress.getByName` for literals and `localhost`; other names go to `resolve`.
fn resolve_address(host: &str, resolve: Option<HostResolver<'_>>) -> Option<IpAddr> {
    let literal = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host);
    if let Ok(ip) = literal.parse::<IpAddr>() {
        return Some(ip);
    }
    if host.is_empty() || host.eq_ignore_ascii_case("localhost") {
        return Some(IpAddr::V4(Ipv4Addr::LOCALHOST));
    }
    resolve.and_then(|r| r(host))
}

/// `VerifyingFileFactory.warnForRelativePath`.
fn relative_path_warning(file: &str, line: usize, path: &str, warnings: &mut Vec<String>) {
    if !path.starts_with('/') && !path.starts_with('.') {
        warnings.push(format!("{file}:{line}: {path} is relative. Prepend ./ to indicate that you're sure!"));
    }
}

fn port_of(file: &str, line: usize, key: &str, port: i32) -> Result<u16, ConfigError> {
    u16::try_from(port).map_err(|_| ConfigError::at(file, line, key, format!("port out of range: {port}")))
}

/// Builds the configuration. Errors name the file, line and key at fault.
pub fn parse_config(src: &ConfigSources<'_>) -> Result<ParsedConfig, ConfigError> {
    let file_name = src.file.as_ref().map(|f| f.name).unwrap_or(NO_FILE);
    let mut warnings = Vec::new();

    // 1. -D flags, then the file's fall-through keys on top (zoo.cfg wins).
    let mut props: BTreeMap<String, (String, PropertyOrigin)> = BTreeMap::new();
    for (k, v, o) in jvm_flags::jvm_flag_properties(src.server_jvmflags, src.jvmflags) {
        props.insert(k, (v, o));
    }
    let parse = match &src.file {
        Some(f) => {
            let entries = properties::parse_properties(f.contents)
                .map_err(|m| ConfigError { file: f.name.to_string(), line: Some(m.line), key: None, message: "Malformed \\uxxxx encoding.".to_string() })?;
            let p = zoo_cfg::read_file_keys(f.name, &entries, src.cpus)?;
            warnings.extend(p.warnings.iter().cloned());
            Some(p.settings)
        }
        None => None,
    };
    let s = parse.unwrap_or_default();
    for (k, v, line) in &s.fall_through {
        props.insert(k.clone(), (v.clone(), PropertyOrigin::File { line: *line }));
    }
    let sys = SystemProps { values: &props, file: file_name };

    // 2. The file's own keys and their cross-checks (parseProperties order).
    let [sasl_enabled, server_require, learner_require] = s.quorum_sasl.map(|b| b.unwrap_or(false));
    if !sasl_enabled && server_require {
        return Err(ConfigError::whole_file(file_name, "quorum.auth.enableSasl is disabled, so cannot enable quorum.auth.serverRequireSasl"));
    }
    if !sasl_enabled && learner_require {
        return Err(ConfigError::whole_file(file_name, "quorum.auth.enableSasl is disabled, so cannot enable quorum.auth.learnerRequireSasl"));
    }
    if !learner_require && server_require {
        return Err(ConfigError::whole_file(file_name, "quorum.auth.learnerRequireSasl is disabled, so cannot enable quorum.auth.serverRequireSasl"));
    }

    let mut snap_retain = s.snap_retain_count.map(|x| x.0).unwrap_or(3);
    if snap_retain < 3 {
        let line = s.snap_retain_count.map(|x| x.1).unwrap_or(0);
        warnings.push(format!("{file_name}:{line}: Invalid autopurge.snapRetainCount: {snap_retain}. Defaulting to 3"));
        snap_retain = 3;
    }

    let has_file = src.file.is_some();
    let data_dir = match (&src.overrides.data_dir, &s.data_dir) {
        (Some(d), _) => d.clone(),
        (None, Some((d, line))) => {
            relative_path_warning(file_name, *line, d, &mut warnings);
            PathBuf::from(d)
        }
        (None, None) if has_file => return Err(ConfigError::whole_file(file_name, "dataDir is not set")),
        (None, None) => PathBuf::from("./zkd-data"),
    };
    let data_log_dir = match &s.data_log_dir {
        Some((d, line)) => {
            relative_path_warning(file_name, *line, d, &mut warnings);
            PathBuf::from(d)
        }
        None => data_dir.clone(),
    };

    let client_addr = if has_file {
        let port = match (src.overrides.client_port, s.client_port) {
            (Some(p), _) => p,
            (None, Some((p, line))) => port_of(file_name, line, "clientPort", p)?,
            (None, None) => {
                if let Some((_, line)) = &s.client_port_address {
                    return Err(ConfigError::at(file_name, *line, "clientPortAddress", "clientPortAddress is set but clientPort is not set"));
                }
                return Err(ConfigError::whole_file(file_name, "clientPort is not set (zkd needs a plain TCP client port)"));
            }
        };
        let ip = match &s.client_port_address {
            Some((host, line)) => resolve_address(host, src.resolve_host).ok_or_else(|| {
                ConfigError::at(file_name, *line, "clientPortAddress", format!("cannot resolve host \"{host}\""))
            })?,
            None => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        };
        SocketAddr::new(ip, port)
    } else {
        SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), src.overrides.client_port.unwrap_or(2181))
    };
    let secure_client_port = match s.secure_client_port {
        Some((p, line)) if p != 0 => Some(port_of(file_name, line, "secureClientPort", p)?),
        _ => None,
    };

    let tick_time_ms = match s.tick_time {
        Some((t, line)) if t <= 0 => {
            let msg = if t == 0 { "tickTime is not set".to_string() } else { format!("must be a positive number of milliseconds, got {t}") };
            return Err(ConfigError::at(file_name, line, "tickTime", msg));
        }
        Some((t, _)) => t,
        // The code default is 3000; zkd without a file uses the sample file's 2000.
        None if has_file => 3000,
        None => 2000,
    };
    let min_set = s.min_session_timeout.filter(|(v, _)| *v != -1);
    let max_set = s.max_session_timeout.filter(|(v, _)| *v != -1);
    let min_session_timeout_ms = min_set.map(|x| x.0).unwrap_or(tick_time_ms.saturating_mul(2));
    let max_session_timeout_ms = max_set.map(|x| x.0).unwrap_or(tick_time_ms.saturating_mul(20));
    if min_session_timeout_ms > max_session_timeout_ms {
        let (key, line) = match (min_set, max_set) {
            (Some((_, l)), _) => ("minSessionTimeout", l),
            (None, Some((_, l))) => ("maxSessionTimeout", l),
            (None, None) => ("minSessionTimeout", 0),
        };
        return Err(ConfigError::at(
            file_name,
            line,
            key,
            format!("minSessionTimeout ({min_session_timeout_ms}) must not be larger than maxSessionTimeout ({max_session_timeout_ms})"),
        ));
    }

    let standalone_enabled = s.standalone_enabled.unwrap_or(true);
    let multi_address = sys.boolean("zookeeper.multiAddress.enabled", false);
    let servers = zoo_cfg::check_servers(file_name, &s, standalone_enabled, multi_address, &mut warnings)?;

    let mut placement = ExecutorPlacement::default_for(src.cpus);
    if let Some(c) = &s.cores_client {
        placement.client = c.clone();
    }
    if let Some(p) = s.cores_pipeline {
        placement.pipeline = p;
    }
    if let Some(l) = s.cores_log {
        placement.log = l;
    }

    // 3. System properties, read the way each ZooKeeper class reads them.
    let mut snap_count = sys.integer("zookeeper.snapCount", 100_000, &mut warnings);
    if snap_count < 2 {
        warnings.push(format!("SnapCount should be 2 or more. Now, snapCount is reset to 2 (was {snap_count})"));
        snap_count = 2;
    }
    let config = ServerConfig {
        tick_time_ms,
        init_limit: s.init_limit.unwrap_or(0),
        sync_limit: s.sync_limit.unwrap_or(0),
        data_dir,
        data_log_dir,
        client_addr,
        client_port_listen_backlog: s.client_port_listen_backlog.unwrap_or(-1),
        secure_client_port,
        max_client_cnxns: s.max_client_cnxns.unwrap_or(60),
        min_session_timeout_ms,
        max_session_timeout_ms,
        autopurge_snap_retain_count: snap_retain,
        autopurge_purge_interval_hours: s.purge_interval.unwrap_or(0),
        servers,
        peer_type: s.peer_type.unwrap_or(LearnerType::Participant),
        standalone_enabled,
        reconfig_enabled: s.reconfig_enabled.unwrap_or(false),
        election_alg: s.election_alg.unwrap_or(3),
        sync_enabled: s.sync_enabled.unwrap_or(true),
        local_sessions_enabled: s.local_sessions_enabled.unwrap_or(false),
        local_sessions_upgrading_enabled: s.local_sessions_upgrading_enabled.unwrap_or(false),
        four_lw_whitelist: FourLwWhitelist::new(sys.get("zookeeper.4lw.commands.whitelist"), sys.get("readonlymode.enabled")),
        admin: AdminServerConfig {
            enabled: sys.boolean("zookeeper.admin.enableServer", true),
            address: sys.string("zookeeper.admin.serverAddress", "0.0.0.0"),
            port: sys.integer("zookeeper.admin.serverPort", 8080, &mut warnings),
            command_url: sys.string("zookeeper.admin.commandURL", "/commands"),
        },
        snap_count,
        snap_size_limit_kb: sys.long("zookeeper.snapSizeLimitInKb", 4_194_304, &mut warnings),
        pre_alloc_size_kb: sys.parsed_long("zookeeper.preAllocSize", 65_536, &mut warnings),
        global_outstanding_limit: sys.integer("zookeeper.globalOutstandingLimit", 1000, &mut warnings),
        max_cnxns: sys.integer("zookeeper.maxCnxns", 0, &mut warnings),
        sessionless_cnxn_timeout_ms: sys.integer("zookeeper.nio.sessionlessCnxnTimeout", 10_000, &mut warnings),
        skip_acl: sys.get("zookeeper.skipACL") == Some("yes"),
        enforce_quota: sys.boolean("zookeeper.enforceQuota", false),
        extended_types_enabled: sys.boolean("zookeeper.extendedTypesEnabled", false),
        digest_enabled: sys.boolean("zookeeper.digest.enabled", true),
        close_session_txn_enabled: sys.boolean("zookeeper.closeSessionTxn.enabled", true),
        force_sync: sys.get("zookeeper.forceSync") != Some("no"),
        super_digest: sys.get("zookeeper.DigestAuthenticationProvider.superDigest").map(str::to_string),
        read_only_mode_enabled: sys.boolean("readonlymode.enabled", false),
        jute_max_buffer: sys.integer("jute.maxbuffer", 0xfffff, &mut warnings),
        jaas_config_path: sys.get("java.security.auth.login.config").map(|p| PathBuf::from(java_trim(p))),
        container_check_interval_ms: sys.integer("znode.container.checkIntervalMs", 60_000, &mut warnings),
        container_max_per_minute: sys.integer("znode.container.maxPerMinute", 10_000, &mut warnings),
        container_max_never_used_interval_ms: sys.long("znode.container.maxNeverUsedIntervalMs", 0, &mut warnings),
        placement,
        system_properties: props.iter().map(|(k, (v, _))| (k.clone(), v.clone())).collect(),
    };
    Ok(ParsedConfig { config, warnings })
}

#[cfg(test)]
mod tests;
