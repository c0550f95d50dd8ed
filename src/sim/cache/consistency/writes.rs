//! Write policies on one stream of reads and writes over a key set, with the cache crashing at a chosen
//! moment:
//!
//! - [`WritePolicy::WriteThrough`]: the cache writes the database before it acknowledges; it keeps the
//!   new value, so the next read hits. Nothing is ever at risk.
//! - [`WritePolicy::WriteBack`]: the cache acknowledges at once and holds the write dirty; it flushes
//!   every dirty key to the database every F ms (several writes to a key in between become one database
//!   write) and a dirty key it evicts before acknowledging the request that evicted it. Acknowledged
//!   writes not yet in the database are *at risk*; when the cache dies they are lost, and the database's
//!   older value is what readers get from then on.
//! - [`WritePolicy::WriteAround`]: writes go to the database only, skipping the cache, which drops its
//!   copy of the key as the write passes: the next read misses.
//! - [`WritePolicy::CacheAside`]: the application writes the database, then deletes the key in the
//!   cache (a second round trip); reads miss, fetch and fill. Here, with one request at a time, it
//!   behaves as write-around but for that round trip; with concurrent clients its two steps leave room
//!   for the race in [`super::race`].
//!
//! Reads look in the cache and on a miss read the database and fill the cache. Requests come one at a
//! time at a fixed rate and each is applied whole before the next (no two overlap: concurrency is the
//! race's model); a read is *stale* when it returns a version older than the newest acknowledged write
//! of its key. The crash empties the cache at its moment, before a flush due at the same moment. Costs:
//! a cache round trip `cache_rtt_us`, a database round trip `db_rtt_us`; a hit costs the first, a miss
//! both, a write per its policy (above) plus a database round trip when it evicts a dirty key.
//!
//! One step is one request under one policy: a run is `4 × ops` steps, each one policy access or two.

use super::super::stats::{Summary, Tally};
use super::super::store::Store;
use super::super::{PolicyKind, check_capacity};
use crate::sim::check_range;
use crate::sim::kernel::SimRng;
use crate::sim::zipf::Zipf;
use serde::{Deserialize, Serialize};

/// Limits on a write-policy run.
pub mod limits {
    /// Most keys.
    pub const KEYS_MAX: u32 = 1_000_000;
    /// Most requests (each through all four policies).
    pub const OPS_MAX: u32 = 1_000_000;
    /// Fastest request rate, a second.
    pub const OPS_PER_S_MAX: u32 = 1_000_000;
    /// Largest cache, keys.
    pub const CAPACITY_MAX: u32 = 1_000_000;
    /// Longest flush interval, ms (an hour).
    pub const FLUSH_MS_MAX: u32 = 3_600_000;
    /// Longest round trip, µs.
    pub const RTT_US_MAX: u32 = 10_000_000;
    /// Largest Zipf exponent, thousandths.
    pub const S_MILLI_MAX: u32 = 5_000;
    /// Points of the at-risk series.
    pub const SERIES_POINTS: u64 = 200;
}

/// How writes reach the cache and the database.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WritePolicy {
    WriteThrough,
    WriteBack,
    WriteAround,
    CacheAside,
}

impl WritePolicy {
    pub const ALL: [WritePolicy; 4] =
        [WritePolicy::WriteThrough, WritePolicy::WriteBack, WritePolicy::WriteAround, WritePolicy::CacheAside];
}

/// The stream of requests, the cache and the costs.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WritesConfig {
    pub keys: u32,
    /// Zipf exponent of key popularity, thousandths.
    pub s_milli: u32,
    /// Requests in the run.
    pub ops: u32,
    /// Requests a second (one every 1/rate s).
    pub ops_per_s: u32,
    /// Writes among requests, thousandths.
    pub writes_milli: u32,
    /// Cache size, keys.
    pub capacity: u32,
    pub policy: PolicyKind,
    /// Write-back's flush interval F, ms.
    pub flush_ms: u32,
    /// When the cache dies and restarts empty, ms from the start (none: it never does).
    pub crash_at_ms: Option<u32>,
    pub cache_rtt_us: u32,
    pub db_rtt_us: u32,
}

impl Default for WritesConfig {
    /// 100,000 requests at 1,000 a second over 1,000 keys (Zipf 0.9), one in five a write; a cache of
    /// 200 keys (LRU) 1 ms away each way, the database the notes' 10 ms each way; write-back flushing
    /// every second; the cache dying at 50 s.
    fn default() -> Self {
        Self {
            keys: 1_000,
            s_milli: 900,
            ops: 100_000,
            ops_per_s: 1_000,
            writes_milli: 200,
            capacity: 200,
            policy: PolicyKind::Lru,
            flush_ms: 1_000,
            crash_at_ms: Some(50_000),
            cache_rtt_us: 2_000,
            db_rtt_us: 20_000,
        }
    }
}

impl WritesConfig {
    /// Refuses anything outside the limits with a sentence saying which setting to change.
    pub fn validate(&self) -> Result<(), String> {
        check_range("keys", u64::from(self.keys), 1, u64::from(limits::KEYS_MAX))?;
        check_range("the Zipf exponent (thousandths)", u64::from(self.s_milli), 0, u64::from(limits::S_MILLI_MAX))?;
        check_range("requests", u64::from(self.ops), 1, u64::from(limits::OPS_MAX))?;
        check_range("requests a second", u64::from(self.ops_per_s), 1, u64::from(limits::OPS_PER_S_MAX))?;
        check_range("writes (thousandths of requests)", u64::from(self.writes_milli), 0, 1_000)?;
        check_range("the cache's capacity", u64::from(self.capacity), 0, u64::from(limits::CAPACITY_MAX))?;
        check_capacity(self.capacity as usize)?;
        check_range("the flush interval (ms)", u64::from(self.flush_ms), 1, u64::from(limits::FLUSH_MS_MAX))?;
        check_range("the cache's round trip (µs)", u64::from(self.cache_rtt_us), 0, u64::from(limits::RTT_US_MAX))?;
        check_range("the database's round trip (µs)", u64::from(self.db_rtt_us), 0, u64::from(limits::RTT_US_MAX))?;
        Ok(())
    }

    /// When request `i` (from 0) comes, µs.
    pub fn op_time_us(&self, i: u32) -> u64 {
        (u128::from(i) * 1_000_000 / u128::from(self.ops_per_s)) as u64
    }
}

/// Acknowledged writes at risk at one moment.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RiskPoint {
    pub t_ms: u64,
    pub writes: u64,
}

/// One policy's run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WritePolicyReport {
    pub policy: WritePolicy,
    pub reads: u64,
    pub writes: u64,
    /// Reads the cache answered.
    pub hits: u64,
    pub hit_ratio: f64,
    pub db_reads: u64,
    pub db_writes: u64,
    /// Reads that returned a version older than the newest acknowledged write of their key.
    pub stale_reads: u64,
    /// Acknowledged writes the crash destroyed before they reached the database.
    pub writes_lost: u64,
    /// Keys whose newest value the crash destroyed.
    pub keys_lost: u64,
    /// Most acknowledged writes at risk at any moment.
    pub at_risk_max: u64,
    /// At risk just before the crash (= `writes_lost`).
    pub at_risk_at_crash: u64,
    /// Still at risk when the run ends.
    pub at_risk_at_end: u64,
    /// At risk over the run, [`limits::SERIES_POINTS`] evenly spaced moments.
    pub at_risk: Vec<RiskPoint>,
    /// Write latency, µs.
    pub write_latency: Summary,
    /// Read latency, µs.
    pub read_latency: Summary,
}

/// Every policy's run on the same requests.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WritesReport {
    /// The policies computed so far, in [`WritePolicy::ALL`] order.
    pub policies: Vec<WritePolicyReport>,
}

/// A cached copy: its version and whether the database lacks it.
#[derive(Clone, Copy, Debug)]
struct Entry {
    version: u64,
    dirty: bool,
}

/// One policy's state while it runs.
struct PolicyRun {
    policy: WritePolicy,
    rng: SimRng,
    zipf: Zipf,
    cache: Store<Entry>,
    /// The database's version of each key, and the newest acknowledged.
    db: Vec<u64>,
    acked: Vec<u64>,
    /// Keys that may be dirty (write-back), flushed on the next flush.
    dirty: Vec<u64>,
    /// Acknowledged writes of each key held only by the cache (write-back), and their sum.
    risk: Vec<u64>,
    at_risk: u64,
    next_flush: u64,
    crashed: bool,
    done: u32,
    r: WritePolicyReport,
    writes_tally: Tally,
    reads_tally: Tally,
    series_step_us: u64,
}

impl PolicyRun {
    fn new(c: &WritesConfig, seed: u64, policy: WritePolicy) -> Self {
        let end = c.op_time_us(c.ops - 1);
        Self {
            policy,
            rng: SimRng::new(seed),
            zipf: Zipf::new(u64::from(c.keys), f64::from(c.s_milli) / 1000.0),
            cache: Store::new(c.policy, c.capacity as usize, seed),
            db: vec![0; c.keys as usize],
            acked: vec![0; c.keys as usize],
            dirty: Vec::new(),
            risk: vec![0; c.keys as usize],
            at_risk: 0,
            next_flush: u64::from(c.flush_ms) * 1_000,
            crashed: c.crash_at_ms.is_none(),
            done: 0,
            r: WritePolicyReport {
                policy,
                reads: 0,
                writes: 0,
                hits: 0,
                hit_ratio: 0.0,
                db_reads: 0,
                db_writes: 0,
                stale_reads: 0,
                writes_lost: 0,
                keys_lost: 0,
                at_risk_max: 0,
                at_risk_at_crash: 0,
                at_risk_at_end: 0,
                at_risk: Vec::new(),
                write_latency: Summary::default(),
                read_latency: Summary::default(),
            },
            writes_tally: Tally::default(),
            reads_tally: Tally::default(),
            series_step_us: (end / limits::SERIES_POINTS).max(1),
        }
    }

    /// Writes `key`'s copy (version `version`) to the database if the database lacks it: its writes at
    /// risk are safe now. True when it did.
    fn flush_key(&mut self, key: u64, version: u64) -> bool {
        let k = key as usize;
        if version > self.db[k] {
            self.at_risk -= self.risk[k];
            self.risk[k] = 0;
            self.db[k] = version;
            self.r.db_writes += 1;
            return true;
        }
        false
    }

    fn flush_all(&mut self) {
        for key in std::mem::take(&mut self.dirty) {
            if let Some(e) = self.cache.peek_mut(key).filter(|e| e.dirty) {
                e.dirty = false;
                let v = e.version;
                self.flush_key(key, v);
            }
        }
    }

    fn crash(&mut self) {
        self.r.at_risk_at_crash = self.at_risk;
        self.r.writes_lost = self.at_risk;
        self.r.keys_lost = self.risk.iter().filter(|&&n| n > 0).count() as u64;
        self.risk.iter_mut().for_each(|n| *n = 0);
        self.at_risk = 0;
        self.dirty.clear();
        self.cache.clear();
        self.crashed = true;
    }

    /// The crash and the flushes due at or before `t`, in time order (the crash first on a tie).
    fn catch_up(&mut self, c: &WritesConfig, t: u64) {
        loop {
            let crash = if self.crashed { u64::MAX } else { u64::from(c.crash_at_ms.unwrap_or(0)) * 1_000 };
            let flush = if self.policy == WritePolicy::WriteBack { self.next_flush } else { u64::MAX };
            if crash.min(flush) > t {
                return;
            }
            if crash <= flush {
                self.crash();
            } else {
                self.flush_all();
                self.next_flush += u64::from(c.flush_ms) * 1_000;
            }
        }
    }

    fn sample_to(&mut self, t: u64) {
        while (self.r.at_risk.len() as u64) <= limits::SERIES_POINTS {
            let s = self.r.at_risk.len() as u64 * self.series_step_us;
            if s >= t {
                break;
            }
            self.r.at_risk.push(RiskPoint { t_ms: s / 1_000, writes: self.at_risk });
        }
    }

    /// Fills `key` with `entry`; a dirty key it evicts is written back first. True when that happened.
    fn fill(&mut self, key: u64, entry: Entry) -> bool {
        if let Some((k, e)) = self.cache.fill(key, entry)
            && e.dirty
        {
            return self.flush_key(k, e.version);
        }
        false
    }

    fn step(&mut self, c: &WritesConfig) {
        let t = c.op_time_us(self.done);
        self.sample_to(t);
        self.catch_up(c, t);
        let write = self.rng.below(1_000) < u64::from(c.writes_milli);
        let key = self.zipf.sample(&mut self.rng) - 1;
        let k = key as usize;
        let (cache, db) = (u64::from(c.cache_rtt_us), u64::from(c.db_rtt_us));
        if write {
            self.r.writes += 1;
            let v = self.acked[k] + 1;
            let latency = match self.policy {
                WritePolicy::WriteThrough => {
                    self.db[k] = v;
                    self.r.db_writes += 1;
                    self.fill(key, Entry { version: v, dirty: false });
                    cache + db
                }
                WritePolicy::WriteBack => {
                    let was_dirty = self.cache.peek(key).is_some_and(|e| e.dirty);
                    self.at_risk += 1;
                    self.risk[k] += 1;
                    let evicted_dirty = self.fill(key, Entry { version: v, dirty: true });
                    if self.cache.peek(key).is_none() {
                        // A cache that keeps nothing writes through.
                        self.flush_key(key, v);
                        cache + db
                    } else {
                        if !was_dirty {
                            self.dirty.push(key);
                        }
                        if evicted_dirty { cache + db } else { cache }
                    }
                }
                WritePolicy::WriteAround | WritePolicy::CacheAside => {
                    self.db[k] = v;
                    self.r.db_writes += 1;
                    self.cache.invalidate(key);
                    if self.policy == WritePolicy::CacheAside { db + cache } else { db }
                }
            };
            self.acked[k] = v;
            self.writes_tally.add(latency);
        } else {
            self.r.reads += 1;
            let (version, latency) = match self.cache.get(key) {
                Some(e) => {
                    self.r.hits += 1;
                    (e.version, cache)
                }
                None => {
                    self.r.db_reads += 1;
                    let v = self.db[k];
                    let evicted_dirty = self.fill(key, Entry { version: v, dirty: false });
                    (v, cache + db + if evicted_dirty { db } else { 0 })
                }
            };
            if version < self.acked[k] {
                self.r.stale_reads += 1;
            }
            self.reads_tally.add(latency);
        }
        self.r.at_risk_max = self.r.at_risk_max.max(self.at_risk);
        self.done += 1;
    }

    fn report(&self) -> WritePolicyReport {
        let mut r = self.r.clone();
        r.hit_ratio = r.hits as f64 / r.reads.max(1) as f64;
        r.at_risk_at_end = self.at_risk;
        r.write_latency = self.writes_tally.summary();
        r.read_latency = self.reads_tally.summary();
        r
    }
}

/// Every write policy on the same requests, computed in slices: one step is one request under one
/// policy, `4 × ops` steps in all.
pub struct WritesRun {
    config: WritesConfig,
    seed: u64,
    current: Option<PolicyRun>,
    next: usize,
    done: Vec<WritePolicyReport>,
    steps: u64,
}

impl WritesRun {
    /// A run of `config` (checked) from `seed`.
    pub fn new(config: WritesConfig, seed: u64) -> Result<Self, String> {
        config.validate()?;
        Ok(Self { config, seed, current: None, next: 0, done: Vec::new(), steps: 0 })
    }

    /// Runs at most `max_steps` more steps (at least one); true when every policy is done.
    pub fn advance(&mut self, max_steps: u64) -> bool {
        let mut left = max_steps.max(1);
        while left > 0 {
            if self.current.is_none() {
                if self.next == WritePolicy::ALL.len() {
                    return true;
                }
                self.current = Some(PolicyRun::new(&self.config, self.seed, WritePolicy::ALL[self.next]));
                self.next += 1;
            }
            let run = self.current.as_mut().expect("a policy is running");
            while left > 0 && run.done < self.config.ops {
                run.step(&self.config);
                left -= 1;
                self.steps += 1;
            }
            if run.done == self.config.ops {
                let end = self.config.op_time_us(self.config.ops - 1) + 1;
                run.sample_to(end);
                self.done.push(run.report());
                self.current = None;
            }
        }
        self.is_over()
    }

    pub fn is_over(&self) -> bool {
        self.done.len() == WritePolicy::ALL.len()
    }

    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// `4 × ops`.
    pub fn total_steps(&self) -> u64 {
        WritePolicy::ALL.len() as u64 * u64::from(self.config.ops)
    }

    /// The policies finished so far.
    pub fn report(&self) -> WritesReport {
        WritesReport { policies: self.done.clone() }
    }

    /// The whole run at once.
    pub fn run(config: WritesConfig, seed: u64) -> Result<WritesReport, String> {
        let mut run = Self::new(config, seed)?;
        while !run.advance(u64::MAX) {}
        Ok(run.report())
    }
}
