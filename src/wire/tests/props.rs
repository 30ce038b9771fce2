//! Property tests: the decoders never panic on arbitrary input, and encoding then decoding any
//! request or reply is the identity. (The cargo-fuzz target in fuzz/ drives the same decoders.)

use super::MAX;
use crate::wire::*;
use proptest::collection::vec;
use proptest::prelude::*;

const ALL_OPS: [i32; 32] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 100, 101, 102, 103, 104, 105, 106,
    107, -10, -11,
];

/// Bytes that look like jute more often than uniform noise does: small ints, -1, valid lengths.
fn junk() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        any::<u8>().prop_map(|b| vec![b]),
        (-2i32..40).prop_map(|v| v.to_be_bytes().to_vec()),
        any::<i32>().prop_map(|v| v.to_be_bytes().to_vec()),
        Just(vec![0xff, 0xff, 0xff, 0xff, 1, 0xff, 0xff, 0xff, 0xff]),
        (prop::sample::select(&[1i32, 2, 4, 5, 8, 13, 15, 19, 21, 99][..]))
            .prop_map(|t| [t.to_be_bytes().to_vec(), vec![0, 0xff, 0xff, 0xff, 0xff]].concat()),
    ];
    vec(piece, 0..40).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn decode_request_never_panics(opcode in prop::sample::select(&ALL_OPS[..]), body in junk(), max in 0usize..64) {
        let _ = decode_request(opcode, &body, max);
        let _ = decode_request(opcode, &body, MAX);
    }

    #[test]
    fn decode_request_never_panics_on_raw_bytes(opcode in any::<i32>(), body in vec(any::<u8>(), 0..256)) {
        let _ = decode_request(opcode, &body, MAX);
    }

    #[test]
    fn handshake_decoders_never_panic(body in prop_oneof![junk(), vec(any::<u8>(), 0..80)]) {
        let _ = decode_connect_request(&body);
        let _ = decode_connect_response(&body);
        let _ = split_request(&body);
        if let Ok((h, rest)) = decode_reply_header(&body) {
            let _ = codec_client::decode_event(rest);
            for opcode in ALL_OPS {
                let _ = decode_response(opcode, rest);
            }
            let _ = h;
        }
    }

    #[test]
    fn frame_splitter_never_panics(chunks in vec(vec(any::<u8>(), 0..40), 0..20), max in 0usize..64) {
        let mut s = FrameSplitter::new(max);
        let mut frames = 0;
        for c in &chunks {
            s.push(c);
            let _ = s.four_letter_word();
            loop {
                match s.next_frame() {
                    Ok(Some(f)) => {
                        prop_assert!(f.len() <= max);
                        frames += 1;
                    }
                    Ok(None) => break,
                    Err(BadFrameLength(len)) => {
                        prop_assert!(len < 0 || len as usize > max);
                        break;
                    }
                }
            }
        }
        let total: usize = chunks.iter().map(Vec::len).sum();
        prop_assert!(frames * 4 <= total);
        prop_assert!(s.buffered() <= total);
    }

    #[test]
    fn frame_splitter_reassembles_any_chunking(
        payloads in vec(vec(any::<u8>(), 0..30), 0..10),
        cuts in vec(0usize..400, 0..10),
    ) {
        let mut stream = Vec::new();
        for p in &payloads {
            stream.extend_from_slice(&(p.len() as i32).to_be_bytes());
            stream.extend_from_slice(p);
        }
        let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(stream.len())).collect();
        cuts.push(0);
        cuts.push(stream.len());
        cuts.sort_unstable();
        let mut s = FrameSplitter::new(30);
        let mut got = Vec::new();
        for w in cuts.windows(2) {
            s.push(&stream[w[0]..w[1]]);
            while let Some(f) = s.next_frame().unwrap() {
                got.push(f.to_vec());
            }
        }
        prop_assert_eq!(got, payloads);
    }
}

// ----- round trips -----------------------------------------------------------------------------

fn text() -> impl Strategy<Value = String> {
    prop_oneof![3 => "/[a-z0-9/]{0,12}", 1 => any::<String>()]
}

fn data() -> impl Strategy<Value = Option<Vec<u8>>> {
    proptest::option::of(vec(any::<u8>(), 0..20))
}

fn acls() -> impl Strategy<Value = Vec<Acl>> {
    vec((any::<i32>(), text(), text()).prop_map(|(perms, s, i)| Acl { perms, id: Id { scheme: s, id: i } }), 0..3)
}

fn strings() -> impl Strategy<Value = Vec<String>> {
    vec(text(), 0..4)
}

fn pv() -> impl Strategy<Value = PathVersion> {
    (text(), any::<i32>()).prop_map(|(path, version)| PathVersion { path, version })
}

fn pw() -> impl Strategy<Value = PathWatch> {
    (text(), any::<bool>()).prop_map(|(path, watch)| PathWatch { path, watch })
}

fn pt() -> impl Strategy<Value = PathType> {
    (text(), any::<i32>()).prop_map(|(path, kind)| PathType { path, kind })
}

fn set_data() -> impl Strategy<Value = SetDataRequest> {
    (text(), data(), any::<i32>()).prop_map(|(path, data, version)| SetDataRequest { path, data, version })
}

fn create_req(flags: impl Strategy<Value = i32>, ttl: bool) -> impl Strategy<Value = CreateRequest> {
    (text(), data(), acls(), flags, any::<i64>()).prop_map(move |(path, data, acl, flags, t)| CreateRequest {
        path,
        data,
        acl,
        flags,
        ttl: ttl.then_some(t),
    })
}

/// Create ops in the form the multi decoder produces them (already normalized).
fn multi_write_op() -> impl Strategy<Value = MultiOp> {
    prop_oneof![
        (prop::sample::select(&[1, 15, 19][..]), create_req(0..4, false)).prop_map(|(op, req)| MultiOp::Create { op, req }),
        create_req(Just(4), false).prop_map(|req| MultiOp::Create { op: 19, req }),
        create_req(5..7, true).prop_map(|req| MultiOp::Create { op: 21, req }),
        pv().prop_map(MultiOp::Delete),
        set_data().prop_map(MultiOp::SetData),
        pv().prop_map(MultiOp::Check),
    ]
}

fn multi_read_op() -> impl Strategy<Value = MultiOp> {
    prop_oneof![text().prop_map(MultiOp::GetChildren), text().prop_map(MultiOp::GetData)]
}

fn set_watches() -> impl Strategy<Value = Request> {
    (any::<bool>(), any::<i64>(), strings(), strings(), strings(), strings(), strings()).prop_map(|(v2, z, d, e, c, p, r)| {
        Request::SetWatches {
            op: if v2 { 105 } else { 101 },
            watches: SetWatches {
                relative_zxid: z,
                data_watches: d,
                exist_watches: e,
                child_watches: c,
                persistent_watches: if v2 { p } else { vec![] },
                persistent_recursive_watches: if v2 { r } else { vec![] },
            },
        }
    })
}

fn request() -> impl Strategy<Value = Request> {
    prop_oneof![
        (prop::sample::select(&[1, 15, 19][..]), create_req(any::<i32>(), false)).prop_map(|(op, req)| Request::Create { op, req }),
        create_req(any::<i32>(), true).prop_map(|req| Request::Create { op: 21, req }),
        pv().prop_map(Request::Delete),
        text().prop_map(Request::DeleteContainer),
        pw().prop_map(Request::Exists),
        pw().prop_map(Request::GetData),
        set_data().prop_map(Request::SetData),
        text().prop_map(Request::GetAcl),
        (text(), acls(), any::<i32>()).prop_map(|(path, acl, version)| Request::SetAcl(SetAclRequest { path, acl, version })),
        pw().prop_map(Request::GetChildren),
        pw().prop_map(Request::GetChildren2),
        text().prop_map(Request::GetAllChildrenNumber),
        text().prop_map(Request::GetEphemerals),
        text().prop_map(Request::Sync),
        Just(Request::Ping),
        pv().prop_map(Request::Check),
        vec(multi_write_op(), 0..5).prop_map(Request::Multi),
        vec(multi_read_op(), 0..5).prop_map(Request::MultiRead),
        (proptest::option::of(text()), proptest::option::of(text()), proptest::option::of(text()), any::<i64>()).prop_map(
            |(j, l, n, c)| Request::Reconfig(ReconfigRequest { joining_servers: j, leaving_servers: l, new_members: n, cur_config_id: c })
        ),
        pt().prop_map(Request::CheckWatches),
        pt().prop_map(Request::RemoveWatches),
        pt().prop_map(Request::AddWatch),
        set_watches(),
        (any::<i32>(), text(), vec(any::<u8>(), 0..20))
            .prop_map(|(auth_type, scheme, auth)| Request::Auth(AuthPacket { auth_type, scheme, auth })),
        data().prop_map(Request::Sasl),
        Just(Request::WhoAmI),
        Just(Request::CloseSession),
    ]
}

fn stat() -> impl Strategy<Value = Stat> {
    (any::<[i64; 5]>(), any::<[i32; 5]>()).prop_map(|(l, i)| Stat {
        czxid: l[0],
        mzxid: l[1],
        ctime: l[2],
        mtime: l[3],
        ephemeral_owner: l[4],
        version: i[0],
        cversion: i[1],
        aversion: i[2],
        data_length: i[3],
        num_children: i[4],
        pzxid: l[0] ^ l[1],
    })
}

fn multi_result() -> impl Strategy<Value = MultiResult> {
    prop_oneof![
        text().prop_map(MultiResult::Create),
        (text(), stat()).prop_map(|(p, s)| MultiResult::Create2(p, s)),
        Just(MultiResult::Delete),
        stat().prop_map(MultiResult::SetData),
        Just(MultiResult::Check),
        strings().prop_map(MultiResult::GetChildren),
        (data(), stat()).prop_map(|(d, s)| MultiResult::GetData(d, s)),
        any::<i32>().prop_map(MultiResult::Error),
    ]
}

/// (opcode, success response) pairs.
fn response() -> impl Strategy<Value = (i32, Response)> {
    prop_oneof![
        Just((2, Response::Empty)),
        text().prop_map(|p| (1, Response::Create(p))),
        (prop::sample::select(&[15, 19, 21][..]), text(), stat()).prop_map(|(o, p, s)| (o, Response::Create2(p, s))),
        (prop::sample::select(&[3, 5, 7][..]), stat()).prop_map(|(o, s)| (o, Response::Stat(s))),
        (prop::sample::select(&[4, 16][..]), data(), stat()).prop_map(|(o, d, s)| (o, Response::GetData(d, s))),
        (acls(), stat()).prop_map(|(a, s)| (6, Response::GetAcl(a, s))),
        strings().prop_map(|c| (8, Response::GetChildren(c))),
        (strings(), stat()).prop_map(|(c, s)| (12, Response::GetChildren2(c, s))),
        text().prop_map(|p| (9, Response::Path(p))),
        (prop::sample::select(&[14, 22][..]), vec(multi_result(), 0..5)).prop_map(|(o, r)| (o, Response::Multi(r))),
        any::<i32>().prop_map(|n| (104, Response::AllChildrenNumber(n))),
        strings().prop_map(|c| (103, Response::Ephemerals(c))),
        any::<i32>().prop_map(|n| (106, Response::ErrorBody(n))),
        vec((text(), text()).prop_map(|(a, u)| ClientInfo { auth_scheme: a, user: u }), 0..3).prop_map(|v| (107, Response::WhoAmI(v))),
        data().prop_map(|t| (102, Response::Sasl(t))),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn request_round_trip(req in request(), xid in any::<i32>()) {
        let mut out = vec![0xaa];
        encode_request(&mut out, xid, &req);
        let frame = &out[1..];
        let len = i32::from_be_bytes(frame[..4].try_into().unwrap());
        prop_assert_eq!(len as usize, frame.len() - 4);
        let (h, body) = split_request(&frame[4..]).unwrap();
        prop_assert_eq!(h, RequestHeader { xid, op: request_op(&req) });
        prop_assert_eq!(decode_request(h.op, body, MAX), Ok(req));
    }

    #[test]
    fn reply_round_trip((opcode, resp) in response(), xid in any::<i32>(), zxid in any::<i64>()) {
        let h = ReplyHeader { xid, zxid, err: 0 };
        let mut out = Vec::new();
        encode_reply(&mut out, &h, &resp);
        prop_assert_eq!(i32::from_be_bytes(out[..4].try_into().unwrap()) as usize, out.len() - 4);
        prop_assert_eq!(decode_reply(opcode, &out[4..]), Ok((h, resp)));
    }

    #[test]
    fn connect_round_trip(
        pv in any::<i32>(), z in any::<i64>(), t in any::<i32>(), sid in any::<i64>(),
        pw in vec(any::<u8>(), 0..20), ro in proptest::option::of(any::<bool>()),
    ) {
        let req = ConnectRequest { protocol_version: pv, last_zxid_seen: z, timeout: t, session_id: sid, passwd: pw.clone(), read_only: ro };
        let mut out = Vec::new();
        encode_connect_request(&mut out, &req);
        prop_assert_eq!(decode_connect_request(&out[4..]), Ok(req));
        let resp = ConnectResponse { protocol_version: pv, timeout: t, session_id: sid, passwd: pw, read_only: ro };
        let mut out = Vec::new();
        encode_connect_response(&mut out, &resp);
        prop_assert_eq!(decode_connect_response(&out[4..]), Ok(resp));
    }
}
