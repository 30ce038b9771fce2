//! Proptest over the connection state machine: arbitrary sequences of connects (new, reattach with
//! good or bad passwords), packets of any opcode with arbitrary or well-formed bodies, disconnects,
//! ticks and durability acks. The core must never panic, and its outputs must keep the contract:
//! zxids of appends strictly increase, nothing addressed to a connection it never heard of, no
//! reply before the connection's handshake answer, and nothing after a Close.

use super::harness::{connect_req, create_req, H};
use crate::pipeline::{ConnId, Input, Output};
use crate::wire::codec_client::encode_request;
use crate::wire::*;
use proptest::prelude::*;
use std::collections::{HashMap, HashSet};

#[derive(Debug, Clone)]
enum Step {
    Connect { conn: u8, session: u8, good_passwd: bool, timeout: i32, readonly_byte: bool },
    Raw { conn: u8, xid: i32, op: i32, body: Vec<u8> },
    Valid { conn: u8, which: u8, name: u8 },
    Disconnect(u8),
    Tick(u16),
    Durable,
}

const OPS: [i32; 33] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 100, 101, 102, 103, 104, 105, 106, 107, -10, -11, 999];

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (0u8..4, 0u8..4, any::<bool>(), -10i32..60_000, any::<bool>())
            .prop_map(|(conn, session, good_passwd, timeout, readonly_byte)| Step::Connect { conn, session, good_passwd, timeout, readonly_byte }),
        (0u8..4, -3i32..20, 0usize..OPS.len(), proptest::collection::vec(any::<u8>(), 0..48))
            .prop_map(|(conn, xid, i, body)| Step::Raw { conn, xid, op: OPS[i], body }),
        (0u8..4, 0u8..12, 0u8..4).prop_map(|(conn, which, name)| Step::Valid { conn, which, name }),
        (0u8..4).prop_map(Step::Disconnect),
        (0u16..30_000).prop_map(Step::Tick),
        Just(Step::Durable),
    ]
}

fn valid_request(which: u8, name: u8) -> Request {
    let path = format!("/n{name}");
    match which {
        0 => create_req(op::CREATE, &path, b"d", 0),
        1 => create_req(op::CREATE2, &path, b"d", 1),
        2 => create_req(op::CREATE, &format!("{path}/c"), b"", 3),
        3 => create_req(op::CREATE_CONTAINER, &path, b"", 4),
        4 => Request::Delete(PathVersion { path, version: -1 }),
        5 => Request::SetData(SetDataRequest { path, data: Some(b"x".to_vec()), version: -1 }),
        6 => Request::GetData(PathWatch { path, watch: true }),
        7 => Request::Exists(PathWatch { path, watch: true }),
        8 => Request::GetChildren2(PathWatch { path: "/".into(), watch: true }),
        9 => Request::Multi(vec![
            MultiOp::Check(PathVersion { path: path.clone(), version: 0 }),
            MultiOp::SetData(SetDataRequest { path, data: None, version: -1 }),
        ]),
        10 => Request::AddWatch(PathType { path, kind: add_watch_mode::PERSISTENT_RECURSIVE }),
        _ => Request::CloseSession,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]
    #[test]
    fn core_never_panics_and_keeps_its_output_contract(steps in proptest::collection::vec(step(), 1..60)) {
        // A tiny snapCount: snapshots freeze and install all along the run.
        let mut h = H::new(crate::pipeline::CoreConfig { snap_count: 4, ..super::harness::cfg() });
        let mut sessions: Vec<(i64, Vec<u8>)> = Vec::new();
        let mut known: HashSet<ConnId> = HashSet::new();
        let mut answered: HashSet<ConnId> = HashSet::new();
        let mut closed: HashSet<ConnId> = HashSet::new();
        let mut gen: HashMap<u8, u64> = HashMap::new();
        // Each reuse of a small connection slot gets a fresh ConnId, as the edge does.
        let id = |gen: &HashMap<u8, u64>, c: u8| (c as u64) << 32 | gen.get(&c).copied().unwrap_or(0);
        for s in steps {
            let input = match s {
                Step::Connect { conn, session, good_passwd, timeout, readonly_byte } => {
                    *gen.entry(conn).or_insert(0) += 1;
                    let c = id(&gen, conn);
                    known.insert(c);
                    let (sid, pw) = sessions.get(session as usize).cloned().unwrap_or((0, vec![0; 16]));
                    let pw = if good_passwd { pw } else { vec![7; 16] };
                    let mut req = connect_req(sid, pw, timeout, 0);
                    if !readonly_byte { req.read_only = None; }
                    Input::Connect { conn: c, remote: super::harness::REMOTE.parse().unwrap(), req }
                }
                Step::Raw { conn, xid, op, body } => Input::Packet { conn: id(&gen, conn), header: RequestHeader { xid, op }, body },
                Step::Valid { conn, which, name } => {
                    let req = valid_request(which, name);
                    let mut frame = Vec::new();
                    encode_request(&mut frame, 1, &req);
                    let header = RequestHeader { xid: 1, op: codec_client::request_op(&req) };
                    Input::Packet { conn: id(&gen, conn), header, body: frame[12..].to_vec() }
                }
                Step::Disconnect(conn) => Input::Disconnected { conn: id(&gen, conn) },
                Step::Tick(ms) => { h.now.mono_ms += ms as i64; h.now.wall_ms += ms as i64; Input::Tick }
                Step::Durable => Input::Durable { zxid: h.last_appended },
            };
            let mut jobs = Vec::new();
            for out in h.input(input) {
                match out {
                    Output::Append { .. } => {}
                    Output::Snapshot(job) => jobs.push(job),
                    Output::Connected { conn, resp, close_after } => {
                        prop_assert!(known.contains(&conn), "handshake answer to an unknown connection");
                        prop_assert!(!closed.contains(&conn), "output after Close");
                        answered.insert(conn);
                        if close_after { closed.insert(conn); }
                        if resp.session_id != 0 && !sessions.iter().any(|(s, _)| *s == resp.session_id) {
                            sessions.push((resp.session_id, resp.passwd.clone()));
                        }
                    }
                    Output::Reply { conn, .. } | Output::Event { conn, .. } => {
                        prop_assert!(known.contains(&conn), "output to an unknown connection");
                        prop_assert!(answered.contains(&conn), "reply before the handshake answer");
                        prop_assert!(!closed.contains(&conn), "output after Close");
                    }
                    Output::Close { conn } => { closed.insert(conn); }
                    Output::Forward(_) | Output::Touched(_) | Output::Answer { .. } => {
                        prop_assert!(false, "ensemble output from a standalone core: {out:?}");
                    }
                }
            }
            while let Some(job) = jobs.pop() {
                let (base, _) = job.to_mem_base();
                let before = h.core.tree().digest();
                let out = h.input(crate::pipeline::Input::SnapshotWritten { base: Some(crate::pipeline::BaseHandle(std::sync::Arc::new(base))) });
                for o in out {
                    match o {
                        Output::Snapshot(j) => jobs.push(j),
                        other => prop_assert!(false, "unexpected output after a snapshot: {:?}", other),
                    }
                }
                prop_assert_eq!(h.core.tree().digest(), before, "installing a snapshot changed the tree");
            }
        }
    }
}

/// The generator's well-formed requests really reach the core as requests (guards the proptest
/// against silently testing only garbage).
#[test]
fn generated_valid_requests_are_served() {
    let mut h = H::new(super::harness::cfg());
    let conn = 1u64 << 32 | 1;
    h.connect(conn);
    let req = valid_request(0, 1);
    let mut frame = Vec::new();
    encode_request(&mut frame, 1, &req);
    let out = h.input(Input::Packet { conn, header: RequestHeader { xid: 1, op: op::CREATE }, body: frame[12..].to_vec() });
    assert!(matches!(out.as_slice(), [Output::Append { .. }]), "{out:?}");
    let out = h.durable();
    assert!(
        matches!(out.as_slice(), [Output::Reply { header: ReplyHeader { xid: 1, err: 0, .. }, body: Response::Create(p), .. }] if p == "/n1"),
        "{out:?}"
    );
}
