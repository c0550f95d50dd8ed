//! The notes' commission anomaly, step by step with its log, and the fixes as switches, each with its
//! final balance.

use super::EventsSession;
use crate::scenario::Edit;
use crate::sim::events::{
    CommissionConfig, CommissionReport, CommissionRun, CommissionSnapshot, Events, Fixes, LogLine,
};
use crate::ui::app::AppAction;
use crate::ui::format::count;
use std::rc::Rc;
use yew::prelude::*;

/// The whole run: its report and its log, or why it cannot run. A commission run is small (its limits
/// keep it to a few thousand steps), so it is computed at once.
struct Whole {
    report: CommissionReport,
    log: Vec<LogLine>,
}

fn whole(config: &CommissionConfig, seed: u64) -> Result<Whole, String> {
    let mut r = CommissionRun::new(config.clone(), seed)?;
    while !r.advance(4_096) {}
    Ok(Whole { report: r.report(), log: r.log().to_vec() })
}

/// The run's state after `step` steps.
fn snapshot_at(config: &CommissionConfig, seed: u64, step: u64) -> Option<CommissionSnapshot> {
    let mut r = CommissionRun::new(config.clone(), seed).ok()?;
    if step > 0 {
        r.advance(step);
    }
    Some(r.snapshot())
}

/// The fixes, in the page's order: (test id, label, what it does, read, write).
type FixSwitch = (&'static str, &'static str, &'static str, fn(&Fixes) -> bool, fn(&mut Fixes, bool));
const FIXES: [FixSwitch; 5] = [
    ("fix-saga", "Saga", "a failed transfer's commission is given back", |f| f.saga, |f, v| f.saga = v),
    (
        "fix-single-consumer",
        "One consumer checks the funds",
        "S2 alone takes amount and commission, only when both are covered",
        |f| f.single_consumer,
        |f, v| f.single_consumer = v,
    ),
    (
        "fix-idempotency-key",
        "Idempotency key",
        "the user's retry carries the first send's key",
        |f| f.idempotency_key,
        |f, v| f.idempotency_key = v,
    ),
    (
        "fix-outbox",
        "Outbox",
        "S1 writes the event with its data in one transaction; a relay publishes it",
        |f| f.outbox,
        |f, v| f.outbox = v,
    ),
    (
        "fix-inbox",
        "Inbox",
        "consumers apply each event once, whatever the redeliveries",
        |f| f.inbox,
        |f, v| f.inbox = v,
    ),
];

#[derive(Properties, PartialEq)]
pub struct CommissionProps {
    pub session: EventsSession,
    pub on_action: Callback<AppAction>,
}

/// The anomaly stepped with its log; the fixes; the final balance.
#[function_component(CommissionPart)]
pub fn commission_part(props: &CommissionProps) -> Html {
    let seed = props.session.seed();
    let config = Rc::new(props.session.config().commission.clone());
    let run = use_memo((config.clone(), seed), |(c, seed)| whole(c, *seed));
    // The step shown: the end unless the user stepped (forgotten when the configuration changes).
    let step = use_state(|| None::<u64>);
    {
        let step = step.clone();
        use_effect_with((config.clone(), seed), move |_| step.set(None));
    }
    let fixes = config.fixes;
    let switches = {
        FIXES.iter().map(move |&(id, label, what, get, set)| {
            let on = props.on_action.clone();
            let session = props.session.clone();
            let onchange = Callback::from(move |_| {
                let mut c = session.config().clone();
                let v = !get(&c.commission.fixes);
                set(&mut c.commission.fixes, v);
                on.emit(AppAction::edit::<Events>(Edit::Setup { seed: session.seed(), config: c }));
            });
            html! {
                <label class="check fix"><input type="checkbox" data-testid={id} checked={get(&fixes)} {onchange} />
                    { " " }<strong>{ label }</strong>{ format!(": {what}") }</label>
            }
        })
    };
    let body = match &*run {
        Err(e) => {
            html! { <p class="form-error" role="alert" data-testid="commission-error">{ crate::ui::form::sentence(e) }</p> }
        }
        Ok(w) => {
            let total = w.log.len() as u64;
            let k = (*step).unwrap_or(total).min(total);
            html! {
                <>
                { final_line(&w.report) }
                <Stepper config={config.clone()} seed={seed} step={k} total={total} log={Rc::new(w.log.clone())} on_step={{
                    let step = step.clone();
                    Callback::from(move |v: u64| step.set(Some(v)))
                }} />
                { transfers_table(&w.report) }
                </>
            }
        }
    };
    html! {
        <div class="commission" data-testid="commission">
            <fieldset class="fixes"><legend>{ "Fixes (each a switch; any combination runs)" }</legend>{ for switches }</fieldset>
            { body }
        </div>
    }
}

fn final_line(r: &CommissionReport) -> Html {
    let made = r.transfers_made;
    let broken = &r.commission_without_transfer;
    html! {
        <div class="commission-final">
            <p class="big-number">{ "Final balance " }<strong data-testid="commission-final-balance">{ count(r.final_balance) }</strong>
                { " · commission taken " }<strong data-testid="commission-taken">{ count(r.commission_taken) }</strong>
                { format!(" · {} transfer{} made, {} failed", made, if made == 1 { "" } else { "s" }, r.transfers_failed) }</p>
            <p class="muted" data-testid="commission-facts">{ format!(
                "Payee received {}. Events published {}, lost {}; duplicate writes {}; commissions given back {}; retries recognised by their key {}; deliveries skipped by the inbox {}. Money {}.",
                count(r.payee_balance), r.events_published, r.lost_events, r.duplicate_writes, r.compensations,
                r.retries_recognised, r.inbox_skips,
                if r.money_conserved { "conserved" } else { "not conserved" }) }</p>
            if broken.is_empty() {
                <p class="ok" data-testid="commission-invariant">{ "Commission is kept only for transfers made." }</p>
            } else {
                <div class="warn" data-testid="commission-invariant" role="status">
                    <p>{ "Broken: commission only for a transfer made." }</p>
                    <ul>{ for broken.iter().map(|s| html! { <li>{ s }</li> }) }</ul>
                </div>
            }
        </div>
    }
}

fn transfers_table(r: &CommissionReport) -> Html {
    html! {
        { crate::ui::scroll::scroll("Transfers in S1's database", html! {
        <table class="commission-transfers" data-testid="commission-transfers">
            <caption>{ "Each transfer S1 recorded" }</caption>
            <thead><tr><th class="num">{ "#" }</th><th class="num">{ "amount" }</th><th class="num">{ "published" }</th>
                <th class="num">{ "made" }</th><th class="num">{ "refused" }</th><th class="num">{ "commission kept" }</th></tr></thead>
            <tbody>{ for r.transfers.iter().map(|t| html! {
                <tr><td class="num">{ t.id }</td><td class="num">{ count(t.amount) }</td><td class="num">{ t.published }</td>
                    <td class="num">{ t.made }</td><td class="num">{ t.failed }</td><td class="num">{ count(t.commission_kept) }</td></tr>
            }) }</tbody>
        </table>
        }) }
    }
}

#[derive(Properties, PartialEq)]
struct StepperProps {
    config: Rc<CommissionConfig>,
    seed: u64,
    step: u64,
    total: u64,
    log: Rc<Vec<LogLine>>,
    on_step: Callback<u64>,
}

/// The accounts, S1 and the two consumers after a step, and the log up to it.
#[function_component(Stepper)]
fn stepper(props: &StepperProps) -> Html {
    // Position k shows the log's first k lines: the run after the step of line k.
    let (k, total) = (props.step, props.total);
    let events = if k == 0 { 0 } else { props.log.get(k as usize - 1).map_or(0, |l| l.step) };
    let snap = use_memo((props.config.clone(), props.seed, events), |(c, seed, n)| snapshot_at(c, *seed, *n));
    let go = |to: u64| {
        let on = props.on_step.clone();
        Callback::from(move |_| on.emit(to))
    };
    let on_range = {
        let on = props.on_step.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(v) = e.target_dyn_into::<web_sys::HtmlInputElement>().and_then(|i| i.value().parse().ok()) {
                on.emit(v);
            }
        })
    };
    let Some(s) = (*snap).clone() else { return html! {} };
    let consumers = s.consumers.iter().map(|c| {
        html! {
            <div class={classes!("consumer", if c.up { "up" } else { "down" })} data-testid={format!("consumer-{}", c.name)}>
                <strong>{ c.name }</strong>{ if c.up { " up" } else { " down" } }
                <div class="muted">{ format!("{} deliveries", c.deliveries) }</div>
                if let Some(w) = &c.working_on { <div>{ format!("working on: {w}") }</div> }
                <div>{ if c.queue.is_empty() { "queue empty".to_string() } else { format!("queue: {}", c.queue.join(", ")) } }</div>
            </div>
        }
    });
    let shown = props.log.iter().take(k as usize);
    html! {
        <div class="commission-stepper">
            <div class="row" role="group" aria-label="Step through the story">
                <button data-testid="commission-start" onclick={go(0)} disabled={k == 0}>{ "⏮ Start" }</button>
                <button data-testid="commission-back" onclick={go(k.saturating_sub(1))} disabled={k == 0}>{ "◀ Back" }</button>
                <button data-testid="commission-next" onclick={go((k + 1).min(total))} disabled={k >= total}>{ "Next ▶" }</button>
                <button data-testid="commission-end" onclick={go(total)} disabled={k >= total}>{ "End ⏭" }</button>
                <input type="range" min="0" max={total.to_string()} value={k.to_string()} oninput={on_range}
                    aria-label="Step" data-testid="commission-step-range" />
                <span data-testid="commission-step">{ format!("line {k} of {total} · {:.3} s", s.at_ms as f64 / 1000.0) }</span>
            </div>
            <div class="accounts" data-testid="commission-accounts">
                <div><span class="muted">{ "user" }</span> <strong data-testid="commission-balance">{ count(s.balance) }</strong></div>
                <div><span class="muted">{ "bank (commission)" }</span> <strong>{ count(s.bank) }</strong></div>
                <div><span class="muted">{ "payee" }</span> <strong>{ count(s.payee) }</strong></div>
                <div><span class="muted">{ "S1" }</span> <strong>{ if s.s1_up { "up" } else { "down" } }</strong>
                    { format!(" · {} records", s.records) }
                    if s.unsent_outbox_rows > 0 { { format!(" · {} outbox rows unsent", s.unsent_outbox_rows) } }</div>
            </div>
            <div class="consumers">{ for consumers }</div>
            { crate::ui::scroll::scroll_as("log-scroll", "The story's log", html! {
                <ol class="commission-log" data-testid="commission-log">
                    { for shown.map(|l| html! {
                        <li class={classes!((l.step == events).then_some("current"))}>
                            <span class="muted">{ format!("{:.3} s ", l.at_ms as f64 / 1000.0) }</span>{ &l.text }
                            <span class="muted">{ format!(" → user {}, bank {}, payee {}", count(l.balance), count(l.bank), count(l.payee)) }</span>
                        </li>
                    }) }
                </ol>
            }) }
        </div>
    }
}
