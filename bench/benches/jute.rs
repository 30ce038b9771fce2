//! Jute decode/encode of the most common records.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use zkd::wire::codec;
use zkd_bench::*;

fn decode(c: &mut Criterion) {
    let create = create_body("/bench/node-0000000042");
    let get = get_data_body("/bench/node-0000000042");
    c.bench_function("decode create", |b| b.iter(|| codec::decode_request(CREATE, black_box(&create), 0xfffff).unwrap()));
    c.bench_function("decode getData", |b| b.iter(|| codec::decode_request(GET_DATA, black_box(&get), 0xfffff).unwrap()));
}

fn encode(c: &mut Criterion) {
    let (header, body) = get_data_reply();
    let mut out = Vec::with_capacity(512);
    c.bench_function("encode getData reply", |b| {
        b.iter(|| {
            out.clear();
            codec::encode_reply(&mut out, black_box(&header), black_box(&body));
            out.len()
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(std::time::Duration::from_secs(2)).warm_up_time(std::time::Duration::from_millis(500));
    targets = decode, encode
}
criterion_main!(benches);
