//! The lab's other cards: the circuit breaker's states on a timeline, the retry storm with its
//! defences, the notes' five services deployed three ways, and two calculators (an availability
//! expression; a rate limiter's answers).

use super::{ResilienceSession, avail, minutes};
use crate::scenario::Edit;
use crate::sim::resilience::Resilience;
use crate::sim::resilience::architecture::{Design, SERVICES};
use crate::sim::resilience::availability;
use crate::sim::resilience::cards::{breaker_run, services_run};
use crate::sim::resilience::circuit::State;
use crate::sim::resilience::lab::ResilienceConfig;
use crate::sim::resilience::storm;
use crate::sim::resilience::throttle;
use crate::ui::app::AppAction;
use crate::ui::chart::{Line, LineChart};
use crate::ui::form::{Checked, Field, text_of, use_checked, whole_in};
use crate::ui::format::count;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct CardProps {
    pub session: ResilienceSession,
    pub on_action: Callback<AppAction>,
}

/// Applies a changed configuration (kept recorded changes and seed).
fn setup(props: &CardProps, change: impl Fn(&mut ResilienceConfig) + 'static) -> Callback<MouseEvent> {
    let (on, session) = (props.on_action.clone(), props.session.clone());
    Callback::from(move |_| {
        let mut c = session.config().clone();
        change(&mut c);
        on.emit(AppAction::edit::<Resilience>(Edit::Setup { seed: session.seed(), config: c }));
    })
}

/// A whole-number field of a settings form: its test id, label, value now, least and most.
#[derive(Clone, Debug, PartialEq)]
pub struct Num {
    pub id: &'static str,
    pub label: &'static str,
    pub value: u64,
    pub lo: u64,
    pub hi: u64,
}

const fn num(id: &'static str, label: &'static str, value: u64, lo: u64, hi: u64) -> Num {
    Num { id, label, value, lo, hi }
}

/// Writes a form's values, in its fields' order, into a copy of the configuration.
pub type Apply = fn(&mut ResilienceConfig, &[u64]);

#[derive(Properties)]
pub struct NumbersProps {
    pub session: ResilienceSession,
    pub on_action: Callback<AppAction>,
    pub testid: &'static str,
    pub fields: Rc<Vec<Num>>,
    pub apply: Apply,
    #[prop_or_default]
    pub intro: Option<&'static str>,
}

impl PartialEq for NumbersProps {
    fn eq(&self, other: &Self) -> bool {
        self.session == other.session
            && self.on_action == other.on_action
            && self.testid == other.testid
            && self.fields == other.fields
            && self.intro == other.intro
    }
}

/// A card's settings: whole numbers, each checked in its range and marked when it is not; then the
/// whole configuration checked and, when nothing is marked, applied (the recorded changes kept).
#[function_component(NumbersForm)]
pub fn numbers_form(props: &NumbersProps) -> Html {
    let marks = use_checked(props.session.clone());
    let refs: Rc<Vec<NodeRef>> = use_memo(props.fields.len(), |n| (0..*n).map(|_| NodeRef::default()).collect());
    let submit = {
        let (refs, marks, on, session, fields, apply) = (
            refs.clone(),
            marks.clone(),
            props.on_action.clone(),
            props.session.clone(),
            props.fields.clone(),
            props.apply,
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let mut m = Checked::default();
            let values: Vec<Option<u64>> = fields
                .iter()
                .zip(refs.iter())
                .map(|(f, r)| m.field(f.id, whole_in(&text_of(r), f.label, f.lo, f.hi)))
                .collect();
            let mut c = session.config().clone();
            if let Some(v) = values.into_iter().collect::<Option<Vec<u64>>>() {
                apply(&mut c, &v);
                m.whole(c.validate());
            }
            if m.is_ok() {
                on.emit(AppAction::edit::<Resilience>(Edit::Setup { seed: session.seed(), config: c }));
            }
            marks.set(m);
        })
    };
    html! {
        <form class="ps-form" onsubmit={submit} data-testid={props.testid} novalidate=true>
            <h3>{ "Settings" }</h3>
            if let Some(i) = props.intro {
                <p class="muted">{ i }</p>
            }
            <div class="form-grid">
            { for props.fields.iter().zip(refs.iter()).map(|(f, r)| html! {
                <Field label={f.label} node={r.clone()} testid={f.id} source={f.value.to_string()} error={marks.error(f.id)} />
            }) }
            </div>
            if let Some(e) = marks.whole_error() {
                <p class="form-error" role="alert">{ e }</p>
            }
            <button type="submit" data-testid={format!("{}-apply", props.testid)}>{ "Apply" }</button>
        </form>
    }
}

/// The failures of each kind of part, the take-overs' windows and the years simulated.
#[function_component(FailureSettings)]
pub fn failure_settings(props: &CardProps) -> Html {
    use crate::sim::resilience::topology::limits::{HOURS_MAX, WINDOW_S_MAX};
    let c = props.session.config();
    let (f, w) = (c.topology.failures, c.topology.windows);
    let (h, s) = (u64::from(HOURS_MAX), u64::from(WINDOW_S_MAX));
    let v = |x: u32| u64::from(x);
    let fields = Rc::new(vec![
        num("mtbf-dns", "DNS: hours between failures", v(f.dns.mtbf_h), 1, h),
        num("mttr-dns", "DNS: hours to repair", v(f.dns.mttr_h), 1, h),
        num("mtbf-lb", "A load balancer: hours between failures", v(f.lb.mtbf_h), 1, h),
        num("mttr-lb", "A load balancer: hours to repair", v(f.lb.mttr_h), 1, h),
        num("mtbf-node", "A node: hours between failures", v(f.node.mtbf_h), 1, h),
        num("mttr-node", "A node: hours to repair", v(f.node.mttr_h), 1, h),
        num("mtbf-db", "A database: hours between failures", v(f.db.mtbf_h), 1, h),
        num("mttr-db", "A database: hours to repair", v(f.db.mttr_h), 1, h),
        num("mtbf-coordinator", "A coordinator: hours between failures", v(f.coordinator.mtbf_h), 1, h),
        num("mttr-coordinator", "A coordinator: hours to repair", v(f.coordinator.mttr_h), 1, h),
        num("mtbf-region", "A region: hours between failures", v(f.region.mtbf_h), 1, h),
        num("mttr-region", "A region: hours to repair", v(f.region.mttr_h), 1, h),
        num("window-health", "Health checks notice a dead node (s)", v(w.health_check_s), 0, s),
        num("window-dns", "DNS drops a dead address, caches expire (s)", v(w.dns_s), 0, s),
        num("window-auto", "The coordinator promotes a backup (s)", v(w.auto_promote_s), 0, s),
        num("window-manual", "Someone promotes a backup by hand (s)", v(w.manual_promote_s), 0, s),
        num("years", "Years to simulate", v(c.years), 1, u64::from(crate::sim::resilience::lab::limits::YEARS_MAX)),
    ]);
    fn apply(c: &mut ResilienceConfig, v: &[u64]) {
        let t = &mut c.topology;
        let f = &mut t.failures;
        let kinds = [&mut f.dns, &mut f.lb, &mut f.node, &mut f.db, &mut f.coordinator, &mut f.region];
        for (k, m) in kinds.into_iter().enumerate() {
            m.mtbf_h = v[2 * k] as u32;
            m.mttr_h = v[2 * k + 1] as u32;
        }
        t.windows.health_check_s = v[12] as u32;
        t.windows.dns_s = v[13] as u32;
        t.windows.auto_promote_s = v[14] as u32;
        t.windows.manual_promote_s = v[15] as u32;
        c.years = v[16] as u32;
    }
    html! {
        <NumbersForm session={props.session.clone()} on_action={props.on_action.clone()} testid="failure" {fields} apply={apply as Apply}
            intro={Some("Each kind of part fails on average once every so many hours and takes so many to repair (exponential times): its availability is MTBF / (MTBF + MTTR).")} />
    }
}

/// The bulkhead: A's requests served and refused each second while B hangs, with and without it,
/// beside Erlang B.
#[function_component(BulkheadCardView)]
pub fn bulkhead_card_view(props: &CardProps) -> Html {
    let c = props.session.config().bulkhead;
    let seed = props.session.seed();
    let run = use_memo((c, seed), |(c, seed)| crate::sim::resilience::bulkhead::bulkhead_run(c, *seed));
    let toggle = html! {
        <label class="check"><input type="checkbox" data-testid="bulkhead-on" checked={c.bulkhead.is_some()}
            onclick={setup(props, |c| c.bulkhead.bulkhead = if c.bulkhead.bulkhead.is_some() { None } else { Some(5) })} />
            { " a bulkhead: at most 5 calls to B at once" }</label>
    };
    let r = match run.as_ref() {
        Ok(r) => r,
        Err(e) => {
            return html! { <>{ toggle }<p class="form-error" role="alert">{ crate::ui::form::sentence(e) }</p></> };
        }
    };
    let lines = Rc::new(vec![
        line("A served", (40, 140, 80), &r.seconds, |s| s.a_served),
        line("A refused", (200, 40, 40), &r.seconds, |s| s.a_refused),
        line("workers busy with B", (120, 120, 120), &r.seconds, |s| s.b_busy),
    ]);
    let top = r.seconds.iter().map(|s| (s.a_served + s.a_refused).max(s.b_busy)).max().unwrap_or(1).max(1);
    html! {
        <div class="bulkhead" data-testid="bulkhead">
            <p>{ format!(
                "{} workers serve calls to A ({} a second, {} ms each) and to B ({} a second, {} ms each). From {} s to {} s B hangs: each call waits its {} ms timeout. A request that finds no worker free is refused.",
                c.workers, c.a_per_s, c.a_ms, c.b_per_s, c.b_ms, c.outage_from_s, c.outage_to_s, c.timeout_ms) }</p>
            { toggle }
            <LineChart lines={lines} y_max={f64::from(top) * 1.1} marker={Some(c.outage_from_s as usize)} y_percent={false}
                testid="bulkhead-chart" label={format!("Each second: A's requests served and refused, and the workers busy with B. While B hangs, {:.1}% of A's requests were refused.", 100.0 * r.a_refused_share)} />
            <p data-testid="bulkhead-outcome" class={classes!(if r.a_refused_share > 0.01 { "bad" } else { "ok" })}>{ format!(
                "While B hangs, {:.1}% of A's requests are refused; Erlang B's blocking for {} says {:.1}%.",
                100.0 * r.a_refused_share,
                match c.bulkhead { None => format!("{} workers shared by all", c.workers), Some(k) => format!("the {} workers B cannot take", c.workers - k) },
                100.0 * r.a_refused_theory) }</p>
            <p class="muted">{ format!(
                "Over the run, {} of A's requests and {} of B's were refused. Erlang B is the steady state: for the first {} ms of the hang B's calls are still filling the workers, and fewer of A's are turned away.",
                count(r.a_refused), count(r.b_refused), c.timeout_ms) }</p>
        </div>
    }
}

/// A chart's line of one figure of each second.
fn line<T>(name: &'static str, color: (u8, u8, u8), seconds: &[T], figure: impl Fn(&T) -> u32) -> Line {
    Line { name, color, values: seconds.iter().map(|s| f64::from(figure(s))).collect() }
}

/// Changes of state listed (a breaker that flaps makes thousands).
const TRANSITIONS_SHOWN: usize = 24;

fn state_name(s: State) -> &'static str {
    match s {
        State::Closed => "closed",
        State::Open => "open",
        State::HalfOpen => "half-open",
    }
}

/// The breaker: its states second by second, its transitions, what it spared the service; its settings.
#[function_component(BreakerCardView)]
pub fn breaker_card_view(props: &CardProps) -> Html {
    let card = props.session.config().breaker;
    let run = use_memo(card, breaker_run);
    let b = card.breaker;
    let fields = Rc::new(vec![
        num("breaker-window", "Sliding window (calls)", u64::from(b.window), 1, 100_000),
        num("breaker-minimum", "Minimum calls before judging", u64::from(b.minimum_calls), 1, 100_000),
        num("breaker-rate", "Failure rate that opens it (%)", u64::from(b.failure_rate_pct), 1, 100),
        num("breaker-open", "Time open (s)", b.open_ms / 1000, 0, 86_400),
        num("breaker-half-open", "Calls let through half-open", u64::from(b.half_open_calls), 1, 100_000),
        num("breaker-calls", "Calls a second", u64::from(card.calls_per_s), 1, 1_000),
        num("breaker-outage-from", "Service down from (s)", u64::from(card.outage_from_s), 0, 3_600),
        num("breaker-outage-to", "Service back at (s)", u64::from(card.outage_to_s), 0, 3_600),
        num("breaker-duration", "Run (s)", u64::from(card.duration_s), 1, 3_600),
    ]);
    fn apply(c: &mut ResilienceConfig, v: &[u64]) {
        let b = &mut c.breaker;
        b.breaker.window = v[0] as u32;
        b.breaker.minimum_calls = v[1] as u32;
        b.breaker.failure_rate_pct = v[2] as u32;
        b.breaker.open_ms = v[3] * 1000;
        b.breaker.half_open_calls = v[4] as u32;
        b.calls_per_s = v[5] as u32;
        b.outage_from_s = v[6] as u32;
        b.outage_to_s = v[7] as u32;
        b.duration_s = v[8] as u32;
    }
    let form = html! {
        <NumbersForm session={props.session.clone()} on_action={props.on_action.clone()} testid="breaker" {fields} apply={apply as Apply} />
    };
    let Ok(r) = run.as_ref() else {
        return html! { <>{ form }</> };
    };
    let strip = r.seconds.iter().map(|s| {
        html! { <span class={classes!("sec", state_name(s.state))} title={format!("{} s: {}", s.t_s, state_name(s.state))}></span> }
    });
    html! {
        <div class="breaker" data-testid="breaker">
            <p>{ format!(
                "{} calls a second to a service that fails every call from {} s to {} s. The breaker keeps the last {} outcomes, judges once it has {}, opens at {}% failures, stays open {} s, then lets {} calls through.",
                card.calls_per_s, card.outage_from_s, card.outage_to_s, card.breaker.window, card.breaker.minimum_calls.min(card.breaker.window),
                card.breaker.failure_rate_pct, card.breaker.open_ms / 1000, card.breaker.half_open_calls) }</p>
            <div class="state-strip" role="img" data-testid="breaker-strip"
                aria-label={format!("The breaker's state each second: {} changes of state", r.transitions.len())}>{ for strip }</div>
            <ul class="legend inline" aria-hidden="true">
                <li><span class="sec closed"></span>{ " closed" }</li>
                <li><span class="sec open"></span>{ " open" }</li>
                <li><span class="sec half-open"></span>{ " half-open" }</li>
            </ul>
            <ol class="transitions" data-testid="breaker-transitions">
                { for r.transitions.iter().take(TRANSITIONS_SHOWN).map(|t| html! {
                    <li>{ format!("{:.2} s: {} → {}{}", t.at_ms as f64 / 1000.0, state_name(t.from), state_name(t.to),
                        t.failure_rate_pct.map(|p| format!(" (failure rate {p:.0}%)")).unwrap_or_else(|| " (time)".to_string())) }</li>
                }) }
            </ol>
            if r.transitions.len() > TRANSITIONS_SHOWN {
                <p class="muted">{ format!("… and {} more changes of state.", count(r.transitions.len() as u64 - TRANSITIONS_SHOWN as u64)) }</p>
            }
            <p data-testid="breaker-summary">{ format!(
                "Of {} calls during the outage, {} reached the failing service; the breaker refused {} at once (failing fast) over the run.{}",
                count(r.outage_calls), count(r.failed_during_outage), count(r.refused),
                match r.closed_after_outage_s { Some(s) => format!(" It closed {s:.1} s after the service came back."), None => " It had not closed by the run's end.".to_string() }) }</p>
            { form }
        </div>
    }
}

/// The retry storm: goodput and attempts offered per second, with and without its defences.
#[function_component(StormCardView)]
pub fn storm_card_view(props: &CardProps) -> Html {
    let c = props.session.config().storm;
    let seed = props.session.seed();
    let run = use_memo((c, seed), |(c, seed)| storm::run(c, *seed));
    let toggles = html! {
        <div class="row" role="group" aria-label="Defences">
            <label class="check"><input type="checkbox" data-testid="storm-jitter" checked={c.jitter}
                onclick={setup(props, |c| c.storm.jitter = !c.storm.jitter)} />{ " full jitter on the backoff" }</label>
            <label class="check"><input type="checkbox" data-testid="storm-budget" checked={c.budget_pct.is_some()}
                onclick={setup(props, |c| c.storm.budget_pct = if c.storm.budget_pct.is_some() { None } else { Some(10) })} />{ " a retry budget of 10%" }</label>
            <label class="check"><input type="checkbox" data-testid="storm-shed" checked={c.shed_stale}
                onclick={setup(props, |c| c.storm.shed_stale = !c.storm.shed_stale)} />{ " shed attempts past their deadline" }</label>
        </div>
    };
    let fields = Rc::new(vec![
        num("storm-arrivals", "Requests a second", u64::from(c.arrival_per_s), 1, 100_000),
        num("storm-workers", "Workers", u64::from(c.workers), 1, u64::from(storm::limits::WORKERS_MAX)),
        num("storm-service", "An attempt's work (µs)", u64::from(c.service_us), 1, 60_000_000),
        num("storm-timeout", "Timeout (ms)", u64::from(c.timeout_ms), 1, 600_000),
        num("storm-retries", "Retries", u64::from(c.retries), 0, u64::from(storm::limits::RETRIES_MAX)),
        num("storm-backoff", "First backoff (ms)", u64::from(c.backoff_ms), 0, 600_000),
        num("storm-outage-from", "Outage from (s)", c.outage_from_ms / 1000, 0, 3_600),
        num("storm-outage-to", "Outage until (s)", c.outage_to_ms / 1000, 0, 3_600),
        num("storm-duration", "Run (s)", c.duration_ms / 1000, 1, 3_600),
    ]);
    fn apply(c: &mut ResilienceConfig, v: &[u64]) {
        let s = &mut c.storm;
        s.arrival_per_s = v[0] as u32;
        s.workers = v[1] as u32;
        s.service_us = v[2] as u32;
        s.timeout_ms = v[3] as u32;
        s.retries = v[4] as u32;
        s.backoff_ms = v[5] as u32;
        s.outage_from_ms = v[6] * 1000;
        s.outage_to_ms = v[7] * 1000;
        s.duration_ms = v[8] * 1000;
    }
    let form = html! {
        <NumbersForm session={props.session.clone()} on_action={props.on_action.clone()} testid="storm" {fields} apply={apply as Apply} />
    };
    let r = match run.as_ref() {
        Ok(r) => r,
        Err(e) => {
            return html! { <>{ toggles }<p class="form-error" role="alert">{ crate::ui::form::sentence(e) }</p>{ form }</> };
        }
    };

    let lines = Rc::new(vec![
        line("attempts offered", (200, 90, 40), &r.samples, |s| s.offered),
        line("answered in time", (40, 140, 80), &r.samples, |s| s.goodput),
        line("served too late (wasted)", (120, 120, 120), &r.samples, |s| s.wasted),
    ]);
    let top = r.samples.iter().map(|s| s.offered.max(s.goodput)).max().unwrap_or(1).max(1);
    html! {
        <div class="storm" data-testid="storm">
            <p>{ format!(
                "{} requests a second against {} workers of {} ms ({:.0} a second of capacity); clients give up after {} ms and retry {} times after {} ms, doubling; the service is down from {} s to {} s.",
                c.arrival_per_s, c.workers, c.service_us / 1000, c.capacity_per_s(), c.timeout_ms, c.retries, c.backoff_ms,
                c.outage_from_ms / 1000, c.outage_to_ms / 1000) }</p>
            { toggles }
            <LineChart lines={lines} y_max={f64::from(top) * 1.1} marker={Some((c.outage_to_ms / 1000) as usize)} y_percent={false}
                testid="storm-chart" label={format!("Each second: attempts offered, requests answered in time, work wasted. Answered in time before the outage {:.0} a second, over the last quarter {:.0}.",
                    r.goodput_before_per_s, r.goodput_after_per_s)} />
            <p data-testid="storm-outcome" class={classes!(if r.recovered_at_s.is_some() { "ok" } else { "bad" })}>{
                match r.recovered_at_s {
                    Some(t) => format!("It recovered at {t} s: answering {:.0} requests a second in time over the last quarter.", r.goodput_after_per_s),
                    None => format!("It never recovered: over the last quarter it answered {:.0} requests a second in time, against {:.0} attempts offered a second; {} attempts were served after their client had given up.",
                        r.goodput_after_per_s, r.offered_after_per_s, count(r.wasted)),
                }
            }</p>
            <p class="muted">{ format!("{} requests, {} answered in time, {} failed for good; {} attempts, {} shed.",
                count(r.requests), count(r.succeeded), count(r.failed), count(r.attempts), count(r.shed)) }</p>
            { form }
        </div>
    }
}

fn design_name(d: Design) -> &'static str {
    match d {
        Design::Monolith => "a monolith",
        Design::Microservices => "microservices",
        Design::DistributedMonolith => "a distributed monolith",
    }
}

/// The notes' five services deployed three ways: a crash, its blast radius, calls, scaling.
#[function_component(ServicesCardView)]
pub fn services_card_view(props: &CardProps) -> Html {
    let card = props.session.config().services;
    let run = use_memo(card, services_run);
    let Ok(r) = run.as_ref() else {
        return html! { <p class="form-error" role="alert">{ "These settings do not apply." }</p> };
    };
    let designs = [Design::Monolith, Design::Microservices, Design::DistributedMonolith].map(|d| {
        let on = d == card.deployed;
        html! {
            <button class={classes!("preset", on.then_some("active"))} aria-pressed={on.to_string()} data-testid={format!("deploy-{}", match d {
                Design::Monolith => "monolith", Design::Microservices => "microservices", Design::DistributedMonolith => "distributed-monolith" })}
                onclick={setup(props, move |c| c.services.deployed = d)}>{ format!("Deploy as {}", design_name(d)) }</button>
        }
    });
    let crashes = SERVICES.iter().enumerate().map(|(i, s)| {
        let on = card.crashed == Some(i as u32);
        html! {
            <button class={classes!("preset", on.then_some("active"))} aria-pressed={on.to_string()} data-testid={format!("crash-{s}")}
                onclick={setup(props, move |c| c.services.crashed = if on { None } else { Some(i as u32) })}>
                { if on { format!("Restart {s}") } else { format!("Crash {s}") } }</button>
        }
    });
    html! {
        <div class="services" data-testid="services">
            <div class="row" role="group" aria-label="How the services are deployed">{ for designs }</div>
            <div class="row" role="group" aria-label="Crash a service">{ for crashes }</div>
            if let (Some(s), Some(f)) = (r.crashed, r.crash_fails) {
                <p data-testid="blast-radius" class={classes!(if f >= 1.0 { "bad" } else { "warn" })}>{ format!(
                    "Deployed as {}, {s} crashing fails {:.0}% of requests.{}", design_name(r.deployed), 100.0 * f,
                    if s == "email" && f == 0.0 { " Orders hand the email to a queue: it waits there until the service is back." } else { "" }) }</p>
                <ul class="requests" data-testid="request-kinds">
                    { for r.requests.iter().map(|(name, share, works)| html! {
                        <li class={classes!(if *works { "ok" } else { "bad" })}>{ format!("{name} ({:.0}% of requests): {}", 100.0 * share, if *works { "works" } else { "fails" }) }</li>
                    }) }
                </ul>
            } else {
                <p data-testid="blast-radius">{ "Nothing crashed: crash a service to see its blast radius." }</p>
            }
            { crate::ui::scroll::scroll("The three designs", html! {
                <table data-testid="designs">
                    <thead><tr><th></th><th class="num">{ "availability" }</th><th>{ "a crash of each fails" }</th>
                        <th class="num">{ "time in calls per request" }</th><th class="num">{ format!("copies to run for {}× the hottest request", card.scale) }</th></tr></thead>
                    <tbody>
                        { for r.designs.iter().map(|d| html! {
                            <tr>
                                <th scope="row">{ design_name(d.design) }</th>
                                <td class="num">{ avail(d.availability) }</td>
                                <td class="blast">{ SERVICES.iter().zip(&d.blast_radius).map(|(s, b)| format!("{s} {:.0}%", 100.0 * b)).collect::<Vec<_>>().join(", ") }</td>
                                <td class="num">{ format!("{:.1} µs", d.call_overhead_us) }</td>
                                <td class="num">{ d.module_copies_to_scale }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            }) }
            <p class="muted">{ format!(
                "Each service is up {} of the time with its database, the monolith's process {}; a call between services costs a {} µs round trip, inside one process {} ns.",
                avail(f64::from(card.service_pcm) / 1e5), avail(f64::from(card.monolith_pcm) / 1e5), card.rtt_us, card.call_ns) }</p>
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct CalculatorProps {
    /// The architecture's structure, to start from.
    pub expression: String,
}

/// Availability of an expression: by algebra and by Monte Carlo, errors pointing at their place.
#[function_component(Calculator)]
pub fn calculator(props: &CalculatorProps) -> Html {
    let input = use_node_ref();
    let result = use_state(|| None::<Result<availability::Estimate, String>>);
    let source = if props.expression.is_empty() {
        "dns:0.9999 > (lb:0.999 | lb:0.999) > 2/3(node:0.99, node:0.99, node:0.99) > (db:0.999 | db:0.999)".to_string()
    } else {
        props.expression.clone()
    };
    let submit = {
        let (input, result) = (input.clone(), result.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let text = text_of(&input);
            result.set(Some(availability::estimate(&text, 100_000, 1)));
        })
    };
    html! {
        <form class="calculator" onsubmit={submit} data-testid="calculator" novalidate=true>
            <p class="muted">{ "Parts in series with >, in parallel with |, k of n with k/n(…); | and k/n bind tighter than >. A part is name:availability (0.999 or 99.9%)." }</p>
            <label for="expression">{ "Expression" }</label>
            <crate::ui::form::TextArea id="expression" node={input.clone()} testid="expression-input" source={source} rows={5} />
            <button type="submit" data-testid="expression-compute">{ "Compute" }</button>
            { match result.as_ref() {
                None => html! {},
                Some(Ok(e)) => html! {
                    <p data-testid="expression-result">{ format!(
                        "By algebra {}; by Monte Carlo over {} trials {} ± {}: {:.2} nines, {} down a year.",
                        avail(e.analytic), count(e.trials), avail(e.monte_carlo), avail(e.monte_carlo_stderr), e.nines, minutes(e.downtime_min_per_year)) }</p>
                },
                Some(Err(e)) => html! { <pre class="form-error" role="alert" data-testid="expression-error">{ e.clone() }</pre> },
            } }
        </form>
    }
}

/// The rate limiter's card's requests at first: three single ones, a burst of 20 (refused), then one a
/// second.
const THROTTLE_REQUESTS: &str = "0 1\n0 1\n0 1\n0 20\n1000 1\n2000 1";

/// Requests the rate limiter's card answers at once.
const THROTTLE_LINES_MAX: usize = 1_000;

/// The rate limiter: what `CL.THROTTLE` answers to requests at given moments.
#[function_component(ThrottleCard)]
pub fn throttle_card() -> Html {
    let refs: Vec<NodeRef> = (0..4).map(|_| NodeRef::default()).collect();
    // The default requests answered at once, so the card shows a burst limited before anything is typed.
    let answers = use_state(|| Some(throttle::answers(15, 30, 60.0, THROTTLE_REQUESTS)));
    let submit = {
        let (refs, answers) = (refs.clone(), answers.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let parse = || -> Result<Vec<(String, throttle::Answer)>, String> {
                let burst = whole_in(&text_of(&refs[0]), "the burst", 0, 1_000_000)?;
                let count = whole_in(&text_of(&refs[1]), "the count", 1, 1_000_000)?;
                let period = whole_in(&text_of(&refs[2]), "the period (s)", 1, 86_400)?;
                let lines = text_of(&refs[3]);
                if lines.lines().filter(|l| !l.trim().is_empty()).count() > THROTTLE_LINES_MAX {
                    return Err(format!("at most {THROTTLE_LINES_MAX} requests"));
                }
                throttle::answers(burst, count, period as f64, &lines)
            };
            answers.set(Some(parse()));
        })
    };
    let fields = [
        ("throttle-burst", "max_burst", "15"),
        ("throttle-count", "count", "30"),
        ("throttle-period", "period (s)", "60"),
    ];
    html! {
        <form class="ps-form throttle" onsubmit={submit} data-testid="throttle" novalidate=true>
            <p class="muted">{ "The generic cell rate algorithm as redis-cell's CL.THROTTLE key max_burst count period answers: count requests per period, with bursts of max_burst + 1. One request a line: TIME_MS QUANTITY." }</p>
            <div class="form-grid">
            { for fields.iter().enumerate().map(|(i, f)| html! { <Field label={f.1} node={refs[i].clone()} testid={f.0} source={f.2} /> }) }
            </div>
            <label for="throttle-requests">{ "Requests, one a line: TIME_MS QUANTITY" }</label>
            <crate::ui::form::TextArea id="throttle-requests" node={refs[3].clone()} testid="throttle-requests" source={THROTTLE_REQUESTS} rows={6} />
            <button type="submit" data-testid="throttle-send">{ "Send" }</button>
            { match answers.as_ref() {
                None => html! {},
                Some(Err(e)) => html! { <p class="form-error" role="alert" data-testid="throttle-error">{ crate::ui::form::sentence(e) }</p> },
                Some(Ok(rows)) => crate::ui::scroll::scroll("CL.THROTTLE's answers", html! {
                    <table data-testid="throttle-answers">
                        <thead><tr><th>{ "request" }</th><th>{ "limited" }</th><th class="num">{ "limit" }</th><th class="num">{ "remaining" }</th><th class="num">{ "retry after (s)" }</th><th class="num">{ "reset after (s)" }</th></tr></thead>
                        <tbody>{ for rows.iter().map(|(l, a)| html! {
                            <tr class={classes!(a.limited.then_some("bad"))}><td>{ l.clone() }</td><td>{ if a.limited { "yes" } else { "no" } }</td>
                                <td class="num">{ a.limit }</td><td class="num">{ a.remaining }</td>
                                <td class="num">{ format!("{}", a.retry_after_s) }</td><td class="num">{ format!("{}", a.reset_after_s) }</td></tr>
                        }) }</tbody>
                    </table>
                }),
            } }
        </form>
    }
}
