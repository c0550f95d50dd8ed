//! Requests simulated per second by the balancer (`sim::scaling::lb`) for each policy, at 10 and at 64
//! servers (the page's most), 80% load, 200,000 requests a run; random, the cheapest pick, is the
//! baseline in the same run (the queue-aware policies look at every server, the power of two choices at
//! two). The same runs are timed in the browser by e2e/bench.test.mjs. Run:
//! `cargo bench --bench lb -- --warm-up-time 1 --measurement-time 3`.

use criterion::{Criterion, SamplingMode, Throughput, black_box, criterion_group, criterion_main};
use sysplay::sim::scaling::{LbConfig, LbRun, Policy};

const REQUESTS: u64 = 200_000;
const POLICIES: [&str; 7] =
    ["random", "round-robin", "least-connections", "p2c", "jsq", "least-response-time", "consistent-hash"];

fn requests(c: &mut Criterion) {
    for servers in [10u32, 64] {
        let mut g = c.benchmark_group(format!("lb/{servers} servers"));
        g.sampling_mode(SamplingMode::Flat).sample_size(10).throughput(Throughput::Elements(REQUESTS));
        for name in POLICIES {
            let policy = Policy::parse(name).expect("a policy");
            let config = LbConfig::identical(servers, 0.8 * f64::from(servers), 1.0, REQUESTS, policy);
            g.bench_function(name, |b| {
                b.iter(|| {
                    let r = LbRun::run(black_box(config.clone()), 1).expect("a stable setting");
                    assert_eq!(r.served, REQUESTS);
                    r.mean_sojourn_s
                })
            });
        }
        g.finish();
    }
}

criterion_group!(benches, requests);
criterion_main!(benches);
