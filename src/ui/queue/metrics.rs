//! The outcome of the whole recorded run (what a share link reproduces), and each delivery guarantee's
//! promise next to what the same run measures under it.

use crate::scenario::LabSetup;
use crate::sim::queue::{Delivery, ShopReport};
use crate::ui::app::QueueSession;
use crate::ui::format::count;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct SessionProps {
    pub session: QueueSession,
}

fn card(testid: &'static str, label: &'static str, value: String, tone: Option<&'static str>) -> Html {
    html! {
        <div class={classes!("metric", tone)}>
            <span class="metric-label">{ label }</span>
            <span class="metric-value" data-testid={testid}>{ value }</span>
        </div>
    }
}

fn secs(v: f64) -> String {
    format!("{v:.1} s")
}

/// The metric cards.
#[function_component(Metrics)]
pub fn metrics(props: &SessionProps) -> Html {
    let r = &props.session.report;
    let bad = |n: u64| (n > 0).then_some("bad");
    html! {
        <>
            <div class="metrics">
                { card("metric-completed", "Completed", format!("{} / {}", count(r.completed), count(r.accepted)), None) }
                { card("metric-lost", "Lost", count(r.lost), bad(r.lost)) }
                { card("metric-duplicates", "Duplicates", count(r.duplicates), bad(r.duplicates)) }
                { card("metric-dead-lettered", "Dead-lettered", count(r.dead_lettered), bad(r.dead_lettered)) }
                { card("metric-redistributed", "Redistributed", count(r.redistributed), None) }
                { card("metric-detect-time", "Death detected after", r.detect_mean_s.map_or_else(|| "—".into(), secs), None) }
                { card("metric-p50", "Latency p50", secs(r.latency_p50_s), None) }
                { card("metric-p95", "Latency p95", secs(r.latency_p95_s), None) }
                { card("metric-p99", "Latency p99", secs(r.latency_p99_s), None) }
            </div>
            <p class="muted explain">
                { format!("{} orders sent, {} refused at the door (queue full or broker down), {} repeats skipped by the \
                   idempotent consumer, {} retries, run over at {:.0} s.",
                   count(r.produced), count(r.rejected), count(r.duplicates_suppressed), count(r.broker.retries), r.time_s) }
            </p>
            if !props.session.violations.is_empty() {
                <p class="notice error" data-testid="violations">{ format!("Invariant broken: {}", props.session.violations.join("; ")) }</p>
            }
        </>
    }
}

/// Most orders for which the page also runs the other two guarantees (three runs per change).
const COMPARE_ORDERS_MAX: u32 = 20_000;

fn under(session: &QueueSession, delivery: Delivery) -> Option<ShopReport> {
    let mut s = (*session.scenario).clone();
    if let LabSetup::Queue { config, .. } = &mut s.setup {
        if config.orders > COMPARE_ORDERS_MAX {
            return None;
        }
        config.delivery = delivery;
    }
    match s.run().ok()? {
        crate::scenario::LabRun::Queue(q) => Some(q.report),
        _ => None,
    }
}

/// Each guarantee's promise and what this run measures under it.
#[function_component(Guarantees)]
pub fn guarantees(props: &SessionProps) -> Html {
    let runs = use_memo(props.session.scenario.clone(), |_| {
        Rc::new(
            [Delivery::AtMostOnce, Delivery::AtLeastOnce, Delivery::EffectivelyOnce]
                .map(|d| (d, under(&props.session, d))),
        )
    });
    let current = props.session.config().delivery;
    let rows = runs.iter().map(|(d, r)| {
        let (name, promise) = match d {
            Delivery::AtMostOnce => ("At most once", "may lose, never twice"),
            Delivery::AtLeastOnce => ("At least once", "never lost, may be twice"),
            Delivery::EffectivelyOnce => ("Effectively once", "never lost, one effect"),
        };
        let cell = |v: Option<u64>| v.map_or_else(|| "—".to_string(), count);
        html! {
            <tr class={classes!((*d == current).then_some("current"))} data-testid="guarantee-row">
                <th scope="row">{ name }{ if *d == current { " (this run)" } else { "" } }</th>
                <td>{ promise }</td>
                <td class="num">{ cell(r.as_ref().map(|r| r.lost)) }</td>
                <td class="num">{ cell(r.as_ref().map(|r| r.duplicates)) }</td>
            </tr>
        }
    });
    html! {
        <div class="table-scroll">
            <table class="guarantees">
                <thead><tr><th>{ "Delivery" }</th><th>{ "Promise" }</th><th class="num">{ "Lost" }</th><th class="num">{ "Twice" }</th></tr></thead>
                <tbody>{ for rows }</tbody>
            </table>
            <p class="muted explain">{ "The same orders, failures and actions, replayed under each guarantee. A persistent \
                queue and an acknowledgement after the work keep every order; the idempotent consumer turns repeats into no-ops." }</p>
        </div>
    }
}
