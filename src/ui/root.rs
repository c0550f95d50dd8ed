//! The root component: the shell around the current lab, the autosave, and links pasted into an open
//! page. State lives in `app::AppState`; this file only wires it to the page.

use super::app::{AppAction, AppState, Notice, View};
use super::lab::PageProps;
use super::{panic, persist, shell};
use crate::scenario::{decode_link, encode_link, link_moment};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use yew::prelude::*;

/// The root component.
#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(AppState::initial);

    // Autosave every change, and keep the panic overlay's link current.
    {
        let scenario = state.current_scenario();
        use_effect_with(scenario, |scenario| {
            let fragment = encode_link(scenario);
            persist::autosave(scenario.lab().key(), &fragment);
            panic::remember_link(&persist::page_url(&fragment));
        });
    }

    // A link pasted into the address bar of an open page loads without a reload.
    {
        let dispatch = state.dispatcher();
        use_effect_with((), move |_| {
            let listener = Closure::<dyn Fn()>::new(move || {
                if let Some(fragment) = persist::fragment().filter(|f| crate::scenario::is_link_fragment(f)) {
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
