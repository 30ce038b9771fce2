//! Earlier codec tests (exact bytes from the protocol sheet, decoding rules, proptests), kept
//! beside the fuller suites of this directory.

use crate::wire::codec::*;
use crate::wire::jute::{DecodeError, JuteReader, JuteWriter};
use crate::wire::*;
use proptest::prelude::*;

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.split_whitespace().collect();
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

#[test]
fn connect_request_with_and_without_read_only_byte() {
    let bytes = hex("00000000 0000000000000000 00007530 0000000000000000 00000010 00000000000000000000000000000000 00");
    let req = decode_connect_request(&bytes).unwrap();
    assert_eq!(req.timeout, 30000);
    assert_eq!(req.passwd, vec![0; 16]);
    assert_eq!(req.read_only, Some(false));
    let old = decode_connect_request(&bytes[..bytes.len() - 1]).unwrap();
    assert_eq!(old.read_only, None);
    assert!(decode_connect_request(&bytes[..20]).is_err());
}

#[test]
fn connect_response_matches_the_sheet_and_mirrors_read_only() {
    let passwd = hex("054cc74a37327db215e702e20c73f005");
    let mut resp = ConnectResponse { protocol_version: 0, timeout: 30000, session_id: 0x0100000000000001, passwd, read_only: Some(false) };
    let mut out = Vec::new();
    encode_connect_response(&mut out, &resp);
    assert_eq!(out, hex("00000025 00000000 00007530 0100000000000001 00000010 054cc74a37327db215e702e20c73f005 00"));
    resp.read_only = None;
    out.clear();
    encode_connect_response(&mut out, &resp);
    assert_eq!(&out[..4], &[0, 0, 0, 0x24]);
    assert_eq!(out.len(), 40);
}

#[test]
fn get_data_request_and_error_reply_bytes() {
    let frame = hex("0000000f 00000007 00000004 00000002 2f61 01");
    let body = &frame[12..];
    assert_eq!(decode_request(op::GET_DATA, body, 0xfffff).unwrap(), Request::GetData(PathWatch { path: "/a".into(), watch: true }));
    let mut out = Vec::new();
    encode_reply(&mut out, &ReplyHeader { xid: 7, zxid: 5, err: ErrorCode::NoNode.code() }, &Response::Stat(Stat::default()));
    assert_eq!(out, hex("00000010 00000007 0000000000000005 ffffff9b"));
}

#[test]
fn notification_bytes() {
    let mut out = Vec::new();
    encode_event(&mut out, 5, &WatcherEvent { event_type: 3, state: 3, path: "/a".into() });
    assert_eq!(out, hex("0000001e ffffffff 0000000000000005 00000000 00000003 00000003 00000002 2f61"));
}

#[test]
fn stat_is_68_bytes_with_pzxid_last() {
    let s = Stat { czxid: 1, mzxid: 2, ctime: 3, mtime: 4, version: 5, cversion: 6, aversion: 7, ephemeral_owner: 8, data_length: 9, num_children: 10, pzxid: 11 };
    let mut out = Vec::new();
    write_stat(&mut JuteWriter::new(&mut out), &s);
    assert_eq!(out.len(), 68);
    assert_eq!(&out[60..], &11i64.to_be_bytes());
    assert_eq!(read_stat(&mut JuteReader::new(&out, 100)).unwrap(), s);
}

fn multi_bytes(ops: &[(i32, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (ty, body) in ops {
        let mut w = JuteWriter::new(&mut out);
        w.write_i32(*ty);
        w.write_bool(false);
        w.write_i32(-1);
        out.extend_from_slice(body);
    }
    let mut w = JuteWriter::new(&mut out);
    w.write_i32(-1);
    w.write_bool(true);
    w.write_i32(-1);
    out
}

fn path_version(path: &str, version: i32) -> Vec<u8> {
    let mut out = Vec::new();
    let mut w = JuteWriter::new(&mut out);
    w.write_str(path);
    w.write_i32(version);
    out
}

#[test]
fn multi_decoding_rules() {
    let ok = multi_bytes(&[(op::CHECK, path_version("/a", 1)), (op::DELETE, path_version("/a", -1))]);
    assert_eq!(
        decode_request(op::MULTI, &ok, 0xfffff).unwrap(),
        Request::Multi(vec![
            MultiOp::Check(PathVersion { path: "/a".into(), version: 1 }),
            MultiOp::Delete(PathVersion { path: "/a".into(), version: -1 })
        ])
    );
    let mut get = Vec::new();
    {
        let mut w = JuteWriter::new(&mut get);
        w.write_str("/a");
        w.write_bool(false);
    }
    let mixed = multi_bytes(&[(op::DELETE, path_version("/a", -1)), (op::GET_DATA, get.clone())]);
    assert!(decode_request(op::MULTI, &mixed, 0xfffff).is_err());
    let reads_in_multi = multi_bytes(&[(op::GET_DATA, get.clone())]);
    assert!(decode_request(op::MULTI, &reads_in_multi, 0xfffff).is_err());
    assert_eq!(decode_request(op::MULTI_READ, &reads_in_multi, 0xfffff).unwrap(), Request::MultiRead(vec![MultiOp::GetData("/a".into())]));
    let bad_op = multi_bytes(&[(op::SYNC, path_version("/a", 0))]);
    assert!(decode_request(op::MULTI, &bad_op, 0xfffff).is_err());
    assert_eq!(decode_request(op::MULTI, &multi_bytes(&[]), 0xfffff).unwrap(), Request::Multi(vec![]));
}

#[test]
fn multi_response_layout() {
    let mut out = Vec::new();
    let results = vec![MultiResult::Error(0), MultiResult::Error(-110), MultiResult::Error(-2)];
    encode_reply(&mut out, &ReplyHeader { xid: 1, zxid: 9, err: 0 }, &Response::Multi(results));
    // 4 length + 16 header + 3 * (9 header + 4 err) + 9 terminator
    assert_eq!(out.len(), 4 + 16 + 3 * 13 + 9);
    assert_eq!(&out[20..24], &(-1i32).to_be_bytes());
    assert_eq!(&out[out.len() - 9..], &hex("ffffffff 01 ffffffff")[..]);
}

#[test]
fn unknown_opcodes_are_reported_as_such() {
    assert_eq!(decode_request(99, &[], 100), Err(DecodeError::UnknownOp(99)));
    assert_eq!(decode_request(0, &[], 100), Err(DecodeError::UnknownOp(0)));
}

#[test]
fn null_and_empty_data_stay_distinct() {
    let mut body = Vec::new();
    {
        let mut w = JuteWriter::new(&mut body);
        w.write_str("/a");
        w.write_buffer(None);
        w.write_i32(-1);
    }
    match decode_request(op::SET_DATA, &body, 100).unwrap() {
        Request::SetData(r) => assert_eq!(r.data, None),
        other => panic!("{other:?}"),
    }
}

#[test]
fn hostile_lengths_are_rejected_without_allocating() {
    // A vector claiming 2^31-1 ACLs in a 20-byte body.
    let mut body = Vec::new();
    {
        let mut w = JuteWriter::new(&mut body);
        w.write_str("/a");
        w.write_buffer(Some(b""));
        w.write_i32(i32::MAX);
    }
    assert!(matches!(decode_request(op::CREATE, &body, 0xfffff), Err(DecodeError::BadLength(_))));
    let mut s = Vec::new();
    JuteWriter::new(&mut s).write_i32(-7);
    assert!(matches!(decode_request(op::GET_ACL, &s, 0xfffff), Err(DecodeError::BadLength(-7))));
    let mut big = Vec::new();
    JuteWriter::new(&mut big).write_i32(1000);
    big.extend_from_slice(&[b'a'; 1000]);
    assert!(matches!(decode_request(op::SYNC, &big, 999), Err(DecodeError::BadLength(1000))));
    assert!(decode_request(op::SYNC, &big, 1000).is_ok());
}

const OPS: [i32; 31] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 100, 101, 102, 103, 104, 105, 106, 107, -11,
];

proptest! {
    #[test]
    fn decoders_never_panic_on_arbitrary_bytes(op_idx in 0usize..OPS.len(), body in proptest::collection::vec(any::<u8>(), 0..256)) {
        let _ = decode_request(OPS[op_idx], &body, 0xfffff);
        let _ = decode_connect_request(&body);
    }

    #[test]
    fn multi_decoder_never_panics_on_structured_noise(ops in proptest::collection::vec((0usize..OPS.len(), proptest::collection::vec(any::<u8>(), 0..24)), 0..6)) {
        let body = multi_bytes(&ops.iter().map(|(i, b)| (OPS[*i], b.clone())).collect::<Vec<_>>());
        let _ = decode_request(op::MULTI, &body, 0xfffff);
        let _ = decode_request(op::MULTI_READ, &body, 0xfffff);
    }

    #[test]
    fn create_round_trips(path in "/[a-z]{1,12}", data in proptest::option::of(proptest::collection::vec(any::<u8>(), 0..64)), flags in 0i32..7, perms in 0i32..32) {
        let acl = vec![Acl { perms, id: Id::new("world", "anyone") }];
        let mut body = Vec::new();
        {
            let mut w = JuteWriter::new(&mut body);
            w.write_str(&path);
            w.write_buffer(data.as_deref());
            write_acls(&mut w, &acl);
            w.write_i32(flags);
        }
        let expected = Request::Create { op: op::CREATE2, req: CreateRequest { path, data, acl, flags, ttl: None } };
        prop_assert_eq!(decode_request(op::CREATE2, &body, 0xfffff).unwrap(), expected);
    }

    #[test]
    fn frame_splitter_never_panics(chunks in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..40), 0..10)) {
        let mut s = frame::FrameSplitter::new(64);
        for c in chunks {
            s.push(&c);
            while let Ok(Some(_)) = s.next_frame() {}
        }
    }
}
