//! Events per second of the simulation kernel on the plain M/M/c model (two scheduler events per
//! order: an arrival and a departure). Run with `cargo bench --bench kernel`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use sysplay::sim::queue::{MmcConfig, run_mmc};

const ORDERS: u64 = 500_000;

fn mmc_events(c: &mut Criterion) {
    let mut group = c.benchmark_group("kernel");
    group.throughput(Throughput::Elements(2 * ORDERS));
    group.sample_size(10);
    for servers in [1u32, 4] {
        let config = MmcConfig {
            servers,
            arrival_rate_per_s: 0.8 * f64::from(servers),
            service_rate_per_s: 1.0,
            orders: ORDERS,
        };
        group.bench_function(format!("mmc_c{servers}_rho0.8_events"), |b| {
            b.iter(|| black_box(run_mmc(black_box(7), config).unwrap()).events)
        });
    }
    group.finish();
}

criterion_group!(benches, mmc_events);
criterion_main!(benches);
