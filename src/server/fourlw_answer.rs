//! Builds the four-letter-word answers from the core's and the edge's counters.

use super::conn_stats::ConnStats;
use super::ServerInfo;
use crate::pipeline::Core;

pub fn answer_four_letter_word(word: &str, _arg: Option<i64>, core: &Core, conns: &mut ConnStats, _info: &ServerInfo) -> String {
    let stats = core.stats();
    match word {
        "ruok" => "imok".to_string(),
        "srvr" => format!(
            "Zookeeper version: 3.8.4-zkd, built on unknown\nLatency min/avg/max: {}/{:.4}/{}\nReceived: {}\nSent: {}\nConnections: {}\nOutstanding: {}\nZxid: 0x{:x}\nMode: standalone\nNode count: {}\n",
            conns.latency.min_ms, conns.latency.avg(), conns.latency.max_ms, conns.packets_received, conns.packets_sent,
            conns.conns.len(), conns.outstanding(), stats.last_zxid, stats.node_count
        ),
        "mntr" => format!("zk_version\t3.8.4-zkd\nzk_server_state\tstandalone\nzk_znode_count\t{}\n", stats.node_count),
        other => format!("{other} is not executed because it is not in the whitelist.\n"),
    }
}
