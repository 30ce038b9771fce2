//! Session checks on reply zxids (ReplyHeader.zxid): ZooKeeper orders all writes by zxid, so the
//! zxids clients saw must agree with the guarantees without any search:
//! - monotonic: in a session's issue order, reply zxids never go back (FIFO writes, monotonic
//!   reads: a read never reflects an older state than the session already saw or wrote);
//! - successful writes have distinct zxids;
//! - linearizable writes: a successful write that returned before another was invoked has the smaller zxid.
//!
//! Events without a zxid, or with an unknown outcome, are skipped.

use super::types::{History, Op, Outcome};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionViolationKind {
    /// A session saw a smaller zxid after a larger one.
    ZxidWentBack,
    /// Two successful writes carry the same zxid.
    DuplicateWriteZxid,
    /// A write that returned before another write was invoked has the larger zxid.
    WriteOrder,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionViolation {
    pub kind: SessionViolationKind,
    /// The two events involved: (earlier, later).
    pub events: (u64, u64),
    pub message: String,
}

fn is_write(op: &Op) -> bool {
    !op.is_read() && !matches!(op, Op::Sync { .. }) && !matches!(op, Op::Check { .. })
}

/// All session violations (each pair reported once; at most `limit` of them).
pub fn check_sessions(h: &History, limit: usize) -> Vec<SessionViolation> {
    let mut out = Vec::new();
    let known: Vec<usize> = (0..h.events.len()).filter(|&i| h.events[i].zxid.is_some() && h.events[i].outcome != Outcome::Unknown).collect();

    // Monotonic per session, in issue order.
    let mut by_session = known.clone();
    by_session.sort_by(|&a, &b| {
        let (ea, eb) = (&h.events[a], &h.events[b]);
        (ea.session.as_str(), ea.invoke, a).cmp(&(eb.session.as_str(), eb.invoke, b))
    });
    let mut prev: Option<usize> = None;
    for &i in &by_session {
        let e = &h.events[i];
        if let Some(p) = prev {
            let pe = &h.events[p];
            if pe.session == e.session && e.zxid < pe.zxid && out.len() < limit {
                out.push(SessionViolation {
                    kind: SessionViolationKind::ZxidWentBack,
                    events: (pe.id, e.id),
                    message: format!(
                        "session {}: zxid went back from 0x{:x} (#{}) to 0x{:x} (#{}), issued later",
                        e.session,
                        pe.zxid.unwrap_or(0),
                        pe.id,
                        e.zxid.unwrap_or(0),
                        e.id
                    ),
                });
            }
            if pe.session == e.session && pe.zxid > e.zxid {
                continue; // keep the larger zxid as the session's high-water mark
            }
        }
        prev = Some(i);
    }

    // Successful writes: distinct zxids, ordered as real time orders them.
    let mut writes: Vec<usize> = known.iter().copied().filter(|&i| h.events[i].outcome == Outcome::Ok && is_write(&h.events[i].op)).collect();
    writes.sort_by_key(|&i| (h.events[i].zxid, i));
    for w in writes.windows(2) {
        let (a, b) = (&h.events[w[0]], &h.events[w[1]]);
        if a.zxid == b.zxid && out.len() < limit {
            out.push(SessionViolation {
                kind: SessionViolationKind::DuplicateWriteZxid,
                events: (a.id, b.id),
                message: format!("writes #{} and #{} both have zxid 0x{:x}", a.id, b.id, a.zxid.unwrap_or(0)),
            });
        }
    }
    // Sweep by invoke time: the largest zxid among writes that returned before this invoke must be smaller.
    let mut by_ret = writes.clone();
    by_ret.sort_by_key(|&i| h.events[i].ret.unwrap_or(u64::MAX));
    let mut by_inv = writes;
    by_inv.sort_by_key(|&i| h.events[i].invoke);
    let mut j = 0;
    let mut max_before: Option<usize> = None;
    for &i in &by_inv {
        let e = &h.events[i];
        while j < by_ret.len() && h.events[by_ret[j]].ret.unwrap_or(u64::MAX) < e.invoke {
            let c = by_ret[j];
            if max_before.map_or(true, |m| h.events[c].zxid > h.events[m].zxid) {
                max_before = Some(c);
            }
            j += 1;
        }
        if let Some(m) = max_before {
            let me = &h.events[m];
            if me.zxid > e.zxid && out.len() < limit {
                out.push(SessionViolation {
                    kind: SessionViolationKind::WriteOrder,
                    events: (me.id, e.id),
                    message: format!(
                        "write #{} (zxid 0x{:x}) returned before write #{} was invoked, yet #{} has the smaller zxid 0x{:x}",
                        me.id,
                        me.zxid.unwrap_or(0),
                        e.id,
                        e.id,
                        e.zxid.unwrap_or(0)
                    ),
                });
            }
        }
    }
    out
}
