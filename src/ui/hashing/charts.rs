//! The lab's charts: key-space share per server (ring and modulo pies) and keys per server (bars).

use crate::sim::hashing::HashingReport;
use crate::ui::chart::{BarChart, Datum, PieChart};
use crate::ui::format::{count, pct, shown};
use crate::ui::palette;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ChartsProps {
    pub report: Rc<HashingReport>,
}

/// Pies of key-space share and grouped bars of keys per server, with a legend that carries the numbers.
#[function_component(LoadCharts)]
pub fn load_charts(props: &ChartsProps) -> Html {
    let r = &props.report;
    let ring: Rc<Vec<Datum>> = Rc::new(
        r.servers
            .iter()
            .enumerate()
            .map(|(i, s)| Datum { label: shown(&s.name), value: s.ring_space as f64, color: i })
            .collect(),
    );
    let modulo: Rc<Vec<Datum>> = Rc::new(
        r.servers
            .iter()
            .enumerate()
            .map(|(i, s)| Datum { label: shown(&s.name), value: s.modulo_space_pct, color: i })
            .collect(),
    );
    let groups = Rc::new(
        r.servers
            .iter()
            .enumerate()
            .map(|(i, s)| (shown(&s.name), i, vec![s.ring_keys as f64, s.modulo_keys as f64]))
            .collect::<Vec<_>>(),
    );
    let n = r.servers.len();
    let mean = if n == 0 { 0.0 } else { r.key_count as f64 / n as f64 };
    let equal_weights = r.servers.windows(2).all(|w| w[0].weight == w[1].weight);
    let band = r
        .spread
        .as_ref()
        .filter(|_| equal_weights)
        .map(|s| (mean * (1.0 - s.theory_std_dev_pct / 100.0), mean * (1.0 + s.theory_std_dev_pct / 100.0)));
    let spread = r.spread.as_ref().map(|s| {
        html! {
            <dl class="spread" data-testid="spread">
                <div title="Standard deviation of each server's share of the key space, as % of its fair share (exact, from the ring's arcs)">
                    <dt>{ "Key-space std dev" }</dt><dd data-testid="space-std-dev">{ pct(s.space_std_dev_pct) }</dd></div>
                <div title="Theory for k random points per server among N servers: sqrt((N-1)/(kN+1)), about 1/sqrt(k)">
                    <dt>{ format!("Theory (k = {})", r.vnodes) }</dt><dd data-testid="theory-std-dev">{ pct(s.theory_std_dev_pct) }</dd></div>
                <div title="The most loaded server's share of the key space over its fair share">
                    <dt>{ "Max / fair share" }</dt><dd data-testid="space-max-mean">{ format!("{:.2}×", s.space_max_over_mean) }</dd></div>
                <div title="Standard deviation of keys per server, as % of the fair count: the key-space spread plus the randomness of the keys">
                    <dt>{ "Keys std dev" }</dt><dd data-testid="keys-std-dev">{ pct(s.keys_std_dev_pct) }</dd></div>
                <div title="The most loaded server's keys over its fair count">
                    <dt>{ "Max / mean keys" }</dt><dd>{ format!("{:.2}×", s.keys_max_over_mean) }</dd></div>
            </dl>
        }
    });
    let legend = r.servers.iter().enumerate().take(24).map(|(i, s)| {
        html! {
            <li>
                { palette::swatch(i) }
                { format!("{}: ring {} · modulo {}", shown(&s.name), pct(s.ring_space_pct), pct(s.modulo_space_pct)) }
            </li>
        }
    });
    html! {
        <div class="charts">
            { for spread }
            <figure>
                <PieChart data={ring} testid="pie-ring" label="Share of the key space per server on the ring" />
                <figcaption>{ "Ring: share of the key space" }</figcaption>
            </figure>
            <figure>
                <PieChart data={modulo} testid="pie-modulo" label="Share of the key space per server under modulo" />
                <figcaption>{ "Modulo: share of the key space" }</figcaption>
            </figure>
            <ul class="legend">{ for legend }
                if n > 24 { <li class="muted">{ format!("… and {} more (see the table)", n - 24) }</li> }
            </ul>
            <figure class="wide">
                <BarChart groups={groups} series={vec!["ring", "modulo"]} testid="bars"
                    reference={(n > 0).then(|| (mean, "mean".to_string()))} {band}
                    label="Keys per server: ring (solid) and modulo (light), with the mean" />
                <figcaption>{ format!("Keys per server: ring (solid), modulo (light); line = mean {} keys{}", count(mean.round() as u64),
                    if band.is_some() { "; shade = mean ± the theoretical ring std dev" } else { "" }) }</figcaption>
            </figure>
        </div>
    }
}
