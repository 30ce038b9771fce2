//! The operator tools of the real binary: `zkd dump snapshot|log`, `zkd purge`, and autopurge.

mod common;

use common::Zkd;
use std::process::Command;
use std::time::{Duration, Instant};
use zookeeper_client as zk;
use zk::{Acls, CreateMode};

fn zkd(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_zkd")).args(args).output().expect("run zkd");
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn files(dir: &std::path::Path, prefix: &str) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).filter(|n| n.starts_with(prefix) && !n.ends_with(".tmp")).collect())
        .unwrap_or_default();
    v.sort();
    v
}

/// Writes `n` creates, restarting in between so that several snapshots and segments exist.
fn load(z: &mut Zkd, rounds: usize, per_round: usize) {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    for r in 0..rounds {
        rt.block_on(async {
            let c = zk::Client::connect(&z.connect_string()).await.expect("connect");
            let opts = CreateMode::Persistent.with_acls(Acls::anyone_all());
            for i in 0..per_round {
                c.create(&format!("/r{r}n{i}"), format!("value {r} {i}").as_bytes(), &opts).await.expect("create");
            }
        });
        // Let the background snapshot finish before the restart.
        std::thread::sleep(Duration::from_millis(300));
        z.restart();
    }
}

#[test]
fn dump_and_purge_by_hand() {
    let mut z = Zkd::start("snapCount=40\npreAllocSize=64\n");
    load(&mut z, 4, 60);
    z.kill9();
    let v2 = z.data_dir().join("version-2");
    let snaps = files(&v2, "zkdsnap.");
    let segs = files(&v2, "zkdlog.");
    assert!(snaps.len() > 3, "expected several snapshots, got {snaps:?}");
    assert!(segs.len() > 1, "expected several segments, got {segs:?}");

    let newest = v2.join(snaps.last().unwrap());
    let (ok, out, err) = zkd(&["dump", "snapshot", newest.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert!(out.starts_with("snapshot "), "{out}");
    assert!(out.contains("\n/r0n0\n") && out.contains("data 9 bytes \"value 0 0\""), "{}", &out[..out.len().min(2000)]);

    let (ok, out, err) = zkd(&["dump", "log", v2.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert!(out.contains("Create { path: \"/r3n59\""), "last create missing from the log dump");
    assert!(out.lines().last().unwrap().ends_with(" txns"));

    let (ok, _, err) = zkd(&["purge", "--data-dir", z.data_dir().to_str().unwrap(), "-n", "2"]);
    assert!(!ok && err.contains("at least 3"), "{err}");
    let (ok, out, err) = zkd(&["purge", "--data-dir", z.data_dir().to_str().unwrap(), "-n", "3"]);
    assert!(ok, "{err}");
    assert_eq!(files(&v2, "zkdsnap."), snaps[snaps.len() - 3..].to_vec(), "{out}");
    assert!(files(&v2, "zkdlog.").len() < segs.len(), "no segment purged: {out}");

    // Everything is still there after the purge.
    z.restart();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let c = zk::Client::connect(&z.connect_string()).await.expect("connect");
        for r in 0..4 {
            for i in [0, 59] {
                let (d, _) = c.get_data(&format!("/r{r}n{i}")).await.expect("node lost by purge");
                assert_eq!(d, format!("value {r} {i}").into_bytes());
            }
        }
    });
}

#[test]
fn damaged_newest_snapshot_falls_back_to_the_previous_one() {
    let mut z = Zkd::start("snapCount=40\npreAllocSize=64\n");
    load(&mut z, 2, 80);
    z.kill9();
    let v2 = z.data_dir().join("version-2");
    let snaps = files(&v2, "zkdsnap.");
    assert!(snaps.len() >= 2, "{snaps:?}");
    let newest = v2.join(snaps.last().unwrap());
    let mut bytes = std::fs::read(&newest).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0xff;
    std::fs::write(&newest, bytes).unwrap();
    z.restart();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let c = zk::Client::connect(&z.connect_string()).await.expect("connect");
        for r in 0..2 {
            for i in 0..80 {
                c.get_data(&format!("/r{r}n{i}")).await.unwrap_or_else(|e| panic!("/r{r}n{i} lost: {e}"));
            }
        }
    });
}

#[test]
fn autopurge_runs_at_start() {
    let mut z = Zkd::start("snapCount=40\npreAllocSize=64\nautopurge.snapRetainCount=3\nautopurge.purgeInterval=1\n");
    load(&mut z, 3, 80);
    // The purge thread runs at each start: at most 3 snapshots remain soon after this restart
    // (plus any written since).
    let v2 = z.data_dir().join("version-2");
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut seen = files(&v2, "zkdsnap.");
    while seen.len() > 4 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
        seen = files(&v2, "zkdsnap.");
    }
    assert!(seen.len() <= 4, "autopurge kept {seen:?}");
}
