//! The shards as the animation shows them: each a group of nodes with its role, term, log and lag, and
//! buttons to kill or revive a node or the whole shard at the animation's moment; the election timeline
//! and the acknowledged writes lost so far; the replication lag over the whole run.

use super::Frame;
use crate::scenario::Edit;
use crate::sim::sharding::replication::{Role, TimelineKind};
use crate::sim::sharding::{ReplAction, ReplReport, ShardAction, Sharding};
use crate::ui::app::AppAction;
use crate::ui::chart::{Line, LineChart};
use crate::ui::format::count;
use crate::ui::palette;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct GridProps {
    pub frame: Frame,
    pub on_action: Callback<AppAction>,
}

fn role_name(role: Role) -> &'static str {
    match role {
        Role::Primary => "primary",
        Role::Follower => "replica",
        Role::Candidate => "candidate",
        Role::Replica => "replica",
    }
}

/// One card per shard, one row per node.
#[function_component(ShardGrid)]
pub fn shard_grid(props: &GridProps) -> Html {
    let at_ms = props.frame.clock_us / 1000;
    let act = |action: ReplAction| {
        let on = props.on_action.clone();
        Callback::from(move |_| {
            on.emit(AppAction::edit::<Sharding>(Edit::Live { at_ms, action: ShardAction::Node(action.clone()) }))
        })
    };
    let snap = &props.frame.snap.repl;
    html! {
        <div class="shard-grid" data-testid="shard-grid">
            { for snap.shards.iter().map(|s| {
                let shard = s.shard;
                let all_down = s.nodes.iter().all(|n| !n.up);
                html! {
                    <div class={classes!("shard", all_down.then_some("down"))} data-testid="shard" data-shard={shard.to_string()}>
                        <div class="shard-head">
                            <strong>{ format!("Shard {shard}") }</strong>
                            <span class="muted" data-testid="shard-state">{
                                if all_down { "down: its queries fail".to_string() }
                                else if let Some(p) = s.routed_to { format!("primary node {p}, term {}", s.routed_term) }
                                else if snap.mode.has_primary() { "no primary: electing".to_string() }
                                else { "leaderless".to_string() }
                            }</span>
                            if s.partitioned {
                                <span class="badge warn">{ "partitioned" }</span>
                                <button data-testid="heal" onclick={act(ReplAction::Heal { shard })}>{ "Heal network" }</button>
                            }
                            <span class="sub">{ format!("{} committed", count(s.committed)) }</span>
                            if all_down {
                                <button data-testid="revive-shard" onclick={act(ReplAction::ReviveShard { shard })}>{ "Revive shard" }</button>
                            } else {
                                <button data-testid="kill-shard" onclick={act(ReplAction::KillShard { shard })}>{ "Kill shard" }</button>
                            }
                        </div>
                        <table class="nodes">
                            <thead><tr><th>{ "Node" }</th><th>{ "Role" }</th><th class="num">{ "Term" }</th>
                                <th class="num">{ "Log" }</th><th class="num">{ "Behind" }</th><th><span class="sr-only">{ "Actions" }</span></th></tr></thead>
                            <tbody>
                            { for s.nodes.iter().map(|n| {
                                let node = n.node;
                                html! {
                                    <tr class={classes!((!n.up).then_some("down"), (n.role == Role::Primary && n.up).then_some("primary"))}
                                        data-testid="node" data-node={node.to_string()} data-role={role_name(n.role)} data-up={n.up.to_string()}>
                                        <th scope="row">{ node }</th>
                                        <td>{ if n.up { role_name(n.role) } else { "down" } }
                                            if n.side > 0 { <span class="sub">{ format!("side {}", n.side) }</span> }</td>
                                        <td class="num">{ n.term }</td>
                                        <td class="num">{ count(n.log_len) }</td>
                                        <td class="num">{ count(n.lag) }</td>
                                        <td class="row-actions">
                                            if n.up {
                                                <button data-testid="kill-node" onclick={act(ReplAction::KillNode { shard, node })}
                                                    aria-label={format!("Kill node {node} of shard {shard}")}>{ "Kill" }</button>
                                                if n.side == 0 && s.nodes.len() > 1 {
                                                    <button data-testid="isolate-node" onclick={act(ReplAction::Partition { shard, groups: vec![vec![node]] })}
                                                        title="Cut this node off from the others of its shard (the client still reaches it)"
                                                        aria-label={format!("Cut off node {node} of shard {shard} from the network")}>{ "Cut off" }</button>
                                                }
                                            } else {
                                                <button data-testid="revive-node" onclick={act(ReplAction::ReviveNode { shard, node })}
                                                    aria-label={format!("Revive node {node} of shard {shard}")}>{ "Revive" }</button>
                                            }
                                        </td>
                                    </tr>
                                }
                            }) }
                            </tbody>
                        </table>
                    </div>
                }
            }) }
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct FailoverProps {
    pub frame: Frame,
}

/// Elections so far and the acknowledged writes lost so far.
#[function_component(Failover)]
pub fn failover(props: &FailoverProps) -> Html {
    let snap = &props.frame.snap.repl;
    let moment = |us: u64| format!("{:.3} s", us as f64 / 1e6);
    let events: Vec<_> = snap.timeline.iter().rev().take(12).collect();
    html! {
        <div class="failover">
            <div class="metrics small">
                <div class="metric"><span class="metric-label">{ "Acknowledged writes" }</span>
                    <span class="metric-value" data-testid="live-acked">{ count(snap.writes_acked) }</span></div>
                <div class={classes!("metric", (!snap.lost.is_empty()).then_some("bad"))}><span class="metric-label">{ "Lost at failover" }</span>
                    <span class="metric-value" data-testid="live-lost">{ count(snap.lost.len() as u64) }</span></div>
                <div class={classes!("metric", (snap.stale_reads > 0).then_some("bad"))}><span class="metric-label">{ "Stale reads" }</span>
                    <span class="metric-value" data-testid="live-stale">{ count(snap.stale_reads) }</span></div>
                <div class="metric"><span class="metric-label">{ "Failed writes / reads" }</span>
                    <span class="metric-value">{ format!("{} / {}", count(snap.writes_failed), count(snap.reads_failed)) }</span></div>
            </div>
            <h3>{ "Election timeline (latest first)" }</h3>
            if events.is_empty() {
                <p class="muted">{ "Nothing yet: every shard keeps the primary it started with." }</p>
            } else {
                <ol class="timeline" data-testid="election-timeline" tabindex="0" aria-label="Election timeline, latest first">
                    { for events.iter().map(|e| {
                        let who = e.node.map_or_else(|| format!("shard {}", e.shard), |n| format!("shard {} node {n}", e.shard));
                        let what = match &e.kind {
                            TimelineKind::Campaign => format!("campaigns for term {}", e.term),
                            TimelineKind::Won { votes } => format!("elected primary of term {} with {votes} votes", e.term),
                            TimelineKind::SteppedDown => format!("steps down (saw term {})", e.term),
                            TimelineKind::Killed => "dies".to_string(),
                            TimelineKind::Revived => "comes back and catches up".to_string(),
                            TimelineKind::Partitioned { groups } => format!("network split: {groups:?} | the rest"),
                            TimelineKind::Healed => "network healed".to_string(),
                        };
                        html! { <li class={classes!(matches!(e.kind, TimelineKind::Won { .. }).then_some("won"))}>
                            <span class="when">{ moment(e.at_us) }</span>{ format!(" {who} {what}") }</li> }
                    }) }
                </ol>
            }
            if !snap.lost.is_empty() {
                <details class="lost" data-testid="lost-writes">
                    <summary>{ format!("{} acknowledged writes lost", count(snap.lost.len() as u64)) }</summary>
                    <table>
                        <thead><tr><th>{ "Write" }</th><th>{ "Shard / key" }</th><th>{ "Acknowledged by" }</th>
                            <th>{ "at" }</th><th>{ "lost at" }</th></tr></thead>
                        <tbody>
                        { for snap.lost.iter().take(50).map(|l| html! {
                            <tr><td class="num">{ l.write }</td><td>{ format!("{} / {}", l.shard, l.key) }</td>
                                <td>{ format!("node {} (term {})", l.acked_by, l.term) }</td>
                                <td>{ moment(l.acked_at_us) }</td><td>{ moment(l.lost_at_us) }</td></tr>
                        }) }
                        </tbody>
                    </table>
                    if snap.lost.len() > 50 { <p class="muted">{ format!("… and {} more", snap.lost.len() - 50) }</p> }
                </details>
            }
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct LagProps {
    pub report: Rc<ReplReport>,
}

/// Line names: one per shard (a line is the shard's most-behind node).
const SHARD_NAMES: [&str; 16] = [
    "shard 0", "shard 1", "shard 2", "shard 3", "shard 4", "shard 5", "shard 6", "shard 7", "shard 8", "shard 9",
    "shard 10", "shard 11", "shard 12", "shard 13", "shard 14", "shard 15",
];

/// Replication lag over the run: for each shard, how far its most-behind live node trails.
#[function_component(LagChart)]
pub fn lag_chart(props: &LagProps) -> Html {
    let r = &props.report;
    let lines: Vec<Line> = r
        .lag_series
        .iter()
        .enumerate()
        .take(SHARD_NAMES.len())
        .map(|(s, nodes)| {
            let samples = nodes.iter().map(Vec::len).max().unwrap_or(0);
            let values = (0..samples)
                .map(|i| nodes.iter().filter_map(|n| n.get(i)).copied().max().unwrap_or(0) as f64)
                .collect();
            Line { name: SHARD_NAMES[s], color: palette::rgb(s), values }
        })
        .collect();
    let y_max = lines.iter().flat_map(|l| l.values.iter().copied()).fold(1.0, f64::max) * 1.1;
    let step = match r.sample_times_ms.as_slice() {
        [a, b, ..] => (b - a) / 1000.0,
        _ => 1.0,
    };
    html! {
        <figure>
            <LineChart lines={Rc::new(lines)} {y_max} marker={None::<usize>} y_percent={false} x_step={step}
                testid="chart-lag" label="Replication lag per shard over the run" />
            <figcaption>{ "Entries the most-behind node of each shard trails its primary, by virtual second. \
                Asynchronous replicas always trail by the writes of their lag; a killed or cut-off node falls \
                further behind while it is away, and catches up by batches once back." }</figcaption>
        </figure>
    }
}
