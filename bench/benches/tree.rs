//! DataTree: txn apply (create / setData / delete) and path lookup in a 1M-node tree.

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion};
use std::time::{Duration, Instant};
use zkd::tree::DataTree;
use zkd::wire::Acl;

const VALUE: [u8; 100] = [b'v'; 100];

/// A tree shaped like `zkd-bench populate`: /p{parent}/n{index}, `fanout` children per parent.
fn tree_of(nodes: u64, fanout: u64) -> DataTree {
    let mut t = DataTree::new(false);
    let acl = Acl::open_unsafe();
    let mut triggers = Vec::new();
    let mut zxid = 1;
    for p in 0..nodes.div_ceil(fanout) {
        t.create_node(&format!("/p{p:04}"), Some(vec![]), &acl, 0, -1, zxid, 0, &mut triggers).unwrap();
        zxid += 1;
    }
    for i in 0..nodes {
        t.create_node(&node(i, fanout), Some(VALUE.to_vec()), &acl, 0, -1, zxid, 0, &mut triggers).unwrap();
        zxid += 1;
        triggers.clear();
    }
    t
}

fn node(i: u64, fanout: u64) -> String {
    format!("/p{:04}/n{i:07}", i / fanout)
}

fn apply(c: &mut Criterion) {
    let acl = Acl::open_unsafe();
    let mut t = tree_of(10_000, 1000);
    let mut triggers = Vec::with_capacity(4);
    let mut zxid = 1_000_000i64;
    let mut g = c.benchmark_group("tree apply (10k-node tree)");
    // Create is timed, the cleanup delete is not, so the tree keeps its size across samples.
    g.bench_function("create", |b| {
        b.iter_custom(|iters| {
            let paths: Vec<String> = (0..iters).map(|i| format!("/p0000/new{i}")).collect();
            let start = Instant::now();
            for p in &paths {
                zxid += 1;
                t.create_node(p, Some(VALUE.to_vec()), &acl, 0, -1, zxid, 0, &mut triggers).unwrap();
                triggers.clear();
            }
            let took = start.elapsed();
            for p in &paths {
                t.delete_node(p, zxid, &mut triggers).unwrap();
                triggers.clear();
            }
            took
        })
    });
    g.bench_function("setData", |b| {
        let mut i = 0u64;
        b.iter(|| {
            i += 1;
            zxid += 1;
            let r = t.set_data(&node(i % 10_000, 1000), Some(VALUE.to_vec()), i as i32, zxid, 0, &mut triggers);
            triggers.clear();
            r.unwrap()
        })
    });
    g.bench_function("delete", |b| {
        b.iter_custom(|iters| {
            let paths: Vec<String> = (0..iters).map(|i| format!("/p0001/gone{i}")).collect();
            for p in &paths {
                t.create_node(p, Some(VALUE.to_vec()), &acl, 0, -1, zxid, 0, &mut triggers).unwrap();
                triggers.clear();
            }
            let start = Instant::now();
            for p in &paths {
                zxid += 1;
                t.delete_node(p, zxid, &mut triggers).unwrap();
                triggers.clear();
            }
            start.elapsed()
        })
    });
    g.finish();
}

fn lookup(c: &mut Criterion) {
    const N: u64 = 1_000_000;
    let t = tree_of(N, 1000);
    // Paths prepared up front so the lookup is all that is timed; a stride spreads them over the tree.
    let paths: Vec<String> = (0..4096u64).map(|i| node(i * 7919 % N, 1000)).collect();
    let mut g = c.benchmark_group("path lookup (1M-node tree)");
    let mut i = 0;
    g.bench_with_input(BenchmarkId::new("get", N), &paths, |b, paths| {
        b.iter(|| {
            i = (i + 1) & 4095;
            black_box(t.get(&paths[i]).is_some())
        })
    });
    g.bench_function("get missing", |b| b.iter(|| black_box(t.get(black_box("/p0500/n9999999")).is_none())));
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10).measurement_time(Duration::from_secs(2)).warm_up_time(Duration::from_millis(500));
    targets = apply, lookup
}
criterion_main!(benches);
