//! The message-queue lab's session: its scenario, checked against the limits. The run itself is not
//! made here (a 100,000-order run takes a while): the page runs it in slices, see `outcome.rs`.

use crate::scenario::{LabId, LabSetup, Scenario};
use crate::sim::queue::{ShopAction, ShopConfig};
use std::rc::Rc;

#[derive(Clone, Debug, PartialEq)]
pub struct QueueSession {
    pub scenario: Rc<Scenario>,
}

impl QueueSession {
    /// A session for a queue scenario whose configuration and actions are valid.
    pub fn new(scenario: Scenario) -> Result<Self, String> {
        match scenario.shop_run() {
            Some(Ok(_)) => Ok(Self { scenario: Rc::new(scenario) }),
            Some(Err(e)) => Err(e),
            None => Err("not a message-queue scenario".into()),
        }
    }

    /// The default queue session: the first queue preset.
    pub fn default_session() -> Self {
        let p = crate::scenario::lab_presets(LabId::Queue).into_iter().next().expect("the queue lab has presets");
        Self::new(p.scenario).expect("the queue presets are valid")
    }

    pub fn config(&self) -> &ShopConfig {
        match &self.scenario.setup {
            LabSetup::Queue { config, .. } => config,
            _ => unreachable!("a queue session holds a queue scenario"),
        }
    }

    pub fn actions(&self) -> &[(u64, ShopAction)] {
        match &self.scenario.setup {
            LabSetup::Queue { actions, .. } => actions,
            _ => &[],
        }
    }
}
