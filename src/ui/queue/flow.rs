//! The animated picture: producers on the left, the broker's queue in the middle, the shops on the
//! right with their ovens; each order is a dot coloured by its state at the animation's time.

use super::Frame;
use crate::sim::queue::{OrderStatus, broker::HeldState};
use yew::prelude::*;

const ROW_H: f64 = 34.0;
/// Most shops in one column; more shops take more columns, so a chain of 32 stays short.
const ROWS_MAX: usize = 12;
/// Width of a column of shops.
const COL_W: f64 = 210.0;
/// Characters of a shop's name drawn (the full name is in the tooltip).
const NAME_CHARS: usize = 6;
/// Most dots drawn per group (the count is written next to it).
const DOTS_MAX: usize = 24;

#[derive(Properties, PartialEq)]
pub struct FlowProps {
    pub frame: Frame,
}

fn dots(n: usize, x0: f64, y0: f64, class: &'static str, per_row: usize) -> Html {
    html! {
        { for (0..n.min(DOTS_MAX)).map(|i| {
            let (col, row) = ((i % per_row) as f64, (i / per_row) as f64);
            html! { <circle class={classes!("dot", class)} cx={format!("{:.1}", x0 + col * 9.0)} cy={format!("{:.1}", y0 + row * 9.0)} r="3.5" /> }
        }) }
    }
}

/// The SVG of orders moving from producers through the broker to the shops.
#[function_component(FlowView)]
pub fn flow_view(props: &FlowProps) -> Html {
    let snap = &props.frame.snap;
    let shops = snap.shops.len().max(1);
    let columns = shops.div_ceil(ROWS_MAX);
    let rows = shops.div_ceil(columns);
    let w = 430.0 + columns as f64 * COL_W;
    let h = (rows as f64 * ROW_H + 40.0).max(200.0);
    let mid = h / 2.0;
    let (mut ready, mut backoff, mut leased, mut done, mut dead, mut lost, mut rejected) = (0, 0, 0, 0, 0, 0, 0);
    for o in &snap.orders {
        match o.status {
            OrderStatus::Held { state: HeldState::Ready, .. } => ready += 1,
            OrderStatus::Held { state: HeldState::Backoff { .. }, .. } => backoff += 1,
            OrderStatus::Held { state: HeldState::Leased { .. }, .. } | OrderStatus::Making => leased += 1,
            OrderStatus::Done { .. } => done += 1,
            OrderStatus::DeadLettered => dead += 1,
            OrderStatus::Lost => lost += 1,
            OrderStatus::Rejected => rejected += 1,
        }
    }
    let produced = snap.orders.len();
    let shop_rows = snap.shops.iter().enumerate().map(|(i, s)| {
        let (x, y) = (430.0 + (i / rows) as f64 * COL_W, 20.0 + (i % rows) as f64 * ROW_H);
        let cls = classes!("shop", (!s.alive).then_some("down"), s.declared_dead.then_some("declared"));
        let name: String = if s.name.chars().count() > NAME_CHARS {
            s.name.chars().take(NAME_CHARS - 1).chain(['…']).collect()
        } else {
            s.name.clone()
        };
        html! {
            <g class={cls}>
                <title>{ s.name.clone() }</title>
                if i < rows {
                    <line class="wire" x1="300" y1={mid.to_string()} x2={x.to_string()} y2={format!("{:.1}", y + 12.0)} />
                }
                <rect x={x.to_string()} y={format!("{y:.1}")} width={(COL_W - 10.0).to_string()} height={(ROW_H - 8.0).to_string()} rx="5" />
                <text class="label" x={(x + 8.0).to_string()} y={format!("{:.1}", y + 17.0)}>{ name }</text>
                { dots(s.making.len(), x + 62.0, y + 9.0, "making", 13) }
                if !s.alive { <text class="status" x={(x + COL_W - 26.0).to_string()} y={format!("{:.1}", y + 17.0)}>{ "✕" }</text> }
            </g>
        }
    });
    html! {
        <svg class="flow" viewBox={format!("0 0 {w} {h:.0}")} role="img" data-testid="flow"
            aria-label={format!("{produced} orders produced, {ready} waiting at the broker, {leased} being made, {done} done")}>
            <g class="producers">
                <rect x="8" y={format!("{:.1}", mid - 30.0)} width="110" height="60" rx="6" />
                <text class="label" x="16" y={format!("{:.1}", mid - 12.0)}>{ "Producers" }</text>
                <text class="sub" x="16" y={format!("{:.1}", mid + 6.0)}>{ format!("{produced} sent") }</text>
                <text class="sub" x="16" y={format!("{:.1}", mid + 22.0)}>{ format!("{rejected} refused") }</text>
            </g>
            <line class="wire" x1="118" y1={mid.to_string()} x2="150" y2={mid.to_string()} />
            <g class={classes!("broker", (!snap.broker_up).then_some("down"))}>
                <rect x="150" y={format!("{:.1}", mid - 60.0)} width="150" height="120" rx="6" />
                <text class="label" x="158" y={format!("{:.1}", mid - 42.0)}>
                    { if snap.broker_up { "Broker" } else { "Broker (down)" } }
                </text>
                { dots(ready, 162.0, mid - 26.0, "ready", 15) }
                { dots(backoff, 162.0, mid + 10.0, "backoff", 15) }
                <text class="sub" x="158" y={format!("{:.1}", mid + 36.0)}>{ format!("{ready} ready · {backoff} retrying") }</text>
                <text class="sub" x="158" y={format!("{:.1}", mid + 52.0)}>{ format!("DLQ {dead} · lost {lost}") }</text>
            </g>
            { for shop_rows }
            <text class="sub" x="430" y={format!("{:.1}", h - 4.0)}>{ format!("{done} done · {leased} in ovens or leased") }</text>
        </svg>
    }
}
