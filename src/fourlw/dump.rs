//! `dump` (SessionTracker, ephemerals, NIO connection expiry) and the watch words
//! (`WatchManager.toString` / `dumpWatches`, data watches only).

use super::java_fmt::{java_date, java_socket_address};
use super::{FourLwContext, WatchTables};

pub fn dump(ctx: &FourLwContext) -> String {
    let mut out = String::from("SessionTracker dump:\n");
    let sessions: usize = ctx.session_buckets.iter().map(|b| b.session_ids.len()).sum();
    out.push_str(&format!("Session Sets ({})/({}):\n", ctx.session_buckets.len(), sessions));
    for b in &ctx.session_buckets {
        out.push_str(&format!("{} expire at {}:\n", b.session_ids.len(), java_date(b.expire_wall_ms, &ctx.time_zone)));
        for id in &b.session_ids {
            out.push_str(&format!("\t0x{id:x}\n"));
        }
    }
    out.push_str("ephemeral nodes dump:\n");
    out.push_str(&format!("Sessions with Ephemerals ({}):\n", ctx.ephemerals.len()));
    for (id, paths) in &ctx.ephemerals {
        out.push_str(&format!("0x{id:x}:\n"));
        for p in paths {
            out.push_str(&format!("\t{p}\n"));
        }
    }
    out.push_str("Connections dump:\n");
    let conns: usize = ctx.connection_buckets.iter().map(|b| b.connections.len()).sum();
    out.push_str(&format!("Connections Sets ({})/({}):\n", ctx.connection_buckets.len(), conns));
    for b in &ctx.connection_buckets {
        out.push_str(&format!("{} expire at {}:\n", b.connections.len(), java_date(b.expire_wall_ms, &ctx.time_zone)));
        for (addr, sid) in &b.connections {
            out.push_str(&format!("\tip: {} sessionId: 0x{sid:x}\n", java_socket_address(addr)));
        }
    }
    out
}

pub fn wchs(w: &WatchTables) -> String {
    let total: usize = w.by_session.iter().map(|(_, p)| p.len()).sum();
    format!("{} connections watching {} paths\nTotal watches:{}\n", w.by_session.len(), w.by_path.len(), total)
}

pub fn wchc(w: &WatchTables) -> String {
    let mut out = String::new();
    for (sid, paths) in &w.by_session {
        out.push_str(&format!("0x{sid:x}\n"));
        for p in paths {
            out.push_str(&format!("\t{p}\n"));
        }
    }
    out.push('\n');
    out
}

pub fn wchp(w: &WatchTables) -> String {
    let mut out = String::new();
    for (path, sids) in &w.by_path {
        out.push_str(&format!("{path}\n"));
        for sid in sids {
            out.push_str(&format!("\t0x{sid:x}\n"));
        }
    }
    out.push('\n');
    out
}
