//! The caching lab's named runs: the notes' LRU loop, then workloads that separate the policies.

use super::contract::Caching;
use super::lab_config::{CacheAction, CacheLabConfig, WorkloadSpec};
use super::policy::PolicyKind;
use crate::scenario::LabPreset;

/// The seed every caching preset uses.
const SEED: u64 = 2024;

/// Every preset of the lab, in the order the page lists them.
pub fn caching_presets() -> Vec<LabPreset<Caching>> {
    vec![
        LabPreset {
            name: "lru-loop",
            title: "The notes' loop: LRU never hits",
            explains: "The notes' example: the user asks for 1, 2, 3, 4, 1, 2, … and the cache holds 3. LRU adds 1, \
                       2, 3; 4 evicts 1, the least recently used, which is exactly the next key asked for; and so on \
                       forever: not one hit. Belady's optimum, which knows the future, evicts the key needed \
                       furthest ahead and hits two requests in three once warm.",
            seed: SEED,
            config: CacheLabConfig::default(),
            actions: vec![],
        },
        LabPreset {
            name: "zipf-policies",
            title: "Popular keys: every policy against the optimum",
            explains: "Twenty thousand requests over 5,000 keys whose popularity follows Zipf (s = 0.9), as web \
                       objects roughly do, with room for 100 keys (2% of them). Frequency-aware policies \
                       (LFU, W-TinyLFU, S3-FIFO, ARC) keep the popular head; FIFO and random keep whatever came \
                       last. LRU's hit ratio agrees with Che's approximation.",
            seed: SEED,
            config: CacheLabConfig {
                capacity: 100,
                workload: WorkloadSpec::Zipf { keys: 5_000, s_milli: 900, requests: 20_000 },
                policies: PolicyKind::ALL.to_vec(),
                watched: PolicyKind::Lru,
            },
            actions: vec![],
        },
        LabPreset {
            name: "scan-resistance",
            title: "A scan floods LRU",
            explains: "The same popular keys, with a scan of 500 keys never seen again after every 2,000 requests \
                       (a backup, a crawler). Each scan pushes LRU's popular keys out; W-TinyLFU's admission \
                       filter, S3-FIFO's small queue, SIEVE and ARC let the scan pass through and keep them.",
            seed: SEED,
            config: CacheLabConfig {
                capacity: 200,
                workload: WorkloadSpec::ZipfWithScans {
                    keys: 5_000,
                    s_milli: 900,
                    requests: 30_000,
                    scan_every: 2_000,
                    scan_length: 500,
                },
                policies: PolicyKind::ALL.to_vec(),
                watched: PolicyKind::WTinyLfu,
            },
            actions: vec![],
        },
        LabPreset {
            name: "cold-restart",
            title: "A restart empties the cache",
            explains: "The popular workload, and the cache restarts empty after the 5,000th request (a crash or a \
                       deploy): every policy misses while it warms up again, visible as a dip in the hit ratio \
                       over time.",
            seed: SEED,
            config: CacheLabConfig {
                capacity: 100,
                workload: WorkloadSpec::Zipf { keys: 5_000, s_milli: 900, requests: 10_000 },
                policies: PolicyKind::ALL.to_vec(),
                watched: PolicyKind::Lru,
            },
            actions: vec![(5_000_000, CacheAction::Restart)],
        },
    ]
}
