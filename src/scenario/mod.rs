//! A scenario is data: `{version, lab, seed, config, actions: [[time, action], ...]}`, the whole session
//! and not only its starting point. Replaying it gives the same state and numbers on every machine.

mod link;
mod presets;

pub use link::{LINK_DECODED_MAX, LINK_ENCODED_MAX, LinkError, decode_link, encode_link, scenario_from_json};
pub use presets::{Preset, lab_presets, preset, presets};

use crate::sim::hash::digest;
use crate::sim::hashing::{HashingAction, HashingConfig, HashingLab, HashingReport, limits};
use crate::sim::pubsub::{PubSubAction, PubSubConfig, PubSubReport, PubSubSim};
use crate::sim::queue::{ShopAction, ShopConfig, ShopReport, ShopSim, check_all};
use crate::sim::stream::{StreamAction, StreamConfig, StreamReport, StreamSim};
use serde::{Deserialize, Serialize};

/// The scenario schema this build writes. Older versions are migrated on load (see `link::migrate`).
pub const SCENARIO_VERSION: u32 = 1;

/// Virtual time of an action, in milliseconds since the start of the session.
pub type ActionTime = u64;

/// A lab, its starting configuration and the actions recorded on it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "lab", rename_all = "snake_case")]
pub enum LabSetup {
    /// Modulo vs consistent hashing.
    Hashing { config: HashingConfig, actions: Vec<(ActionTime, HashingAction)> },
    /// The message queue: the pizza shop. Actions (kill, restart or slow a shop, crash or restart the
    /// broker) happen at their virtual time; the run stops when every order is settled or at
    /// `config.horizon_ms`.
    Queue { config: ShopConfig, actions: Vec<(ActionTime, QueueAction)> },
    /// The partitioned log (Kafka's model): partitions, consumer groups, rebalances, commits. Actions
    /// (a consumer joins, leaves, crashes, restarts or slows down; a burst of records) happen at their
    /// virtual time; the run stops when every group has committed every record or at the horizon.
    Stream { config: StreamConfig, actions: Vec<(ActionTime, StreamAction)> },
    /// Publish/subscribe: services subscribe to topic patterns, a broker fans events out; actions
    /// (publish, subscribe, stop a service, crash the broker or the event-bus process) at virtual ms.
    Pubsub { config: PubSubConfig, actions: Vec<(ActionTime, PubSubAction)> },
}

/// What a user does to the running pizza shop, at a virtual time in ms.
pub type QueueAction = ShopAction;

/// A whole shareable session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scenario {
    pub version: u32,
    pub seed: u64,
    #[serde(flatten)]
    pub setup: LabSetup,
}

/// The labs that exist, for navigation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LabId {
    Hashing,
    Queue,
    Stream,
    Pubsub,
}

/// The replayed state of a scenario's lab.
#[derive(Clone, Debug)]
pub enum LabRun {
    Hashing(HashingLab),
    /// The shop run to its end: the report and any invariant that failed.
    Queue(Box<QueueRun>),
    /// The partitioned-log run to its end: the report and any invariant that failed.
    Stream(Box<StreamRun>),
    /// The publish/subscribe run to its end.
    Pubsub(Box<PubSubRun>),
}

/// A finished publish/subscribe run.
#[derive(Clone, Debug)]
pub struct PubSubRun {
    pub report: PubSubReport,
    pub violations: Vec<String>,
}

/// A finished partitioned-log run.
#[derive(Clone, Debug)]
pub struct StreamRun {
    pub report: StreamReport,
    pub violations: Vec<String>,
}

/// A finished pizza-shop run.
#[derive(Clone, Debug)]
pub struct QueueRun {
    pub report: ShopReport,
    pub violations: Vec<String>,
}

/// A lab's report, printed as JSON by the command line.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "lab", rename_all = "snake_case")]
#[allow(clippy::large_enum_variant)] // the hashing report stays unboxed: its pattern is public API
pub enum Report {
    Hashing(HashingReport),
    Queue(Box<ShopReport>),
    Stream(Box<StreamReport>),
    Pubsub(Box<PubSubReport>),
}

impl Default for Scenario {
    /// The scenario the page opens with: four servers placed by hash, then a fifth joins.
    fn default() -> Self {
        preset("add-fifth-server").expect("the default preset exists").scenario
    }
}

impl LabId {
    /// Every lab, in the order of the navigation.
    pub const ALL: [LabId; 4] = [LabId::Hashing, LabId::Queue, LabId::Stream, LabId::Pubsub];

    /// A short stable name (for storage keys and test ids).
    pub fn key(self) -> &'static str {
        match self {
            LabId::Hashing => "hashing",
            LabId::Queue => "queue",
            LabId::Stream => "stream",
            LabId::Pubsub => "pubsub",
        }
    }
}

impl Scenario {
    /// A hashing scenario with no actions yet.
    pub fn hashing(seed: u64, config: HashingConfig) -> Self {
        Self { version: SCENARIO_VERSION, seed, setup: LabSetup::Hashing { config, actions: Vec::new() } }
    }

    /// A queue scenario with no actions yet.
    pub fn queue(seed: u64, config: ShopConfig) -> Self {
        Self { version: SCENARIO_VERSION, seed, setup: LabSetup::Queue { config, actions: Vec::new() } }
    }

    /// A partitioned-log scenario with no actions yet.
    pub fn stream(seed: u64, config: StreamConfig) -> Self {
        Self { version: SCENARIO_VERSION, seed, setup: LabSetup::Stream { config, actions: Vec::new() } }
    }

    /// A publish/subscribe scenario with no actions yet.
    pub fn pubsub(seed: u64, config: PubSubConfig) -> Self {
        Self { version: SCENARIO_VERSION, seed, setup: LabSetup::Pubsub { config, actions: Vec::new() } }
    }

    /// Which lab this scenario is for.
    pub fn lab(&self) -> LabId {
        match self.setup {
            LabSetup::Hashing { .. } => LabId::Hashing,
            LabSetup::Queue { .. } => LabId::Queue,
            LabSetup::Stream { .. } => LabId::Stream,
            LabSetup::Pubsub { .. } => LabId::Pubsub,
        }
    }

    /// Number of recorded actions.
    pub fn action_count(&self) -> usize {
        match &self.setup {
            LabSetup::Hashing { actions, .. } => actions.len(),
            LabSetup::Queue { actions, .. } => actions.len(),
            LabSetup::Stream { actions, .. } => actions.len(),
            LabSetup::Pubsub { actions, .. } => actions.len(),
        }
    }

    /// Checks the scenario without necessarily running it to the end: a hashing scenario is replayed
    /// (cheap), a queue scenario's configuration and actions are checked against the limits.
    pub fn check(&self) -> Result<(), String> {
        match &self.setup {
            LabSetup::Hashing { .. } => self.run().map(|_| ()),
            LabSetup::Queue { config, actions } => self.shop_sim(config, actions).map(|_| ()),
            LabSetup::Stream { config, actions } => self.stream_sim(config, actions).map(|_| ()),
            LabSetup::Pubsub { config, actions } => self.pubsub_sim(config, actions).map(|_| ()),
        }
    }

    fn stream_sim(&self, config: &StreamConfig, actions: &[(ActionTime, StreamAction)]) -> Result<StreamSim, String> {
        StreamSim::new(self.seed, config, actions).map_err(placed)
    }

    /// A fresh, not yet started run of a partitioned-log scenario (the page animates it step by step).
    pub fn stream_run(&self) -> Option<Result<StreamSim, String>> {
        match &self.setup {
            LabSetup::Stream { config, actions } => Some(self.stream_sim(config, actions)),
            _ => None,
        }
    }

    fn pubsub_sim(&self, config: &PubSubConfig, actions: &[(ActionTime, PubSubAction)]) -> Result<PubSubSim, String> {
        PubSubSim::new(self.seed, config, actions).map_err(placed)
    }

    /// A fresh, not yet started run of a publish/subscribe scenario (the page animates it step by step).
    pub fn pubsub_run(&self) -> Option<Result<PubSubSim, String>> {
        match &self.setup {
            LabSetup::Pubsub { config, actions } => Some(self.pubsub_sim(config, actions)),
            _ => None,
        }
    }

    fn shop_sim(&self, config: &ShopConfig, actions: &[(ActionTime, QueueAction)]) -> Result<ShopSim, String> {
        ShopSim::new(self.seed, config, actions).map_err(placed)
    }

    /// A fresh, not yet started shop run of a queue scenario (the page animates it step by step).
    pub fn shop_run(&self) -> Option<Result<ShopSim, String>> {
        match &self.setup {
            LabSetup::Queue { config, actions } => Some(self.shop_sim(config, actions)),
            _ => None,
        }
    }

    /// Replays the scenario; the first configuration or action that cannot apply is reported with its
    /// place in the scenario.
    pub fn run(&self) -> Result<LabRun, String> {
        if self.action_count() > limits::ACTIONS_MAX.min(crate::sim::queue::limits::ACTIONS_MAX) {
            return Err(format!("too many actions: {} (the limit is {})", self.action_count(), limits::ACTIONS_MAX));
        }
        match &self.setup {
            LabSetup::Hashing { config, actions } => {
                crate::sim::hashing::check_replay(self.seed, config, actions.iter().map(|(_, a)| a))?;
                let mut lab = HashingLab::new(self.seed, config).map_err(|e| format!("configuration: {e}"))?;
                let mut last = 0;
                for (i, (at, action)) in actions.iter().enumerate() {
                    if *at < last {
                        return Err(format!("action {} happens before the one preceding it", i + 1));
                    }
                    last = *at;
                    lab.apply(action).map_err(|e| format!("action {} ({}): {e}", i + 1, action.describe()))?;
                }
                Ok(LabRun::Hashing(lab))
            }
            LabSetup::Queue { config, actions } => {
                let mut sim = self.shop_sim(config, actions)?;
                sim.run();
                let violations = check_all(&sim.snapshot());
                Ok(LabRun::Queue(Box::new(QueueRun { report: sim.report(), violations })))
            }
            LabSetup::Stream { config, actions } => {
                let mut sim = self.stream_sim(config, actions)?;
                sim.run();
                let report = sim.report();
                let violations = crate::sim::stream::check_all(&report);
                Ok(LabRun::Stream(Box::new(StreamRun { report, violations })))
            }
            LabSetup::Pubsub { config, actions } => {
                let mut sim = self.pubsub_sim(config, actions)?;
                sim.run();
                let violations = crate::sim::pubsub::check_all(&sim.snapshot());
                Ok(LabRun::Pubsub(Box::new(PubSubRun { report: sim.report(), violations })))
            }
        }
    }

    /// Appends a hashing action at the next step (time = 1 ms after the previous action).
    pub fn push_hashing(&mut self, action: HashingAction) {
        if let LabSetup::Hashing { actions, .. } = &mut self.setup {
            let at = actions.last().map_or(0, |(t, _)| t + 1);
            actions.push((at, action));
        }
    }

    /// Records a queue action at virtual time `at_ms`, after any action recorded for the same or an
    /// earlier time (actions stay in time order). Returns its index in the list.
    pub fn push_queue(&mut self, at_ms: ActionTime, action: QueueAction) -> usize {
        match &mut self.setup {
            LabSetup::Queue { actions, .. } => {
                let i = actions.partition_point(|(t, _)| *t <= at_ms);
                actions.insert(i, (at_ms, action));
                i
            }
            _ => 0,
        }
    }

    /// Records a partitioned-log action at virtual time `at_ms`, after any action recorded for the
    /// same or an earlier time. Returns its index in the list.
    pub fn push_stream(&mut self, at_ms: ActionTime, action: StreamAction) -> usize {
        match &mut self.setup {
            LabSetup::Stream { actions, .. } => {
                let i = actions.partition_point(|(t, _)| *t <= at_ms);
                actions.insert(i, (at_ms, action));
                i
            }
            _ => 0,
        }
    }

    /// Records a publish/subscribe action at virtual time `at_ms`, after any action recorded for the
    /// same or an earlier time. Returns its index in the list.
    pub fn push_pubsub(&mut self, at_ms: ActionTime, action: PubSubAction) -> usize {
        match &mut self.setup {
            LabSetup::Pubsub { actions, .. } => {
                let i = actions.partition_point(|(t, _)| *t <= at_ms);
                actions.insert(i, (at_ms, action));
                i
            }
            _ => 0,
        }
    }
}

/// A timed lab's refusal with its place in the scenario: an action's message already names the action;
/// anything else is about the configuration.
fn placed(e: String) -> String {
    if e.starts_with("action") || e.starts_with("too many") { e } else { format!("configuration: {e}") }
}

impl LabRun {
    /// The lab's report.
    pub fn report(&self) -> Report {
        match self {
            LabRun::Hashing(lab) => Report::Hashing(lab.report()),
            LabRun::Queue(run) => Report::Queue(Box::new(run.report.clone())),
            LabRun::Stream(run) => Report::Stream(Box::new(run.report.clone())),
            LabRun::Pubsub(run) => Report::Pubsub(Box::new(run.report.clone())),
        }
    }

    /// A fingerprint of the run's numbers (see each lab's `fingerprint`): the same scenario gives the
    /// same digest natively and in wasm, and adding fields to a report does not change it.
    pub fn digest(&self) -> u64 {
        match self {
            LabRun::Hashing(lab) => digest(&lab.fingerprint()),
            LabRun::Queue(run) => digest(&run.report.fingerprint()),
            LabRun::Stream(run) => digest(&run.report.fingerprint()),
            LabRun::Pubsub(run) => digest(&run.report.fingerprint()),
        }
    }
}
