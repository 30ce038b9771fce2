//! `srvr`, `stat` (StatCommand + ServerStats.toString) and `cons` (ServerCnxn.dumpConnectionInfo).

use super::java_fmt::{java_double, java_socket_address};
use super::{ConnectionInfo, FourLwContext};

/// ` /ip:port[ops](queued=..,recved=..,sent=..[,sid=...])` without a line end.
pub fn connection_line(c: &ConnectionInfo, brief: bool) -> String {
    let ops = if c.interest_ops == 0 { "0".to_string() } else { format!("{:x}", c.interest_ops) };
    let mut s = format!(
        " {}[{}](queued={},recved={},sent={}",
        java_socket_address(&c.remote),
        ops,
        c.outstanding,
        c.packets_received,
        c.packets_sent
    );
    if !brief && c.session_id != 0 {
        s.push_str(&format!(
            ",sid=0x{:x},lop={},est={},to={}",
            c.session_id, c.last_op, c.established_wall_ms, c.session_timeout_ms
        ));
        if c.last_cxid >= 0 {
            s.push_str(&format!(",lcxid=0x{:x}", c.last_cxid));
        }
        s.push_str(&format!(
            ",lzxid=0x{:x},lresp={},llat={},minlat={},avglat={},maxlat={}",
            c.last_zxid,
            c.last_response_ms,
            c.last_latency_ms,
            c.latency.min(),
            c.latency.connection_avg(),
            c.latency.max()
        ));
    }
    s.push(')');
    s
}

/// The srvr/stat block.
pub fn server_block(ctx: &FourLwContext, with_clients: bool) -> String {
    let mut out = format!("Zookeeper version: {}\n", ctx.full_version);
    if ctx.read_only {
        out.push_str("READ-ONLY mode; serving only read-only clients\n");
    }
    if with_clients {
        out.push_str("Clients:\n");
        for c in &ctx.connections {
            out.push_str(&connection_line(c, true));
            out.push('\n');
        }
        out.push('\n');
    }
    out.push_str(&format!(
        "Latency min/avg/max: {}/{}/{}\nReceived: {}\nSent: {}\nConnections: {}\nOutstanding: {}\nZxid: 0x{:x}\nMode: {}\nNode count: {}\n",
        ctx.latency.min(),
        java_double(ctx.latency.server_avg()),
        ctx.latency.max(),
        ctx.packets_received,
        ctx.packets_sent,
        ctx.connections.len(),
        ctx.outstanding_requests,
        ctx.last_zxid,
        ctx.server_state,
        ctx.node_count
    ));
    out
}

/// `cons`: one detailed line per connection, then a blank line.
pub fn cons(ctx: &FourLwContext) -> String {
    let mut out = String::new();
    for c in &ctx.connections {
        out.push_str(&connection_line(c, false));
        out.push('\n');
    }
    out.push('\n');
    out
}
