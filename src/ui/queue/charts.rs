//! Charts: queue depth over the run, orders in the oven and waiting per shop (at the animation's time),
//! and the latency percentiles.

use super::Frame;
use super::outcome::Outcome;
use crate::ui::chart::{BarChart, Line, LineChart};
use std::rc::Rc;
use yew::prelude::*;

/// Most points drawn on the depth line (the series is thinned evenly beyond it).
const LINE_POINTS_MAX: usize = 400;

#[derive(Properties, PartialEq)]
pub struct ChartsProps {
    /// The recorded run, once computed.
    pub outcome: Option<Rc<Outcome>>,
    pub frame: Option<Frame>,
}

/// The three charts.
#[function_component(QueueCharts)]
pub fn queue_charts(props: &ChartsProps) -> Html {
    // The hook first, whatever the outcome: a hook after an early return would be called conditionally.
    let depth = use_memo(props.outcome.clone(), |o| {
        let Some(o) = o else { return (Rc::new(Vec::new()), 1.0) };
        let d = &o.report.queue_depth;
        let stride = d.len().div_ceil(LINE_POINTS_MAX).max(1);
        let values: Vec<f64> = d.iter().step_by(stride).map(|&(_, v)| f64::from(v)).collect();
        // Samples are taken every `sample_every_ms` from 0 (the last one at the end of the run).
        let seconds_per_point = d.get(1).map_or(1.0, |p| p.0 - d[0].0) * stride as f64;
        (Rc::new(vec![Line { name: "orders held by the broker", color: (66, 133, 244), values }]), seconds_per_point)
    });
    let Some(outcome) = props.outcome.clone() else { return html! {} };
    let r = &outcome.report;
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
                <LineChart lines={depth.0.clone()} x_step={depth.1} {y_max} marker={None::<usize>} y_percent={false}
                    testid="chart-depth" label="Queue depth over time" />
                <figcaption>{ format!("Queue depth over the run, by virtual second (0 to {span:.0} s)") }</figcaption>
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
