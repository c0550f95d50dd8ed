//! The caching lab's named runs: the notes' LRU loop, then workloads that separate the policies.

use super::contract::Caching;
use super::lab_config::{CacheAction, CacheLabConfig, WorkloadSpec};
use super::policy::PolicyKind;
use super::{cdn, consistency, placement};
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
                ..CacheLabConfig::default()
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
                ..CacheLabConfig::default()
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
                ..CacheLabConfig::default()
            },
            actions: vec![(5_000_000, CacheAction::Restart)],
        },
        LabPreset {
            name: "feed-by-interest",
            title: "A feed shared by interest, cached on the way",
            explains: "The notes' Instagram feed: users who share an interest (football) get the same feed, so the \
                       server caches it once and serves every one of them; the client keeps what its user asked for \
                       (no 200 ms round trip), a cache tier on a consistent-hash ring serves every server. The \
                       placement card runs the same requests with no cache, each level alone, and all of them: \
                       where each request was answered and what it cost on the notes' 220 ms path.",
            seed: SEED,
            config: CacheLabConfig { placement: placement::feed_by_interest(), ..CacheLabConfig::default() },
            actions: vec![],
        },
        LabPreset {
            name: "likes-ttl-30s",
            title: "A like count refreshed every 30 s",
            explains: "The notes' like count: the cache fetches it from the database every 30 seconds, so readers \
                       may see a count a little old, which harms no one, and the database answers one read every \
                       30 s instead of every read. The consistency card measures the stale share and the age of \
                       what is served against theory.",
            seed: SEED,
            config: CacheLabConfig {
                consistency: consistency::preset("likes-ttl-30s").expect("a consistency preset"),
                ..CacheLabConfig::default()
            },
            actions: vec![],
        },
        LabPreset {
            name: "bank-balance",
            title: "A bank balance must never be stale",
            explains: "The notes' financial case: bank balances served from a cache with a 30 s TTL, like the like \
                       count. Every stale balance is an error, flagged on the consistency card: a customer saw \
                       money that was not there. Reading balances from the database (or invalidating on every \
                       write with versioned puts) makes the errors zero.",
            seed: SEED,
            config: CacheLabConfig {
                consistency: consistency::preset("bank-balance").expect("a consistency preset"),
                ..CacheLabConfig::default()
            },
            actions: vec![],
        },
        LabPreset {
            name: "cdn-india-us-austria",
            title: "An origin in India, users in the US and Austria",
            explains: "The notes' CDN: the server is in India, fast for Indians and slow for users in the US and \
                       Austria. An edge cache in each region keeps the static files (images, pages, scripts, \
                       video) its users ask for, including files relevant to that region only; the CDN card shows \
                       each region's latency with and without its edge and how much the origin is spared, and a \
                       token bucket limiting a burst at the edge.",
            seed: SEED,
            config: CacheLabConfig { cdn: cdn::cdn_india_us_austria(), ..CacheLabConfig::default() },
            actions: vec![],
        },
    ]
}
