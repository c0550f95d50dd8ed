//! Event sourcing and CQRS on the account: the append-only store, the balance replayed to any point,
//! the statement built from the same events, and a buggy projection rebuilt from the history.

use super::EventsSession;
use crate::scenario::Edit;
use crate::sim::events::{CommissionRun, Events, ProjectionBug, SourcingConfig, SourcingReport, SourcingRun};
use crate::ui::app::AppAction;
use crate::ui::format::count;
use crate::ui::sliced::{RunJob, use_sliced};
use std::rc::Rc;
use yew::prelude::*;

/// Most statement lines shown at once (the ones up to the replay point).
const LINES_SHOWN: usize = 100;

fn bug_text(b: ProjectionBug) -> &'static str {
    match b {
        ProjectionBug::IgnoresCompensations => "it ignores commissions given back",
        ProjectionBug::CommissionTwice => "it counts every commission twice",
    }
}

fn signed(v: i64) -> String {
    if v < 0 { format!("−{}", count(v.unsigned_abs())) } else { count(v as u64) }
}

#[derive(Properties, PartialEq)]
pub struct StoreProps {
    pub session: EventsSession,
    pub on_action: Callback<AppAction>,
}

/// The store, a replay slider, the statement, and the projection fixed and rebuilt.
#[function_component(StorePart)]
pub fn store_part(props: &StoreProps) -> Html {
    let key = Rc::new((props.session.seed(), props.session.config().sourcing.clone()));
    let progress = use_sliced::<(u64, SourcingConfig), RunJob<SourcingRun>>(key, |(seed, c)| {
        Some(RunJob(SourcingRun::new(c.clone(), *seed)))
    });
    let load = {
        let (on, session) = (props.on_action.clone(), props.session.clone());
        Callback::from(move |_| {
            let mut c = session.config().clone();
            if let Ok(mut run) = CommissionRun::new(c.commission.clone(), session.seed()) {
                while !run.advance(4_096) {}
                c.sourcing.events = run.account_history().to_vec();
                on.emit(AppAction::edit::<Events>(Edit::Setup { seed: session.seed(), config: c }));
            }
        })
    };
    let body = match progress.done().as_deref() {
        None => {
            html! { <p class="progress" role="status"><progress aria-label="Replaying the store" />{ " Replaying the store…" }</p> }
        }
        Some(Err(e)) => {
            html! { <p class="form-error" role="alert" data-testid="store-error">{ crate::ui::form::sentence(e) }</p> }
        }
        Some(Ok(r)) => html! { <Replay report={Rc::new(r.clone())} bug={props.session.config().sourcing.bug} /> },
    };
    html! {
        <div class="store" data-testid="store">
            { body }
            <button data-testid="store-load-commission" onclick={load}>{ "Fill the store from the commission story above" }</button>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct ReplayProps {
    report: Rc<SourcingReport>,
    bug: ProjectionBug,
}

#[function_component(Replay)]
fn replay(props: &ReplayProps) -> Html {
    let r = &props.report;
    let n = r.events;
    let point = use_state(|| None::<usize>);
    let fixed = use_state(|| false);
    {
        let (point, fixed) = (point.clone(), fixed.clone());
        use_effect_with(props.report.clone(), move |_| {
            point.set(None);
            fixed.set(false);
        });
    }
    let k = (*point).unwrap_or(n).min(n);
    let at = |v: &[i64]| if k == 0 { 0 } else { v[k - 1] };
    let on_range = {
        let point = point.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(v) = e.target_dyn_into::<web_sys::HtmlInputElement>().and_then(|i| i.value().parse().ok()) {
                point.set(Some(v));
            }
        })
    };
    let at_ms = if k == 0 { 0 } else { r.statement.get(k - 1).map_or(0, |l| l.at_ms) };
    let lines = &r.statement[k.saturating_sub(LINES_SHOWN)..k];
    let rebuild = {
        let fixed = fixed.clone();
        Callback::from(move |_| fixed.set(true))
    };
    html! {
        <>
        <div class="row">
            <label>{ "Replay the store up to event " }
                <input type="range" min="0" max={n.to_string()} value={k.to_string()} oninput={on_range} data-testid="store-replay" /></label>
            <span data-testid="store-replay-point">{ format!("{k} of {n} events (at {:.3} s)", at_ms as f64 / 1000.0) }</span>
        </div>
        <p class="big-number">{ "Balance, replayed: " }<strong data-testid="store-balance-at">{ signed(at(&r.balances)) }</strong></p>
        { crate::ui::scroll::scroll_as("log-scroll", "The statement", html! {
            <table class="statement" data-testid="store-statement">
                <caption>{ if k > LINES_SHOWN { format!("The statement read model: the last {LINES_SHOWN} of {k} lines") }
                    else { "The statement read model, from the same events".to_string() } }</caption>
                <thead><tr><th class="num">{ "#" }</th><th class="num">{ "time" }</th><th>{ "event" }</th>
                    <th class="num">{ "amount" }</th><th class="num">{ "balance" }</th></tr></thead>
                <tbody>{ for lines.iter().map(|l| html! {
                    <tr><td class="num">{ l.index }</td><td class="num">{ format!("{:.3} s", l.at_ms as f64 / 1000.0) }</td>
                        <td>{ &l.text }</td><td class="num">{ signed(l.delta) }</td><td class="num">{ signed(l.running) }</td></tr>
                }) }</tbody>
            </table>
        }) }
        <div class="projection" data-testid="store-projection">
            <p>{ format!("A balance projection with a bug ({}) was kept up to date event by event; after event {k} it reads ", bug_text(props.bug)) }
                <strong data-testid="projection-buggy">{ signed(at(&r.buggy_balances)) }</strong>{ "." }
                if let Some(first) = r.first_wrong_event {
                    { format!(" It first went wrong at event {first}.") }
                }</p>
            if *fixed {
                <p data-testid="projection-rebuilt-line">{ format!("Fixed and rebuilt by replaying all {n} events from the store: ") }
                    <strong data-testid="projection-rebuilt">{ signed(r.rebuilt_balance) }</strong>
                    { format!(" ({} from the buggy projection's {}). Nothing was lost: the events were the truth all along.",
                        signed(r.difference), signed(r.buggy_balance)) }</p>
            } else {
                <button data-testid="projection-fix" onclick={rebuild}>{ "Fix the projection and rebuild it from the history" }</button>
            }
        </div>
        </>
    }
}
