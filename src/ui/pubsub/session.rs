//! The publish/subscribe lab's session (its scenario, checked, not yet run) and the
//! edits the page makes to it; `app.rs` only routes them here.

use crate::scenario::{LabId, LabSetup, Scenario};
use crate::sim::pubsub::{PubSubAction, PubSubConfig, limits};
use std::rc::Rc;

/// The lab's session: a scenario whose configuration and actions are valid. The page computes its run
/// in slices (`ui::sliced`), so the largest runs never freeze the tab.
#[derive(Clone, Debug, PartialEq)]
pub struct PubSubSession {
    pub scenario: Rc<Scenario>,
}

/// A change to the session.
#[derive(Clone, Debug, PartialEq)]
pub enum PubSubEdit {
    /// Something done to the running system at virtual time `at_ms`, recorded in the scenario.
    Live { at_ms: u64, action: PubSubAction },
    /// A new starting configuration (the recorded actions stay and must still apply).
    Config(PubSubConfig),
    /// Forget the recorded actions.
    ClearActions,
    /// Remove the last recorded action.
    Undo,
}

impl PubSubSession {
    /// A session for a publish/subscribe scenario that can run.
    pub fn new(scenario: Scenario) -> Result<Self, String> {
        match scenario.pubsub_run() {
            Some(Ok(_)) => Ok(Self { scenario: Rc::new(scenario) }),
            Some(Err(e)) => Err(e),
            None => Err("not a publish/subscribe scenario".into()),
        }
    }

    /// The first preset of the lab.
    pub fn default_session() -> Self {
        let p = crate::scenario::lab_presets(LabId::Pubsub).into_iter().next().expect("the pub/sub lab has presets");
        Self::new(p.scenario).expect("the pub/sub presets are valid")
    }

    pub fn config(&self) -> &PubSubConfig {
        match &self.scenario.setup {
            LabSetup::Pubsub { config, .. } => config,
            _ => unreachable!("a pub/sub session holds a pub/sub scenario"),
        }
    }

    pub fn actions(&self) -> &[(u64, PubSubAction)] {
        match &self.scenario.setup {
            LabSetup::Pubsub { actions, .. } => actions,
            _ => &[],
        }
    }

    /// The session after an edit, or a sentence saying why it cannot apply (the session is unchanged).
    pub fn edit(&self, edit: PubSubEdit) -> Result<Self, String> {
        let mut scenario = (*self.scenario).clone();
        let LabSetup::Pubsub { config, actions } = &mut scenario.setup else {
            return Err("not a pub/sub session".into());
        };
        match edit {
            PubSubEdit::Live { at_ms, action } => {
                if actions.len() >= limits::ACTIONS_MAX {
                    return Err(format!(
                        "this session has {} recorded actions, the most a scenario keeps. Undo some, or start again from a preset",
                        limits::ACTIONS_MAX
                    ));
                }
                let at_ms = at_ms.min(config.horizon_ms);
                scenario.push_pubsub(at_ms, action);
            }
            PubSubEdit::Config(c) => *config = c,
            PubSubEdit::ClearActions => actions.clear(),
            PubSubEdit::Undo => {
                if actions.pop().is_none() {
                    return Err("nothing to undo".into());
                }
            }
        }
        Self::new(scenario)
    }
}
