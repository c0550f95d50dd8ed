//! The partitioned-log lab's session: its scenario and the outcome of running it to the end, and the
//! edits the page makes to it (live actions at the playhead's time, a new setup, undo).

use crate::scenario::{LabId, LabRun, LabSetup, Scenario};
use crate::sim::stream::{StreamAction, StreamConfig, StreamReport, limits};
use std::rc::Rc;

/// The session: the scenario and its replayed outcome.
#[derive(Clone, Debug, PartialEq)]
pub struct StreamSession {
    pub scenario: Rc<Scenario>,
    pub report: Rc<StreamReport>,
    pub violations: Rc<Vec<String>>,
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
    /// Replays a partitioned-log scenario to its end.
    pub fn new(scenario: Scenario) -> Result<Self, String> {
        match scenario.run()? {
            LabRun::Stream(run) => Ok(Self {
                scenario: Rc::new(scenario),
                report: Rc::new(run.report),
                violations: Rc::new(run.violations),
            }),
            _ => Err("not a partitioned-log scenario".into()),
        }
    }

    /// The default session: the first preset of the lab.
    pub fn default_session() -> Self {
        let p = crate::scenario::lab_presets(LabId::Stream).into_iter().next().expect("the stream lab has presets");
        Self::new(p.scenario).expect("the stream presets replay")
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
