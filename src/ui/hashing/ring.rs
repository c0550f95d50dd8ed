//! The ring in SVG: each server's arc of the key space in its colour, the servers, a sample of keys
//! coloured by owner, and the followed hash value.

use super::RingDrawing;
use crate::sim::hashing::HashingReport;
use crate::ui::app::AppAction;
use crate::ui::format::shown;
use crate::ui::palette;
use std::f64::consts::{FRAC_PI_2, TAU};
use std::rc::Rc;
use yew::prelude::*;

const SIZE: f64 = 360.0;
const C: f64 = SIZE / 2.0;
const R: f64 = 118.0;
/// Above this many servers the labels would be unreadable; the table lists them instead.
const LABELS_MAX: usize = 24;

fn point(at: f64, radius: f64) -> (f64, f64) {
    let theta = at * TAU - FRAC_PI_2;
    (C + radius * theta.cos(), C + radius * theta.sin())
}

fn arc_path(from: f64, to: f64, radius: f64) -> String {
    let (x0, y0) = point(from, radius);
    let (x1, y1) = point(to, radius);
    let span = (to - from).rem_euclid(1.0);
    let large = if span > 0.5 { 1 } else { 0 };
    format!("M {x0:.2} {y0:.2} A {radius} {radius} 0 {large} 1 {x1:.2} {y1:.2}")
}

#[derive(Properties, PartialEq)]
pub struct RingProps {
    pub report: Rc<HashingReport>,
    pub sample: Rc<RingDrawing>,
}

/// The ring drawing.
#[function_component(RingView)]
pub fn ring_view(props: &RingProps) -> Html {
    let r = &props.report;
    let m = r.ring_size as f64;
    let mut points: Vec<(u64, usize)> = r.servers.iter().enumerate().map(|(i, s)| (s.position, i)).collect();
    points.sort_unstable();
    let drawing = &props.sample;
    let arcs = drawing.arcs.iter().map(|&(from, to, slot)| {
        let color = palette::css(slot);
        if drawing.arcs.len() == 1 {
            return html! { <circle cx={C.to_string()} cy={C.to_string()} r={R.to_string()} class="arc" stroke={color} /> };
        }
        let d = arc_path(from, to, R);
        html! { <path {d} class="arc" stroke={color} /> }
    });
    let vnode_ticks = drawing.points.iter().flatten().filter(|_| r.vnodes > 1).map(|&(at, slot)| {
        let (x0, y0) = point(at, R - 6.0);
        let (x1, y1) = point(at, R + 6.0);
        html! { <line x1={format!("{x0:.2}")} y1={format!("{y0:.2}")} x2={format!("{x1:.2}")} y2={format!("{y1:.2}")}
        stroke={palette::css(slot)} class="vnode" /> }
    });
    let keys = drawing.keys.iter().map(|k| {
        let (x, y) = point(k.at, R - 16.0);
        let fill = k.owner.map_or_else(|| "var(--muted)".to_string(), palette::css);
        html! { <circle cx={format!("{x:.2}")} cy={format!("{y:.2}")} r="2.4" fill={fill} class="key" /> }
    });
    let show_labels = points.len() <= LABELS_MAX;
    let mut last_label: Option<(f64, f64)> = None;
    let servers: Vec<Html> = points
        .iter()
        .map(|&(pos, slot)| {
            let at = pos as f64 / m;
            let (x, y) = point(at, R);
            let s = &r.servers[slot];
            let (lx, mut ly) = point(at, R + 20.0);
            // Labels of close servers would overlap: step each one 14 px past the previous label, in the
            // direction the ring runs on that side (down on the right, up on the left).
            if let Some((px, py)) = last_label {
                let same_side = (px >= C) == (lx >= C);
                if same_side && (ly - py).abs() < 14.0 && (lx - px).abs() < 90.0 {
                    ly = if lx >= C { py + 14.0 } else { py - 14.0 };
                }
            }
            last_label = Some((lx, ly));
            let anchor = if (lx - C).abs() < 12.0 { "middle" } else if lx > C { "start" } else { "end" };
            html! {
                <g class="server">
                    <title>{ format!("{} at {} — owns {:.2}% of the ring", shown(&s.name), s.position, s.ring_space_pct) }</title>
                    <circle cx={format!("{x:.2}")} cy={format!("{y:.2}")} r="7" fill={palette::css(slot)} class="server-dot" />
                    if show_labels {
                        <text x={format!("{lx:.2}")} y={format!("{:.2}", ly + 4.0)} text-anchor={anchor} class="server-label">
                            { if r.ring_size <= 100_000 { format!("{} ({})", shown(&s.name), s.position) } else { shown(&s.name) } }
                        </text>
                    }
                </g>
            }
        })
        .collect();
    let probe = r.probe.as_ref().map(|p| {
        let at = p.position as f64 / m;
        let (x0, y0) = point(at, R - 34.0);
        let (x1, y1) = point(at, R - 8.0);
        html! {
            <g class="probe">
                <line x1={format!("{x0:.2}")} y1={format!("{y0:.2}")} x2={format!("{x1:.2}")} y2={format!("{y1:.2}")} />
                <circle cx={format!("{x0:.2}")} cy={format!("{y0:.2}")} r="4" />
            </g>
        }
    });
    let (zx, zy) = point(0.0, R + 8.0);
    html! {
        <svg class="ring" data-testid="ring" viewBox={format!("-40 -10 {} {}", SIZE + 80.0, SIZE + 20.0)} role="img"
            aria-label={format!("Ring of {} positions with {} servers", r.ring_size, r.servers.len())}>
            <circle cx={C.to_string()} cy={C.to_string()} r={R.to_string()} class="track" />
            { for arcs }
            { for vnode_ticks }
            <line x1={format!("{zx:.2}")} y1={format!("{:.2}", zy + 4.0)} x2={format!("{zx:.2}")} y2={format!("{:.2}", zy + 14.0)} class="tick" />
            <text x={format!("{:.2}", zx + 4.0)} y={format!("{:.2}", zy + 26.0)} class="tick-label">{ "0" }</text>
            { for keys }
            { for servers }
            { for probe }
            <text x={C.to_string()} y={(C - 4.0).to_string()} text-anchor="middle" class="center-label">{ "clockwise →" }</text>
            <text x={C.to_string()} y={(C + 14.0).to_string()} text-anchor="middle" class="center-sub">
                { format!("{} servers · {} points · {} keys shown", r.servers.len(),
                    r.servers.iter().map(|s| s.points).sum::<u64>(), drawing.keys.len()) }
            </text>
        </svg>
    }
}

#[derive(Properties, PartialEq)]
pub struct ProbeProps {
    pub report: Rc<HashingReport>,
    pub on_action: Callback<AppAction>,
}

/// Follow one hash value: where it lands on the ring and under modulo.
#[function_component(ProbeForm)]
pub fn probe_form(props: &ProbeProps) -> Html {
    let input = use_node_ref();
    let submit = {
        let input = input.clone();
        let on_action = props.on_action.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(el) = input.cast::<web_sys::HtmlInputElement>() else { return };
            match el.value().trim().parse::<u64>() {
                Ok(hash) => {
                    on_action.emit(AppAction::edit::<crate::sim::hashing::Hashing>(crate::scenario::Edit::Live {
                        at_ms: 0,
                        action: crate::sim::hashing::HashingAction::Probe { hash },
                    }))
                }
                Err(_) => on_action.emit(AppAction::Notice(crate::ui::app::Notice::error(
                    "A hash value is a whole number from 0 to 18446744073709551615.",
                ))),
            }
        })
    };
    let result = props.report.probe.as_ref().map(|p| {
        let server = |s: &Option<String>| s.clone().unwrap_or_else(|| "no server".into());
        html! {
            <p class="probe-result" data-testid="probe-result">
                { format!("Hash {} → position {} ({} % {}). Ring: {} (first server at or after {}). Modulo: {} (server number {} % {}).",
                    p.hash, p.position, p.hash, props.report.ring_size, server(&p.ring_server), p.position,
                    server(&p.modulo_server), p.position, props.report.servers.len()) }
            </p>
        }
    });
    html! {
        <form class="probe-form" onsubmit={submit}>
            <label for="probe-input">{ "Follow a key whose hash is" }</label>
            <input id="probe-input" data-testid="probe-input" ref={input} inputmode="numeric" placeholder="e.g. 25" />
            <button type="submit">{ "Follow" }</button>
            { for result }
        </form>
    }
}
