//! The app shell: header with navigation and Share, the notice bar, the about text and the footer.

use super::app::{AppAction, Later, Notice, View};
use super::persist;
use crate::labs::DIRECTORY;
use crate::scenario::{LabId, SCENARIO_FILE_MAX};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct HeaderProps {
    pub view: View,
    pub on_action: Callback<AppAction>,
    pub share_link: Option<String>,
}

/// Brand, navigation to the labs that exist, and the Share button.
#[function_component(Header)]
pub fn header(props: &HeaderProps) -> Html {
    let nav = |view: View, label: &'static str, testid: String| {
        let on_action = props.on_action.clone();
        let current = props.view == view;
        html! {
            <button class={classes!("nav-link", current.then_some("current"))}
                aria-current={current.then_some("page")}
                data-testid={testid}
                onclick={Callback::from(move |_| on_action.emit(AppAction::Show(view)))}>
                { label }
            </button>
        }
    };
    let share = {
        let on_action = props.on_action.clone();
        Callback::from(move |_| on_action.emit(AppAction::Share))
    };
    let file_ref = use_node_ref();
    let choose_file = {
        let file_ref = file_ref.clone();
        Callback::from(move |_| {
            if let Some(input) = file_ref.cast::<web_sys::HtmlInputElement>() {
                input.click();
            }
        })
    };
    let file_chosen = {
        let on_action = props.on_action.clone();
        Callback::from(move |e: Event| {
            if let Some(input) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
                let on_action = on_action.clone();
                persist::read_chosen_file(&input, SCENARIO_FILE_MAX, move |file| {
                    on_action.emit(AppAction::OpenFile(file))
                });
            }
        })
    };
    html! {
        <header class="app-header">
            <div class="brand">
                <span class="logo" aria-hidden="true">{ "◎" }</span>
                <span class="name">{ "Sysplay" }</span>
                <span class="tagline">{ "system design, played live" }</span>
            </div>
            <nav aria-label="Labs">
                { for DIRECTORY.iter().map(|&(key, title, _)| match LabId::from_key(key) {
                    Some(lab) => nav(View::Lab(lab), lab.title(), format!("nav-{key}")),
                    // A lab this page does not hold: its own page.
                    None => html! { <a class="nav-link" href={super::site::href(key)} data-testid={format!("nav-{key}")}>{ title }</a> },
                }) }
                { nav(View::About, "About", "nav-about".to_string()) }
            </nav>
            <div class="share">
                <button data-testid="open-file" onclick={choose_file}
                    title="Open a scenario file (a session downloaded from this page, or written for `sysplay run`)">
                    { "Open file" }
                </button>
                <input type="file" class="sr-only" data-testid="open-file-input" ref={file_ref}
                    accept=".json,application/json" aria-label="Open scenario file" tabindex="-1"
                    onchange={file_chosen} />
                <button class="primary" data-testid="share" onclick={share}
                    title="Copy a link that replays exactly this session">{ "Share" }</button>
                if let Some(link) = props.share_link.clone() {
                    <input class="share-link" data-testid="share-link" readonly=true value={link}
                        aria-label="Share link" onfocus={Callback::from(|e: FocusEvent| {
                            if let Some(input) = e.target_dyn_into::<web_sys::HtmlInputElement>() { input.select(); }
                        })} />
                }
            </div>
        </header>
    }
}

#[derive(Properties, PartialEq)]
pub struct NoticeProps {
    pub notice: Notice,
    pub on_action: Callback<AppAction>,
}

/// An information or error message with a dismiss button (and a restore button when it applies).
#[function_component(NoticeBar)]
pub fn notice_bar(props: &NoticeProps) -> Html {
    let dismiss = {
        let on_action = props.on_action.clone();
        Callback::from(move |_| on_action.emit(AppAction::DismissNotice))
    };
    let restore = {
        let on_action = props.on_action.clone();
        Callback::from(move |_| on_action.emit(AppAction::RestorePrevious))
    };
    let download = {
        let on_action = props.on_action.clone();
        Callback::from(move |_| on_action.emit(AppAction::Download))
    };
    let n = &props.notice;
    html! {
        <div class={classes!("notice", n.error.then_some("error"))} data-testid="notice"
            role={if n.error { "alert" } else { "status" }}>
            <span class="text">{ n.text.clone() }</span>
            if n.offer_download {
                <button class="primary" data-testid="download-scenario" onclick={download}>
                    { "Download scenario file" }
                </button>
            }
            if n.offer_restore {
                <button data-testid="restore" onclick={restore}>{ "Back to my previous session" }</button>
            }
            <button class="dismiss" aria-label="Dismiss message" onclick={dismiss}>{ "×" }</button>
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct BranchBarProps {
    /// Recorded actions the pending one would drop.
    pub later: usize,
    pub on_action: Callback<AppAction>,
}

/// Asks before a live action taken in the past drops the actions recorded after it (Undo restores them).
#[function_component(BranchBar)]
pub fn branch_bar(props: &BranchBarProps) -> Html {
    let emit = |a: fn() -> AppAction| {
        let on_action = props.on_action.clone();
        Callback::from(move |_| on_action.emit(a()))
    };
    let n = props.later;
    html! {
        <div class="notice branch" data-testid="branch-confirm" role="alertdialog" aria-label="Branch from this moment">
            <span class="text">{ format!(
                "You are at an earlier moment than {n} recorded action{s}. Start a new branch from here \
                 (the later action{s} {are} dropped; Undo brings {them} back), or keep {them} and add this one?",
                s = if n == 1 { "" } else { "s" },
                are = if n == 1 { "is" } else { "are" },
                them = if n == 1 { "it" } else { "them" },
            ) }</span>
            <button class="primary" data-testid="branch-yes" onclick={emit(|| AppAction::Resolve(Later::Drop))}>
                { "New branch from here" }
            </button>
            <button data-testid="branch-keep" onclick={emit(|| AppAction::Resolve(Later::Keep))}>
                { format!("Keep the {n} later") }
            </button>
            <button data-testid="branch-no" onclick={emit(|| AppAction::CancelBranch)}>{ "Cancel" }</button>
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct StalledBarProps {
    pub on_action: Callback<AppAction>,
}

/// The last visit never finished opening its session (its replay froze the tab, or the tab was closed
/// while it computed): offers to start fresh or to try again, the saved session kept until then.
#[function_component(StalledBar)]
pub fn stalled_bar(props: &StalledBarProps) -> Html {
    let emit = |a: fn() -> AppAction| {
        let on_action = props.on_action.clone();
        Callback::from(move |_| on_action.emit(a()))
    };
    html! {
        <div class="notice error stalled" data-testid="stalled-restore" role="alertdialog"
            aria-label="Your last session did not finish opening">
            <span class="text">{
                "Your last session did not finish opening last time, so it was not opened again. It is kept \
                 until you choose: start fresh (it is discarded), or try again. Changes made meanwhile are not \
                 saved."
            }</span>
            <button class="primary" data-testid="stalled-fresh" onclick={emit(|| AppAction::StartFresh)}>
                { "Start fresh" }
            </button>
            <button data-testid="stalled-retry" onclick={emit(|| AppAction::RetryRestore)}>{ "Try again" }</button>
            <button data-testid="stalled-download" onclick={emit(|| AppAction::DownloadStalled)}>
                { "Download it" }
            </button>
        </div>
    }
}

/// What Sysplay is.
#[function_component(About)]
pub fn about() -> Html {
    html! {
        <section class="about card" data-testid="about">
            <h2>{ "About Sysplay" }</h2>
            <p>{ "Sysplay is a playground for the classic ideas of system design. Every lab is a live, \
                  deterministic simulation: the same seed and the same changes always give the same numbers, \
                  here and on anyone's machine." }</p>
            <p>{ "Change things, then press Share: the link carries the whole session (the seed, the starting \
                  setup and every change you made), so whoever opens it sees exactly what you saw." }</p>
            <p>{ "Every figure on screen is computed exactly from the simulation and checked in the test suite \
                  against theory or the worked examples it teaches." }</p>
            <h3>{ "Labs" }</h3>
            <ul>
                { for DIRECTORY.iter().map(|&(_, title, summary)| html! { <li><strong>{ title }</strong>{ ": " }{ summary }</li> }) }
            </ul>
            <p class="muted">{ "Each lab's session is saved in this browser as you go and comes back when you reload. \
                  A session too large for a link is shared as a scenario file (Share offers it); Open file opens \
                  one, and so does the command line's `sysplay run FILE`." }</p>
        </section>
    }
}

/// The footer.
#[function_component(Footer)]
pub fn footer() -> Html {
    html! {
        <footer class="app-footer">
            { "Sysplay runs entirely in your browser: no server sees your sessions. " }
            <span class="muted" data-testid="version">{ super::site::version() }</span>
        </footer>
    }
}

#[derive(Properties, PartialEq)]
pub struct PresetButtonsProps {
    pub lab: crate::scenario::LabId,
    pub active: Option<String>,
    pub on_action: Callback<AppAction>,
}

/// One button per preset of a lab; the active one is pressed.
#[function_component(PresetButtons)]
pub fn preset_buttons(props: &PresetButtonsProps) -> Html {
    let buttons = crate::scenario::lab_presets(props.lab).into_iter().map(|p| {
        let on_action = props.on_action.clone();
        let name = p.name.to_string();
        let active = props.active.as_deref() == Some(p.name);
        html! {
            <button class={classes!("preset", active.then_some("active"))} data-testid={format!("preset-{}", p.name)}
                title={p.explains} aria-pressed={active.to_string()}
                onclick={Callback::from(move |_| on_action.emit(AppAction::Preset(name.clone())))}>
                { p.title }
            </button>
        }
    });
    html! { <div class="presets" role="group" aria-label="Presets">{ for buttons }</div> }
}
