//! Accesses per second of every eviction policy on a Zipf(0.99) trace of 1,000,000 requests over 100,000
//! keys with a cache of 10,000, beside the `lru` crate's `LruCache` on the same trace in the same run (the
//! baseline: a hash map of its own with an intrusive list, the usual Rust LRU). Our LRU is also timed
//! through a concrete type, to show what the `dyn Policy` call costs, and Belady's optimal (offline: it
//! includes its pass over the trace). Run:
//! `cargo bench --bench cache -- --warm-up-time 1 --measurement-time 3`.

use criterion::{BatchSize, Criterion, SamplingMode, Throughput, black_box, criterion_group, criterion_main};
use lru::LruCache;
use std::num::NonZeroUsize;
use sysplay::sim::cache::mrc::replay;
use sysplay::sim::cache::{Lru, Policy, PolicyKind, build, optimal_hits, workload};

const KEYS: u64 = 100_000;
const REQUESTS: u64 = 1_000_000;
const SIZE: usize = 10_000;

fn lru_crate_hits(cache: &mut LruCache<u64, ()>, trace: &[u64]) -> u64 {
    let mut hits = 0;
    for &k in trace {
        if cache.get(&k).is_some() {
            hits += 1;
        } else {
            cache.put(k, ());
        }
    }
    hits
}

fn accesses(c: &mut Criterion) {
    let trace = workload::zipf(KEYS, 0.99, REQUESTS, 1);
    let lru_crate = || LruCache::new(NonZeroUsize::new(SIZE).expect("a cache of at least one key"));
    // The same trace, the same hits: the baseline is an LRU too.
    let ours = replay(build(PolicyKind::Lru, SIZE, 1).as_mut(), &trace);
    assert_eq!(lru_crate_hits(&mut lru_crate(), &trace), ours, "our LRU and the lru crate disagree");
    for kind in PolicyKind::ALL {
        let hits = replay(build(kind, SIZE, 1).as_mut(), &trace);
        eprintln!("{:<10} hit ratio {:.4}", kind.name(), hits as f64 / REQUESTS as f64);
    }
    eprintln!("{:<10} hit ratio {:.4}", "optimal", optimal_hits(&trace, SIZE) as f64 / REQUESTS as f64);

    let mut g = c.benchmark_group("zipf0.99_1m_requests_100k_keys_cache_10k");
    g.throughput(Throughput::Elements(REQUESTS));
    g.sample_size(10);
    g.sampling_mode(SamplingMode::Flat);
    g.bench_function("lru_crate", |b| {
        b.iter_batched(lru_crate, |mut cache| lru_crate_hits(&mut cache, black_box(&trace)), BatchSize::LargeInput)
    });
    g.bench_function("lru_static", |b| {
        b.iter_batched(
            || Lru::new(SIZE),
            |mut cache| black_box(&trace).iter().filter(|&&k| cache.access(k)).count(),
            BatchSize::LargeInput,
        )
    });
    for kind in PolicyKind::ALL {
        g.bench_function(kind.name(), |b| {
            b.iter_batched(
                || build(kind, SIZE, 1),
                |mut p| replay(p.as_mut(), black_box(&trace)),
                BatchSize::LargeInput,
            )
        });
    }
    g.bench_function("optimal_offline", |b| b.iter(|| optimal_hits(black_box(&trace), SIZE)));
    g.finish();
}

criterion_group!(benches, accesses);
criterion_main!(benches);
