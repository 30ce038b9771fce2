use crate::pipeline::{Clock, ConnId, Core, CoreConfig, Input, Output};
use crate::wire::*;

pub const REMOTE: &str = "127.0.0.1:5555";

pub struct H {
    pub core: Core,
    pub now: Clock,
    pub last_appended: i64,
}

pub fn cfg() -> CoreConfig {
    CoreConfig { tick_time_ms: 2000, min_session_timeout_ms: 4000, max_session_timeout_ms: 40000, initial_mono_ms: 1_000_000, ..Default::default() }
}

pub fn open() -> Vec<Acl> {
    Acl::open_unsafe()
}

pub fn create_req(op: i32, path: &str, data: &[u8], flags: i32) -> Request {
    Request::Create { op, req: CreateRequest { path: path.into(), data: Some(data.to_vec()), acl: open(), flags, ttl: None } }
}

pub fn connect_req(session: i64, passwd: Vec<u8>, timeout: i32, last_zxid: i64) -> ConnectRequest {
    ConnectRequest { protocol_version: 0, last_zxid_seen: last_zxid, timeout, session_id: session, passwd, read_only: Some(false) }
}

impl H {
    pub fn new(cfg: CoreConfig) -> H {
        let now = Clock { mono_ms: cfg.initial_mono_ms, wall_ms: 1_700_000_000_000 };
        H { core: Core::new(cfg), now, last_appended: 0 }
    }

    pub fn input(&mut self, i: Input) -> Vec<Output> {
        let mut out = Vec::new();
        self.core.handle(self.now, i, &mut out);
        for o in &out {
            if let Output::Append { zxid, .. } = o {
                assert!(*zxid > self.last_appended, "zxids must increase");
                self.last_appended = *zxid;
            }
        }
        out
    }

    pub fn durable(&mut self) -> Vec<Output> {
        let z = self.last_appended;
        self.input(Input::Durable { zxid: z })
    }

    /// A new session's handshake; the outputs it gives right away.
    pub fn connect_raw(&mut self, conn: ConnId) -> Vec<Output> {
        self.input(Input::Connect { conn, remote: REMOTE.parse().unwrap(), req: connect_req(0, vec![0; 16], 30000, 0) })
    }

    /// Connects a new session and returns its id.
    pub fn connect(&mut self, conn: ConnId) -> i64 {
        let out = self.input(Input::Connect { conn, remote: REMOTE.parse().unwrap(), req: connect_req(0, vec![0; 16], 30000, 0) });
        assert!(matches!(out.as_slice(), [Output::Append { .. }]), "{out:?}");
        let out = self.durable();
        match out.as_slice() {
            [Output::Connected { conn: c, resp, close_after: false }] if *c == conn => resp.session_id,
            o => panic!("unexpected {o:?}"),
        }
    }

    /// Sends a decoded request (touching the session as a packet would); returns the immediate outputs.
    pub fn send(&mut self, conn: ConnId, xid: i32, op: i32, req: Request) -> Vec<Output> {
        let mut out = Vec::new();
        self.core.handle_request_for_test(self.now, conn, xid, op, req, &mut out);
        for o in &out {
            if let Output::Append { zxid, .. } = o {
                self.last_appended = *zxid;
            }
        }
        out
    }

    /// send + make everything durable; returns all outputs.
    pub fn call(&mut self, conn: ConnId, xid: i32, op: i32, req: Request) -> Vec<Output> {
        let mut out = self.send(conn, xid, op, req);
        out.extend(self.durable());
        out
    }

    pub fn advance(&mut self, ms: i64) {
        self.now.mono_ms += ms;
        self.now.wall_ms += ms;
    }
}

pub fn replies(out: &[Output]) -> Vec<(ConnId, ReplyHeader, Response)> {
    out.iter()
        .filter_map(|o| match o {
            Output::Reply { conn, header, body } => Some((*conn, *header, decoded(body))),
            _ => None,
        })
        .collect()
}

/// Pre-encoded bodies decoded back into their structured form, so tests compare records.
pub fn decoded(body: &Response) -> Response {
    match body {
        Response::Encoded { op, body } => {
            crate::wire::codec_client::decode_response(*op, body).expect("an encoded body decodes")
        }
        other => other.clone(),
    }
}

/// The single reply in `out` (panics otherwise).
pub fn reply(out: &[Output]) -> (ReplyHeader, Response) {
    let r = replies(out);
    assert_eq!(r.len(), 1, "{out:?}");
    (r[0].1, r[0].2.clone())
}

pub fn err(out: &[Output]) -> i32 {
    reply(out).0.err
}

pub fn events(out: &[Output]) -> Vec<(ConnId, i64, i32, String)> {
    out.iter()
        .filter_map(|o| match o {
            Output::Event { conn, zxid, event } => Some((*conn, *zxid, event.event_type, event.path.clone())),
            _ => None,
        })
        .collect()
}

pub fn appends(out: &[Output]) -> Vec<crate::txn::TxnEntry> {
    out.iter()
        .filter_map(|o| match o {
            Output::Append { txn, .. } => Some(txn.clone()),
            _ => None,
        })
        .collect()
}

pub fn stat_of(h: &mut H, conn: ConnId, path: &str) -> Stat {
    match reply(&h.call(conn, 900, op::EXISTS, Request::Exists(PathWatch { path: path.into(), watch: false }))) {
        (hd, Response::Stat(s)) if hd.err == 0 => s,
        r => panic!("exists {path}: {r:?}"),
    }
}
