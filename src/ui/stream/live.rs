//! The consumers of each group with their state and partitions, and the live actions (join, leave,
//! crash, restart, slow down, a burst of records), recorded at the animation's virtual time.

use super::Frame;
use crate::scenario::Edit;
use crate::sim::stream::PartitionedLog;
use crate::sim::stream::{StreamAction, StreamConfig, limits};
use crate::ui::app::AppAction;
use crate::ui::palette;
use crate::ui::scroll::scroll;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct LiveProps {
    pub frame: Frame,
    pub config: StreamConfig,
    /// Consumer names used by any recorded action (a new consumer must not collide with a later one).
    pub reserved: Vec<String>,
    pub on_action: Callback<AppAction>,
}

/// A fresh consumer name for a group: c1, c2, ... (or the group's prefix), not used yet.
fn next_name(prefix: &str, taken: &[String]) -> String {
    (1..).map(|i| format!("{prefix}{i}")).find(|n| !taken.contains(n)).expect("a free name exists")
}

/// One table per group, then the producer's burst.
#[function_component(LiveConsumers)]
pub fn live_consumers(props: &LiveProps) -> Html {
    let at_ms = props.frame.clock_us / 1000;
    let act = |action: StreamAction| {
        let on = props.on_action.clone();
        Callback::from(move |_| {
            on.emit(AppAction::edit::<PartitionedLog>(Edit::Live { at_ms, action: action.clone() }))
        })
    };
    let groups = props.frame.snap.groups.iter().map(|g| {
        let gname = g.name.clone();
        let mut taken: Vec<String> = g.consumers.iter().map(|c| c.name.clone()).collect();
        let prefix: String = taken.first().and_then(|n| n.chars().next()).map_or("c".into(), |c| c.to_string());
        taken.extend(props.reserved.iter().cloned());
        let new_name = next_name(&prefix, &taken);
        let full = taken.len() >= limits::CONSUMERS_MAX;
        let rows = g.consumers.iter().enumerate().map(|(i, c)| {
            let name = c.name.clone();
            let state = match (c.alive, c.member) {
                (true, true) if c.partitions.is_empty() => "idle (no partition)".to_string(),
                (true, true) => match c.working_on {
                    Some((p, o, end)) => format!("handling P{p} @{o} (batch to {end})"),
                    None if g.rebalancing.is_some() => "paused".into(),
                    None => "waiting for records".into(),
                },
                (true, false) => "left the group".into(),
                (false, true) => "crashed, not yet noticed".into(),
                (false, false) => "crashed, removed".into(),
            };
            let parts = if c.partitions.is_empty() {
                "—".to_string()
            } else {
                c.partitions.iter().map(|p| format!("P{p}")).collect::<Vec<_>>().join(" ")
            };
            let gs = |a: fn(String, String) -> StreamAction| a(gname.clone(), name.clone());
            let slow_to = if c.slow_pct == 100 { 400 } else { 100 };
            html! {
                <tr data-testid="consumer-row" data-group={gname.clone()} data-name={name.clone()}
                    class={classes!((!c.alive).then_some("down"), (!c.member).then_some("gone"))}>
                    <th scope="row">{ palette::swatch(i) }{ name.clone() }</th>
                    <td data-testid="consumer-state">{ state }
                        if c.slow_pct != 100 { <span class="sub">{ format!(" at {}% time", c.slow_pct) }</span> }
                    </td>
                    <td data-testid="consumer-partitions">{ parts }</td>
                    <td class="num">{ c.handled }</td>
                    <td class="row-actions">
                        if c.alive {
                            <button data-testid="crash-consumer" onclick={act(gs(|group, name| StreamAction::CrashConsumer { group, name }))}>{ "Crash" }</button>
                        } else {
                            <button data-testid="restart-consumer" onclick={act(gs(|group, name| StreamAction::RestartConsumer { group, name }))}>{ "Restart" }</button>
                        }
                        if c.member && c.alive {
                            <button data-testid="leave-consumer" onclick={act(gs(|group, name| StreamAction::RemoveConsumer { group, name }))}>{ "Leave" }</button>
                        } else if !c.member && c.alive {
                            <button data-testid="rejoin-consumer" onclick={act(gs(|group, name| StreamAction::AddConsumer { group, name }))}>{ "Rejoin" }</button>
                        }
                        <button data-testid="slow-consumer" onclick={act(StreamAction::SlowConsumer { group: gname.clone(), name: name.clone(), factor_pct: slow_to })}>
                            { if slow_to == 100 { "Normal speed" } else { "Slow ×4" } }
                        </button>
                    </td>
                </tr>
            }
        });
        html! {
            <div class="group-live" data-testid="group-live" data-group={gname.clone()}>
                <h3>{ format!("Group {} · {} · generation {}", g.name, g.commit.label(), g.generation) }</h3>
                { scroll(format!("Consumers of group {}", g.name), html! { <>
                    <table class="consumers">
                        <thead><tr><th>{ "Consumer" }</th><th>{ "Now" }</th><th>{ "Partitions" }</th>
                            <th class="num">{ "Handled" }</th><th>{ "Act now" }</th></tr></thead>
                        <tbody>{ for rows }</tbody>
                    </table>
                </> }) }
                <div class="row">
                    <button class="primary" data-testid="add-consumer" disabled={full}
                        onclick={act(StreamAction::AddConsumer { group: gname.clone(), name: new_name.clone() })}>
                        { format!("Add consumer {new_name}") }
                    </button>
                    <span class="muted">{ format!("lag {}", g.lag_total) }</span>
                </div>
            </div>
        }
    });
    html! {
        <div class="live">
            { for groups }
            <div class="row">
                <button data-testid="burst" onclick={act(StreamAction::Burst { count: 100 })}>{ "Burst of 100 records" }</button>
                <span class="muted explain">{ format!(
                    "{} records produced so far. Actions are recorded at the animation's time (now {:.1} s) and become part of the shared scenario.",
                    props.frame.snap.produced, at_ms as f64 / 1000.0) }</span>
            </div>
        </div>
    }
}
