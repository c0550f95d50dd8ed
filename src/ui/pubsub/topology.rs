//! The picture at the animation's time: the publisher, the broker with its topics, each service's durable
//! queue, ephemeral queues as direct lines, and the services (greyed when down) with every queue's
//! bindings listed under it. Edges carry the events the queue received so far (and, for ephemeral ones,
//! those missed).

use super::Frame;
use crate::sim::pubsub::QueueReport;
use crate::ui::scroll::scroll_as;
use yew::prelude::*;

const W: f64 = 620.0;
const ROW_H: f64 = 44.0;
/// Extra height per binding beyond the first.
const BINDING_H: f64 = 14.0;
const TOP: f64 = 28.0;
/// Most topics listed in the broker box (the rest are summed).
const TOPICS_SHOWN: usize = 6;
/// Longest topic name written in the broker box, in characters.
const TOPIC_CHARS: usize = 15;
/// Most dots drawn in a queue (the count is written next to it).
const DOTS_MAX: usize = 8;

#[derive(Properties, PartialEq)]
pub struct TopologyProps {
    pub frame: Frame,
}

fn f1(v: f64) -> String {
    format!("{v:.1}")
}

/// The SVG.
#[function_component(Topology)]
pub fn topology(props: &TopologyProps) -> Html {
    let r = &props.frame.snap;
    // Rows grouped by service (in configuration order), each service's queues in creation order; a row
    // is as tall as its list of bindings.
    let mut rows: Vec<&QueueReport> = r.queues.iter().filter(|q| q.active).collect();
    let order = |name: &str| r.services.iter().position(|s| s.name == name).unwrap_or(usize::MAX);
    rows.sort_by_key(|q| (order(&q.service), q.id));
    let heights: Vec<f64> =
        rows.iter().map(|q| ROW_H + q.live_bindings().count().saturating_sub(1) as f64 * BINDING_H).collect();
    let tops: Vec<f64> = heights.iter().scan(TOP, |y, h| Some(std::mem::replace(y, *y + h))).collect();
    let total: f64 = heights.iter().sum::<f64>().max(ROW_H);
    let h = (total + TOP + 16.0).max(220.0);
    let broker_top = TOP;
    let broker_h = h - TOP - 16.0;
    let mid = broker_top + broker_h / 2.0;
    // The queue sits level with the first line of its row; its bindings are listed below it.
    let row_y = |i: usize| tops[i] + ROW_H / 2.0;
    let row_end = |i: usize| tops[i] + heights[i] - ROW_H / 2.0;

    let topics = r.topics.iter().take(TOPICS_SHOWN).enumerate().map(|(i, t)| {
        let y = broker_top + 40.0 + i as f64 * 16.0;
        let name: String = if t.topic.chars().count() > TOPIC_CHARS {
            t.topic.chars().take(TOPIC_CHARS - 1).chain(std::iter::once('…')).collect()
        } else {
            t.topic.clone()
        };
        html! {
            <text class="sub" x="128" y={f1(y)}>
                <title>{ t.topic.clone() }</title>
                <tspan>{ name }</tspan><tspan class="count" x="256" text-anchor="end">{ t.published }</tspan>
            </text>
        }
    });
    let more = r.topics.len().saturating_sub(TOPICS_SHOWN);

    let edges = rows.iter().enumerate().map(|(i, s)| {
        let y = row_y(i);
        let down = !s.service_up;
        if s.durable {
            let dots = (0..(s.backlog as usize).min(DOTS_MAX)).map(|k| {
                html! { <circle class="dot ready" cx={f1(310.0 + k as f64 * 9.0)} cy={f1(y)} r="3.2" /> }
            });
            html! {
                <g class={classes!("sub-edge", "durable", down.then_some("down"))} data-testid="topo-queue">
                    <line class="wire" x1="262" y1={f1(mid)} x2="300" y2={f1(y)} />
                    <text class="edge-count" x="296" y={f1(y - 15.0)} text-anchor="end">{ s.matched }</text>
                    <rect class="queue" x="300" y={f1(y - 13.0)} width="100" height="26" rx="4" />
                    { for dots }
                    <text class="sub" x="396" y={f1(y + 4.0)} text-anchor="end">{ s.backlog }</text>
                    <line class="wire" x1="400" y1={f1(y)} x2="450" y2={f1(y)} />
                    <text class="edge-count" x="425" y={f1(y - 5.0)} text-anchor="middle">{ s.handled }</text>
                </g>
            }
        } else {
            html! {
                <g class={classes!("sub-edge", "ephemeral", down.then_some("down"))} data-testid="topo-queue">
                    <line class="wire direct" x1="262" y1={f1(mid)} x2="450" y2={f1(y)} />
                    <text class="edge-count" x="356" y={f1(y - 6.0)} text-anchor="middle">
                        { format!("{} direct", s.delivered) }
                        if s.missed > 0 { <tspan class="missed">{ format!(" · {} missed", s.missed) }</tspan> }
                    </text>
                </g>
            }
        }
    });

    // One box per service around its rows.
    let mut services = Vec::new();
    let mut i = 0;
    while i < rows.len() {
        let j = (i..rows.len()).take_while(|&k| rows[k].service == rows[i].service).last().unwrap_or(i);
        let s = rows[i];
        let (y0, y1) = (row_y(i) - 17.0, row_end(j) + 17.0);
        let labels = rows[i..=j].iter().enumerate().flat_map(|(k, q)| {
            let y = row_y(i + k);
            // The kind is in the drawing (a queue box or a direct line): just the bindings.
            q.live_bindings().enumerate().map(move |(n, b)| {
                html! {
                    <text class="sub" x="458" y={f1(y + 12.0 + n as f64 * BINDING_H)} data-testid="topo-binding">
                        { format!("{} {}", b.kind.label(), b.pattern) }
                    </text>
                }
            })
        });
        services.push(html! {
            <g class={classes!("service", (!s.service_up).then_some("down"))}>
                <rect x="450" y={f1(y0)} width="164" height={f1(y1 - y0)} rx="5" />
                <text class="label" x="458" y={f1(y0 + 15.0)}>
                    { s.service.clone() }
                    if !s.service_up { <tspan class="status">{ " (down)" }</tspan> }
                </text>
                { for labels }
            </g>
        });
        i = j + 1;
    }
    let published = r.published;
    html! {
        { scroll_as("svg-scroll", "Queues and bindings", html! { <>
        <svg class="flow pubsub-flow" viewBox={format!("0 0 {W} {h:.0}")} role="img" data-testid="topology"
            aria-label={format!("{published} events published, {} queues, {} missed so far", rows.len(), r.missed)}>
            <text class="col-title" x="8" y="14">{ "publisher" }</text>
            <text class="col-title" x="120" y="14">{ "broker · topics" }</text>
            <text class="col-title" x="300" y="14">{ "durable queues" }</text>
            <text class="col-title" x="450" y="14">{ "services" }</text>
            <g class="producers">
                <rect x="6" y={f1(mid - 30.0)} width="90" height="60" rx="6" />
                <text class="label" x="14" y={f1(mid - 10.0)}>{ "Orders" }</text>
                <text class="sub" x="14" y={f1(mid + 8.0)}>{ format!("{published} sent") }</text>
                <text class="sub" x="14" y={f1(mid + 24.0)}>{ format!("{} refused", r.rejected) }</text>
            </g>
            <line class="wire" x1="96" y1={f1(mid)} x2="120" y2={f1(mid)} />
            <g class={classes!("broker", (!r.broker_up).then_some("down"))}>
                <rect x="120" y={f1(broker_top)} width="142" height={f1(broker_h)} rx="6" />
                <text class="label" x="128" y={f1(broker_top + 18.0)}>
                    { if r.broker_up { "Broker" } else { "Broker (down)" } }
                </text>
                { for topics }
                if more > 0 {
                    <text class="sub" x="128" y={f1(broker_top + 40.0 + TOPICS_SHOWN as f64 * 16.0)}>{ format!("+{more} topics") }</text>
                }
                <text class="sub" x="128" y={f1(broker_top + broker_h - 8.0)}>
                    { if r.persistent { "queues on disk" } else { "queues in memory" } }
                </text>
            </g>
            { for edges }
            { for services }
        </svg>
        </> }) }
    }
}
