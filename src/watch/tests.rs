use super::*;
use crate::txn::{Txn, TxnHeader};
use crate::wire::{op, perms, Id};

fn yes() -> impl FnMut(ConnId, &[Acl]) -> bool {
    |_, _| true
}

fn apply(tree: &mut DataTree, wm: &mut WatchManager, zxid: i64, txn: Txn) -> Vec<Notification> {
    let mut tr = vec![];
    let h = TxnHeader { client_id: 0, cxid: 0, zxid, time: 0, op: txn.op_code() };
    tree.process_txn(&h, &txn, &mut tr);
    let mut out = vec![];
    let mut f = yes();
    for t in &tr {
        wm.fire(t, zxid, &mut f, &mut out);
    }
    out
}

fn create(path: &str, pcv: i32) -> Txn {
    Txn::Create { path: path.into(), data: None, acl: Acl::open_unsafe(), ephemeral: false, parent_cversion: pcv, create2: false }
}

fn n(conn: ConnId, zxid: i64, et: i32, path: &str) -> Notification {
    Notification { conn, zxid, event_type: et, path: path.into() }
}

#[test]
fn create_fires_data_and_parent_child() {
    let mut t = DataTree::new(false);
    let mut wm = WatchManager::new();
    wm.add_data_watch("/a", 1); // exists watch on a missing node
    wm.add_child_watch("/", 2);
    let out = apply(&mut t, &mut wm, 2, create("/a", 1));
    assert_eq!(out, vec![n(1, 2, event_type::NODE_CREATED, "/a"), n(2, 2, event_type::NODE_CHILDREN_CHANGED, "/")]);
    // standard watches were consumed
    let out = apply(&mut t, &mut wm, 3, Txn::SetData { path: "/a".into(), data: None, version: 1 });
    assert!(out.is_empty());
}

#[test]
fn delete_suppresses_child_event_for_data_notified_connection() {
    let mut t = DataTree::new(false);
    let mut wm = WatchManager::new();
    apply(&mut t, &mut wm, 2, create("/a", 1));
    wm.add_data_watch("/a", 1);
    wm.add_child_watch("/a", 1);
    wm.add_child_watch("/a", 2);
    wm.add_child_watch("/", 3);
    let out = apply(&mut t, &mut wm, 3, Txn::Delete { path: "/a".into() });
    assert_eq!(
        out,
        vec![
            n(1, 3, event_type::NODE_DELETED, "/a"),
            n(2, 3, event_type::NODE_DELETED, "/a"),
            n(3, 3, event_type::NODE_CHILDREN_CHANGED, "/"),
        ]
    );
    assert_eq!(wm.watch_count(), 0, "all standard watches consumed, including the suppressed child watch");
}

#[test]
fn persistent_and_recursive_one_event_per_connection() {
    let mut t = DataTree::new(false);
    let mut wm = WatchManager::new();
    wm.add_persistent("/", 1, true);
    wm.add_persistent("/a", 1, true);
    wm.add_data_watch("/a", 1);
    wm.add_persistent("/a", 2, false);
    let out = apply(&mut t, &mut wm, 2, create("/a", 1));
    assert_eq!(out, vec![n(1, 2, event_type::NODE_CREATED, "/a"), n(2, 2, event_type::NODE_CREATED, "/a")]);
    let out = apply(&mut t, &mut wm, 3, create("/a/b", 1));
    // conn 1 via recursive (once, event path = changed node); conn 2 gets NodeChildrenChanged via persistent child watch
    assert_eq!(out, vec![n(1, 3, event_type::NODE_CREATED, "/a/b"), n(2, 3, event_type::NODE_CHILDREN_CHANGED, "/a")]);
    let out = apply(&mut t, &mut wm, 4, Txn::SetData { path: "/a/b".into(), data: None, version: 1 });
    assert_eq!(out, vec![n(1, 4, event_type::NODE_DATA_CHANGED, "/a/b")]);
    // recursive watchers never get NodeChildrenChanged
    let out = apply(&mut t, &mut wm, 5, Txn::Delete { path: "/a/b".into() });
    assert_eq!(out, vec![n(1, 5, event_type::NODE_DELETED, "/a/b"), n(2, 5, event_type::NODE_CHILDREN_CHANGED, "/a")]);
    // persistent watches stay
    assert!(wm.contains("/a", 2, watcher_type::PERSISTENT).unwrap());
    assert!(wm.contains("/", 1, watcher_type::PERSISTENT_RECURSIVE).unwrap());
}

#[test]
fn acl_filter_drops_but_consumes() {
    let mut t = DataTree::new(false);
    let mut wm = WatchManager::new();
    let secret = vec![Acl { perms: perms::ALL, id: Id::new("digest", "u:h") }];
    wm.add_data_watch("/s", 1);
    wm.add_data_watch("/s", 2);
    let mut tr = vec![];
    let h = TxnHeader { client_id: 0, cxid: 0, zxid: 2, time: 0, op: op::CREATE };
    t.process_txn(&h, &Txn::Create { path: "/s".into(), data: None, acl: secret.clone(), ephemeral: false, parent_cversion: 1, create2: false }, &mut tr);
    let mut out = vec![];
    let mut only2 = |c: ConnId, acl: &[Acl]| {
        assert_eq!(acl, &secret[..]);
        c == 2
    };
    for x in &tr {
        wm.fire(x, 2, &mut only2, &mut out);
    }
    assert_eq!(out, vec![n(2, 2, event_type::NODE_CREATED, "/s")]);
    assert_eq!(wm.watch_count(), 0);
}

#[test]
fn set_watches_catch_up() {
    let mut t = DataTree::new(false);
    let mut wm = WatchManager::new();
    apply(&mut t, &mut wm, 2, create("/old", 1));
    apply(&mut t, &mut wm, 3, create("/new", 2));
    apply(&mut t, &mut wm, 4, create("/old/c", 1));
    let sw = SetWatches {
        relative_zxid: 2,
        data_watches: vec!["/old".into(), "/new".into(), "/gone".into()],
        exist_watches: vec!["/old".into(), "/missing".into()],
        child_watches: vec!["/old".into(), "/new".into(), "/gone".into()],
        persistent_watches: vec!["/p".into()],
        persistent_recursive_watches: vec!["/r".into()],
    };
    let mut out = vec![];
    wm.set_watches(&t, 9, &sw, &mut out);
    assert_eq!(
        out,
        vec![
            n(9, -1, event_type::NODE_DATA_CHANGED, "/new"),
            n(9, -1, event_type::NODE_DELETED, "/gone"),
            n(9, -1, event_type::NODE_CREATED, "/old"),
            n(9, -1, event_type::NODE_CHILDREN_CHANGED, "/old"),
            n(9, -1, event_type::NODE_CHILDREN_CHANGED, "/new"),
            n(9, -1, event_type::NODE_DELETED, "/gone"),
        ]
    );
    // registered: data /old, exist /missing, persistent /p (both tables), recursive /r
    assert!(wm.contains("/old", 9, watcher_type::DATA).unwrap());
    assert!(wm.contains("/missing", 9, watcher_type::DATA).unwrap());
    assert!(!wm.contains("/new", 9, watcher_type::CHILDREN).unwrap(), "fired watches are not registered");
    assert!(!wm.contains("/old", 9, watcher_type::CHILDREN).unwrap());
    assert!(wm.contains("/p", 9, watcher_type::PERSISTENT).unwrap());
    assert!(wm.child.contains("/p", 9, Some(WatchMode::Persistent)));
    assert!(wm.contains("/r", 9, watcher_type::PERSISTENT_RECURSIVE).unwrap());
    assert_eq!(wm.watch_count(), 5);
}

#[test]
fn check_and_remove_by_type() {
    let mut wm = WatchManager::new();
    wm.add_data_watch("/a", 1);
    wm.add_child_watch("/a", 1);
    wm.add_persistent("/b", 1, false);
    assert_eq!(wm.contains("/a", 1, 99), None);
    assert_eq!(wm.remove("/a", 1, 0), None);
    assert!(!wm.contains("/a", 2, watcher_type::ANY).unwrap());
    assert!(!wm.remove("/a", 1, watcher_type::PERSISTENT).unwrap());
    assert!(wm.remove("/a", 1, watcher_type::CHILDREN).unwrap());
    assert!(!wm.contains("/a", 1, watcher_type::CHILDREN).unwrap());
    assert!(wm.contains("/a", 1, watcher_type::ANY).unwrap());
    assert!(wm.remove("/a", 1, watcher_type::ANY).unwrap());
    assert!(!wm.remove("/a", 1, watcher_type::ANY).unwrap());
    assert!(!wm.contains("/b", 1, watcher_type::DATA).unwrap());
    assert!(wm.remove("/b", 1, watcher_type::PERSISTENT).unwrap());
    assert_eq!(wm.watch_count(), 0);
    wm.add_data_watch("/x", 1);
    wm.add_data_watch("/y", 1);
    wm.add_data_watch("/x", 2);
    assert_eq!(wm.data.summary(), (2, 2, 3));
    assert_eq!(wm.data.by_path(), vec![("/x".to_string(), vec![1, 2]), ("/y".to_string(), vec![1])]);
    wm.remove_conn(1);
    assert_eq!(wm.data.summary(), (1, 1, 1));
}
