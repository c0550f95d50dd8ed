//! A lab's session and the edits every lab's page makes to it, written once: a live action at a
//! virtual time (or, in an instantaneous lab, after the last one), a new setup, clear, undo, and
//! branching from the past (a live action before recorded ones drops them, once the user agrees; Undo
//! brings them back).

use super::{ActionTime, Registered, Scenario, start_checked};
use crate::limits::ACTIONS_MAX;
use std::rc::Rc;

/// Most earlier states a session keeps for Undo.
pub const UNDO_MAX: usize = 100;

/// A checked scenario (its configuration and actions are within the limits and apply), the states it
/// replaced, and the moment to open it at.
#[derive(Clone, Debug)]
pub struct Session {
    pub scenario: Rc<Scenario>,
    /// Earlier states of this session, oldest first: Undo goes back to the last one.
    history: Rc<Vec<Rc<Scenario>>>,
    /// The virtual moment (µs) the page opens the run at (a link's `t=`), if any.
    pub open_at_us: Option<u64>,
}

impl PartialEq for Session {
    /// Sessions are compared by identity of their scenario (pages re-render on a new one).
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.scenario, &other.scenario)
            && self.history.len() == other.history.len()
            && self.open_at_us == other.open_at_us
    }
}

/// A change to a lab's session.
pub enum Edit<L: Registered> {
    /// Something done to the running system at virtual time `at_ms` (an instantaneous lab records it
    /// after the last action). In a timed lab, an action before recorded ones asks first: see `Edited`.
    Live { at_ms: ActionTime, action: L::Action },
    /// A live action at `at_ms` that drops every action recorded after that moment (the user agreed).
    Branch { at_ms: ActionTime, action: L::Action },
    /// A live action at `at_ms` inserted among the recorded ones, which all stay (the user chose so).
    Insert { at_ms: ActionTime, action: L::Action },
    /// A new seed and starting configuration (the recorded actions stay and must still apply).
    Setup { seed: u64, config: L::Config },
    /// Forget the recorded actions.
    ClearActions,
    /// Back to the state before the last edit (or, with no edit to undo, without the last action).
    Undo,
}

impl<L: Registered> Clone for Edit<L> {
    fn clone(&self) -> Self {
        match self {
            Self::Live { at_ms, action } => Self::Live { at_ms: *at_ms, action: action.clone() },
            Self::Branch { at_ms, action } => Self::Branch { at_ms: *at_ms, action: action.clone() },
            Self::Insert { at_ms, action } => Self::Insert { at_ms: *at_ms, action: action.clone() },
            Self::Setup { seed, config } => Self::Setup { seed: *seed, config: config.clone() },
            Self::ClearActions => Self::ClearActions,
            Self::Undo => Self::Undo,
        }
    }
}

impl<L: Registered> Edit<L> {
    /// The same edit, dropping the actions recorded after a live action's moment.
    pub fn branching(self) -> Self {
        match self {
            Self::Live { at_ms, action } => Self::Branch { at_ms, action },
            other => other,
        }
    }

    /// The same edit, keeping the actions recorded after a live action's moment.
    pub fn inserting(self) -> Self {
        match self {
            Self::Live { at_ms, action } => Self::Insert { at_ms, action },
            other => other,
        }
    }
}

/// A session known to be of lab `L`, for the lab's own page: typed access to its setup.
pub struct LabSession<L: Registered> {
    pub session: Session,
    pub scenario: Rc<Scenario>,
    lab: std::marker::PhantomData<L>,
}

impl<L: Registered> LabSession<L> {
    /// The typed view of `session`, or `None` when it is of another lab.
    pub fn new(session: Session) -> Option<Self> {
        session.scenario.setup::<L>()?;
        Some(Self { scenario: session.scenario.clone(), session, lab: std::marker::PhantomData })
    }

    pub fn config(&self) -> &L::Config {
        self.scenario.setup::<L>().expect("checked in new").0
    }

    pub fn actions(&self) -> &[(ActionTime, L::Action)] {
        self.scenario.setup::<L>().expect("checked in new").1
    }

    pub fn seed(&self) -> u64 {
        self.scenario.seed
    }
}

impl<L: Registered> Clone for LabSession<L> {
    fn clone(&self) -> Self {
        Self { session: self.session.clone(), scenario: self.scenario.clone(), lab: std::marker::PhantomData }
    }
}

impl<L: Registered> PartialEq for LabSession<L> {
    fn eq(&self, other: &Self) -> bool {
        self.session == other.session
    }
}

impl<L: Registered> std::fmt::Debug for LabSession<L> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.session.fmt(f)
    }
}

/// What an edit did.
#[derive(Clone, Debug, PartialEq)]
pub enum Edited {
    Changed(Session),
    NothingToUndo,
    /// A live action at an earlier moment than `later` recorded actions: the user chooses between
    /// dropping them (`Edit::Branch`, a new branch from that moment) and keeping them (`Edit::Insert`).
    WouldDrop {
        later: usize,
    },
}

impl Session {
    /// A session for a scenario that checks.
    pub fn new(scenario: Scenario) -> Result<Self, String> {
        scenario.check()?;
        Ok(Self { scenario: Rc::new(scenario), history: Rc::new(Vec::new()), open_at_us: None })
    }

    /// The same session, opening at virtual time `t_us`.
    pub fn at(mut self, t_us: Option<u64>) -> Self {
        self.open_at_us = t_us;
        self
    }

    /// The first preset of `lab`. Not checked again here: every preset is checked by the tests
    /// (`tests/lab_contract.rs`), and this is what a page opens first, before anything is shown.
    pub fn default_of(lab: super::LabId) -> Self {
        let p = super::lab_presets(lab).into_iter().next().expect("every lab has presets");
        Self { scenario: Rc::new(p.scenario), history: Rc::new(Vec::new()), open_at_us: None }
    }

    /// The configuration, when this is a session of lab `L`.
    pub fn config<L: Registered>(&self) -> Option<&L::Config> {
        self.scenario.setup::<L>().map(|(c, _)| c)
    }

    /// The recorded actions (empty when this is not a session of lab `L`).
    pub fn actions<L: Registered>(&self) -> &[(ActionTime, L::Action)] {
        self.scenario.setup::<L>().map_or(&[], |(_, a)| a)
    }

    /// The session after `edit`, or a sentence saying why it cannot apply (the session is unchanged).
    pub fn edit<L: Registered>(&self, edit: Edit<L>) -> Result<Edited, String> {
        // Undoing is not itself undone: it only goes back.
        let keep_history = !matches!(edit, Edit::Undo);
        let recorded = match &edit {
            Edit::Live { action, .. } | Edit::Branch { action, .. } | Edit::Insert { action, .. } => {
                Some(action.clone())
            }
            _ => None,
        };
        let mut scenario = (*self.scenario).clone();
        let seed = &mut scenario.seed;
        let (config, actions) = L::setup_of_mut(&mut scenario.setup).ok_or("this session is of another lab")?;
        let record = |actions: &Vec<(ActionTime, L::Action)>| {
            if actions.len() >= ACTIONS_MAX {
                Err(format!(
                    "this session has {ACTIONS_MAX} recorded actions, the most a scenario keeps. Undo some, or start again from a preset"
                ))
            } else {
                Ok(())
            }
        };
        match edit {
            Edit::Live { at_ms, action } => {
                let at_ms = at_ms.min(L::horizon_ms(config));
                let later = if L::TIMED { actions.iter().filter(|(t, _)| *t > at_ms).count() } else { 0 };
                if later > 0 {
                    return Ok(Edited::WouldDrop { later });
                }
                record(actions)?;
                super::insert::<L>(actions, at_ms, action);
            }
            Edit::Branch { at_ms, action } => {
                let at_ms = at_ms.min(L::horizon_ms(config));
                actions.retain(|(t, _)| *t <= at_ms);
                record(actions)?;
                super::insert::<L>(actions, at_ms, action);
            }
            Edit::Insert { at_ms, action } => {
                let at_ms = at_ms.min(L::horizon_ms(config));
                record(actions)?;
                super::insert::<L>(actions, at_ms, action);
            }
            Edit::Setup { seed: s, config: c } => {
                *config = c;
                *seed = s;
            }
            Edit::ClearActions => actions.clear(),
            Edit::Undo => {
                if let Some(previous) = self.history.last() {
                    let mut history = (*self.history).clone();
                    history.pop();
                    return Ok(Edited::Changed(Self {
                        scenario: previous.clone(),
                        history: Rc::new(history),
                        open_at_us: None,
                    }));
                }
                if actions.pop().is_none() {
                    return Ok(Edited::NothingToUndo);
                }
            }
        }
        let (config, actions) = scenario.setup::<L>().expect("edited in place");
        start_checked::<L>(scenario.seed, config, actions).map_err(|e| match recorded {
            // The user knows which action they just took: say only why it cannot apply.
            Some(action) => {
                let place = actions.iter().position(|(_, a)| *a == action).map(|i| format!("action {} (", i + 1));
                match (place, e.split_once("): ")) {
                    (Some(p), Some((head, why))) if e.starts_with(&p) && head.len() > p.len() => why.to_string(),
                    _ => e,
                }
            }
            None => e,
        })?;
        let mut history = (*self.history).clone();
        if keep_history {
            history.push(self.scenario.clone());
        }
        if history.len() > UNDO_MAX {
            history.remove(0);
        }
        Ok(Edited::Changed(Self { scenario: Rc::new(scenario), history: Rc::new(history), open_at_us: None }))
    }

    /// The session after every one of `edits` in order, as one step that one undo takes back; or the
    /// first refusal's sentence, with the session unchanged: a form applies all its fields or none.
    pub fn edit_all<L: Registered>(&self, edits: Vec<Edit<L>>) -> Result<Edited, String> {
        let mut now = self.clone();
        for e in edits {
            match now.edit::<L>(e)? {
                Edited::Changed(next) => now = next,
                Edited::NothingToUndo => {}
                would_drop @ Edited::WouldDrop { .. } => return Ok(would_drop),
            }
        }
        let mut history = (*self.history).clone();
        if !Rc::ptr_eq(&now.scenario, &self.scenario) {
            history.push(self.scenario.clone());
            if history.len() > UNDO_MAX {
                history.remove(0);
            }
        }
        Ok(Edited::Changed(Self { scenario: now.scenario, history: Rc::new(history), open_at_us: None }))
    }
}
