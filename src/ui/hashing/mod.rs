//! The hashing & load-balancing lab page: presets, the ring, what moved, the servers and the charts.

mod charts;
mod movement;
mod ring;
mod servers;

use super::app::AppAction;
use crate::scenario::presets;
use crate::sim::hashing::{HashingLab, HashingReport};
use std::rc::Rc;
use yew::prelude::*;

/// Keys drawn on the ring (the first ones of the key set).
const RING_SAMPLE: usize = 160;

/// A key shown on the ring: its position as a fraction of the ring, and its owner's slot.
#[derive(Clone, Debug, PartialEq)]
pub struct SampleKey {
    pub at: f64,
    pub owner: Option<usize>,
}

/// The first keys with their ring owners, for the drawing.
pub fn ring_sample(lab: &HashingLab) -> Vec<SampleKey> {
    let ms = lab.membership();
    let ring = ms.ring();
    lab.key_hashes()
        .iter()
        .take(RING_SAMPLE)
        .map(|&k| {
            let position = k % ms.ring_size;
            SampleKey { at: position as f64 / ms.ring_size as f64, owner: ring.lookup(position).map(|s| s as usize) }
        })
        .collect()
}

#[derive(Properties, PartialEq)]
pub struct HashingPageProps {
    pub report: Rc<HashingReport>,
    pub sample: Rc<Vec<SampleKey>>,
    pub next_name: String,
    pub seed: u64,
    pub actions: usize,
    pub active_preset: Option<String>,
    pub on_action: Callback<AppAction>,
}

/// The lab page.
#[function_component(HashingPage)]
pub fn hashing_page(props: &HashingPageProps) -> Html {
    let preset_buttons = presets().into_iter().map(|p| {
        let on_action = props.on_action.clone();
        let name = p.name.to_string();
        let active = props.active_preset.as_deref() == Some(p.name);
        html! {
            <button class={classes!("preset", active.then_some("active"))} data-testid={format!("preset-{}", p.name)}
                title={p.explains} aria-pressed={active.to_string()}
                onclick={Callback::from(move |_| on_action.emit(AppAction::Preset(name.clone())))}>
                { p.title }
            </button>
        }
    });
    let r = &props.report;
    html! {
        <div class="lab lab-hashing" data-testid="lab-hashing">
            <section class="lab-intro">
                <h1>{ "Hashing & load balancing" }</h1>
                <p>{ "The same request ids go to servers two ways: " }<strong>{ "modulo" }</strong>
                   { " (server number h % N) and a " }<strong>{ "consistent-hashing ring" }</strong>
                   { " (the first server clockwise at or after the key's position h % M). Change the servers and \
                      see how many keys each scheme moves." }</p>
                <div class="presets" role="group" aria-label="Presets">{ for preset_buttons }</div>
            </section>
            <div class="lab-grid">
                <section class="card ring-card" aria-labelledby="ring-title">
                    <h2 id="ring-title">{ format!("Ring of capacity M = {}", super::format::count(r.ring_size)) }</h2>
                    <ring::RingView report={props.report.clone()} sample={props.sample.clone()} />
                    <ring::ProbeForm report={props.report.clone()} on_action={props.on_action.clone()} />
                </section>
                <section class="card movement-card" aria-labelledby="movement-title">
                    <h2 id="movement-title">{ "What moved on the last change" }</h2>
                    <movement::LastChange report={props.report.clone()} actions={props.actions} on_action={props.on_action.clone()} />
                </section>
                <section class="card servers-card" aria-labelledby="servers-title">
                    <h2 id="servers-title">{ format!("Servers ({})", r.servers.len()) }</h2>
                    <servers::ServerTable report={props.report.clone()} on_action={props.on_action.clone()} />
                    <servers::AddServer next_name={props.next_name.clone()} on_action={props.on_action.clone()} />
                    <servers::Settings report={props.report.clone()} seed={props.seed} on_action={props.on_action.clone()} />
                </section>
                <section class="card charts-card" aria-labelledby="charts-title">
                    <h2 id="charts-title">{ "Load per server" }</h2>
                    <charts::LoadCharts report={props.report.clone()} />
                </section>
                <section class="card history-card" aria-labelledby="history-title">
                    <h2 id="history-title">{ "Changes so far" }</h2>
                    <movement::History report={props.report.clone()} />
                </section>
            </div>
        </div>
    }
}
