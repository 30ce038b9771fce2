use super::{be32, be64, cat, hex, lp};
use crate::wire::jute::{DecodeError, JuteWriter};
use crate::wire::records_codec::write_stat;
use crate::wire::*;

fn stat(n: i64) -> Stat {
    Stat { czxid: n, mzxid: n, pzxid: n, version: 1, ..Stat::default() }
}

fn stat_bytes(s: &Stat) -> Vec<u8> {
    let mut out = Vec::new();
    write_stat(&mut JuteWriter::new(&mut out), s);
    out
}

fn reply(header: ReplyHeader, body: &Response) -> Vec<u8> {
    let mut out = Vec::new();
    encode_reply(&mut out, &header, body);
    out
}

fn ok(xid: i32) -> ReplyHeader {
    ReplyHeader { xid, zxid: 0x10, err: 0 }
}

fn framed(header: ReplyHeader, body: &[u8]) -> Vec<u8> {
    let payload = cat(&[&be32(header.xid), &be64(header.zxid), &be32(header.err), body]);
    cat(&[&be32(payload.len() as i32), &payload])
}

/// (opcode, response, body bytes) for every response shape.
fn cases() -> Vec<(i32, Response, Vec<u8>)> {
    let s = stat(5);
    let sb = stat_bytes(&s);
    let kids = vec!["a".to_string(), "b".to_string()];
    let kid_bytes = cat(&[&be32(2), &lp(b"a"), &lp(b"b")]);
    let acl_bytes = cat(&[&be32(1), &be32(31), &lp(b"world"), &lp(b"anyone")]);
    vec![
        (op::DELETE, Response::Empty, vec![]),
        (op::CREATE, Response::Create("/a".into()), lp(b"/a")),
        (op::CREATE2, Response::Create2("/a".into(), s), cat(&[&lp(b"/a"), &sb])),
        (op::CREATE_CONTAINER, Response::Create2("/c".into(), s), cat(&[&lp(b"/c"), &sb])),
        (op::CREATE_TTL, Response::Create2("/t".into(), s), cat(&[&lp(b"/t"), &sb])),
        (op::EXISTS, Response::Stat(s), sb.clone()),
        (op::SET_DATA, Response::Stat(s), sb.clone()),
        (op::SET_ACL, Response::Stat(s), sb.clone()),
        (op::GET_DATA, Response::GetData(Some(b"hi".to_vec()), s), cat(&[&lp(b"hi"), &sb])),
        (op::GET_DATA, Response::GetData(None, s), cat(&[&be32(-1), &sb])),
        (op::RECONFIG, Response::GetData(Some(vec![]), s), cat(&[&be32(0), &sb])),
        (op::GET_ACL, Response::GetAcl(Acl::open_unsafe(), s), cat(&[&acl_bytes, &sb])),
        (op::GET_CHILDREN, Response::GetChildren(kids.clone()), kid_bytes.clone()),
        (op::GET_CHILDREN2, Response::GetChildren2(kids.clone(), s), cat(&[&kid_bytes, &sb])),
        (op::SYNC, Response::Path("/".into()), lp(b"/")),
        (op::GET_ALL_CHILDREN_NUMBER, Response::AllChildrenNumber(42), be32(42)),
        (op::GET_EPHEMERALS, Response::Ephemerals(kids), kid_bytes),
        (op::ADD_WATCH, Response::ErrorBody(0), be32(0)),
        (
            op::WHO_AM_I,
            Response::WhoAmI(vec![ClientInfo { auth_scheme: "ip".into(), user: "127.0.0.1".into() }]),
            cat(&[&be32(1), &lp(b"ip"), &lp(b"127.0.0.1")]),
        ),
        (op::SASL, Response::Sasl(Some(b"t".to_vec())), lp(b"t")),
        (op::SASL, Response::Sasl(None), be32(-1)),
        (op::PING, Response::Empty, vec![]),
        (op::SET_WATCHES, Response::Empty, vec![]),
        (op::AUTH, Response::Empty, vec![]),
        (op::CLOSE_SESSION, Response::Empty, vec![]),
    ]
}

#[test]
fn every_response_encodes_and_decodes_exactly() {
    for (opcode, resp, body) in cases() {
        let out = reply(ok(3), &resp);
        assert_eq!(out, framed(ok(3), &body), "op {opcode}");
        assert_eq!(decode_reply(opcode, &out[4..]), Ok((ok(3), resp.clone())), "op {opcode}");
        assert_eq!(decode_response(opcode, &body), Ok(resp));
    }
}

#[test]
fn error_replies_carry_no_body() {
    let h = ReplyHeader { xid: 7, zxid: 9, err: ErrorCode::NoNode.code() };
    for (_, resp, _) in cases() {
        if matches!(resp, Response::Sasl(_)) {
            continue;
        }
        assert_eq!(reply(h, &resp), framed(h, &[]), "{resp:?}");
    }
    assert_eq!(decode_reply(op::GET_DATA, &framed(h, &[])[4..]), Ok((h, Response::Empty)));
}

#[test]
fn failed_sasl_keeps_its_null_token() {
    // ZooKeeper answers a failed SASL exchange with SetSASLResponse(null) and AuthFailed.
    let h = ReplyHeader { xid: 1, zxid: 0, err: ErrorCode::AuthFailed.code() };
    let out = reply(h, &Response::Sasl(None));
    assert_eq!(out, framed(h, &be32(-1)));
    assert_eq!(decode_reply(op::SASL, &out[4..]), Ok((h, Response::Sasl(None))));
}

#[test]
fn multi_results_follow_the_request_opcode() {
    let s = stat(7);
    let sb = stat_bytes(&s);
    let resp = Response::Multi(vec![
        MultiResult::Create("/a".into()),
        MultiResult::Create2("/b".into(), s),
        MultiResult::Delete,
        MultiResult::SetData(s),
        MultiResult::Check,
    ]);
    let mh = |t: i32, err: i32| cat(&[&be32(t), &[0], &be32(err)]);
    let body = cat(&[
        &mh(1, 0),
        &lp(b"/a"),
        &mh(15, 0),
        &lp(b"/b"),
        &sb,
        &mh(2, 0),
        &mh(5, 0),
        &sb,
        &mh(13, 0),
        &hex("ffffffff 01 ffffffff"),
    ]);
    let out = reply(ok(4), &resp);
    assert_eq!(out, framed(ok(4), &body));
    assert_eq!(decode_reply(op::MULTI, &out[4..]), Ok((ok(4), resp)));
}

#[test]
fn failed_multi_results() {
    // The usual failed-multi pattern: 0 for ops before, the code, -2 after; err repeated in the body.
    let resp = Response::Multi(vec![MultiResult::Error(0), MultiResult::Error(-101), MultiResult::Error(-2)]);
    let body = hex(
        "ffffffff 00 00000000 00000000
         ffffffff 00 ffffff9b ffffff9b
         ffffffff 00 fffffffe fffffffe
         ffffffff 01 ffffffff",
    );
    assert_eq!(reply(ok(4), &resp), framed(ok(4), &body));
    assert_eq!(decode_response(op::MULTI, &body), Ok(resp));
}

#[test]
fn multi_read_results() {
    let s = stat(3);
    let resp = Response::Multi(vec![
        MultiResult::GetChildren(vec!["x".into()]),
        MultiResult::GetData(None, s),
        MultiResult::Error(-101),
    ]);
    let body = cat(&[
        &hex("00000008 00 00000000"),
        &be32(1),
        &lp(b"x"),
        &hex("00000004 00 00000000 ffffffff"),
        &stat_bytes(&s),
        &hex("ffffffff 00 ffffff9b ffffff9b"),
        &hex("ffffffff 01 ffffffff"),
    ]);
    assert_eq!(reply(ok(4), &resp), framed(ok(4), &body));
    assert_eq!(decode_response(op::MULTI_READ, &body), Ok(resp));
}

#[test]
fn multi_body_is_kept_on_error() {
    // A multiRead of write ops: MarshallingError with an empty MultiResponse.
    let h = ReplyHeader { xid: 2, zxid: 1, err: ErrorCode::MarshallingError.code() };
    let out = reply(h, &Response::Multi(vec![]));
    assert_eq!(out, framed(h, &hex("ffffffff 01 ffffffff")));
    assert_eq!(decode_reply(op::MULTI_READ, &out[4..]), Ok((h, Response::Multi(vec![]))));
}

#[test]
fn replies_append_to_a_reused_buffer() {
    let mut out = Vec::new();
    encode_reply(&mut out, &ok(1), &Response::Path("/".into()));
    let first = out.len();
    encode_event(&mut out, 5, &WatcherEvent { event_type: 1, state: 3, path: "/a".into() });
    encode_reply(&mut out, &ok(2), &Response::Empty);
    let mut s = FrameSplitter::default();
    s.push(&out);
    let f1 = s.next_frame().unwrap().unwrap().to_vec();
    let f2 = s.next_frame().unwrap().unwrap().to_vec();
    let f3 = s.next_frame().unwrap().unwrap().to_vec();
    assert_eq!(f1.len() + 4, first);
    assert_eq!(decode_reply(op::SYNC, &f1), Ok((ok(1), Response::Path("/".into()))));
    let (h, ev) = decode_reply_header(&f2).unwrap();
    assert_eq!(h, ReplyHeader { xid: -1, zxid: 5, err: 0 });
    assert_eq!(codec_client::decode_event(ev).unwrap().path, "/a");
    assert_eq!(decode_reply(op::DELETE, &f3), Ok((ok(2), Response::Empty)));
}

#[test]
fn client_decode_errors() {
    assert_eq!(decode_response(0, &[]), Err(DecodeError::UnknownOp(0)));
    assert!(decode_response(op::GET_DATA, &be32(-1)).is_err());
    assert!(decode_response(op::MULTI, &hex("00000063 00 00000000")).is_err());
    assert!(decode_reply_header(&[0; 15]).is_err());
}

#[test]
fn requests_encode_with_header_and_length() {
    let mut out = Vec::new();
    encode_request(&mut out, 7, &Request::GetData(PathWatch { path: "/a".into(), watch: true }));
    assert_eq!(out, hex("0000000f 00000007 00000004 00000002 2f61 01"));
    let mut out = Vec::new();
    encode_request(&mut out, xid::PING, &Request::Ping);
    assert_eq!(out, hex("00000008 fffffffe 0000000b"));
    let (h, body) = split_request(&out[4..]).unwrap();
    assert_eq!(h, RequestHeader { xid: -2, op: op::PING });
    assert_eq!(decode_request(h.op, body, 100), Ok(Request::Ping));
}
