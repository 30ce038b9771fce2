use super::{be32, be64, cat, hex, lp};
use crate::wire::jute::{DecodeError, JuteReader, JuteWriter};
use crate::wire::records_codec::*;
use crate::wire::*;

fn stat() -> Stat {
    Stat {
        czxid: 1,
        mzxid: 2,
        ctime: 3,
        mtime: 4,
        version: 5,
        cversion: -6,
        aversion: 7,
        ephemeral_owner: 0x0100000000000001,
        data_length: 9,
        num_children: 10,
        pzxid: 11,
    }
}

fn encode<T: ?Sized>(v: &T, f: impl Fn(&mut JuteWriter, &T)) -> Vec<u8> {
    let mut out = Vec::new();
    f(&mut JuteWriter::new(&mut out), v);
    out
}

#[test]
fn stat_is_68_bytes_with_pzxid_last() {
    let b = encode(&stat(), write_stat);
    assert_eq!(b.len(), STAT_LEN);
    let expect = cat(&[
        &be64(1),
        &be64(2),
        &be64(3),
        &be64(4),
        &be32(5),
        &be32(-6),
        &be32(7),
        &be64(0x0100000000000001),
        &be32(9),
        &be32(10),
        &be64(11),
    ]);
    assert_eq!(b, expect);
    assert_eq!(read_stat(&mut JuteReader::new(&b, 0)).unwrap(), stat());
    assert!(read_stat(&mut JuteReader::new(&b[..67], 0)).is_err());
}

#[test]
fn stat_persisted_is_60_bytes() {
    let s = StatPersisted {
        czxid: 1,
        mzxid: 2,
        ctime: 3,
        mtime: 4,
        version: 5,
        cversion: 6,
        aversion: 7,
        ephemeral_owner: 8,
        pzxid: 9,
    };
    let b = encode(&s, write_stat_persisted);
    assert_eq!(b.len(), STAT_PERSISTED_LEN);
    assert_eq!(&b[52..], &be64(9)[..]);
    assert_eq!(read_stat_persisted(&mut JuteReader::new(&b, 0)).unwrap(), s);
}

#[test]
fn id_and_acl_round_trip() {
    let acl = Acl { perms: perms::ALL, id: Id::new("world", "anyone") };
    let b = encode(&acl, write_acl);
    assert_eq!(b, cat(&[&be32(31), &lp(b"world"), &lp(b"anyone")]));
    assert_eq!(read_acl(&mut JuteReader::new(&b, 100)).unwrap(), acl);

    let acls = vec![acl.clone(), Acl { perms: perms::READ, id: Id::new("digest", "u:h=") }];
    let b = encode(&acls[..], write_acls);
    assert_eq!(&b[..4], &be32(2)[..]);
    assert_eq!(read_acls(&mut JuteReader::new(&b, 100)).unwrap(), acls);
    // null ACL list: `read_acls` gives empty, `read_acls_opt` keeps it null.
    assert_eq!(read_acls(&mut JuteReader::new(&be32(-1), 100)).unwrap(), vec![]);
    assert_eq!(read_acls_opt(&mut JuteReader::new(&be32(-1), 100)).unwrap(), None);
    // An id with null strings reads as empty strings.
    let b = cat(&[&be32(1), &be32(-1), &be32(-1)]);
    assert_eq!(read_acl(&mut JuteReader::new(&b, 100)).unwrap(), Acl { perms: 1, id: Id::new("", "") });
}

#[test]
fn client_info_round_trip() {
    let c = ClientInfo { auth_scheme: "ip".into(), user: "127.0.0.1".into() };
    let b = encode(&c, write_client_info);
    assert_eq!(b, cat(&[&lp(b"ip"), &lp(b"127.0.0.1")]));
    assert_eq!(read_client_info(&mut JuteReader::new(&b, 100)).unwrap(), c);
}

#[test]
fn headers() {
    let h = RequestHeader { xid: 7, op: op::GET_DATA };
    let b = encode(&h, write_request_header);
    assert_eq!(b, hex("00000007 00000004"));
    assert_eq!(read_request_header(&mut JuteReader::new(&b, 0)).unwrap(), h);
    let payload = cat(&[&b, b"body"]);
    assert_eq!(split_request(&payload).unwrap(), (h, &b"body"[..]));
    assert!(split_request(&b[..7]).is_err());

    let h = ReplyHeader { xid: -2, zxid: 0x1234, err: -101 };
    let b = encode(&h, write_reply_header);
    assert_eq!(b.len(), REPLY_HEADER_LEN);
    assert_eq!(b, hex("fffffffe 0000000000001234 ffffff9b"));
    assert_eq!(read_reply_header(&mut JuteReader::new(&b, 0)).unwrap(), h);
    let rest = cat(&[&b, b"xy"]);
    assert_eq!(decode_reply_header(&rest).unwrap(), (h, &b"xy"[..]));

    let m = MultiHeader { op: 5, done: false, err: -1 };
    let b = encode(&m, write_multi_header);
    assert_eq!(b, hex("00000005 00 ffffffff"));
    assert_eq!(read_multi_header(&mut JuteReader::new(&b, 0)).unwrap(), m);
    assert_eq!(encode(&MultiHeader::END, write_multi_header), hex("ffffffff 01 ffffffff"));
}

#[test]
fn watcher_event_round_trip() {
    let e = WatcherEvent { event_type: event_type::NODE_DELETED, state: STATE_SYNC_CONNECTED, path: "/x".into() };
    let b = encode(&e, write_watcher_event);
    assert_eq!(b, hex("00000002 00000003 00000002 2f78"));
    assert_eq!(read_watcher_event(&mut JuteReader::new(&b, 100)).unwrap(), e);
    assert_eq!(codec_client::decode_event(&b).unwrap(), e);
}

fn connect_request(read_only: Option<bool>) -> ConnectRequest {
    ConnectRequest {
        protocol_version: 0,
        last_zxid_seen: 0x55,
        timeout: 30000,
        session_id: 0x0100000000000001,
        passwd: (0..16).collect(),
        read_only,
    }
}

#[test]
fn connect_request_with_and_without_read_only() {
    for ro in [None, Some(false), Some(true)] {
        let req = connect_request(ro);
        let mut out = Vec::new();
        encode_connect_request(&mut out, &req);
        let expect_len = if ro.is_some() { 45 } else { 44 };
        assert_eq!(out.len(), 4 + expect_len);
        assert_eq!(&out[..4], &be32(expect_len as i32)[..]);
        assert_eq!(decode_connect_request(&out[4..]).unwrap(), req);
    }
    // Trailing bytes after readOnly are ignored; a non-zero readOnly byte is true.
    let mut out = Vec::new();
    encode_connect_request(&mut out, &connect_request(None));
    out.extend_from_slice(&[2, 9, 9]);
    assert_eq!(decode_connect_request(&out[4..]).unwrap().read_only, Some(true));
}

#[test]
fn connect_request_errors() {
    let mut out = Vec::new();
    encode_connect_request(&mut out, &connect_request(Some(false)));
    let payload = &out[4..];
    // Any cut inside the mandatory fields fails; the cut before readOnly is the old protocol.
    for cut in 0..44 {
        assert!(decode_connect_request(&payload[..cut]).is_err(), "cut {cut}");
    }
    assert_eq!(decode_connect_request(&payload[..44]).unwrap().read_only, None);
    // A password longer than the payload, or with a negative length.
    let mut bad = payload[..24].to_vec();
    bad.extend_from_slice(&be32(1000));
    assert!(decode_connect_request(&bad).is_err());
    let mut bad = payload[..24].to_vec();
    bad.extend_from_slice(&be32(-5));
    assert_eq!(decode_connect_request(&bad), Err(DecodeError::BadLength(-5)));
    // A null password reads as empty.
    let mut null_pw = payload[..24].to_vec();
    null_pw.extend_from_slice(&be32(-1));
    assert_eq!(decode_connect_request(&null_pw).unwrap().passwd, Vec::<u8>::new());
}

#[test]
fn connect_response_mirrors_read_only() {
    for ro in [None, Some(false), Some(true)] {
        let resp = ConnectResponse { protocol_version: 0, timeout: 4000, session_id: 77, passwd: vec![1; 16], read_only: ro };
        let mut out = Vec::new();
        encode_connect_response(&mut out, &resp);
        let expect_len = if ro.is_some() { 37 } else { 36 };
        assert_eq!(out.len(), 4 + expect_len);
        assert_eq!(&out[..4], &be32(expect_len as i32)[..]);
        assert_eq!(decode_connect_response(&out[4..]).unwrap(), resp);
    }
}
