//! Snapshot write (encode + file + fdatasync + rename) and open (map + validate) for 100k and 1M
//! znodes of 100-byte values, and path lookup in the mapped 1M-node snapshot.
//! `cargo bench -p zkd-storage --bench snapshot`; 10M: `ZKD_BENCH_10M=1` (needs ~6 GB of memory).

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use std::time::Duration;
use zkd_storage::snapshot::*;

fn tree(n: usize) -> (Vec<String>, Vec<u8>) {
    let mut paths = vec!["/".to_string(), "/bench".to_string()];
    let parents = n.div_ceil(1000);
    for p in 0..parents {
        paths.push(format!("/bench/p{p:05}"));
    }
    for i in 0..n {
        paths.push(format!("/bench/p{:05}/n{i:08}", i / 1000));
    }
    (paths, vec![b'x'; 100])
}

fn input<'a>(paths: &'a [String], value: &'a [u8]) -> SnapshotInput<'a> {
    let nodes = paths
        .iter()
        .enumerate()
        .map(|(i, p)| NodeIn { path: p, data: Some(value), acl: -1, stat: SnapStat { czxid: i as i64, mzxid: i as i64, pzxid: i as i64, ..Default::default() } })
        .collect();
    SnapshotInput { last_zxid: paths.len() as i64, nodes, acls: vec![], sessions: vec![], data_size: 0 }
}

fn sizes() -> Vec<usize> {
    let mut v = vec![100_000, 1_000_000];
    if std::env::var_os("ZKD_BENCH_10M").is_some() {
        v.push(10_000_000);
    }
    v
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir_in(std::env::var("ZKD_BENCH_DIR").unwrap_or_else(|_| ".".into())).unwrap();
    let mut g = c.benchmark_group("snapshot");
    g.sample_size(10).measurement_time(Duration::from_secs(20)).warm_up_time(Duration::from_secs(1));
    for n in sizes() {
        let (paths, value) = tree(n);
        let inp = input(&paths, &value);
        g.bench_function(format!("write/{n}"), |b| {
            b.iter_batched(|| (), |_| write_snapshot(dir.path(), &inp).unwrap(), BatchSize::PerIteration)
        });
        let file = write_snapshot(dir.path(), &inp).unwrap();
        g.bench_function(format!("open/{n}"), |b| b.iter(|| MappedSnapshot::open(&file).unwrap()));
        if n == 1_000_000 {
            let s = MappedSnapshot::open(&file).unwrap();
            let mut i = 0usize;
            g.bench_function("lookup/1000000", |b| {
                b.iter(|| {
                    i = (i * 7919 + 13) % n;
                    s.lookup(&paths[2 + n.div_ceil(1000) + i]).unwrap()
                })
            });
        }
        std::fs::remove_file(&file).unwrap();
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
