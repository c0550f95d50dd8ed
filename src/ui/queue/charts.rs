//! Charts: queue depth over the run, orders in the oven and waiting per shop (at the animation's time),
//! and the latency percentiles.

use super::Frame;
use crate::ui::app::QueueSession;
use crate::ui::chart::{BarChart, Line, LineChart};
use std::rc::Rc;
use yew::prelude::*;

/// Most points drawn on the depth line (the series is thinned evenly beyond it).
const LINE_POINTS_MAX: usize = 400;

#[derive(Properties, PartialEq)]
pub struct ChartsProps {
    pub session: QueueSession,
    pub frame: Option<Frame>,
}

/// The three charts.
#[function_component(QueueCharts)]
pub fn queue_charts(props: &ChartsProps) -> Html {
    let r = &props.session.report;
    let depth = use_memo(props.session.report.clone(), |r| {
        let d = &r.queue_depth;
        let stride = d.len().div_ceil(LINE_POINTS_MAX).max(1);
        let values: Vec<f64> = d.iter().step_by(stride).map(|&(_, v)| f64::from(v)).collect();
        Rc::new(vec![Line { name: "orders held by the broker", color: (66, 133, 244), values }])
    });
    let y_max = r.queue_depth.iter().map(|&(_, d)| f64::from(d)).fold(1.0, f64::max) * 1.1;
    let per_shop = Rc::new(props.frame.as_ref().map_or_else(Vec::new, |f| {
        f.snap
            .shops
            .iter()
            .enumerate()
            .map(|(i, s)| (s.name.clone(), i, vec![s.making.len() as f64, s.queued as f64]))
            .collect::<Vec<_>>()
    }));
    let latency = Rc::new(vec![
        ("p50".to_string(), 0, vec![r.latency_p50_s]),
        ("p95".to_string(), 1, vec![r.latency_p95_s]),
        ("p99".to_string(), 2, vec![r.latency_p99_s]),
    ]);
    let span = r.queue_depth.last().map_or(0.0, |&(t, _)| t);
    html! {
        <div class="charts">
            <figure class="wide">
                <LineChart lines={(*depth).clone()} {y_max} marker={None::<usize>} y_percent={false}
                    testid="chart-depth" label="Queue depth over time" />
                <figcaption>{ format!("Queue depth over the run (0 to {span:.0} s)") }</figcaption>
            </figure>
            <figure>
                <BarChart groups={per_shop} series={vec!["in the oven", "waiting"]} reference={None::<(f64, String)>}
                    band={None::<(f64, f64)>} testid="chart-inflight" label="Orders in flight per shop" />
                <figcaption>{ "In flight per shop, now" }</figcaption>
            </figure>
            <figure>
                <BarChart groups={latency} series={vec!["seconds"]} reference={None::<(f64, String)>}
                    band={None::<(f64, f64)>} testid="chart-latency" label="Latency percentiles" />
                <figcaption>{ "Order to pizza: latency percentiles (s)" }</figcaption>
            </figure>
        </div>
    }
}
