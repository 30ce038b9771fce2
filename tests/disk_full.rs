//! A full disk (ENOSPC) under the real binary: dataDir on an 8 MiB tmpfs, write until writes stop
//! succeeding. Every acknowledged write must stay readable, reads must keep working on the writing
//! session and on a new one, zkd must log the disk error, and a write reported failed with
//! NOTREADONLY (-119) must never show up applied, not even after a restart with room again.
//! Writes in flight at the failure may end as ConnectionLoss or get no answer (today's zkd) or
//! -119 (planned); all are accepted. Needs root for the mount; otherwise the test says so and passes.

mod common;
#[path = "disk_full/tmpfs_mount.rs"]
mod tmpfs_mount;

use common::{Zkd, ZkdOptions};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tmpfs_mount::{is_root, TmpfsMount};
use zookeeper_client as zk;
use zk::{Acls, CreateMode};

const WRITERS: usize = 4;
const MAX_WRITES: usize = 20_000;
const VALUE_SIZE: usize = 2048;
const FILL_LIMIT: Duration = Duration::from_secs(120);
const WRITE_LIMIT: Duration = Duration::from_secs(5);
const PROBES: usize = 3;

#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    Acked,
    /// Answered NOTREADONLY (-119): the write was refused, so it must never be applied.
    Refused,
    /// ConnectionLoss or no answer within WRITE_LIMIT: it may or may not have been applied.
    Unknown(String),
}

struct Write {
    path: String,
    data: Vec<u8>,
    outcome: Outcome,
}

fn value(i: usize) -> Vec<u8> {
    let mut v = format!("value {i} ").into_bytes();
    v.resize(VALUE_SIZE, b'a' + (i % 26) as u8);
    v
}

async fn create(c: &zk::Client, path: String, data: Vec<u8>) -> Write {
    let opts = CreateMode::Persistent.with_acls(Acls::anyone_all());
    let outcome = match tokio::time::timeout(WRITE_LIMIT, c.create(&path, &data, &opts)).await {
        Ok(Ok(_)) => Outcome::Acked,
        Ok(Err(zk::Error::NotReadOnly)) => Outcome::Refused,
        // The client reports a connection that stopped answering as ConnectionLoss or as its own
        // "no response from connection" error.
        Ok(Err(e @ (zk::Error::ConnectionLoss | zk::Error::Custom(_)))) => Outcome::Unknown(e.to_string()),
        Ok(Err(e)) => panic!("create {path}: unexpected error {e:?} on a full disk"),
        Err(_) => Outcome::Unknown("no answer".into()),
    };
    Write { path, data, outcome }
}

/// Writers create until the first write that does not succeed; returns every write with its outcome.
async fn fill(client: &zk::Client) -> Vec<Write> {
    let writes = Arc::new(Mutex::new(Vec::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let deadline = Instant::now() + FILL_LIMIT;
    let mut tasks = Vec::new();
    for w in 0..WRITERS {
        let (c, writes, stop) = (client.clone(), writes.clone(), stop.clone());
        tasks.push(tokio::spawn(async move {
            for i in (w..MAX_WRITES).step_by(WRITERS) {
                if stop.load(Ordering::Relaxed) || Instant::now() > deadline {
                    return;
                }
                let write = create(&c, format!("/full/n{i:05}"), value(i)).await;
                if write.outcome != Outcome::Acked {
                    stop.store(true, Ordering::Relaxed);
                }
                writes.lock().unwrap().push(write);
            }
        }));
    }
    for t in tasks {
        t.await.expect("writer task");
    }
    let mut v = std::mem::take(&mut *writes.lock().unwrap());
    v.sort_by(|a, b| a.path.cmp(&b.path));
    v
}

/// Bounded retries: a session whose connection was stuck behind an unanswered write reconnects
/// (same session) before it can read again.
async fn read_with_retry(c: &zk::Client, path: &str, limit: Duration) -> Result<Vec<u8>, zk::Error> {
    let deadline = Instant::now() + limit;
    loop {
        let r = match tokio::time::timeout(Duration::from_secs(3), c.get_data(path)).await {
            Ok(r) => r.map(|(d, _)| d),
            Err(_) => Err(zk::Error::Timeout),
        };
        match r {
            Err(zk::Error::ConnectionLoss | zk::Error::Timeout | zk::Error::Custom(_)) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(200)).await
            }
            other => return other,
        }
    }
}

/// Acknowledged writes are there with their data, refused ones are absent, unknown ones are
/// either absent or complete.
async fn check_writes(c: &zk::Client, writes: &[Write], context: &str) {
    for w in writes {
        let got = read_with_retry(c, &w.path, Duration::from_secs(20)).await;
        match (&w.outcome, got) {
            (Outcome::Acked, Ok(d)) => assert!(d == w.data, "{context}: acknowledged {} has other data", w.path),
            (Outcome::Acked, Err(e)) => panic!("{context}: acknowledged {} is not readable: {e}", w.path),
            (Outcome::Refused, Err(zk::Error::NoNode)) => {}
            (Outcome::Refused, Ok(_)) => panic!("{context}: {} was answered NOTREADONLY (-119) but is applied", w.path),
            (Outcome::Unknown(_), Err(zk::Error::NoNode)) => {}
            (Outcome::Unknown(_), Ok(d)) => assert!(d == w.data, "{context}: {} (outcome unknown) has other data", w.path),
            (o, Err(e)) => panic!("{context}: reading {} (outcome {o:?}) failed: {e}", w.path),
        }
    }
}

async fn connect(z: &Zkd) -> zk::Client {
    tokio::time::timeout(
        Duration::from_secs(15),
        zk::Client::connector().with_session_timeout(Duration::from_secs(20)).connect(&z.connect_string()),
    )
    .await
    .expect("no session within 15s")
    .expect("connect")
}

#[test]
fn full_disk_stops_acknowledging_but_keeps_every_acknowledged_write_and_serves_reads() {
    if !is_root() {
        eprintln!("disk_full: skipped, mounting a tmpfs needs root (CI runs as root)");
        return;
    }
    let mount = TmpfsMount::new("8m");
    let mut z = Zkd::start_with(ZkdOptions {
        extra_cfg: "preAllocSize=64\nmaxSessionTimeout=60000\n".into(),
        data_dir: Some(mount.path().join("data")),
        capture_log: true,
    });
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let writes = rt.block_on(async {
        let writer = connect(&z).await;
        // A session that exists before the failure and never writes.
        let bystander = connect(&z).await;
        writer.create("/full", b"", &CreateMode::Persistent.with_acls(Acls::anyone_all())).await.expect("create /full");
        let mut writes = fill(&writer).await;
        let acked = writes.iter().filter(|w| w.outcome == Outcome::Acked).count();
        assert!(acked > 100, "only {acked} writes succeeded before the disk was full");
        assert!(acked < writes.len(), "every one of {} writes succeeded: the disk never filled up", writes.len());

        // Later writes must not succeed either (they may be refused at once or go unanswered).
        for i in 0..PROBES {
            let probe = create(&writer, format!("/full/probe{i}"), value(i)).await;
            assert!(probe.outcome != Outcome::Acked, "a write succeeded after the log failed");
            writes.push(probe);
        }
        let unknown = writes.iter().filter(|w| matches!(w.outcome, Outcome::Unknown(_))).count();
        let refused = writes.iter().filter(|w| w.outcome == Outcome::Refused).count();
        eprintln!("disk_full: {acked} acknowledged, {refused} refused with -119, {unknown} without a definite answer");

        check_writes(&writer, &writes, "the writing session").await;
        check_writes(&bystander, &writes, "a session opened before the failure").await;

        let log = z.log_text();
        let named = ["No space left on device", "ENOSPC", "os error 28"].iter().any(|s| log.contains(s));
        assert!(named && log.contains("transaction log failed"), "zkd logged no line naming the disk error:\n{log}");
        if let Some(line) = log.lines().find(|l| l.contains("transaction log failed")) {
            eprintln!("disk_full: zkd logged: {line}");
        }

        let fresh = tokio::time::timeout(Duration::from_secs(15), zk::Client::connect(&z.connect_string()))
            .await
            .expect("a new session could not be established within 15s after the disk filled up")
            .unwrap_or_else(|e| panic!("no new session on a full disk, so no reads on one either: connect failed with {e}"));
        check_writes(&fresh, &writes, "a new session").await;
        let (children, _) = fresh.get_children("/full").await.expect("getChildren on a full disk");
        assert!(children.len() >= acked, "/full lists {} children, {acked} were acknowledged", children.len());
        writes
    });

    // With room again, a restart keeps the acknowledged writes, refused ones stay absent, and
    // writes are acknowledged again.
    mount.resize("64m");
    z.restart();
    rt.block_on(async {
        let c = connect(&z).await;
        check_writes(&c, &writes, "after a restart with free space").await;
        let again = create(&c, "/full/after-restart".into(), value(0)).await;
        assert_eq!(again.outcome, Outcome::Acked, "no write is acknowledged after a restart with free space");
    });
    drop(z);
    drop(mount);
}
