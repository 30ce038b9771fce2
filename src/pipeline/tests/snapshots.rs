use super::harness::*;
use crate::pipeline::{BaseHandle, Input, Output};
use crate::tree::{BaseTree, SnapshotJob};
use crate::wire::*;
use std::sync::Arc;

fn jobs(out: &[Output]) -> Vec<SnapshotJob> {
    out.iter()
        .filter_map(|o| match o {
            Output::Snapshot(j) => Some(j.clone()),
            _ => None,
        })
        .collect()
}

fn get(h: &mut H, conn: u64, path: &str) -> (i32, Response) {
    let (hd, body) = reply(&h.call(conn, 50, op::GET_DATA, Request::GetData(PathWatch { path: path.into(), watch: false })));
    (hd.err, body)
}

#[test]
fn snapshot_is_requested_after_half_to_full_snap_count_and_installs_transparently() {
    let mut h = H::new(crate::pipeline::CoreConfig { snap_count: 20, ..cfg() });
    h.connect(1);
    let mut job = None;
    let mut writes = 0;
    while job.is_none() {
        let out = h.call(1, writes, op::CREATE, create_req(op::CREATE, &format!("/n{writes}"), b"v", 0));
        writes += 1;
        job = jobs(&out).pop();
        assert!(writes <= 21, "no snapshot after {writes} writes with snapCount=20");
    }
    let job = job.unwrap();
    // The session's createSession counts as one applied txn too.
    assert!((10..=20).contains(&(writes + 1)), "snapshot after {writes} creates");
    assert_eq!(job.last_zxid, h.core.last_zxid());
    // Writes go on while the snapshot is "being written"; no second snapshot meanwhile.
    for i in 0..30 {
        let out = h.call(1, 100 + i, op::SET_DATA, Request::SetData(SetDataRequest { path: "/n0".into(), data: Some(vec![i as u8]), version: -1 }));
        assert!(jobs(&out).is_empty(), "a second snapshot while one is in flight");
    }
    let before = h.core.tree().digest();
    let (base, _aux) = job.to_mem_base();
    assert_eq!(base.node_count() as usize, job.node_count);
    let out = h.input(Input::SnapshotWritten { base: Some(BaseHandle(Arc::new(base))) });
    assert_eq!(h.core.snapshot_counts(), (1, 0));
    // 30 writes went by meanwhile (more than snapCount): the next snapshot starts at once.
    let next = jobs(&out);
    assert_eq!(next.len(), 1, "{out:?}");
    assert_eq!(next[0].last_zxid, h.core.last_zxid());
    assert_eq!(h.core.tree().digest(), before, "installing a snapshot changes nothing visible");
    assert_eq!(get(&mut h, 1, "/n0").1, Response::GetData(Some(vec![29]), stat_of(&mut h, 1, "/n0")));
    // While that one is written, no other starts.
    for i in 0..30 {
        let out = h.call(1, 500 + i, op::CREATE, create_req(op::CREATE, &format!("/m{i}"), b"", 0));
        assert!(jobs(&out).is_empty());
    }
}

#[test]
fn failed_snapshot_keeps_everything_in_memory() {
    let mut h = H::new(crate::pipeline::CoreConfig { snap_count: 4, ..cfg() });
    h.connect(1);
    let out = h.input(Input::TakeSnapshot);
    assert_eq!(jobs(&out).len(), 1);
    h.call(1, 1, op::CREATE, create_req(op::CREATE, "/a", b"x", 0));
    h.input(Input::SnapshotWritten { base: None });
    assert_eq!(h.core.snapshot_counts(), (0, 1));
    assert_eq!(get(&mut h, 1, "/a").0, 0);
    assert!(!jobs(&h.input(Input::TakeSnapshot)).is_empty(), "a new snapshot can start after a failure");
}

#[test]
fn log_failure_closes_waiting_writers_and_refuses_new_writes_but_serves_reads() {
    let mut h = setup_two();
    h.call(1, 1, op::CREATE, create_req(op::CREATE, "/kept", b"k", 0));
    // A write in flight when the log fails: its fate is unknown, so its connection is closed.
    let out = h.send(1, 2, op::CREATE, create_req(op::CREATE, "/unknown", b"u", 0));
    assert_eq!(appends(&out).len(), 1);
    let out = h.input(Input::LogFailed);
    assert!(out.iter().any(|o| matches!(o, Output::Close { conn: 1 })), "{out:?}");
    assert!(!out.iter().any(|o| matches!(o, Output::Close { conn: 2 })), "{out:?}");
    // Later writes: NotReadOnly, nothing appended.
    let out = h.send(2, 3, op::SET_DATA, Request::SetData(SetDataRequest { path: "/kept".into(), data: None, version: -1 }));
    assert!(appends(&out).is_empty());
    assert_eq!(err(&out), ErrorCode::NotReadOnly.code());
    // Reads still answer from the committed tree (no Durable ever comes again: send, not call).
    let read = |h: &mut H, path: &str| reply(&h.send(2, 9, op::GET_DATA, Request::GetData(PathWatch { path: path.into(), watch: false })));
    let (hd, body) = read(&mut h, "/kept");
    assert_eq!(hd.err, 0);
    assert!(matches!(body, Response::GetData(Some(d), _) if d == b"k"));
    assert_eq!(read(&mut h, "/unknown").0.err, ErrorCode::NoNode.code());
    // A new session still connects (in memory only: nothing is logged) and can read.
    let out = h.input(Input::Connect { conn: 3, remote: REMOTE.parse().unwrap(), req: connect_req(0, vec![0; 16], 30000, 0) });
    assert!(appends(&out).is_empty(), "{out:?}");
    assert!(matches!(out.as_slice(), [Output::Connected { conn: 3, close_after: false, .. }]), "{out:?}");
    let (hd, _) = reply(&h.send(3, 1, op::GET_DATA, Request::GetData(PathWatch { path: "/kept".into(), watch: false })));
    assert_eq!(hd.err, 0);
}

fn setup_two() -> H {
    let mut h = H::new(cfg());
    h.connect(1);
    h.connect(2);
    h
}
