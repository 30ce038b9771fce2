//! The core state machine: state, input dispatch, write submission and the per-connection drain.

use super::connection::{Conn, ConnState, Slot};
use super::deps::{self, DecodeFailure};
use super::null_path;
use super::overlay::{Overlay, Scratch};
use super::prep::{self, PrepCtx};
use super::prep_multi;
use super::reaper::Reaper;
use super::{Clock, ConnId, ConnStats, CoreConfig, CoreStats, Input, Output};
use crate::auth::Providers;
use crate::session::{SessionIdGenerator, SessionTracker};
use crate::tree::DataTree;
use crate::txn::{Txn, TxnEntry, TxnHeader};
use crate::watch::WatchManager;
use crate::wire::{op, ErrorCode, ReplyHeader, Request, RequestHeader, Response};
use std::collections::{HashMap, VecDeque};

/// Where a logged txn came from, i.e. what to do once it is applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// A client write: fill the connection's Write slot with the reply.
    Client { conn: ConnId },
    /// A new session's handshake.
    CreateSession { conn: ConnId },
    /// Expiry: close the connection bound to the session after applying.
    Expire,
    /// Server-internal (container/TTL reaper): nobody to answer.
    Internal,
    /// A createSession packet on an established connection: answered with a ConnectResponse.
    Resession { conn: ConnId },
}

#[derive(Debug)]
pub(super) struct PendingTxn {
    pub entry: TxnEntry,
    pub origin: Origin,
}

pub struct Core {
    pub(super) cfg: CoreConfig,
    /// ZooKeeper's ProviderRegistry: ip, digest, plus the `authProvider.N` classes.
    pub(super) providers: Providers,
    pub(super) tree: DataTree,
    pub(super) watches: WatchManager,
    pub(super) sessions: SessionTracker,
    pub(super) session_ids: SessionIdGenerator,
    pub(super) conns: HashMap<ConnId, Conn>,
    pub(super) overlay: Overlay,
    pub(super) pending: VecDeque<PendingTxn>,
    pub(super) last_assigned_zxid: i64,
    pub(super) reaper: Reaper,
    pub(super) now: Clock,
    pub(super) snapshots: super::snapshots::SnapshotPolicy,
    /// The log failed: writes are refused (NotReadOnly), reads go on.
    pub(super) log_failed: bool,
    /// Ensemble state (`roles.rs`): forwarded sessions, answers waiting for commits, touches.
    pub(super) ensemble: super::roles::EnsembleState,
}

fn is_valid_op(op_code: i32) -> bool {
    matches!(
        op_code,
        op::CLOSE_SESSION
            | op::CREATE
            | op::CREATE2
            | op::CREATE_TTL
            | op::CREATE_CONTAINER
            | op::DELETE
            | op::DELETE_CONTAINER
            | op::EXISTS
            | op::GET_ACL
            | op::GET_CHILDREN
            | op::GET_ALL_CHILDREN_NUMBER
            | op::GET_CHILDREN2
            | op::GET_DATA
            | op::GET_EPHEMERALS
            | op::MULTI
            | op::MULTI_READ
            | op::PING
            | op::RECONFIG
            | op::SET_ACL
            | op::SET_DATA
            | op::SET_WATCHES
            | op::SET_WATCHES2
            | op::SYNC
            | op::CHECK_WATCHES
            | op::REMOVE_WATCHES
            | op::ADD_WATCH
            | op::WHO_AM_I
    )
}

pub(super) fn is_write_op(op_code: i32) -> bool {
    matches!(
        op_code,
        op::CREATE
            | op::CREATE2
            | op::CREATE_TTL
            | op::CREATE_CONTAINER
            | op::DELETE
            | op::DELETE_CONTAINER
            | op::SET_DATA
            | op::SET_ACL
            | op::MULTI
            | op::RECONFIG
            | op::CLOSE_SESSION
    )
}

impl Core {
    pub fn new(cfg: CoreConfig) -> Core {
        Core::with_tree(cfg, None)
    }

    /// Starts from a recovered tree (snapshot + log replay); its sessions are re-tracked with fresh timers.
    pub fn with_tree(cfg: CoreConfig, tree: Option<DataTree>) -> Core {
        let tree = tree.unwrap_or_else(|| DataTree::new(cfg.extended_types_enabled));
        let now = Clock { mono_ms: cfg.initial_mono_ms, wall_ms: 0 };
        let (cfg_snap_count, cfg_seed) = (cfg.snap_count, cfg.random_seed);
        let mut sessions = SessionTracker::new(cfg.tick_time_ms);
        for (id, t) in tree.sessions() {
            sessions.add(*id, *t, cfg.initial_mono_ms);
        }
        Core {
            providers: providers_for(&cfg),
            session_ids: SessionIdGenerator::new(cfg.server_id, cfg.initial_mono_ms),
            reaper: Reaper::new(cfg.initial_mono_ms, cfg.container_check_interval_ms),
            last_assigned_zxid: tree.last_processed_zxid,
            cfg,
            tree,
            watches: WatchManager::new(),
            sessions,
            conns: HashMap::new(),
            overlay: Overlay::default(),
            pending: VecDeque::new(),
            now,
            snapshots: super::snapshots::SnapshotPolicy::new(cfg_snap_count, &cfg_seed),
            log_failed: false,
            ensemble: Default::default(),
        }
    }

    /// Last committed (applied) zxid.
    pub fn last_zxid(&self) -> i64 {
        self.tree.last_processed_zxid
    }

    /// The committed tree (read-only; snapshots, tests).
    pub fn tree(&self) -> &DataTree {
        &self.tree
    }

    pub fn handle(&mut self, now: Clock, input: Input, out: &mut Vec<Output>) {
        self.now = now;
        let first = out.len();
        self.handle_input(input, out);
        if self.cfg.role == super::Role::Leader {
            self.route_remote_outputs(first, out);
        }
    }

    fn handle_input(&mut self, input: Input, out: &mut Vec<Output>) {
        match input {
            Input::Connect { conn, remote, req } => self.handle_connect(conn, remote, req, out),
            Input::Packet { conn, header, body } => {
                let Some(c) = self.conns.get_mut(&conn) else { return };
                match c.state {
                    ConnState::AwaitingSession { .. } => c.pre_queue.push_back((header, body)),
                    ConnState::Established => self.handle_packet(conn, header, body, out),
                }
            }
            Input::Disconnected { conn } => self.forget_conn(conn),
            Input::Tick if self.cfg.role == super::Role::Follower => {
                // The leader expires sessions and reaps containers; a follower reports activity.
                self.report_touches(out);
                if self.snapshots.due() {
                    self.start_snapshot(out);
                }
            }
            Input::Tick => {
                self.expire_sessions(out);
                self.run_reaper(out);
                // Due without a new txn: a long log tail was replayed at start-up.
                if self.snapshots.due() {
                    self.start_snapshot(out);
                }
            }
            Input::Durable { zxid } => self.commit_upto(zxid, out),
            Input::LogFailed => self.log_failed(out),
            Input::TakeSnapshot => self.start_snapshot(out),
            Input::SnapshotWritten { base } => self.snapshot_written(base, out),
            Input::Forwarded { server, packet } => self.handle_forwarded(server, packet, out),
            Input::Touches { sessions } => self.handle_touches(sessions),
            Input::Answer { session, zxid, answer } => self.handle_answer(session, zxid, answer, out),
            Input::Committed { entry } => self.handle_committed(entry, out),
        }
    }

    /// Emits Close for `conn` and drops its state (watches included).
    pub(super) fn close_conn(&mut self, conn: ConnId, out: &mut Vec<Output>) {
        out.push(Output::Close { conn });
        self.forget_conn(conn);
    }

    pub(super) fn forget_conn(&mut self, conn: ConnId) {
        if self.cfg.role == super::Role::Follower {
            self.forget_remote_session(conn);
        }
        self.watches.remove_conn(conn);
        self.conns.remove(&conn);
    }

    pub(super) fn push_slot(&mut self, conn: ConnId, slot: Slot, out: &mut Vec<Output>) {
        if let Some(c) = self.conns.get_mut(&conn) {
            c.queue.push_back(slot);
        }
        self.drain(conn, out);
    }

    pub(super) fn handle_packet(&mut self, conn: ConnId, h: RequestHeader, body: Vec<u8>, out: &mut Vec<Output>) {
        // auth and sasl are handled on arrival (ZooKeeper does not route them through the pipeline);
        // their replies still queue behind earlier replies so the connection's order holds.
        if h.op == op::AUTH {
            let Ok(Request::Auth(pkt)) = deps::decode_request(h.op, &body, self.cfg.max_buffer) else {
                self.close_conn(conn, out);
                return;
            };
            let Some(c) = self.conns.get(&conn) else { return };
            // A null digest auth buffer fails in ZooKeeper (it builds a String from it): AuthFailed.
            let ids = if null_path::digest_auth_is_null(&body) {
                None
            } else {
                crate::auth::authenticate(&self.providers, &pkt.scheme, &pkt.auth, c.remote, self.cfg.super_digest.as_deref()).ok()
            };
            let (err, close) = match ids {
                Some(ids) => {
                    if let Some(c) = self.conns.get_mut(&conn) {
                        c.add_ids(ids);
                    }
                    (0, false)
                }
                None => (ErrorCode::AuthFailed.code(), true),
            };
            let slot = Slot::Ready { header: ReplyHeader { xid: h.xid, zxid: 0, err }, body: Response::Empty, close };
            self.push_slot(conn, slot, out);
            return;
        }
        if h.op == op::SASL {
            self.handle_sasl(conn, h.xid, &body, out);
            return;
        }
        let (session, timeout) = match self.conns.get(&conn) {
            Some(c) => (c.session, c.timeout),
            None => return,
        };
        // Every request touches the session; requests of unknown/closing sessions are dropped silently.
        if !self.sessions.touch(session, timeout, self.now.mono_ms) {
            return;
        }
        if self.cfg.role == super::Role::Follower {
            self.ensemble.touched.insert(session, timeout);
            if super::roles::forwarded_op(h.op) && !self.cfg.read_only {
                self.forward_packet(conn, session, timeout, h, body, out);
                return;
            }
        }
        if h.op == op::CREATE_SESSION && !self.cfg.read_only {
            self.submit_session_packet(conn, session, h.xid, &body, out);
            return;
        }
        if !is_valid_op(h.op) {
            let slot = Slot::Ready { header: ReplyHeader { xid: h.xid, zxid: -1, err: ErrorCode::Unimplemented.code() }, body: Response::Empty, close: true };
            self.push_slot(conn, slot, out);
            return;
        }
        if self.cfg.read_only && (is_write_op(h.op) || h.op == op::SYNC) {
            // ReadOnlyRequestProcessor answers before anything looks at the body.
            self.push_slot(conn, Slot::Deferred { xid: h.xid, err: ErrorCode::NotReadOnly.code(), close: false }, out);
            return;
        }
        if h.op == op::DELETE_CONTAINER {
            // ZooKeeper 3.8 reads this path from the whole packet buffer (RequestHeader included),
            // which never validates: a client's deleteContainer is always a BadArguments error txn.
            self.error_txn(conn, session, h.xid, ErrorCode::BadArguments.code(), out);
            return;
        }
        let req = match deps::decode_request(h.op, &body, self.cfg.max_buffer) {
            Ok(r) => r,
            Err(DecodeFailure::UnknownOp) => {
                let slot = Slot::Ready { header: ReplyHeader { xid: h.xid, zxid: -1, err: ErrorCode::Unimplemented.code() }, body: Response::Empty, close: true };
                self.push_slot(conn, slot, out);
                return;
            }
            Err(DecodeFailure::WriteOpInMultiRead) => {
                let body = Response::Multi(Vec::new());
                self.push_slot(conn, Slot::DeferredWithBody { xid: h.xid, err: ErrorCode::MarshallingError.code(), body }, out);
                return;
            }
            Err(DecodeFailure::Bad) => {
                self.marshalling_error(conn, session, h.xid, h.op, out);
                return;
            }
        };
        if null_path::first_string_is_null(&body) && null_path::null_path_is_marshalling_error(h.op) {
            self.marshalling_error(conn, session, h.xid, h.op, out);
            return;
        }
        if h.op == op::MULTI && null_path::multi_has_null_path(&body) {
            // getPendingChanges fails before any txn is built; the reply still carries an empty
            // MultiResponse. (ZooKeeper also skips the zxid it had drawn; zkd's log has no gaps.)
            let body = Response::Multi(Vec::new());
            self.push_slot(conn, Slot::DeferredWithBody { xid: h.xid, err: ErrorCode::MarshallingError.code(), body }, out);
            return;
        }
        let null_watch = match &req {
            Request::SetWatches { .. } => null_path::set_watches_first_null(&body),
            _ => None,
        };
        match (req, null_watch) {
            (Request::SetWatches { op, mut watches }, Some(at)) => {
                // The lookup of the null path fails; the entries before it have taken effect.
                null_path::truncate_set_watches(&mut watches, at);
                let req = Request::SetWatches { op, watches };
                self.push_slot(conn, Slot::FailingRead { xid: h.xid, op: h.op, req, err: ErrorCode::MarshallingError.code() }, out);
            }
            (req, _) => self.handle_request(conn, h.xid, h.op, req, out),
        }
    }

    /// MarshallingError for a request ZooKeeper could not read: writes whose txn header was already
    /// built (create*, delete, setData, setACL, multi) log an error txn and consume a zxid; the
    /// rest (reads, reconfig) answer with the last applied zxid.
    fn marshalling_error(&mut self, conn: ConnId, session: i64, xid: i32, op_code: i32, out: &mut Vec<Output>) {
        let err = ErrorCode::MarshallingError.code();
        if is_write_op(op_code) && op_code != op::RECONFIG {
            self.error_txn(conn, session, xid, err, out);
        } else {
            self.push_slot(conn, Slot::Deferred { xid, err, close: false }, out);
        }
    }

    /// Logs an error txn for a client request and queues its reply.
    fn error_txn(&mut self, conn: ConnId, session: i64, xid: i32, err: i32, out: &mut Vec<Output>) {
        let zxid = self.append_txn(session, xid, op::ERROR, Txn::Error { err }, Origin::Client { conn }, out);
        self.push_slot(conn, Slot::Write { zxid }, out);
    }

    /// createSession (-10) sent after the handshake. ZooKeeper reads the timeout int from the body
    /// (too short: MarshallingError error txn), re-tracks the session with it, logs a createSession
    /// txn and, once applied, answers with a ConnectResponse for the connection's session.
    fn submit_session_packet(&mut self, conn: ConnId, session: i64, xid: i32, body: &[u8], out: &mut Vec<Output>) {
        let Some(raw) = body.get(..4) else {
            self.error_txn(conn, session, xid, ErrorCode::MarshallingError.code(), out);
            return;
        };
        let timeout = i32::from_be_bytes([raw[0], raw[1], raw[2], raw[3]]);
        self.sessions.touch(session, timeout, self.now.mono_ms);
        let zxid = self.append_txn(session, xid, op::CREATE_SESSION, Txn::CreateSession { timeout }, Origin::Resession { conn }, out);
        self.push_slot(conn, Slot::Write { zxid }, out);
    }

    /// Test entry: a decoded request arriving as a packet would (session touch, opcode validity).
    #[cfg(test)]
    pub(crate) fn handle_request_for_test(&mut self, now: Clock, conn: ConnId, xid: i32, op_code: i32, req: Request, out: &mut Vec<Output>) {
        self.now = now;
        let Some(c) = self.conns.get(&conn) else { return };
        if !matches!(c.state, ConnState::Established) {
            return;
        }
        let (session, timeout) = (c.session, c.timeout);
        if !self.sessions.touch(session, timeout, self.now.mono_ms) {
            return;
        }
        if !is_valid_op(op_code) {
            let slot = Slot::Ready { header: ReplyHeader { xid, zxid: -1, err: ErrorCode::Unimplemented.code() }, body: Response::Empty, close: true };
            self.push_slot(conn, slot, out);
            return;
        }
        self.handle_request(conn, xid, op_code, req, out);
    }

    /// A decoded request of an established connection (after touch/validity checks).
    pub fn handle_request(&mut self, conn: ConnId, xid: i32, op_code: i32, req: Request, out: &mut Vec<Output>) {
        if (self.cfg.read_only || self.log_failed) && (is_write_op(op_code) || op_code == op::SYNC) {
            self.push_slot(conn, Slot::Deferred { xid, err: ErrorCode::NotReadOnly.code(), close: false }, out);
            return;
        }
        if is_write_op(op_code) {
            let zxid = self.submit_write(conn, xid, op_code, req, out);
            self.push_slot(conn, Slot::Write { zxid }, out);
        } else {
            self.push_slot(conn, Slot::Read { xid, op: op_code, req }, out);
        }
    }

    /// Assigns the next zxid, logs the txn (Output::Append) and remembers what to do when it applies.
    pub(super) fn append_txn(&mut self, client_id: i64, cxid: i32, op_code: i32, txn: Txn, origin: Origin, out: &mut Vec<Output>) -> i64 {
        self.last_assigned_zxid += 1;
        let zxid = self.last_assigned_zxid;
        let entry = TxnEntry { header: TxnHeader { client_id, cxid, zxid, time: self.now.wall_ms, op: op_code }, txn };
        out.push(Output::Append { zxid, txn: entry.clone() });
        self.pending.push_back(PendingTxn { entry, origin });
        zxid
    }

    /// Prepares a write (successful or not, it becomes a logged txn) and returns its zxid.
    fn submit_write(&mut self, conn: ConnId, xid: i32, op_code: i32, req: Request, out: &mut Vec<Output>) -> i64 {
        let Some(c) = self.conns.get(&conn) else { return 0 };
        let session = c.session;
        if let Request::CloseSession = req {
            return self.submit_close_session(session, Some((conn, xid)), out);
        }
        let ids = c.ids_in_java_order();
        let zxid = self.last_assigned_zxid + 1;
        let ctx = PrepCtx {
            session,
            ids: &ids,
            providers: &self.providers,
            session_live: self.sessions.is_live(session),
            skip_acl: self.cfg.skip_acl,
            extended_types: self.cfg.extended_types_enabled,
            enforce_quota: self.cfg.enforce_quota,
            zxid,
            time: self.now.wall_ms,
        };
        let mut scratch = Scratch::new(&self.tree, &self.overlay);
        let (txn, keep) = match &req {
            Request::Create { op, req } => one(prep::prep_create(&ctx, &mut scratch, *op, req)),
            Request::Delete(pv) => one(prep::prep_delete(&ctx, &mut scratch, &pv.path, pv.version)),
            Request::DeleteContainer(p) => one(prep::prep_delete_container(&ctx, &mut scratch, p)),
            Request::SetData(r) => one(prep::prep_set_data(&ctx, &mut scratch, &r.path, &r.data, r.version)),
            Request::SetAcl(r) => one(prep::prep_set_acl(&ctx, &mut scratch, &r.path, &r.acl, r.version)),
            Request::Multi(ops) => match prep_multi::prep_multi(&ctx, &mut scratch, ops) {
                Ok((t, failed)) => (t, !failed),
                Err(e) => (Txn::Error { err: e.code() }, false),
            },
            Request::Reconfig(_) => {
                let err = if !self.cfg.reconfig_enabled {
                    ErrorCode::ReconfigDisabled
                } else if !ctx.session_live {
                    ErrorCode::SessionExpired
                } else {
                    ErrorCode::Unimplemented
                };
                (Txn::Error { err: err.code() }, false)
            }
            _ => (Txn::Error { err: ErrorCode::MarshallingError.code() }, false),
        };
        let added = scratch.into_added();
        if keep {
            for r in added {
                self.overlay.add(r);
            }
        }
        let logged_op = match &txn {
            Txn::Error { .. } => op::ERROR,
            Txn::SetData { .. } if op_code == op::RECONFIG => op::RECONFIG,
            t => t.op_code(),
        };
        self.append_txn(session, xid, logged_op, txn, Origin::Client { conn }, out)
    }

    /// The preparation context of a request the server issues itself (session close, container
    /// reaping): no ACL check, no quota, the session counts as live.
    pub(super) fn internal_prep_ctx(&self, session: i64, zxid: i64) -> PrepCtx<'_> {
        PrepCtx {
            session,
            ids: &[],
            providers: &self.providers,
            session_live: true,
            skip_acl: true,
            extended_types: self.cfg.extended_types_enabled,
            enforce_quota: false,
            zxid,
            time: self.now.wall_ms,
        }
    }

    /// closeSession from the client (`reply_to`) or from expiry: the session is closing from now on.
    pub(super) fn submit_close_session(&mut self, session: i64, reply_to: Option<(ConnId, i32)>, out: &mut Vec<Output>) -> i64 {
        let zxid = self.last_assigned_zxid + 1;
        let ctx = self.internal_prep_ctx(session, zxid);
        let ephemerals = self.overlay.ephemerals_of(&self.tree, session);
        let mut scratch = Scratch::new(&self.tree, &self.overlay);
        let txn = prep::prep_close_session(&ctx, &mut scratch, ephemerals);
        for r in scratch.into_added() {
            self.overlay.add(r);
        }
        self.overlay.forget_owner(session);
        self.sessions.set_closing(session);
        let (cxid, origin) = match reply_to {
            Some((conn, xid)) => (xid, Origin::Client { conn }),
            None => (0, Origin::Expire),
        };
        self.append_txn(session, cxid, op::CLOSE_SESSION, txn, origin, out)
    }

    /// Sends every reply at the head of the connection's FIFO that is ready, running reads as they surface.
    pub(super) fn drain(&mut self, conn: ConnId, out: &mut Vec<Output>) {
        loop {
            let Some(c) = self.conns.get_mut(&conn) else { return };
            let slot = match c.queue.front() {
                None | Some(Slot::Write { .. }) | Some(Slot::Remote) => return,
                Some(Slot::RemoteReady { zxid, .. } | Slot::RemoteHandshake { zxid, .. }) if *zxid > self.tree.last_processed_zxid => return,
                Some(_) => c.queue.pop_front(),
            };
            let (header, body, close) = match slot {
                Some(Slot::Ready { header, body, close }) => (header, body, close),
                Some(Slot::Deferred { xid, err, close }) => {
                    (ReplyHeader { xid, zxid: self.tree.last_processed_zxid, err }, Response::Empty, close)
                }
                Some(Slot::Read { xid, op, req }) => {
                    let (h, b) = self.execute_read(conn, xid, op, req, out);
                    (h, b, false)
                }
                Some(Slot::FailingRead { xid, op, req, err }) => {
                    let (mut h, _) = self.execute_read(conn, xid, op, req, out);
                    h.err = err;
                    (h, Response::Empty, false)
                }
                Some(Slot::DeferredWithBody { xid, err, body }) => {
                    (ReplyHeader { xid, zxid: self.tree.last_processed_zxid, err }, body, false)
                }
                Some(Slot::RemoteReady { header, body, close, .. }) => (header, body, close),
                Some(Slot::Handshake { resp } | Slot::RemoteHandshake { resp, .. }) => {
                    out.push(Output::Connected { conn, resp, close_after: false });
                    continue;
                }
                _ => return,
            };
            out.push(Output::Reply { conn, header, body });
            if close {
                self.close_conn(conn, out);
                return;
            }
        }
    }

    pub fn stats(&self) -> CoreStats {
        let sid = |c: &ConnId| self.conns.get(c).map(|x| x.session).unwrap_or(0);
        let mut ephemerals: Vec<(i64, Vec<String>)> = self.tree.all_ephemerals().iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| (*k, v.iter().cloned().collect())).collect();
        ephemerals.sort();
        let sessions = self.sessions.sessions_with_timeout();
        let mut connections: Vec<ConnStats> = self
            .conns
            .values()
            .map(|c| ConnStats { conn: c.id, session_id: c.session, timeout: c.timeout, outstanding: c.queue.len() + c.pre_queue.len() })
            .collect();
        connections.sort_by_key(|c| c.conn);
        CoreStats {
            node_count: self.tree.node_count(),
            approximate_data_size: self.tree.approximate_data_size(),
            watch_count: self.watches.watch_count(),
            data_watch_summary: self.watches.data.summary(),
            watches_by_session: self.watches.data.by_conn().into_iter().map(|(c, p)| (sid(&c), p)).collect(),
            watches_by_path: self.watches.data.by_path().into_iter().map(|(p, cs)| (p, cs.iter().map(sid).collect())).collect(),
            sessions,
            session_expiry: self.sessions.buckets().map(|(t, ids)| (t, ids.iter().copied().collect())).collect(),
            ephemerals_count: self.tree.ephemerals_count(),
            ephemerals,
            last_zxid: self.tree.last_processed_zxid,
            outstanding_requests: self.conns.values().map(|c| c.queue.len() + c.pre_queue.len()).sum(),
            connections,
        }
    }
}

/// ProviderRegistry.initialize: ip and digest always, then every `authProvider.N` class. Classes zkd
/// does not implement are skipped (ZooKeeper logs "Problems loading" and carries on). SASL is not
/// implied by a JAAS section: without `SASLAuthenticationProvider` sasl ACLs are invalid there too.
fn providers_for(cfg: &CoreConfig) -> Providers {
    let mut p = Providers::default();
    for class in &cfg.auth_providers {
        p.register_class(class);
    }
    p
}

/// A single-op prep result: an error becomes an error txn and its change records are dropped.
fn one(r: prep::PrepResult) -> (Txn, bool) {
    match r {
        Ok(t) => (t, true),
        Err(e) => (Txn::Error { err: e.code() }, false),
    }
}
