//! Fills a ZooKeeper-compatible server with N persistent znodes (for restart and memory
//! measurements): `cargo run --release --example populate -- HOST:PORT N [VALUE_BYTES] [FANOUT]`.
//! Paths are /populate/pNNNN/nNNNNNNNN, FANOUT children per parent; a window of requests is kept
//! in flight (`POPULATE_WINDOW`, default 2000). Works against Apache ZooKeeper and zkd alike.

use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;
use zookeeper_client as zk;

/// Requests in flight (the offered load); `POPULATE_WINDOW` overrides.
fn window() -> usize {
    std::env::var("POPULATE_WINDOW").ok().and_then(|v| v.parse().ok()).unwrap_or(2000).max(1)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: populate HOST:PORT N [VALUE_BYTES=100] [FANOUT=1000]");
        std::process::exit(2);
    }
    let server = &args[1];
    let n: usize = args[2].parse().expect("N");
    let value_len: usize = args.get(3).map(|v| v.parse().expect("VALUE_BYTES")).unwrap_or(100);
    let fanout: usize = args.get(4).map(|v| v.parse().expect("FANOUT")).unwrap_or(1000).max(1);
    let client = zk::Client::connector().with_session_timeout(Duration::from_secs(30)).connect(server).await.expect("connect");
    let opts = zk::CreateMode::Persistent.with_acls(zk::Acls::anyone_all());
    let value = Arc::new(vec![b'x'; value_len]);
    let _ = client.create("/populate", b"", &opts).await;
    let parents = n.div_ceil(fanout);
    for p in 0..parents {
        let _ = client.create(&format!("/populate/p{p:04}"), b"", &opts).await;
    }
    let started = Instant::now();
    let window = Arc::new(Semaphore::new(window()));
    let mut tasks = Vec::with_capacity(n);
    for i in 0..n {
        let permit = window.clone().acquire_owned().await.expect("semaphore");
        let (client, value) = (client.clone(), value.clone());
        let path = format!("/populate/p{:04}/n{i:08}", i / fanout);
        tasks.push(tokio::spawn(async move {
            let opts = zk::CreateMode::Persistent.with_acls(zk::Acls::anyone_all());
            let ok = matches!(client.create(&path, &value, &opts).await, Ok(_) | Err(zk::Error::NodeExists));
            drop(permit);
            ok
        }));
        if i % 100_000 == 0 && i > 0 {
            eprintln!("{i} requested, {:.0}/s", i as f64 / started.elapsed().as_secs_f64());
        }
    }
    let mut created = 0usize;
    for t in tasks {
        if t.await.unwrap_or(false) {
            created += 1;
        }
    }
    let secs = started.elapsed().as_secs_f64();
    println!("created {created} of {n} znodes ({value_len}-byte values) in {secs:.1} s ({:.0}/s)", created as f64 / secs);
    if created != n {
        std::process::exit(1);
    }
}
