//! The data side of the sharding lab's configuration, as one serde value a lab `Config` can hold: the
//! tables, the shard setup, the latency model and the skew workload, checked together.

use super::budget;
use super::data::DataConfig;
use super::partition::ShardingConfig;
use super::router::LatencyModel;
use super::skew::Workload;
use serde::{Deserialize, Serialize};

/// Largest cost in the latency model, ns (one second).
pub const LATENCY_NS_MAX: u64 = 1_000_000_000;

/// Everything the data side of the lab starts from (the seed is the scenario's).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ShardDataConfig {
    pub data: DataConfig,
    pub sharding: ShardingConfig,
    #[serde(default)]
    pub latency: LatencyModel,
    #[serde(default)]
    pub workload: Workload,
}

impl ShardDataConfig {
    /// The notes' ten million users over ten shards by id range.
    pub fn notes_10m() -> Self {
        Self {
            data: DataConfig::notes_10m(),
            sharding: ShardingConfig::new(super::ShardKey::IdRange, 10),
            ..Self::default()
        }
    }

    /// Refuses anything outside the limits, or whose heaviest computation is over the work budget, with a
    /// sentence saying which setting to change.
    pub fn validate(&self) -> Result<(), String> {
        self.data.validate()?;
        self.sharding.validate()?;
        self.workload.validate()?;
        let l = &self.latency;
        for (what, v) in [
            ("the router's time (ns)", l.router_ns),
            ("the round trip (ns)", l.round_trip_ns),
            ("an index seek (ns)", l.seek_ns),
            ("reading a row (ns)", l.scan_ns_per_row),
            ("sending a row (ns)", l.transfer_ns_per_row),
            ("merging a row (ns)", l.merge_ns_per_row),
        ] {
            crate::sim::check_range(what, v, 0, LATENCY_NS_MAX)?;
        }
        budget::check(&self.data, &self.sharding, &self.workload)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_json_and_checks_limits() {
        let c = ShardDataConfig::notes_10m();
        c.validate().unwrap();
        let back: ShardDataConfig = serde_json::from_str(&serde_json::to_string(&c).unwrap()).unwrap();
        assert_eq!(back, c);
        let mut bad = c.clone();
        bad.latency.round_trip_ns = LATENCY_NS_MAX + 1;
        assert!(bad.validate().unwrap_err().contains("round trip"));
        let mut bad = c;
        bad.sharding.shards = 0;
        assert!(bad.validate().unwrap_err().contains("shards"));
    }
}
