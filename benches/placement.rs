//! Lookup throughput of every placement algorithm, the `hashring` crate as a baseline, and the exact
//! movement count when one server joins a 1000-server ring. Run:
//! `cargo bench --bench placement -- --warm-up-time 1 --measurement-time 3`.

use criterion::{BenchmarkId, Criterion, Throughput, black_box, criterion_group, criterion_main};
use hashring::HashRing;
use sysplay::sim::hash::hash_u64;
use sysplay::sim::hashing::algos::analysis::{compare, ring_join_movement, sample_keys};
use sysplay::sim::hashing::algos::{
    Backend, Bounded, Jump, Ketama, Maglev, Placer, Rendezvous, VnodeRing, jump_consistent_hash,
};

/// Request ids looked up per iteration; every scheme hashes the same ids (hashring with its own hasher).
const IDS: u64 = 10_000;

fn bench_placer(c: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>, name: &str, p: &impl Placer) {
    c.bench_function(name, |b| b.iter(|| (0..IDS).map(|id| p.place(hash_u64(black_box(id)))).sum::<usize>()));
}

fn lookups(c: &mut Criterion) {
    let mut g = c.benchmark_group("lookup");
    g.throughput(Throughput::Elements(IDS));
    g.bench_function("hash_only_floor", |b| {
        b.iter(|| (0..IDS).map(|id| hash_u64(black_box(id))).fold(0, u64::wrapping_add))
    });
    for n in [10, 100, 1000] {
        bench_placer(&mut g, &format!("ring_{n}x100"), &VnodeRing::new(&Backend::numbered(n), 100).unwrap());
    }
    g.bench_function("jump_1000", |b| {
        b.iter(|| (0..IDS).map(|id| jump_consistent_hash(hash_u64(black_box(id)), 1000) as usize).sum::<usize>())
    });
    bench_placer(&mut g, "jump_placer_1000", &Jump::new(&Backend::numbered(1000)).unwrap());
    bench_placer(&mut g, "maglev_1000_m65537", &Maglev::new(&Backend::numbered(1000), 65537).unwrap());
    for n in [10, 100] {
        bench_placer(&mut g, &format!("rendezvous_{n}"), &Rendezvous::new(&Backend::numbered(n)));
    }
    let weighted: Vec<Backend> = (0..100).map(|i| Backend::weighted(format!("S{i}"), 1 + i % 3)).collect();
    bench_placer(&mut g, "rendezvous_100_weighted", &Rendezvous::new(&weighted));
    bench_placer(&mut g, "ketama_1000x160", &Ketama::new(&Backend::numbered(1000), 160).unwrap());
    let bounded = Bounded::new(&Backend::numbered(1000), 100, 1.25).unwrap();
    let keys: Vec<u64> = (0..IDS).map(hash_u64).collect();
    g.bench_function("bounded_1000x100_assign_all", |b| b.iter(|| bounded.assign_all(black_box(&keys))));

    // The hashring crate: one node per (server, point), 1000 × 100, looked up with the same ids.
    let nodes: Vec<(u32, u32)> = (0..1000).flat_map(|s| (0..100).map(move |i| (s, i))).collect();
    let mut sip = HashRing::new();
    sip.batch_add(nodes.clone());
    g.bench_function("hashring_1000x100_default_siphash", |b| {
        b.iter(|| (0..IDS).map(|id| sip.get(&black_box(id)).unwrap().0 as usize).sum::<usize>())
    });
    let mut fx = HashRing::with_hasher(rustc_hash::FxBuildHasher);
    fx.batch_add(nodes);
    g.bench_function("hashring_1000x100_fxhash", |b| {
        b.iter(|| (0..IDS).map(|id| fx.get(&black_box(id)).unwrap().0 as usize).sum::<usize>())
    });
    g.finish();
}

fn movement(c: &mut Criterion) {
    let mut g = c.benchmark_group("movement_1m_keys_1000_to_1001x100");
    g.sample_size(10);
    let keys = sample_keys(1, 1_000_000);
    let (before, after) = (Backend::numbered(1000), Backend::numbered(1001));
    g.bench_function(BenchmarkId::new("full_recompute", "build_both_assign_both"), |b| {
        b.iter(|| {
            let (r0, r1) = (VnodeRing::new(&before, 100).unwrap(), VnodeRing::new(&after, 100).unwrap());
            compare(&before, &r0.assign_all(&keys), &after, &r1.assign_all(&keys)).moved_keys
        })
    });
    let ring = VnodeRing::new(&before, 100).unwrap();
    g.bench_function(BenchmarkId::new("incremental", "sort_keys_then_arcs"), |b| {
        b.iter(|| {
            let mut sorted = keys.clone();
            sorted.sort_unstable();
            ring_join_movement(&ring, &after[1000], 100, &sorted).0
        })
    });
    let mut sorted = keys.clone();
    sorted.sort_unstable();
    g.bench_function(BenchmarkId::new("incremental", "keys_already_sorted"), |b| {
        b.iter(|| ring_join_movement(&ring, &after[1000], 100, black_box(&sorted)).0)
    });
    g.finish();
}

criterion_group!(benches, lookups, movement);
criterion_main!(benches);
