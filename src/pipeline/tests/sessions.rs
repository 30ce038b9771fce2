use super::harness::*;
use crate::session::session_password;
use crate::pipeline::{Input, Output};
use crate::txn::Txn;
use crate::wire::*;

#[test]
fn new_session_waits_for_durable_and_clamps_timeout() {
    let mut h = H::new(cfg());
    let out = h.input(Input::Connect { conn: 1, remote: REMOTE.parse().unwrap(), req: connect_req(0, vec![0; 16], 100_000, 0) });
    let a = appends(&out);
    assert_eq!(out.len(), 1, "nothing but the append before Durable");
    assert_eq!(a[0].header.op, op::CREATE_SESSION);
    assert_eq!(a[0].header.zxid, 1);
    assert_eq!(a[0].header.cxid, 0);
    assert_eq!(a[0].txn, Txn::CreateSession { timeout: 40000 });
    let sid = a[0].header.client_id;
    // ((1_000_000 << 24) >>> 8) | (1 << 56)
    assert_eq!(sid, (((1_000_000i64 << 24) as u64 >> 8) as i64) | (1 << 56));
    let out = h.durable();
    assert_eq!(
        out,
        vec![Output::Connected {
            conn: 1,
            resp: ConnectResponse { protocol_version: 0, timeout: 40000, session_id: sid, passwd: session_password(sid).to_vec(), read_only: Some(false) },
            close_after: false
        }]
    );
    // min clamp and old-protocol mirroring (no readOnly byte)
    let mut req = connect_req(0, vec![0; 16], 10, 0);
    req.read_only = None;
    h.input(Input::Connect { conn: 2, remote: REMOTE.parse().unwrap(), req });
    let out = h.durable();
    match &out[0] {
        Output::Connected { resp, .. } => {
            assert_eq!(resp.timeout, 4000);
            assert_eq!(resp.read_only, None);
            assert_eq!(resp.session_id, sid + 1, "ids increment");
        }
        o => panic!("{o:?}"),
    }
}

#[test]
fn client_ahead_is_refused_without_reply() {
    let mut h = H::new(cfg());
    let out = h.input(Input::Connect { conn: 1, remote: REMOTE.parse().unwrap(), req: connect_req(0, vec![0; 16], 30000, 5) });
    assert_eq!(out, vec![Output::Close { conn: 1 }]);
}

#[test]
fn reattach_good_and_bad_password() {
    let mut h = H::new(cfg());
    let sid = h.connect(1);
    // wrong password: other connection bound to the session is closed first, then the expired answer.
    let out = h.input(Input::Connect { conn: 2, remote: REMOTE.parse().unwrap(), req: connect_req(sid, vec![1; 16], 30000, 0) });
    assert_eq!(
        out,
        vec![
            Output::Close { conn: 1 },
            Output::Connected {
                conn: 2,
                resp: ConnectResponse { protocol_version: 0, timeout: 0, session_id: 0, passwd: vec![0; 16], read_only: Some(false) },
                close_after: true
            }
        ]
    );
    // right password: reattached with the newly negotiated timeout, no txn.
    let out = h.input(Input::Connect { conn: 3, remote: REMOTE.parse().unwrap(), req: connect_req(sid, session_password(sid).to_vec(), 20000, 1) });
    match out.as_slice() {
        [Output::Connected { conn: 3, resp, close_after: false }] => {
            assert_eq!((resp.timeout, resp.session_id), (20000, sid));
        }
        o => panic!("{o:?}"),
    }
    // unknown session: expired answer
    let out = h.input(Input::Connect { conn: 4, remote: REMOTE.parse().unwrap(), req: connect_req(sid + 77, session_password(sid + 77).to_vec(), 20000, 0) });
    assert!(matches!(out.as_slice(), [Output::Connected { conn: 4, close_after: true, resp }] if resp.session_id == 0 && resp.timeout == 0));
}

#[test]
fn expiry_by_ticks_deletes_ephemerals_with_events_and_closes() {
    let mut h = H::new(cfg());
    let s1 = h.connect(1);
    let _s2 = h.connect(2);
    h.call(1, 1, op::CREATE, create_req(op::CREATE, "/e", b"", 1));
    h.call(2, 1, op::EXISTS, Request::Exists(PathWatch { path: "/e".into(), watch: true }));
    // Conn 2 keeps its session alive; conn 1 goes silent.
    h.advance(20_000);
    h.send(2, 2, op::PING, Request::Ping);
    h.advance(12_001); // 32 s > 30 s timeout rounded up to the tick
    let out = h.input(Input::Tick);
    let a = appends(&out);
    assert_eq!(a.len(), 1, "{out:?}");
    assert_eq!(a[0].header.op, op::CLOSE_SESSION);
    assert_eq!(a[0].header.client_id, s1);
    assert_eq!(a[0].txn, Txn::CloseSession { paths: vec!["/e".into()] });
    assert!(replies(&out).is_empty());
    let out = h.durable();
    assert_eq!(events(&out), vec![(2, a[0].header.zxid, event_type::NODE_DELETED, "/e".to_string())]);
    assert_eq!(out.last(), Some(&Output::Close { conn: 1 }));
    assert!(replies(&out).is_empty(), "expiry sends no reply");
    assert!(h.core.tree().get("/e").is_none());
    // a later reconnect to the expired session gets the expired answer
    let out = h.input(Input::Connect { conn: 9, remote: REMOTE.parse().unwrap(), req: connect_req(s1, session_password(s1).to_vec(), 30000, 0) });
    assert!(matches!(out.as_slice(), [Output::Connected { close_after: true, .. }]));
}

#[test]
fn session_timeout_rounds_up_to_tick() {
    let mut h = H::new(cfg());
    h.connect(1); // touched at 1_000_000 with 30 s -> expires at roundUp(1_030_000) = 1_032_000
    h.advance(31_999);
    assert!(appends(&h.input(Input::Tick)).is_empty());
    h.advance(1);
    assert_eq!(appends(&h.input(Input::Tick)).len(), 1);
}

#[test]
fn close_session_replies_then_closes() {
    let mut h = H::new(cfg());
    let _ = h.connect(1);
    h.connect(2);
    h.call(1, 1, op::CREATE, create_req(op::CREATE, "/p", b"", 0));
    h.call(1, 2, op::CREATE, create_req(op::CREATE, "/p/e", b"", 1));
    h.call(2, 1, op::GET_CHILDREN, Request::GetChildren(PathWatch { path: "/p".into(), watch: true }));
    let out = h.send(1, 3, op::CLOSE_SESSION, Request::CloseSession);
    assert_eq!(appends(&out).len(), 1);
    // further requests of a closing session are dropped silently
    assert!(h.send(1, 4, op::PING, Request::Ping).is_empty());
    let out = h.durable();
    let z = h.last_appended;
    assert_eq!(
        out,
        vec![
            Output::Event { conn: 2, zxid: z, event: WatcherEvent { event_type: event_type::NODE_CHILDREN_CHANGED, state: 3, path: "/p".into() } },
            Output::Reply { conn: 1, header: ReplyHeader { xid: 3, zxid: z, err: 0 }, body: Response::Empty },
            Output::Close { conn: 1 },
        ]
    );
    assert_eq!(h.core.stats().sessions.len(), 1);
}

#[test]
fn disconnect_keeps_session_and_drops_watches() {
    let mut h = H::new(cfg());
    let sid = h.connect(1);
    h.call(1, 1, op::EXISTS, Request::Exists(PathWatch { path: "/x".into(), watch: true }));
    assert_eq!(h.core.stats().watch_count, 1);
    h.input(Input::Disconnected { conn: 1 });
    assert_eq!(h.core.stats().watch_count, 0);
    assert!(h.core.stats().sessions.iter().any(|(s, _)| *s == sid));
}

#[test]
fn expiry_buckets_and_creation_timeout_survive_reconnect() {
    let mut h = H::new(cfg());
    let s1 = h.connect(1); // 1_000_000 + 30 s -> bucket 1_032_000
    h.advance(2_500);
    // Reconnect with a shorter timeout: the session moves to roundUp(1_002_500 + 10_000) = 1_014_000,
    // the emptied bucket stays listed (ExpiryQueue), and the creation timeout is what stats report.
    let out = h.input(Input::Connect { conn: 2, remote: REMOTE.parse().unwrap(), req: connect_req(s1, session_password(s1).to_vec(), 10_000, 0) });
    assert!(matches!(out.as_slice(), [Output::Close { conn: 1 }, Output::Connected { close_after: false, .. }]), "{out:?}");
    let st = h.core.stats();
    assert_eq!(st.session_expiry, vec![(1_014_000, vec![s1]), (1_032_000, vec![])]);
    assert_eq!(st.sessions, vec![(s1, 30_000)]);
}

#[test]
fn close_session_lists_ephemerals_as_outstanding_changes_leave_them() {
    let mut h = H::new(cfg());
    let s1 = h.connect(1);
    let _s2 = h.connect(2);
    h.call(1, 1, op::CREATE, create_req(op::CREATE, "/old", b"", 1));
    h.call(1, 2, op::CREATE, create_req(op::CREATE, "/gone", b"", 1));
    h.call(2, 1, op::CREATE, create_req(op::CREATE, "/other", b"", 1));
    // Pipelined, nothing durable yet: a new ephemeral, a delete of a committed one, a recreate by
    // another session of a path this session deleted.
    h.send(1, 3, op::CREATE, create_req(op::CREATE, "/new", b"", 1));
    h.send(1, 4, op::DELETE, Request::Delete(PathVersion { path: "/gone".into(), version: -1 }));
    h.send(1, 5, op::CREATE, create_req(op::CREATE, "/swap", b"", 1));
    h.send(1, 6, op::DELETE, Request::Delete(PathVersion { path: "/swap".into(), version: -1 }));
    h.send(2, 2, op::CREATE, create_req(op::CREATE, "/swap", b"", 1));
    let out = h.send(1, 7, op::CLOSE_SESSION, Request::CloseSession);
    let a = appends(&out);
    assert_eq!(a.len(), 1, "{out:?}");
    assert_eq!(a[0].header.client_id, s1);
    assert_eq!(a[0].txn, Txn::CloseSession { paths: vec!["/new".into(), "/old".into()] });
    h.durable();
    let mut left: Vec<String> = h.core.tree().children("/").unwrap_or_default();
    left.sort();
    assert_eq!(left, vec!["other", "swap", "zookeeper"]);
    assert!(h.core.tree().ephemeral_set(s1).is_none());
}
