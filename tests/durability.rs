//! Crash durability of the real binary: kill -9 under a write load from a real client, restart,
//! and every acknowledged create must be there with its data.

mod common;

use common::Zkd;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use zookeeper_client as zk;
use zk::{Acls, CreateMode};

/// Crash rounds; `ZKD_CRASH_ROUNDS` raises it for long runs (scripts/crash-loop.sh).
fn rounds() -> usize {
    std::env::var("ZKD_CRASH_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(20)
}
const WRITERS: usize = 4;

#[test]
fn acknowledged_creates_survive_kill_dash_nine() {
    // A small snapCount: snapshots are written (and interrupted by the kill) all along the run,
    // so restarts come from "snapshot + log tail" as well as from the log alone.
    let mut z = Zkd::start("preAllocSize=1024\nsnapCount=300\n");
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let acked: Arc<Mutex<Vec<(String, Vec<u8>)>>> = Arc::new(Mutex::new(Vec::new()));
    let rounds = rounds();
    for round in 0..rounds {
        let addr = z.connect_string();
        let acked_now = acked.clone();
        // Writers run until the server dies under them; each records only what was acknowledged.
        let load = rt.spawn(async move {
            let client = zk::Client::connector()
                .with_session_timeout(Duration::from_secs(10))
                .connect(&addr)
                .await
                .expect("connect");
            let client = Arc::new(client);
            let mut tasks = Vec::new();
            for w in 0..WRITERS {
                let (client, acked) = (client.clone(), acked_now.clone());
                tasks.push(tokio::spawn(async move {
                    let opts = CreateMode::Persistent.with_acls(Acls::anyone_all());
                    for i in 0..100_000u32 {
                        let path = format!("/r{round}w{w}n{i}");
                        let data = format!("round {round} writer {w} item {i}").into_bytes();
                        match tokio::time::timeout(Duration::from_secs(5), client.create(&path, &data, &opts)).await {
                            Ok(Ok(_)) => acked.lock().unwrap().push((path, data)),
                            _ => return,
                        }
                    }
                }));
            }
            for t in tasks {
                let _ = t.await;
            }
        });
        // Let a few hundred writes through, then crash at a round-dependent moment.
        let target = 50 + round * 37 % 400;
        let start_len = acked.lock().unwrap().len();
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while acked.lock().unwrap().len() < start_len + target && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(2));
        }
        z.kill9();
        rt.block_on(async {
            let _ = tokio::time::timeout(Duration::from_secs(20), load).await;
        });
        z.restart();

        let expected = acked.lock().unwrap().clone();
        assert!(expected.len() > start_len, "round {round}: no write was acknowledged before the crash");
        rt.block_on(async {
            let client = zk::Client::connect(&z.connect_string()).await.expect("reconnect");
            for (path, data) in &expected {
                let (got, _) = client.get_data(path).await.unwrap_or_else(|e| panic!("round {round}: acknowledged {path} lost: {e}"));
                assert_eq!(&got, data, "round {round}: {path} has other data");
            }
        });
    }
    let snaps = std::fs::read_dir(z.dir.path().join("data/version-2"))
        .unwrap()
        .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().starts_with("zkdsnap."))
        .count();
    assert!(snaps > 0, "the run never wrote a snapshot: the crash rounds did not exercise them");
}
