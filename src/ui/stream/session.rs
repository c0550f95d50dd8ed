//! The partitioned-log lab's session: its scenario (checked, not yet run), and the
//! edits the page makes to it (live actions at the playhead's time, a new setup, undo).

use crate::scenario::{LabId, LabSetup, Scenario};
use crate::sim::stream::{StreamAction, StreamConfig, limits};
use std::rc::Rc;

/// The session: a scenario whose configuration and actions are valid. The page computes its run in
/// slices (`ui::sliced`), so a 100,000-record run never freezes the tab.
#[derive(Clone, Debug, PartialEq)]
pub struct StreamSession {
    pub scenario: Rc<Scenario>,
}

/// A change to the session.
#[derive(Clone, Debug, PartialEq)]
pub enum StreamEdit {
    /// Something done to the running system at virtual time `at_ms`, recorded in the scenario.
    Live { at_ms: u64, action: StreamAction },
    /// A new starting configuration (the recorded actions stay if they still apply).
    Config(StreamConfig),
    /// Forget the recorded actions.
    ClearActions,
    /// Remove the last recorded action.
    Undo,
}

impl StreamSession {
    /// A session for a partitioned-log scenario that can run.
    pub fn new(scenario: Scenario) -> Result<Self, String> {
        match scenario.stream_run() {
            Some(Ok(_)) => Ok(Self { scenario: Rc::new(scenario) }),
            Some(Err(e)) => Err(e),
            None => Err("not a partitioned-log scenario".into()),
        }
    }

    /// The default session: the first preset of the lab.
    pub fn default_session() -> Self {
        let p = crate::scenario::lab_presets(LabId::Stream).into_iter().next().expect("the stream lab has presets");
        Self::new(p.scenario).expect("the stream presets are valid")
    }

    pub fn config(&self) -> &StreamConfig {
        match &self.scenario.setup {
            LabSetup::Stream { config, .. } => config,
            _ => unreachable!("a stream session holds a stream scenario"),
        }
    }

    pub fn actions(&self) -> &[(u64, StreamAction)] {
        match &self.scenario.setup {
            LabSetup::Stream { actions, .. } => actions,
            _ => &[],
        }
    }

    /// The session after `edit`; `Ok(None)` when there was nothing to undo.
    pub fn edited(&self, edit: StreamEdit) -> Result<Option<Self>, String> {
        let mut scenario = (*self.scenario).clone();
        let LabSetup::Stream { config, actions } = &mut scenario.setup else {
            return Err("not a stream session".into());
        };
        match edit {
            StreamEdit::Live { at_ms, action } => {
                if actions.len() >= limits::ACTIONS_MAX {
                    return Err(format!(
                        "this session has {} recorded actions, the most a scenario keeps. Undo some, or start again from a preset",
                        limits::ACTIONS_MAX
                    ));
                }
                let at_ms = at_ms.min(config.horizon_ms);
                scenario.push_stream(at_ms, action);
            }
            StreamEdit::Config(c) => *config = c,
            StreamEdit::ClearActions => actions.clear(),
            StreamEdit::Undo => {
                if actions.pop().is_none() {
                    return Ok(None);
                }
            }
        }
        Self::new(scenario).map(Some)
    }
}
