//! The caching lab's setup: the cache's size, the requests it serves (generated from a seed, or a trace
//! the user pasted), the eviction policies compared, and the one whose contents the page shows beside
//! Belady's optimum. Everything here is integers (Zipf's exponent in thousandths), so a setup compares
//! exactly and a link carries it exactly.

use super::cdn::CdnConfig;
use super::consistency::ConsistencyConfig;
use super::placement::PlacementConfig;
use super::policy::PolicyKind;
use super::workload::{self, Workload};
use crate::scenario::ActionTime;
use crate::sim::budget::{WorkEstimate, thousands};
use serde::{Deserialize, Serialize};

/// Limits on a session of the lab (the core's own limits, in `cache::limits`, are for the command line).
pub mod limits {
    /// Most requests a session replays: a million requests through every policy is a few seconds in a
    /// browser, computed in slices.
    pub const REQUESTS_MAX: u64 = 1_000_000;
    /// Most requests of a pasted or uploaded trace: the trace travels in the session's link and its
    /// autosave, whose storage holds a few megabytes. A longer trace: `sysplay cache --trace FILE`.
    pub const TRACE_MAX: usize = 200_000;
    /// Largest cache, in keys: every policy keeps a copy at each checkpoint of the timeline.
    pub const CAPACITY_MAX: u32 = 100_000;
    /// Most keys a generated workload draws from.
    pub const KEYS_MAX: u64 = 1_000_000;
    /// The largest Zipf exponent, in thousandths.
    pub const S_MILLI_MAX: u32 = 5_000;
}

/// The requests the cache serves, one a virtual second, in order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", try_from = "WorkloadWire")]
pub enum WorkloadSpec {
    /// The notes' 1, 2, 3, 4, 1, 2, … : with a cache of 3, LRU never hits.
    Notes { requests: u64 },
    /// 1, 2, …, keys, 1, 2, …
    Loop { keys: u64, requests: u64 },
    /// Each request a key drawn uniformly from 1..=keys.
    Uniform { keys: u64, requests: u64 },
    /// Zipf(s) over 1..=keys, s in thousandths: key k requested with probability ∝ 1/k^s.
    Zipf { keys: u64, s_milli: u32, requests: u64 },
    /// The Zipf workload with a scan of `scan_length` new keys after every `scan_every` requests.
    ZipfWithScans { keys: u64, s_milli: u32, requests: u64, scan_every: u64, scan_length: u64 },
    /// 1, 2, 3, …: every request a new key.
    Scan { requests: u64 },
    /// Keys the user pasted or uploaded, in order.
    Trace { keys: Vec<u64> },
}

/// A workload as a scenario writes it: its kind and the fields that kind uses, read flat. The derived
/// reader of a tagged enum makes a buffered pass per variant, 15 KB of every caching page; this one
/// reads the same JSON, refusing a missing field, a field the kind does not use, and an unknown kind.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WorkloadWire {
    kind: String,
    /// A count of keys, or a trace's keys.
    keys: Option<serde_json::Value>,
    requests: Option<u64>,
    s_milli: Option<u32>,
    scan_every: Option<u64>,
    scan_length: Option<u64>,
}

impl TryFrom<WorkloadWire> for WorkloadSpec {
    type Error = String;

    fn try_from(w: WorkloadWire) -> Result<Self, String> {
        const KINDS: &str = "notes, loop, uniform, zipf, zipf_with_scans, scan, trace";
        let uses: &[&str] = match w.kind.as_str() {
            "notes" | "scan" => &["requests"],
            "loop" | "uniform" => &["keys", "requests"],
            "zipf" => &["keys", "s_milli", "requests"],
            "zipf_with_scans" => &["keys", "s_milli", "requests", "scan_every", "scan_length"],
            "trace" => &["keys"],
            other => return Err(format!("unknown workload kind `{other}`, expected one of {KINDS}")),
        };
        let present = [
            ("keys", w.keys.is_some()),
            ("requests", w.requests.is_some()),
            ("s_milli", w.s_milli.is_some()),
            ("scan_every", w.scan_every.is_some()),
            ("scan_length", w.scan_length.is_some()),
        ];
        if let Some((field, _)) = present.iter().find(|(f, here)| *here && !uses.contains(f)) {
            return Err(format!("a {} workload has no field `{field}`", w.kind));
        }
        let missing = |f: &str| format!("missing field `{f}` of a {} workload", w.kind);
        let need = |v: Option<u64>, f: &str| v.ok_or_else(|| missing(f));
        let keys = || -> Result<u64, String> {
            w.keys
                .as_ref()
                .ok_or_else(|| missing("keys"))?
                .as_u64()
                .ok_or_else(|| "`keys` must be a whole number".into())
        };
        let s_milli = || w.s_milli.ok_or_else(|| missing("s_milli"));
        Ok(match w.kind.as_str() {
            "notes" => Self::Notes { requests: need(w.requests, "requests")? },
            "scan" => Self::Scan { requests: need(w.requests, "requests")? },
            "loop" => Self::Loop { keys: keys()?, requests: need(w.requests, "requests")? },
            "uniform" => Self::Uniform { keys: keys()?, requests: need(w.requests, "requests")? },
            "zipf" => Self::Zipf { keys: keys()?, s_milli: s_milli()?, requests: need(w.requests, "requests")? },
            "zipf_with_scans" => Self::ZipfWithScans {
                keys: keys()?,
                s_milli: s_milli()?,
                requests: need(w.requests, "requests")?,
                scan_every: need(w.scan_every, "scan_every")?,
                scan_length: need(w.scan_length, "scan_length")?,
            },
            _ => {
                let list = w.keys.as_ref().and_then(serde_json::Value::as_array).ok_or_else(|| missing("keys"))?;
                let keys = list.iter().map(serde_json::Value::as_u64).collect::<Option<Vec<u64>>>();
                Self::Trace { keys: keys.ok_or("a trace's keys are whole numbers")? }
            }
        })
    }
}

impl WorkloadSpec {
    /// The generated workload this describes (`None` for a pasted trace).
    pub fn workload(&self) -> Option<Workload> {
        let s = |m: u32| f64::from(m) / 1000.0;
        Some(match *self {
            Self::Notes { requests } => Workload::notes_example(requests),
            Self::Loop { keys, requests } => Workload::Loop { keys, requests },
            Self::Uniform { keys, requests } => Workload::Uniform { keys, requests },
            Self::Zipf { keys, s_milli, requests } => Workload::Zipf { keys, s: s(s_milli), requests },
            Self::ZipfWithScans { keys, s_milli, requests, scan_every, scan_length } => {
                Workload::ZipfWithScans { keys, s: s(s_milli), requests, scan_every, scan_length }
            }
            Self::Scan { requests } => Workload::Scan { requests },
            Self::Trace { .. } => return None,
        })
    }

    /// Requests in the workload.
    pub fn requests(&self) -> u64 {
        match self {
            Self::Notes { requests }
            | Self::Loop { requests, .. }
            | Self::Uniform { requests, .. }
            | Self::Zipf { requests, .. }
            | Self::ZipfWithScans { requests, .. }
            | Self::Scan { requests } => *requests,
            Self::Trace { keys } => keys.len() as u64,
        }
    }

    /// The most distinct keys the requests can hold (a cache larger than this holds them all).
    pub fn key_space(&self) -> u64 {
        match self {
            Self::Notes { .. } => 4,
            Self::Loop { keys, .. } | Self::Uniform { keys, .. } | Self::Zipf { keys, .. } => *keys,
            Self::ZipfWithScans { keys, requests, scan_every, scan_length, .. } => {
                keys.saturating_add(requests / scan_every.max(&1) * scan_length)
            }
            Self::Scan { requests } => *requests,
            Self::Trace { keys } => keys.len() as u64,
        }
        .min(self.requests())
    }

    /// The keys requested, in order.
    pub fn generate(&self, seed: u64) -> Result<Vec<u64>, String> {
        self.validate()?;
        match (self, self.workload()) {
            (Self::Trace { keys }, _) => Ok(keys.clone()),
            (_, Some(w)) => w.generate(seed),
            (_, None) => unreachable!("only a trace has no generated workload"),
        }
    }

    /// Refuses what is outside the lab's limits, with a sentence saying what to change.
    pub fn validate(&self) -> Result<(), String> {
        if let Self::Trace { keys } = self {
            if keys.is_empty() {
                return Err("the trace holds no request: paste at least one key, one a line".into());
            }
            if keys.len() > limits::TRACE_MAX {
                return Err(format!(
                    "a trace here holds at most {} requests (this one has {}); replay longer traces with \
                     `sysplay cache --trace FILE`",
                    thousands(limits::TRACE_MAX as u64),
                    thousands(keys.len() as u64)
                ));
            }
            return Ok(());
        }
        let requests = self.requests();
        if requests == 0 || requests > limits::REQUESTS_MAX {
            return Err(format!(
                "the requests must be from 1 to {} (got {})",
                thousands(limits::REQUESTS_MAX),
                thousands(requests)
            ));
        }
        match *self {
            Self::Loop { keys, .. }
            | Self::Uniform { keys, .. }
            | Self::Zipf { keys, .. }
            | Self::ZipfWithScans { keys, .. }
                if keys == 0 || keys > limits::KEYS_MAX =>
            {
                return Err(format!(
                    "the keys must be from 1 to {} (got {})",
                    thousands(limits::KEYS_MAX),
                    thousands(keys)
                ));
            }
            Self::Zipf { s_milli, .. } | Self::ZipfWithScans { s_milli, .. } if s_milli > limits::S_MILLI_MAX => {
                return Err(format!(
                    "Zipf's exponent s must be from 0 to {} (got {})",
                    f64::from(limits::S_MILLI_MAX) / 1000.0,
                    f64::from(s_milli) / 1000.0
                ));
            }
            _ => {}
        }
        self.workload().map_or(Ok(()), |w| w.validate())
    }

    /// What the requests are, in a few words.
    pub fn describe(&self) -> String {
        let n = |v: u64| thousands(v);
        let s = |m: u32| format!("{}", f64::from(m) / 1000.0);
        match self {
            Self::Notes { requests } => format!("the notes' 1, 2, 3, 4, 1, 2, … ({} requests)", n(*requests)),
            Self::Loop { keys, requests } => format!("a loop over {} keys ({} requests)", n(*keys), n(*requests)),
            Self::Uniform { keys, requests } => format!("{} requests uniform over {} keys", n(*requests), n(*keys)),
            Self::Zipf { keys, s_milli, requests } => {
                format!("{} requests, Zipf s = {} over {} keys", n(*requests), s(*s_milli), n(*keys))
            }
            Self::ZipfWithScans { keys, s_milli, requests, scan_every, scan_length } => format!(
                "{} requests, Zipf s = {} over {} keys, a scan of {} new keys every {}",
                n(*requests),
                s(*s_milli),
                n(*keys),
                n(*scan_length),
                n(*scan_every)
            ),
            Self::Scan { requests } => format!("a scan: {} requests, every one a new key", n(*requests)),
            Self::Trace { keys } => format!("a trace of {} requests", n(keys.len() as u64)),
        }
    }

    /// The keys of a pasted trace, or why they cannot be read.
    pub fn parse_trace(text: &str) -> Result<Self, String> {
        let keys = workload::parse_trace(text)?;
        let spec = Self::Trace { keys };
        spec.validate()?;
        Ok(spec)
    }
}

/// True when `t` is its type's default: a link leaves out the parts at their defaults (the notes'
/// scenarios), so it stays short.
fn is_default<T: Default + PartialEq>(t: &T) -> bool {
    *t == T::default()
}

/// The lab's setup.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CacheLabConfig {
    /// The cache's size, in keys (every policy gets the same).
    pub capacity: u32,
    pub workload: WorkloadSpec,
    /// The policies compared on the same requests, in the page's order; Belady's optimum is always beside.
    pub policies: Vec<PolicyKind>,
    /// The policy whose contents the page shows, request by request, beside the optimum's.
    pub watched: PolicyKind,
    /// Where caches sit on the notes' 220 ms path (the placement card).
    #[serde(default, skip_serializing_if = "is_default")]
    pub placement: PlacementConfig,
    /// TTL refresh, write policies, the stale race and the balances (the consistency card).
    #[serde(default, skip_serializing_if = "is_default")]
    pub consistency: ConsistencyConfig,
    /// Edges per region before an origin in India, and the edge rate limiter (the CDN card).
    #[serde(default, skip_serializing_if = "is_default")]
    pub cdn: CdnConfig,
}

impl Default for CacheLabConfig {
    /// The notes' example: 1, 2, 3, 4, 1, 2, … with a cache of 3.
    fn default() -> Self {
        Self {
            capacity: 3,
            workload: WorkloadSpec::Notes { requests: 12 },
            policies: PolicyKind::ALL.to_vec(),
            watched: PolicyKind::Lru,
            placement: PlacementConfig::default(),
            consistency: ConsistencyConfig::default(),
            cdn: CdnConfig::default(),
        }
    }
}

impl CacheLabConfig {
    /// Refuses a setup outside the limits, with a sentence saying what to change.
    pub fn validate(&self) -> Result<(), String> {
        if self.capacity == 0 || self.capacity > limits::CAPACITY_MAX {
            return Err(format!(
                "the cache holds from 1 to {} keys (got {})",
                thousands(u64::from(limits::CAPACITY_MAX)),
                thousands(u64::from(self.capacity))
            ));
        }
        if self.policies.is_empty() {
            return Err("compare at least one eviction policy".into());
        }
        let mut seen = self.policies.clone();
        seen.sort();
        seen.dedup();
        if seen.len() != self.policies.len() {
            return Err("each policy is compared once: the list names one twice".into());
        }
        if !self.policies.contains(&self.watched) {
            return Err(format!("the policy watched ({}) must be one of those compared", self.watched));
        }
        self.workload.validate()?;
        self.placement.validate().map_err(|e| format!("placement: {e}"))?;
        self.consistency.validate()?;
        self.cdn.validate().map_err(|e| format!("the CDN: {e}"))
    }
}

/// What the user does to the running cache, at the moment they pick.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum CacheAction {
    /// A request for `key`, made by hand, served after the workload's requests at that moment.
    Request { key: u64 },
    /// The cache restarts empty (a crash or a deploy): every policy, and the optimum, start cold.
    Restart,
}

impl CacheAction {
    /// One line saying what it does.
    pub fn describe(&self) -> String {
        match self {
            Self::Request { key } => format!("request key {key}"),
            Self::Restart => "restart the cache empty".into(),
        }
    }
}

/// An upper bound on a run's work, counting every cache access as an event (an access costs a fraction
/// of one of the timed labs' events): each request through every policy and the optimum, the optimum's
/// pass over the requests to find next uses, and drawing the workload. The lab's limits keep the
/// heaviest run (a million requests, nine policies) at about 11 million, under the budget.
pub fn estimate_work(config: &CacheLabConfig, actions: &[(ActionTime, CacheAction)]) -> WorkEstimate {
    let requests = config.workload.requests().saturating_add(actions.len() as u64);
    let mut w = WorkEstimate::new();
    w.add("lower the requests", requests.saturating_mul(config.policies.len() as u64 + 2));
    w.add("lower the requests", config.workload.requests());
    w
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_workload_reads_back_as_written() {
        let all = [
            WorkloadSpec::Notes { requests: 12 },
            WorkloadSpec::Loop { keys: 4, requests: 40 },
            WorkloadSpec::Uniform { keys: 100, requests: 1_000 },
            WorkloadSpec::Zipf { keys: 1_000, s_milli: 900, requests: 10_000 },
            WorkloadSpec::ZipfWithScans {
                keys: 1_000,
                s_milli: 1_100,
                requests: 10_000,
                scan_every: 2_000,
                scan_length: 500,
            },
            WorkloadSpec::Scan { requests: 50 },
            WorkloadSpec::Trace { keys: vec![1, 2, 1, 3, u64::MAX] },
        ];
        for w in all {
            let json = serde_json::to_value(&w).unwrap();
            assert_eq!(serde_json::from_value::<WorkloadSpec>(json.clone()).unwrap(), w, "{json}");
            assert_eq!(serde_json::from_str::<WorkloadSpec>(&json.to_string()).unwrap(), w, "{json}");
        }
    }

    #[test]
    fn a_workload_missing_a_field_or_with_one_too_many_is_refused() {
        let err = |json: &str| serde_json::from_str::<WorkloadSpec>(json).unwrap_err().to_string();
        assert!(
            err(r#"{"kind":"zipf","keys":10,"requests":5}"#).contains("missing field `s_milli` of a zipf workload")
        );
        assert!(err(r#"{"kind":"notes","requests":5,"keys":3}"#).contains("a notes workload has no field `keys`"));
        assert!(err(r#"{"kind":"belady","requests":5}"#).contains("unknown workload kind `belady`"));
        assert!(err(r#"{"kind":"notes","requests":5,"colour":3}"#).contains("unknown field `colour`"));
        assert!(err(r#"{"kind":"trace","keys":[1,-2]}"#).contains("whole numbers"));
        assert!(err(r#"{"kind":"loop","keys":[1],"requests":5}"#).contains("`keys` must be a whole number"));
        assert!(err(r#"{"requests":5}"#).contains("missing field `kind`"));
    }
}
