//! Watch trigger fan-out: one setData firing the data watches of N connections.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use std::time::{Duration, Instant};
use zkd::tree::WatchTrigger;
use zkd::watch::{Notification, WatchManager};
use zkd::wire::Acl;

fn fanout(c: &mut Criterion) {
    let trigger = WatchTrigger::DataChanged { path: "/fanout".into(), acl: Acl::open_unsafe() };
    let mut g = c.benchmark_group("watch fan-out (setData)");
    for n in [1u64, 100, 10_000] {
        // Standard watches are one-shot: re-arm (untimed) before every timed fire.
        g.bench_with_input(BenchmarkId::new("one-shot", n), &n, |b, &n| {
            let mut w = WatchManager::new();
            let mut out: Vec<Notification> = Vec::with_capacity(n as usize);
            b.iter_custom(|iters| {
                let mut took = Duration::ZERO;
                for _ in 0..iters {
                    for conn in 0..n {
                        w.add_data_watch("/fanout", conn);
                    }
                    out.clear();
                    let start = Instant::now();
                    w.fire(&trigger, 42, &mut |_, _| true, &mut out);
                    took += start.elapsed();
                    assert_eq!(out.len(), n as usize);
                }
                took
            })
        });
        // Persistent watches stay armed, so nothing but the fire is in the loop.
        g.bench_with_input(BenchmarkId::new("persistent", n), &n, |b, &n| {
            let mut w = WatchManager::new();
            for conn in 0..n {
                w.add_persistent("/fanout", conn, false);
            }
            let mut out: Vec<Notification> = Vec::with_capacity(n as usize);
            b.iter(|| {
                out.clear();
                w.fire(&trigger, 42, &mut |_, _| true, &mut out);
                out.len()
            })
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10).measurement_time(Duration::from_secs(2)).warm_up_time(Duration::from_millis(500));
    targets = fanout
}
criterion_main!(benches);
