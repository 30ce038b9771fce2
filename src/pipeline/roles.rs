//! Ensemble roles in the pipeline (ZooKeeper's FollowerRequestProcessor / Learner on one side,
//! the leader's LearnerHandler feeding its PrepRequestProcessor on the other).
//!
//! A follower serves reads itself, forwards writes, createSession and sync to the leader and applies
//! the leader's commits in zxid order. The leader runs each forwarded packet through its own pipeline
//! on a stand-in connection per (follower, session), so validation, ordering and error replies are
//! exactly the standalone ones, and sends every reply back as an answer tagged with the zxid the
//! leader had applied. The follower releases an answer only once it has applied that zxid itself:
//! a client never reads behind its own write, and sync means "caught up with the leader".

use super::connection::{Conn, ConnState, Slot};
use super::core::{is_write_op, Core};
use super::{ConnId, ForwardedPacket, Output, RemoteAnswer};
use crate::txn::{Txn, TxnEntry};
use crate::wire::{op, RequestHeader};
use std::collections::{BTreeMap, HashMap};
use std::net::Ipv4Addr;

/// Stand-in connection ids on the leader have the top bit set; the edge never hands those out.
pub(super) const REMOTE_CONN: u64 = 1 << 63;

#[derive(Debug, Default)]
pub struct EnsembleState {
    /// Leader: stand-in connection per (follower id, session), and back.
    remote_conns: HashMap<(u64, i64), ConnId>,
    remote_of: HashMap<ConnId, (u64, i64)>,
    next_remote: u64,
    /// Follower: sessions its clients touched since the last report (id -> timeout).
    pub(super) touched: HashMap<i64, i32>,
    /// Follower: the local connection of each session with forwarded packets.
    by_session: HashMap<i64, ConnId>,
    /// Follower: connections holding an answer until the zxid it names is applied here.
    gated: BTreeMap<i64, Vec<ConnId>>,
}

/// Requests a follower hands to the leader.
pub(super) fn forwarded_op(op_code: i32) -> bool {
    is_write_op(op_code) || op_code == op::SYNC || op_code == op::CREATE_SESSION
}

impl Core {
    // ---- follower ----

    pub(super) fn forward_packet(&mut self, conn: ConnId, session: i64, timeout: i32, header: RequestHeader, body: Vec<u8>, out: &mut Vec<Output>) {
        let Some(c) = self.conns.get(&conn) else { return };
        let ids = c.ids.clone();
        self.ensemble.by_session.insert(session, conn);
        out.push(Output::Forward(ForwardedPacket { session, timeout, header, body, ids }));
        self.push_slot(conn, Slot::Remote, out);
    }

    /// A new session's handshake on a follower: the leader logs its createSession.
    pub(super) fn forward_create_session(&mut self, mut c: Conn, out: &mut Vec<Output>) {
        c.state = ConnState::AwaitingSession { zxid: 0 };
        let (conn, session, timeout) = (c.id, c.session, c.timeout);
        let header = RequestHeader { xid: 0, op: op::CREATE_SESSION };
        let packet = ForwardedPacket { session, timeout, header, body: timeout.to_be_bytes().to_vec(), ids: c.ids.clone() };
        self.conns.insert(conn, c);
        self.ensemble.by_session.insert(session, conn);
        out.push(Output::Forward(packet));
    }

    pub(super) fn handle_answer(&mut self, session: i64, zxid: i64, answer: RemoteAnswer, out: &mut Vec<Output>) {
        let Some(&conn) = self.ensemble.by_session.get(&session) else { return };
        let Some(c) = self.conns.get(&conn) else {
            self.ensemble.by_session.remove(&session);
            return;
        };
        if c.session != session {
            return;
        }
        let awaiting = matches!(c.state, ConnState::AwaitingSession { .. });
        let resp = self.connect_response(c.timeout, session, c.read_only_flag);
        let Some(c) = self.conns.get_mut(&conn) else { return };
        match answer {
            RemoteAnswer::Reply { header, body, close } => {
                c.fill_remote(Slot::RemoteReady { header, body, close, zxid });
            }
            RemoteAnswer::Connected { close_after: true, .. } => {
                self.close_conn(conn, out);
                return;
            }
            RemoteAnswer::Connected { .. } if awaiting => c.state = ConnState::AwaitingSession { zxid },
            RemoteAnswer::Connected { .. } => {
                c.fill_remote(Slot::RemoteHandshake { resp, zxid });
            }
            RemoteAnswer::Close => {
                self.close_conn(conn, out);
                return;
            }
        }
        if zxid <= self.tree.last_processed_zxid {
            self.release(conn, out);
        } else {
            self.ensemble.gated.entry(zxid).or_default().push(conn);
        }
    }

    /// The answer `conn` holds may go out now.
    fn release(&mut self, conn: ConnId, out: &mut Vec<Output>) {
        match self.conns.get(&conn).map(|c| c.state.clone()) {
            Some(ConnState::AwaitingSession { zxid }) if zxid != 0 && zxid <= self.tree.last_processed_zxid => {
                self.finish_session_init(conn, out)
            }
            Some(ConnState::AwaitingSession { .. }) | None => {}
            Some(ConnState::Established) => self.drain(conn, out),
        }
    }

    /// The leader's next commit: apply it, then release answers that waited for it.
    pub(super) fn handle_committed(&mut self, mut entry: TxnEntry, out: &mut Vec<Output>) {
        let h = entry.header;
        if h.zxid <= self.tree.last_processed_zxid {
            return; // already applied (a resent commit)
        }
        if let Txn::CreateSession { timeout } = entry.txn {
            self.sessions.add(h.client_id, timeout, self.now.mono_ms);
        }
        self.apply_and_notify(&mut entry, out);
        self.count_for_snapshot(out);
        if h.op == op::CLOSE_SESSION {
            // Expired, or closed through another server: this server's connections of the session
            // go, except one still waiting for the leader's answer (which carries the close).
            let bound: Vec<ConnId> = self
                .conns
                .values()
                .filter(|c| c.session == h.client_id && !c.queue.iter().any(|s| matches!(s, Slot::Remote | Slot::RemoteReady { .. })))
                .map(|c| c.id)
                .collect();
            for c in bound {
                self.close_conn(c, out);
            }
        }
        let last = self.tree.last_processed_zxid;
        while let Some((&z, _)) = self.ensemble.gated.first_key_value() {
            if z > last {
                break;
            }
            for conn in self.ensemble.gated.remove(&z).unwrap_or_default() {
                self.release(conn, out);
            }
        }
    }

    pub(super) fn report_touches(&mut self, out: &mut Vec<Output>) {
        if !self.ensemble.touched.is_empty() {
            let mut sessions: Vec<(i64, i32)> = self.ensemble.touched.drain().collect();
            sessions.sort_unstable();
            out.push(Output::Touched(sessions));
        }
    }

    pub(super) fn forget_remote_session(&mut self, conn: ConnId) {
        self.ensemble.by_session.retain(|_, c| *c != conn);
    }

    // ---- leader ----

    pub(super) fn handle_forwarded(&mut self, server: u64, p: ForwardedPacket, out: &mut Vec<Output>) {
        let new_session = p.header.op == op::CREATE_SESSION && !self.sessions.is_live(p.session) && !self.tree.sessions().contains_key(&p.session);
        if new_session {
            self.sessions.add(p.session, p.timeout, self.now.mono_ms);
        } else if !self.sessions.is_live(p.session) {
            // Expired or closing: the follower's client must not wait for an answer that never comes.
            let zxid = self.tree.last_processed_zxid;
            out.push(Output::Answer { server, session: p.session, zxid, answer: RemoteAnswer::Close });
            return;
        }
        let conn = self.remote_conn(server, p.session, p.timeout);
        if let Some(c) = self.conns.get_mut(&conn) {
            c.ids = p.ids;
            c.timeout = p.timeout;
        }
        self.handle_packet(conn, p.header, p.body, out);
    }

    /// The stand-in connection for `session` at follower `server` (a session that moved from another
    /// follower leaves its old stand-in behind).
    fn remote_conn(&mut self, server: u64, session: i64, timeout: i32) -> ConnId {
        if let Some(&c) = self.ensemble.remote_conns.get(&(server, session)) {
            return c;
        }
        let moved: Vec<(u64, i64)> = self.ensemble.remote_conns.keys().filter(|k| k.1 == session).copied().collect();
        for key in moved {
            if let Some(old) = self.ensemble.remote_conns.remove(&key) {
                self.ensemble.remote_of.remove(&old);
                self.forget_conn(old);
            }
        }
        self.ensemble.next_remote += 1;
        let id = REMOTE_CONN | self.ensemble.next_remote;
        let mut c = Conn::new(id, Ipv4Addr::UNSPECIFIED.into(), timeout, None);
        c.session = session;
        self.conns.insert(id, c);
        self.ensemble.remote_conns.insert((server, session), id);
        self.ensemble.remote_of.insert(id, (server, session));
        id
    }

    pub(super) fn handle_touches(&mut self, sessions: Vec<(i64, i32)>) {
        for (id, timeout) in sessions {
            self.sessions.touch(id, timeout, self.now.mono_ms);
        }
    }

    /// Turns outputs for stand-in connections (from `first` on) into answers for their followers.
    pub(super) fn route_remote_outputs(&mut self, first: usize, out: &mut Vec<Output>) {
        if self.ensemble.remote_of.is_empty() {
            return;
        }
        let tail: Vec<Output> = out.drain(first..).collect();
        for o in tail {
            let conn = match &o {
                Output::Reply { conn, .. } | Output::Connected { conn, .. } | Output::Close { conn } | Output::Event { conn, .. } => Some(*conn),
                _ => None,
            };
            let Some(&(server, session)) = conn.and_then(|c| self.ensemble.remote_of.get(&c)) else {
                out.push(o);
                continue;
            };
            let last = self.tree.last_processed_zxid;
            match o {
                Output::Reply { header, body, .. } => {
                    let zxid = header.zxid.max(0);
                    out.push(Output::Answer { server, session, zxid, answer: RemoteAnswer::Reply { header, body, close: false } });
                }
                Output::Connected { resp, close_after, .. } => {
                    out.push(Output::Answer { server, session, zxid: last, answer: RemoteAnswer::Connected { resp, close_after } });
                }
                Output::Close { conn } => {
                    // A close right behind this connection's reply travels with it.
                    match out.last_mut() {
                        Some(Output::Answer { server: s, session: id, answer: RemoteAnswer::Reply { close, .. }, .. }) if *s == server && *id == session => {
                            *close = true
                        }
                        _ => out.push(Output::Answer { server, session, zxid: last, answer: RemoteAnswer::Close }),
                    }
                    self.ensemble.remote_of.remove(&conn);
                    self.ensemble.remote_conns.remove(&(server, session));
                }
                // Stand-ins only carry writes and sync: they hold no watches.
                _ => {}
            }
        }
    }
}
