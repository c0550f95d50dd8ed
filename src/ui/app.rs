//! The app's one reducer: every lab's session, the lab shown, and what the shell shows. Every change of
//! state goes through `AppState::reduce`; nothing here knows which labs exist (see `crate::labs`).

use super::form::sentence as capitalize;
use super::persist::{self, ChosenFile, Last};
use crate::scenario::{
    Edit, Edited, FileError, LabId, LabVisitor, LinkError, Registered, Scenario, Session, decode_link, decode_saved,
    fits_link, link_moment, preset, scenario_file, scenario_from_file, share_fragment,
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
    /// Offer the current session as a scenario file (a session too large for a link).
    pub offer_download: bool,
}

impl Notice {
    pub fn info(text: impl Into<String>) -> Self {
        Self { error: false, text: text.into(), offer_restore: false, offer_download: false }
    }
    pub fn error(text: impl Into<String>) -> Self {
        Self { error: true, text: text.into(), offer_restore: false, offer_download: false }
    }
    /// The same notice, with a "Download scenario file" button.
    pub fn with_download(mut self) -> Self {
        self.offer_download = true;
        self
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
    /// The last visit started opening a session and never finished (the tab froze, or was closed while it
    /// computed): the saved sessions stay in storage, unopened, and the autosave waits, until the user
    /// tries again or starts fresh.
    pub stalled: bool,
    /// Counts the sessions opened from outside (saved, a link, a file): after each, the root clears the
    /// "opening" mark once the page is idle with it shown.
    pub opening: u64,
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
    /// Open the saved sessions a previous visit never finished opening.
    RetryRestore,
    /// Discard them.
    StartFresh,
    /// Download the saved session of the lab shown last (without opening it).
    DownloadStalled,
    /// Download the current session as a scenario file.
    Download,
    /// Open a scenario file chosen by the user.
    OpenFile(ChosenFile),
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
            stalled: false,
            opening: 0,
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
    /// the lab shown last. Opening is marked in storage first: if this visit never gets to show the page
    /// idle (a session whose replay froze the tab), the next one offers to start fresh instead.
    pub fn initial() -> Self {
        let from_link = persist::fragment().filter(|f| crate::scenario::is_link_fragment(f));
        // A link of a lab this page does not hold opens on that lab's page.
        if let Some(address) = from_link.as_deref().and_then(super::site::page_for_link) {
            super::site::go(&address);
            let mut state = Self::defaults(LabId::ALL[0]);
            state.notice = Some(Notice::info("Opening the lab of this link…"));
            return state;
        }
        let any_saved = persist::has_saved();
        let stalled = any_saved && persist::opening_marked();
        if from_link.is_some() || any_saved {
            persist::mark_opening();
        }
        let mut state = Self::defaults(LabId::ALL[0]);
        state.opening = 1;
        state.stalled = stalled;
        let saved = if stalled { Saved::default() } else { Saved::read() };
        let (opened, mut problems) = state.with_saved(&saved);
        state = opened;
        if let Some(fragment) = from_link {
            persist::clear_fragment();
            // What the link replaces in its lab: the session saved for that lab.
            let replaced = match decode_link(&fragment) {
                Ok(s) => {
                    let before = saved.sessions.iter().find(|p| p.lab() == s.lab()).cloned();
                    let at = link_moment(&fragment);
                    state = state.open(s.clone(), Some(Notice::info("Opened a shared scenario.")), None, at);
                    before.filter(|b| *b != s)
                }
                Err(e) => {
                    let instead = if saved.sessions.is_empty() { "the default scenario" } else { "your last session" };
                    state.notice = Some(Notice::error(format!("{e} Showing {instead} instead.")));
                    None
                }
            };
            if let Some(previous) = replaced {
                if let Some(n) = state.notice.as_mut() {
                    n.offer_restore = true;
                }
                state.previous_session = Some(previous);
            }
        }
        if let Some(n) = state.notice.take() {
            if n.error {
                problems.push(n.text);
            } else {
                state.notice = Some(n);
            }
        }
        if !problems.is_empty() {
            let offer_restore = state.notice.as_ref().is_some_and(|n| n.offer_restore);
            state.notice = Some(Notice { offer_restore, ..Notice::error(problems.join(" ")) });
        }
        state
    }

    /// Opens every saved session, the lab shown last in front; returns what could not be opened, as
    /// sentences (a saved session is never dropped without a word).
    fn with_saved(&self, saved: &Saved) -> (Self, Vec<String>) {
        let mut state = self.clone();
        let mut problems = saved.problems.clone();
        let (front, others): (Vec<&Scenario>, Vec<&Scenario>) =
            saved.sessions.iter().partition(|s| Some(s.lab()) == saved.last);
        for s in others.into_iter().chain(front) {
            state = state.open(s.clone(), None, None, None);
            if let Some(n) = state.notice.take().filter(|n| n.error) {
                problems.push(n.text);
            }
        }
        if let Some(lab) = saved.last {
            state.current = lab;
            state.view = View::Lab(lab);
        }
        (state, problems)
    }

    /// Opens `scenario` in its lab (at virtual time `at_us`, if given), keeping every other lab's
    /// session. A scenario that cannot open leaves its lab's session as it was and says why.
    /// Opens a scenario that came from outside the session (a pasted link, a file), marked as opening,
    /// with the way back to what it replaces in its lab, as when a fresh tab opens a link.
    fn open_from_outside(
        &self,
        scenario: Scenario,
        notice: Option<Notice>,
        view: Option<View>,
        at_us: Option<u64>,
    ) -> Self {
        persist::mark_opening();
        let lab = scenario.lab();
        let before = (*self.session(lab).scenario).clone();
        let mut s = self.open(scenario.clone(), notice, view, at_us);
        s.opening += 1;
        let opened = *s.session(lab).scenario == scenario;
        if opened && before != scenario {
            if let Some(n) = s.notice.as_mut() {
                n.offer_restore = true;
            }
            s.previous_session = Some(before);
        }
        s
    }

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

    /// Applies an edit to `lab`'s session. The edit that makes a session too large for a link says so
    /// (the session stays, and travels as a file).
    fn apply_edit(&self, lab: LabId, apply: &EditFn, later: Later) -> Self {
        match apply(self.session(lab), later) {
            Ok(Edited::Changed(session)) => {
                let notice = match fits_link(&session.scenario) {
                    Err(e) if fits_link(&self.session(lab).scenario).is_ok() => Some(
                        Notice::info(format!(
                            "{e} It stays here and in this browser's autosave; to hand it to someone, download it \
                             as a scenario file."
                        ))
                        .with_download(),
                    ),
                    _ => None,
                };
                let mut s = self.with_notice(notice);
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

/// What this browser saved: each lab's session, the lab shown last, and what could not be read.
#[derive(Default)]
struct Saved {
    sessions: Vec<Scenario>,
    last: Option<LabId>,
    /// Saved sessions that could not be opened, as sentences.
    problems: Vec<String>,
}

impl Saved {
    fn read() -> Self {
        let mut saved = Saved::default();
        for &lab in LabId::ALL {
            let Some(text) = persist::load_lab_autosave(lab.key()) else { continue };
            match read_saved(&text) {
                Ok(s) => saved.sessions.push(s),
                Err(reason) => saved.problems.push(format!(
                    "Your saved {} session could not be opened: {reason}. That lab starts from its default \
                     scenario.",
                    lab.title()
                )),
            }
        }
        saved.last = match persist::load_last() {
            Some(Last::Lab(key)) => LabId::from_key(&key),
            Some(Last::Legacy(text)) => read_saved(&text).ok().map(|s| {
                let lab = s.lab();
                if !saved.sessions.iter().any(|o| o.lab() == lab) {
                    saved.sessions.push(s);
                }
                lab
            }),
            None => None,
        };
        saved
    }
}

/// The key of the lab a scenario file is for, when this page does not hold that lab but the site does.
fn elsewhere(bytes: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    let key = value.get("lab")?.as_str()?;
    super::site::elsewhere(key).then(|| key.to_string())
}

/// A saved session: its scenario JSON, or (saved by an older version) a share-link fragment, read
/// whatever its length (an autosave is not bound by a link's size).
fn read_saved(text: &str) -> Result<Scenario, String> {
    if text.trim_start().starts_with('{') {
        scenario_from_file(text.as_bytes()).map_err(|e| match e {
            FileError::TooLarge(n) => format!("it is too large ({n} bytes)"),
            FileError::NotJson(e) => format!("it is damaged ({e})"),
            FileError::TooNew(v) => format!("it was saved by a newer Sysplay (scenario version {v})"),
            FileError::Invalid(e) => format!("it cannot be replayed ({e})"),
        })
    } else {
        decode_saved(text).map_err(|e| match e {
            LinkError::TooNew(v) => format!("it was saved by a newer Sysplay (scenario version {v})"),
            LinkError::Invalid(e) => format!("it cannot be replayed ({e})"),
            other => format!("it is damaged ({})", other.to_string().trim_end_matches('.')),
        })
    }
}

impl AppState {
    /// Offers `text` as the file `name`, saying what happened.
    fn download(&self, name: &str, text: &str) -> Self {
        self.with_notice(Some(match persist::download(name, text) {
            Ok(()) => Notice::info(format!(
                "Downloaded {name}: open it here with Open file, or run it with `sysplay run {name}`."
            )),
            Err(e) => Notice::error(format!("The scenario file could not be saved: {e}.")),
        }))
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
                self.open_from_outside(scenario, notice, view, at_us)
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
            AppAction::RetryRestore => {
                persist::mark_opening();
                let (mut s, problems) = self.with_saved(&Saved::read());
                s.stalled = false;
                s.opening += 1;
                s.notice = Some(if problems.is_empty() {
                    Notice::info("Opened your last session.")
                } else {
                    Notice::error(problems.join(" "))
                });
                s
            }
            AppAction::StartFresh => {
                persist::forget_saved();
                persist::clear_opening();
                let mut s = self.with_notice(Some(Notice::info("Started fresh: your last session was discarded.")));
                s.stalled = false;
                s
            }
            AppAction::DownloadStalled => {
                let lab = match persist::load_last() {
                    Some(Last::Lab(key)) => LabId::from_key(&key),
                    _ => None,
                };
                let text = lab.and_then(|l| persist::load_lab_autosave(l.key())).filter(|t| t.starts_with('{'));
                match (lab, text) {
                    (Some(lab), Some(text)) => self.download(&format!("sysplay-{}-saved.json", lab.key()), &text),
                    _ => self.with_notice(Some(Notice::error(
                        "Your last session was saved by an older version, as a link: it can only be opened (Try again).",
                    ))),
                }
            }
            AppAction::Download => {
                let scenario = self.current_scenario();
                self.download(
                    &format!("sysplay-{}-{}.json", scenario.lab().key(), scenario.seed),
                    &scenario_file(&scenario),
                )
            }
            AppAction::OpenFile(file) => {
                let unchanged = "Your current session is unchanged.";
                match file {
                    ChosenFile::TooLarge { name, size } => self
                        .with_notice(Some(Notice::error(format!("{name}: {} {unchanged}", FileError::TooLarge(size))))),
                    ChosenFile::Unreadable { name } => {
                        self.with_notice(Some(Notice::error(format!("{name} could not be read. {unchanged}"))))
                    }
                    ChosenFile::Read { name, bytes } => match elsewhere(&bytes) {
                        // A scenario of a lab this page does not hold: saved as that lab's session, opened
                        // on its page.
                        Some(key) => match persist::autosave(&key, &String::from_utf8_lossy(&bytes)) {
                            Ok(()) => {
                                super::site::go(&super::site::href(&key));
                                self.with_notice(Some(Notice::info(format!("Opening {name} in its lab…"))))
                            }
                            Err(e) => self.with_notice(Some(Notice::error(format!(
                                "{name} is a scenario of another lab, and it could not be handed to it: {e}. {unchanged}"
                            )))),
                        },
                        None => match scenario_from_file(&bytes) {
                            Ok(scenario) => self.open_from_outside(
                                scenario,
                                Some(Notice::info(format!("Opened the scenario file {name}."))),
                                None,
                                None,
                            ),
                            Err(e) => self.with_notice(Some(Notice::error(format!("{name}: {e} {unchanged}")))),
                        },
                    },
                }
            }
            AppAction::Share => {
                let lab = self.current;
                let moment = if lab.timed() { self.playhead(lab).get().filter(|&t| t > 0) } else { None };
                let fragment = match share_fragment(&self.current_scenario()) {
                    Ok(fragment) => fragment,
                    Err(e) => {
                        // No link that would not open: the session travels as a file instead.
                        persist::clear_fragment();
                        let text = format!(
                            "{e} Download it as a scenario file instead: this page opens it (Open file), and so \
                             does `sysplay run FILE`."
                        );
                        let mut s = self.with_notice(Some(Notice::error(text).with_download()));
                        s.share_link = None;
                        return Rc::new(s);
                    }
                };
                let fragment = fragment + &moment.map(moment_param).unwrap_or_default();
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
