use super::{be32, be64, cat, lp, MAX};
use crate::wire::codec_client::write_request;
use crate::wire::jute::{DecodeError, JuteWriter};
use crate::wire::*;

fn acl_bytes() -> Vec<u8> {
    cat(&[&be32(1), &be32(31), &lp(b"world"), &lp(b"anyone")])
}

fn open() -> Vec<Acl> {
    Acl::open_unsafe()
}

fn pv(path: &str, version: i32) -> PathVersion {
    PathVersion { path: path.into(), version }
}

fn pw(path: &str, watch: bool) -> PathWatch {
    PathWatch { path: path.into(), watch }
}

fn create(path: &str, data: Option<&[u8]>, flags: i32, ttl: Option<i64>) -> CreateRequest {
    CreateRequest { path: path.into(), data: data.map(|d| d.to_vec()), acl: open(), flags, ttl }
}

fn body(req: &Request) -> Vec<u8> {
    let mut out = Vec::new();
    write_request(&mut JuteWriter::new(&mut out), req);
    out
}

/// Every opcode with a hand-built body: decoding gives the request, encoding gives the bytes.
fn cases() -> Vec<(i32, Vec<u8>, Request)> {
    let ws = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    vec![
        (
            op::CREATE,
            cat(&[&lp(b"/a"), &lp(b"xy"), &acl_bytes(), &be32(0)]),
            Request::Create { op: op::CREATE, req: create("/a", Some(b"xy"), 0, None) },
        ),
        (
            op::CREATE2,
            cat(&[&lp(b"/a"), &be32(-1), &acl_bytes(), &be32(3)]),
            Request::Create { op: op::CREATE2, req: create("/a", None, 3, None) },
        ),
        (
            op::CREATE_CONTAINER,
            cat(&[&lp(b"/c"), &be32(0), &acl_bytes(), &be32(4)]),
            Request::Create { op: op::CREATE_CONTAINER, req: create("/c", Some(b""), 4, None) },
        ),
        (
            op::CREATE_TTL,
            cat(&[&lp(b"/t"), &lp(b"d"), &acl_bytes(), &be32(5), &be64(1000)]),
            Request::Create { op: op::CREATE_TTL, req: create("/t", Some(b"d"), 5, Some(1000)) },
        ),
        (op::DELETE, cat(&[&lp(b"/a"), &be32(-1)]), Request::Delete(pv("/a", -1))),
        (op::DELETE_CONTAINER, lp(b"/c"), Request::DeleteContainer("/c".into())),
        (op::EXISTS, cat(&[&lp(b"/a"), &[1]]), Request::Exists(pw("/a", true))),
        (op::GET_DATA, cat(&[&lp(b"/a"), &[0]]), Request::GetData(pw("/a", false))),
        (
            op::SET_DATA,
            cat(&[&lp(b"/a"), &lp(b"v"), &be32(3)]),
            Request::SetData(SetDataRequest { path: "/a".into(), data: Some(b"v".to_vec()), version: 3 }),
        ),
        (op::GET_ACL, lp(b"/a"), Request::GetAcl("/a".into())),
        (
            op::SET_ACL,
            cat(&[&lp(b"/a"), &acl_bytes(), &be32(2)]),
            Request::SetAcl(SetAclRequest { path: "/a".into(), acl: open(), version: 2 }),
        ),
        (op::GET_CHILDREN, cat(&[&lp(b"/"), &[1]]), Request::GetChildren(pw("/", true))),
        (op::GET_CHILDREN2, cat(&[&lp(b"/"), &[0]]), Request::GetChildren2(pw("/", false))),
        (op::GET_ALL_CHILDREN_NUMBER, lp(b"/"), Request::GetAllChildrenNumber("/".into())),
        (op::GET_EPHEMERALS, lp(b"/e"), Request::GetEphemerals("/e".into())),
        (op::SYNC, lp(b"/"), Request::Sync("/".into())),
        (op::PING, vec![], Request::Ping),
        (op::CHECK, cat(&[&lp(b"/a"), &be32(1)]), Request::Check(pv("/a", 1))),
        (
            op::MULTI,
            cat(&[
                &be32(op::CREATE),
                &[0],
                &be32(-1),
                &lp(b"/m"),
                &lp(b""),
                &acl_bytes(),
                &be32(0),
                &be32(op::CHECK),
                &[0],
                &be32(-1),
                &lp(b"/m"),
                &be32(0),
                &be32(op::DELETE),
                &[0],
                &be32(-1),
                &lp(b"/m"),
                &be32(-1),
                &be32(op::SET_DATA),
                &[0],
                &be32(-1),
                &lp(b"/n"),
                &be32(-1),
                &be32(7),
                &be32(-1),
                &[1],
                &be32(-1),
            ]),
            Request::Multi(vec![
                MultiOp::Create { op: op::CREATE, req: create("/m", Some(b""), 0, None) },
                MultiOp::Check(pv("/m", 0)),
                MultiOp::Delete(pv("/m", -1)),
                MultiOp::SetData(SetDataRequest { path: "/n".into(), data: None, version: 7 }),
            ]),
        ),
        (
            op::MULTI_READ,
            cat(&[
                &be32(op::GET_CHILDREN),
                &[0],
                &be32(-1),
                &lp(b"/"),
                &[0],
                &be32(op::GET_DATA),
                &[0],
                &be32(-1),
                &lp(b"/a"),
                &[0],
                &be32(-1),
                &[1],
                &be32(-1),
            ]),
            Request::MultiRead(vec![MultiOp::GetChildren("/".into()), MultiOp::GetData("/a".into())]),
        ),
        (
            op::RECONFIG,
            cat(&[&lp(b"server.2=h:1:2"), &be32(-1), &lp(b""), &be64(-1)]),
            Request::Reconfig(ReconfigRequest {
                joining_servers: Some("server.2=h:1:2".into()),
                leaving_servers: None,
                new_members: Some(String::new()),
                cur_config_id: -1,
            }),
        ),
        (op::CHECK_WATCHES, cat(&[&lp(b"/a"), &be32(1)]), Request::CheckWatches(PathType { path: "/a".into(), kind: 1 })),
        (op::REMOVE_WATCHES, cat(&[&lp(b"/a"), &be32(3)]), Request::RemoveWatches(PathType { path: "/a".into(), kind: 3 })),
        (op::ADD_WATCH, cat(&[&lp(b"/a"), &be32(1)]), Request::AddWatch(PathType { path: "/a".into(), kind: 1 })),
        (
            op::SET_WATCHES,
            cat(&[&be64(9), &be32(1), &lp(b"/d"), &be32(0), &be32(2), &lp(b"/c1"), &lp(b"/c2")]),
            Request::SetWatches {
                op: op::SET_WATCHES,
                watches: SetWatches {
                    relative_zxid: 9,
                    data_watches: ws(&["/d"]),
                    exist_watches: vec![],
                    child_watches: ws(&["/c1", "/c2"]),
                    ..SetWatches::default()
                },
            },
        ),
        (
            op::SET_WATCHES2,
            cat(&[&be64(9), &be32(0), &be32(1), &lp(b"/e"), &be32(0), &be32(1), &lp(b"/p"), &be32(1), &lp(b"/r")]),
            Request::SetWatches {
                op: op::SET_WATCHES2,
                watches: SetWatches {
                    relative_zxid: 9,
                    data_watches: vec![],
                    exist_watches: ws(&["/e"]),
                    child_watches: vec![],
                    persistent_watches: ws(&["/p"]),
                    persistent_recursive_watches: ws(&["/r"]),
                },
            },
        ),
        (
            op::AUTH,
            cat(&[&be32(0), &lp(b"digest"), &lp(b"u:p")]),
            Request::Auth(AuthPacket { auth_type: 0, scheme: "digest".into(), auth: b"u:p".to_vec() }),
        ),
        (op::SASL, lp(b"tok"), Request::Sasl(Some(b"tok".to_vec()))),
        (op::WHO_AM_I, vec![], Request::WhoAmI),
        (op::CLOSE_SESSION, vec![], Request::CloseSession),
    ]
}

#[test]
fn every_opcode_decodes_and_encodes_exactly() {
    let cases = cases();
    // Each opcode of the spec's table (except notification 0 and server-internal createSession).
    let ops: std::collections::BTreeSet<i32> = cases.iter().map(|c| c.0).collect();
    assert_eq!(ops.len(), 30);
    for (opcode, bytes, req) in cases {
        assert_eq!(decode_request(opcode, &bytes, MAX), Ok(req.clone()), "decode op {opcode}");
        assert_eq!(request_op(&req), opcode);
        assert_eq!(body(&req), bytes, "encode op {opcode}");
    }
}

#[test]
fn trailing_bytes_are_ignored() {
    for (opcode, mut bytes, req) in cases() {
        bytes.extend_from_slice(&[0xde, 0xad, 0xbe, 0xef, 0]);
        assert_eq!(decode_request(opcode, &bytes, MAX), Ok(req), "op {opcode}");
    }
}

#[test]
fn every_truncation_fails() {
    for (opcode, bytes, _) in cases() {
        for cut in 0..bytes.len() {
            assert!(decode_request(opcode, &bytes[..cut], MAX).is_err(), "op {opcode} cut at {cut}");
        }
    }
}

#[test]
fn unknown_opcodes_are_distinct() {
    for opcode in [0, 10, 23, 99, 108, -10, -1, i32::MAX, i32::MIN] {
        assert_eq!(decode_request(opcode, &[], MAX), Err(DecodeError::UnknownOp(opcode)));
    }
}

#[test]
fn string_limit_applies_to_paths_and_data() {
    let bytes = cat(&[&lp(b"/abc"), &lp(&[0; 10]), &be32(0)]);
    assert!(decode_request(op::SET_DATA, &bytes, 10).is_ok());
    assert_eq!(decode_request(op::SET_DATA, &bytes, 9), Err(DecodeError::BadLength(10)));
    assert_eq!(decode_request(op::SET_DATA, &bytes, 3), Err(DecodeError::BadLength(4)));
}

#[test]
fn negative_lengths_fail() {
    let bytes = cat(&[&be32(-2), &[0]]);
    assert_eq!(decode_request(op::GET_DATA, &bytes, MAX), Err(DecodeError::BadLength(-2)));
    let bytes = cat(&[&lp(b"/a"), &be32(-100), &be32(0)]);
    assert_eq!(decode_request(op::SET_DATA, &bytes, MAX), Err(DecodeError::BadLength(-100)));
}

#[test]
fn null_strings_and_vectors() {
    // Null path reads as "", null data stays null, null ACL list reads as empty (=> InvalidACL later).
    let bytes = cat(&[&be32(-1), &be32(-1), &be32(-1), &be32(0)]);
    let req = decode_request(op::CREATE, &bytes, MAX).unwrap();
    assert_eq!(
        req,
        Request::Create { op: op::CREATE, req: CreateRequest { path: String::new(), data: None, acl: vec![], flags: 0, ttl: None } }
    );
    // Null sasl token stays null; null auth bytes read as empty.
    assert_eq!(decode_request(op::SASL, &be32(-1), MAX), Ok(Request::Sasl(None)));
    let bytes = cat(&[&be32(0), &lp(b"x"), &be32(-1)]);
    assert_eq!(
        decode_request(op::AUTH, &bytes, MAX),
        Ok(Request::Auth(AuthPacket { auth_type: 0, scheme: "x".into(), auth: vec![] }))
    );
    // Any negative vector count other than -1 is an empty vector, as in Java.
    let bytes = cat(&[&lp(b"/a"), &be32(-3), &be32(0)]);
    assert_eq!(
        decode_request(op::SET_ACL, &bytes, MAX),
        Ok(Request::SetAcl(SetAclRequest { path: "/a".into(), acl: vec![], version: 0 }))
    );
}

#[test]
fn null_watch_lists_are_rejected() {
    // ZooKeeper iterates the lists and fails with MarshallingError on null.
    let bytes = cat(&[&be64(0), &be32(0), &be32(-1), &be32(0)]);
    assert!(matches!(decode_request(op::SET_WATCHES, &bytes, MAX), Err(DecodeError::Invalid(_))));
    let bytes = cat(&[&be64(0), &be32(0), &be32(0), &be32(0), &be32(0), &be32(-1)]);
    assert!(matches!(decode_request(op::SET_WATCHES2, &bytes, MAX), Err(DecodeError::Invalid(_))));
}

#[test]
fn huge_vector_counts_fail_without_allocating() {
    let bytes = cat(&[&lp(b"/a"), &be32(i32::MAX), &be32(0)]);
    assert_eq!(decode_request(op::SET_ACL, &bytes, MAX), Err(DecodeError::BadLength(i32::MAX as i64)));
    let bytes = cat(&[&be64(0), &be32(0x4000_0000)]);
    assert!(decode_request(op::SET_WATCHES, &bytes, MAX).is_err());
}

// ----- multi -----------------------------------------------------------------------------------

fn mh(op: i32) -> Vec<u8> {
    cat(&[&be32(op), &[0], &be32(-1)])
}

fn end() -> Vec<u8> {
    cat(&[&be32(-1), &[1], &be32(-1)])
}

fn create_body(flags: i32) -> Vec<u8> {
    cat(&[&lp(b"/x"), &lp(b""), &acl_bytes(), &be32(flags)])
}

fn ttl_body(flags: i32, ttl: i64) -> Vec<u8> {
    cat(&[&create_body(flags), &be64(ttl)])
}

fn multi(parts: &[Vec<u8>]) -> Result<Request, DecodeError> {
    let mut b = parts.concat();
    b.extend(end());
    decode_request(op::MULTI, &b, MAX)
}

fn single_create(r: Result<Request, DecodeError>) -> (i32, CreateRequest) {
    match r {
        Ok(Request::Multi(mut ops)) if ops.len() == 1 => match ops.remove(0) {
            MultiOp::Create { op, req } => (op, req),
            o => panic!("{o:?}"),
        },
        o => panic!("{o:?}"),
    }
}

#[test]
fn empty_multi_and_multi_read() {
    assert_eq!(decode_request(op::MULTI, &end(), MAX), Ok(Request::Multi(vec![])));
    assert_eq!(decode_request(op::MULTI_READ, &end(), MAX), Ok(Request::MultiRead(vec![])));
    // Only `done` ends the list: the terminator's type and err are not looked at.
    let b = cat(&[&be32(5), &[1], &be32(0)]);
    assert_eq!(decode_request(op::MULTI, &b, MAX), Ok(Request::Multi(vec![])));
    // No terminator.
    assert!(decode_request(op::MULTI, &[], MAX).is_err());
    assert!(decode_request(op::MULTI, &cat(&[&mh(op::DELETE), &lp(b"/a"), &be32(0)]), MAX).is_err());
}

#[test]
fn multi_create_flags() {
    for flags in [0, 1, 2, 3] {
        for ty in [op::CREATE, op::CREATE2, op::CREATE_CONTAINER] {
            let (o, req) = single_create(multi(&[mh(ty), create_body(flags)]));
            assert_eq!((o, req.flags, req.ttl), (ty, flags, None));
        }
    }
    // The container flag makes any create a createContainer op (Op.Create.getOpcode).
    for ty in [op::CREATE, op::CREATE2, op::CREATE_CONTAINER] {
        let (o, req) = single_create(multi(&[mh(ty), create_body(4)]));
        assert_eq!((o, req.flags), (op::CREATE_CONTAINER, 4));
    }
    // Flags outside CreateMode, and TTL modes without a ttl, fail the whole request.
    for flags in [-1, 7, 100, 5, 6] {
        for ty in [op::CREATE, op::CREATE2, op::CREATE_CONTAINER] {
            assert!(matches!(multi(&[mh(ty), create_body(flags)]), Err(DecodeError::Invalid(_))), "{ty} {flags}");
        }
    }
    // A null ACL list in a multi create fails (CreateOptions requires one).
    let null_acl = cat(&[&lp(b"/x"), &lp(b""), &be32(-1), &be32(0)]);
    assert!(matches!(multi(&[mh(op::CREATE), null_acl]), Err(DecodeError::Invalid(_))));
}

#[test]
fn multi_create_ttl_follows_its_mode() {
    for flags in [5, 6] {
        let (o, req) = single_create(multi(&[mh(op::CREATE_TTL), ttl_body(flags, 500)]));
        assert_eq!((o, req.flags, req.ttl), (op::CREATE_TTL, flags, Some(500)));
    }
    // Non-TTL modes become a plain create (container: createContainer) and lose the ttl; unknown
    // flags are kept for the prep step to reject per op.
    for (flags, want) in [(0, op::CREATE), (3, op::CREATE), (4, op::CREATE_CONTAINER), (99, op::CREATE)] {
        let (o, req) = single_create(multi(&[mh(op::CREATE_TTL), ttl_body(flags, 500)]));
        assert_eq!((o, req.flags, req.ttl), (want, flags, None));
    }
    // A null ACL list is accepted here (read as empty).
    let b = cat(&[&lp(b"/x"), &lp(b""), &be32(-1), &be32(5), &be64(1)]);
    let (_, req) = single_create(multi(&[mh(op::CREATE_TTL), b]));
    assert!(req.acl.is_empty());
}

#[test]
fn multi_rejects_other_op_types() {
    for ty in [0, 3, 6, 7, 9, 11, 12, 14, 16, 20, 22, 100, -11] {
        let r = multi(&[mh(ty), lp(b"/a"), be32(0)]);
        assert!(matches!(r, Err(DecodeError::Invalid(_))), "type {ty}: {r:?}");
    }
}

#[test]
fn multi_and_multi_read_do_not_mix_kinds() {
    let read = cat(&[&mh(op::GET_DATA), &lp(b"/a"), &[1]]);
    let write = cat(&[&mh(op::DELETE), &lp(b"/a"), &be32(0)]);
    let mixed = cat(&[&write, &read, &end()]);
    assert!(matches!(decode_request(op::MULTI, &mixed, MAX), Err(DecodeError::Invalid(_))));
    assert!(matches!(decode_request(op::MULTI_READ, &mixed, MAX), Err(DecodeError::Invalid(_))));
    let reads = cat(&[&read, &read, &end()]);
    assert!(matches!(decode_request(op::MULTI, &reads, MAX), Err(DecodeError::Invalid(_))));
    assert_eq!(
        decode_request(op::MULTI_READ, &reads, MAX),
        Ok(Request::MultiRead(vec![MultiOp::GetData("/a".into()), MultiOp::GetData("/a".into())]))
    );
    let writes = cat(&[&write, &end()]);
    assert_eq!(decode_request(op::MULTI_READ, &writes, MAX), Err(DecodeError::WriteOpInMultiRead));
    // A later decode failure wins over the write-op rule (ZooKeeper fails while deserializing).
    let writes_then_garbage = cat(&[&write, &mh(99)]);
    assert!(matches!(decode_request(op::MULTI_READ, &writes_then_garbage, MAX), Err(DecodeError::Invalid(_))));
}

#[test]
fn long_multi_decodes() {
    let op_bytes = cat(&[&mh(op::CHECK), &lp(b"/a"), &be32(0)]);
    let mut parts = vec![op_bytes; 10_000];
    parts.push(end());
    match decode_request(op::MULTI, &parts.concat(), MAX) {
        Ok(Request::Multi(ops)) => assert_eq!(ops.len(), 10_000),
        o => panic!("{o:?}"),
    }
}
