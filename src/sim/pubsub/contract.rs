//! The publish/subscribe lab behind the lab contract (`scenario::Lab`).

use super::{PubSubAction, PubSubConfig, PubSubReport, PubSubSim, check_all, pubsub_presets};
use crate::scenario::{ActionTime, Lab, LabPreset};

/// The publish/subscribe lab: a broker's fan-out next to the notes' in-process event bus.
pub struct PubSub;

impl Lab for PubSub {
    const TITLE: &'static str = "Publish/subscribe";
    const SUMMARY: &'static str = "A broker fans events out to every subscription whose pattern matches the topic (exact, \
        prefix or RabbitMQ wildcards). Stop a service and compare a durable subscription, whose \
        queue waits for it, with an ephemeral one, which misses what is published meanwhile; crash \
        the broker on disk or in memory; and see what the notes' in-process event bus loses when \
        its one process dies.";
    const INTRO: &'static str = "<h1>Publish/subscribe: one event, many services</h1><p>The order service \
        <strong>publishes</strong> events on topics such as <code>order_created</code>; the \
        <strong>broker</strong> puts each one in every queue with a binding whose pattern matches \
        (exact, prefix, or RabbitMQ wildcards: * is one word, # zero or more), once per queue however \
        many of its bindings match. A service's <strong>durable</strong> subscriptions are the bindings \
        of its one queue at the broker, which catches up after a restart; its \
        <strong>ephemeral</strong> ones bind a queue that is pushed events only while the service is up \
        and misses the rest. Beside it runs the notes' in-process event bus, fed the same events.</p>";
    const TIMED: bool = true;
    type Config = PubSubConfig;
    type Action = PubSubAction;
    type Sim = PubSubSim;
    type Report = PubSubReport;

    fn presets() -> Vec<LabPreset<Self>> {
        pubsub_presets()
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
    fn describe(action: &PubSubAction) -> String {
        action.describe()
    }
    fn horizon_ms(config: &PubSubConfig) -> ActionTime {
        config.horizon_ms
    }
    fn start(seed: u64, config: &PubSubConfig, actions: &[(ActionTime, PubSubAction)]) -> Result<PubSubSim, String> {
        PubSubSim::new(seed, config, actions)
    }
    fn report(sim: &PubSubSim) -> PubSubReport {
        sim.report()
    }
    fn violations(sim: &PubSubSim, _: &PubSubReport) -> Vec<String> {
        check_all(&sim.snapshot())
    }
    fn fingerprint(_: &PubSubSim, report: &PubSubReport) -> Vec<u8> {
        report.fingerprint()
    }
}
