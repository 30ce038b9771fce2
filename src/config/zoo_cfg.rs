//! The zoo.cfg keys `QuorumPeerConfig.parseProperties` consumes itself (3.8 list), with its
//! value checks. Every other key falls through to the system property `zookeeper.<key>`.

use super::error::ConfigError;
use super::java_values::{java_trim, parse_int, parse_long};
use super::placement::{parse_core_list, parse_one_core};
use super::properties::Entry;
use super::server_spec::{parse_server_spec, LearnerType, ServerSpec};

/// Values read from the file's own keys (`None` = key absent).
#[derive(Debug, Clone, Default)]
pub struct FileSettings {
    pub data_dir: Option<(String, usize)>,
    pub data_log_dir: Option<(String, usize)>,
    pub client_port: Option<(i32, usize)>,
    pub client_port_address: Option<(String, usize)>,
    pub secure_client_port: Option<(i32, usize)>,
    pub secure_client_port_address: Option<(String, usize)>,
    pub client_port_listen_backlog: Option<i32>,
    pub tick_time: Option<(i32, usize)>,
    pub max_client_cnxns: Option<i32>,
    pub min_session_timeout: Option<(i32, usize)>,
    pub max_session_timeout: Option<(i32, usize)>,
    pub init_limit: Option<i32>,
    pub sync_limit: Option<i32>,
    pub election_alg: Option<i32>,
    pub peer_type: Option<LearnerType>,
    pub sync_enabled: Option<bool>,
    pub standalone_enabled: Option<bool>,
    pub reconfig_enabled: Option<bool>,
    pub local_sessions_enabled: Option<bool>,
    pub local_sessions_upgrading_enabled: Option<bool>,
    pub snap_retain_count: Option<(i32, usize)>,
    pub purge_interval: Option<i32>,
    pub dynamic_config_file: Option<(String, usize)>,
    pub quorum_sasl: [Option<bool>; 3],
    /// `server.N` lines: (id text, value, line). Parsed after the loop, like ZooKeeper.
    pub server_lines: Vec<(String, String, usize)>,
    pub metrics_provider_class: Option<(String, usize)>,
    pub cores_client: Option<Vec<Option<usize>>>,
    pub cores_pipeline: Option<Option<usize>>,
    pub cores_log: Option<Option<usize>>,
    /// Keys turned into `zookeeper.<key>` system properties: (property, value, line).
    pub fall_through: Vec<(String, String, usize)>,
}

/// Parsed file plus the warnings to log.
pub struct FileParse {
    pub settings: FileSettings,
    pub warnings: Vec<String>,
}

const DEFAULT_METRICS_PROVIDER: &str = "org.apache.zookeeper.metrics.impl.DefaultMetricsProvider";

/// Auth provider classes zkd implements (by their ZooKeeper class names).
const KNOWN_AUTH_PROVIDERS: [&str; 4] = [
    "org.apache.zookeeper.server.auth.SASLAuthenticationProvider",
    "org.apache.zookeeper.server.auth.X509AuthenticationProvider",
    "org.apache.zookeeper.server.auth.DigestAuthenticationProvider",
    "org.apache.zookeeper.server.auth.IPAuthenticationProvider",
];

/// Properties ZooKeeper reads without the `zookeeper.` prefix: in zoo.cfg they become
/// `zookeeper.<key>` and have no effect there.
const SYSTEM_ONLY: [&str; 3] = ["jute.maxbuffer", "readonlymode.enabled", "java.security.auth.login.config"];

/// One warning for a key zkd accepts but cannot honour (JVM or TLS features, system-only keys).
fn unsupported_warning(key: &str, value: &str) -> Option<String> {
    if SYSTEM_ONLY.contains(&key) || key.starts_with("znode.container.") {
        return Some(format!(
            "{key} has no effect in zoo.cfg (ZooKeeper turns it into zookeeper.{key}); pass -D{key}=... in SERVER_JVMFLAGS"
        ));
    }
    if key.starts_with("ssl.") || key == "serverCnxnFactory" || key == "client.secure" {
        return Some(format!("{key} ignored: zkd serves plain TCP only (no TLS, no Netty)"));
    }
    if key.starts_with("jvm.pause.") {
        return Some(format!("{key} ignored: there is no JVM to monitor"));
    }
    if key.starts_with("metricsProvider.") && key != "metricsProvider.className" {
        return Some(format!("{key} ignored: zkd has no pluggable metrics providers (mntr only)"));
    }
    if key.starts_with("authProvider.") && !KNOWN_AUTH_PROVIDERS.contains(&value) {
        return Some(format!("{key}={value} ignored: zkd cannot load Java auth provider classes"));
    }
    if key.starts_with("admin.") && !(key == "admin.enableServer" && value.eq_ignore_ascii_case("false")) {
        return Some(format!("{key} ignored: zkd has no AdminServer (HTTP)"));
    }
    if key == "audit.enable" {
        return Some(format!("{key} ignored: zkd writes no audit log"));
    }
    None
}

/// Quorum keys zkd's ensemble does not implement: accepted with a warning.
fn quorum_only_warning(file: &str, line: usize, key: &str) -> String {
    format!("{file}:{line}: {key} ignored: zkd's quorum does not support it (quorum setting)")
}

/// `QuorumPeerConfig.parseBoolean`.
fn boolean(file: &str, e: &Entry, key: &str, value: &str) -> Result<bool, ConfigError> {
    if value.eq_ignore_ascii_case("true") {
        Ok(true)
    } else if value.eq_ignore_ascii_case("false") {
        Ok(false)
    } else {
        Err(ConfigError::at(file, e.line, key, format!("invalid option \"{value}\": choose 'true' or 'false'")))
    }
}

fn int(file: &str, e: &Entry, key: &str, value: &str) -> Result<i32, ConfigError> {
    parse_int(value).ok_or_else(|| ConfigError::at(file, e.line, key, format!("invalid number \"{value}\"")))
}

fn long(file: &str, e: &Entry, key: &str, value: &str) -> Result<i64, ConfigError> {
    parse_long(value).ok_or_else(|| ConfigError::at(file, e.line, key, format!("invalid number \"{value}\"")))
}

/// Runs the `parseProperties` loop over the entries (in file order).
pub fn read_file_keys(file: &str, entries: &[Entry], cpus: usize) -> Result<FileParse, ConfigError> {
    let mut s = FileSettings::default();
    let mut warnings = Vec::new();
    let has_dynamic = entries.iter().any(|e| java_trim(&e.key) == "dynamicConfigFile");
    for e in entries {
        let key = java_trim(&e.key);
        let value = java_trim(&e.value);
        let at = |m: String| ConfigError::at(file, e.line, key, m);
        match key {
            "dataDir" => s.data_dir = Some((value.to_string(), e.line)),
            "dataLogDir" => s.data_log_dir = Some((value.to_string(), e.line)),
            "clientPort" => s.client_port = Some((int(file, e, key, value)?, e.line)),
            "localSessionsEnabled" => s.local_sessions_enabled = Some(boolean(file, e, key, value)?),
            "localSessionsUpgradingEnabled" => s.local_sessions_upgrading_enabled = Some(boolean(file, e, key, value)?),
            "clientPortAddress" => s.client_port_address = Some((value.to_string(), e.line)),
            "secureClientPort" => s.secure_client_port = Some((int(file, e, key, value)?, e.line)),
            "secureClientPortAddress" => s.secure_client_port_address = Some((value.to_string(), e.line)),
            "observerMasterPort" | "initLimit" | "syncLimit" | "connectToLearnerMasterLimit" | "quorum.cnxn.threads.size"
            | "multiAddress.reachabilityCheckTimeoutMs" => {
                let v = int(file, e, key, value)?;
                match key {
                    "initLimit" => s.init_limit = Some(v),
                    "syncLimit" => s.sync_limit = Some(v),
                    _ => warnings.push(quorum_only_warning(file, e.line, key)),
                }
            }
            "clientPortListenBacklog" => s.client_port_listen_backlog = Some(int(file, e, key, value)?),
            "tickTime" => s.tick_time = Some((int(file, e, key, value)?, e.line)),
            "maxClientCnxns" => s.max_client_cnxns = Some(int(file, e, key, value)?),
            "minSessionTimeout" => s.min_session_timeout = Some((int(file, e, key, value)?, e.line)),
            "maxSessionTimeout" => s.max_session_timeout = Some((int(file, e, key, value)?, e.line)),
            "electionAlg" => {
                let v = int(file, e, key, value)?;
                if v != 3 {
                    return Err(at("Invalid electionAlg value. Only 3 is supported.".to_string()));
                }
                s.election_alg = Some(v);
            }
            "peerType" => {
                s.peer_type = Some(match value.to_lowercase().as_str() {
                    "observer" => LearnerType::Observer,
                    "participant" => LearnerType::Participant,
                    _ => return Err(at(format!("Unrecognised peertype: {value}"))),
                })
            }
            "syncEnabled" => s.sync_enabled = Some(boolean(file, e, key, value)?),
            "dynamicConfigFile" => {
                warnings.push(format!("{file}:{}: dynamicConfigFile ignored: zkd does not read dynamic config files", e.line));
                s.dynamic_config_file = Some((value.to_string(), e.line));
            }
            "autopurge.snapRetainCount" => s.snap_retain_count = Some((int(file, e, key, value)?, e.line)),
            "autopurge.purgeInterval" => s.purge_interval = Some(int(file, e, key, value)?),
            "standaloneEnabled" => s.standalone_enabled = Some(boolean(file, e, key, value)?),
            "reconfigEnabled" => s.reconfig_enabled = Some(boolean(file, e, key, value)?),
            "sslQuorum" | "portUnification" | "sslQuorumReloadCertFiles" | "quorumListenOnAllIPs" | "jvm.pause.monitor"
            | "multiAddress.enabled" | "multiAddress.reachabilityCheckEnabled" => {
                let on = boolean(file, e, key, value)?;
                if key == "jvm.pause.monitor" {
                    warnings.push(format!("{file}:{}: {}", e.line, unsupported_warning(key, value).unwrap_or_default()));
                } else if key == "portUnification" && on {
                    warnings.push(format!("{file}:{}: portUnification ignored: zkd serves plain TCP only (no TLS)", e.line));
                } else if key != "portUnification" {
                    warnings.push(quorum_only_warning(file, e.line, key));
                }
            }
            "quorum.auth.enableSasl" | "quorum.auth.serverRequireSasl" | "quorum.auth.learnerRequireSasl" => {
                let v = Some(boolean(file, e, key, value)?);
                match key {
                    "quorum.auth.enableSasl" => s.quorum_sasl[0] = v,
                    "quorum.auth.serverRequireSasl" => s.quorum_sasl[1] = v,
                    _ => s.quorum_sasl[2] = v,
                }
                warnings.push(quorum_only_warning(file, e.line, key));
            }
            "quorum.auth.learner.saslLoginContext" | "quorum.auth.server.saslLoginContext" | "quorum.auth.kerberos.servicePrincipal"
            | "oraclePath" => warnings.push(quorum_only_warning(file, e.line, key)),
            "jvm.pause.info-threshold.ms" | "jvm.pause.warn-threshold.ms" | "jvm.pause.sleep.time.ms" => {
                long(file, e, key, value)?;
                warnings.push(format!("{file}:{}: {}", e.line, unsupported_warning(key, value).unwrap_or_default()));
            }
            "metricsProvider.className" => {
                if value != DEFAULT_METRICS_PROVIDER {
                    warnings.push(format!(
                        "{file}:{}: metricsProvider.className={value} ignored: zkd reports metrics through mntr only",
                        e.line
                    ));
                }
                s.metrics_provider_class = Some((value.to_string(), e.line));
            }
            k if k.starts_with("metricsProvider.") => {
                warnings.push(format!("{file}:{}: {}", e.line, unsupported_warning(key, value).unwrap_or_default()));
            }
            k if (k.starts_with("server.") || k.starts_with("group") || k.starts_with("weight")) && has_dynamic => {
                return Err(at(format!("parameter: {key} must be in a separate dynamic config file")));
            }
            "zkd.cores.client" => s.cores_client = Some(parse_core_list(value, cpus).map_err(at)?),
            "zkd.cores.pipeline" => s.cores_pipeline = Some(parse_one_core(value, cpus).map_err(at)?),
            "zkd.cores.log" => s.cores_log = Some(parse_one_core(value, cpus).map_err(at)?),
            _ => {
                // ZooKeeper: System.setProperty("zookeeper." + key, value). server.N lines take
                // this path too (and are also read as the membership below).
                if let Some(id) = key.strip_prefix("server.") {
                    s.server_lines.push((id.to_string(), value.to_string(), e.line));
                }
                if let Some(w) = unsupported_warning(key, value) {
                    warnings.push(format!("{file}:{}: {w}", e.line));
                }
                s.fall_through.push((format!("zookeeper.{key}"), value.to_string(), e.line));
            }
        }
    }
    for (key, w) in [("secureClientPort", &s.secure_client_port.map(|p| p.1)), ("secureClientPortAddress", &s.secure_client_port_address.as_ref().map(|p| p.1))] {
        if let Some(line) = w {
            warnings.push(format!("{file}:{line}: {key} ignored: zkd serves plain TCP only (no TLS)"));
        }
    }
    Ok(FileParse { settings: s, warnings })
}

/// The membership checks of `QuorumPeerConfig.parseDynamicConfig`. `multi_address`: the
/// `zookeeper.multiAddress.enabled` system property.
pub fn check_servers(
    file: &str,
    s: &FileSettings,
    standalone_enabled: bool,
    multi_address: bool,
    warnings: &mut Vec<String>,
) -> Result<Vec<ServerSpec>, ConfigError> {
    let mut servers = Vec::new();
    for (id, value, line) in &s.server_lines {
        let spec = parse_server_spec(id, value, multi_address).map_err(|m| ConfigError::at(file, *line, &format!("server.{id}"), m))?;
        servers.retain(|x: &ServerSpec| x.id != spec.id);
        servers.push(spec);
    }
    if s.dynamic_config_file.is_some() {
        return Ok(servers);
    }
    let participants = servers.iter().filter(|x| x.learner_type == LearnerType::Participant).count();
    let observers = servers.len() - participants;
    if participants == 0 {
        if !standalone_enabled {
            return Err(ConfigError::whole_file(file, "standaloneEnabled = false then number of participants should be >0"));
        }
        if observers > 0 {
            return Err(ConfigError::whole_file(file, "Observers w/o participants is an invalid configuration"));
        }
    } else if participants == 1 && standalone_enabled {
        warnings.push(format!("{file}: Invalid configuration, only one server specified (ignoring)"));
        if observers > 0 {
            return Err(ConfigError::whole_file(file, "Observers w/o quorum is an invalid configuration"));
        }
    }
    Ok(servers)
}
