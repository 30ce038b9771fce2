//! Waits until a server answers a getData of PATH and prints the seconds since START (a Unix time
//! in seconds with fractions, e.g. from `date +%s.%N`): the restart measurement's stopwatch.
//! `cargo run --release --example first_read -- HOST:PORT PATH START [TIMEOUT_S=600]`

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use zookeeper_client as zk;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 4 {
        eprintln!("usage: first_read HOST:PORT PATH START [TIMEOUT_S]");
        std::process::exit(2);
    }
    let start: f64 = args[3].parse().expect("START");
    let limit = Duration::from_secs(args.get(4).map(|v| v.parse().expect("TIMEOUT_S")).unwrap_or(600));
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        let attempt = async {
            let c = zk::Client::connector().with_session_timeout(Duration::from_secs(10)).connect(&args[1]).await.ok()?;
            c.get_data(&args[2]).await.ok()
        };
        if let Ok(Some(_)) = tokio::time::timeout(Duration::from_secs(5), attempt).await {
            let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs_f64()).unwrap_or(0.0);
            println!("{:.3}", now - start);
            return;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    eprintln!("no answer within {limit:?}");
    std::process::exit(1);
}
