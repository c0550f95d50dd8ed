//! The starting configuration: the broker's persistence, the publishers' workload and each service's
//! handling time. Applying it replays the session with the recorded actions.

use super::PubSubSession;
use crate::scenario::Edit;
use crate::sim::pubsub::PubSub;
use crate::sim::pubsub::{PubSubConfig, limits};
use crate::ui::app::AppAction;
use crate::ui::form::whole;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// The configuration the form describes, checked against the limits.
pub fn parse_setup(
    base: &PubSubConfig,
    persistent: bool,
    events: &str,
    rate: &str,
    handle_ms: &[String],
) -> Result<PubSubConfig, String> {
    let mut c = base.clone();
    c.persistent = persistent;
    c.events = u32::try_from(whole(events, "Events")?)
        .map_err(|_| format!("Events must be between 0 and {}.", limits::EVENTS_MAX))?;
    c.rate_per_min = u32::try_from(whole(rate, "The rate")?)
        .map_err(|_| format!("Event rate per minute must be between 1 and {}.", limits::RATE_PER_MIN_MAX))?;
    for (s, v) in c.services.iter_mut().zip(handle_ms) {
        s.handle_ms = whole(v, &format!("{}'s handling time", s.name))?;
    }
    c.validate().map_err(|e| {
        let mut chars = e.chars();
        chars.next().map(|f| f.to_ascii_uppercase().to_string() + chars.as_str() + ".").unwrap_or_default()
    })?;
    Ok(c)
}

#[derive(Properties, PartialEq)]
pub struct SetupProps {
    pub session: PubSubSession,
    pub on_action: Callback<AppAction>,
}

/// The setup form.
#[function_component(SetupForm)]
pub fn setup_form(props: &SetupProps) -> Html {
    let c = props.session.config();
    let seed = props.session.seed();
    let persistent = use_node_ref();
    let events = use_node_ref();
    let rate = use_node_ref();
    let handles: Vec<NodeRef> = c.services.iter().map(|_| NodeRef::default()).collect();
    let error = use_state(|| None::<String>);
    let on_submit = {
        let (persistent, events, rate, handles, error, on, base) = (
            persistent.clone(),
            events.clone(),
            rate.clone(),
            handles.clone(),
            error.clone(),
            props.on_action.clone(),
            c.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let value = |r: &NodeRef| r.cast::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default();
            let p = persistent.cast::<HtmlInputElement>().is_some_and(|i| i.checked());
            let hs: Vec<String> = handles.iter().map(value).collect();
            match parse_setup(&base, p, &value(&events), &value(&rate), &hs) {
                Ok(config) => {
                    error.set(None);
                    on.emit(AppAction::edit::<PubSub>(Edit::Setup { seed, config }));
                }
                Err(msg) => error.set(Some(msg)),
            }
        })
    };
    html! {
        <form class="ps-form setup-form" onsubmit={on_submit} data-testid="setup-form" novalidate=true>
            <label class="check"><input ref={persistent} type="checkbox" data-testid="setup-persistent" checked={c.persistent} />
                { "broker keeps queues on disk" }</label>
            <label>{ "Events" }
                <input ref={events} type="number" data-testid="setup-events" value={c.events.to_string()} min="0" max={limits::EVENTS_MAX.to_string()} />
            </label>
            <label>{ "Per minute" }
                <input ref={rate} type="number" data-testid="setup-rate" value={c.rate_per_min.to_string()} min="1" max={limits::RATE_PER_MIN_MAX.to_string()} />
            </label>
            { for c.services.iter().zip(handles.iter()).map(|(s, r)| html! {
                <label>{ format!("{} (ms{})", s.name, if s.fixed { "" } else { ", mean" }) }
                    <input ref={r.clone()} type="number" data-testid="setup-handle" data-service={s.name.clone()}
                        value={s.handle_ms.to_string()} min="1" max={limits::HANDLE_MS_MAX.to_string()} />
                </label>
            }) }
            <button type="submit" data-testid="setup-apply">{ "Apply" }</button>
            if let Some(msg) = (*error).clone() {
                <p class="form-error" role="alert" data-testid="setup-error">{ msg }</p>
            }
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn the_setup_form_checks_its_fields() {
        let base = PubSubConfig::default();
        let hs: Vec<String> = base.services.iter().map(|s| s.handle_ms.to_string()).collect();
        let c = parse_setup(&base, false, "50", "120", &hs).unwrap();
        assert_eq!((c.persistent, c.events, c.rate_per_min), (false, 50, 120));
        assert!(parse_setup(&base, true, "x", "120", &hs).unwrap_err().contains("Events must be a whole number"));
        assert!(
            parse_setup(&base, true, "50", "0", &hs)
                .unwrap_err()
                .contains("Event rate per minute must be between 1 and 6000")
        );
        let mut bad = hs.clone();
        bad[0] = "0".into();
        assert!(
            parse_setup(&base, true, "50", "60", &bad)
                .unwrap_err()
                .contains("Email's handling time (ms) must be between 1")
        );
        assert!(
            parse_setup(&base, true, "99999999999", "60", &hs)
                .unwrap_err()
                .contains("Events must be between 0 and 20000.")
        );
        assert!(
            parse_setup(&base, true, "30000", "60", &hs).unwrap_err().contains("Events must be between 0 and 20000")
        );
    }
}
