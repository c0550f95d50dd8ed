//! What the last change moved under each scheme, and the history of changes.

use crate::sim::hashing::{HashingReport, Movement};
use crate::ui::app::AppAction;
use crate::ui::chart::{Line, LineChart};
use crate::ui::format::{count, pct, pct_or_dash, shown};
use crate::ui::scroll::scroll;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct LastChangeProps {
    pub report: Rc<HashingReport>,
    pub actions: usize,
    pub on_action: Callback<AppAction>,
}

/// Modulo vs ring side by side: keys moved (of the key set) and key space moved (exact, of M).
#[function_component(LastChange)]
pub fn last_change(props: &LastChangeProps) -> Html {
    let undo = {
        let on_action = props.on_action.clone();
        Callback::from(move |_| on_action.emit(AppAction::Undo))
    };
    let Some(change) = props.report.last_change.as_ref() else {
        return html! {
            <p class="muted" data-testid="no-change">{ "No change yet: add, remove or move a server to see what moves." }</p>
        };
    };
    let keys = props.report.key_count;
    let row = |scheme: &'static str, m: &Movement, testid: &'static str| {
        html! {
            <tr>
                <th scope="row">{ scheme }</th>
                <td class="num big" data-testid={format!("{testid}-space-moved")}
                    title="Share of all hash values 0..M-1 whose server changed: exact, whatever the keys">
                    { pct_or_dash(m.moved_space_pct) }
                </td>
                <td class="num" data-testid={format!("{testid}-keys-moved")}
                    title="Share of the request ids in the key set whose server changed">
                    { pct(m.moved_keys_pct) }
                    <span class="sub">{ format!(" {} of {}", count(m.moved_keys), count(keys)) }</span>
                </td>
            </tr>
        }
    };
    html! {
        <>
            <p class="change" data-testid="last-change">{ "Change: " }<strong>{ change.change.clone() }</strong></p>
            { scroll("What the last change moved", html! { <>
            <table class="movement">
                <thead><tr><th>{ "Scheme" }</th><th>{ "Key space moved" }</th><th>{ "Keys moved" }</th></tr></thead>
                <tbody>
                    { row("Modulo (h % N)", &change.modulo, "modulo") }
                    { row("Ring (clockwise)", &change.ring, "ring") }
                </tbody>
            </table>
            </> }) }
            if let Some(min) = change.ring.min_possible_pct {
                <p class="min-possible" data-testid="min-possible"
                    title="Adding: the new servers' fair share of the keys. Removing: exactly the removed servers' keys.">
                    { "Least movement for a balanced result: " }<strong>{ pct(min) }</strong>{ " of keys" }
                </p>
            }
            <p class="explain muted">{ explain(change.modulo.moved_space_pct, change.ring.moved_space_pct) }</p>
            <div class="flows">
                { flow_table("Modulo: where keys went", &change.modulo, "flows-modulo") }
                { flow_table("Ring: where keys went", &change.ring, "flows-ring") }
            </div>
            <button data-testid="undo" onclick={undo} disabled={props.actions == 0}>{ "Undo last change" }</button>
        </>
    }
}

/// Flows shown per scheme; the rest are summed in one line.
const FLOWS_SHOWN: usize = 6;

fn flow_table(title: &'static str, movement: &Movement, testid: &'static str) -> Html {
    let flows = &movement.flows;
    let rest: u64 = flows.iter().skip(FLOWS_SHOWN).map(|f| f.keys).sum::<u64>() + movement.other_flow_keys;
    let others = flows.len().saturating_sub(FLOWS_SHOWN) as u64 + movement.other_flows;
    html! {
        <table class="flow-table" data-testid={testid}>
            <caption>{ title }</caption>
            <tbody>
                if flows.is_empty() { <tr><td class="muted">{ "no key moved" }</td></tr> }
                { for flows.iter().take(FLOWS_SHOWN).map(|f| html! {
                    <tr><td><bdi>{ shown(&f.from) }</bdi>{ " → " }<bdi>{ shown(&f.to) }</bdi></td><td class="num">{ count(f.keys) }</td></tr>
                }) }
                if rest > 0 {
                    <tr><td class="muted">{ format!("{} other moves", count(others)) }</td><td class="num">{ count(rest) }</td></tr>
                }
            </tbody>
        </table>
    }
}

fn explain(modulo: Option<f64>, ring: Option<f64>) -> String {
    match (modulo, ring) {
        (Some(m), Some(r)) if m > 0.0 && r > 0.0 && m > r => format!(
            "Modulo moved {:.1}× as much of the key space as the ring: on the ring only the keys between a changed \
             point and the point before it move; under h % N almost every key's server number changes.",
            m / r
        ),
        (Some(m), Some(r)) if m > 0.0 && r > 0.0 => {
            "Both schemes moved keys; here the ring moved at least as much as modulo.".into()
        }
        (Some(m), Some(r)) if m == 0.0 && r > 0.0 => {
            "Modulo did not move anything: N is unchanged. The ring moved keys because its points moved.".into()
        }
        (Some(_), Some(0.0)) => "The ring moved nothing: no position changed owner.".into(),
        _ => "The ring size changed, so every key has a new position: only the moved keys are counted.".into(),
    }
}

#[derive(Properties, PartialEq)]
pub struct HistoryProps {
    pub report: Rc<HashingReport>,
}

/// Every change with the exact share of the key space it moved under each scheme.
#[function_component(History)]
pub fn history(props: &HistoryProps) -> Html {
    let h = &props.report.history;
    if h.is_empty() {
        return html! { <p class="muted">{ "No changes recorded yet." }</p> };
    }
    let series = |f: fn(&crate::sim::hashing::HistoryEntry) -> Option<f64>| {
        h.iter().map(|e| f(e).unwrap_or(f64::NAN) / 100.0).collect::<Vec<f64>>()
    };
    let lines = std::rc::Rc::new(vec![
        Line { name: "modulo", color: super::cache::MODULO_COLOR, values: series(|e| e.modulo_space_moved_pct) },
        Line { name: "ring", color: super::cache::RING_COLOR, values: series(|e| e.ring_space_moved_pct) },
    ]);
    html! {
        <>
        if h.len() > 1 {
            <figure>
                <LineChart {lines} y_max={1.0} marker={None::<usize>} y_percent={true} testid="history-chart"
                    label="Share of the key space moved by each change, modulo and ring" />
                <figcaption>{ "Key space moved by each change (x = change number − 1): modulo (orange), ring (blue)" }</figcaption>
            </figure>
        }
        { scroll("History of changes", html! { <>
            <table class="history" data-testid="history">
                <thead><tr><th>{ "#" }</th><th>{ "Change" }</th><th>{ "Servers" }</th><th>{ "Modulo moved" }</th><th>{ "Ring moved" }</th></tr></thead>
                <tbody>
                    { for h.iter().rev().map(|e| html! {
                        <tr>
                            <td class="num">{ e.step }</td>
                            <td>{ e.change.clone() }</td>
                            <td class="num">{ e.servers }</td>
                            <td class="num">{ pct_or_dash(e.modulo_space_moved_pct) }</td>
                            <td class="num">{ pct_or_dash(e.ring_space_moved_pct) }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
        </> }) }
        </>
    }
}
