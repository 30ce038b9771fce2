//! The handshake (processConnectRequest / reopenSession) and session expiry. Ids, passwords and
//! expiry buckets are `crate::session`'s.

use super::connection::{Conn, ConnState};
use super::core::{Core, Origin};
use super::{ConnId, Output};
use crate::session::session_password;
use crate::txn::Txn;
use crate::wire::{op, ConnectRequest, ConnectResponse};

impl Core {
    pub(super) fn handle_connect(&mut self, conn: ConnId, remote: std::net::SocketAddr, req: ConnectRequest, out: &mut Vec<Output>) {
        if self.cfg.read_only && req.read_only != Some(true) {
            out.push(Output::Close { conn });
            return;
        }
        if req.last_zxid_seen > self.tree.last_processed_zxid {
            out.push(Output::Close { conn });
            return;
        }
        let t = req.timeout.max(self.cfg.min_session_timeout_ms).min(self.cfg.max_session_timeout_ms);
        let mut c = Conn::new(conn, remote.ip(), t, req.read_only);
        let now = self.now.mono_ms;
        if req.session_id == 0 {
            let id = self.session_ids.next();
            self.sessions.add(id, t, now);
            c.session = id;
            if self.log_failed {
                // Nothing can be logged any more: the session lives in memory only (like the local
                // sessions of ZooKeeper's read-only server), so reads stay possible; writes are
                // refused with NotReadOnly.
                c.state = ConnState::Established;
                out.push(Output::Connected { conn, resp: self.connect_response(t, id, req.read_only), close_after: false });
                self.conns.insert(conn, c);
                return;
            }
            if self.cfg.role == super::Role::Follower {
                // Sessions are global: the leader logs the createSession; the handshake is
                // answered once this server has applied it.
                self.forward_create_session(c, out);
                return;
            }
            let zxid = self.append_txn(id, 0, op::CREATE_SESSION, Txn::CreateSession { timeout: t }, Origin::CreateSession { conn }, out);
            c.state = ConnState::AwaitingSession { zxid };
            self.conns.insert(conn, c);
            return;
        }
        let id = req.session_id;
        // Any other connection bound to this session is closed first (reason client_reconnect).
        let others: Vec<ConnId> = self.conns.values().filter(|o| o.session == id && o.id != conn).map(|o| o.id).collect();
        for o in others {
            self.close_conn(o, out);
        }
        let valid = req.passwd.as_slice() == session_password(id) && self.sessions.touch(id, t, now);
        if valid {
            c.session = id;
            out.push(Output::Connected { conn, resp: self.connect_response(t, id, req.read_only), close_after: false });
            self.conns.insert(conn, c);
        } else {
            let resp = ConnectResponse { protocol_version: 0, timeout: 0, session_id: 0, passwd: vec![0; 16], read_only: req.read_only.map(|_| self.cfg.read_only) };
            out.push(Output::Connected { conn, resp, close_after: true });
        }
    }

    pub(super) fn connect_response(&self, t: i32, id: i64, ro: Option<bool>) -> ConnectResponse {
        ConnectResponse {
            protocol_version: 0,
            timeout: t,
            session_id: id,
            passwd: session_password(id).to_vec(),
            read_only: ro.map(|_| self.cfg.read_only),
        }
    }

    /// The createSession txn of `conn` was applied: answer the handshake, then run the queued packets.
    pub(super) fn finish_session_init(&mut self, conn: ConnId, out: &mut Vec<Output>) {
        let Some(c) = self.conns.get_mut(&conn) else { return };
        if !matches!(c.state, ConnState::AwaitingSession { .. }) {
            return;
        }
        c.state = ConnState::Established;
        let (t, id, ro) = (c.timeout, c.session, c.read_only_flag);
        let queued: Vec<_> = c.pre_queue.drain(..).collect();
        out.push(Output::Connected { conn, resp: self.connect_response(t, id, ro), close_after: false });
        for (h, body) in queued {
            self.handle_packet(conn, h, body, out);
        }
    }

    /// Tick: expire sessions (closeSession txn, no reply; the bound connection closes after it applies).
    pub(super) fn expire_sessions(&mut self, out: &mut Vec<Output>) {
        for id in self.sessions.expired(self.now.mono_ms) {
            self.submit_close_session(id, None, out);
        }
    }
}
