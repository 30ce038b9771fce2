//! The byte-level examples of the protocol spec (Appendix A), byte for byte.

use super::{hex, MAX};
use crate::wire::*;

const ZERO16: &str = "00000000000000000000000000000000";

#[test]
fn java_new_session_connect_request() {
    let bytes = hex(&format!("0000002d 00000000 0000000000000000 00007530 0000000000000000 00000010 {ZERO16} 00"));
    let req = ConnectRequest {
        protocol_version: 0,
        last_zxid_seen: 0,
        timeout: 30000,
        session_id: 0,
        passwd: vec![0; 16],
        read_only: Some(false),
    };
    assert_eq!(decode_connect_request(&bytes[4..]), Ok(req.clone()));
    let mut out = Vec::new();
    encode_connect_request(&mut out, &req);
    assert_eq!(out, bytes);
}

#[test]
fn go_connect_request_without_read_only() {
    let bytes = hex(&format!("0000002c 00000000 0000000000000000 00007530 0000000000000000 00000010 {ZERO16}"));
    let req = decode_connect_request(&bytes[4..]).unwrap();
    assert_eq!(req.read_only, None);
    // The reply mirrors the missing byte: 36-byte payload.
    let resp = ConnectResponse { protocol_version: 0, timeout: 30000, session_id: 1, passwd: vec![0; 16], read_only: req.read_only };
    let mut out = Vec::new();
    encode_connect_response(&mut out, &resp);
    assert_eq!(out.len(), 40);
    assert_eq!(&out[..4], &hex("00000024")[..]);
}

#[test]
fn connect_response_for_a_new_session() {
    let resp = ConnectResponse {
        protocol_version: 0,
        timeout: 30000,
        session_id: 0x0100000000000001,
        passwd: hex("054cc74a37327db215e702e20c73f005"),
        read_only: Some(false),
    };
    let mut out = Vec::new();
    encode_connect_response(&mut out, &resp);
    assert_eq!(out, hex("00000025 00000000 00007530 0100000000000001 00000010 054cc74a37327db215e702e20c73f005 00"));
    assert_eq!(decode_connect_response(&out[4..]), Ok(resp));
}

#[test]
fn expired_session_answer() {
    let resp = ConnectResponse { protocol_version: 0, timeout: 0, session_id: 0, passwd: vec![0; 16], read_only: Some(false) };
    let mut out = Vec::new();
    encode_connect_response(&mut out, &resp);
    assert_eq!(out, hex(&format!("00000025 00000000 00000000 0000000000000000 00000010 {ZERO16} 00")));
}

#[test]
fn get_data_request_and_no_node_reply() {
    let bytes = hex("0000000f 00000007 00000004 00000002 2f61 01");
    let (h, body) = split_request(&bytes[4..]).unwrap();
    assert_eq!(h, RequestHeader { xid: 7, op: op::GET_DATA });
    let req = decode_request(h.op, body, MAX).unwrap();
    assert_eq!(req, Request::GetData(PathWatch { path: "/a".into(), watch: true }));
    let mut out = Vec::new();
    encode_request(&mut out, 7, &req);
    assert_eq!(out, bytes);

    let header = ReplyHeader { xid: 7, zxid: 0x0000000100000002, err: ErrorCode::NoNode.code() };
    let mut out = Vec::new();
    // The body is dropped on error whatever the caller passes.
    encode_reply(&mut out, &header, &Response::GetData(Some(b"x".to_vec()), Stat::default()));
    assert_eq!(out, hex("00000010 00000007 0000000100000002 ffffff9b"));
}

#[test]
fn node_data_changed_notification() {
    let event = WatcherEvent { event_type: event_type::NODE_DATA_CHANGED, state: STATE_SYNC_CONNECTED, path: "/a".into() };
    let mut out = Vec::new();
    encode_event(&mut out, 5, &event);
    assert_eq!(out, hex("0000001e ffffffff 0000000000000005 00000000 | 00000003 00000003 00000002 2f61"));
    let (h, body) = decode_reply_header(&out[4..]).unwrap();
    assert_eq!(h, ReplyHeader { xid: -1, zxid: 5, err: 0 });
    assert_eq!(codec_client::decode_event(body), Ok(event));
}
