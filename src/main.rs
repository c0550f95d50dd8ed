//! The web entry point: mounts the Yew app (built for wasm32 by trunk), and exports a benchmark the
//! end-to-end run calls to time the ring's movement recompute in the browser.

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
