//! Every lab's named scenarios, from each lab's core (`Lab::presets`), in the order of the navigation.

use super::{LabId, LabVisitor, Registered, SCENARIO_VERSION, Scenario};

/// A named scenario with a one-line explanation.
#[derive(Clone, Debug)]
pub struct Preset {
    pub name: &'static str,
    pub title: &'static str,
    pub explains: &'static str,
    pub scenario: Scenario,
}

impl Preset {
    /// The lab the preset opens.
    pub fn lab(&self) -> LabId {
        self.scenario.lab()
    }
}

/// The presets of one lab, in the order its page lists them.
pub fn lab_presets(lab: LabId) -> Vec<Preset> {
    struct Presets;
    impl LabVisitor for Presets {
        type Out = Vec<Preset>;
        fn visit<L: Registered>(self) -> Vec<Preset> {
            L::presets()
                .into_iter()
                .map(|p| Preset {
                    name: p.name,
                    title: p.title,
                    explains: p.explains,
                    scenario: Scenario { version: SCENARIO_VERSION, seed: p.seed, setup: L::wrap(p.config, p.actions) },
                })
                .collect()
        }
    }
    lab.visit(Presets)
}

/// All presets, lab by lab in the order of the navigation.
pub fn presets() -> Vec<Preset> {
    LabId::ALL.iter().flat_map(|&lab| lab_presets(lab)).collect()
}

/// The preset with this name.
pub fn preset(name: &str) -> Option<Preset> {
    presets().into_iter().find(|p| p.name == name)
}
