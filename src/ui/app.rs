//! The app's one reducer: the scenario being played, its replayed lab and report, and what the shell
//! shows. Every change of state goes through `AppState::reduce`.

use super::{hashing, panic, persist, shell};
use crate::scenario::{LabRun, Scenario, decode_link, encode_link, preset};
use crate::sim::hashing::cache::CacheAffinity;
use crate::sim::hashing::{HashingAction, HashingLab, HashingReport, limits};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use yew::prelude::*;

/// What the main area shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    Hashing,
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

/// The whole UI state.
pub struct AppState {
    pub scenario: Scenario,
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
        LabRun::Queue(_) => Err("not a hashing scenario".into()),
    }
}

impl AppState {
    fn with_scenario(scenario: Scenario, notice: Option<Notice>) -> Self {
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
            lab_ref: hashing::LabRef::new(&lab, &scenario),
            drawing: Rc::new(hashing::ring_sample(&lab)),
            scenario,
            lab,
            report,
            notice,
            view: View::Hashing,
            share_link: None,
            previous_session: None,
            active_preset: None,
        }
    }

    /// The state at page load: a share link in the fragment wins, then the autosave, then the default.
    pub fn initial() -> Self {
        let saved = persist::load_autosave().and_then(|s| decode_link(&s).ok());
        let from_link = persist::fragment().filter(|f| f.contains("s="));
        let mut state = match (from_link, saved.clone()) {
            (Some(fragment), _) => {
                persist::clear_fragment();
                match decode_link(&fragment) {
                    Ok(s) => Self::with_scenario(s, Some(Notice::info("Opened a shared scenario."))),
                    Err(e) => Self::with_scenario(
                        Scenario::default(),
                        Some(Notice::error(format!("{e} Showing the default scenario instead."))),
                    ),
                }
            }
            (None, Some(s)) => Self::with_scenario(s, None),
            (None, None) => Self::with_scenario(Scenario::default(), None),
        };
        if let Some(saved) = saved.filter(|s| *s != state.scenario) {
            if let Some(n) = state.notice.as_mut() {
                n.offer_restore = true;
            }
            state.previous_session = Some(saved);
        }
        state
    }

    fn next(&self, scenario: Scenario, lab: HashingLab, notice: Option<Notice>) -> Self {
        Self {
            report: Rc::new(lab.report()),
            cache: Rc::new(lab.cache_affinity()),
            lab_ref: hashing::LabRef::new(&lab, &scenario),
            drawing: Rc::new(hashing::ring_sample(&lab)),
            scenario,
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
            AppAction::Preset(name) => match preset(&name) {
                Some(p) => {
                    let mut s = AppState::with_scenario(p.scenario, Some(Notice::info(p.explains)));
                    s.view = View::Hashing;
                    s.previous_session = self.previous_session.clone();
                    s.active_preset = Some(name);
                    s
                }
                None => self.with_notice(Some(Notice::error(format!("There is no preset named {name}.")))),
            },
            AppAction::Load(scenario, notice) => {
                let mut s = AppState::with_scenario(scenario, notice);
                s.view = self.view;
                s.previous_session = self.previous_session.clone();
                s
            }
            AppAction::RestorePrevious => match self.previous_session.clone() {
                Some(previous) => {
                    let mut s =
                        AppState::with_scenario(previous, Some(Notice::info("Restored your previous session.")));
                    s.view = self.view;
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
                let fragment = encode_link(&self.scenario);
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
                s
            }
        };
        Rc::new(state)
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => {
            let rest: String = c.collect();
            let end = if rest.ends_with('.') { "" } else { "." };
            format!("{}{rest}{end}", first.to_uppercase())
        }
        None => String::new(),
    }
}

/// The root component.
#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(AppState::initial);

    // Autosave every change, and keep the panic overlay's link current.
    {
        let scenario = state.scenario.clone();
        use_effect_with(scenario, |scenario| {
            let fragment = encode_link(scenario);
            persist::autosave(&fragment);
            panic::remember_link(&persist::page_url(&fragment));
        });
    }

    // A link pasted into the address bar of an open page loads without a reload.
    {
        let dispatch = state.dispatcher();
        use_effect_with((), move |_| {
            let listener = Closure::<dyn Fn()>::new(move || {
                if let Some(fragment) = persist::fragment().filter(|f| f.contains("s=")) {
                    match decode_link(&fragment) {
                        Ok(s) => dispatch.dispatch(AppAction::Load(s, Some(Notice::info("Opened a shared scenario.")))),
                        Err(e) => dispatch.dispatch(AppAction::Notice(Notice::error(format!(
                            "{e} Your current session is unchanged."
                        )))),
                    }
                }
            });
            let window = web_sys::window();
            if let Some(w) = &window {
                let _ = w.add_event_listener_with_callback("hashchange", listener.as_ref().unchecked_ref());
            }
            move || {
                if let Some(w) = window {
                    let _ = w.remove_event_listener_with_callback("hashchange", listener.as_ref().unchecked_ref());
                }
            }
        });
    }

    let dispatch = state.dispatcher();
    let on_action = {
        let d = dispatch.clone();
        Callback::from(move |a: AppAction| d.dispatch(a))
    };
    html! {
        <div class="app">
            <a class="skip-link" href="#main">{ "Skip to the lab" }</a>
            <shell::Header view={state.view} on_action={on_action.clone()} share_link={state.share_link.clone()} />
            if let Some(notice) = state.notice.clone() {
                <shell::NoticeBar {notice} on_action={on_action.clone()} />
            }
            <main id="main" tabindex="-1">
                {
                    match state.view {
                        View::Hashing => html! {
                            <hashing::HashingPage
                                report={state.report.clone()}
                                sample={state.drawing.clone()}
                                cache={state.cache.clone()}
                                lab_ref={state.lab_ref.clone()}
                                split={state.lab.split()}
                                next_name={state.lab.next_free_name()}
                                seed={state.scenario.seed}
                                actions={state.scenario.action_count()}
                                active_preset={state.active_preset.clone()}
                                on_action={on_action.clone()}
                            />
                        },
                        View::About => html! { <shell::About /> },
                    }
                }
            </main>
            <shell::Footer />
        </div>
    }
}
