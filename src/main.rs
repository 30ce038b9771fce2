//! `zkd [zoo.cfg]`: starts a standalone server or, with `server.N` lines, an ensemble member, the way `QuorumPeerMain zoo.cfg` starts ZooKeeper.
//! This file is start-up glue only: read files and environment, recover, start the executors,
//! wait for SIGTERM/SIGINT.

use clap::Parser;
use std::time::Duration;
use zkd::config::{cli::Cli, parse_config, ConfigFile, ConfigSources, ServerConfig};
use zkd::pipeline::CoreConfig;
use zkd::server::{ConnLimits, CorePlacement, LogParams, ServerInfo, ServerParams};

fn fail(msg: impl std::fmt::Display) -> ! {
    eprintln!("zkd: {msg}");
    std::process::exit(2);
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if zkd::tools::is_tool_invocation(&args) {
        let tool = <zkd::tools::ToolCli as clap::Parser>::parse();
        std::process::exit(zkd::tools::run(tool));
    }
    let cli = Cli::parse();
    let filter = cli.log_level.clone().or_else(|| std::env::var("ZKD_LOG").ok()).unwrap_or_else(|| "info".into());
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_new(&filter).unwrap_or_else(|e| fail(format!("--log-level: {e}"))))
        .with_writer(std::io::stderr)
        .init();
    let default_panic = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        // A panicking executor must take the process down rather than leave a half-alive server.
        default_panic(info);
        std::process::abort();
    }));

    let mut cfg = load_config(&cli);
    // Absolute paths: the io_uring directory open of the log does not resolve relative ones, and
    // `conf`/`dirs` report absolute paths as ZooKeeper does.
    for dir in [&mut cfg.data_dir, &mut cfg.data_log_dir] {
        *dir = std::path::absolute(&*dir).unwrap_or_else(|e| fail(format!("{}: {e}", dir.display())));
    }
    let started_mono_ms = zkd::server::mono_ms();
    let core = core_config(&cfg, started_mono_ms);
    if cfg.is_quorum() {
        let name = cli.config.as_ref().map(|p| p.display().to_string()).unwrap_or_default();
        run_member(cfg, &name, core, started_mono_ms);
    }

    let recovered = zkd::server::recover_tree(&cfg.data_dir, &cfg.data_log_dir, core.extended_types_enabled)
        .unwrap_or_else(|e| fail(format!("recovery failed: {e}")));
    tracing::info!(
        snapshot_zxid = ?recovered.snapshot_zxid.map(|z| format!("0x{z:x}")),
        replayed = recovered.replayed,
        last_zxid = ?recovered.last_zxid.map(|z| format!("0x{z:x}")),
        "recovered"
    );
    let log_options = log_options(&cfg);

    let log_stats = zkd_storage::LogStats::new();
    let placement = CorePlacement {
        client: cfg.placement.client.clone(),
        pipeline: cfg.placement.pipeline,
        log: cfg.placement.log,
    };
    let params = ServerParams {
        client_addr: cfg.client_addr,
        listen_backlog: cfg.client_port_listen_backlog,
        placement,
        limits: ConnLimits {
            max_frame: cfg.jute_max_buffer.max(0) as usize,
            sessionless_timeout: Duration::from_millis(cfg.sessionless_cnxn_timeout_ms.max(1) as u64),
        },
        max_client_cnxns: cfg.max_client_cnxns.max(0) as usize,
        tick: Duration::from_millis(cfg.tick_time_ms.max(1) as u64),
        core,
        log: LogParams {
            dir: zkd_storage::log_dir(&cfg.data_log_dir),
            options: log_options,
            last_zxid: recovered.last_zxid,
            stats: log_stats.clone(),
        },
        tree: Some(recovered.tree),
        snap_dir: zkd_storage::snapshot::snapshot_dir(&cfg.data_dir),
        replayed: recovered.replayed,
        autopurge: (cfg.autopurge_purge_interval_hours > 0).then(|| zkd::server::AutoPurge {
            snap_dir: zkd_storage::snapshot::snapshot_dir(&cfg.data_dir),
            log_dir: zkd_storage::log_dir(&cfg.data_log_dir),
            retain: cfg.autopurge_snap_retain_count.max(3) as usize,
            interval: Duration::from_secs(cfg.autopurge_purge_interval_hours as u64 * 3600),
        }),
        info: ServerInfo {
            bound_port: cfg.client_addr.port(),
            full_version: zkd::fourlw::zkd_full_version(option_env!("ZKD_BUILD_DATE").unwrap_or("unknown")),
            env: environment(),
            started_mono_ms,
            log_stats,
            config: cfg,
        },
    };
    let server = zkd::server::start(params).unwrap_or_else(|e| fail(format!("cannot start: {e}")));
    tracing::info!(addr = %server.local_addr, "serving clients");
    wait_for_signal();
}

/// Runs until SIGTERM/SIGINT, then exits 0.
fn wait_for_signal() -> ! {
    let mut signals = signal_hook::iterator::Signals::new([signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT])
        .unwrap_or_else(|e| fail(format!("cannot install signal handlers: {e}")));
    if let Some(sig) = signals.forever().next() {
        // Every acknowledged write is already fdatasync'ed: stopping here loses nothing.
        tracing::info!(signal = sig, "shutting down");
    }
    std::process::exit(0);
}

/// A replicated member (`server.N` lines): `<dataDir>/myid` names this server.
fn run_member(cfg: ServerConfig, cfg_name: &str, core: CoreConfig, started_mono_ms: i64) -> ! {
    let myid_path = cfg.data_dir.join("myid");
    let contents = myid_path.is_file().then(|| std::fs::read(&myid_path).unwrap_or_else(|e| fail(format!("{}: {e}", myid_path.display()))));
    let my_id = zkd::config::myid::parse_myid(contents.as_deref()).unwrap_or_else(|e| fail(format!("{}: {e}", myid_path.display())));
    let node = zkd::config::quorum::node_config(&cfg, my_id, core).unwrap_or_else(|e| fail(format!("{cfg_name}: {e}")));
    let quorum_addr = |s: &zkd::config::ServerSpec| -> std::net::SocketAddr {
        use std::net::ToSocketAddrs;
        let a = &s.addresses[0];
        (a.host.as_str(), a.quorum_port)
            .to_socket_addrs()
            .ok()
            .and_then(|mut it| it.next())
            .unwrap_or_else(|| fail(format!("{cfg_name}: server.{}: cannot resolve {}", s.id, a.host)))
    };
    let me = cfg.servers.iter().find(|s| s.id == my_id).map(quorum_addr).unwrap_or_else(|| fail(format!("My id {my_id} not in the peer list")));
    let peers = cfg.servers.iter().filter(|s| s.id != my_id).map(|s| (s.id as u64, quorum_addr(s))).collect();

    let recovered = zkd::server::recover_member(&cfg.data_dir, &cfg.data_log_dir, node.core.extended_types_enabled)
        .unwrap_or_else(|e| fail(format!("recovery failed: {e}")));
    for n in &recovered.notes {
        tracing::warn!("{n}");
    }
    tracing::info!(my_id, last_zxid = ?recovered.last_zxid.map(|z| format!("0x{z:x}")), "recovered ensemble member");
    let log_stats = zkd_storage::LogStats::new();
    let params = zkd::server::ensemble_host::EnsembleParams {
        client_addr: cfg.client_addr,
        listen_backlog: cfg.client_port_listen_backlog,
        cpu: cfg.placement.pipeline,
        limits: ConnLimits {
            max_frame: cfg.jute_max_buffer.max(0) as usize,
            sessionless_timeout: Duration::from_millis(cfg.sessionless_cnxn_timeout_ms.max(1) as u64),
        },
        max_client_cnxns: cfg.max_client_cnxns.max(0) as usize,
        tick: Duration::from_millis(cfg.tick_time_ms.max(1) as u64),
        node,
        restart: recovered.restart,
        quorum_addr: me,
        peers,
        log: LogParams {
            dir: zkd_storage::log_dir(&cfg.data_log_dir),
            options: log_options(&cfg),
            last_zxid: recovered.last_zxid,
            stats: log_stats.clone(),
        },
        snap_dir: zkd_storage::snapshot::snapshot_dir(&cfg.data_dir),
        info: ServerInfo {
            bound_port: cfg.client_addr.port(),
            full_version: zkd::fourlw::zkd_full_version(option_env!("ZKD_BUILD_DATE").unwrap_or("unknown")),
            env: environment(),
            started_mono_ms,
            log_stats,
            config: cfg,
        },
    };
    let server = zkd::server::ensemble_host::start(params).unwrap_or_else(|e| fail(format!("cannot start: {e}")));
    tracing::info!(addr = %server.local_addr, my_id, "ensemble member serving");
    wait_for_signal();
}

fn log_options(cfg: &ServerConfig) -> zkd_storage::LogOptions {
    zkd_storage::LogOptions {
        pre_alloc_size: (cfg.pre_alloc_size_kb.max(4) as u64) * 1024,
        force_sync: cfg.force_sync,
        ..zkd_storage::LogOptions::default()
    }
}

fn load_config(cli: &Cli) -> ServerConfig {
    let contents = cli.config.as_ref().map(|p| std::fs::read(p).unwrap_or_else(|e| fail(format!("cannot read {}: {e}", p.display()))));
    let name = cli.config.as_ref().map(|p| p.display().to_string()).unwrap_or_default();
    let server_jvmflags = std::env::var("SERVER_JVMFLAGS").unwrap_or_default();
    let jvmflags = std::env::var("JVMFLAGS").unwrap_or_default();
    let resolve = |host: &str| {
        use std::net::ToSocketAddrs;
        (host, 0).to_socket_addrs().ok()?.next().map(|a| a.ip())
    };
    let sources = ConfigSources {
        file: contents.as_deref().map(|c| ConfigFile { name: &name, contents: c }),
        server_jvmflags: &server_jvmflags,
        jvmflags: &jvmflags,
        cpus: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        overrides: cli.overrides(),
        resolve_host: Some(&resolve),
    };
    let parsed = parse_config(&sources).unwrap_or_else(|e| fail(e));
    for w in &parsed.warnings {
        tracing::warn!("{w}");
    }
    parsed.config
}

fn core_config(cfg: &ServerConfig, mono_ms: i64) -> CoreConfig {
    let mut core = cfg.core_config(mono_ms);
    core.enforce_quota = cfg.enforce_quota;
    core.max_buffer = cfg.jute_max_buffer.max(0) as usize;
    core.snap_count = cfg.snap_count.max(2) as i64;
    let prop = |k: &str| cfg.system_properties.get(k).cloned();
    if let Some(path) = &cfg.jaas_config_path {
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| fail(format!("cannot read JAAS file {}: {e}", path.display())));
        let section = prop("zookeeper.sasl.serverconfig").unwrap_or_else(|| "Server".to_string());
        match zkd::auth::sasl::jaas_digest_users(&text, &section) {
            Ok(Some(users)) => {
                core.sasl_enabled = true;
                core.sasl_users = users;
            }
            Ok(None) => {}
            Err(e) => fail(format!("{}: {e}", path.display())),
        }
    }
    core.sasl_super_users = cfg
        .system_properties
        .iter()
        .filter(|(k, _)| *k == "zookeeper.superUser" || k.starts_with("zookeeper.superUser."))
        .map(|(_, v)| v.clone())
        .collect();
    core.sasl_super_password = prop("zookeeper.SASLAuthenticationProvider.superPassword");
    core.random_seed = random_seed();
    core
}

/// 32 bytes from the kernel's CSPRNG: seeds the core's SASL nonces (the core itself has no randomness).
fn random_seed() -> [u8; 32] {
    let mut seed = [0u8; 32];
    use std::io::Read;
    if let Err(e) = std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut seed)) {
        fail(format!("cannot read /dev/urandom: {e}"));
    }
    seed
}

/// Values for the `envi` four-letter word (Java system-property names, as ZooKeeper reports them).
fn environment() -> Vec<(String, String)> {
    let mut env = Vec::new();
    let mut push = |k: &str, v: Option<String>| {
        if let Some(v) = v {
            env.push((k.to_string(), v));
        }
    };
    push("host.name", std::fs::read_to_string("/proc/sys/kernel/hostname").ok().map(|s| s.trim().to_string()));
    push("os.name", Some("Linux".to_string()));
    push("os.arch", Some(zkd::fourlw::java_os_arch(std::env::consts::ARCH).to_string()));
    push("os.version", std::fs::read_to_string("/proc/sys/kernel/osrelease").ok().map(|s| s.trim().to_string()));
    push("user.name", std::env::var("USER").ok().or_else(user_name));
    push("user.home", std::env::var("HOME").ok());
    push("user.dir", std::env::current_dir().ok().map(|p| p.display().to_string()));
    push("java.io.tmpdir", Some(std::env::temp_dir().display().to_string()));
    env
}

/// The effective user's login name (Java's user.name), from the password database.
fn user_name() -> Option<String> {
    // SAFETY: getpwuid returns a pointer into static storage (or null); we copy the name out at once.
    unsafe {
        let pw = libc::getpwuid(libc::geteuid());
        if pw.is_null() || (*pw).pw_name.is_null() {
            return None;
        }
        Some(std::ffi::CStr::from_ptr((*pw).pw_name).to_string_lossy().into_owned())
    }
}
