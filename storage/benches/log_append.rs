//! Log append with real fdatasync vs batch size (records of 100 bytes), through the glommio writer
//! on a temporary directory in the target dir (same disk as the build, not tmpfs).
//! One iteration = one batch = one write + one fdatasync; throughput is in records.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use glommio::LocalExecutor;
use std::time::{Duration, Instant};
use zkd_storage::{LogOptions, LogStats, LogWriter};

fn bench_append(c: &mut Criterion) {
    let ex = LocalExecutor::default();
    let mut group = c.benchmark_group("log_append_fdatasync");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2));
    let payload = vec![0x5au8; 100];
    for batch in [1usize, 8, 64, 512] {
        group.throughput(Throughput::Elements(batch as u64));
        group.bench_with_input(BenchmarkId::from_parameter(batch), &batch, |b, &batch| {
            b.iter_custom(|iters| {
                let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
                let path = dir.path().to_path_buf();
                let payload = payload.clone();
                ex.run(async move {
                    let opts = LogOptions {
                        pre_alloc_size: 256 << 20,
                        segment_size: 1 << 40,
                        ..LogOptions::default()
                    };
                    let mut w = LogWriter::open(&path, opts, None, LogStats::new())
                        .await
                        .unwrap();
                    // The first batch creates the segment; keep that out of the measurement.
                    w.append_batch(&[(1, &payload[..])]).await.unwrap();
                    let mut next = 2i64;
                    let mut recs: Vec<(i64, &[u8])> = Vec::with_capacity(batch);
                    let start = Instant::now();
                    for _ in 0..iters {
                        recs.clear();
                        recs.extend((0..batch as i64).map(|i| (next + i, &payload[..])));
                        next += batch as i64;
                        w.append_batch(&recs).await.unwrap();
                    }
                    let t = start.elapsed();
                    w.close().await;
                    t
                })
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_append);
criterion_main!(benches);
