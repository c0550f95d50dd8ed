//! The app's one reducer: the scenario being played, its replayed lab and report, and what the shell
//! shows. Every change of state goes through `AppState::reduce`.

use super::form::sentence as capitalize;
use super::pubsub::{PubSubEdit, PubSubSession};
use super::stream::{StreamEdit, StreamSession};
use super::{hashing, persist};
use crate::scenario::{LabId, LabRun, LabSetup, Scenario, decode_link, encode_link, preset};
use crate::sim::hashing::cache::CacheAffinity;
use crate::sim::hashing::{HashingAction, HashingLab, HashingReport, limits};
use crate::sim::queue::{ShopAction, ShopConfig};
use std::rc::Rc;
use yew::prelude::*;

/// What the main area shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    Hashing,
    Queue,
    About,
    Stream,
    Pubsub,
}

impl View {
    fn of(lab: LabId) -> Self {
        match lab {
            LabId::Hashing => View::Hashing,
            LabId::Queue => View::Queue,
            LabId::Stream => View::Stream,
            LabId::Pubsub => View::Pubsub,
        }
    }
}

pub use super::queue::QueueSession;

/// A change to the message-queue lab's session.
#[derive(Clone, Debug, PartialEq)]
pub enum QueueEdit {
    /// Something done to the running shop at virtual time `at_ms`, recorded in the scenario.
    Live { at_ms: u64, action: ShopAction },
    /// A new starting configuration and seed (the recorded actions stay).
    Setup { config: ShopConfig, seed: u64 },
    /// Forget the recorded actions.
    ClearActions,
    /// Remove the last recorded action.
    Undo,
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

/// The whole UI state.
pub struct AppState {
    /// The hashing lab's session.
    pub scenario: Scenario,
    /// The message-queue lab's session.
    pub queue: QueueSession,
    /// The partitioned-log lab's session.
    pub stream: StreamSession,
    /// The publish/subscribe lab's session.
    pub pubsub: PubSubSession,
    /// The lab whose session is shared and autosaved (the last one shown).
    pub current: LabId,
    pub lab: HashingLab,
    pub report: Rc<HashingReport>,
    pub cache: Rc<Option<CacheAffinity>>,
    /// The lab shared with components that compute from it in steps, and its generation (a digest of the
    /// scenario: it changes whenever the lab does).
    pub lab_ref: hashing::LabRef,
    pub drawing: Rc<hashing::RingDrawing>,
    pub notice: Option<Notice>,
    pub view: View,
    pub share_link: Option<String>,
    /// The autosaved session found at start-up, when the page opened something else.
    pub previous_session: Option<Scenario>,
    pub active_preset: Option<String>,
}

/// Every user intent.
pub enum AppAction {
    Hashing(HashingAction),
    Queue(QueueEdit),
    Stream(StreamEdit),
    Pubsub(PubSubEdit),
    Preset(String),
    Load(Scenario, Option<Notice>),
    RestorePrevious,
    SetSeed(u64),
    Undo,
    Share,
    Notice(Notice),
    DismissNotice,
    Show(View),
}

fn replay(scenario: &Scenario) -> Result<HashingLab, String> {
    match scenario.run()? {
        LabRun::Hashing(lab) => Ok(lab),
        _ => Err("not a hashing scenario".into()),
    }
}

impl AppState {
    /// A state showing `scenario` in its lab; the other labs start from their defaults. A scenario that
    /// cannot open gives its lab's default session and a notice saying why.
    fn with_scenario(scenario: Scenario, notice: Option<Notice>) -> Self {
        let lab = scenario.lab();
        if lab == LabId::Hashing {
            return Self::with_hashing(scenario, notice);
        }
        fn or_default<S>(opened: Result<S, String>, default: fn() -> S, notice: &mut Option<Notice>) -> S {
            opened.unwrap_or_else(|e| {
                *notice =
                    Some(Notice::error(format!("{}. Showing the default scenario instead.", capitalize_bare(&e))));
                default()
            })
        }
        let mut notice = notice;
        let mut s = Self::with_hashing(Scenario::default(), None);
        match lab {
            LabId::Queue => {
                s.queue = or_default(QueueSession::new(scenario), QueueSession::default_session, &mut notice)
            }
            LabId::Stream => {
                s.stream = or_default(StreamSession::new(scenario), StreamSession::default_session, &mut notice)
            }
            LabId::Pubsub => {
                s.pubsub = or_default(PubSubSession::new(scenario), PubSubSession::default_session, &mut notice)
            }
            LabId::Hashing => unreachable!("handled above"),
        }
        s.notice = notice;
        s.current = lab;
        s.view = View::of(lab);
        s
    }

    fn with_hashing(scenario: Scenario, notice: Option<Notice>) -> Self {
        let (scenario, lab, notice) = match replay(&scenario) {
            Ok(lab) => (scenario, lab, notice),
            Err(e) => {
                let fallback = Scenario::default();
                let lab = replay(&fallback).expect("the default scenario replays");
                (fallback, lab, Some(Notice::error(format!("{e}. Showing the default scenario instead."))))
            }
        };
        let report = Rc::new(lab.report());
        Self {
            cache: Rc::new(lab.cache_affinity()),
            lab_ref: hashing::LabRef::new(&lab),
            drawing: Rc::new(hashing::ring_sample(&lab)),
            scenario,
            queue: QueueSession::default_session(),
            stream: StreamSession::default_session(),
            pubsub: PubSubSession::default_session(),
            current: LabId::Hashing,
            lab,
            report,
            notice,
            view: View::Hashing,
            share_link: None,
            previous_session: None,
            active_preset: None,
        }
    }

    /// The state at page load: every lab's autosaved session, then a share link in the fragment or else
    /// the lab shown last.
    pub fn initial() -> Self {
        let decode = |f: Option<String>| f.and_then(|f| decode_link(&f).ok());
        let saved: Vec<Scenario> =
            LabId::ALL.iter().filter_map(|lab| decode(persist::load_lab_autosave(lab.key()))).collect();
        let last = decode(persist::load_autosave());
        let mut state = Self::with_scenario(Scenario::default(), None);
        for s in saved.iter().filter(|s| last.as_ref().is_none_or(|l| l.lab() != s.lab())) {
            state = state.open(s.clone(), None, None);
        }
        let from_link = persist::fragment().filter(|f| f.contains("s="));
        match (from_link, last.clone()) {
            (Some(fragment), _) => {
                persist::clear_fragment();
                // What the link replaces in its lab: the session saved for that lab, or the last one shown.
                let opened = match decode_link(&fragment) {
                    Ok(s) => {
                        let before = saved.iter().chain(last.iter()).find(|p| p.lab() == s.lab()).cloned();
                        state = state.open(s.clone(), Some(Notice::info("Opened a shared scenario.")), None);
                        before.filter(|b| *b != s)
                    }
                    Err(e) => {
                        let instead = if last.is_some() { "your last session" } else { "the default scenario" };
                        if let Some(l) = last {
                            state = state.open(l, None, None);
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
            (None, Some(l)) => state = state.open(l, None, None),
            (None, None) => {}
        }
        state
    }

    fn next(&self, scenario: Scenario, lab: HashingLab, notice: Option<Notice>) -> Self {
        Self {
            report: Rc::new(lab.report()),
            cache: Rc::new(lab.cache_affinity()),
            lab_ref: hashing::LabRef::new(&lab),
            drawing: Rc::new(hashing::ring_sample(&lab)),
            scenario,
            queue: self.queue.clone(),
            stream: self.stream.clone(),
            pubsub: self.pubsub.clone(),
            current: self.current,
            lab,
            notice,
            view: self.view,
            share_link: None,
            previous_session: self.previous_session.clone(),
            active_preset: self.active_preset.clone(),
        }
    }

    fn with_notice(&self, notice: Option<Notice>) -> Self {
        Self {
            scenario: self.scenario.clone(),
            queue: self.queue.clone(),
            stream: self.stream.clone(),
            pubsub: self.pubsub.clone(),
            current: self.current,
            lab: self.lab.clone(),
            report: self.report.clone(),
            cache: self.cache.clone(),
            lab_ref: self.lab_ref.clone(),
            drawing: self.drawing.clone(),
            notice,
            view: self.view,
            share_link: self.share_link.clone(),
            previous_session: self.previous_session.clone(),
            active_preset: self.active_preset.clone(),
        }
    }
}

impl AppState {
    /// The session of the current lab: what Share copies and the autosave keeps.
    pub fn current_scenario(&self) -> Scenario {
        match self.current {
            LabId::Hashing => self.scenario.clone(),
            LabId::Queue => (*self.queue.scenario).clone(),
            LabId::Stream => (*self.stream.scenario).clone(),
            LabId::Pubsub => (*self.pubsub.scenario).clone(),
        }
    }

    /// Opens `scenario` in its lab, keeping the other lab's session as it is.
    fn open(&self, scenario: Scenario, notice: Option<Notice>, view: Option<View>) -> Self {
        let opened = Self::with_scenario(scenario, notice);
        // Every other lab keeps its session.
        let mut s = match opened.current {
            LabId::Hashing => {
                Self { queue: self.queue.clone(), stream: self.stream.clone(), pubsub: self.pubsub.clone(), ..opened }
            }
            lab => {
                let mut keep = self.with_notice(opened.notice.clone());
                match lab {
                    LabId::Queue => keep.queue = opened.queue,
                    LabId::Stream => keep.stream = opened.stream,
                    LabId::Pubsub => keep.pubsub = opened.pubsub,
                    LabId::Hashing => unreachable!("matched above"),
                }
                keep.current = lab;
                keep
            }
        };
        s.view = view.unwrap_or(View::of(s.current));
        s.active_preset = None;
        s.previous_session = self.previous_session.clone();
        s
    }

    fn queue_edit(&self, edit: QueueEdit) -> Self {
        let mut scenario = (*self.queue.scenario).clone();
        let LabSetup::Queue { config, actions } = &mut scenario.setup else { return self.with_notice(None) };
        match edit {
            QueueEdit::Live { at_ms, action } => {
                if actions.len() >= crate::sim::queue::limits::ACTIONS_MAX {
                    return self.with_notice(Some(Notice::error(format!(
                        "This session has {} recorded actions, the most a scenario keeps. Undo some, or start again from a preset.",
                        crate::sim::queue::limits::ACTIONS_MAX
                    ))));
                }
                let at_ms = at_ms.min(config.horizon_ms);
                scenario.push_queue(at_ms, action);
            }
            QueueEdit::Setup { config: c, seed } => {
                *config = c;
                scenario.seed = seed;
            }
            QueueEdit::ClearActions => actions.clear(),
            QueueEdit::Undo => {
                if actions.pop().is_none() {
                    return self.with_notice(Some(Notice::info("Nothing to undo.")));
                }
            }
        }
        match QueueSession::new(scenario) {
            Ok(queue) => {
                let mut s = self.with_notice(None);
                s.queue = queue;
                s.current = LabId::Queue;
                s.active_preset = None;
                s
            }
            Err(e) => self.with_notice(Some(Notice::error(capitalize(&e)))),
        }
    }
}

impl Reducible for AppState {
    type Action = AppAction;

    fn reduce(self: Rc<Self>, action: AppAction) -> Rc<Self> {
        let state = match action {
            AppAction::Hashing(action) => {
                if self.scenario.action_count() >= limits::ACTIONS_MAX {
                    return Rc::new(self.with_notice(Some(Notice::error(format!(
                        "This session has {} recorded changes, the most a scenario keeps. Undo some, or start again from a preset.",
                        limits::ACTIONS_MAX
                    )))));
                }
                let mut lab = self.lab.clone();
                match lab.apply(&action) {
                    Ok(()) => {
                        let mut scenario = self.scenario.clone();
                        scenario.push_hashing(action);
                        self.next(scenario, lab, None)
                    }
                    Err(e) => self.with_notice(Some(Notice::error(capitalize(&e)))),
                }
            }
            AppAction::Queue(edit) => self.queue_edit(edit),
            AppAction::Stream(edit) => self.stream_edit(edit),
            AppAction::Pubsub(edit) => match self.pubsub.edit(edit) {
                Ok(pubsub) => {
                    let mut s = self.with_notice(None);
                    s.pubsub = pubsub;
                    s.current = LabId::Pubsub;
                    s.active_preset = None;
                    s
                }
                Err(e) => self.with_notice(Some(Notice::error(capitalize(&e)))),
            },
            AppAction::Preset(name) => match preset(&name) {
                Some(p) => {
                    let mut s = self.open(p.scenario, Some(Notice::info(p.explains)), None);
                    s.active_preset = Some(name);
                    s
                }
                None => self.with_notice(Some(Notice::error(format!("There is no preset named {name}.")))),
            },
            AppAction::Load(scenario, notice) => {
                let view = (self.view == View::About && scenario.lab() == self.current).then_some(View::About);
                self.open(scenario, notice, view)
            }
            AppAction::RestorePrevious => match self.previous_session.clone() {
                Some(previous) => {
                    let mut s = self.open(previous, Some(Notice::info("Restored your previous session.")), None);
                    s.previous_session = None;
                    s
                }
                None => self.with_notice(None),
            },
            AppAction::SetSeed(seed) => {
                let mut scenario = self.scenario.clone();
                scenario.seed = seed;
                match replay(&scenario) {
                    Ok(lab) => self.next(scenario, lab, None),
                    Err(e) => self.with_notice(Some(Notice::error(capitalize(&e)))),
                }
            }
            AppAction::Undo if self.current == LabId::Queue => self.queue_edit(QueueEdit::Undo),
            AppAction::Undo if self.current == LabId::Stream => self.stream_edit(StreamEdit::Undo),
            AppAction::Undo if self.current == LabId::Pubsub => match self.pubsub.edit(PubSubEdit::Undo) {
                Ok(pubsub) => {
                    let mut s = self.with_notice(None);
                    s.pubsub = pubsub;
                    s
                }
                Err(e) => self.with_notice(Some(Notice::info(capitalize(&e)))),
            },
            AppAction::Undo => {
                let mut scenario = self.scenario.clone();
                let crate::scenario::LabSetup::Hashing { actions, .. } = &mut scenario.setup else {
                    return Rc::new(self.with_notice(None));
                };
                if actions.pop().is_none() {
                    return Rc::new(self.with_notice(Some(Notice::info("Nothing to undo."))));
                }
                match replay(&scenario) {
                    Ok(lab) => self.next(scenario, lab, None),
                    Err(e) => self.with_notice(Some(Notice::error(capitalize(&e)))),
                }
            }
            AppAction::Share => {
                let fragment = encode_link(&self.current_scenario());
                let url = persist::page_url(&fragment);
                persist::set_fragment(&fragment);
                persist::copy(&url);
                let mut s = self.with_notice(Some(Notice::info(
                    "Link copied. Whoever opens it sees this exact session: same keys, same changes.",
                )));
                s.share_link = Some(url);
                s
            }
            AppAction::Notice(n) => self.with_notice(Some(n)),
            AppAction::DismissNotice => self.with_notice(None),
            AppAction::Show(view) => {
                let mut s = self.with_notice(self.notice.clone());
                s.view = view;
                match view {
                    View::Hashing => s.current = LabId::Hashing,
                    View::Queue => s.current = LabId::Queue,
                    View::Stream => s.current = LabId::Stream,
                    View::Pubsub => s.current = LabId::Pubsub,
                    View::About => {}
                }
                s
            }
        };
        Rc::new(state)
    }
}

impl AppState {
    fn stream_edit(&self, edit: StreamEdit) -> Self {
        match self.stream.edited(edit) {
            Ok(Some(stream)) => {
                let mut s = self.with_notice(None);
                s.stream = stream;
                s.current = LabId::Stream;
                s.active_preset = None;
                s
            }
            Ok(None) => self.with_notice(Some(Notice::info("Nothing to undo."))),
            Err(e) => self.with_notice(Some(Notice::error(capitalize(&e)))),
        }
    }
}

fn capitalize_bare(s: &str) -> String {
    capitalize(s).trim_end_matches('.').to_string()
}
