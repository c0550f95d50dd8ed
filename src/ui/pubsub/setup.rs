//! The starting configuration: the broker's persistence, the publishers' workload and each service's
//! handling time. Applying it replays the session with the recorded actions.

use super::PubSubSession;
use crate::scenario::Edit;
use crate::sim::pubsub::PubSub;
use crate::sim::pubsub::{PubSubConfig, limits};
use crate::ui::app::AppAction;
use crate::ui::form::{Check, Checked, Field, checked, text_of, use_checked, whole_in};
use yew::prelude::*;

/// The configuration the form describes, every field checked against the limits in the field's own
/// words: the configuration, or every invalid field marked (by test id; a handling time by service).
pub fn parse_setup(
    base: &PubSubConfig,
    persistent: bool,
    events: &str,
    rate: &str,
    handle_ms: &[String],
) -> Result<PubSubConfig, Checked> {
    let mut k = Checked::default();
    let mut c = base.clone();
    c.persistent = persistent;
    let events = k.field("setup-events", whole_in(events, "Events", 0, limits::EVENTS_MAX.into()));
    let rate = k.field("setup-rate", whole_in(rate, "Events per minute", 1, limits::RATE_PER_MIN_MAX.into()));
    for (s, v) in c.services.iter_mut().zip(handle_ms) {
        let what = format!("{}'s handling time (ms)", s.name);
        if let Some(ms) = k.field(handle_key(&s.name), whole_in(v, &what, 1, limits::HANDLE_MS_MAX)) {
            s.handle_ms = ms;
        }
    }
    if let (Some(events), Some(rate)) = (events, rate) {
        c.events = events as u32;
        c.rate_per_min = rate as u32;
    }
    if k.is_ok() {
        k.whole(c.validate());
    }
    if k.is_ok() { Ok(c) } else { Err(k) }
}

/// A handling-time field's key in the form's marks.
fn handle_key(service: &str) -> String {
    format!("setup-handle-{service}")
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
    let marks = use_checked((seed, c.clone()));
    let on_submit = {
        let (persistent, events, rate, handles, marks, on, base) = (
            persistent.clone(),
            events.clone(),
            rate.clone(),
            handles.clone(),
            marks.clone(),
            props.on_action.clone(),
            c.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let hs: Vec<String> = handles.iter().map(text_of).collect();
            match parse_setup(&base, checked(&persistent), &text_of(&events), &text_of(&rate), &hs) {
                Ok(config) => {
                    marks.set(Checked::default());
                    on.emit(AppAction::edit::<PubSub>(Edit::Setup { seed, config }));
                }
                Err(k) => marks.set(k),
            }
        })
    };
    html! {
        <form class="ps-form setup-form" onsubmit={on_submit} data-testid="setup-form" novalidate=true>
            <Check label="broker keeps queues on disk" node={persistent} testid="setup-persistent" source={c.persistent} />
            <Field label="Events" node={events} testid="setup-events" source={c.events.to_string()} error={marks.error("setup-events")} />
            <Field label="Per minute" node={rate} testid="setup-rate" source={c.rate_per_min.to_string()} error={marks.error("setup-rate")} />
            { for c.services.iter().zip(handles.iter()).map(|(s, r)| html! {
                <Field label={format!("{} (ms{})", s.name, if s.fixed { "" } else { ", mean" })} node={r.clone()}
                    testid="setup-handle" data_key={s.name.clone()} source={s.handle_ms.to_string()}
                    error={marks.error(&handle_key(&s.name))} />
            }) }
            <button type="submit" data-testid="setup-apply">{ "Apply" }</button>
            if !marks.is_ok() {
                <p class="form-error" role="alert" data-testid="setup-error">{ marks.summary() }</p>
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
        let err = |events: &str, rate: &str, hs: &[String], field: &str| {
            parse_setup(&base, true, events, rate, hs)
                .unwrap_err()
                .error(field)
                .map(|e| e.to_string())
                .unwrap_or_default()
        };
        assert!(err("x", "120", &hs, "setup-events").contains("Events must be a whole number"));
        assert!(err("50", "0", &hs, "setup-rate").contains("Events per minute must be between 1 and 6,000"));
        let mut bad = hs.clone();
        bad[0] = "0".into();
        let first = &base.services[0].name;
        assert!(
            err("50", "60", &bad, &handle_key(first))
                .contains(&format!("{first}'s handling time (ms) must be between 1"))
        );
        assert!(
            err("99999999999", "60", &hs, "setup-events")
                .contains("Events must be between 0 and 20,000 (got 99,999,999,999).")
        );
        // Two fields wrong: both are marked, and the valid one is not.
        let k = parse_setup(&base, true, "30000", "0", &hs).unwrap_err();
        assert!(k.error("setup-events").is_some() && k.error("setup-rate").is_some());
        assert!(k.error(&handle_key(first)).is_none());
        assert!(k.summary().contains("2 fields are marked"));
    }
}
