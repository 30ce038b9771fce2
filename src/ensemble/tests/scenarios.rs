//! Ensembles of 3 and 5 nodes: election, writes and reads through followers, leader loss,
//! session moves, restarts from the durable log (DIFF) and from far behind (SNAP).

use super::cluster::*;
use crate::ensemble::Output;
use crate::replication::Role;
use crate::session::session_password;
use crate::wire::*;

fn new_session() -> ConnectRequest {
    ConnectRequest { protocol_version: 0, last_zxid_seen: 0, timeout: 30000, session_id: 0, passwd: vec![0; 16], read_only: Some(false) }
}

fn create(path: &str, data: &[u8], flags: i32) -> Request {
    Request::Create { op: op::CREATE, req: CreateRequest { path: path.into(), data: Some(data.to_vec()), acl: Acl::open_unsafe(), flags, ttl: None } }
}

fn get(path: &str) -> Request {
    Request::GetData(PathWatch { path: path.into(), watch: false })
}

/// The single reply, which must succeed.
fn ok(r: Vec<(ReplyHeader, Response)>) -> (ReplyHeader, Response) {
    assert_eq!(r.len(), 1, "{r:?}");
    assert_eq!(r[0].0.err, 0, "{r:?}");
    r.into_iter().next().expect("one")
}

fn data_of(c: &Cluster, id: u64, path: &str) -> Option<Vec<u8>> {
    c.node(id).tree().get(path).map(|n| n.data.unwrap_or_default().to_vec())
}

fn same_digest(c: &Cluster) {
    let live: Vec<u64> = c.ids.iter().copied().filter(|i| c.servers[i].node.is_some()).collect();
    let first = c.node(live[0]).tree();
    for &i in &live[1..] {
        let t = c.node(i).tree();
        assert_eq!((t.last_processed_zxid, t.digest()), (first.last_processed_zxid, first.digest()), "server {i} vs {}", live[0]);
    }
}

#[test]
fn a_write_through_one_follower_is_read_through_another() {
    let mut c = Cluster::new(3, 1000);
    let leader = c.settle();
    let f = c.followers(leader);
    assert_eq!(f.len(), 2);
    let s = c.connect(f[0], 1, new_session());
    assert_eq!(s >> 56, f[0] as i64, "the follower's id tops the session id");
    let (h, r) = ok(c.call(f[0], 1, 1, create("/a", b"x", 0)));
    assert_eq!(r, Response::Create("/a".into()));
    assert_eq!(crate::replication::zxid::epoch_of(h.zxid), c.node(leader).peer().epoch(), "the write has a zxid of the leader's epoch");
    c.connect(f[1], 2, new_session());
    // sync, then read: the second follower has applied the write.
    let (_, r) = ok(c.call(f[1], 2, 1, Request::Sync("/a".into())));
    assert_eq!(r, Response::Path("/a".into()));
    let (_, r) = ok(c.call(f[1], 2, 2, get("/a")));
    assert!(matches!(&r, Response::GetData(Some(d), _) if d == b"x"), "{r:?}");
    same_digest(&c);
}

#[test]
fn while_looking_clients_are_refused() {
    let mut c = Cluster::new(3, 1000);
    // Before any tick no election has finished.
    assert!(c.node(1).core().is_none());
    c.input(1, crate::ensemble::Input::Connect { conn: 5, remote: "127.0.0.1:1".parse().unwrap(), req: new_session() });
    let out = c.take_client(1);
    assert!(matches!(out.as_slice(), [Output::Close { conn: 5 }]), "{out:?}");
}

#[test]
fn after_the_leader_dies_a_new_one_serves_and_sessions_move_with_their_ephemerals() {
    let mut c = Cluster::new(3, 1000);
    let old = c.settle();
    let f = c.followers(old);
    let s = c.connect(f[0], 1, new_session());
    ok(c.call(f[0], 1, 1, create("/e", b"", 1)));
    ok(c.call(f[0], 1, 2, create("/p", b"1", 0)));
    // A write through the leader's own client too.
    c.connect(old, 9, new_session());
    ok(c.call(old, 9, 1, create("/l", b"", 0)));
    c.pump();
    let acked = ["/e", "/p", "/l"];

    c.kill(old);
    let new = c.settle();
    assert_ne!(new, old);
    // The role change closed the client connection of the surviving follower.
    let out = c.take_client(f[0]);
    assert!(out.iter().any(|o| matches!(o, Output::Close { conn: 1 })), "{out:?}");
    for &i in &f {
        for p in acked {
            assert!(data_of(&c, i, p).is_some(), "server {i} lost acknowledged {p}");
        }
    }
    // The session reconnects (same id and password) at the other survivor.
    let other = f[1];
    let req = ConnectRequest { session_id: s, passwd: session_password(s).to_vec(), last_zxid_seen: c.node(other).tree().last_processed_zxid, ..new_session() };
    assert_eq!(c.connect(other, 3, req), s);
    let r = ok(c.call(other, 3, 1, Request::Exists(PathWatch { path: "/e".into(), watch: false })));
    assert!(matches!(r.1, Response::Stat(st) if st.ephemeral_owner == s), "{r:?}");
    // Writes work again, at the new epoch.
    let (h, _) = ok(c.call(other, 3, 2, Request::SetData(SetDataRequest { path: "/p".into(), data: Some(b"2".to_vec()), version: 0 })));
    assert_eq!(crate::replication::zxid::epoch_of(h.zxid), c.node(new).peer().epoch());
    assert_eq!(data_of(&c, new, "/p").as_deref(), Some(&b"2"[..]));
    same_digest(&c);
}

#[test]
fn a_restarted_follower_catches_up_from_its_log() {
    let mut c = Cluster::new(3, 1000);
    let leader = c.settle();
    let f = c.followers(leader);
    c.connect(f[0], 1, new_session());
    ok(c.call(f[0], 1, 1, create("/a", b"1", 0)));
    c.kill(f[1]);
    ok(c.call(f[0], 1, 2, create("/b", b"2", 0)));
    ok(c.call(f[0], 1, 3, create("/c", b"3", 0)));
    let before = c.servers[&f[1]].log.len();
    assert!(before >= 2, "the dead follower logged the session and /a");
    c.start(f[1]);
    // After restart the tree is the snapshot (none here): log entries apply once committed.
    assert_eq!(c.node(f[1]).tree().last_processed_zxid, 0);
    let l2 = c.settle();
    assert_eq!(l2, leader, "the ensemble kept its leader");
    assert!(c.servers[&f[1]].snapshot.is_none(), "caught up from its log, not by SNAP");
    for p in ["/a", "/b", "/c"] {
        assert!(data_of(&c, f[1], p).is_some(), "{p} missing after catch-up");
    }
    same_digest(&c);
    // It serves reads again.
    c.connect(f[1], 2, new_session());
    let (_, r) = ok(c.call(f[1], 2, 1, get("/c")));
    assert!(matches!(&r, Response::GetData(Some(d), _) if d == b"3"), "{r:?}");
}

#[test]
fn a_follower_far_behind_is_sent_a_snapshot() {
    // A window of 2 committed entries: the dead follower falls behind its base.
    let mut c = Cluster::new(3, 2);
    let leader = c.settle();
    let f = c.followers(leader);
    c.connect(f[0], 1, new_session());
    c.kill(f[1]);
    for i in 0..6 {
        ok(c.call(f[0], 1, i, create(&format!("/n{i}"), b"v", 0)));
    }
    c.start(f[1]);
    c.settle();
    assert!(c.servers[&f[1]].snapshot.is_some(), "caught up by SNAP");
    for i in 0..6 {
        assert!(data_of(&c, f[1], &format!("/n{i}")).is_some());
    }
    same_digest(&c);
    // Restarted again, it starts from the installed snapshot.
    c.kill(f[1]);
    c.start(f[1]);
    assert!(c.node(f[1]).tree().get("/n5").is_some());
    c.settle();
    same_digest(&c);
}

#[test]
fn five_nodes_survive_two_leader_losses() {
    let mut c = Cluster::new(5, 1000);
    let mut written = Vec::new();
    for round in 0..2 {
        let leader = c.settle();
        let f = c.followers(leader);
        // The role changes closed the connections of the round before.
        let closed = c.take_client(f[0]);
        assert!(closed.iter().all(|o| matches!(o, Output::Close { .. })), "{closed:?}");
        let conn = 10 + round;
        c.connect(f[0], conn, new_session());
        let p = format!("/r{round}");
        ok(c.call(f[0], conn, 1, create(&p, b"", 0)));
        written.push(p);
        same_digest(&c);
        c.kill(leader);
    }
    let leader = c.settle();
    assert_eq!(c.followers(leader).len(), 2, "three of five left: still a quorum");
    for &i in &c.ids.clone() {
        if c.servers[&i].node.is_some() {
            for p in &written {
                assert!(data_of(&c, i, p).is_some(), "server {i} lost {p}");
            }
        }
    }
    let f = c.followers(leader);
    c.connect(f[1], 99, new_session());
    ok(c.call(f[1], 99, 1, create("/after", b"", 0)));
    same_digest(&c);
    assert_eq!(c.node(leader).peer().role(), Role::Leading);
}

#[test]
fn follower_touches_keep_a_session_alive_until_the_leader_expires_it_everywhere() {
    let mut c = Cluster::new(3, 1000);
    let leader = c.settle();
    let f = c.followers(leader);
    let s = c.connect(f[0], 1, new_session());
    ok(c.call(f[0], 1, 1, create("/e", b"", 1)));
    for xid in 2..6 {
        c.now.mono_ms += 10_000;
        assert_eq!(c.call(f[0], 1, xid, Request::Ping).len(), 1);
        c.pipeline_tick_all();
        assert!(data_of(&c, leader, "/e").is_some(), "touched through the follower: alive");
    }
    // Silence: the leader expires the session; the commit closes the follower's connection.
    c.now.mono_ms += 40_000;
    c.pipeline_tick_all();
    let out = c.take_client(f[0]);
    assert!(out.iter().any(|o| matches!(o, Output::Close { conn: 1 })), "{out:?}");
    for &i in &c.ids.clone() {
        assert!(data_of(&c, i, "/e").is_none(), "server {i} kept the expired ephemeral");
        assert!(!c.node(i).tree().sessions().contains_key(&s));
    }
    same_digest(&c);
}

#[test]
fn an_exhausted_epoch_fails_the_write_and_the_next_epoch_serves() {
    let mut c = Cluster::new(3, 1000);
    let leader = c.settle();
    c.connect(leader, 7, new_session());
    let epoch = c.node(leader).peer().epoch();
    // Pretend the epoch's counter is used up (replication's own unit-test hook).
    let full = crate::replication::zxid::make(epoch, crate::replication::zxid::MAX_COUNTER);
    c.servers.get_mut(&leader).and_then(|s| s.node.as_mut()).expect("live").peer.test_jump_to(full);
    let req = create("/x", b"", 0);
    let header = RequestHeader { xid: 1, op: codec_client::request_op(&req) };
    c.input(leader, crate::ensemble::Input::Packet { conn: 7, header, body: body(&req) });
    c.pump();
    let out = c.take_client(leader);
    assert!(matches!(out.as_slice(), [Output::Close { conn: 7 }]), "no reply; the connection closes: {out:?}");
    assert!(c.node(leader).core().is_none(), "the leader stepped down");
    let l2 = c.settle();
    let e2 = c.node(l2).peer().epoch();
    assert!(e2 > epoch);
    c.connect(l2, 8, new_session());
    let (h, _) = ok(c.call(l2, 8, 1, create("/x", b"", 0)));
    assert_eq!(crate::replication::zxid::epoch_of(h.zxid), e2);
    same_digest(&c);
}

#[test]
fn a_restarted_leader_truncates_what_it_logged_alone() {
    let mut c = Cluster::new(3, 1000);
    let old = c.settle();
    c.connect(old, 1, new_session());
    ok(c.call(old, 1, 1, create("/kept", b"", 0)));
    // The leader logs a proposal nobody else receives, then dies.
    c.muted.push(old);
    let req = create("/lost", b"", 0);
    let header = RequestHeader { xid: 2, op: codec_client::request_op(&req) };
    c.input(old, crate::ensemble::Input::Packet { conn: 1, header, body: body(&req) });
    c.pump();
    assert!(c.take_client(old).is_empty(), "never acknowledged");
    let lost_zxid = c.servers[&old].log.last().map(|e| e.zxid).expect("logged");
    c.kill(old);
    let new = c.settle();
    let f = c.followers(new);
    c.connect(f[0], 2, new_session());
    ok(c.call(f[0], 2, 1, create("/later", b"", 0)));
    c.start(old);
    c.settle();
    assert!(c.servers[&old].snapshot.is_none(), "synced by TRUNC, not SNAP");
    assert!(c.servers[&old].log.iter().all(|e| e.zxid != lost_zxid), "TRUNC removed the lone proposal from the log");
    for &i in &c.ids.clone() {
        assert!(data_of(&c, i, "/lost").is_none(), "server {i} applied an unacknowledged write");
        assert!(data_of(&c, i, "/kept").is_some() && data_of(&c, i, "/later").is_some(), "server {i}");
    }
    same_digest(&c);
}

#[test]
fn a_session_moves_between_followers() {
    let mut c = Cluster::new(3, 1000);
    let leader = c.settle();
    let f = c.followers(leader);
    let s = c.connect(f[0], 1, new_session());
    ok(c.call(f[0], 1, 1, create("/e", b"", 1)));
    c.input(f[0], crate::ensemble::Input::Disconnected { conn: 1 });
    let seen = c.node(f[0]).tree().last_processed_zxid;
    let req = ConnectRequest { session_id: s, passwd: session_password(s).to_vec(), last_zxid_seen: seen, ..new_session() };
    assert_eq!(c.connect(f[1], 2, req), s);
    ok(c.call(f[1], 2, 1, Request::Delete(PathVersion { path: "/e".into(), version: -1 })));
    // A wrong password is refused.
    let bad = ConnectRequest { session_id: s, passwd: vec![1; 16], last_zxid_seen: seen, ..new_session() };
    c.input(f[0], crate::ensemble::Input::Connect { conn: 3, remote: "127.0.0.1:1".parse().unwrap(), req: bad });
    c.pump();
    let out = c.take_client(f[0]);
    // ZooKeeper's answer: a ConnectResponse with timeout 0, then the connection closes.
    assert!(matches!(out.as_slice(), [Output::Connected { conn: 3, resp, close_after: true }] if resp.timeout == 0 && resp.session_id == 0), "{out:?}");
    same_digest(&c);
}

#[test]
fn cores_rebuilt_in_the_same_millisecond_hand_out_new_session_ids() {
    let mut c = Cluster::new(3, 1000);
    c.tick_ms = 0;
    let old = c.settle();
    let f = c.followers(old);
    let s1 = c.connect(f[0], 1, new_session());
    c.kill(old);
    c.settle();
    c.take_client(f[0]);
    let s2 = c.connect(f[0], 2, new_session());
    assert_ne!(s1, s2);
    same_digest(&c);
}

#[test]
fn an_observer_serves_reads_and_forwards_writes() {
    let mut c = Cluster::with_observers(3, 1, 1000);
    let leader = c.settle();
    let observer = 4;
    assert_eq!(c.node(observer).peer().role(), Role::Observing);
    let s = c.connect(observer, 1, new_session());
    assert_eq!(s >> 56, observer as i64);
    ok(c.call(observer, 1, 1, create("/o", b"v", 0)));
    assert!(data_of(&c, leader, "/o").is_some());
    let (_, r) = ok(c.call(observer, 1, 2, get("/o")));
    assert!(matches!(&r, Response::GetData(Some(d), _) if d == b"v"), "{r:?}");
    same_digest(&c);
}
