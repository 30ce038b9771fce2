//! Drives the real zkd binary with `zookeeper-client`, a Rust ZooKeeper client nobody here wrote.

mod common;

use common::Zkd;
use std::time::Duration;
use zookeeper_client as zk;
use zk::{Acls, AddWatchMode, CreateMode, EventType};

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
}

async fn connect(z: &Zkd) -> zk::Client {
    zk::Client::connector()
        .with_session_timeout(Duration::from_secs(10))
        .connect(&z.connect_string())
        .await
        .expect("connect to zkd")
}

/// Bounded wait for a watch event, so a missing event fails instead of hanging.
async fn within<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(10), f).await.expect("event did not arrive")
}

#[test]
fn crud_and_stats_follow_zookeeper_rules() {
    let z = Zkd::start("");
    rt().block_on(async {
        let c = connect(&z).await;
        let persistent = CreateMode::Persistent.with_acls(Acls::anyone_all());
        let (stat, _) = c.create("/a", b"hello", &persistent).await.unwrap();
        assert_eq!(stat.czxid, stat.mzxid);
        assert_eq!(stat.czxid, stat.pzxid);
        assert_eq!((stat.version, stat.cversion, stat.aversion), (0, 0, 0));
        assert_eq!(stat.data_length, 5);
        assert_eq!(stat.ephemeral_owner, 0);

        let (data, got) = c.get_data("/a").await.unwrap();
        assert_eq!(data, b"hello");
        assert_eq!(got, stat);

        let set = c.set_data("/a", b"bye", Some(0)).await.unwrap();
        assert_eq!(set.version, 1);
        assert!(set.mzxid > stat.mzxid);
        assert_eq!(set.czxid, stat.czxid);
        assert_eq!(c.set_data("/a", b"x", Some(0)).await.unwrap_err(), zk::Error::BadVersion);

        // Children and the visible cversion = 2*creates - children rule.
        c.create("/a/b", b"", &persistent).await.unwrap();
        c.create("/a/c", b"", &persistent).await.unwrap();
        c.delete("/a/b", None).await.unwrap();
        let (children, parent) = c.get_children("/a").await.unwrap();
        assert_eq!(children, vec!["c".to_string()]);
        assert_eq!(parent.num_children, 1);
        assert_eq!(parent.cversion, 3);

        assert_eq!(c.delete("/a", None).await.unwrap_err(), zk::Error::NotEmpty);
        assert_eq!(c.create("/a", b"", &persistent).await.unwrap_err(), zk::Error::NodeExists);
        assert_eq!(c.create("/x/y", b"", &persistent).await.unwrap_err(), zk::Error::NoNode);
        assert_eq!(c.get_data("/nope").await.unwrap_err(), zk::Error::NoNode);
        assert_eq!(c.check_stat("/nope").await.unwrap(), None);

        // System nodes.
        let mut root = c.list_children("/").await.unwrap();
        root.sort();
        assert_eq!(root, vec!["a".to_string(), "zookeeper".to_string()]);
        let mut sys = c.list_children("/zookeeper").await.unwrap();
        sys.sort();
        assert_eq!(sys, vec!["config".to_string(), "quota".to_string()]);
        assert_eq!(c.count_descendants_number("/").await.unwrap(), 5);
    });
}

#[test]
fn sequential_names_use_the_parent_create_counter() {
    let z = Zkd::start("");
    rt().block_on(async {
        let c = connect(&z).await;
        let persistent = CreateMode::Persistent.with_acls(Acls::anyone_all());
        let seq = CreateMode::PersistentSequential.with_acls(Acls::anyone_all());
        c.create("/q", b"", &persistent).await.unwrap();
        c.create("/q/other", b"", &persistent).await.unwrap();
        let (_, s1) = c.create("/q/item-", b"", &seq).await.unwrap();
        let (_, s2) = c.create("/q/item-", b"", &seq).await.unwrap();
        assert_eq!(s1.into_i64(), 1);
        assert_eq!(s2.into_i64(), 2);
        let mut names = c.list_children("/q").await.unwrap();
        names.sort();
        assert_eq!(names, vec!["item-0000000001", "item-0000000002", "other"]);
    });
}

#[test]
fn ephemerals_vanish_with_their_session_and_fire_watches() {
    let z = Zkd::start("");
    rt().block_on(async {
        let owner = connect(&z).await;
        let observer = connect(&z).await;
        let eph = CreateMode::Ephemeral.with_acls(Acls::anyone_all());
        let (stat, _) = owner.create("/e", b"", &eph).await.unwrap();
        assert_eq!(stat.ephemeral_owner, owner.session_id().0);
        assert_eq!(
            owner.create("/e/child", b"", &eph).await.unwrap_err(),
            zk::Error::NoChildrenForEphemerals
        );
        assert_eq!(owner.list_ephemerals("/").await.unwrap(), vec!["/e".to_string()]);

        let (_, _, watcher) = observer.get_and_watch_data("/e").await.unwrap();
        drop(owner); // closes the session
        let event = within(watcher.changed()).await;
        assert_eq!(event.event_type, EventType::NodeDeleted);
        assert_eq!(event.path, "/e");
        assert_eq!(observer.check_stat("/e").await.unwrap(), None);
    });
}

#[test]
fn one_shot_and_persistent_watches() {
    let z = Zkd::start("");
    rt().block_on(async {
        let c = connect(&z).await;
        let persistent = CreateMode::Persistent.with_acls(Acls::anyone_all());

        let (none, exists_watch) = c.check_and_watch_stat("/w").await.unwrap();
        assert!(none.is_none());
        let mut recursive = c.watch("/w", AddWatchMode::PersistentRecursive).await.unwrap();
        c.create("/w", b"", &persistent).await.unwrap();
        assert_eq!(within(exists_watch.changed()).await.event_type, EventType::NodeCreated);
        assert_eq!(within(recursive.changed()).await.event_type, EventType::NodeCreated);

        let (_, _, child_watch) = c.get_and_watch_children("/w").await.unwrap();
        c.create("/w/x", b"", &persistent).await.unwrap();
        let ev = within(child_watch.changed()).await;
        assert_eq!((ev.event_type, ev.path.as_str()), (EventType::NodeChildrenChanged, "/w"));
        let ev = within(recursive.changed()).await;
        assert_eq!((ev.event_type, ev.path.as_str()), (EventType::NodeCreated, "/w/x"));

        c.set_data("/w/x", b"1", None).await.unwrap();
        let ev = within(recursive.changed()).await;
        assert_eq!((ev.event_type, ev.path.as_str()), (EventType::NodeDataChanged, "/w/x"));
    });
}

#[test]
fn multi_reports_per_op_results_and_applies_nothing_on_failure() {
    let z = Zkd::start("");
    rt().block_on(async {
        let c = connect(&z).await;
        let persistent = CreateMode::Persistent.with_acls(Acls::anyone_all());
        let mut w = c.new_multi_writer();
        w.add_create("/m1", b"1", &persistent).unwrap();
        w.add_create("/m1", b"again", &persistent).unwrap();
        w.add_create("/m2", b"", &persistent).unwrap();
        match w.commit().await {
            Err(zk::MultiWriteError::OperationFailed { index, source }) => {
                assert_eq!(index, 1);
                assert_eq!(source, zk::Error::NodeExists);
            }
            other => panic!("expected an operation failure, got {other:?}"),
        }
        assert_eq!(c.check_stat("/m1").await.unwrap(), None);

        let mut w = c.new_multi_writer();
        w.add_create("/m1", b"1", &persistent).unwrap();
        w.add_set_data("/m1", b"2", Some(0)).unwrap();
        w.add_check_version("/m1", 1).unwrap();
        let results = w.commit().await.unwrap();
        assert_eq!(results.len(), 3);
        let (data, stat) = c.get_data("/m1").await.unwrap();
        assert_eq!((data.as_slice(), stat.version), (&b"2"[..], 1));
        assert_eq!(stat.czxid, stat.mzxid, "all ops of a multi share one zxid");

        let mut r = c.new_multi_reader();
        r.add_get_data("/m1").unwrap();
        r.add_get_data("/missing").unwrap();
        let results = r.commit().await.unwrap();
        assert!(matches!(&results[0], zk::MultiReadResult::Data { data, .. } if data == b"2"));
        assert!(matches!(&results[1], zk::MultiReadResult::Error { err: zk::Error::NoNode }));
    });
}

#[test]
fn digest_acls_guard_nodes() {
    let z = Zkd::start("");
    rt().block_on(async {
        let owner = connect(&z).await;
        owner.auth("digest", b"user:password").await.unwrap();
        let creator = CreateMode::Persistent.with_acls(Acls::creator_all());
        owner.create("/secret", b"s", &creator).await.unwrap();
        let (acl, _) = owner.get_acl("/secret").await.unwrap();
        assert_eq!(acl.len(), 1);
        assert_eq!(acl[0].scheme(), "digest");
        assert_eq!(acl[0].id(), "user:tpUq/4Pn5A64fVZyQ0gOJ8ZWqkY=");

        let stranger = connect(&z).await;
        assert_eq!(stranger.get_data("/secret").await.unwrap_err(), zk::Error::NoAuth);
        let users = owner.list_auth_users().await.unwrap();
        assert!(users.iter().any(|u| u.scheme() == "digest" && u.user() == "user"));
        assert!(users.iter().any(|u| u.scheme() == "ip"));
    });
}

#[test]
fn four_letter_words_answer() {
    let z = Zkd::start("");
    assert_eq!(z.four_letter_word("ruok").as_deref(), Some("imok"));
    let srvr = z.four_letter_word("srvr").unwrap();
    assert!(srvr.contains("Mode: standalone"), "{srvr}");
    assert!(srvr.contains("Node count: 5"), "{srvr}"); // ZooKeeper counts its "" root alias too
    let mntr = z.four_letter_word("mntr").unwrap();
    assert!(mntr.lines().any(|l| l == "zk_server_state\tstandalone"), "{mntr}");
}
