//! The timed part of the page: the notes' services on a diagram, killed, slowed and revived at the
//! playhead; the chain and the flow on the same requests as they go; both whole runs side by side; the
//! requests' setup.

use super::{Done, EventsSession, Frame};
use crate::scenario::Edit;
use crate::sim::events::chain::limits as chain_limits;
use crate::sim::events::flow::limits as flow_limits;
use crate::sim::events::{Events, EventsAction, EventsLabConfig, LatencyMs, Service, ServiceState};
use crate::ui::app::AppAction;
use crate::ui::chart::{Line, LineChart};
use crate::ui::form::{Check, Field, checked, text_of, use_checked, whole_in};
use crate::ui::format::count;
use crate::ui::palette;
use std::rc::Rc;
use yew::prelude::*;

/// A slowdown one click applies: five times the latency.
const SLOW_PCT: u32 = 500;

fn state_text(s: ServiceState) -> String {
    match s {
        ServiceState::Up => "up".into(),
        ServiceState::Down => "down".into(),
        ServiceState::Slow(p) => format!("slow ×{}", f64::from(p) / 100.0),
    }
}

fn state_class(s: ServiceState) -> &'static str {
    match s {
        ServiceState::Up => "up",
        ServiceState::Down => "down",
        ServiceState::Slow(_) => "slow",
    }
}

/// Where each box sits on the diagram (x, y of its top-left corner).
const BOXES: [(Service, f64, f64); 5] = [
    (Service::S0, 190.0, 14.0),
    (Service::S1, 100.0, 74.0),
    (Service::S2, 190.0, 134.0),
    (Service::S3, 290.0, 104.0),
    (Service::S4, 290.0, 164.0),
];
const BOX_W: f64 = 70.0;
const BOX_H: f64 = 36.0;

fn at(s: Service) -> (f64, f64) {
    BOXES.iter().find(|b| b.0 == s).map(|b| (b.1, b.2)).unwrap_or_default()
}

fn arrow(from: (f64, f64), to: (f64, f64)) -> Html {
    let (x1, y1) = (from.0 + BOX_W, from.1 + BOX_H / 2.0);
    let (x2, y2) = (to.0, to.1 + BOX_H / 2.0);
    html! { <line x1={x1.to_string()} y1={y1.to_string()} x2={(x2 - 2.0).to_string()} y2={y2.to_string()} class="edge" marker-end="url(#ev-arrow)" /> }
}

#[derive(Properties, PartialEq)]
pub struct DiagramProps {
    pub frame: Frame,
}

/// The client and the five services, each box coloured by its state at the clock, with the events
/// waiting for it in the broker (event-driven).
#[function_component(Diagram)]
pub fn diagram(props: &DiagramProps) -> Html {
    let s = &props.frame.snap;
    let boxes = BOXES.iter().map(|&(svc, x, y)| {
        let st = s.services[svc.index()];
        let pending = s.flow.pending_by_service[svc.index()];
        html! {
            <g class={classes!("svc", state_class(st))} data-testid={format!("service-{}", svc.name())} data-state={state_class(st)}>
                <rect x={x.to_string()} y={y.to_string()} width={BOX_W.to_string()} height={BOX_H.to_string()} rx="5" />
                <text x={(x + BOX_W / 2.0).to_string()} y={(y + 15.0).to_string()} text-anchor="middle" class="svc-name">{ svc.name() }</text>
                <text x={(x + BOX_W / 2.0).to_string()} y={(y + 29.0).to_string()} text-anchor="middle" class="svc-state">{ state_text(st) }</text>
                if pending > 0 {
                    <text x={(x + BOX_W / 2.0).to_string()} y={(y + BOX_H + 12.0).to_string()} text-anchor="middle" class="svc-pending">{ format!("{} queued", count(u64::from(pending))) }</text>
                }
            </g>
        }
    });
    let label = format!(
        "The client calls S1; S1 calls S0 and S2; S2 calls S3 and S4. Now: {}.",
        Service::ALL
            .iter()
            .map(|&v| format!("{} {}", v.name(), state_text(s.services[v.index()])))
            .collect::<Vec<_>>()
            .join(", ")
    );
    html! {
        <svg class="events-diagram" viewBox="0 0 370 218" role="img" aria-label={label} data-testid="events-diagram">
            <defs><marker id="ev-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse">
                <path d="M 0 0 L 10 5 L 0 10 z" /></marker></defs>
            <g class="svc client"><rect x="4" y="74" width="64" height={BOX_H.to_string()} rx="5" />
                <text x="36" y="96" text-anchor="middle" class="svc-name">{ "Client" }</text></g>
            { arrow((4.0 - BOX_W + 64.0, 74.0), at(Service::S1)) }
            { arrow(at(Service::S1), at(Service::S0)) }
            { arrow(at(Service::S1), at(Service::S2)) }
            { arrow(at(Service::S2), at(Service::S3)) }
            { arrow(at(Service::S2), at(Service::S4)) }
            { for boxes }
        </svg>
    }
}

#[derive(Properties, PartialEq)]
pub struct ControlsProps {
    pub frame: Frame,
    pub on_action: Callback<AppAction>,
}

/// Kill, slow or revive each service at the playhead.
#[function_component(ServiceControls)]
pub fn service_controls(props: &ControlsProps) -> Html {
    let at_ms = props.frame.clock_us / 1000;
    let s = &props.frame.snap;
    let act = |a: EventsAction| {
        let on = props.on_action.clone();
        Callback::from(move |_| on.emit(AppAction::edit::<Events>(Edit::Live { at_ms, action: a })))
    };
    html! {
        <div class="service-controls" role="group" aria-label="Kill, slow or revive a service now">
            { for Service::ALL.iter().map(|&service| {
                let st = s.services[service.index()];
                let n = service.name();
                html! {
                    <div class="row svc-row">
                        <span class="svc-label">{ n }</span>
                        <button data-testid={format!("kill-{n}")} disabled={st == ServiceState::Down}
                            onclick={act(EventsAction::Kill { service })}>{ "Kill" }</button>
                        <button data-testid={format!("slow-{n}")} disabled={st == ServiceState::Slow(SLOW_PCT)}
                            onclick={act(EventsAction::Slow { service, factor_pct: SLOW_PCT })}>{ "Slow ×5" }</button>
                        <button data-testid={format!("revive-{n}")} disabled={st == ServiceState::Up}
                            onclick={act(EventsAction::Revive { service })}>{ "Revive" }</button>
                    </div>
                }
            }) }
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct LiveProps {
    pub frame: Frame,
}

/// The chain and the flow so far, row by row.
#[function_component(LiveTable)]
pub fn live_table(props: &LiveProps) -> Html {
    let s = &props.frame.snap;
    let (c, f) = (&s.chain, &s.flow);
    let n = |v: u32| count(u64::from(v));
    let row = |what: &str, id: &str, chain: String, flow: String| {
        html! {
            <tr><th scope="row">{ what.to_string() }</th>
                <td class="num" data-testid={format!("live-chain-{id}")}>{ chain }</td>
                <td class="num" data-testid={format!("live-flow-{id}")}>{ flow }</td></tr>
        }
    };
    let accepted_flow = f.answered + f.client_failures;
    html! {
        <table class="events-live" data-testid="events-live">
            <caption>{ format!("At {:.1} s, {} requests in all", s.at_us as f64 / 1e6, n(s.requests)) }</caption>
            <thead><tr><th></th><th class="num">{ "request chain" }</th><th class="num">{ "event-driven" }</th></tr></thead>
            <tbody>
                { row("requests sent", "sent", n(c.sent), n(accepted_flow)) }
                { row("answered, success", "succeeded", n(c.succeeded), n(f.answered)) }
                { row("failed, as the client saw it", "failed", n(c.failed), n(f.client_failures)) }
                { row("client waiting now", "waiting", n(c.waiting), "0".into()) }
                { row("client retries", "retries", n(c.retries), "–".into()) }
                { row("writes at S1 / S2", "writes", format!("{} / {}", n(c.writes_s1), n(c.writes_s2)),
                    format!("{} / {}", n(f.writes[1]), n(f.writes[2]))) }
                { row("duplicate writes", "duplicates", n(c.duplicate_writes), "0".into()) }
                { row("events waiting in the broker", "pending", "–".into(), n(f.pending)) }
                { row("dead-lettered", "dead", "–".into(), n(f.dead_lettered)) }
                { row("requests done at every service", "consistent", "–".into(), n(f.consistent)) }
            </tbody>
        </table>
    }
}

fn ms(v: f64) -> String {
    if v >= 100.0 { format!("{} ms", count(v.round() as u64)) } else { format!("{v:.1} ms") }
}

fn latency_cells(l: &LatencyMs, id: &str) -> Html {
    html! {
        <>
            <td class="num" data-testid={format!("{id}-mean")}>{ ms(l.mean_ms) }</td>
            <td class="num" data-testid={format!("{id}-p50")}>{ ms(l.p50_ms) }</td>
            <td class="num" data-testid={format!("{id}-p99")}>{ ms(l.p99_ms) }</td>
            <td class="num">{ ms(l.max_ms) }</td>
        </>
    }
}

#[derive(Properties, PartialEq)]
pub struct CompareProps {
    pub outcome: Done,
}

/// Both whole runs side by side, and the flow's pending work over time.
#[function_component(Comparison)]
pub fn comparison(props: &CompareProps) -> Html {
    let Some(o) = &props.outcome else { return html! {} };
    let r = &o.report;
    let (c, f) = (&r.chain, &r.flow);
    let n = |v: u32| count(u64::from(v));
    let consistent = f.consistent_at_ms.map_or_else(
        || if f.dead_lettered > 0 { "never: events dead-lettered".to_string() } else { "not yet".to_string() },
        |t| format!("{:.1} s", t / 1000.0),
    );
    let lines = Rc::new(vec![Line {
        name: "events pending",
        color: palette::rgb(0),
        values: f.pending_series.iter().map(|p| f64::from(p.pending)).collect(),
    }]);
    let step_s = match f.pending_series.as_slice() {
        [a, b, ..] => (b.at_ms - a.at_ms) as f64 / 1000.0,
        _ => 1.0,
    };
    let y_max = f64::from(f.pending_max.max(1)) * 1.1;
    html! {
        <>
        { crate::ui::scroll::scroll("The whole run, both ways", html! {
        <table class="events-compare" data-testid="events-compare">
            <caption>{ format!("The whole run: {} requests", n(c.requests)) }</caption>
            <thead><tr><th></th><th class="num">{ "mean" }</th><th class="num">{ "p50" }</th><th class="num">{ "p99" }</th><th class="num">{ "max" }</th>
                <th class="num">{ "client failures" }</th></tr></thead>
            <tbody>
                <tr><th scope="row">{ "request chain" }</th>{ latency_cells(&c.latency, "cmp-chain") }
                    <td class="num" data-testid="cmp-chain-failures">{ n(c.client_failures) }</td></tr>
                <tr><th scope="row">{ "event-driven" }</th>{ latency_cells(&f.latency, "cmp-flow") }
                    <td class="num" data-testid="cmp-flow-failures">{ n(f.client_failures) }</td></tr>
            </tbody>
        </table>
        }) }
        <ul class="events-facts">
            <li data-testid="cmp-failed-writes">{ format!(
                "Chain: {} requests the client saw fail were already written at S1, {} at S2 (committed before calling on).",
                n(c.writes_of_failed_requests[1]), n(c.writes_of_failed_requests[2])) }</li>
            <li data-testid="cmp-timeouts">{ format!(
                "Chain: {} calls timed out; callers spent {:.1} s in all waiting for them.", n(c.timeouts), c.timeout_wait_ms / 1000.0) }</li>
            <li data-testid="cmp-duplicates">{ format!(
                "Chain: {} attempts for {} requests; {} duplicate writes{}.", n(c.attempts), n(c.requests), n(c.duplicate_writes_total),
                if c.duplicate_writes_total > 0 { " (retries without idempotency keys)" } else { "" }) }</li>
            <li data-testid="cmp-pending">{ format!(
                "Event-driven: {} deliveries, {} failed and retried with backoff; at most {} events waiting at once; {} dead-lettered.",
                n(f.deliveries), n(f.failed_deliveries), n(f.pending_max), n(f.dead_lettered)) }</li>
            <li data-testid="cmp-consistent">{ format!(
                "Event-driven: consistent everywhere at {consistent}; a request's effects reached every service {} after its answer (p99: {}).",
                ms(f.consistency_delay.mean_ms), ms(f.consistency_delay.p99_ms)) }</li>
        </ul>
        <LineChart lines={lines} y_max={y_max} marker={None} y_percent={false} x_step={step_s}
            testid="events-pending-chart" label="Event-driven: events waiting in the broker (x: seconds)" />
        </>
    }
}

#[derive(Properties, PartialEq)]
pub struct SetupProps {
    pub session: EventsSession,
    pub on_action: Callback<AppAction>,
}

/// The requests, each service's latency and its callers' timeouts, the client's retries and keys, the
/// broker's attempts and dead letters.
#[function_component(RequestSetup)]
pub fn request_setup(props: &SetupProps) -> Html {
    let config = props.session.config();
    let r = &config.requests;
    let marks = use_checked(props.session.clone());
    // 0-4: requests, rate, client timeout, retries, attempts; 5, 6: the two checks; 7-11: S0..S4's
    // latency; 12, 13: S1's and S2's call timeouts.
    let refs: [NodeRef; 14] = std::array::from_fn(|_| NodeRef::default());
    let on_submit = {
        let (refs, marks, on, session) = (refs.clone(), marks.clone(), props.on_action.clone(), props.session.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let mut m = crate::ui::form::Checked::default();
            let mut c: EventsLabConfig = session.config().clone();
            let mut read = |i: usize, id: String, what: &str, lo: u64, hi: u64| {
                m.field(id, whole_in(&text_of(&refs[i]), what, lo, hi)).map(|v| v as u32)
            };
            let timeout_max = u64::from(chain_limits::TIMEOUT_MS_MAX);
            let requests = read(0, "ev-requests".into(), "Requests", 1, u64::from(chain_limits::REQUESTS_MAX));
            let rate = read(1, "ev-rate".into(), "The rate", 1, u64::from(chain_limits::RATE_MAX));
            let timeout = read(2, "ev-client-timeout".into(), "The client's timeout", 1, timeout_max);
            let retries = read(3, "ev-retries".into(), "Retries", 0, u64::from(chain_limits::RETRIES_MAX));
            let attempts = read(4, "ev-attempts".into(), "Delivery attempts", 1, u64::from(flow_limits::ATTEMPTS_MAX));
            let latency: Vec<Option<u32>> = Service::ALL
                .iter()
                .map(|s| {
                    let n = s.name();
                    let max = u64::from(chain_limits::LATENCY_US_MAX / 1000);
                    read(7 + s.index(), format!("ev-latency-{n}"), &format!("{n}'s latency"), 0, max)
                })
                .collect();
            let s1_timeout = read(12, "ev-timeout-S1".into(), "S1's timeout", 1, timeout_max);
            let s2_timeout = read(13, "ev-timeout-S2".into(), "S2's timeout", 1, timeout_max);
            if let (Some(a), Some(b), Some(t), Some(k), Some(d), Some(t1), Some(t2)) =
                (requests, rate, timeout, retries, attempts, s1_timeout, s2_timeout)
                && latency.iter().all(Option::is_some)
            {
                let chain = &mut c.requests.chain;
                chain.requests = a;
                chain.rate_per_s = b;
                chain.client_timeout_ms = t;
                chain.retries = k;
                chain.idempotency_keys = checked(&refs[5]);
                // A latency shown as it was keeps its microseconds.
                for (spec, l) in chain.services.iter_mut().zip(latency.iter().flatten()) {
                    if *l != spec.base_us / 1000 {
                        spec.base_us = l * 1000;
                    }
                }
                chain.services[Service::S1.index()].call_timeout_ms = t1;
                chain.services[Service::S2.index()].call_timeout_ms = t2;
                c.requests.max_attempts = d;
                c.requests.dead_letter = checked(&refs[6]);
                m.whole(c.validate());
            }
            if m.is_ok() {
                on.emit(AppAction::edit::<Events>(Edit::Setup { seed: session.seed(), config: c }));
            }
            marks.set(m);
        })
    };
    let src = |v: u32| AttrValue::from(v.to_string());
    let field = |i: usize, label: String, id: String, v: u32| {
        html! { <Field label={label} node={refs[i].clone()} testid={id.clone()} source={src(v)} error={marks.error(&id)} /> }
    };
    let chain = &r.chain;
    html! {
        <form class="ps-form events-setup" onsubmit={on_submit} novalidate=true data-testid="requests-setup">
            <div class="form-grid">
                { field(0, "Requests".into(), "ev-requests".into(), chain.requests) }
                { field(1, "Per second".into(), "ev-rate".into(), chain.rate_per_s) }
                { field(2, "Client timeout (ms)".into(), "ev-client-timeout".into(), chain.client_timeout_ms) }
                { field(3, "Client retries".into(), "ev-retries".into(), chain.retries) }
                { field(12, "S1 waits for S0, S2 (ms)".into(), "ev-timeout-S1".into(), chain.services[1].call_timeout_ms) }
                { field(13, "S2 waits for S3, S4 (ms)".into(), "ev-timeout-S2".into(), chain.services[2].call_timeout_ms) }
                { for Service::ALL.iter().map(|s| field(7 + s.index(), format!("{} latency (ms, + jitter)", s.name()),
                    format!("ev-latency-{}", s.name()), chain.services[s.index()].base_us / 1000)) }
                { field(4, "Delivery attempts".into(), "ev-attempts".into(), r.max_attempts) }
            </div>
            <Check label="Idempotency keys on the client's retries" node={refs[5].clone()} testid="ev-keys" source={chain.idempotency_keys} />
            <Check label="Dead-letter an event after its attempts" node={refs[6].clone()} testid="ev-dead-letter" source={r.dead_letter} />
            if let Some(e) = marks.whole_error() {
                <p class="form-error" role="alert" data-testid="requests-setup-error">{ e }</p>
            }
            <button type="submit" data-testid="requests-apply">{ "Apply" }</button>
        </form>
    }
}
