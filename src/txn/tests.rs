use super::*;
use crate::wire::jute::JuteWriter;
use crate::wire::records_codec::write_acls;
use crate::wire::{perms, Id};

fn acl() -> Vec<Acl> {
    vec![Acl { perms: perms::ALL, id: Id::new("world", "anyone") }, Acl { perms: perms::READ, id: Id::new("digest", "u:h") }]
}

fn entry(op: i32, txn: Txn) -> TxnEntry {
    TxnEntry { header: TxnHeader { client_id: 0x0100_0000_0000_0001, cxid: 7, zxid: 42, time: 1_700_000_000_000, op }, txn }
}

fn all_txns() -> Vec<TxnEntry> {
    vec![
        entry(op::CREATE_SESSION, Txn::CreateSession { timeout: 30000 }),
        entry(op::CLOSE_SESSION, Txn::CloseSession { paths: vec!["/e1".into(), "/e2".into()] }),
        entry(op::CREATE, Txn::Create { path: "/a".into(), data: Some(b"x".to_vec()), acl: acl(), ephemeral: true, parent_cversion: 3, create2: false }),
        entry(op::CREATE2, Txn::Create { path: "/b".into(), data: None, acl: acl(), ephemeral: false, parent_cversion: 4, create2: true }),
        entry(op::CREATE_CONTAINER, Txn::CreateContainer { path: "/c".into(), data: Some(vec![]), acl: acl(), parent_cversion: 1 }),
        entry(op::CREATE_TTL, Txn::CreateTtl { path: "/t".into(), data: None, acl: acl(), parent_cversion: 2, ttl: 5000 }),
        entry(op::DELETE, Txn::Delete { path: "/a".into() }),
        entry(op::DELETE_CONTAINER, Txn::DeleteContainer { path: "/c".into() }),
        entry(op::SET_DATA, Txn::SetData { path: "/a".into(), data: Some(b"yy".to_vec()), version: 2 }),
        entry(op::SET_ACL, Txn::SetAcl { path: "/a".into(), acl: acl(), version: 1 }),
        entry(op::ERROR, Txn::Error { err: -101 }),
        entry(
            op::MULTI,
            Txn::Multi(vec![
                Txn::Create { path: "/m".into(), data: None, acl: acl(), ephemeral: false, parent_cversion: 9, create2: false },
                Txn::Check { path: "/m".into(), version: 0 },
                Txn::Error { err: -2 },
            ]),
        ),
    ]
}

#[test]
fn round_trip_every_type() {
    for e in all_txns() {
        let b = e.encode();
        assert_eq!(TxnEntry::decode(&b).unwrap(), e, "{:?}", e.header.op);
        // ZooKeeper may append a TxnDigest {int version; long digest}; it must be ignored.
        let mut with_digest = b.clone();
        with_digest.extend_from_slice(&[0, 0, 0, 2, 1, 2, 3, 4, 5, 6, 7, 8]);
        if e.header.op != op::CLOSE_SESSION && e.header.op != op::CREATE {
            assert_eq!(TxnEntry::decode(&with_digest).unwrap(), e);
        }
    }
}

#[test]
fn exact_bytes_of_create_session_and_error() {
    let e = TxnEntry { header: TxnHeader { client_id: 1, cxid: 0, zxid: 2, time: 3, op: op::CREATE_SESSION }, txn: Txn::CreateSession { timeout: 4000 } };
    let b = e.encode();
    let mut want = vec![];
    want.extend_from_slice(&1i64.to_be_bytes());
    want.extend_from_slice(&0i32.to_be_bytes());
    want.extend_from_slice(&2i64.to_be_bytes());
    want.extend_from_slice(&3i64.to_be_bytes());
    want.extend_from_slice(&(-10i32).to_be_bytes());
    want.extend_from_slice(&4000i32.to_be_bytes());
    assert_eq!(b, want);
    assert_eq!(b.len(), 32 + 4);
}

#[test]
fn multi_sub_records_are_buffers() {
    let e = entry(op::MULTI, Txn::Multi(vec![Txn::Error { err: 0 }]));
    let b = e.encode();
    // header(32) + count(4) + type(4) + buffer len(4) + ErrorTxn(4)
    assert_eq!(b.len(), 48);
    assert_eq!(&b[32..], &[0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 4, 0, 0, 0, 0]);
}

/// A raw header for hand-built entries.
fn raw_header(w: &mut JuteWriter, op: i32) {
    w.write_i64(5);
    w.write_i32(1);
    w.write_i64(9);
    w.write_i64(10);
    w.write_i32(op);
}

#[test]
fn legacy_forms() {
    // CreateTxnV0: no parentCVersion.
    let mut b = Vec::new();
    let w = &mut JuteWriter::new(&mut b);
    raw_header(w, op::CREATE);
    w.write_str("/old");
    w.write_buffer(Some(b"d"));
    write_acls(w, &acl());
    w.write_bool(false);
    let e = TxnEntry::decode(&b).unwrap();
    assert!(matches!(e.txn, Txn::Create { parent_cversion: -1, .. }));
    // closeSession without body.
    let mut b = Vec::new();
    raw_header(&mut JuteWriter::new(&mut b), op::CLOSE_SESSION);
    let e = TxnEntry::decode(&b).unwrap();
    assert_eq!(e.txn, Txn::CloseSession { paths: vec![] });
}

#[test]
fn exact_bytes_of_create_with_acl() {
    let e = entry(
        op::CREATE,
        Txn::Create {
            path: "/a".into(),
            data: None,
            acl: vec![Acl { perms: perms::READ, id: Id::new("ip", "h") }],
            ephemeral: true,
            parent_cversion: 3,
            create2: false,
        },
    );
    let b = e.encode();
    let want: &[u8] = &[
        0, 0, 0, 2, b'/', b'a', // path
        0xff, 0xff, 0xff, 0xff, // null data
        0, 0, 0, 1, 0, 0, 0, 1, // one ACL, perms READ
        0, 0, 0, 2, b'i', b'p', 0, 0, 0, 1, b'h', // id ip:h
        1, // ephemeral
        0, 0, 0, 3, // parentCVersion
    ];
    assert_eq!(&b[32..], want);
}

#[test]
fn nested_multi_and_null_multi_list_are_refused() {
    let inner = entry(op::MULTI, Txn::Multi(vec![Txn::Error { err: 0 }])).encode();
    let mut b = Vec::new();
    let w = &mut JuteWriter::new(&mut b);
    raw_header(w, op::MULTI);
    w.write_i32(1);
    w.write_i32(op::MULTI);
    w.write_buffer(Some(&inner[32..]));
    assert_eq!(TxnEntry::decode(&b), Err(TxnDecodeError::UnknownType(op::MULTI)));

    let mut b = Vec::new();
    let w = &mut JuteWriter::new(&mut b);
    raw_header(w, op::MULTI);
    w.write_i32(-1);
    assert!(TxnEntry::decode(&b).is_err());
}

#[test]
fn garbage_is_an_error_not_a_panic() {
    assert!(TxnEntry::decode(&[1, 2, 3]).is_err());
    let mut b = entry(op::SET_DATA, Txn::SetData { path: "/a".into(), data: None, version: 1 }).encode();
    b.truncate(b.len() - 2);
    assert!(TxnEntry::decode(&b).is_err());
    let mut b = entry(op::ERROR, Txn::Error { err: 1 }).encode();
    b[28..32].copy_from_slice(&99i32.to_be_bytes());
    assert_eq!(TxnEntry::decode(&b), Err(TxnDecodeError::UnknownType(99)));
    // A count the entry cannot hold fails before allocating.
    let mut b = entry(op::MULTI, Txn::Multi(vec![])).encode();
    b[32..36].copy_from_slice(&i32::MAX.to_be_bytes());
    assert!(TxnEntry::decode(&b).is_err());
}
