use super::*;
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

#[test]
fn legacy_forms() {
    // CreateTxnV0: no parentCVersion.
    let mut w = bytes::Writer::new();
    w.long(5);
    w.int(1);
    w.long(9);
    w.long(10);
    w.int(op::CREATE);
    w.string("/old");
    w.buffer(Some(b"d"));
    w.acls(&acl());
    w.boolean(false);
    let e = TxnEntry::decode(&w.buf).unwrap();
    assert!(matches!(e.txn, Txn::Create { parent_cversion: -1, .. }));
    // closeSession without body.
    let mut w = bytes::Writer::new();
    w.long(5);
    w.int(0);
    w.long(9);
    w.long(10);
    w.int(op::CLOSE_SESSION);
    let e = TxnEntry::decode(&w.buf).unwrap();
    assert_eq!(e.txn, Txn::CloseSession { paths: vec![] });
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
}
