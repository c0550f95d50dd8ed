//! The partitioned log's configuration and the actions a user can take at any virtual time. Every
//! quantity is an integer (ms, percent, per minute), so a scenario is exact data.

use super::assign::Assignor;
use crate::sim::check_range;
use serde::{Deserialize, Serialize};

/// Limits on everything a user can set.
pub mod limits {
    /// Partitions of the topic.
    pub const PARTITIONS_MAX: u32 = 64;
    /// Distinct keys (customers).
    pub const KEYS_MAX: u32 = 100_000;
    /// Records the producers send in one run (bursts included).
    pub const RECORDS_MAX: u32 = 100_000;
    /// Highest record rate, per minute (1000 per second).
    pub const RATE_PER_MIN_MAX: u32 = 60_000;
    /// Consumer groups reading the topic.
    pub const GROUPS_MAX: usize = 4;
    /// Consumers per group, those added by actions included.
    pub const CONSUMERS_MAX: usize = 64;
    /// Records one poll returns (Kafka's `max.poll.records`).
    pub const BATCH_MAX: u32 = 500;
    /// Longest run, ms (one virtual day).
    pub const HORIZON_MS_MAX: u64 = 86_400_000;
    /// Longest duration setting (handling time, timeouts), ms (one hour).
    pub const DURATION_MS_MAX: u64 = 3_600_000;
    /// Most samples in a lag series.
    pub const SAMPLES_MAX: u64 = 1_000;
    pub use crate::limits::ACTIONS_MAX;
    /// Longest group or consumer name, in characters.
    pub const NAME_LEN_MAX: usize = 24;
    /// Slowdown factor range, percent of normal handling time.
    pub const SLOW_PCT_MIN: u32 = 10;
    pub const SLOW_PCT_MAX: u32 = 10_000;
    /// Most records in one burst.
    pub const BURST_MAX: u32 = 10_000;
}

/// When a consumer commits its offset relative to the work.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "kebab-case")]
pub enum CommitMode {
    /// Commit the batch's end offset as it is fetched, then handle it: a crash mid-batch loses the
    /// rest of the batch (at most once).
    BeforeWork,
    /// Handle the whole batch, then commit: a crash mid-batch makes the next owner handle the
    /// handled part again (at least once).
    AfterWork,
    /// Kafka's default: commit the fetch position every `every_ms` (and on a rebalance). Both windows.
    Auto { every_ms: u64 },
}

impl CommitMode {
    /// A short name for the page and the history.
    pub fn label(&self) -> String {
        match self {
            Self::BeforeWork => "commit before work".into(),
            Self::AfterWork => "commit after work".into(),
            Self::Auto { every_ms } => format!("auto-commit every {} s", *every_ms as f64 / 1000.0),
        }
    }
}

/// One consumer group and its starting members.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct GroupSpec {
    pub name: String,
    pub consumers: Vec<String>,
    pub commit: CommitMode,
}

/// The whole starting configuration.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct StreamConfig {
    /// Partitions of the topic (1..=64).
    pub partitions: u32,
    /// Distinct record keys (customers); a key always lands on the same partition.
    pub keys: u32,
    /// Records the producers send at the Poisson rate, then they stop.
    pub records: u32,
    pub rate_per_min: u32,
    /// Mean time to handle one record, ms (exponential).
    pub handle_ms: u64,
    /// Records one poll returns from one partition.
    pub batch_max: u32,
    /// A crashed consumer is declared dead after this long without heartbeats.
    pub session_timeout_ms: u64,
    /// The stop-the-world part of an eager rebalance (sync), after every member finished its batch.
    pub rebalance_ms: u64,
    pub assignor: Assignor,
    pub groups: Vec<GroupSpec>,
    /// The run stops here even if records are still unconsumed, ms.
    pub horizon_ms: u64,
    /// Interval of the lag series, ms.
    pub sample_every_ms: u64,
}

impl Default for StreamConfig {
    /// Six partitions, one group of two consumers at about 80% of their capacity.
    fn default() -> Self {
        Self {
            partitions: 6,
            keys: 40,
            records: 1_200,
            rate_per_min: 480,
            handle_ms: 250,
            batch_max: 5,
            session_timeout_ms: 10_000,
            rebalance_ms: 3_000,
            assignor: Assignor::Range,
            groups: vec![GroupSpec {
                name: "billing".into(),
                consumers: vec!["c1".into(), "c2".into()],
                commit: CommitMode::AfterWork,
            }],
            horizon_ms: 1_800_000,
            sample_every_ms: 2_000,
        }
    }
}

/// One thing a user does to the running system.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum StreamAction {
    /// A consumer joins the group (a new one, or one that left comes back): the group rebalances.
    AddConsumer { group: String, name: String },
    /// A consumer finishes its batch, commits and leaves the group: the group rebalances.
    RemoveConsumer { group: String, name: String },
    /// A consumer dies mid-batch; the group notices after the session timeout and rebalances.
    CrashConsumer { group: String, name: String },
    /// A crashed consumer comes back and rejoins: the group rebalances.
    RestartConsumer { group: String, name: String },
    /// Records the consumer starts from now take `factor_pct`% of the normal time.
    SlowConsumer { group: String, name: String, factor_pct: u32 },
    /// The producers send `count` records at once.
    Burst { count: u32 },
}

impl StreamAction {
    /// One line saying what the action does, for the history.
    pub fn describe(&self) -> String {
        match self {
            Self::AddConsumer { group, name } => format!("{name} joins {group}"),
            Self::RemoveConsumer { group, name } => format!("{name} leaves {group}"),
            Self::CrashConsumer { group, name } => format!("crash {name} ({group})"),
            Self::RestartConsumer { group, name } => format!("restart {name} ({group})"),
            Self::SlowConsumer { group, name, factor_pct } => {
                format!("{name} ({group}) at {factor_pct}% of normal time")
            }
            Self::Burst { count } => format!("burst of {count} records"),
        }
    }
}

/// An action and its virtual time in ms since the start.
pub type TimedStreamAction = (u64, StreamAction);

fn check_name(what: &str, name: &str) -> Result<(), String> {
    if name.trim().is_empty() || name.chars().count() > limits::NAME_LEN_MAX || name.chars().any(char::is_control) {
        return Err(format!("{what} names are 1 to {} printable characters", limits::NAME_LEN_MAX));
    }
    Ok(())
}

impl StreamConfig {
    /// Refuses anything outside the limits, with a sentence saying which.
    pub fn validate(&self) -> Result<(), String> {
        use limits::*;
        check_range("partitions", u64::from(self.partitions), 1, u64::from(PARTITIONS_MAX))?;
        check_range("keys", u64::from(self.keys), 1, u64::from(KEYS_MAX))?;
        check_range("records", u64::from(self.records), 1, u64::from(RECORDS_MAX))?;
        check_range("record rate per minute", u64::from(self.rate_per_min), 1, u64::from(RATE_PER_MIN_MAX))?;
        check_range("handling time (ms)", self.handle_ms, 1, DURATION_MS_MAX)?;
        check_range("records per poll", u64::from(self.batch_max), 1, u64::from(BATCH_MAX))?;
        check_range("session timeout (ms)", self.session_timeout_ms, 1, DURATION_MS_MAX)?;
        check_range("rebalance time (ms)", self.rebalance_ms, 0, DURATION_MS_MAX)?;
        check_range("the number of consumer groups", self.groups.len() as u64, 1, GROUPS_MAX as u64)?;
        for (i, g) in self.groups.iter().enumerate() {
            check_name("group", &g.name)?;
            if self.groups[..i].iter().any(|h| h.name == g.name) {
                return Err(format!("two groups are named \"{}\"", g.name));
            }
            check_range(&format!("consumers in {}", g.name), g.consumers.len() as u64, 0, CONSUMERS_MAX as u64)?;
            for (j, c) in g.consumers.iter().enumerate() {
                check_name("consumer", c)?;
                if g.consumers[..j].contains(c) {
                    return Err(format!("two consumers of {} are named \"{c}\"", g.name));
                }
            }
            if let CommitMode::Auto { every_ms } = g.commit {
                check_range("auto-commit interval (ms)", every_ms, 1, DURATION_MS_MAX)?;
            }
        }
        check_range("horizon (ms)", self.horizon_ms, 1, HORIZON_MS_MAX)?;
        let min_sample = self.horizon_ms.div_ceil(SAMPLES_MAX).max(1);
        check_range("sample interval (ms)", self.sample_every_ms, min_sample, HORIZON_MS_MAX)?;
        // The work of the run without actions: actions only add to it (`StreamSim::new` checks all).
        super::budget::estimate_work(self, &[]).check()
    }

    /// Index of the group with this name.
    pub fn group_index(&self, name: &str) -> Result<usize, String> {
        self.groups.iter().position(|g| g.name == name).ok_or_else(|| format!("there is no group named \"{name}\""))
    }

    /// Checks timed actions against this configuration: known groups and consumers, a consumer added
    /// once while it is in the group, sane factors, bounded bursts, in time order.
    pub fn validate_actions(&self, actions: &[TimedStreamAction]) -> Result<(), String> {
        if actions.len() > limits::ACTIONS_MAX {
            return Err(format!("too many actions: {} (the limit is {})", actions.len(), limits::ACTIONS_MAX));
        }
        // Per group: every consumer ever known, and those in the group now.
        let mut known: Vec<Vec<String>> = self.groups.iter().map(|g| g.consumers.clone()).collect();
        let mut inside = known.clone();
        let mut burst_total = 0u64;
        let mut last = 0;
        for (i, (at, action)) in actions.iter().enumerate() {
            let place = |e: String| format!("action {} ({}): {e}", i + 1, action.describe());
            if *at < last {
                return Err(place("happens before the action preceding it".into()));
            }
            last = *at;
            check_range("action time (ms)", *at, 0, self.horizon_ms).map_err(place)?;
            let member = |group: &str, name: &str, known: &[Vec<String>]| -> Result<usize, String> {
                let g = self.group_index(group)?;
                if known[g].iter().any(|c| c == name) {
                    Ok(g)
                } else {
                    Err(format!("{group} has no consumer named \"{name}\""))
                }
            };
            match action {
                StreamAction::AddConsumer { group, name } => {
                    let g = self.group_index(group).map_err(place)?;
                    check_name("consumer", name).map_err(place)?;
                    if inside[g].contains(name) {
                        return Err(place(format!("{name} is already in {group}")));
                    }
                    if !known[g].contains(name) {
                        if known[g].len() >= limits::CONSUMERS_MAX {
                            return Err(place(format!("{group} already has {} consumers", limits::CONSUMERS_MAX)));
                        }
                        known[g].push(name.clone());
                    }
                    inside[g].push(name.clone());
                }
                StreamAction::RemoveConsumer { group, name } => {
                    let g = member(group, name, &known).map_err(place)?;
                    inside[g].retain(|c| c != name);
                }
                StreamAction::CrashConsumer { group, name } | StreamAction::RestartConsumer { group, name } => {
                    member(group, name, &known).map_err(place)?;
                }
                StreamAction::SlowConsumer { group, name, factor_pct } => {
                    member(group, name, &known).map_err(place)?;
                    let (lo, hi) = (limits::SLOW_PCT_MIN, limits::SLOW_PCT_MAX);
                    check_range("slowdown (percent)", u64::from(*factor_pct), u64::from(lo), u64::from(hi))
                        .map_err(place)?;
                }
                StreamAction::Burst { count } => {
                    check_range("burst size", u64::from(*count), 1, u64::from(limits::BURST_MAX)).map_err(place)?;
                    burst_total += u64::from(*count);
                    if burst_total + u64::from(self.records) > u64::from(limits::RECORDS_MAX) {
                        return Err(place(format!("more than {} records in all", limits::RECORDS_MAX)));
                    }
                }
            }
        }
        Ok(())
    }
}
