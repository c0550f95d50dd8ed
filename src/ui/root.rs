//! The root component: the shell around the current lab, the autosave, and links pasted into an open
//! page. State lives in `app::AppState`; this file only wires it to the page.

use super::app::{AppAction, AppState, Notice, View};
use super::lab::PageProps;
use super::{busy, panic, persist, shell};
use crate::scenario::{decode_link, encode_link, link_moment};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use yew::prelude::*;

/// The root component.
#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(AppState::initial);

    // Autosave every change (the scenario's JSON: not bound by a link's size; a refusal is said, once
    // until a save succeeds again), and keep the panic overlay's link current. While a session the last
    // visit never finished opening waits for the user's choice, nothing overwrites it.
    {
        let scenario = state.current_scenario();
        let dispatch = state.dispatcher();
        let failed = use_mut_ref(|| false);
        use_effect_with((scenario, state.stalled), move |(scenario, stalled)| {
            panic::remember_link(&persist::page_url(&encode_link(scenario)));
            if *stalled {
                return;
            }
            let json = serde_json::to_string(scenario).expect("scenarios serialize");
            match persist::autosave(scenario.lab().key(), &json) {
                Ok(()) => *failed.borrow_mut() = false,
                Err(e) if !*failed.borrow() => {
                    *failed.borrow_mut() = true;
                    dispatch.dispatch(AppAction::Notice(
                        Notice::error(format!(
                            "This session could not be saved in this browser: {e}. It will be gone when the page \
                             reloads; download it as a scenario file to keep it."
                        ))
                        .with_download(),
                    ));
                }
                Err(_) => {}
            }
        });
    }

    // After a session is opened (saved, a link, a file), the "opening" mark is cleared once the page has
    // shown it and finished computing it: a mark still set at the next visit means this one never did.
    use_effect_with((state.opening, state.stalled), |&(_, stalled)| {
        if !stalled {
            watch_opening();
        }
    });

    // A page that runs its `pagehide` handler is not frozen: leaving it (another lab, a reload, closing
    // the tab) while a session is still opening is no reason to offer the next visit a way out. Only a
    // visit that never gets there (a frozen tab killed, a crash) leaves the mark; and a page still
    // offering that way out keeps the mark it found until the user chooses. A page brought back from
    // the back-forward cache with work still under way marks it again.
    let stalled = use_mut_ref(|| false);
    *stalled.borrow_mut() = state.stalled;
    use_effect_with((), move |_| {
        let hide = {
            let stalled = stalled.clone();
            Closure::<dyn Fn()>::new(move || {
                if !*stalled.borrow() {
                    persist::clear_opening();
                }
            })
        };
        let show = Closure::<dyn Fn()>::new(move || {
            if !*stalled.borrow() && !busy::idle() && !persist::opening_marked() {
                persist::mark_opening();
                watch_opening();
            }
        });
        let window = web_sys::window();
        if let Some(w) = &window {
            let _ = w.add_event_listener_with_callback("pagehide", hide.as_ref().unchecked_ref());
            let _ = w.add_event_listener_with_callback("pageshow", show.as_ref().unchecked_ref());
        }
        move || {
            if let Some(w) = window {
                let _ = w.remove_event_listener_with_callback("pagehide", hide.as_ref().unchecked_ref());
                let _ = w.remove_event_listener_with_callback("pageshow", show.as_ref().unchecked_ref());
            }
        }
    });

    // A link pasted into the address bar of an open page loads without a reload.
    {
        let dispatch = state.dispatcher();
        use_effect_with((), move |_| {
            let listener = Closure::<dyn Fn()>::new(move || {
                if let Some(fragment) = persist::fragment().filter(|f| crate::scenario::is_link_fragment(f)) {
                    if let Some(address) = super::site::page_for_link(&fragment) {
                        return super::site::go(&address);
                    }
                    match decode_link(&fragment) {
                        Ok(s) => dispatch.dispatch(AppAction::Load(
                            Box::new(s),
                            Some(Notice::info("Opened a shared scenario.")),
                            link_moment(&fragment),
                        )),
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
            if state.stalled {
                <shell::StalledBar on_action={on_action.clone()} />
            }
            if let Some(pending) = state.pending.clone() {
                <shell::BranchBar later={pending.later} on_action={on_action.clone()} />
            }
            <main id="main" tabindex="-1">
                {
                    match state.view {
                        View::Lab(lab) => lab.page(PageProps {
                            session: state.session(lab).clone(),
                            active_preset: state.active_preset.clone(),
                            on_action: on_action.clone(),
                            playhead: state.playhead(lab).clone(),
                        }),
                        View::About => html! { <shell::About /> },
                    }
                }
            </main>
            <shell::Footer />
        </div>
    }
}

/// Clears the "opening" mark once no work is under way, looking every 200 ms (a look only happens when
/// the page answers timers: a frozen tab leaves the mark for the next visit).
fn watch_opening() {
    gloo_timers::callback::Timeout::new(200, || {
        if !persist::opening_marked() {
            return;
        }
        if busy::idle() {
            persist::clear_opening();
        } else {
            watch_opening();
        }
    })
    .forget();
}
