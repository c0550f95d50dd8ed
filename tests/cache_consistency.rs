//! Cache and database out of sync (`sim::cache::consistency`) held to theory and to recounts:
//!
//! - TTL refresh against Cho & Garcia-Molina's freshness of a periodically refreshed copy: P(stale) =
//!   1 − (1 − e^(−wT))/(wT) within 0.035 over ten hours (4 standard deviations of 20 seeds' spread,
//!   0.009), the mean age T/2 within 1% (spread 0.1%), the p99 age 0.99 T within T/500, the mean time out
//!   of date T/2 − P/w within 8% (spread under 2% for w ≥ 0.1/s), database reads exactly ⌊D/T⌋ + 1; and
//!   the lazy-expiry variant against its renewal–reward formulas (database load 1/(T + 1/r) within 0.3%);
//! - write policies against a naive recount: write-through loses and stales nothing, write-back's
//!   database writes are exactly the distinct keys written per flush interval, what the crash loses is
//!   exactly what was at risk, write-around and cache-aside differ only by the delete's round trip;
//! - the race recounted from its log (stale reads against the writes acknowledged before each read
//!   began; stale puts against the deletes applied before them), zero with versions, with leases and with
//!   one client, positive in the default, and every stale read under invalidation coming from a stale
//!   put;
//! - the financial case: TTL-cached balances produce errors, reading them from the database none, and
//!   invalidation with versions none.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::HashMap;
use sysplay::sim::cache::consistency::{
    BalanceReads, ConsistencyConfig, ConsistencyRun, OnWrite, PRESETS, RaceConfig, RaceFix, RaceRun, TtlConfig,
    TtlMode, TtlRun, WritePolicy, WritesConfig, WritesRun, bank_balance, bank_balance_fixed, likes_ttl_30s, preset,
    stale_race, ttl_theory,
};
use sysplay::sim::kernel::SimRng;
use sysplay::sim::zipf::Zipf;

fn long(mode: TtlMode, writes_milli: u32) -> TtlConfig {
    TtlConfig { reads_milli: 10_000, writes_milli, ttl_ms: 30_000, mode, duration_s: 36_000 }
}

#[test]
fn ttl_refresh_follows_the_freshness_formula() {
    for w in [10, 100, 1_000] {
        let c = long(TtlMode::Refresh, w);
        let r = TtlRun::run(c.clone(), 7).unwrap();
        let th = ttl_theory(&c);
        let x = f64::from(w) / 1_000.0 * 30.0;
        assert!((th.stale_fraction - (1.0 - (1.0 - (-x).exp()) / x)).abs() < 1e-12);
        assert!(
            (r.stale_fraction - th.stale_fraction).abs() < 0.035,
            "w {w}: {} vs {}",
            r.stale_fraction,
            th.stale_fraction
        );
        assert!((r.age.mean_us / 1_000.0 / 15_000.0 - 1.0).abs() < 0.01, "w {w}: mean age {}", r.age.mean_us);
        assert!((r.age.p99_us as f64 - 29_700_000.0).abs() < 60_000.0, "w {w}: p99 age {}", r.age.p99_us);
        assert!(r.age.max_us < 30_000_000);
        if w >= 100 {
            let out = r.outdated.mean_us / 1_000.0;
            assert!(
                (out / th.mean_outdated_ms - 1.0).abs() < 0.08,
                "w {w}: out of date {out} vs {}",
                th.mean_outdated_ms
            );
        }
        // One fetch at every multiple of T, read or not: 36,000 / 30 + 1.
        assert_eq!(r.db_reads, 1_201);
        assert!((th.db_reads_per_s - 1.0 / 30.0).abs() < 1e-15);
        // Without the cache every read reaches the database: the read rate, 10 a second.
        assert!((r.db_reads_per_s_without / 10.0 - 1.0).abs() < 0.01);
        assert_eq!(r.age.count, r.reads);
        assert_eq!(r.age_histogram.counts.iter().sum::<u64>(), r.reads);
    }
}

#[test]
fn ttl_expiry_follows_renewal_reward() {
    for w in [100, 1_000] {
        let c = long(TtlMode::Expire, w);
        let r = TtlRun::run(c.clone(), 3).unwrap();
        let th = ttl_theory(&c);
        // r T / (1 + r T) of the refresh formulas: 300 / 301 of them here.
        let k = 300.0 / 301.0;
        let refresh = ttl_theory(&long(TtlMode::Refresh, w));
        assert!((th.stale_fraction - k * refresh.stale_fraction).abs() < 1e-12);
        assert!(
            (r.stale_fraction - th.stale_fraction).abs() < 0.035,
            "w {w}: {} vs {}",
            r.stale_fraction,
            th.stale_fraction
        );
        assert!((r.age.mean_us / 1_000.0 / th.mean_age_ms - 1.0).abs() < 0.01);
        assert!(
            (r.db_reads_per_s / th.db_reads_per_s - 1.0).abs() < 0.003,
            "{} vs {}",
            r.db_reads_per_s,
            th.db_reads_per_s
        );
        assert!((th.db_reads_per_s - 1.0 / 30.1).abs() < 1e-12);
    }
}

#[test]
fn likes_ttl_30s_preset_headline() {
    let c = likes_ttl_30s();
    let r = TtlRun::run(c.clone(), 1).unwrap();
    // wT = 0.1 × 30 = 3: about 68% of reads show a count behind the database's, by about 8 s on average
    // (within 4 standard deviations of an hour's run: 0.09 and 20%).
    assert!((r.theory.stale_fraction - 0.6833).abs() < 1e-4);
    assert!((r.stale_fraction - r.theory.stale_fraction).abs() < 0.09);
    assert!((r.outdated.mean_us / 1_000.0 / r.theory.mean_outdated_ms - 1.0).abs() < 0.2);
    // The database serves 121 fetches an hour instead of about 360,000 reads.
    assert_eq!(r.db_reads, 121);
    assert!(r.db_reads_per_s < r.db_reads_per_s_without / 1_000.0);
    assert!((r.db_reads_per_s_without / 100.0 - 1.0).abs() < 0.01);
    // The series: the cached count is a staircase under the database's, caught up at every refresh.
    assert_eq!(r.series.len(), 240);
    for p in &r.series {
        assert!(p.cached.unwrap() <= p.database);
        if p.t_ms % 30_000 == 0 {
            assert_eq!(p.cached, Some(p.database), "at {} ms", p.t_ms);
        }
    }
}

fn policy(
    r: &sysplay::sim::cache::consistency::WritesReport,
    p: WritePolicy,
) -> &sysplay::sim::cache::consistency::WritePolicyReport {
    r.policies.iter().find(|x| x.policy == p).unwrap()
}

#[test]
fn write_policies_against_a_recount() {
    let c = WritesConfig::default();
    let r = WritesRun::run(c.clone(), 5).unwrap();
    assert_eq!(r.policies.len(), 4);
    for p in &r.policies {
        assert_eq!(p.reads + p.writes, u64::from(c.ops));
        assert_eq!(p.hits + p.db_reads, p.reads, "{:?}", p.policy);
        assert_eq!(p.at_risk.len(), 201);
    }
    let through = policy(&r, WritePolicy::WriteThrough);
    assert_eq!((through.stale_reads, through.writes_lost, through.at_risk_max), (0, 0, 0));
    assert_eq!(through.db_writes, through.writes);
    assert_eq!((through.write_latency.p50_us, through.write_latency.max_us), (22_000, 22_000));
    let back = policy(&r, WritePolicy::WriteBack);
    assert!(back.writes_lost > 0 && back.keys_lost > 0 && back.keys_lost <= back.writes_lost);
    assert_eq!(back.writes_lost, back.at_risk_at_crash);
    assert!(back.stale_reads > 0, "readers get the database's older values after the crash");
    assert!(back.db_writes < back.writes, "a flush writes a key once however often it was written");
    assert!(back.at_risk_max >= back.at_risk_at_crash);
    assert_eq!(back.write_latency.p50_us, 2_000);
    let around = policy(&r, WritePolicy::WriteAround);
    let aside = policy(&r, WritePolicy::CacheAside);
    assert_eq!(
        (around.hits, around.db_reads, around.db_writes, around.stale_reads),
        (aside.hits, aside.db_reads, aside.db_writes, aside.stale_reads)
    );
    assert_eq!(around.write_latency.max_us + 2_000, aside.write_latency.max_us);
    assert_eq!(around.stale_reads, 0);
    assert!(through.hit_ratio > around.hit_ratio, "write-through keeps what was written, so the next read hits");
    // A read costs the cache's round trip, and the database's too on a miss (write-through never evicts
    // a dirty key, so nothing else adds to it).
    let reads = (through.hits * 2_000 + through.db_reads * 22_000) as f64 / through.reads as f64;
    assert!((through.read_latency.mean_us - reads).abs() < 1e-6);
    // The at-risk series: nothing for the other policies; write-back's never above its maximum, and its
    // last point what is still at risk at the end.
    for p in &r.policies {
        let top = p.at_risk.iter().map(|x| x.writes).max().unwrap();
        assert!(top <= p.at_risk_max);
        if p.policy != WritePolicy::WriteBack {
            assert_eq!((top, p.at_risk_max), (0, 0));
        }
    }
    let back_series = &policy(&r, WritePolicy::WriteBack).at_risk;
    assert_eq!(back_series.last().unwrap().writes, policy(&r, WritePolicy::WriteBack).at_risk_at_end);
    assert!(back_series.iter().any(|x| x.writes > 0));
    // The same stream without a crash: nothing lost, nothing stale.
    let r = WritesRun::run(WritesConfig { crash_at_ms: None, ..c }, 5).unwrap();
    let back = policy(&r, WritePolicy::WriteBack);
    assert_eq!((back.writes_lost, back.stale_reads, back.keys_lost), (0, 0, 0));
}

#[test]
fn write_back_database_writes_are_the_keys_written_per_flush_interval() {
    // A cache with room for every key never evicts: every database write is a flush.
    let c = WritesConfig { capacity: 1_000, crash_at_ms: None, ops: 20_000, ..WritesConfig::default() };
    let r = WritesRun::run(c.clone(), 9).unwrap();
    let back = policy(&r, WritePolicy::WriteBack);
    // The naive recount: the same draws (write or not, then the key), keys written per interval.
    let mut rng = SimRng::new(9);
    let zipf = Zipf::new(u64::from(c.keys), f64::from(c.s_milli) / 1000.0);
    let mut intervals: HashMap<u64, std::collections::HashSet<u64>> = HashMap::new();
    let flush = u64::from(c.flush_ms) * 1_000;
    let mut writes = 0;
    for i in 0..c.ops {
        let t = c.op_time_us(i);
        let write = rng.below(1_000) < u64::from(c.writes_milli);
        let key = zipf.sample(&mut rng) - 1;
        if write {
            writes += 1;
            // A flush at time F·j runs before a request at the same moment.
            intervals.entry(t / flush).or_default().insert(key);
        }
    }
    let last = c.op_time_us(c.ops - 1) / flush;
    let flushed: usize = intervals.iter().filter(|(j, _)| **j < last).map(|(_, s)| s.len()).sum();
    assert_eq!(back.writes, writes);
    assert_eq!(back.db_writes, flushed as u64);
    // What the last, unfinished interval wrote is still at risk.
    let pending = intervals.get(&last).map_or(0, |s| s.len());
    assert!(back.at_risk_at_end >= pending as u64);
    assert_eq!(policy(&r, WritePolicy::WriteThrough).db_writes, writes);
}

/// For each key, (step, running maximum of version) in step order.
fn running_max(items: impl Iterator<Item = (u64, u64, u64)>) -> HashMap<u64, Vec<(u64, u64)>> {
    let mut by_key: HashMap<u64, Vec<(u64, u64)>> = HashMap::new();
    for (key, step, version) in items {
        let v = by_key.entry(key).or_default();
        let m = v.last().map_or(0, |x| x.1).max(version);
        v.push((step, m));
    }
    by_key
}

/// The newest version among `key`'s items strictly before `step` (0 if none).
fn newest_before(m: &HashMap<u64, Vec<(u64, u64)>>, key: u64, step: u64) -> u64 {
    m.get(&key).map_or(0, |v| {
        let i = v.partition_point(|x| x.0 < step);
        if i == 0 { 0 } else { v[i - 1].1 }
    })
}

/// The race's stale reads, stale puts and errors recounted from its log: a read is stale when its
/// version is older than a write of its key acknowledged before it began (an error when the key is a
/// balance); a put is stale when a first delete of a newer version reached the cache before it.
fn recount(run: &RaceRun, balances: u64) -> (u64, u64, u64) {
    let log = run.log().unwrap();
    let acked = running_max(log.writes.iter().map(|w| (w.key, w.acked, w.version)));
    let stale: Vec<_> = log.reads.iter().filter(|r| r.version < newest_before(&acked, r.key, r.start)).collect();
    let errors = stale.iter().filter(|r| r.key < balances).count();
    let deleted = running_max(log.deletes.iter().filter(|d| d.flag).map(|d| (d.key, d.step, d.version)));
    let puts = log.puts.iter().filter(|p| p.flag && p.version < newest_before(&deleted, p.key, p.step)).count();
    (stale.len() as u64, puts as u64, errors as u64)
}

fn race(config: RaceConfig, seed: u64) -> (sysplay::sim::cache::consistency::RaceReport, (u64, u64)) {
    let balances = u64::from(config.balance_keys);
    let mut run = RaceRun::with_log(config.clone(), seed).unwrap();
    while !run.advance(10_000) {}
    let (stale, puts, errors) = recount(&run, balances);
    let r = run.report();
    assert_eq!(r.errors, errors, "errors are the stale reads of balances");
    assert_eq!(r.reads, run.log().unwrap().reads.len() as u64, "every read finished");
    // No operation is quicker than its round trips: a read at least the cache's (or, for a balance read
    // from the database, the database's), a write at least the database's and, invalidating, the cache's.
    let hop = 2 * u64::from(config.cache_hop_us.min(config.db_hop_us));
    assert!(r.read_latency.count == 0 || r.read_latency.p50_us >= hop);
    let write = 2 * u64::from(config.db_hop_us)
        + if config.on_write == OnWrite::Invalidate { 2 * u64::from(config.cache_hop_us) } else { 0 };
    assert!(r.write_latency.count == 0 || r.write_latency.p50_us >= write);
    (r, (stale, puts))
}

#[test]
fn the_race_happens_by_default_and_its_counts_are_the_logs() {
    let (r, (stale, puts)) = race(RaceConfig { duration_ms: 20_000, ..stale_race() }, 1);
    assert!(r.stale_puts > 0, "the race happens at the default settings");
    assert!(r.race_reads > 0 && r.stale_reads > 0);
    assert_eq!((r.stale_reads, r.stale_puts), (stale, puts));
    assert_eq!(r.hits + r.misses, r.reads);
    assert!(r.stale_put_ms > 0.0);
}

#[test]
fn under_invalidation_every_stale_read_comes_from_a_stale_put() {
    for seed in 0..4 {
        let r = RaceRun::run(RaceConfig { duration_ms: 10_000, ..stale_race() }, seed).unwrap();
        assert!(
            r.stale_reads <= r.race_reads,
            "seed {seed}: {} stale, {} from stale puts",
            r.stale_reads,
            r.race_reads
        );
    }
}

#[test]
fn no_race_with_versions_leases_or_one_client() {
    for seed in 0..4 {
        for c in [
            RaceConfig { fix: RaceFix::Versions, ..stale_race() },
            RaceConfig { fix: RaceFix::Leases, ..stale_race() },
            RaceConfig { clients: 1, ..stale_race() },
        ] {
            let (r, (stale, puts)) = race(RaceConfig { duration_ms: 10_000, ..c.clone() }, seed);
            assert_eq!((r.stale_puts, r.race_reads, r.stale_reads), (0, 0, 0), "{:?} seed {seed}", c.fix);
            assert_eq!((stale, puts), (0, 0));
            if c.clients > 1 {
                assert!(r.refused_puts > 0, "{:?}: the fix refused the stale puts", c.fix);
            }
        }
    }
}

#[test]
fn a_second_delete_removes_stale_puts() {
    let (mut none, mut twice, mut removed) = (0, 0, 0);
    for seed in 0..4 {
        none += RaceRun::run(RaceConfig { duration_ms: 20_000, ..stale_race() }, seed).unwrap().race_reads;
        let r = RaceRun::run(
            RaceConfig { duration_ms: 20_000, fix: RaceFix::DoubleDelete { delay_ms: 10 }, ..stale_race() },
            seed,
        )
        .unwrap();
        twice += r.race_reads;
        removed += r.second_delete_removals;
    }
    assert!(removed > 0);
    assert!(twice * 3 < none, "{twice} reads of stale puts with the second delete, {none} without");
}

#[test]
fn bank_balance_errors_under_a_ttl_cache_and_none_with_the_fix() {
    let (r, (stale, _)) = race(bank_balance(), 1);
    assert!(r.balance_reads > 0);
    assert!(r.errors > 0, "a TTL cache serves balances older than acknowledged transfers");
    assert!(r.errors <= r.stale_reads && r.stale_reads > r.errors, "stale like counts are not errors");
    assert_eq!(r.stale_reads, stale);
    let (fixed, (stale, _)) = race(bank_balance_fixed(), 1);
    assert!(fixed.balance_reads > 0);
    assert_eq!(fixed.errors, 0);
    assert!(fixed.stale_reads > 0, "the like counts are still served from the TTL cache");
    assert_eq!(fixed.stale_reads, stale);
    // The other fix: invalidate on write, with versions; balances stay cached and are never stale.
    let c = RaceConfig { on_write: OnWrite::Invalidate, fix: RaceFix::Versions, ..bank_balance() };
    assert_eq!(c.balance_reads, BalanceReads::Cache);
    let (v, _) = race(c, 1);
    assert!(v.balance_reads > 0 && v.hits > 0);
    assert_eq!((v.errors, v.stale_reads), (0, 0));
}

#[test]
fn presets_run_whole_and_in_slices() {
    for name in PRESETS {
        let c = preset(name).unwrap();
        c.validate().unwrap();
        let back: ConsistencyConfig = serde_json::from_str(&serde_json::to_string(&c).unwrap()).unwrap();
        assert_eq!(back, c);
    }
    let small = ConsistencyConfig {
        ttl: TtlConfig { duration_s: 300, ..likes_ttl_30s() },
        writes: WritesConfig { ops: 5_000, ..WritesConfig::default() },
        race: RaceConfig { duration_ms: 3_000, ..bank_balance() },
    };
    let whole = ConsistencyRun::run(small.clone(), 4).unwrap();
    let mut run = ConsistencyRun::new(small, 4).unwrap();
    let mut slices = 0;
    while !run.advance(1_000) {
        slices += 1;
    }
    assert!(slices > 20);
    assert_eq!(run.report(), whole);
    assert!(whole.race.errors > 0);
    assert!(ConsistencyConfig::default().validate().is_ok());
    let mut bad = ConsistencyConfig::default();
    bad.race.clients = 1_000;
    bad.race.duration_ms = 3_600_000;
    let e = bad.validate().unwrap_err();
    assert!(e.starts_with("the race:") && e.contains("fewer clients"), "{e}");
}
