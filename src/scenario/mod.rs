//! A scenario is data: `{version, lab, seed, config, actions: [[time, action], ...]}`, the whole session
//! and not only its starting point. Replaying it gives the same state and numbers on every machine.

mod lab;
mod link;
mod presets;
mod session;

pub use crate::labs::{LabId, LabRun, LabSetup, LabVisitor, Report, lab_run};
pub use lab::{Finished, Lab, LabPreset, Registered, Stepped, run_sim};
pub use link::{
    FileError, LINK_DECODED_MAX, LINK_ENCODED_MAX, LinkError, SCENARIO_FILE_MAX, TooBigForLink, decode_link,
    decode_saved, encode_link, fits_link, is_link_fragment, link_lab, link_moment, scenario_file, scenario_from_file,
    scenario_from_json, share_fragment,
};
pub use presets::{Preset, lab_presets, preset, presets};
pub use session::{Edit, Edited, LabSession, Session};

use crate::limits::ACTIONS_MAX;
use serde::{Deserialize, Serialize};

/// The scenario schema this build writes. Older versions are migrated on load (see `link::migrate`).
pub const SCENARIO_VERSION: u32 = 1;

/// Virtual time of an action, in milliseconds since the start of the session.
pub type ActionTime = u64;

/// A whole shareable session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scenario {
    pub version: u32,
    pub seed: u64,
    #[serde(flatten)]
    pub setup: LabSetup,
}

#[cfg(feature = "lab-hashing")]
impl Default for Scenario {
    /// The scenario the page opens with: four servers placed by hash, then a fifth joins.
    fn default() -> Self {
        preset("add-fifth-server").expect("the default preset exists").scenario
    }
}

impl Scenario {
    /// A scenario of lab `L` with no actions yet.
    pub fn new<L: Registered>(seed: u64, config: L::Config) -> Self {
        Self { version: SCENARIO_VERSION, seed, setup: L::wrap(config, Vec::new()) }
    }

    /// A hashing scenario with no actions yet.
    #[cfg(feature = "lab-hashing")]
    pub fn hashing(seed: u64, config: crate::sim::hashing::HashingConfig) -> Self {
        Self::new::<crate::sim::hashing::Hashing>(seed, config)
    }

    /// Which lab this scenario is for.
    pub fn lab(&self) -> LabId {
        self.setup.lab()
    }

    /// The configuration and actions, when this is a scenario of lab `L`.
    #[allow(clippy::type_complexity)]
    pub fn setup<L: Registered>(&self) -> Option<(&L::Config, &[(ActionTime, L::Action)])> {
        L::setup_of(&self.setup)
    }

    /// Number of recorded actions.
    pub fn action_count(&self) -> usize {
        struct Count<'a>(&'a Scenario);
        impl LabVisitor for Count<'_> {
            type Out = usize;
            fn visit<L: Registered>(self) -> usize {
                self.0.setup::<L>().map_or(0, |(_, a)| a.len())
            }
        }
        self.lab().visit(Count(self))
    }

    /// A run of this scenario at its start (nothing simulated yet), after checking the configuration and
    /// every action; `None` when the scenario is not of lab `L`. The message says what to change, and
    /// where in the scenario.
    pub fn start<L: Registered>(&self) -> Option<Result<L::Sim, String>> {
        let (config, actions) = self.setup::<L>()?;
        Some(start_checked::<L>(self.seed, config, actions))
    }

    /// Checks the scenario without running it: the configuration and every action against the limits
    /// (and, in the hashing lab, that each change applies).
    pub fn check(&self) -> Result<(), String> {
        struct Check<'a>(&'a Scenario);
        impl LabVisitor for Check<'_> {
            type Out = Result<(), String>;
            fn visit<L: Registered>(self) -> Result<(), String> {
                self.0.start::<L>().expect("the scenario's own lab").map(|_| ())
            }
        }
        self.lab().visit(Check(self))
    }

    /// Replays the scenario to its end.
    pub fn run(&self) -> Result<LabRun, String> {
        self.run_until(None)
    }

    /// Replays the scenario up to virtual time `until_us` (µs; to its end with `None`).
    pub fn run_until(&self, until_us: Option<u64>) -> Result<LabRun, String> {
        struct Run<'a>(&'a Scenario, Option<u64>);
        impl LabVisitor for Run<'_> {
            type Out = Result<LabRun, String>;
            fn visit<L: Registered>(self) -> Result<LabRun, String> {
                let mut sim = self.0.start::<L>().expect("the scenario's own lab")?;
                run_sim::<L>(&mut sim, self.1);
                Ok(lab_run(Finished::<L>::of(sim)))
            }
        }
        self.lab().visit(Run(self, until_us))
    }

    /// Records an action of lab `L`: a timed lab's at virtual time `at_ms` (clamped to the horizon),
    /// after any action recorded for the same or an earlier time; an instantaneous lab's 1 ms after the
    /// last one. Returns its index in the list (0 when the scenario is not of lab `L`).
    pub fn push<L: Registered>(&mut self, at_ms: ActionTime, action: L::Action) -> usize {
        let Some((config, actions)) = L::setup_of_mut(&mut self.setup) else { return 0 };
        let at_ms = at_ms.min(L::horizon_ms(config));
        insert::<L>(actions, at_ms, action)
    }
}

/// Inserts an action: a timed lab's at `at_ms`, after any action at the same or an earlier time; an
/// instantaneous lab's 1 ms after the last one. Returns its index.
fn insert<L: Lab>(actions: &mut Vec<(ActionTime, L::Action)>, at_ms: ActionTime, action: L::Action) -> usize {
    if L::TIMED {
        let i = actions.partition_point(|(t, _)| *t <= at_ms);
        actions.insert(i, (at_ms, action));
        i
    } else {
        let at = actions.last().map_or(0, |(t, _)| t + 1);
        actions.push((at, action));
        actions.len() - 1
    }
}

/// `L::start` behind the checks every lab shares: the number of actions, their order (instantaneous
/// labs), and the place of a refusal in the scenario.
fn start_checked<L: Lab>(seed: u64, config: &L::Config, actions: &[(ActionTime, L::Action)]) -> Result<L::Sim, String> {
    if actions.len() > ACTIONS_MAX {
        return Err(format!("too many actions: {} (the limit is {ACTIONS_MAX})", actions.len()));
    }
    if let Some(i) = actions.windows(2).position(|w| w[1].0 < w[0].0).filter(|_| !L::TIMED) {
        return Err(format!("action {} happens before the one preceding it", i + 2));
    }
    L::start(seed, config, actions).map_err(placed)
}

/// A refusal with its place in the scenario: an action's message already names the action; anything
/// else is about the configuration.
fn placed(e: String) -> String {
    if e.starts_with("action") || e.starts_with("too many") { e } else { format!("configuration: {e}") }
}
