//! The partitioned-log lab behind the lab contract (`scenario::Lab`).

use super::{StreamAction, StreamConfig, StreamReport, StreamSim, check_all, stream_presets};
use crate::scenario::{ActionTime, Lab, LabPreset};

/// The partitioned-log lab: Kafka's model.
pub struct PartitionedLog;

impl Lab for PartitionedLog {
    const TITLE: &'static str = "Partitioned log";
    const SUMMARY: &'static str = "Kafka's model. Records go to partitions by key, consumer groups read them at their own \
        committed offsets; add, remove or crash a consumer and watch the group pause to rebalance, \
        the lag grow and drain, and what committing before or after the work costs on a crash \
        (lost records against duplicates).";
    const INTRO: &'static str = "<h1>Partitioned log: consumer groups and offsets</h1><p>Producers append records to a topic of \
        <strong>partitions</strong>; a record's key (the customer) decides its partition (Kafka's \
        murmur2), so one customer's records stay in order. Each <strong>consumer group</strong> reads \
        every partition at its own <strong>committed offset</strong>; a join, leave or crash makes the \
        group <strong>rebalance</strong>, and everyone stops while partitions are reassigned.</p>";
    const TIMED: bool = true;
    type Config = StreamConfig;
    type Action = StreamAction;
    type Sim = StreamSim;
    type Report = StreamReport;

    fn presets() -> Vec<LabPreset<Self>> {
        stream_presets()
            .into_iter()
            .map(|p| LabPreset {
                name: p.name,
                title: p.title,
                explains: p.explains,
                seed: p.seed,
                config: p.config,
                actions: p.actions,
            })
            .collect()
    }
    fn describe(action: &StreamAction) -> String {
        action.describe()
    }
    fn horizon_ms(config: &StreamConfig) -> ActionTime {
        config.horizon_ms
    }
    fn start(seed: u64, config: &StreamConfig, actions: &[(ActionTime, StreamAction)]) -> Result<StreamSim, String> {
        StreamSim::new(seed, config, actions)
    }
    fn report(sim: &StreamSim) -> StreamReport {
        sim.report()
    }
    fn violations(_: &StreamSim, report: &StreamReport) -> Vec<String> {
        check_all(report)
    }
    fn fingerprint(_: &StreamSim, report: &StreamReport) -> Vec<u8> {
        report.fingerprint()
    }
}
