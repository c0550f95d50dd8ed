//! The whole run over time and per topic: the backlog of every durable queue (and the bus's
//! callback queue), and per topic the events published, refused and the deliveries they fanned out to.

use super::PubSubOutcome;
use super::PubSubSession;
use crate::ui::chart::{Line, LineChart};
use crate::ui::format::count;
use crate::ui::palette;
use crate::ui::scroll::scroll;
use std::rc::Rc;
use yew::prelude::*;

/// Most points drawn per line (the series is thinned evenly beyond it).
const LINE_POINTS_MAX: usize = 400;
/// The bus's line colour (grey, after the subscriptions' palette colours).
const BUS_COLOR: (u8, u8, u8) = (140, 140, 140);

#[derive(Properties, PartialEq)]
pub struct ChartsProps {
    pub session: PubSubSession,
    /// The whole run, once computed.
    pub outcome: Rc<PubSubOutcome>,
}

/// The backlog chart with an HTML legend (names are untrusted text) and the per-topic table.
#[function_component(PubSubCharts)]
pub fn pubsub_charts(props: &ChartsProps) -> Html {
    let r = &props.outcome.report;
    let stride = r.sample_times_s.len().div_ceil(LINE_POINTS_MAX).max(1);
    let lines = use_memo(props.outcome.clone(), move |o| {
        let r = &o.report;
        let thin = |v: &[u32]| v.iter().step_by(stride).map(|&x| f64::from(x)).collect::<Vec<f64>>();
        let mut lines: Vec<Line> = r
            .queues
            .iter()
            .filter(|s| s.durable)
            .map(|s| Line {
                name: "backlog",
                color: palette::rgb(s.id as usize),
                values: thin(&r.backlog[s.id as usize]),
            })
            .collect();
        lines.push(Line { name: "event bus", color: BUS_COLOR, values: thin(&r.bus_backlog) });
        Rc::new(lines)
    });
    let y_max = r.backlog.iter().flatten().chain(r.bus_backlog.iter()).map(|&v| f64::from(v)).fold(1.0, f64::max) * 1.1;
    let span = r.sample_times_s.last().copied().unwrap_or(0.0);
    let x_step = stride as f64 * props.session.config().sample_every_ms as f64 / 1000.0;
    let legend = r.queues.iter().filter(|s| s.durable).map(|s| {
        html! { <li>{ palette::swatch(s.id as usize) }{ format!("{} · {}", s.service, s.patterns()) }</li> }
    });
    let topics = r.topics.iter().map(|t| {
        let accepted = t.published - t.rejected;
        html! {
            <tr data-testid="topic-row" data-topic={t.topic.clone()}>
                <th scope="row"><code>{ t.topic.clone() }</code></th>
                <td class="num">{ count(t.published) }</td>
                <td class={classes!("num", (t.rejected > 0).then_some("bad"))}>{ count(t.rejected) }</td>
                <td class="num">{ count(t.fanout) }</td>
                <td class="num">{ if accepted > 0 { format!("{:.2}", t.fanout as f64 / accepted as f64) } else { "—".into() } }</td>
            </tr>
        }
    });
    html! {
        <div class="charts">
            <figure class="wide">
                <LineChart lines={(*lines).clone()} {y_max} marker={None::<usize>} y_percent={false} {x_step}
                    testid="chart-backlog" label="Backlog of each durable queue over time" />
                <figcaption>{ format!("Events waiting in each durable queue, and the bus's callback queue (x: seconds, 0 to {span:.0})") }</figcaption>
                <ul class="legend inline" data-testid="backlog-legend">
                    { for legend }
                    <li><svg class="swatch" viewBox="0 0 10 10" aria-hidden="true"><rect width="10" height="10" rx="2" fill="rgb(140,140,140)" /></svg>{ "in-process bus" }</li>
                </ul>
            </figure>
            <figure class="wide">
                { scroll("Topics", html! { <>
                    <table class="topics" data-testid="topics">
                        <thead><tr><th>{ "Topic" }</th><th class="num">{ "Published" }</th><th class="num">{ "Refused" }</th>
                            <th class="num">{ "Matched" }</th><th class="num">{ "Per event" }</th></tr></thead>
                        <tbody>{ for topics }</tbody>
                    </table>
                </> }) }
                <figcaption>{ "Per topic: events published, refused while the broker was down, and the queues the accepted ones reached (fan-out: a queue counts once per event however many of its bindings matched; a down ephemeral subscriber missed its share)" }</figcaption>
            </figure>
        </div>
    }
}
