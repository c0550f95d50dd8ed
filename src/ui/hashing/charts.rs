//! The lab's charts: key-space share per server (ring and modulo pies) and keys per server (bars).

use crate::sim::hashing::HashingReport;
use crate::ui::chart::{BarChart, Datum, PieChart};
use crate::ui::format::{count, pct};
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
            .map(|(i, s)| Datum { label: s.name.clone(), value: s.ring_space as f64, color: i })
            .collect(),
    );
    let modulo: Rc<Vec<Datum>> = Rc::new(
        r.servers
            .iter()
            .enumerate()
            .map(|(i, s)| Datum { label: s.name.clone(), value: s.modulo_space_pct, color: i })
            .collect(),
    );
    let groups = Rc::new(
        r.servers
            .iter()
            .enumerate()
            .map(|(i, s)| (s.name.clone(), i, vec![s.ring_keys as f64, s.modulo_keys as f64]))
            .collect::<Vec<_>>(),
    );
    let n = r.servers.len();
    let mean = if n == 0 { 0.0 } else { r.key_count as f64 / n as f64 };
    let legend = r.servers.iter().enumerate().take(24).map(|(i, s)| {
        html! {
            <li>
                { palette::swatch(i) }
                { format!("{}: ring {} · modulo {}", s.name, pct(s.ring_space_pct), pct(s.modulo_space_pct)) }
            </li>
        }
    });
    html! {
        <div class="charts">
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
                    reference={(n > 0).then(|| (mean, "mean".to_string()))}
                    label="Keys per server: ring (solid) and modulo (light), with the mean" />
                <figcaption>{ format!("Keys per server: ring (solid), modulo (light); line = mean {} keys", count(mean.round() as u64)) }</figcaption>
            </figure>
        </div>
    }
}
