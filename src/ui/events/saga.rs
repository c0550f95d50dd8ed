//! The transfer saga by an orchestrator and by choreography, side by side on the same transfers: the
//! balances, and what each shows when a step fails (a central log, or each service's own events).

use super::EventsSession;
use crate::scenario::Edit;
use crate::sim::events::{Events, SagaConfig, SagaReport, SagaState, compare_styles};
use crate::ui::app::AppAction;
use crate::ui::format::count;
use std::rc::Rc;
use yew::prelude::*;

/// Transfers offered a "refused" switch (the first few).
const SWITCHES_MAX: usize = 5;

fn state_text(s: SagaState) -> &'static str {
    match s {
        SagaState::Started => "started",
        SagaState::CommissionTaken => "commission taken",
        SagaState::Aborted => "aborted: commission not covered",
        SagaState::Completed => "completed",
        SagaState::TransferFailed => "transfer failed",
        SagaState::Compensating => "compensating",
        SagaState::Compensated => "compensated",
    }
}

#[derive(Properties, PartialEq)]
pub struct SagaProps {
    pub session: EventsSession,
    pub on_action: Callback<AppAction>,
}

/// Both styles on the session's transfers, with a switch per transfer making S2 refuse it.
#[function_component(SagaPart)]
pub fn saga_part(props: &SagaProps) -> Html {
    let config = Rc::new(props.session.config().saga.clone());
    // A saga run is a few messages per transfer (at most a thousand transfers): computed at once.
    let runs = use_memo((config.clone(), props.session.seed()), |(c, seed)| compare_styles(c, *seed));
    let switches = config.transfers.iter().take(SWITCHES_MAX).enumerate().map(|(i, t)| {
        let (on, session) = (props.on_action.clone(), props.session.clone());
        let onchange = Callback::from(move |_| {
            let mut c = session.config().clone();
            let r = &mut c.saga.transfers[i].refused;
            *r = !*r;
            on.emit(AppAction::edit::<Events>(Edit::Setup { seed: session.seed(), config: c }));
        });
        html! {
            <label class="check"><input type="checkbox" data-testid={format!("saga-refuse-{}", i + 1)} checked={t.refused} {onchange} />
                { format!(" S2 refuses transfer {} ({} at {:.3} s): the payee's account is closed", i + 1, count(t.amount), f64::from(t.at_ms) / 1000.0) }</label>
        }
    });
    let body = match &*runs {
        Err(e) => {
            html! { <p class="form-error" role="alert" data-testid="saga-error">{ crate::ui::form::sentence(e) }</p> }
        }
        Ok((o, c)) => html! {
            <div class="saga-columns">
                { column(o, "Orchestrated", "saga-orchestrated", &config) }
                { column(c, "Choreographed", "saga-choreographed", &config) }
            </div>
        },
    };
    html! {
        <div class="saga" data-testid="saga">
            <p class="muted">{ format!(
                "From a balance of {} with a commission of {} a transfer: (1) S0 takes the commission, (2) S2 moves the amount; when (2) fails, (1) is undone: S0 gives the commission back. Each message takes {} ms.",
                count(config.balance), count(config.commission), config.hop_ms) }</p>
            <fieldset class="fixes"><legend>{ "Make a step fail" }</legend>{ for switches }</fieldset>
            { body }
        </div>
    }
}

fn column(r: &SagaReport, title: &str, id: &'static str, c: &SagaConfig) -> Html {
    let states = r.states.iter().enumerate().map(|(i, s)| {
        let amount = c.transfers.get(i).map_or(0, |t| t.amount);
        html! { <li>{ format!("transfer {} of {}: {}", i + 1, count(amount), state_text(*s)) }</li> }
    });
    let log = if r.central_log.is_empty() {
        html! {
            <>
            <p class="muted">{ "No central log: each service knows only the events it saw. To learn where a transfer stands, an operator pieces these together:" }</p>
            { crate::ui::scroll::scroll_as("log-scroll", format!("{title}: what each service saw"), html! {
                <ol class="saga-log">{ for r.seen.iter().map(|s| html! {
                    <li><span class="muted">{ format!("{:.3} s ", s.at_ms as f64 / 1000.0) }</span><strong>{ s.service }</strong>{ format!(" {}", s.text) }</li>
                }) }</ol>
            }) }
            </>
        }
    } else {
        html! {
            <>
            <p class="muted">{ "The orchestrator's central log: every saga's state in one place." }</p>
            { crate::ui::scroll::scroll_as("log-scroll", format!("{title}: the central log"), html! {
                <ol class="saga-log">{ for r.central_log.iter().map(|e| html! {
                    <li><span class="muted">{ format!("{:.3} s ", e.at_ms as f64 / 1000.0) }</span>{ format!("saga {}: {}", e.saga, state_text(e.state)) }</li>
                }) }</ol>
            }) }
            </>
        }
    };
    html! {
        <section class="saga-column" data-testid={id} aria-label={title.to_string()}>
            <h3>{ title }</h3>
            <p class="big-number">{ "Final balance " }<strong data-testid={format!("{id}-balance")}>{ count(r.final_balance) }</strong></p>
            <p class="muted">{ format!(
                "Commission kept {}, payee {}; {} made, {} failed, {} compensated; {} messages; done at {:.3} s.",
                count(r.commission_taken), count(r.payee_balance), r.transfers_made, r.transfers_failed, r.compensations,
                count(u64::from(r.messages)), r.end_ms as f64 / 1000.0) }</p>
            <ul class="saga-states">{ for states }</ul>
            { log }
        </section>
    }
}
