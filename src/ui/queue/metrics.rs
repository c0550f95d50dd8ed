//! The outcome of the whole recorded run (what a share link reproduces), and each delivery guarantee's
//! promise next to what the same run measures under it.

use super::outcome::Outcomes;
use crate::sim::queue::Delivery;
use crate::ui::format::count;
use crate::ui::scroll::scroll;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct MetricsProps {
    pub outcomes: Outcomes,
    /// Orders in the run, for the progress line.
    pub orders: u32,
}

#[derive(Properties, PartialEq)]
pub struct GuaranteesProps {
    pub outcomes: Outcomes,
}

/// The progress of a long run that is still being computed.
fn progress(outcomes: &Outcomes, orders: u32) -> Html {
    let Some((delivery, share)) = outcomes.running else { return html! {} };
    let pct = (share * 100.0).clamp(0.0, 100.0);
    html! {
        <p class="progress" role="status" data-testid="run-progress">
            <progress max="100" value={format!("{pct:.0}")} aria-label="Progress of the computation" />
            { format!(" computing the run of {} orders ({}): {pct:.0}% sent…", count(u64::from(orders)), delivery_name(delivery).to_ascii_lowercase()) }
        </p>
    }
}

fn delivery_name(d: Delivery) -> &'static str {
    match d {
        Delivery::AtMostOnce => "At most once",
        Delivery::AtLeastOnce => "At least once",
        Delivery::EffectivelyOnce => "Effectively once",
    }
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

/// The metric cards, once the recorded run is computed.
#[function_component(Metrics)]
pub fn metrics(props: &MetricsProps) -> Html {
    let Some(outcome) = props.outcomes.main() else { return progress(&props.outcomes, props.orders) };
    let r = &outcome.report;
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
                { card("metric-throughput", "Throughput", format!("{:.2} /s", r.throughput_per_s), None) }
                { card("metric-p50", "Latency p50", secs(r.latency_p50_s), None) }
                { card("metric-p95", "Latency p95", secs(r.latency_p95_s), None) }
                { card("metric-p99", "Latency p99", secs(r.latency_p99_s), None) }
            </div>
            <p class="muted explain">
                { format!("{} orders sent, {} refused at the door (queue full or broker down), {} repeats skipped by the \
                   idempotent consumer, {} retries, run over at {:.0} s.",
                   count(r.produced), count(r.rejected), count(r.duplicates_suppressed), count(r.broker.retries), r.time_s) }
            </p>
            if !outcome.violations.is_empty() {
                <p class="notice error" data-testid="violations">{ format!("Invariant broken: {}", outcome.violations.join("; ")) }</p>
            }
        </>
    }
}

/// Each guarantee's promise and what this run measures under it.
#[function_component(Guarantees)]
pub fn guarantees(props: &GuaranteesProps) -> Html {
    let current = props.outcomes.delivery;
    let runs = [Delivery::AtMostOnce, Delivery::AtLeastOnce, Delivery::EffectivelyOnce]
        .map(|d| (d, props.outcomes.under(d).map(|o| &o.report)));
    let rows = runs.iter().map(|(d, r)| {
        let name = delivery_name(*d);
        let promise = match d {
            Delivery::AtMostOnce => "may lose, never twice",
            Delivery::AtLeastOnce => "never lost, may be twice",
            Delivery::EffectivelyOnce => "never lost, one effect",
        };
        let cell = |v: Option<u64>| v.map_or_else(|| "…".to_string(), count);
        let kept = r.map(|r| match d {
            Delivery::AtMostOnce => r.duplicates == 0,
            Delivery::AtLeastOnce => r.lost == 0,
            Delivery::EffectivelyOnce => r.lost == 0 && r.duplicates == 0,
        });
        html! {
            <tr class={classes!((*d == current).then_some("current"))} data-testid="guarantee-row" data-delivery={name}>
                <th scope="row">{ name }{ if *d == current { " (this run)" } else { "" } }</th>
                <td>{ promise }</td>
                <td class="num">{ cell(r.map(|r| r.delivered_once)) }</td>
                <td class="num" data-testid="guarantee-twice">{ cell(r.map(|r| r.duplicates)) }</td>
                <td class="num" data-testid="guarantee-lost">{ cell(r.map(|r| r.lost)) }</td>
                <td class="num">{ cell(r.map(|r| r.dead_lettered)) }</td>
                <td class={classes!("kept", kept.map(|k| if k { "good" } else { "bad" }))} data-testid="guarantee-kept">
                    { match kept { None => "…", Some(true) => "yes", Some(false) => "no" } }</td>
            </tr>
        }
    });
    html! {
        { scroll("Delivery guarantees", html! { <>
            <table class="guarantees">
                <thead><tr><th>{ "Delivery" }</th><th>{ "Promise" }</th><th class="num">{ "Once" }</th>
                    <th class="num">{ "Twice" }</th><th class="num">{ "Lost" }</th><th class="num">{ "Dead letters" }</th>
                    <th>{ "Kept?" }</th></tr></thead>
                <tbody>{ for rows }</tbody>
            </table>
            if let (Some(_), Some((d, share))) = (props.outcomes.main(), props.outcomes.running) {
                <p class="progress" role="status" data-testid="guarantees-progress">
                    <progress max="100" value={format!("{:.0}", share * 100.0)} aria-label="Progress of the comparison" />
                    { format!(" replaying the run {}…", delivery_name(d).to_ascii_lowercase()) }
                </p>
            }
            <p class="muted explain">{ "The same orders, failures and actions, replayed under each guarantee. A persistent \
                queue and an acknowledgement after the work keep every order; the idempotent consumer turns repeats into no-ops. \
                A queue in memory breaks the promise of at least once when the broker crashes: \"Kept?\" says so." }</p>
        </> }) }
    }
}
