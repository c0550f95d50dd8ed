//! The app's one reducer: every lab's session, the lab shown, and what the shell shows. Every change of
//! state goes through `AppState::reduce`; nothing here knows which labs exist (see `crate::labs`).

use super::form::sentence as capitalize;
use super::persist;
use crate::scenario::{
    Edit, Edited, LabId, LabVisitor, Registered, Scenario, Session, decode_link, encode_link, link_moment, preset,
};
use std::cell::Cell;
use std::rc::Rc;
use yew::prelude::*;

/// What the main area shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    Lab(LabId),
    About,
}

/// A message for the user; errors stay until dismissed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub error: bool,
    pub text: String,
    /// Offer to go back to the session that was autosaved before this page load replaced it.
    pub offer_restore: bool,
}

impl Notice {
    pub fn info(text: impl Into<String>) -> Self {
        Self { error: false, text: text.into(), offer_restore: false }
    }
    pub fn error(text: impl Into<String>) -> Self {
        Self { error: true, text: text.into(), offer_restore: false }
    }
}

/// Where a lab page reports the virtual moment it shows (µs), read when the user presses Share.
#[derive(Clone, Debug, Default)]
pub struct Playhead(Rc<Cell<Option<u64>>>);

impl Playhead {
    pub fn set(&self, t_us: Option<u64>) {
        self.0.set(t_us);
    }
    pub fn get(&self) -> Option<u64> {
        self.0.get()
    }
}

impl PartialEq for Playhead {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// What to do with the actions recorded after a live action's moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Later {
    /// Ask the user when there are any.
    Ask,
    /// Drop them: a new branch from that moment.
    Drop,
    /// Keep them, inserting the action among them.
    Keep,
}

/// An edit of some lab's session, typed inside (see `AppAction::edit`).
pub type EditFn = Rc<dyn Fn(&Session, Later) -> Result<Edited, String>>;

/// A live action taken before recorded ones, waiting for the user to agree to drop them.
#[derive(Clone)]
pub struct PendingBranch {
    pub lab: LabId,
    /// Recorded actions it would drop.
    pub later: usize,
    apply: EditFn,
}

impl PartialEq for PendingBranch {
    fn eq(&self, other: &Self) -> bool {
        self.lab == other.lab && self.later == other.later && Rc::ptr_eq(&self.apply, &other.apply)
    }
}

/// The whole UI state.
#[derive(Clone)]
pub struct AppState {
    /// One session per lab, in the order of `LabId::ALL`.
    pub sessions: Vec<Session>,
    /// One playhead per lab, in the same order.
    pub playheads: Vec<Playhead>,
    /// The lab whose session is shared and autosaved (the last one shown).
    pub current: LabId,
    pub view: View,
    pub notice: Option<Notice>,
    pub share_link: Option<String>,
    /// The autosaved session found at start-up, when the page opened something else.
    pub previous_session: Option<Scenario>,
    pub active_preset: Option<String>,
    pub pending: Option<PendingBranch>,
}

/// Every user intent.
pub enum AppAction {
    /// An edit of a lab's session (built by `AppAction::edit`).
    Edit(LabId, EditFn),
    /// Record the pending live action, dropping or keeping the later ones.
    Resolve(Later),
    CancelBranch,
    Preset(String),
    /// Open a scenario in its lab, at a virtual moment (µs) if given.
    Load(Box<Scenario>, Option<Notice>, Option<u64>),
    RestorePrevious,
    /// Undo in the lab shown.
    Undo,
    Share,
    Notice(Notice),
    DismissNotice,
    Show(View),
}

impl AppAction {
    /// An edit of lab `L`'s session.
    pub fn edit<L: Registered>(edit: Edit<L>) -> Self {
        AppAction::Edit(L::ID, edit_fn(edit))
    }

    /// Edits of lab `L`'s session applied together, as one undo step, or none of them (a form's fields).
    pub fn edits<L: Registered>(edits: Vec<Edit<L>>) -> Self {
        AppAction::Edit(L::ID, Rc::new(move |session: &Session, _later: Later| session.edit_all::<L>(edits.clone())))
    }
}

fn edit_fn<L: Registered>(edit: Edit<L>) -> EditFn {
    Rc::new(move |session: &Session, later: Later| {
        let e = match later {
            Later::Ask => edit.clone(),
            Later::Drop => edit.clone().branching(),
            Later::Keep => edit.clone().inserting(),
        };
        session.edit::<L>(e)
    })
}

fn slot(lab: LabId) -> usize {
    LabId::ALL.iter().position(|&l| l == lab).expect("every lab is registered")
}

impl AppState {
    /// Every lab at its first preset, showing `lab`.
    fn defaults(lab: LabId) -> Self {
        Self {
            sessions: LabId::ALL.iter().map(|&l| Session::default_of(l)).collect(),
            playheads: LabId::ALL.iter().map(|_| Playhead::default()).collect(),
            current: lab,
            view: View::Lab(lab),
            notice: None,
            share_link: None,
            previous_session: None,
            active_preset: None,
            pending: None,
        }
    }

    /// The session of `lab`.
    pub fn session(&self, lab: LabId) -> &Session {
        &self.sessions[slot(lab)]
    }

    /// The playhead of `lab`.
    pub fn playhead(&self, lab: LabId) -> &Playhead {
        &self.playheads[slot(lab)]
    }

    /// The session of the current lab: what Share copies and the autosave keeps.
    pub fn current_scenario(&self) -> Scenario {
        (*self.session(self.current).scenario).clone()
    }

    /// The state at page load: every lab's autosaved session, then a share link in the fragment or else
    /// the lab shown last.
    pub fn initial() -> Self {
        let decode = |f: Option<String>| f.and_then(|f| decode_link(&f).ok());
        let saved: Vec<Scenario> =
            LabId::ALL.iter().filter_map(|lab| decode(persist::load_lab_autosave(lab.key()))).collect();
        let last = decode(persist::load_autosave());
        let mut state = Self::defaults(LabId::ALL[0]);
        for s in saved.iter().filter(|s| last.as_ref().is_none_or(|l| l.lab() != s.lab())) {
            state = state.open(s.clone(), None, None, None);
        }
        let from_link = persist::fragment().filter(|f| crate::scenario::is_link_fragment(f));
        match (from_link, last.clone()) {
            (Some(fragment), _) => {
                persist::clear_fragment();
                // What the link replaces in its lab: the session saved for that lab, or the last one shown.
                let opened = match decode_link(&fragment) {
                    Ok(s) => {
                        let before = saved.iter().chain(last.iter()).find(|p| p.lab() == s.lab()).cloned();
                        let at = link_moment(&fragment);
                        state = state.open(s.clone(), Some(Notice::info("Opened a shared scenario.")), None, at);
                        before.filter(|b| *b != s)
                    }
                    Err(e) => {
                        let instead = if last.is_some() { "your last session" } else { "the default scenario" };
                        if let Some(l) = last {
                            state = state.open(l, None, None, None);
                        }
                        state.notice = Some(Notice::error(format!("{e} Showing {instead} instead.")));
                        None
                    }
                };
                if let Some(previous) = opened {
                    if let Some(n) = state.notice.as_mut() {
                        n.offer_restore = true;
                    }
                    state.previous_session = Some(previous);
                }
            }
            (None, Some(l)) => state = state.open(l, None, None, None),
            (None, None) => {}
        }
        state
    }

    /// Opens `scenario` in its lab (at virtual time `at_us`, if given), keeping every other lab's
    /// session. A scenario that cannot open leaves its lab's session as it was and says why.
    fn open(&self, scenario: Scenario, notice: Option<Notice>, view: Option<View>, at_us: Option<u64>) -> Self {
        let lab = scenario.lab();
        let mut s = self.clone();
        s.notice = notice;
        match Session::new(scenario) {
            Ok(session) => s.sessions[slot(lab)] = session.at(at_us),
            Err(e) => {
                s.notice = Some(Notice::error(format!(
                    "{}. Showing the {} lab's previous session instead.",
                    capitalize(&e).trim_end_matches('.'),
                    lab.title()
                )))
            }
        }
        s.current = lab;
        s.view = view.unwrap_or(View::Lab(lab));
        s.active_preset = None;
        s.share_link = None;
        s.pending = None;
        s
    }

    fn with_notice(&self, notice: Option<Notice>) -> Self {
        let mut s = self.clone();
        s.notice = notice;
        s
    }

    /// Applies an edit to `lab`'s session.
    fn apply_edit(&self, lab: LabId, apply: &EditFn, later: Later) -> Self {
        match apply(self.session(lab), later) {
            Ok(Edited::Changed(session)) => {
                let mut s = self.with_notice(None);
                s.sessions[slot(lab)] = session;
                s.current = lab;
                s.active_preset = None;
                s.share_link = None;
                s.pending = None;
                s
            }
            Ok(Edited::NothingToUndo) => self.with_notice(Some(Notice::info("Nothing to undo."))),
            Ok(Edited::WouldDrop { later }) => {
                let mut s = self.with_notice(None);
                s.pending = Some(PendingBranch { lab, later, apply: apply.clone() });
                s
            }
            Err(e) => self.with_notice(Some(Notice::error(capitalize(&e)))),
        }
    }
}

/// Undo, for whichever lab is current.
fn undo_fn(lab: LabId) -> EditFn {
    struct Undo;
    impl LabVisitor for Undo {
        type Out = EditFn;
        fn visit<L: Registered>(self) -> EditFn {
            edit_fn::<L>(Edit::Undo)
        }
    }
    lab.visit(Undo)
}

/// The moment of a share link, `&t=SECONDS`, written with at most three decimals.
fn moment_param(t_us: u64) -> String {
    let s = format!("{:.3}", t_us as f64 / 1e6);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    format!("&t={s}")
}

impl Reducible for AppState {
    type Action = AppAction;

    fn reduce(self: Rc<Self>, action: AppAction) -> Rc<Self> {
        let state = match action {
            AppAction::Edit(lab, apply) => self.apply_edit(lab, &apply, Later::Ask),
            AppAction::Resolve(later) => match self.pending.clone() {
                Some(p) => self.apply_edit(p.lab, &p.apply, later),
                None => self.with_notice(None),
            },
            AppAction::CancelBranch => {
                let mut s = self.with_notice(None);
                s.pending = None;
                s
            }
            AppAction::Preset(name) => match preset(&name) {
                Some(p) => {
                    let mut s = self.open(p.scenario, Some(Notice::info(p.explains)), None, None);
                    s.active_preset = Some(name);
                    s
                }
                None => self.with_notice(Some(Notice::error(format!("There is no preset named {name}.")))),
            },
            AppAction::Load(scenario, notice, at_us) => {
                let scenario = *scenario;
                let view = (self.view == View::About && scenario.lab() == self.current).then_some(View::About);
                // What the scenario replaces in its lab can be brought back, as when a fresh tab opens a link.
                let before = (*self.session(scenario.lab()).scenario).clone();
                let mut s = self.open(scenario.clone(), notice, view, at_us);
                let opened = *s.session(scenario.lab()).scenario == scenario;
                if opened && before != scenario {
                    if let Some(n) = s.notice.as_mut() {
                        n.offer_restore = true;
                    }
                    s.previous_session = Some(before);
                }
                s
            }
            AppAction::RestorePrevious => match self.previous_session.clone() {
                Some(previous) => {
                    let mut s = self.open(previous, Some(Notice::info("Restored your previous session.")), None, None);
                    s.previous_session = None;
                    s
                }
                None => self.with_notice(None),
            },
            AppAction::Undo => self.apply_edit(self.current, &undo_fn(self.current), Later::Ask),
            AppAction::Share => {
                let lab = self.current;
                let moment = if lab.timed() { self.playhead(lab).get().filter(|&t| t > 0) } else { None };
                let fragment = encode_link(&self.current_scenario()) + &moment.map(moment_param).unwrap_or_default();
                let url = persist::page_url(&fragment);
                persist::set_fragment(&fragment);
                persist::copy(&url);
                let text = match moment {
                    Some(t) => format!(
                        "Link copied. Whoever opens it sees this exact session, at t = {:.1} s.",
                        t as f64 / 1e6
                    ),
                    None => "Link copied. Whoever opens it sees this exact session: same setup, same changes.".into(),
                };
                let mut s = self.with_notice(Some(Notice::info(text)));
                s.share_link = Some(url);
                s
            }
            AppAction::Notice(n) => self.with_notice(Some(n)),
            AppAction::DismissNotice => self.with_notice(None),
            AppAction::Show(view) => {
                let mut s = (*self).clone();
                s.view = view;
                if let View::Lab(lab) = view {
                    s.current = lab;
                }
                s
            }
        };
        Rc::new(state)
    }
}
