//! Cache and database out of sync: the notes' "the cache and db will be in sync, but not in every
//! moment". Three models, each a run computed in slices from (seed, configuration), and a configuration
//! holding all three for a page that shows them together:
//!
//! - [`ttl`]: a like count refreshed every T (the notes' 30 s): how often and how stale reads are, and
//!   the database load, against theory (Cho & Garcia-Molina's freshness of a periodically refreshed copy).
//! - [`writes`]: write-through, write-back, write-around and cache-aside on one stream of requests, with
//!   the cache crashing: database writes, hit ratio, stale reads, writes at risk and lost, write latency.
//! - [`race`]: cache-aside's stale race as a discrete-event model, its fixes (delayed double delete,
//!   versions, leases), and the financial case: balances that must never be stale, every stale read of
//!   one an error.
//!
//! Presets: `likes-ttl-30s` (the default), `stale-race`, `bank-balance` and `bank-balance-fixed`.

pub mod race;
pub mod ttl;
pub mod writes;

pub use race::{
    BalanceReads, OnWrite, RaceConfig, RaceFix, RaceLog, RaceReport, RaceRun, bank_balance, bank_balance_fixed,
    stale_race,
};
pub use ttl::{TtlConfig, TtlMode, TtlPoint, TtlReport, TtlRun, TtlTheory, likes_ttl_30s, ttl_theory};
pub use writes::{RiskPoint, WritePolicy, WritePolicyReport, WritesConfig, WritesReport, WritesRun};

use serde::{Deserialize, Serialize};

/// The three models' settings together.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsistencyConfig {
    pub ttl: TtlConfig,
    pub writes: WritesConfig,
    pub race: RaceConfig,
}

impl ConsistencyConfig {
    /// Refuses anything outside the limits with a sentence saying which setting to change.
    pub fn validate(&self) -> Result<(), String> {
        self.ttl.validate().map_err(|e| format!("TTL refresh: {e}"))?;
        self.writes.validate().map_err(|e| format!("write policies: {e}"))?;
        self.race.validate().map_err(|e| format!("the race: {e}"))
    }
}

/// The preset names, in the order a page lists them.
pub const PRESETS: [&str; 4] = ["likes-ttl-30s", "stale-race", "bank-balance", "bank-balance-fixed"];

/// A preset by name: the default settings with the named part set. The TTL part is the notes' like
/// count in every preset; the race part is what the name says.
pub fn preset(name: &str) -> Option<ConsistencyConfig> {
    let race = match name {
        "likes-ttl-30s" | "stale-race" => stale_race(),
        "bank-balance" => bank_balance(),
        "bank-balance-fixed" => bank_balance_fixed(),
        _ => return None,
    };
    Some(ConsistencyConfig { ttl: likes_ttl_30s(), writes: WritesConfig::default(), race })
}

/// The three models' reports.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ConsistencyReport {
    pub ttl: TtlReport,
    pub writes: WritesReport,
    pub race: RaceReport,
}

/// The three runs one after the other, in slices: the TTL run's reads and writes, then the write
/// policies' requests, then the race's events (each bounded as its module says).
pub struct ConsistencyRun {
    ttl: TtlRun,
    writes: WritesRun,
    race: RaceRun,
}

impl ConsistencyRun {
    /// The runs of `config` (checked) from `seed`.
    pub fn new(config: ConsistencyConfig, seed: u64) -> Result<Self, String> {
        config.validate()?;
        Ok(Self {
            ttl: TtlRun::new(config.ttl, seed)?,
            writes: WritesRun::new(config.writes, seed)?,
            race: RaceRun::new(config.race, seed)?,
        })
    }

    /// Runs at most `max_steps` more steps (at least one); true when all three runs are over.
    pub fn advance(&mut self, max_steps: u64) -> bool {
        let mut left = max_steps.max(1);
        if !self.ttl.is_over() {
            let s = self.ttl.steps();
            self.ttl.advance(left);
            left = left.saturating_sub(self.ttl.steps() - s);
        }
        if left > 0 && self.ttl.is_over() && !self.writes.is_over() {
            let s = self.writes.steps();
            self.writes.advance(left);
            left = left.saturating_sub(self.writes.steps() - s);
        }
        if left > 0 && self.writes.is_over() && !self.race.is_over() {
            self.race.advance(left);
        }
        self.is_over()
    }

    /// Steps taken so far, over the three runs.
    pub fn steps(&self) -> u64 {
        self.ttl.steps() + self.writes.steps() + self.race.steps()
    }

    pub fn is_over(&self) -> bool {
        self.ttl.is_over() && self.writes.is_over() && self.race.is_over()
    }

    /// The three reports as they stand.
    pub fn report(&self) -> ConsistencyReport {
        ConsistencyReport { ttl: self.ttl.report(), writes: self.writes.report(), race: self.race.report() }
    }

    /// The whole run at once.
    pub fn run(config: ConsistencyConfig, seed: u64) -> Result<ConsistencyReport, String> {
        let mut run = Self::new(config, seed)?;
        while !run.advance(u64::MAX) {}
        Ok(run.report())
    }
}

impl crate::sim::SlicedRun for ConsistencyRun {
    type Report = ConsistencyReport;
    fn advance(&mut self, max_steps: u64) -> bool {
        ConsistencyRun::advance(self, max_steps)
    }
    fn steps(&self) -> u64 {
        ConsistencyRun::steps(self)
    }
    fn report(&self) -> ConsistencyReport {
        ConsistencyRun::report(self)
    }
}
