//! `mntr` (MonitorCommand): `zk_version`, `zk_server_state`, then the gauges ZooKeeperServer
//! registers (`registerMetrics`; their order is a hash order in ZooKeeper, so any order is
//! faithful), then whatever extra metrics the edge adds. Integers print plainly, other
//! numbers as Java doubles.

use super::java_fmt::java_double;
use super::FourLwContext;

/// A metric value as MonitorCommand formats it.
#[derive(Debug, Clone, PartialEq)]
pub enum MetricValue {
    Int(i64),
    Double(f64),
    Text(String),
}

impl MetricValue {
    fn text(&self) -> String {
        match self {
            MetricValue::Int(v) => v.to_string(),
            MetricValue::Double(v) => java_double(*v),
            MetricValue::Text(s) => s.clone(),
        }
    }
}

/// The mntr-only gauges (the rest comes from the context's server fields).
#[derive(Debug, Clone, PartialEq)]
pub struct MntrValues {
    pub uptime_ms: i64,
    /// Data + child watches (DataTree.getWatchCount).
    pub watch_count: i64,
    pub ephemerals_count: i64,
    pub approximate_data_size: i64,
    pub global_sessions: i64,
    pub local_sessions: i64,
    /// -1 when unknown (OSMXBean on non-Unix).
    pub open_file_descriptor_count: i64,
    pub max_file_descriptor_count: i64,
    pub connection_drop_probability: f64,
    /// -1 until the first response (BufferStats).
    pub last_client_response_size: i64,
    pub max_client_response_size: i64,
    pub min_client_response_size: i64,
    pub outstanding_tls_handshake: i64,
    pub auth_failed_count: i64,
    pub non_mtls_remote_conn_count: i64,
    pub non_mtls_local_conn_count: i64,
    /// More `zk_<name>` lines (counters, summaries) appended as given.
    pub extra: Vec<(String, MetricValue)>,
}

impl Default for MntrValues {
    fn default() -> MntrValues {
        MntrValues {
            uptime_ms: 0,
            watch_count: 0,
            ephemerals_count: 0,
            approximate_data_size: 0,
            global_sessions: 0,
            local_sessions: 0,
            open_file_descriptor_count: -1,
            max_file_descriptor_count: -1,
            connection_drop_probability: 0.0,
            last_client_response_size: -1,
            max_client_response_size: -1,
            min_client_response_size: -1,
            outstanding_tls_handshake: 0,
            auth_failed_count: 0,
            non_mtls_remote_conn_count: 0,
            non_mtls_local_conn_count: 0,
            extra: Vec::new(),
        }
    }
}

pub fn mntr(ctx: &FourLwContext) -> String {
    use MetricValue::{Double, Int, Text};
    let m = &ctx.mntr;
    let mut lines: Vec<(&str, MetricValue)> = vec![
        ("version", Text(ctx.full_version.clone())),
        ("server_state", Text(ctx.server_state.clone())),
        ("avg_latency", Double(ctx.latency.server_avg())),
        ("max_latency", Int(ctx.latency.max())),
        ("min_latency", Int(ctx.latency.min())),
        ("packets_received", Int(ctx.packets_received)),
        ("packets_sent", Int(ctx.packets_sent)),
        ("num_alive_connections", Int(ctx.connections.len() as i64)),
        ("outstanding_requests", Int(ctx.outstanding_requests)),
        ("uptime", Int(m.uptime_ms)),
        ("znode_count", Int(ctx.node_count)),
        ("watch_count", Int(m.watch_count)),
        ("ephemerals_count", Int(m.ephemerals_count)),
        ("approximate_data_size", Int(m.approximate_data_size)),
        ("global_sessions", Int(m.global_sessions)),
        ("local_sessions", Int(m.local_sessions)),
        ("open_file_descriptor_count", Int(m.open_file_descriptor_count)),
        ("max_file_descriptor_count", Int(m.max_file_descriptor_count)),
        ("connection_drop_probability", Double(m.connection_drop_probability)),
        ("last_client_response_size", Int(m.last_client_response_size)),
        ("max_client_response_size", Int(m.max_client_response_size)),
        ("min_client_response_size", Int(m.min_client_response_size)),
        ("outstanding_tls_handshake", Int(m.outstanding_tls_handshake)),
        ("auth_failed_count", Int(m.auth_failed_count)),
        ("non_mtls_remote_conn_count", Int(m.non_mtls_remote_conn_count)),
        ("non_mtls_local_conn_count", Int(m.non_mtls_local_conn_count)),
    ];
    lines.extend(m.extra.iter().map(|(k, v)| (k.as_str(), v.clone())));
    lines.iter().map(|(k, v)| format!("zk_{k}\t{}\n", v.text())).collect()
}
