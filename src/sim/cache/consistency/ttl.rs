//! TTL refresh: the notes' like count on a video, "set the cache to fetch the fresh data in every 30
//! seconds interval, user need not to see the exact count". One hot value is written to the database by
//! a Poisson process of rate w and read by a Poisson process of rate r; the cache holds one copy of it.
//!
//! - [`TtlMode::Refresh`] (the notes): the cache fetches the value from the database at 0, T, 2T, …
//!   whether anyone reads or not, and serves every read from its copy.
//! - [`TtlMode::Expire`] (lazy, as memcached or Redis expiry): a read finding no copy younger than T
//!   fetches it (that read is fresh) and caches it for T.
//!
//! Without a cache every read goes to the database and is fresh: r database reads per second.
//!
//! # Theory, checked by `tests/cache_consistency.rs`
//!
//! Refresh: by PASTA (Poisson arrivals see time averages) a read sees the copy at an age `a` uniform on
//! `[0, T)`, so the mean age is T/2. Given `a`, the read is stale when at least one write fell in the
//! last `a`, with probability `1 − e^(−wa)`; averaged over `a`,
//!
//!   P(stale) = (1/T) ∫₀ᵀ (1 − e^(−wa)) da = 1 − (1 − e^(−wT)) / (wT),
//!
//! the complement of the freshness of an element changing as a Poisson process of rate λ and
//! synchronised every I, F = (1 − e^(−λI)) / (λI) (Cho & Garcia-Molina, "Synchronizing a database to
//! improve freshness", SIGMOD 2000, section 3, with r = λI). How long a stale value had been out of date
//! (their *age*) has mean `E = ∫ (a − (1 − e^(−wa))/w) da / T = T/2 − P(stale)/w`, which is their
//! `I (1/2 − 1/r + (1 − e^(−r))/r²)`. The database serves one read per refresh: 1/T per second (exactly
//! ⌊D/T⌋ + 1 over a run of length D, the fetch at 0 included).
//!
//! Expire: a cycle is a fetching read (fresh, age 0), T of reads served from the copy, then the wait for
//! the next read, which by memorylessness is exponential of mean 1/r. A cycle holds 1 + rT reads on
//! average, rT of them at ages uniform on `[0, T)`, so by renewal–reward P(stale) = rT·P_refresh / (1 +
//! rT), the mean age is rT·(T/2) / (1 + rT), the mean time out of date rT·E_refresh / (1 + rT), and the
//! database serves 1 / (T + 1/r) reads per second.
//!
//! One step is one read or one write, in time order: a run is at most about (r + w)·D steps (the counts
//! are Poisson; [`limits::EVENTS_MAX`] bounds their expectation and the run stops at 5/4 of it, which a
//! Poisson count of that mean exceeds with probability below e^(−50,000)).

use super::super::stats::{Bins, Histogram, Summary, exp_us};
use crate::sim::check_range;
use crate::sim::kernel::SimRng;
use serde::{Deserialize, Serialize};

/// Limits on a TTL run.
pub mod limits {
    /// Largest read or write rate, in thousandths of an event per second (100,000 a second).
    pub const RATE_MILLI_MAX: u32 = 100_000_000;
    /// Longest TTL, ms (a day).
    pub const TTL_MS_MAX: u32 = 86_400_000;
    /// Longest run, s (a week).
    pub const DURATION_S_MAX: u32 = 604_800;
    /// Most reads and writes a run expects, (r + w) × D: about 0.1 s natively.
    pub const EVENTS_MAX: u64 = 4_000_000;
    /// Points in the value-over-time series.
    pub const SERIES_POINTS: u64 = 240;
    /// Bins of the age distributions over [0, T): percentiles are within T / AGE_BINS.
    pub const AGE_BINS: u64 = 1_000;
}

/// When the cache fetches the value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TtlMode {
    /// Every T, whether read or not (the notes).
    Refresh,
    /// On the first read after the copy is T old.
    Expire,
}

/// One hot value's reads and writes, and the cache's TTL.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TtlConfig {
    /// Reads per second, in thousandths (100,000 is 100 reads a second).
    pub reads_milli: u32,
    /// Writes per second, in thousandths (100 is one write every 10 s).
    pub writes_milli: u32,
    /// The copy's lifetime T, ms.
    pub ttl_ms: u32,
    pub mode: TtlMode,
    /// The run's length, s.
    pub duration_s: u32,
}

impl Default for TtlConfig {
    /// [`likes_ttl_30s`].
    fn default() -> Self {
        likes_ttl_30s()
    }
}

/// The notes' like count: refreshed every 30 s, read 100 times a second, liked once every 10 s on
/// average, for an hour.
pub fn likes_ttl_30s() -> TtlConfig {
    TtlConfig { reads_milli: 100_000, writes_milli: 100, ttl_ms: 30_000, mode: TtlMode::Refresh, duration_s: 3_600 }
}

impl TtlConfig {
    /// Reads and writes the run expects, (r + w) × D.
    pub fn expected_events(&self) -> u64 {
        (u64::from(self.reads_milli) + u64::from(self.writes_milli)) * u64::from(self.duration_s) / 1_000
    }

    /// Refuses anything outside the limits with a sentence saying which setting to change.
    pub fn validate(&self) -> Result<(), String> {
        check_range(
            "the read rate (thousandths a second)",
            u64::from(self.reads_milli),
            1,
            u64::from(limits::RATE_MILLI_MAX),
        )?;
        check_range(
            "the write rate (thousandths a second)",
            u64::from(self.writes_milli),
            0,
            u64::from(limits::RATE_MILLI_MAX),
        )?;
        check_range("the TTL (ms)", u64::from(self.ttl_ms), 1, u64::from(limits::TTL_MS_MAX))?;
        check_range("the run's length (s)", u64::from(self.duration_s), 1, u64::from(limits::DURATION_S_MAX))?;
        if self.expected_events() > limits::EVENTS_MAX {
            return Err(format!(
                "the run would take about {} reads and writes, more than {}: lower the rates or the run's length",
                self.expected_events(),
                limits::EVENTS_MAX
            ));
        }
        Ok(())
    }
}

/// What theory says of a configuration (the module's header derives each).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TtlTheory {
    /// Probability a read is stale.
    pub stale_fraction: f64,
    /// Mean age of the served copy, ms.
    pub mean_age_ms: f64,
    /// Mean time a served value had been out of date (0 for a fresh one), ms.
    pub mean_outdated_ms: f64,
    /// Database reads per second with the cache.
    pub db_reads_per_s: f64,
    /// Database reads per second without it: the read rate.
    pub db_reads_per_s_without: f64,
}

/// `1 − (1 − e^(−x)) / x`, the stale probability of a uniformly aged copy with x = wT (0 at x = 0).
fn stale_uniform(x: f64) -> f64 {
    if x <= 0.0 { 0.0 } else { 1.0 + libm::expm1(-x) / x }
}

/// The theory of `config`.
pub fn ttl_theory(config: &TtlConfig) -> TtlTheory {
    let r = f64::from(config.reads_milli) / 1_000.0;
    let w = f64::from(config.writes_milli) / 1_000.0;
    let t = f64::from(config.ttl_ms) / 1_000.0;
    let p = stale_uniform(w * t);
    let outdated = if w > 0.0 { t / 2.0 - p / w } else { 0.0 };
    match config.mode {
        TtlMode::Refresh => TtlTheory {
            stale_fraction: p,
            mean_age_ms: t / 2.0 * 1_000.0,
            mean_outdated_ms: outdated * 1_000.0,
            db_reads_per_s: 1.0 / t,
            db_reads_per_s_without: r,
        },
        TtlMode::Expire => {
            let k = r * t / (1.0 + r * t);
            TtlTheory {
                stale_fraction: k * p,
                mean_age_ms: k * t / 2.0 * 1_000.0,
                mean_outdated_ms: k * outdated * 1_000.0,
                db_reads_per_s: 1.0 / (t + 1.0 / r),
                db_reads_per_s_without: r,
            }
        }
    }
}

/// The value at one moment: the database's and the cache's copy (writes so far: a like count).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TtlPoint {
    pub t_ms: u64,
    pub database: u64,
    /// `None` when the cache holds no live copy (expire mode, after T).
    pub cached: Option<u64>,
}

/// A TTL run summed up.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TtlReport {
    pub reads: u64,
    pub writes: u64,
    /// Reads served a value older than the database's.
    pub stale_reads: u64,
    pub stale_fraction: f64,
    /// Age of the served copy (time since the cache fetched it; 0 for a read that fetched), µs.
    /// Percentiles are within T / 1000 (fixed bins); mean and max are exact.
    pub age: Summary,
    /// How long the served value had been out of date (0 when fresh), µs; same precision.
    pub outdated: Summary,
    /// The served copies' ages in 20 buckets over [0, T).
    pub age_histogram: Histogram,
    /// Reads the database served with the cache.
    pub db_reads: u64,
    pub db_reads_per_s: f64,
    /// Without a cache every read reaches the database (and none is stale): `reads / D`.
    pub db_reads_per_s_without: f64,
    pub theory: TtlTheory,
    /// The value over the first min(D, 4T), [`limits::SERIES_POINTS`] points.
    pub series: Vec<TtlPoint>,
}

/// A TTL run, computed in slices: one step is one read or write.
#[derive(Clone, Debug)]
pub struct TtlRun {
    config: TtlConfig,
    rng: SimRng,
    end_us: u64,
    ttl_us: u64,
    read_mean_us: f64,
    write_mean_us: Option<f64>,
    next_read: u64,
    next_write: u64,
    /// Writes so far: the database's value.
    version: u64,
    /// The cache's copy: when fetched and what it held, and the first write it missed.
    copy: Option<(u64, u64)>,
    first_missed: Option<u64>,
    reads: u64,
    stale: u64,
    db_reads: u64,
    age: Bins,
    outdated: Bins,
    series: Vec<TtlPoint>,
    series_step_us: u64,
    steps: u64,
    over: bool,
}

impl TtlRun {
    /// A run of `config` (checked) from `seed`.
    pub fn new(config: TtlConfig, seed: u64) -> Result<Self, String> {
        config.validate()?;
        let mut rng = SimRng::new(seed);
        let read_mean_us = 1e9 / f64::from(config.reads_milli);
        let write_mean_us = (config.writes_milli > 0).then(|| 1e9 / f64::from(config.writes_milli));
        let next_read = exp_us(&mut rng, read_mean_us);
        let next_write = write_mean_us.map_or(u64::MAX, |m| exp_us(&mut rng, m));
        let ttl_us = u64::from(config.ttl_ms) * 1_000;
        let end_us = u64::from(config.duration_s) * 1_000_000;
        let width = ttl_us.div_ceil(limits::AGE_BINS);
        let window = end_us.min(4 * ttl_us);
        Ok(Self {
            rng,
            end_us,
            ttl_us,
            read_mean_us,
            write_mean_us,
            next_read,
            next_write,
            version: 0,
            copy: None,
            first_missed: None,
            reads: 0,
            stale: 0,
            db_reads: 0,
            age: Bins::new(width, limits::AGE_BINS as usize),
            outdated: Bins::new(width, limits::AGE_BINS as usize),
            series: Vec::new(),
            series_step_us: (window / limits::SERIES_POINTS).max(1),
            steps: 0,
            over: false,
            config,
        })
    }

    /// Refresh mode: the fetches at multiples of T up to `t` (only the latest matters: the copy it
    /// fetched holds the value as of then, and no event came between it and `t`).
    fn refresh_to(&mut self, t: u64) {
        if self.config.mode == TtlMode::Refresh {
            let at = t / self.ttl_us * self.ttl_us;
            if self.copy.is_none_or(|(fetched, _)| fetched < at) {
                self.copy = Some((at, self.version));
                self.first_missed = None;
            }
        }
    }

    /// Series points before `t`, with the state as it is before the event at `t`.
    fn sample_to(&mut self, t: u64) {
        while (self.series.len() as u64) < limits::SERIES_POINTS {
            let s = self.series.len() as u64 * self.series_step_us;
            if s >= t || s > self.end_us {
                break;
            }
            self.refresh_to(s);
            let cached = self
                .copy
                .filter(|&(fetched, _)| self.config.mode == TtlMode::Refresh || s < fetched + self.ttl_us)
                .map(|(_, v)| v);
            self.series.push(TtlPoint { t_ms: s / 1_000, database: self.version, cached });
        }
    }

    /// Runs at most `max_steps` more reads and writes (at least one); true when the run is over.
    pub fn advance(&mut self, max_steps: u64) -> bool {
        let cap = limits::EVENTS_MAX + limits::EVENTS_MAX / 4;
        for _ in 0..max_steps.max(1) {
            let t = self.next_read.min(self.next_write);
            if self.over || t > self.end_us || self.steps >= cap {
                self.sample_to(self.end_us + 1);
                self.over = true;
                return true;
            }
            self.sample_to(t);
            self.refresh_to(t);
            self.steps += 1;
            if self.next_write <= self.next_read {
                self.version += 1;
                if self.first_missed.is_none() {
                    self.first_missed = Some(t);
                }
                let mean = self.write_mean_us.expect("a write is scheduled only with a write rate");
                self.next_write = t + exp_us(&mut self.rng, mean);
            } else {
                self.read(t);
                self.next_read = t + exp_us(&mut self.rng, self.read_mean_us);
            }
        }
        false
    }

    fn read(&mut self, t: u64) {
        self.reads += 1;
        let live = self.copy.filter(|&(fetched, _)| self.config.mode == TtlMode::Refresh || t < fetched + self.ttl_us);
        let Some((fetched, version)) = live else {
            // Expire mode: the copy is gone, this read fetches a fresh one.
            self.copy = Some((t, self.version));
            self.first_missed = None;
            self.db_reads += 1;
            self.age.add(0);
            self.outdated.add(0);
            return;
        };
        self.age.add(t - fetched);
        if version < self.version {
            self.stale += 1;
            self.outdated.add(t - self.first_missed.expect("a stale copy missed a write"));
        } else {
            self.outdated.add(0);
        }
    }

    /// Steps taken so far.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// True once the run is over.
    pub fn is_over(&self) -> bool {
        self.over
    }

    /// The run so far (the whole run once over).
    pub fn report(&self) -> TtlReport {
        let d = f64::from(self.config.duration_s);
        let db_reads = match self.config.mode {
            // A fetch at every multiple of T within the run, read or not.
            TtlMode::Refresh => self.end_us / self.ttl_us + 1,
            TtlMode::Expire => self.db_reads,
        };
        TtlReport {
            reads: self.reads,
            writes: self.version,
            stale_reads: self.stale,
            stale_fraction: self.stale as f64 / self.reads.max(1) as f64,
            age: self.age.summary(),
            outdated: self.outdated.summary(),
            age_histogram: self.age.histogram(limits::AGE_BINS as usize / 20),
            db_reads,
            db_reads_per_s: db_reads as f64 / d,
            db_reads_per_s_without: self.reads as f64 / d,
            theory: ttl_theory(&self.config),
            series: self.series.clone(),
        }
    }

    /// The whole run at once.
    pub fn run(config: TtlConfig, seed: u64) -> Result<TtlReport, String> {
        let mut run = Self::new(config, seed)?;
        while !run.advance(u64::MAX) {}
        Ok(run.report())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn theory_limits() {
        assert_eq!(stale_uniform(0.0), 0.0);
        assert!((stale_uniform(1e-9) - 5e-10).abs() < 1e-15);
        assert!((stale_uniform(3.0) - (1.0 - (1.0 - (-3.0f64).exp()) / 3.0)).abs() < 1e-15);
        let t = ttl_theory(&likes_ttl_30s());
        assert!((t.mean_age_ms - 15_000.0).abs() < 1e-9);
        assert!((t.db_reads_per_s - 1.0 / 30.0).abs() < 1e-15);
        // Cho & Garcia-Molina's age, I (1/2 − 1/r + (1 − e^(−r))/r²), with r = wT = 3, I = 30 s.
        let r = 3.0f64;
        let cho = 30_000.0 * (0.5 - 1.0 / r + (1.0 - (-r).exp()) / (r * r));
        assert!((t.mean_outdated_ms - cho).abs() < 1e-6, "{} vs {cho}", t.mean_outdated_ms);
    }

    #[test]
    fn no_writes_no_staleness() {
        let c = TtlConfig { writes_milli: 0, duration_s: 100, ..likes_ttl_30s() };
        let r = TtlRun::run(c, 1).unwrap();
        assert_eq!((r.writes, r.stale_reads, r.outdated.max_us), (0, 0, 0));
        assert_eq!(r.db_reads, 4, "fetches at 0, 30, 60 and 90 s");
    }

    #[test]
    fn limits_refuse_with_a_sentence() {
        let c = TtlConfig { reads_milli: limits::RATE_MILLI_MAX, duration_s: 1_000, ..likes_ttl_30s() };
        assert!(c.validate().unwrap_err().contains("lower the rates"));
        assert!(TtlConfig { ttl_ms: 0, ..likes_ttl_30s() }.validate().unwrap_err().contains("TTL"));
    }
}
