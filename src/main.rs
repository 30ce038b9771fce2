//! `zkd [zoo.cfg]`: starts a standalone server the way `QuorumPeerMain zoo.cfg` starts ZooKeeper.

use std::collections::HashMap;
use std::time::Duration;
use zkd::pipeline::CoreConfig;
use zkd::server::{ConnLimits, CorePlacement, ServerInfo, ServerParams};

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("ZKD_LOG").unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        .init();
    let default_panic = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        // A panicking executor must take the process down rather than leave a half-alive server.
        default_panic(info);
        std::process::abort();
    }));

    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut kv: HashMap<String, String> = HashMap::new();
    if let Some(path) = args.first() {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("zkd: cannot read {path}: {e}");
                std::process::exit(2);
            }
        };
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some((k, v)) = line.split_once('=') {
                kv.insert(k.trim().to_string(), v.trim().to_string());
            }
        }
    }
    let get = |k: &str, d: i64| kv.get(k).and_then(|v| v.parse::<i64>().ok()).unwrap_or(d);
    let tick = get("tickTime", 2000);
    let port = get("clientPort", 2181) as u16;
    let addr = kv.get("clientPortAddress").cloned().unwrap_or_else(|| "127.0.0.1".into());
    let client_addr = format!("{addr}:{port}").parse().expect("client address");
    let core = CoreConfig {
        tick_time_ms: tick,
        min_session_timeout_ms: get("minSessionTimeout", tick * 2) as i32,
        max_session_timeout_ms: get("maxSessionTimeout", tick * 20) as i32,
        initial_mono_ms: 1_000_000,
        extended_types_enabled: kv.get("extendedTypesEnabled").map(|v| v == "true").unwrap_or(false),
        ..CoreConfig::default()
    };
    let data_dir = std::path::PathBuf::from(kv.get("dataDir").cloned().unwrap_or_else(|| "zkd-data".into()));
    let data_log_dir = kv.get("dataLogDir").map(std::path::PathBuf::from).unwrap_or_else(|| data_dir.clone());
    let recovered = match zkd::server::recover_tree(&data_log_dir, core.extended_types_enabled) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("zkd: recovery failed: {e}");
            std::process::exit(1);
        }
    };
    tracing::info!(replayed = recovered.replayed, last_zxid = ?recovered.last_zxid, "recovered the transaction log");
    let mut log_options = zkd_storage::LogOptions::default();
    log_options.force_sync = kv.get("forceSync").map(|v| v != "no").unwrap_or(true);
    let params = ServerParams {
        client_addr,
        listen_backlog: -1,
        placement: CorePlacement { client: vec![None], pipeline: None, log: None },
        limits: ConnLimits { max_frame: 0xfffff, sessionless_timeout: Duration::from_millis(10_000) },
        max_client_cnxns: get("maxClientCnxns", 60) as usize,
        tick: Duration::from_millis(tick as u64),
        core,
        info: ServerInfo::default(),
        log: zkd::server::LogParams {
            dir: zkd_storage::log_dir(&data_log_dir),
            options: log_options,
            last_zxid: recovered.last_zxid,
            stats: zkd_storage::LogStats::new(),
        },
        tree: Some(recovered.tree),
    };
    let server = match zkd::server::start(params) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("zkd: cannot start: {e}");
            std::process::exit(1);
        }
    };
    tracing::info!(addr = %server.local_addr, "serving clients");
    let mut signals = signal_hook::iterator::Signals::new([signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT])
        .expect("signal handlers");
    if let Some(sig) = signals.forever().next() {
        tracing::info!(signal = sig, "shutting down");
    }
    std::process::exit(0);
}
