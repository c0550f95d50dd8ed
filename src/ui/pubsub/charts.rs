//! Charts of the whole run: the backlog of every durable subscription (and the bus's callback queue)
//! over time, and per topic the events published and the deliveries they fanned out to.

use super::session::PubSubSession;
use crate::ui::chart::{BarChart, Line, LineChart};
use crate::ui::palette;
use std::rc::Rc;
use yew::prelude::*;

/// Most points drawn per line (the series is thinned evenly beyond it).
const LINE_POINTS_MAX: usize = 400;
/// The bus's line colour (grey, after the subscriptions' palette colours).
const BUS_COLOR: (u8, u8, u8) = (140, 140, 140);

#[derive(Properties, PartialEq)]
pub struct ChartsProps {
    pub session: PubSubSession,
}

/// The two charts with an HTML legend (names are untrusted text).
#[function_component(PubSubCharts)]
pub fn pubsub_charts(props: &ChartsProps) -> Html {
    let r = &props.session.report;
    let lines = use_memo(props.session.report.clone(), |r| {
        let stride = r.sample_times_s.len().div_ceil(LINE_POINTS_MAX).max(1);
        let thin = |v: &[u32]| v.iter().step_by(stride).map(|&x| f64::from(x)).collect::<Vec<f64>>();
        let mut lines: Vec<Line> = r
            .subscriptions
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
    let legend = r.subscriptions.iter().filter(|s| s.durable).map(|s| {
        html! { <li>{ palette::swatch(s.id as usize) }{ format!("{} · {}", s.service, s.pattern) }</li> }
    });
    let topics = Rc::new(
        r.topics
            .iter()
            .enumerate()
            .map(|(i, t)| (t.topic.clone(), i, vec![t.published as f64, t.fanout as f64]))
            .collect::<Vec<_>>(),
    );
    html! {
        <div class="charts">
            <figure class="wide">
                <LineChart lines={(*lines).clone()} {y_max} marker={None::<usize>} y_percent={false}
                    testid="chart-backlog" label="Backlog of each durable subscription over time" />
                <figcaption>{ format!("Events waiting per durable subscription, and the bus's callback queue (0 to {span:.0} s)") }</figcaption>
                <ul class="legend inline" data-testid="backlog-legend">
                    { for legend }
                    <li><svg class="swatch" viewBox="0 0 10 10" aria-hidden="true"><rect width="10" height="10" rx="2" fill="rgb(140,140,140)" /></svg>{ "in-process bus" }</li>
                </ul>
            </figure>
            <figure class="wide">
                <BarChart groups={topics} series={vec!["published", "deliveries"]} reference={None::<(f64, String)>}
                    testid="chart-topics" label="Per topic: events published and deliveries" />
                <figcaption>{ "Per topic: events published, and the subscriptions they reached (fan-out)" }</figcaption>
            </figure>
        </div>
    }
}
