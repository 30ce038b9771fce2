//! Gathers the facts the four-letter words report (core stats, connection counters, configuration,
//! directories, process facts) into a `FourLwContext` and renders the word with `crate::fourlw`.

use super::clock::{mono_ms, wall_ms};
use super::conn_stats::{ConnStats, Latency};
use super::ServerInfo;
use crate::fourlw::{
    self, envi_pairs, last_op_tag, ConfValues, ConnectionInfo, FourLwContext, LatencyStats, MntrValues, SessionBucket,
    WatchTables,
};
use crate::pipeline::{Core, ConnId};
use std::path::Path;

fn latency(l: &Latency) -> LatencyStats {
    LatencyStats { count: l.count, total_ms: l.total_ms, min_ms: l.min_ms, max_ms: l.max_ms }
}

/// Bytes in the files directly under `<dir>/version-2` (what ZooKeeper's `dirs` and `conf` report).
fn dir_size(dir: &Path) -> i64 {
    std::fs::read_dir(dir.join("version-2"))
        .map(|rd| rd.filter_map(|e| e.ok()?.metadata().ok()).filter(|m| m.is_file()).map(|m| m.len() as i64).sum())
        .unwrap_or(0)
}

fn fd_counts() -> (i64, i64) {
    let open = std::fs::read_dir("/proc/self/fd").map(|d| d.count() as i64).unwrap_or(-1);
    let mut lim = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit fills the struct we pass and has no other effect.
    let max = if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) } == 0 { lim.rlim_cur as i64 } else { -1 };
    (open, max)
}

/// zkd's own mntr lines: group commit (records per fdatasync as a power-of-two histogram) and
/// snapshots (how many, how many nodes are held in memory over the mapped one).
fn storage_metrics(core: &Core, info: &ServerInfo) -> Vec<(String, fourlw::MetricValue)> {
    use fourlw::MetricValue::Int;
    let s = info.log_stats.snapshot();
    let (taken, failed) = core.snapshot_counts();
    let mut v = vec![
        ("zkd_log_batches".to_string(), Int(s.batches as i64)),
        ("zkd_log_records".to_string(), Int(s.records as i64)),
        ("zkd_log_fsyncs".to_string(), Int(s.syncs as i64)),
        ("zkd_log_fsync_ns_max".to_string(), Int(s.sync_ns_max as i64)),
        ("zkd_log_fsync_ns_total".to_string(), Int(s.sync_ns_total as i64)),
        ("zkd_log_failures".to_string(), Int(s.failures as i64)),
        ("zkd_snapshots_taken".to_string(), Int(taken as i64)),
        ("zkd_snapshots_failed".to_string(), Int(failed as i64)),
        ("zkd_overlay_nodes".to_string(), Int(core.tree().overlay_len() as i64)),
    ];
    for (i, n) in s.batch_hist.iter().enumerate() {
        v.push((format!("zkd_log_batch_records_ge_{}", 1u64 << i), Int(*n as i64)));
    }
    v
}

fn context(asking: ConnId, core: &Core, conns: &ConnStats, info: &ServerInfo, trace_mask: i64, server_state: &str) -> FourLwContext {
    let stats = core.stats();
    let (now_mono, now_wall) = (mono_ms(), wall_ms());
    let cfg = &info.config;
    let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let (data_dir, log_dir) = (abs(&cfg.data_dir), abs(&cfg.data_log_dir));
    let (data_size, log_size) = (dir_size(&data_dir), dir_size(&log_dir));
    let connections = conns
        .conns
        .iter()
        .map(|(id, c)| ConnectionInfo {
            remote: c.remote,
            // The asking connection is mid-answer (no read interest), as ZooKeeper shows it.
            interest_ops: if *id == asking { 0 } else { 1 },
            outstanding: c.outstanding() as i64,
            packets_received: c.received as i64,
            packets_sent: c.sent as i64,
            session_id: c.session_id,
            last_op: if c.last_op == 0 && c.sent == 0 { "NA".to_string() } else { last_op_tag(c.last_op).to_string() },
            established_wall_ms: c.established_wall_ms,
            session_timeout_ms: c.timeout_ms,
            last_cxid: c.last_cxid as i64,
            last_zxid: c.last_zxid,
            last_response_ms: c.last_response_mono_ms,
            last_latency_ms: c.last_latency_ms,
            latency: latency(&c.latency),
        })
        .collect();
    let (open_fds, max_fds) = fd_counts();
    let mntr = MntrValues {
        uptime_ms: now_mono - info.started_mono_ms,
        watch_count: stats.watch_count as i64,
        ephemerals_count: stats.ephemerals_count as i64,
        approximate_data_size: stats.approximate_data_size,
        global_sessions: stats.sessions.len() as i64,
        open_file_descriptor_count: open_fds,
        max_file_descriptor_count: max_fds,
        extra: storage_metrics(core, info),
        ..MntrValues::default()
    };
    FourLwContext {
        running: true,
        full_version: info.full_version.clone(),
        server_state: server_state.to_string(),
        read_only: false,
        packets_received: conns.packets_received as i64,
        packets_sent: conns.packets_sent as i64,
        latency: latency(&conns.latency),
        outstanding_requests: conns.outstanding() as i64,
        last_zxid: stats.last_zxid,
        node_count: stats.node_count as i64,
        connections,
        watches: WatchTables { by_session: stats.watches_by_session.clone(), by_path: stats.watches_by_path.clone() },
        session_buckets: stats
            .session_expiry
            .iter()
            .map(|(at_mono, ids)| SessionBucket { expire_wall_ms: at_mono - now_mono + now_wall, session_ids: ids.clone() })
            .collect(),
        ephemerals: stats.ephemerals.clone(),
        connection_buckets: Vec::new(),
        conf: ConfValues::from_config(cfg, info.bound_port, &data_dir, &log_dir, data_size, log_size),
        environment: envi_pairs(&info.full_version, |k| info.env.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone())),
        trace_mask,
        digests: Vec::new(),
        mntr,
        time_zone: Default::default(),
    }
}

/// Answers one four-letter word asked on connection `conn` (which counts as a connection that
/// has received one packet, as in ZooKeeper). `server_state`: `standalone`, `leader`, `follower`
/// or `observer` (srvr/stat `Mode:`, mntr `zk_server_state`).
#[allow(clippy::too_many_arguments)] // each is a separate piece of server state the words read
pub fn answer_four_letter_word(
    conn: ConnId,
    word: &str,
    arg: Option<i64>,
    core: &Core,
    conns: &mut ConnStats,
    info: &ServerInfo,
    trace_mask: &mut i64,
    server_state: &str,
) -> String {
    conns.count_four_letter_word(conn);
    let enabled = info.config.four_lw_whitelist.is_enabled(word);
    if enabled {
        match word {
            "crst" => conns.reset_connections(),
            "srst" => conns.reset_server(),
            "stmk" => *trace_mask = arg.unwrap_or(*trace_mask),
            _ => {}
        }
    }
    let reply = fourlw::render(word, &context(conn, core, conns, info, *trace_mask, server_state), &info.config.four_lw_whitelist);
    conns.count_sent(conn, fourlw::reply_packets(&reply) as u64);
    reply
}
