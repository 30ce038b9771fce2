//! Session tracking (SessionTrackerImpl + ExpiryQueue) and the handshake (processConnectRequest).

use super::connection::{java_ip_string, Conn, ConnState};
use super::core::{Core, Origin};
use super::deps;
use super::{ConnId, Output};
use crate::txn::Txn;
use crate::wire::{op, ConnectRequest, ConnectResponse};
use std::collections::{BTreeMap, HashMap};

#[derive(Debug, Clone)]
pub struct SessionInfo {
    pub timeout: i32,
    pub expire_at: i64,
    pub closing: bool,
    pub conn: Option<ConnId>,
}

#[derive(Debug)]
pub struct Sessions {
    pub map: HashMap<i64, SessionInfo>,
    next_id: i64,
    tick: i64,
}

/// ExpiryQueue.roundToNextInterval
fn round_up(t: i64, tick: i64) -> i64 {
    if tick <= 0 {
        return t;
    }
    (t / tick + 1) * tick
}

impl Sessions {
    pub fn new(server_id: u8, initial_mono_ms: i64, tick: i64) -> Sessions {
        // ((ms << 24) >>> 8) | (sid << 56)
        let next = (((initial_mono_ms << 24) as u64) >> 8) as i64 | ((server_id as i64) << 56);
        Sessions { map: HashMap::new(), next_id: next, tick }
    }

    pub fn create(&mut self, timeout: i32, now: i64) -> i64 {
        let mut id = self.next_id;
        self.next_id = self.next_id.wrapping_add(1);
        if id == i64::MIN {
            id = self.next_id;
            self.next_id = self.next_id.wrapping_add(1);
        }
        self.map.insert(id, SessionInfo { timeout, expire_at: round_up(now + timeout as i64, self.tick), closing: false, conn: None });
        id
    }

    /// Re-registers a session known from the log/snapshot (restart).
    pub fn track(&mut self, id: i64, timeout: i32, now: i64) {
        self.map.insert(id, SessionInfo { timeout, expire_at: round_up(now + timeout as i64, self.tick), closing: false, conn: None });
    }

    /// touchSession: false when unknown or closing.
    pub fn touch(&mut self, id: i64, timeout: i32, now: i64) -> bool {
        match self.map.get_mut(&id) {
            Some(s) if !s.closing => {
                s.expire_at = round_up(now + timeout as i64, self.tick);
                true
            }
            _ => false,
        }
    }

    pub fn live(&self, id: i64) -> bool {
        self.map.get(&id).map(|s| !s.closing).unwrap_or(false)
    }

    pub fn set_closing(&mut self, id: i64) {
        if let Some(s) = self.map.get_mut(&id) {
            s.closing = true;
        }
    }

    /// Sessions whose expiry time has passed (not already closing).
    pub fn expired(&self, now: i64) -> Vec<i64> {
        let mut v: Vec<i64> = self.map.iter().filter(|(_, s)| !s.closing && s.expire_at <= now).map(|(id, _)| *id).collect();
        v.sort();
        v
    }

    pub fn buckets(&self) -> Vec<(i64, Vec<i64>)> {
        let mut m: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
        for (id, s) in &self.map {
            m.entry(s.expire_at).or_default().push(*id);
        }
        m.into_iter()
            .map(|(k, mut v)| {
                v.sort();
                (k, v)
            })
            .collect()
    }
}

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
        let mut c = Conn::new(conn, java_ip_string(&remote), t, req.read_only);
        let now = self.now.mono_ms;
        if req.session_id == 0 {
            let id = self.sessions.create(t, now);
            c.session = id;
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
        let valid = req.passwd.as_slice() == deps::session_password(id) && self.sessions.touch(id, t, now);
        if valid {
            c.session = id;
            if let Some(s) = self.sessions.map.get_mut(&id) {
                s.conn = Some(conn);
                s.timeout = t;
            }
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
            passwd: deps::session_password(id).to_vec(),
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
        if let Some(s) = self.sessions.map.get_mut(&id) {
            s.conn = Some(conn);
        }
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
