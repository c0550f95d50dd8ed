//! The web entry point: mounts the Yew app (built for wasm32 by trunk), and exports the benchmarks the
//! end-to-end run calls in the browser: the ring's movement recompute (the hashing lab's page) and the
//! eviction policies' accesses per second (the caching lab's page).

#[cfg(target_arch = "wasm32")]
fn main() {
    sysplay::ui::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("sysplay-web is the browser build; serve it with trunk (see the README). Try `sysplay --help`.");
}

/// The exact key movement when one server joins a ring, timed from JavaScript in many short calls
/// (one long call would stay on V8's baseline tier). Used by e2e/bench.test.mjs (the hashing lab's page).
#[cfg(all(target_arch = "wasm32", feature = "lab-hashing"))]
pub mod bench {
    use sysplay::sim::hashing::algos::analysis::{ring_join_movement, sample_keys};
    use sysplay::sim::hashing::algos::{Backend, Placer, VnodeRing};
    use wasm_bindgen::prelude::*;

    /// A ring of `servers x vnodes` points, a joining server and `keys` request ids.
    #[wasm_bindgen]
    pub struct JoinBench {
        before: VnodeRing,
        after: VnodeRing,
        joining: Backend,
        vnodes: u32,
        keys: Vec<u64>,
        sorted: Vec<u64>,
    }

    #[wasm_bindgen]
    impl JoinBench {
        /// Builds both rings and draws the keys (not timed).
        #[wasm_bindgen(constructor)]
        pub fn new(keys: u32, servers: u32, vnodes: u32) -> Result<JoinBench, String> {
            let before_backends = Backend::numbered(servers as usize);
            let joining = Backend::new(format!("S{servers}"));
            let mut after_backends = before_backends.clone();
            after_backends.push(joining.clone());
            let keys = sample_keys(1, keys as usize);
            Ok(JoinBench {
                before: VnodeRing::new(&before_backends, vnodes)?,
                after: VnodeRing::new(&after_backends, vnodes)?,
                joining,
                vnodes,
                sorted: Vec::new(),
                keys,
            })
        }

        /// Sorts the keys once per key set (what the incremental count needs).
        pub fn sort_keys(&mut self) {
            self.sorted = self.keys.clone();
            self.sorted.sort_unstable();
        }

        /// Keys moved by the join, counted exactly from the arcs the new points claim.
        pub fn incremental(&self) -> f64 {
            ring_join_movement(&self.before, &self.joining, self.vnodes, &self.sorted).0 as f64
        }

        /// Keys in `start..end` whose server differs before and after (a chunk of the full recompute).
        pub fn full_chunk(&self, start: u32, end: u32) -> f64 {
            let end = (end as usize).min(self.keys.len());
            let keys = &self.keys[(start as usize).min(end)..end];
            keys.iter().filter(|&&k| self.before.place(k) != self.after.place(k)).count() as f64
        }
    }
}

/// Every eviction policy replaying one trace, timed from JavaScript (e2e/bench.test.mjs, the caching
/// lab's page): the accesses per second in the browser, beside the native benchmark (benches/cache.rs).
#[cfg(all(target_arch = "wasm32", feature = "lab-caching"))]
pub mod cache_bench {
    use sysplay::sim::cache::mrc::replay;
    use sysplay::sim::cache::{PolicyKind, build, check_capacity, optimal_hits, workload};
    use wasm_bindgen::prelude::*;

    /// A Zipf trace and a cache size.
    #[wasm_bindgen]
    pub struct CacheBench {
        trace: Vec<u64>,
        size: usize,
    }

    #[wasm_bindgen]
    impl CacheBench {
        /// Draws `requests` requests, Zipf(`s`) over `keys` keys (not timed).
        #[wasm_bindgen(constructor)]
        pub fn new(keys: u32, s: f64, requests: u32, size: u32) -> Result<CacheBench, String> {
            check_capacity(size as usize)?;
            if keys == 0 || !(0.0..=5.0).contains(&s) {
                return Err("keys must be at least 1 and s between 0 and 5".into());
            }
            Ok(CacheBench { trace: workload::zipf(u64::from(keys), s, u64::from(requests), 1), size: size as usize })
        }

        /// The policies' names.
        pub fn policies(&self) -> Vec<String> {
            PolicyKind::ALL.iter().map(|k| k.name().to_string()).collect()
        }

        /// Replays the whole trace through a new cache of `policy` ("optimal": Belady's, offline, with its
        /// pass over the trace); returns the hits.
        pub fn replay(&self, policy: &str) -> Result<f64, String> {
            if policy == "optimal" {
                return Ok(optimal_hits(&self.trace, self.size) as f64);
            }
            let kind: PolicyKind = policy.parse()?;
            Ok(replay(build(kind, self.size, 1).as_mut(), &self.trace) as f64)
        }
    }
}

/// A balancer run of one policy, timed from JavaScript (e2e/bench.test.mjs, the scaling lab's page):
/// requests simulated per second in the browser, beside the native benchmark (benches/lb.rs).
#[cfg(all(target_arch = "wasm32", feature = "lab-scaling"))]
pub mod lb_bench {
    use sysplay::sim::scaling::{LbConfig, LbRun, Policy};
    use wasm_bindgen::prelude::*;

    /// `requests` requests through `servers` identical servers at 80% load under `policy` (its
    /// command-line name); returns the requests served.
    #[wasm_bindgen]
    pub fn lb_run(policy: &str, servers: u32, requests: u32) -> Result<f64, String> {
        let policy = Policy::parse(policy)?;
        let config = LbConfig::identical(servers, 0.8 * f64::from(servers), 1.0, u64::from(requests), policy);
        LbRun::run(config, 1).map(|r| r.served as f64)
    }
}
