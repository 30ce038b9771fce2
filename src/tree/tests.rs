use super::*;
use crate::txn::{Txn, TxnHeader};
use crate::wire::{op, perms, ErrorCode, Id};

fn open() -> Vec<Acl> {
    Acl::open_unsafe()
}

fn hdr(zxid: i64, op: i32, client: i64) -> TxnHeader {
    TxnHeader { client_id: client, cxid: 1, zxid, time: 1000 + zxid, op }
}

fn create(path: &str, pcv: i32) -> Txn {
    Txn::Create { path: path.into(), data: Some(b"d".to_vec()), acl: open(), ephemeral: false, parent_cversion: pcv, create2: false }
}

#[test]
fn fresh_tree_system_nodes() {
    let t = DataTree::new(false);
    let root = t.stat("/").unwrap();
    assert_eq!(root.cversion, -1);
    assert_eq!(root.num_children, 1);
    let zk = t.stat("/zookeeper").unwrap();
    assert_eq!(zk.cversion, -2);
    assert_eq!(zk.num_children, 2);
    assert_eq!(t.stat("/zookeeper/quota").unwrap(), Stat::default());
    assert_eq!(t.acl("/zookeeper/config").unwrap(), Acl::read_unsafe());
    assert_eq!(t.acl("/").unwrap(), Acl::open_unsafe());
    assert_eq!(t.get("/").unwrap().acl, OPEN_UNSAFE_ACL_ID);
    assert_eq!(t.get("/zookeeper/config").unwrap().acl, 1);
    assert_eq!(t.node_count(), 5);
    assert_eq!(t.approximate_data_size(), 44);
    assert_eq!(t.all_children_number("/"), 3);
    assert_eq!(t.all_children_number("/zookeeper"), 2);
    assert_eq!(t.get("").unwrap().children.len(), 1, "\"\" aliases the root");
    assert_eq!(t.get("/zookeeper/config").unwrap().data, Some(&[][..]));
    assert_eq!(t.stat("/zookeeper/config").unwrap().aversion, -1, "set by setACL(version -1)");
}

#[test]
fn create_updates_parent_and_stats() {
    let mut t = DataTree::new(false);
    let mut tr = vec![];
    let r = t.process_txn(&hdr(5, op::CREATE, 0), &create("/a", 1), &mut tr);
    assert_eq!(r.err, 0);
    let s = t.stat("/a").unwrap();
    assert_eq!((s.czxid, s.mzxid, s.pzxid, s.ctime, s.mtime), (5, 5, 5, 1005, 1005));
    assert_eq!((s.version, s.cversion, s.aversion, s.data_length), (0, 0, 0, 1));
    let root = t.get("/").unwrap();
    assert_eq!(root.stat.cversion, 1);
    assert_eq!(root.stat.pzxid, 5);
    assert_eq!(t.stat("/").unwrap().cversion, 0, "2*1 - 2 children");
    assert_eq!(t.last_processed_zxid, 5);
    assert_eq!(tr.len(), 1);
    assert!(matches!(&tr[0], WatchTrigger::Created { path, parent, .. } if path == "/a" && parent == "/"));
    assert_eq!(t.approximate_data_size(), 44 + 2 + 1);
    // delete: stored cversion unchanged, visible cversion rises, pzxid moves.
    let r = t.process_txn(&hdr(6, op::DELETE, 0), &Txn::Delete { path: "/a".into() }, &mut tr);
    assert_eq!(r.err, 0);
    assert_eq!(t.get("/").unwrap().stat.cversion, 1);
    assert_eq!(t.stat("/").unwrap().cversion, 1);
    assert_eq!(t.get("/").unwrap().stat.pzxid, 6);
    assert!(t.get("/a").is_none());
    assert_eq!(t.approximate_data_size(), 44);
}

#[test]
fn replay_rules_are_idempotent() {
    let mut t = DataTree::new(false);
    let mut tr = vec![];
    t.process_txn(&hdr(5, op::CREATE, 0), &create("/a", 1), &mut tr);
    // Replaying an older create for an existing node: NodeExists, parent cversion not lowered.
    let r = t.process_txn(&hdr(5, op::CREATE, 0), &create("/a", 1), &mut tr);
    assert_eq!(r.err, ErrorCode::NodeExists.code());
    assert_eq!(t.get("/").unwrap().stat.cversion, 1);
    // NodeExists with a higher parent cversion still raises it (and pzxid).
    let r = t.process_txn(&hdr(9, op::CREATE, 0), &create("/a", 4), &mut tr);
    assert_eq!(r.err, ErrorCode::NodeExists.code());
    assert_eq!(t.get("/").unwrap().stat.cversion, 4);
    assert_eq!(t.get("/").unwrap().stat.pzxid, 9);
    // A create with a lower parent cversion creates the node but leaves the parent counter alone.
    t.process_txn(&hdr(10, op::CREATE, 0), &create("/b", 2), &mut tr);
    assert_eq!(t.get("/").unwrap().stat.cversion, 4);
    assert_eq!(t.get("/").unwrap().stat.pzxid, 9);
    // Legacy -1 means +1.
    t.process_txn(&hdr(11, op::CREATE, 0), &create("/c", -1), &mut tr);
    assert_eq!(t.get("/").unwrap().stat.cversion, 5);
    // Delete of a missing node: NoNode but parent pzxid still advances.
    let r = t.process_txn(&hdr(12, op::DELETE, 0), &Txn::Delete { path: "/zz".into() }, &mut tr);
    assert_eq!(r.err, ErrorCode::NoNode.code());
    assert_eq!(t.get("/").unwrap().stat.pzxid, 12);
    // Delete with an older zxid does not lower pzxid.
    t.process_txn(&hdr(3, op::DELETE, 0), &Txn::Delete { path: "/b".into() }, &mut tr);
    assert_eq!(t.get("/").unwrap().stat.pzxid, 12);
    assert_eq!(t.last_processed_zxid, 12);
}

#[test]
fn ephemeral_container_ttl_indexes() {
    let mut t = DataTree::new(true);
    let mut tr = vec![];
    let sid = 0x0100_0000_0000_0001;
    let e = Txn::Create { path: "/e".into(), data: None, acl: open(), ephemeral: true, parent_cversion: 1, create2: true };
    let r = t.process_txn(&hdr(2, op::CREATE2, sid), &e, &mut tr);
    assert_eq!(r.stat.unwrap().ephemeral_owner, sid);
    assert_eq!(t.get("/e").unwrap().data, None, "null data preserved");
    let c = Txn::CreateContainer { path: "/c".into(), data: Some(vec![]), acl: open(), parent_cversion: 2 };
    let r = t.process_txn(&hdr(3, op::CREATE_CONTAINER, sid), &c, &mut tr);
    assert_eq!(r.stat.unwrap().ephemeral_owner, 0);
    assert_eq!(t.get("/c").unwrap().stat.ephemeral_owner, CONTAINER_EPHEMERAL_OWNER);
    let tt = Txn::CreateTtl { path: "/t".into(), data: None, acl: open(), parent_cversion: 3, ttl: 100 };
    let r = t.process_txn(&hdr(4, op::CREATE_TTL, sid), &tt, &mut tr);
    assert_eq!(r.stat.unwrap().ephemeral_owner, 0);
    assert_eq!(t.ephemerals(sid), vec!["/e".to_string()]);
    assert!(t.containers().contains("/c"));
    assert!(t.ttls().contains("/t"));
    assert_eq!(t.ephemerals_count(), 1);
    // closeSession deletes listed and remaining ephemerals.
    tr.clear();
    t.process_txn(&hdr(5, op::CLOSE_SESSION, sid), &Txn::CloseSession { paths: vec![] }, &mut tr);
    assert!(t.get("/e").is_none());
    assert_eq!(t.ephemerals_count(), 0);
    assert_eq!(t.get("/").unwrap().stat.pzxid, 5);
    assert!(matches!(&tr[0], WatchTrigger::Deleted { path, .. } if path == "/e"));
    t.process_txn(&hdr(6, op::DELETE_CONTAINER, 0), &Txn::DeleteContainer { path: "/c".into() }, &mut tr);
    assert!(t.containers().is_empty());
}

#[test]
fn set_data_and_acl_stats() {
    let mut t = DataTree::new(false);
    let mut tr = vec![];
    t.process_txn(&hdr(2, op::CREATE, 0), &create("/a", 1), &mut tr);
    let r = t.process_txn(&hdr(3, op::SET_DATA, 0), &Txn::SetData { path: "/a".into(), data: None, version: 1 }, &mut tr);
    let s = r.stat.unwrap();
    assert_eq!((s.version, s.mzxid, s.mtime, s.czxid, s.data_length), (1, 3, 1003, 2, 0));
    let acl = vec![Acl { perms: perms::READ, id: Id::new("digest", "u:h") }];
    let r = t.process_txn(&hdr(4, op::SET_ACL, 0), &Txn::SetAcl { path: "/a".into(), acl: acl.clone(), version: 1 }, &mut tr);
    let s = r.stat.unwrap();
    assert_eq!((s.aversion, s.mzxid, s.version), (1, 3, 1), "setACL touches only aversion");
    assert_eq!(t.acl("/a").unwrap(), acl);
    // setACL fires nothing
    assert_eq!(tr.len(), 2);
    // ACL interning: the old open list (index 2? no: open ALL was interned for /a) is released.
    assert_eq!(t.acl_cache().len(), 2, "config READ list + the digest list");
}

#[test]
fn multi_apply_success_and_failure() {
    let mut t = DataTree::new(false);
    let mut tr = vec![];
    let ok = Txn::Multi(vec![create("/m", 1), Txn::Check { path: "/m".into(), version: 0 }, Txn::SetData { path: "/m".into(), data: None, version: 1 }]);
    let r = t.process_txn(&hdr(2, op::MULTI, 0), &ok, &mut tr);
    assert_eq!(r.err, 0);
    assert_eq!(r.multi.iter().map(|m| m.op).collect::<Vec<_>>(), vec![op::CREATE, op::CHECK, op::SET_DATA]);
    assert_eq!(t.stat("/m").unwrap().version, 1);
    let bad = Txn::Multi(vec![create("/n", 2), Txn::Error { err: -101 }, Txn::Error { err: -2 }]);
    let r = t.process_txn(&hdr(3, op::MULTI, 0), &bad, &mut tr);
    assert_eq!(r.multi.iter().map(|m| (m.op, m.err)).collect::<Vec<_>>(), vec![(-1, 0), (-1, -101), (-1, -2)]);
    assert_eq!(r.err, -101);
    assert!(t.get("/n").is_none());
    assert_eq!(t.last_processed_zxid, 3);
}

#[test]
fn quota_bookkeeping() {
    let mut t = DataTree::new(false);
    let mut tr = vec![];
    let mut z = 1;
    let mut mk = |t: &mut DataTree, p: &str, d: &[u8]| {
        z += 1;
        let parent = path::split(p).0.to_string();
        let pcv = t.get(&parent).map(|n| n.stat.cversion + 1).unwrap_or(1);
        let r = t.process_txn(&hdr(z, op::CREATE, 0), &Txn::Create { path: p.into(), data: Some(d.to_vec()), acl: open(), ephemeral: false, parent_cversion: pcv, create2: false }, &mut tr);
        assert_eq!(r.err, 0, "{p}");
    };
    mk(&mut t, "/q", b"12345");
    mk(&mut t, "/q/a", b"xy");
    mk(&mut t, "/zookeeper/quota/q", b"");
    mk(&mut t, "/zookeeper/quota/q/zookeeper_limits", b"count=10,bytes=100");
    mk(&mut t, "/zookeeper/quota/q/zookeeper_stats", b"count=0,bytes=0");
    assert_eq!(t.get("/zookeeper/quota/q/zookeeper_stats").unwrap().data.as_deref(), Some(&b"count=2,bytes=7"[..]));
    mk(&mut t, "/q/b", b"abc");
    assert_eq!(t.get("/zookeeper/quota/q/zookeeper_stats").unwrap().data.as_deref(), Some(&b"count=3,bytes=10"[..]));
    let st = t.get("/zookeeper/quota/q/zookeeper_stats").unwrap().stat;
    assert_eq!(st.version, 0, "in-place update");
    t.process_txn(&hdr(50, op::DELETE, 0), &Txn::Delete { path: "/q/a".into() }, &mut tr);
    assert_eq!(t.get("/zookeeper/quota/q/zookeeper_stats").unwrap().data.as_deref(), Some(&b"count=2,bytes=8"[..]));
    t.process_txn(&hdr(51, op::SET_DATA, 0), &Txn::SetData { path: "/q/b".into(), data: Some(b"a".to_vec()), version: 1 }, &mut tr);
    assert_eq!(t.get("/zookeeper/quota/q/zookeeper_stats").unwrap().data.as_deref(), Some(&b"count=2,bytes=6"[..]));
    assert_eq!(t.max_prefix_with_quota("/q/b").as_deref(), Some("/q"));
    t.process_txn(&hdr(52, op::DELETE, 0), &Txn::Delete { path: "/zookeeper/quota/q/zookeeper_limits".into() }, &mut tr);
    assert_eq!(t.max_prefix_with_quota("/q/b"), None);
}

#[test]
fn all_children_number_and_digest() {
    let mut t = DataTree::new(false);
    let mut tr = vec![];
    t.process_txn(&hdr(2, op::CREATE, 0), &create("/a", 1), &mut tr);
    t.process_txn(&hdr(3, op::CREATE, 0), &create("/a/b", 1), &mut tr);
    t.process_txn(&hdr(4, op::CREATE, 0), &create("/a/b/c", 1), &mut tr);
    assert_eq!(t.all_children_number("/a"), 2);
    assert_eq!(t.all_children_number("/"), 6);
    let d1 = t.digest();
    let mut t2 = t.clone();
    assert_eq!(t2.digest(), d1);
    t2.process_txn(&hdr(5, op::SET_DATA, 0), &Txn::SetData { path: "/a".into(), data: Some(b"d".to_vec()), version: 1 }, &mut tr);
    assert_ne!(t2.digest(), d1, "stat change changes the digest");
}

#[test]
fn snapshot_style_loading() {
    let src = {
        let mut t = DataTree::new(true);
        let mut tr = vec![];
        t.process_txn(&hdr(2, op::CREATE, 0), &create("/a", 1), &mut tr);
        t.process_txn(&hdr(3, op::CREATE_CONTAINER, 0), &Txn::CreateContainer { path: "/a/c".into(), data: None, acl: open(), parent_cversion: 1 }, &mut tr);
        t
    };
    let mut t = DataTree::empty_for_load(true);
    for (idx, acl) in src.acl_cache().entries() {
        t.insert_loaded_acl(idx, acl.to_vec());
    }
    let mut paths: Vec<String> = src.iter().map(|(p, _)| p.to_string()).collect();
    paths.sort();
    for p in paths {
        let n = src.get(&p).unwrap();
        assert!(t.insert_loaded_node(&p, n.data.map(|d| d.to_vec()), n.acl, n.stat));
    }
    t.finish_load();
    assert_eq!(t.digest(), src.digest());
    assert_eq!(t.approximate_data_size(), src.approximate_data_size());
    assert!(t.containers().contains("/a/c"));
    assert_eq!(t.stat("/a"), src.stat("/a"));
}
