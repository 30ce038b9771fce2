//! The real file format under the tree: freeze → write → map → serve gives the same tree, and
//! installing the mapped file as the base of a running tree changes nothing visible.

use super::*;
use crate::txn::{Txn, TxnHeader};
use crate::wire::{op, perms};
use zkd_storage::snapshot::{snapshot_dir, MappedSnapshot};

fn build() -> DataTree {
    let mut t = DataTree::new(true);
    let mut z = 0;
    let mut apply = |t: &mut DataTree, txn: Txn, client: i64| {
        z += 1;
        let op_code = txn.op_code();
        let r = t.process_txn(&TxnHeader { client_id: client, cxid: z as i32, zxid: z, time: 5000 + z, op: op_code }, &txn, &mut vec![]);
        assert_eq!(r.err, 0, "{r:?}");
    };
    apply(&mut t, Txn::CreateSession { timeout: 30000 }, 0x77);
    let digest_acl = vec![Acl { perms: perms::READ, id: Id::new("digest", "u:hash") }];
    for i in 0..200 {
        let parent = format!("/p{}", i % 3);
        if i < 3 {
            apply(&mut t, Txn::Create { path: parent.clone(), data: None, acl: Acl::open_unsafe(), ephemeral: false, parent_cversion: i + 1, create2: false }, 0);
        }
        let acl = if i % 4 == 0 { digest_acl.clone() } else { Acl::open_unsafe() };
        apply(&mut t, Txn::Create { path: format!("{parent}/n{i}"), data: Some(vec![i as u8; i as usize % 9]), acl, ephemeral: i % 10 == 0, parent_cversion: i / 3 + 1, create2: false }, 0x77);
    }
    apply(&mut t, Txn::CreateContainer { path: "/c".into(), data: Some(vec![]), acl: Acl::open_unsafe(), parent_cversion: 4 }, 0);
    apply(&mut t, Txn::CreateTtl { path: "/t".into(), data: None, acl: Acl::open_unsafe(), parent_cversion: 5, ttl: 100 }, 0);
    apply(&mut t, Txn::SetData { path: "/p1/n1".into(), data: Some(b"changed".to_vec()), version: 1 }, 0);
    apply(&mut t, Txn::Delete { path: "/p2/n2".into() }, 0);
    let _ = op::CREATE;
    t
}

fn listing(t: &DataTree) -> Vec<String> {
    let mut v: Vec<String> = t
        .iter()
        .map(|(p, n)| {
            let mut c: Vec<&str> = n.children.iter().collect();
            c.sort();
            format!("{p} {:?} {:?} {:?} {:?}", t.client_stat(n), n.data, t.acl_of(n), c)
        })
        .collect();
    v.sort();
    v
}

#[test]
fn written_snapshot_serves_the_same_tree() {
    let dir = tempfile::tempdir().unwrap();
    let sdir = snapshot_dir(dir.path());
    let mut t = build();
    let job = t.freeze().unwrap();
    let path = write_job(&sdir, &job).unwrap();
    let mapped = MappedSnapshot::open(&path).unwrap();
    assert_eq!(mapped.last_zxid(), t.last_processed_zxid);

    // Restart view: a fresh tree over the file.
    let loaded = load_newest(&sdir, true).unwrap().unwrap();
    assert_eq!(listing(&loaded), listing(&t));
    assert_eq!(loaded.digest(), t.digest());
    assert_eq!(loaded.approximate_data_size(), t.approximate_data_size());
    assert_eq!(loaded.node_count(), t.node_count());
    assert_eq!(loaded.ephemerals(0x77), t.ephemerals(0x77));
    assert_eq!(loaded.containers(), t.containers());
    assert_eq!(loaded.ttls(), t.ttls());
    assert_eq!(loaded.sessions(), t.sessions());
    assert_eq!(loaded.overlay_len(), 0, "nothing is copied into memory at load");

    // Running view: install the mapping under the live tree.
    let before = listing(&t);
    t.install_snapshot(std::sync::Arc::new(mapped));
    assert_eq!(listing(&t), before);
    assert_eq!(t.overlay_len(), 0);
}
