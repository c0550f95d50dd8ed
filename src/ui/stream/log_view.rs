//! The log drawn as rows of cells: one row per partition, the newest records on the right, each cell a
//! record coloured by its key or by the consumer that owns its partition; consumed cells are faded, the
//! first group's committed offset is a marker, and the owner and lag are written at the end of the row.

use super::{CELLS, Frame};
use crate::ui::palette;
use crate::ui::scroll::scroll_as;
use yew::prelude::*;

const W: f64 = 640.0;
const ROW_H: f64 = 28.0;
const X0: f64 = 46.0;
const CELL_W: f64 = 25.0;

#[derive(Properties, PartialEq)]
pub struct FrameProps {
    pub frame: Frame,
}

/// A banner while a group is rebalancing: why, since when, and whether everyone is already stopped.
#[function_component(RebalanceBanner)]
pub fn rebalance_banner(props: &FrameProps) -> Html {
    let now_s = props.frame.clock_us as f64 / 1e6;
    let banners = props.frame.snap.groups.iter().filter_map(|g| {
        let r = g.rebalancing.as_ref()?;
        let since = r.since_us as f64 / 1e6;
        let phase = if r.syncing {
            "every consumer of the group is stopped while the partitions are reassigned"
        } else {
            "members finish the batch in hand, then everyone stops"
        };
        Some(html! {
            <p class="rebalance-banner" role="status" data-testid="rebalance-banner">
                <strong>{ format!("{} is rebalancing", g.name) }</strong>
                { format!(" (paused {:.1} s so far, since {since:.1} s: {}): {phase}.", now_s - since, r.triggers.join(", ")) }
            </p>
        })
    });
    html! { <>{ for banners }</> }
}

#[derive(Properties, PartialEq)]
pub struct LogProps {
    pub frame: Frame,
    pub by_key: bool,
    pub on_color: Callback<bool>,
}

/// The SVG of the partitions and the colour switch.
#[function_component(LogView)]
pub fn log_view(props: &LogProps) -> Html {
    let snap = &props.frame.snap;
    let h = snap.partitions.len() as f64 * ROW_H + 24.0;
    let group = snap.groups.first();
    let consumer_slot =
        |name: &str| group.and_then(|g| g.consumers.iter().position(|c| c.name == name)).unwrap_or(usize::MAX);
    let working: Vec<(u32, u64)> = group
        .map(|g| g.consumers.iter().filter_map(|c| c.working_on.map(|(p, o, _)| (p, o))).collect())
        .unwrap_or_default();
    let rows = snap.partitions.iter().map(|p| {
        let y = 18.0 + f64::from(p.partition) * ROW_H;
        let first = p.log_end.saturating_sub(CELLS as u64);
        let view = p.groups.first();
        let committed = view.map_or(0, |v| v.committed);
        let owner = view.and_then(|v| v.owner.clone());
        let owner_slot = owner.as_deref().map(&consumer_slot);
        let cells = p.tail.iter().map(|r| {
            let x = X0 + (r.offset - first) as f64 * CELL_W;
            let fill = if props.by_key {
                palette::css(r.key as usize)
            } else {
                owner_slot.filter(|&s| s != usize::MAX).map_or_else(|| "rgb(140,140,140)".to_string(), palette::css)
            };
            let done = r.offset < committed;
            let in_hand = working.contains(&(p.partition, r.offset));
            html! {
                <rect class={classes!("cell", done.then_some("done"), in_hand.then_some("in-hand"))}
                    x={format!("{x:.1}")} y={format!("{:.1}", y + 3.0)} width={(CELL_W - 3.0).to_string()}
                    height={(ROW_H - 8.0).to_string()} rx="3" fill={fill}>
                    <title>{ format!("P{} offset {} · customer-{} #{}", p.partition, r.offset, r.key, r.key_seq) }</title>
                </rect>
            }
        });
        let marker_x = X0 + committed.saturating_sub(first) as f64 * CELL_W - 1.5;
        let lag = view.map_or(0, |v| v.lag);
        html! {
            <g class="partition" data-testid="partition-row" data-partition={p.partition.to_string()}>
                <text class="label" x="4" y={format!("{:.1}", y + 15.0)}>{ format!("P{}", p.partition) }</text>
                <text class="sub" x="4" y={format!("{:.1}", y + 25.0)}>{ format!("@{first}") }</text>
                { for cells }
                if view.is_some() {
                    <line class="committed" x1={format!("{marker_x:.1}")} x2={format!("{marker_x:.1}")}
                        y1={format!("{:.1}", y)} y2={format!("{:.1}", y + ROW_H - 2.0)} />
                }
                <text class="sub end" x={format!("{:.1}", X0 + CELLS as f64 * CELL_W + 4.0)} y={format!("{:.1}", y + 12.0)}>
                    { format!("end {}", p.log_end) }
                </text>
                <text class={classes!("sub", "owner", owner.is_none().then_some("none"))}
                    x={format!("{:.1}", X0 + CELLS as f64 * CELL_W + 4.0)} y={format!("{:.1}", y + 24.0)}>
                    { owner.clone().unwrap_or_else(|| "no owner".into()) }
                    <tspan class={classes!("lag", (lag > 0).then_some("behind"))} data-testid="lag-value">
                        { format!(" · lag {lag}") }
                    </tspan>
                </text>
            </g>
        }
    });
    let by_key = props.by_key;
    let set = |v: bool| {
        let on = props.on_color.clone();
        Callback::from(move |_| on.emit(v))
    };
    let group_name = group.map(|g| g.name.clone()).unwrap_or_default();
    html! {
        <div class="log-view">
            <div class="row color-switch" role="group" aria-label="Colour cells by">
                <span class="muted">{ "Colour records by " }</span>
                <button aria-pressed={(!by_key).to_string()} class={classes!((!by_key).then_some("active"))}
                    data-testid="color-by-owner" onclick={set(false)}>{ "owner" }</button>
                <button aria-pressed={by_key.to_string()} class={classes!(by_key.then_some("active"))}
                    data-testid="color-by-key" onclick={set(true)}>{ "key (customer)" }</button>
            </div>
            { scroll_as("log-scroll", "Partitions of the log", html! { <>
            <svg class="log" viewBox={format!("0 0 {W} {h:.0}")} role="img" data-testid="log"
                aria-label={format!("{} records in {} partitions", snap.produced, snap.partitions.len())}>
                <text class="sub" x={X0.to_string()} y="11">
                    { format!("older ← offsets → newer · faded: committed by {group_name} · bar: its committed offset") }
                </text>
                { for rows }
            </svg>
            </> }) }
        </div>
    }
}
