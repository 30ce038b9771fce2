//! Raw packets whose handling ZooKeeper 3.8.0 decides from the bytes: null paths, bodies that do not
//! decode, createSession after the handshake, deleteContainer from a client.

use super::harness::*;
use crate::pipeline::{Input, Output};
use crate::wire::*;

fn setup() -> H {
    let mut h = H::new(cfg());
    h.connect(1);
    h
}

fn ustr(s: Option<&str>) -> Vec<u8> {
    match s {
        None => (-1i32).to_be_bytes().to_vec(),
        Some(s) => [(s.len() as i32).to_be_bytes().to_vec(), s.as_bytes().to_vec()].concat(),
    }
}

/// Feeds a raw packet and makes everything durable; returns all outputs.
fn raw(h: &mut H, xid: i32, op_code: i32, body: Vec<u8>) -> Vec<Output> {
    let mut out = h.input(Input::Packet { conn: 1, header: RequestHeader { xid, op: op_code }, body });
    out.extend(h.durable());
    out
}

fn open_acl() -> Vec<u8> {
    [1i32.to_be_bytes().to_vec(), 31i32.to_be_bytes().to_vec(), ustr(Some("world")), ustr(Some("anyone"))].concat()
}

#[test]
fn null_path_reads_are_marshalling_errors_but_empty_path_reads_the_root() {
    let mut h = setup();
    let last = h.core.last_zxid();
    for o in [op::GET_DATA, op::EXISTS, op::GET_CHILDREN, op::GET_CHILDREN2] {
        let out = raw(&mut h, 3, o, [ustr(None), vec![0]].concat());
        assert_eq!(reply(&out), (ReplyHeader { xid: 3, zxid: last, err: -5 }, Response::Empty), "op {o}");
    }
    let out = raw(&mut h, 4, op::GET_ACL, ustr(None));
    assert_eq!(reply(&out).0.err, -5);
    let out = raw(&mut h, 5, op::GET_DATA, [ustr(Some("")), vec![0]].concat());
    assert_eq!(reply(&out).0.err, 0, "\"\" is the root's alias");
    // getEphemerals: null means every ephemeral, as ""
    let out = raw(&mut h, 6, op::GET_EPHEMERALS, ustr(None));
    assert_eq!(reply(&out).0.err, 0);
    assert_eq!(h.core.last_zxid(), last, "no txn for reads");
}

#[test]
fn undecodable_or_null_path_writes_log_an_error_txn() {
    let mut h = setup();
    let z0 = h.core.last_zxid();
    let out = raw(&mut h, 3, op::CREATE, ustr(Some("/x")));
    assert_eq!(reply(&out).0, ReplyHeader { xid: 3, zxid: z0 + 1, err: -5 });
    let out = raw(&mut h, 4, op::CREATE, [ustr(None), ustr(Some("")), open_acl(), 0i32.to_be_bytes().to_vec()].concat());
    assert_eq!(reply(&out).0, ReplyHeader { xid: 4, zxid: z0 + 2, err: -5 });
    let out = raw(&mut h, 5, op::DELETE, [ustr(None), (-1i32).to_be_bytes().to_vec()].concat());
    assert_eq!(reply(&out).0, ReplyHeader { xid: 5, zxid: z0 + 3, err: -5 });
    // setData with a null path validates it like "": BadArguments
    let out = raw(&mut h, 6, op::SET_DATA, [ustr(None), ustr(Some("x")), (-1i32).to_be_bytes().to_vec()].concat());
    assert_eq!(reply(&out).0, ReplyHeader { xid: 6, zxid: z0 + 4, err: -8 });
    // reconfig that does not decode: no txn
    let out = raw(&mut h, 7, op::RECONFIG, vec![]);
    assert_eq!(reply(&out).0, ReplyHeader { xid: 7, zxid: z0 + 4, err: -5 });
}

#[test]
fn client_delete_container_is_always_bad_arguments() {
    let mut h = setup();
    let out = h.call(1, 2, op::CREATE_CONTAINER, create_req(op::CREATE_CONTAINER, "/c", b"", 4));
    assert_eq!(err(&out), 0);
    let z = h.core.last_zxid();
    let out = raw(&mut h, 3, op::DELETE_CONTAINER, ustr(Some("/c")));
    assert_eq!(reply(&out).0, ReplyHeader { xid: 3, zxid: z + 1, err: -8 });
    assert!(h.core.tree().get("/c").is_some(), "the container stays");
}

#[test]
fn multi_with_a_null_path_fails_whole_without_txn() {
    let mut h = setup();
    let z = h.core.last_zxid();
    let hdr = |t: i32, done: bool| [t.to_be_bytes().to_vec(), vec![done as u8], (-1i32).to_be_bytes().to_vec()].concat();
    let body = [
        hdr(op::CHECK, false),
        ustr(Some("/")),
        (-1i32).to_be_bytes().to_vec(),
        hdr(op::SET_DATA, false),
        ustr(None),
        ustr(Some("x")),
        (-1i32).to_be_bytes().to_vec(),
        hdr(-1, true),
    ]
    .concat();
    let out = raw(&mut h, 3, op::MULTI, body);
    assert!(appends(&out).is_empty());
    assert_eq!(reply(&out), (ReplyHeader { xid: 3, zxid: z, err: -5 }, Response::Multi(vec![])));
}

#[test]
fn set_watches_applies_entries_before_a_null_path_then_fails() {
    let mut h = setup();
    let mut body = 0i64.to_be_bytes().to_vec();
    body.extend(2i32.to_be_bytes());
    body.extend(ustr(Some("/zookeeper")));
    body.extend(ustr(None));
    body.extend(0i32.to_be_bytes());
    body.extend(0i32.to_be_bytes());
    let out = raw(&mut h, 3, op::SET_WATCHES, body);
    assert_eq!(reply(&out).0.err, -5);
    let out = raw(&mut h, 4, op::CHECK_WATCHES, [ustr(Some("/zookeeper")), 2i32.to_be_bytes().to_vec()].concat());
    assert_eq!(reply(&out).0.err, 0, "the watch before the null entry was set");
}

#[test]
fn digest_auth_with_null_data_fails() {
    let mut h = setup();
    let out = raw(&mut h, -4, op::AUTH, [0i32.to_be_bytes().to_vec(), ustr(Some("digest")), ustr(None)].concat());
    assert_eq!(reply(&out).0.err, ErrorCode::AuthFailed.code());
    assert!(out.iter().any(|o| matches!(o, Output::Close { conn: 1 })));
}

#[test]
fn create_session_packet_after_handshake() {
    let mut h = setup();
    let z = h.core.last_zxid();
    let out = raw(&mut h, 3, op::CREATE_SESSION, vec![]);
    assert_eq!(reply(&out).0, ReplyHeader { xid: 3, zxid: z + 1, err: -5 });
    let out = raw(&mut h, 4, op::CREATE_SESSION, 5000i32.to_be_bytes().to_vec());
    let session = match out.as_slice() {
        [Output::Append { .. }, Output::Connected { conn: 1, resp, close_after: false }] => {
            assert_eq!(resp.timeout, 30000, "the connection's negotiated timeout, not the packet's");
            resp.session_id
        }
        o => panic!("{o:?}"),
    };
    assert_eq!(h.core.tree().sessions().get(&session), Some(&5000));
    let out = raw(&mut h, 5, op::EXISTS, [ustr(Some("/")), vec![0]].concat());
    assert_eq!(reply(&out).0.err, 0, "the connection keeps working");
}

#[test]
fn multi_read_of_write_ops_fails_with_an_empty_multi_body() {
    let mut h = setup();
    let z = h.core.last_zxid();
    let mh = |o: i32, done: bool| [o.to_be_bytes().to_vec(), vec![done as u8], (-1i32).to_be_bytes().to_vec()].concat();
    let body = [mh(op::DELETE, false), ustr(Some("/zookeeper")), (-1i32).to_be_bytes().to_vec(), mh(-1, true)].concat();
    let out = raw(&mut h, 3, op::MULTI_READ, body);
    assert!(appends(&out).is_empty(), "no txn: multiRead is a read");
    assert_eq!(reply(&out), (ReplyHeader { xid: 3, zxid: z, err: -5 }, Response::Multi(vec![])));
    assert!(!out.iter().any(|o| matches!(o, Output::Close { .. })));
    // Mixing reads and writes fails while decoding: MarshallingError without a body.
    let body = [mh(op::GET_DATA, false), ustr(Some("/")), vec![0], mh(op::DELETE, false), ustr(Some("/a")), (-1i32).to_be_bytes().to_vec(), mh(-1, true)].concat();
    let out = raw(&mut h, 4, op::MULTI_READ, body);
    assert_eq!(reply(&out), (ReplyHeader { xid: 4, zxid: z, err: -5 }, Response::Empty));
}
