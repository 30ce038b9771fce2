//! A restart returns the same tree: mixed writes from a real client, a full listing (path, data,
//! Stat, ACL, children) before the server stops (SIGTERM or kill -9) and after it comes back on
//! the same dataDir must be equal, round after round. snapCount=50 makes later rounds start from
//! a snapshot plus a log tail once zkd writes snapshots; until then they replay the log alone.
//! The writing session stays alive across restarts, so its ephemerals must stay too.

mod common;
#[path = "restart_digest/mixed_load.rs"]
mod mixed_load;

use common::tree_listing::{assert_same_tree, list_tree, NodeListing};
use common::Zkd;
use mixed_load::{Model, Rng};
use std::time::{Duration, Instant};
use zookeeper_client as zk;

const ROUNDS: usize = 6;
const OPS_PER_ROUND: usize = 300;
const SESSION_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Clone, Copy, Debug)]
enum Stop {
    Sigterm,
    Kill9,
}

async fn reader(z: &Zkd) -> zk::Client {
    tokio::time::timeout(Duration::from_secs(20), zk::Client::connect(&z.connect_string()))
        .await
        .expect("reader: connect timed out")
        .expect("reader: connect")
}

async fn listing(z: &Zkd) -> Vec<NodeListing> {
    let c = reader(z).await;
    list_tree(&c).await
    // `c` drops here: its session closes, which changes no znode.
}

/// Waits (bounded) until the writer's session answers again after a restart; it must not have expired.
async fn wait_session_back(c: &zk::Client) {
    let deadline = Instant::now() + Duration::from_secs(25);
    loop {
        match tokio::time::timeout(Duration::from_secs(5), c.check_stat("/")).await {
            Ok(Ok(_)) => return,
            Ok(Err(zk::Error::SessionExpired)) => panic!("the writer's session expired across a restart"),
            Ok(Err(e)) if Instant::now() < deadline => eprintln!("writer not back yet: {e}"),
            Err(_) if Instant::now() < deadline => eprintln!("writer not back yet: timeout"),
            other => panic!("the writer's session did not come back after a restart: {other:?}"),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The ephemerals in `tree` are exactly the ones the model holds, all owned by `session`.
fn assert_ephemerals(tree: &[NodeListing], model: &Model, session: i64, context: &str) {
    let mut found: Vec<&str> = tree.iter().filter(|n| n.stat.ephemeral_owner != 0).map(|n| n.path.as_str()).collect();
    let mut expected: Vec<&str> = model.ephemerals.iter().map(String::as_str).collect();
    found.sort();
    expected.sort();
    assert_eq!(found, expected, "{context}: ephemerals differ from the ones the live session created");
    for n in tree.iter().filter(|n| n.stat.ephemeral_owner != 0) {
        assert_eq!(n.stat.ephemeral_owner, session, "{context}: {} has another owner", n.path);
    }
}

fn snapshot_files(z: &Zkd) -> usize {
    std::fs::read_dir(z.data_dir().join("version-2"))
        .map(|d| d.filter_map(Result::ok).filter(|e| e.file_name().to_string_lossy().starts_with("zkdsnap.")).count())
        .unwrap_or(0)
}

fn stop_and_restart(z: &mut Zkd, how: Stop) {
    match how {
        Stop::Sigterm => {
            let status = z.terminate();
            assert!(status.success(), "zkd exited with {status:?} on SIGTERM");
        }
        Stop::Kill9 => z.kill9(),
    }
    z.restart();
}

#[test]
fn restart_returns_the_same_tree_and_keeps_live_ephemerals() {
    let mut z = Zkd::start("snapCount=50\npreAllocSize=64\nmaxSessionTimeout=60000\n");
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    rt.block_on(async {
        let writer = zk::Client::connector()
            .with_session_timeout(SESSION_TIMEOUT)
            .connect(&z.connect_string())
            .await
            .expect("writer: connect");
        let session = writer.session_id().0;
        let mut model = Model::default();
        model.setup(&writer).await;
        for round in 0..ROUNDS {
            let how = if round % 2 == 0 { Stop::Sigterm } else { Stop::Kill9 };
            let mut rng = Rng::new(round as u64 + 1);
            model.run(&writer, &mut rng, OPS_PER_ROUND).await;
            let before = listing(&z).await;
            assert_ephemerals(&before, &model, session, &format!("round {round}, before the restart"));
            assert!(!model.ephemerals.is_empty(), "round {round}: the load created no ephemeral");

            tokio::task::block_in_place(|| stop_and_restart(&mut z, how));
            let after = listing(&z).await;
            let context = format!("round {round}, restart after {how:?} ({} znodes, {} snapshot files)", before.len(), snapshot_files(&z));
            assert_same_tree(&before, &after, &context);
            assert_ephemerals(&after, &model, session, &context);
            // The writer's own session is still the one that owns them, and it works again.
            wait_session_back(&writer).await;
            eprintln!("{context}: same tree");
        }

        // Once the session closes its ephemerals go, and a restart does not bring them back.
        drop(writer);
        let deadline = Instant::now() + Duration::from_secs(20);
        let closed = loop {
            let t = listing(&z).await;
            if t.iter().all(|n| n.stat.ephemeral_owner == 0) || Instant::now() > deadline {
                break t;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        assert!(closed.iter().all(|n| n.stat.ephemeral_owner == 0), "ephemerals outlived their closed session");
        tokio::task::block_in_place(|| stop_and_restart(&mut z, Stop::Kill9));
        let after = listing(&z).await;
        assert_same_tree(&closed, &after, "restart after the writer's session closed");
    });
}
