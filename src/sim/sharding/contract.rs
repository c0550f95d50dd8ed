//! The sharding and replication lab behind the lab contract (`scenario::Lab`).

use super::lab::{ShardAction, ShardLabConfig, ShardLabReport, ShardLabSim};
use super::lab_presets::sharding_presets;
use super::repl_invariants::check_all;
use crate::scenario::{ActionTime, Lab, LabPreset};

/// The sharding & replication lab: a query router over sharded tables, each shard a replicated group.
pub struct Sharding;

impl Lab for Sharding {
    const TITLE: &'static str = "Sharding & replication";
    const SUMMARY: &'static str = "The notes' users table split into shards by a shard key, behind a query router. Route \
        queries to one shard or all, reshard and count what moves, kill a primary and watch its \
        replicas elect another, and count the acknowledged writes asynchronous replication loses \
        while a quorum loses none.";
    const INTRO: &'static str = "<h1>Sharding and replication</h1><p>The users table is split into <strong>shards</strong> by a \
        <strong>shard key</strong>; the application talks only to a <strong>query router</strong>, \
        which sends each query to the shards that can hold its rows: one shard when the query pins the \
        key, every shard (scatter-gather) when it does not. Each shard is a <strong>primary</strong> \
        with replicas: kill a primary and the replicas elect a new one; under asynchronous replication \
        the writes it had acknowledged but not shipped are lost.</p>";
    const TIMED: bool = true;
    type Config = ShardLabConfig;
    type Action = ShardAction;
    type Sim = ShardLabSim;
    type Report = ShardLabReport;

    fn presets() -> Vec<LabPreset<Self>> {
        sharding_presets()
    }
    fn describe(action: &ShardAction) -> String {
        action.describe()
    }
    fn horizon_ms(config: &ShardLabConfig) -> ActionTime {
        config.repl.horizon_ms
    }
    fn start(seed: u64, config: &ShardLabConfig, actions: &[(ActionTime, ShardAction)]) -> Result<ShardLabSim, String> {
        ShardLabSim::new(seed, config, actions)
    }
    fn report(sim: &ShardLabSim) -> ShardLabReport {
        sim.report()
    }
    fn violations(sim: &ShardLabSim, _: &ShardLabReport) -> Vec<String> {
        check_all(sim.repl())
    }
    fn fingerprint(_: &ShardLabSim, report: &ShardLabReport) -> Vec<u8> {
        report.fingerprint()
    }
}
