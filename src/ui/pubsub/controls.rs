//! What a user does while the run plays, recorded at the animation's virtual time: publish by hand,
//! subscribe, unsubscribe, stop or start a service, crash the broker or the event-bus process. Also the
//! subscriber table, the event log and the list of recorded actions.

use super::Frame;
use super::PubSubSession;
use crate::scenario::Edit;
use crate::sim::pubsub::PubSub;
use crate::sim::pubsub::{Pattern, PatternKind, PubSubAction, limits, validate_topic};
use crate::ui::app::AppAction;
use crate::ui::form::sentence as capitalize;
use crate::ui::scroll::scroll;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

fn live(on: &Callback<AppAction>, at_ms: u64, action: PubSubAction) {
    on.emit(AppAction::edit::<PubSub>(Edit::Live { at_ms, action }));
}

fn at_ms(frame: &Frame) -> u64 {
    frame.clock_us / 1000
}

#[derive(Properties, PartialEq)]
pub struct PublishProps {
    pub frame: Frame,
    pub topics: Vec<String>,
    pub on_action: Callback<AppAction>,
}

/// Checks the publish form: a valid topic and a count of 1 to the limit.
pub fn parse_publish(topic: &str, count: &str) -> Result<PubSubAction, String> {
    let topic = topic.trim();
    validate_topic(topic).map_err(|e| capitalize(&e))?;
    let max = limits::PUBLISH_COUNT_MAX;
    let count: u32 = count
        .trim()
        .parse()
        .ok()
        .filter(|c| (1..=max).contains(c))
        .ok_or_else(|| format!("The count must be a whole number from 1 to {max}."))?;
    Ok(PubSubAction::Publish { topic: topic.to_string(), count })
}

/// Topic + count + "Publish".
#[function_component(PublishForm)]
pub fn publish_form(props: &PublishProps) -> Html {
    let topic = use_node_ref();
    let count = use_node_ref();
    let error = use_state(|| None::<String>);
    // The fields are filled once, when the form appears, and are the user's afterwards: a re-render
    // (the run computed in the background, a new frame) never puts the defaults back under their hands.
    {
        let (topic, count) = (topic.clone(), count.clone());
        use_effect_with((), move |_| {
            for (field, value) in [(&topic, "order_created"), (&count, "1")] {
                if let Some(input) = field.cast::<HtmlInputElement>() {
                    input.set_value(value);
                }
            }
        });
    }
    let on_submit = {
        let (topic, count, error, on, at) =
            (topic.clone(), count.clone(), error.clone(), props.on_action.clone(), at_ms(&props.frame));
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let t = topic.cast::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default();
            let c = count.cast::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default();
            match parse_publish(&t, &c) {
                Ok(action) => {
                    error.set(None);
                    live(&on, at, action);
                }
                Err(msg) => error.set(Some(msg)),
            }
        })
    };
    html! {
        <form class="ps-form publish-form" onsubmit={on_submit} data-testid="publish-form" novalidate=true>
            <label>{ "Topic" }
                <input ref={topic} type="text" data-testid="publish-topic" list="ps-topics"
                    maxlength="64" autocomplete="off" spellcheck="false" />
            </label>
            <datalist id="ps-topics">{ for props.topics.iter().map(|t| html! { <option value={t.clone()} /> }) }</datalist>
            <label>{ "Count" }
                <input ref={count} type="number" data-testid="publish-count" min="1" max={limits::PUBLISH_COUNT_MAX.to_string()} />
            </label>
            <button type="submit" class="primary" data-testid="publish">{ "Publish" }</button>
            if let Some(msg) = (*error).clone() {
                <p class="form-error" role="alert" data-testid="publish-error">{ msg }</p>
            }
        </form>
    }
}

#[derive(Properties, PartialEq)]
pub struct FrameProps {
    pub frame: Frame,
    pub on_action: Callback<AppAction>,
}

/// One row per queue (a service's durable or ephemeral queue) with its bindings, each removable, its
/// counts at the animation's time, and the live actions.
#[function_component(Subscribers)]
pub fn subscribers(props: &FrameProps) -> Html {
    let r = &props.frame.snap;
    let at = at_ms(&props.frame);
    let act = |action: PubSubAction| {
        let on = props.on_action.clone();
        Callback::from(move |_| live(&on, at, action.clone()))
    };
    let rows = r.queues.iter().filter(|q| q.active).map(|q| {
        let service = q.service.clone();
        let status = if q.service_up { "up" } else { "down" };
        let bindings = q.live_bindings().map(|b| {
            let unsubscribe = PubSubAction::Unsubscribe { service: service.clone(), pattern: b.pattern.clone() };
            html! {
                <li data-testid="binding" data-pattern={b.pattern.clone()}>
                    <code>{ b.pattern.clone() }</code><span class="sub">{ b.kind.label() }</span>
                    <button class="unbind" data-testid="unsubscribe" data-pattern={b.pattern.clone()}
                        title={format!("Unsubscribe: remove this binding{}", if q.live_bindings().count() == 1 { " (the last: the queue is deleted with what it holds)" } else { " (the queue keeps what it holds)" })}
                        aria-label={format!("Unsubscribe {} from {}", service, b.pattern)}
                        onclick={act(unsubscribe)}>{ "×" }</button>
                </li>
            }
        });
        html! {
            <tr data-testid="sub-row" data-service={service.clone()} data-kind={q.kind()} data-pattern={q.patterns()}
                class={classes!((!q.service_up).then_some("down"))}>
                <th scope="row">{ service.clone() }<span class="sub" data-testid="sub-status">{ status }</span></th>
                <td><span class="sub">{ format!("{} queue, bound with", q.kind()) }</span>
                    <ul class="bindings" data-testid="bindings">{ for bindings }</ul></td>
                <td class="num" data-testid="sub-matched">{ q.matched }</td>
                <td class="num" data-testid="sub-delivered">{ q.delivered }</td>
                <td class="num" data-testid="sub-handled">{ q.handled }</td>
                <td class={classes!("num", (q.missed > 0).then_some("bad"))} data-testid="sub-missed">{ q.missed }</td>
                <td class="num" data-testid="sub-backlog" title="now (most)">{ format!("{} ({})", q.backlog, q.backlog_max) }</td>
                <td class="row-actions">
                    if q.service_up {
                        <button data-testid="stop-service" onclick={act(PubSubAction::StopService { service: service.clone() })}>{ "Stop" }</button>
                    } else {
                        <button data-testid="start-service" onclick={act(PubSubAction::StartService { service: service.clone() })}>{ "Start" }</button>
                    }
                </td>
            </tr>
        }
    });
    let (broker, bus) = (r.broker_up, r.bus.up);
    html! {
        <div class="live">
            { scroll("Subscribers", html! { <>
                <table class="subs" data-testid="subscribers">
                    <thead><tr><th>{ "Service" }</th><th>{ "Queue and bindings" }</th><th class="num">{ "Matched" }</th>
                        <th class="num">{ "Delivered" }</th><th class="num">{ "Handled" }</th><th class="num">{ "Missed" }</th>
                        <th class="num">{ "Backlog" }</th><th>{ "Act now" }</th></tr></thead>
                    <tbody>{ for rows }</tbody>
                </table>
            </> }) }
            <div class="broker-actions">
                <span data-testid="broker-state">{ if broker { "Broker up" } else { "Broker down" } }
                    { if r.persistent { " (queues on disk)" } else { " (queues in memory)" } }</span>
                if broker {
                    <button data-testid="crash-broker" onclick={act(PubSubAction::CrashBroker)}>{ "Crash broker" }</button>
                } else {
                    <button data-testid="restart-broker" onclick={act(PubSubAction::RestartBroker)}>{ "Restart broker" }</button>
                }
                <span data-testid="bus-state">{ if bus { "Event-bus process up" } else { "Event-bus process down" } }</span>
                if bus {
                    <button data-testid="crash-bus" onclick={act(PubSubAction::CrashBusProcess)}>{ "Kill bus process" }</button>
                } else {
                    <button data-testid="restart-bus" onclick={act(PubSubAction::RestartBusProcess)}>{ "Restart bus process" }</button>
                }
            </div>
            <p class="muted explain">{ "One row per queue: a service's subscriptions are the bindings of its durable queue (or of its ephemeral one), and an event matching several bindings enters the queue once. × removes a binding; removing a queue's last binding deletes the queue with what it holds. " }
                { format!("Counts at the animation's time. Actions are recorded at that time (now {:.1} s) and become part of the shared scenario.", at as f64 / 1000.0) }</p>
        </div>
    }
}

/// Service, pattern kind, pattern, durable, "Subscribe".
#[function_component(SubscribeForm)]
pub fn subscribe_form(props: &FrameProps) -> Html {
    let service = use_node_ref();
    let kind = use_node_ref();
    let pattern = use_node_ref();
    let durable = use_node_ref();
    let error = use_state(|| None::<String>);
    let r = &props.frame.snap;
    let on_submit = {
        let (service, kind, pattern, durable, error, on, at) = (
            service.clone(),
            kind.clone(),
            pattern.clone(),
            durable.clone(),
            error.clone(),
            props.on_action.clone(),
            at_ms(&props.frame),
        );
        let active: Vec<(String, String)> =
            r.queues.iter().flat_map(|q| q.live_bindings().map(|b| (q.service.clone(), b.pattern.clone()))).collect();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let svc = service.cast::<HtmlSelectElement>().map(|s| s.value()).unwrap_or_default();
            let k = match kind.cast::<HtmlSelectElement>().map(|s| s.value()).as_deref() {
                Some("prefix") => PatternKind::Prefix,
                Some("wildcard") => PatternKind::Wildcard,
                _ => PatternKind::Exact,
            };
            let text = pattern.cast::<HtmlInputElement>().map(|i| i.value().trim().to_string()).unwrap_or_default();
            let d = durable.cast::<HtmlInputElement>().is_some_and(|i| i.checked());
            if let Err(msg) = Pattern::new(k, text.clone()).validate() {
                error.set(Some(capitalize(&msg)));
                return;
            }
            if active.iter().any(|(s, p)| *s == svc && *p == text) {
                error.set(Some(format!("{svc} is already subscribed to \"{text}\".")));
                return;
            }
            error.set(None);
            live(&on, at, PubSubAction::Subscribe { service: svc, kind: k, pattern: text, durable: d });
        })
    };
    html! {
        <form class="ps-form subscribe-form" onsubmit={on_submit} data-testid="subscribe-form" novalidate=true>
            <label>{ "Service" }
                <select ref={service} data-testid="subscribe-service">
                    { for r.services.iter().map(|s| html! { <option value={s.name.clone()}>{ s.name.clone() }</option> }) }
                </select>
            </label>
            <label>{ "Match" }
                <select ref={kind} data-testid="subscribe-kind">
                    <option value="exact">{ "exact" }</option>
                    <option value="prefix">{ "prefix" }</option>
                    <option value="wildcard">{ "wildcard (* #)" }</option>
                </select>
            </label>
            <label>{ "Pattern" }
                <input ref={pattern} type="text" data-testid="subscribe-pattern" placeholder="payment.*" maxlength="64"
                    autocomplete="off" spellcheck="false" />
            </label>
            <label class="check"><input ref={durable} type="checkbox" data-testid="subscribe-durable" checked=true />{ "durable" }</label>
            <button type="submit" data-testid="subscribe">{ "Subscribe" }</button>
            if let Some(msg) = (*error).clone() {
                <p class="form-error" role="alert" data-testid="subscribe-error">{ msg }</p>
            }
        </form>
    }
}

#[derive(Properties, PartialEq)]
pub struct LogProps {
    pub frame: Frame,
}

/// Most log lines shown.
const LOG_SHOWN: usize = 40;

/// The latest lines of the event log, newest first.
#[function_component(EventLog)]
pub fn event_log(props: &LogProps) -> Html {
    let log = &props.frame.snap.log;
    html! {
        <details class="event-log" open=true>
            <summary>{ "Event log (latest first)" }</summary>
            <ol class="log-lines" data-testid="event-log" reversed=true tabindex="0" aria-label="Event log, latest first">
                { for log.iter().rev().take(LOG_SHOWN).map(|l| html! {
                    <li class={classes!(l.text.contains("MISSED").then_some("bad"), l.text.starts_with("you:").then_some("you"))}>
                        <span class="log-time">{ format!("{:.1} s", l.at_s) }</span>{ " " }{ l.text.clone() }
                    </li>
                }) }
            </ol>
        </details>
    }
}

#[derive(Properties, PartialEq)]
pub struct RecordedProps {
    pub session: PubSubSession,
    pub on_action: Callback<AppAction>,
}

/// The recorded actions, with Undo and Clear.
#[function_component(Recorded)]
pub fn recorded(props: &RecordedProps) -> Html {
    let actions = props.session.actions();
    let undo = {
        let on = props.on_action.clone();
        Callback::from(move |_| on.emit(AppAction::edit::<PubSub>(Edit::Undo)))
    };
    let clear = {
        let on = props.on_action.clone();
        Callback::from(move |_| on.emit(AppAction::edit::<PubSub>(Edit::ClearActions)))
    };
    html! {
        <div class="recorded">
            <h3>{ format!("Recorded actions ({})", actions.len()) }</h3>
            if actions.is_empty() {
                <p class="muted">{ "None yet: publish, subscribe, stop a service or crash the broker while the run plays." }</p>
            } else {
                <ol class="actions-list" data-testid="pubsub-actions" tabindex="0" aria-label="Recorded actions">
                    { for actions.iter().map(|(t, a)| html! { <li>{ format!("{:.1} s: {}", *t as f64 / 1000.0, a.describe()) }</li> }) }
                </ol>
            }
            <div class="row">
                <button data-testid="pubsub-undo" onclick={undo} disabled={actions.is_empty()}>{ "Undo last" }</button>
                <button data-testid="pubsub-clear" onclick={clear} disabled={actions.is_empty()}>{ "Clear actions" }</button>
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn the_publish_form_explains_what_is_wrong() {
        assert!(parse_publish("", "1").unwrap_err().contains("empty"));
        assert!(parse_publish("order created", "1").unwrap_err().contains("not valid"));
        assert!(parse_publish("order_created", "0").unwrap_err().contains("1 to 1000"));
        assert!(parse_publish("order_created", "x").unwrap_err().contains("whole number"));
        assert_eq!(
            parse_publish(" order_created ", "3").unwrap(),
            PubSubAction::Publish { topic: "order_created".into(), count: 3 }
        );
    }
}
