//! The outcome panels: metric cards per group, lag (now and over time), the rebalances with their
//! pauses and assignments, what order the consumers saw, and the theory checks.

use super::{Frame, StreamOutcome, StreamSession};
use crate::sim::stream::GroupReport;
use crate::ui::chart::{BarChart, Line, LineChart};
use crate::ui::format::count;
use crate::ui::palette;
use crate::ui::scroll::scroll;
use std::rc::Rc;
use yew::prelude::*;

/// Partition names for chart legends.
const PARTITION_NAMES: [&str; 64] = [
    "P0", "P1", "P2", "P3", "P4", "P5", "P6", "P7", "P8", "P9", "P10", "P11", "P12", "P13", "P14", "P15", "P16", "P17",
    "P18", "P19", "P20", "P21", "P22", "P23", "P24", "P25", "P26", "P27", "P28", "P29", "P30", "P31", "P32", "P33",
    "P34", "P35", "P36", "P37", "P38", "P39", "P40", "P41", "P42", "P43", "P44", "P45", "P46", "P47", "P48", "P49",
    "P50", "P51", "P52", "P53", "P54", "P55", "P56", "P57", "P58", "P59", "P60", "P61", "P62", "P63",
];

#[derive(Properties, PartialEq)]
pub struct SessionProps {
    pub session: StreamSession,
    /// The whole run, once computed.
    pub outcome: Rc<StreamOutcome>,
}

fn card(testid: String, label: &'static str, value: String, tone: Option<&'static str>) -> Html {
    html! {
        <div class={classes!("metric", tone)}>
            <span class="metric-label">{ label }</span>
            <span class="metric-value" data-testid={testid}>{ value }</span>
        </div>
    }
}

/// A test id for group `g`: the plain id for the first group, suffixed for the others.
fn tid(id: &str, g: usize) -> String {
    if g == 0 { id.to_string() } else { format!("{id}-{g}") }
}

fn group_cards(g: &GroupReport, i: usize, produced: u64) -> Html {
    let bad = |n: u64| (n > 0).then_some("bad");
    html! {
        <div class="group-metrics" data-testid="group-metrics">
            <h3>{ format!("{} · {}", g.name, g.commit.label()) }</h3>
            <div class="metrics">
                { card(tid("metric-consumed", i), "Consumed", format!("{} / {}", count(g.consumed), count(produced)), None) }
                { card(tid("metric-lost", i), "Lost", count(g.lost), bad(g.lost)) }
                { card(tid("metric-duplicates", i), "Duplicates", count(g.duplicates), bad(g.duplicates)) }
                { card(tid("metric-rebalances", i), "Rebalances", g.rebalances.len().to_string(), None) }
                { card(tid("metric-paused", i), "Paused in all", format!("{:.1} s", g.paused_s), None) }
                { card(tid("metric-throughput", i), "Throughput", format!("{:.2}/s", g.throughput_per_s), None) }
                { card(tid("metric-p50", i), "Latency p50", format!("{:.2} s", g.latency_p50_s), None) }
                { card(tid("metric-p95", i), "Latency p95", format!("{:.2} s", g.latency_p95_s), None) }
                { card(tid("metric-p99", i), "Latency p99", format!("{:.2} s", g.latency_p99_s), None) }
            </div>
            if !g.crashes.is_empty() {
                <ul class="crashes muted">
                    { for g.crashes.iter().map(|c| html! {
                        <li data-testid="crash-row">{ format!(
                            "{} crashed at {:.1} s: {} records committed but not handled (lost), {} handled but not committed (handled again).",
                            c.consumer, c.at_s, c.in_flight, c.handled_uncommitted) }</li>
                    }) }
                </ul>
            }
        </div>
    }
}

/// The metric cards of every group.
#[function_component(Metrics)]
pub fn metrics(props: &SessionProps) -> Html {
    let r = &props.outcome.report;
    html! {
        <>
            { for r.groups.iter().enumerate().map(|(i, g)| group_cards(g, i, r.produced)) }
            <p class="muted explain">{ format!(
                "{} records in {} partitions, {:.2} records/s on average; run over at {:.0} s{}. Lost and duplicates are counted from the ledger of every handling.",
                count(r.produced), r.partitions, r.lambda_per_s, r.time_s,
                if r.finished { "" } else { " (still running)" }) }</p>
            if !props.outcome.violations.is_empty() {
                <p class="notice error" data-testid="stream-violations">{ format!("Invariant broken: {}", props.outcome.violations.join("; ")) }</p>
            }
        </>
    }
}

#[derive(Properties, PartialEq)]
pub struct LagProps {
    pub outcome: Rc<StreamOutcome>,
    pub frame: Option<Frame>,
}

/// Lag per partition now (bars, every group), and the first group's lag per partition over the run.
#[function_component(LagCharts)]
pub fn lag_charts(props: &LagProps) -> Html {
    let r = &props.outcome.report;
    let now = Rc::new(props.frame.as_ref().map_or_else(Vec::new, |f| {
        f.snap
            .partitions
            .iter()
            .map(|p| {
                (format!("P{}", p.partition), p.partition as usize, p.groups.iter().map(|g| g.lag as f64).collect())
            })
            .collect::<Vec<_>>()
    }));
    let series: Vec<&'static str> = r
        .groups
        .iter()
        .enumerate()
        .map(|(i, _)| ["first group", "second group", "third group", "fourth group"][i.min(3)])
        .collect();
    let lines = use_memo(props.outcome.clone(), |o| {
        Rc::new(o.report.groups.first().map_or_else(Vec::new, |g| {
            g.lag_series
                .iter()
                .enumerate()
                .map(|(p, s)| Line {
                    name: PARTITION_NAMES[p.min(63)],
                    color: palette::rgb(p),
                    values: s.iter().map(|&v| f64::from(v)).collect(),
                })
                .collect::<Vec<_>>()
        }))
    });
    let y_max = r
        .groups
        .first()
        .map_or(1.0, |g| g.lag_series.iter().flatten().map(|&v| f64::from(v)).fold(1.0, f64::max) * 1.1);
    let peak = r.groups.first().map_or(0, |g| {
        (0..g.lag_series.first().map_or(0, Vec::len))
            .map(|i| g.lag_series.iter().map(|s| u64::from(s[i])).sum::<u64>())
            .max()
            .unwrap_or(0)
    });
    let group_names = r.groups.iter().map(|g| g.name.clone()).collect::<Vec<_>>().join(", ");
    html! {
        <div class="charts">
            <figure>
                <BarChart groups={now} {series} reference={None::<(f64, String)>}
                    band={None::<(f64, f64)>} testid="chart-lag-now" label="Lag per partition now" />
                <figcaption>{ format!("Lag per partition at the animation's time ({group_names})") }</figcaption>
            </figure>
            <figure class="wide">
                <LineChart lines={(*lines).clone()} {y_max} marker={None::<usize>} y_percent={false}
                    x_step={r.sample_every_s} testid="chart-lag-time" label="Lag per partition over the run" />
                <figcaption data-testid="lag-peak">{ format!(
                    "Lag per partition over the run ({1}), by virtual second (a sample every {0:.0} s); the total peaked at {peak}.",
                    r.sample_every_s, r.groups.first().map(|g| g.name.clone()).unwrap_or_default()) }</figcaption>
            </figure>
        </div>
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn assignment(a: &[(String, Vec<u32>)]) -> String {
    a.iter()
        .map(|(c, ps)| {
            let ps = if ps.is_empty() {
                "idle".to_string()
            } else {
                ps.iter().map(|p| format!("P{p}")).collect::<Vec<_>>().join(",")
            };
            format!("{c}: {ps}")
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

/// Every rebalance of every group: a timeline of the pauses and a table.
#[function_component(Rebalances)]
pub fn rebalances(props: &SessionProps) -> Html {
    let r = &props.outcome.report;
    let span = r.time_s.max(1.0);
    let any = r.groups.iter().any(|g| !g.rebalances.is_empty());
    if !any {
        return html! { <p class="muted" data-testid="no-rebalance">{ "No rebalance in this run: nobody joined, left or crashed." }</p> };
    }
    let tl_h = r.groups.len() as f64 * 22.0 + 18.0;
    let bars = r.groups.iter().enumerate().map(|(i, g)| {
        let y = 4.0 + i as f64 * 22.0;
        html! {
            <g>
                <text class="sub" x="2" y={format!("{:.1}", y + 13.0)}>{ g.name.clone() }</text>
                <rect class="track" x="90" y={format!("{y:.1}")} width="540" height="16" rx="3" />
                { for g.rebalances.iter().map(|b| {
                    let x = 90.0 + b.at_s / span * 540.0;
                    let w = (b.paused_s / span * 540.0).max(2.0);
                    html! { <rect class="pause" x={format!("{x:.1}")} y={format!("{y:.1}")} width={format!("{w:.1}")} height="16" rx="2">
                        <title>{ format!("paused {:.1} s from {:.1} s", b.paused_s, b.at_s) }</title></rect> }
                }) }
            </g>
        }
    });
    let rows = r.groups.iter().flat_map(|g| {
        g.rebalances.iter().map(move |b| {
            html! {
                <tr data-testid="rebalance-row">
                    <td>{ g.name.clone() }</td>
                    <td class="num">{ format!("{:.1} s", b.at_s) }</td>
                    <td>{ b.triggers.join(", ") }</td>
                    <td class="num" data-testid="rebalance-paused">{ format!("{:.2} s", b.paused_s) }</td>
                    <td class="assign">{ assignment(&b.before) }<br />{ "→ " }{ assignment(&b.after) }</td>
                    <td class="num">{ format!("{} → {}", b.lag_at_sync, b.lag_at_end) }</td>
                </tr>
            }
        })
    });
    html! {
        <>
            <svg class="timeline" viewBox={format!("0 0 640 {tl_h:.0}")} role="img" aria-label="Pauses over the run" data-testid="rebalance-timeline">
                { for bars }
                <text class="sub" x="90" y={format!("{:.0}", tl_h - 2.0)}>{ "0 s" }</text>
                <text class="sub" x="630" y={format!("{:.0}", tl_h - 2.0)} text-anchor="end">{ format!("{span:.0} s") }</text>
            </svg>
            { scroll("Every rebalance", html! { <>
                <table class="rebalances">
                    <thead><tr><th>{ "Group" }</th><th class="num">{ "At" }</th><th>{ "Why" }</th><th class="num">{ "Paused" }</th>
                        <th>{ "Assignment before → after" }</th><th class="num">{ "Lag at sync → end" }</th></tr></thead>
                    <tbody>{ for rows }</tbody>
                </table>
            </> }) }
            <p class="muted explain">{ "Eager rebalance: on a join, a leave or a session timeout every member finishes the batch in hand and stops;                 the sync then takes the configured time, and consumption resumes from the committed offsets. While the group is stopped                 its lag grows by exactly the records produced meanwhile." }</p>
        </>
    }
}

/// Per group: order within partitions, across partitions (with an example), per key.
#[function_component(Ordering)]
pub fn ordering(props: &SessionProps) -> Html {
    let r = &props.outcome.report;
    let blocks = r.groups.iter().enumerate().map(|(i, g)| {
        let o = &g.ordering;
        let example = o.example.as_ref().map(|e| format!(
            "For example customer-{} #{} (P{} @{}, published {:.2} s) was handled at {:.2} s, before customer-{} #{} (P{} @{}, published earlier at {:.2} s) handled at {:.2} s.",
            e.first.key, e.first.key_seq, e.first.partition, e.first.offset, e.first.published_at as f64 / 1e6, e.first_handled_s,
            e.second.key, e.second.key_seq, e.second.partition, e.second.offset, e.second.published_at as f64 / 1e6, e.second_handled_s));
        html! {
            <div class="ordering" data-testid="ordering">
                <h3>{ g.name.clone() }</h3>
                <ul>
                    <li><strong>{ "Within a partition: " }</strong>
                        <span data-testid={tid("ordering-within", i)}>{ if o.within_partition_violations == 0 {
                            "in order (0 offsets seen out of order)".to_string()
                        } else { format!("{} offsets seen out of order", o.within_partition_violations) } }</span></li>
                    <li><strong>{ "Per customer (key): " }</strong>
                        <span data-testid={tid("ordering-keys", i)}>{ format!("{} customers saw their records out of order", o.keys_out_of_order) }</span></li>
                    <li><strong>{ "Across partitions: " }</strong>
                        <span data-testid={tid("ordering-cross", i)}>{ count(o.cross_partition_out_of_order) }</span>
                        { " records were handled before a record published earlier (in another partition)." }</li>
                </ul>
                if let Some(e) = example { <p class="muted" data-testid={tid("ordering-example", i)}>{ e }</p> }
            </div>
        }
    });
    html! {
        <>
            { for blocks }
            <p class="muted explain">{ "A partition is one ordered log, and a key always goes to the same partition:                 order is kept per customer. There is no order between partitions." }</p>
        </>
    }
}

/// Capacity against the measured throughput, and Little's law on the measured data.
#[function_component(Theory)]
pub fn theory(props: &SessionProps) -> Html {
    let r = &props.outcome.report;
    let c = props.session.config();
    let per_consumer = 1000.0 / c.handle_ms as f64;
    let rows = r.groups.iter().enumerate().map(|(i, g)| {
        let active = g.consumers.iter().filter(|k| k.alive && k.member && !k.partitions.is_empty()).count();
        let capacity = active as f64 * per_consumer;
        let little = g.little_lambda_w;
        html! {
            <tr>
                <th scope="row">{ g.name.clone() }</th>
                <td class="num">{ format!("{active} × {per_consumer:.2} = {capacity:.2}/s") }</td>
                <td class="num" data-testid={tid("theory-expected", i)}>{ format!("{:.2}/s", r.lambda_per_s.min(capacity)) }</td>
                <td class="num">{ format!("{:.2}/s", g.throughput_per_s) }</td>
                <td class="num" data-testid={tid("little-l", i)}>{ format!("{:.2}", g.in_system_mean) }</td>
                <td class="num" data-testid={tid("little-lw", i)}>{ format!("{little:.2}") }</td>
            </tr>
        }
    });
    // Why a run's average throughput differs from min(λ, capacity): the theory is about a steady run.
    let production_end_s = if r.lambda_per_s > 0.0 { r.produced as f64 / r.lambda_per_s } else { 0.0 };
    let caveats = r.groups.iter().filter_map(|g| {
        let active = g.consumers.iter().filter(|k| k.alive && k.member && !k.partitions.is_empty()).count();
        let capacity = active as f64 * per_consumer;
        let mut why = Vec::new();
        if !g.rebalances.is_empty() {
            let n = g.rebalances.len();
            why.push(format!("{n} rebalance{} changed its capacity and paused it {:.1} s", plural(n), g.paused_s));
        }
        if !g.crashes.is_empty() {
            let n = g.crashes.len();
            why.push(format!("{n} crash{} left work to redo", if n == 1 { "" } else { "es" }));
        }
        if capacity < r.lambda_per_s {
            why.push("its capacity is below the arrival rate, so lag grows until the producers stop".to_string());
        }
        (!why.is_empty()).then(|| html! {
            <li data-testid="theory-caveat">{ format!(
                "{}: not a steady run ({}). Its throughput is averaged over the whole run, {:.0} s, including the drain \
                 after the producers stopped at about {:.0} s, so it differs from min(λ, capacity).",
                g.name, why.join("; "), r.time_s, production_end_s) }</li>
        })
    }).collect::<Html>();
    html! {
        { scroll("Capacity and throughput per group", html! { <>
            <table class="theory">
                <thead><tr><th>{ "Group" }</th><th class="num">{ "Capacity (end)" }</th><th class="num">{ "min(λ, capacity)" }</th>
                    <th class="num">{ "Measured" }</th><th class="num">{ "L (measured)" }</th><th class="num">{ "λ·W" }</th></tr></thead>
                <tbody>{ for rows }</tbody>
            </table>
            <p class="muted explain">{ format!(
                "A consumer handles one record at a time, {per_consumer:.2} per second on average, so a group's capacity is its consumers                  with a partition times that (a consumer beyond the {} partitions is idle). In a steady run the throughput is min(λ, capacity).                  Little's law: the mean number of records published and not yet handled, L, equals the arrival rate over the run \
                 ({} records in {:.0} s) times the mean latency W.",
                c.partitions, r.produced, r.time_s) }</p>
            <ul class="muted explain">{ caveats }</ul>
        </> }) }
    }
}
