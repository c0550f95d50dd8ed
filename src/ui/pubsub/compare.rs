//! The outcome of the whole recorded run (what a share link reproduces), and the same stream through the
//! notes' in-process event bus next to the broker: what each lost.

use super::PubSubOutcome;
use crate::ui::format::count;
use crate::ui::scroll::scroll;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct SessionProps {
    /// The whole run, once computed.
    pub outcome: Rc<PubSubOutcome>,
}

fn card(testid: &'static str, label: &'static str, value: String, tone: Option<&'static str>) -> Html {
    html! {
        <div class={classes!("metric", tone)}>
            <span class="metric-label">{ label }</span>
            <span class="metric-value" data-testid={testid}>{ value }</span>
        </div>
    }
}

/// The metric cards.
#[function_component(Metrics)]
pub fn metrics(props: &SessionProps) -> Html {
    let r = &props.outcome.report;
    let bad = |n: u64| (n > 0).then_some("bad");
    let catch_up = r
        .queues
        .iter()
        .flat_map(|s| s.catch_ups.iter().map(move |c| (s, c)))
        .max_by(|a, b| a.1.took_s.total_cmp(&b.1.took_s));
    html! {
        <>
            <div class="metrics">
                { card("metric-published", "Published", count(r.published), None) }
                { card("metric-rejected", "Rejected (broker down)", count(r.rejected), bad(r.rejected)) }
                { card("metric-fanout", "Fan-out per event", format!("{:.2}", r.fanout), None) }
                { card("metric-missed", "Missed (ephemeral)", count(r.missed), bad(r.missed)) }
                { card("metric-lost", "Lost", count(r.lost), bad(r.lost)) }
                { card("metric-duplicates", "Duplicates", count(r.duplicates), bad(r.duplicates)) }
                { card("metric-handled", "Handled", format!("{} / {}", count(r.handled), count(r.matched)), None) }
                { card("metric-catchup", "Longest catch-up", catch_up.map_or_else(|| "—".into(), |(_, c)| format!("{:.1} s", c.took_s)), None) }
            </div>
            <p class="muted explain" data-testid="outcome-text">
                { format!("{} events published ({} by hand), {} refused while the broker was down; {} deliveries to \
                   queues, {} handled, {} discarded on unsubscribe; run over at {:.0} s.",
                   count(r.published), count(r.by_hand), count(r.rejected), count(r.matched), count(r.handled),
                   count(r.discarded), r.time_s) }
                if let Some((s, c)) = catch_up {
                    { format!(" {} ({} queue) restarted at {:.0} s with {} events waiting and caught up in {:.1} s.",
                        s.service, s.kind(), c.restart_at_s, c.backlog, c.took_s) }
                }
            </p>
            if !props.outcome.violations.is_empty() {
                <p class="notice error" data-testid="violations">{ format!("Invariant broken: {}", props.outcome.violations.join("; ")) }</p>
            }
        </>
    }
}

/// Per queue and in total: handled, missed and lost through the broker and through the bus (where each of
/// the queue's bindings is its own callback).
#[function_component(Compare)]
pub fn compare(props: &SessionProps) -> Html {
    let r = &props.outcome.report;
    let broker_lost_or_missed = |s: &crate::sim::pubsub::QueueReport| s.missed + s.lost;
    let rows = r.queues.iter().map(|s| {
        html! {
            <tr data-testid="compare-row" data-service={s.service.clone()} data-pattern={s.patterns()}>
                <th scope="row">{ s.service.clone() }<span class="sub">{ format!("{} · {}", s.patterns(), s.kind()) }</span></th>
                <td class="num">{ s.handled }</td>
                <td class={classes!("num", (broker_lost_or_missed(s) > 0).then_some("bad"))}>{ format!("{} / {}", s.missed, s.lost) }</td>
                <td class="num sep">{ s.bus.handled }</td>
                <td class={classes!("num", (s.bus.missed + s.bus.lost > 0).then_some("bad"))}>{ format!("{} / {}", s.bus.missed, s.bus.lost) }</td>
            </tr>
        }
    });
    let b = &r.bus;
    let extra: u64 = r.queues.iter().map(|q| q.callbacks_beyond_one).sum();
    html! {
        <>
            <p class="explain">{ "The notes' " }<code>{ "EventBus" }</code>{ " keeps its subscribers in one process: " }
                <code>{ "subscribe(eventType, callback)" }</code>{ " and " }<code>{ "publish(eventType, data)" }</code>
                { " call the callbacks one after the other, inside it. Here the same services run in that one process \
                   and get the same events (with the same patterns). Killing the process loses every callback not yet \
                   run, and until it restarts and subscribes again nobody sees anything. The broker keeps a service's \
                   durable queue on its side while the service is down. Each subscribe() is one callback, so a service \
                   that subscribed with two patterns matching one event runs twice for it, where its queue gets it once." }</p>
            { scroll("Event bus against broker", html! { <>
                <table class="compare" data-testid="compare">
                    <thead>
                        <tr><td></td><th class="num" colspan="2">{ "Broker" }</th><th class="num sep" colspan="2">{ "In-process bus" }</th></tr>
                        <tr><th>{ "Queue (bindings)" }</th><th class="num">{ "Handled" }</th><th class="num">{ "Missed / lost" }</th>
                            <th class="num sep">{ "Handled" }</th><th class="num">{ "Missed / lost" }</th></tr>
                    </thead>
                    <tbody>{ for rows }</tbody>
                    <tfoot>
                        <tr>
                            <th scope="row">{ "All" }</th>
                            <td class="num" data-testid="compare-broker-handled">{ r.handled }</td>
                            <td class="num" data-testid="compare-broker-lost">{ format!("{} / {}", r.missed, r.lost) }</td>
                            <td class="num sep" data-testid="compare-bus-handled">{ b.handled }</td>
                            <td class="num" data-testid="compare-bus-lost">{ format!("{} / {}", b.missed, b.lost) }</td>
                        </tr>
                    </tfoot>
                </table>
            </> }) }
            <p class="muted explain">
                { format!("The bus ran {} callbacks, lost {} queued or running when its process died and never saw {} \
                   matching events published while it was down; its longest callback queue was {}.",
                   count(b.handled), count(b.lost), count(b.missed), b.backlog_max) }
                if extra > 0 {
                    <span data-testid="compare-twice">{ format!(" A queue gets an event once however many of its bindings match, but on the bus each \
                        subscribe() is its own callback: {} extra callback{} for events that two or more subscriptions of one \
                        service matched (counted even while the process was down).", count(extra), if extra == 1 { "" } else { "s" }) }</span>
                }
                if r.rejected > 0 {
                    { format!(" The broker refused {} publishes while it was down; the bus, which has no broker, took them.", count(r.rejected)) }
                }
            </p>
        </>
    }
}
