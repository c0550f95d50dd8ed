//! Every placement algorithm on the same servers and keys, and two of them side by side.

use crate::sim::hashing::HashingAction;
use crate::sim::hashing::algos::Algo;
use crate::sim::hashing::compare::{AlgoReport, compare};
use crate::ui::app::AppAction;
use crate::ui::chart::BarChart;
use crate::ui::chunked::{Job, use_chunked};
use crate::ui::format::{count, pct, pct_or_dash};
use crate::ui::scroll::scroll;
use std::rc::Rc;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

/// One sentence per algorithm, for tooltips.
fn explain(algo: Algo) -> &'static str {
    match algo {
        Algo::Modulo => "Server number hash % N: perfectly even, but a change of N moves almost every key.",
        Algo::Ring => "Consistent-hashing ring with the lab's virtual nodes: the first point clockwise owns the key.",
        Algo::Ketama => "libmemcached's ketama: 160 MD5 points per server (weighted), the first point clockwise.",
        Algo::Rendezvous => "Highest random weight: every server scores the key and the highest score wins.",
        Algo::Jump => {
            "Jump consistent hash (Lamping & Veach): no table at all; only the last server can leave cheaply."
        }
        Algo::Maglev => "Maglev: a 65537-slot table filled from per-server permutations (as in Envoy); O(1) lookups.",
        Algo::Bounded => "Ring with bounded loads (c = 1.25): a full server passes the key on clockwise.",
    }
}

fn bytes(n: u64) -> String {
    match n {
        n if n >= 1 << 20 => format!("{:.1} MiB", n as f64 / (1u64 << 20) as f64),
        n if n >= 1 << 10 => format!("{:.1} KiB", n as f64 / 1024.0),
        n => format!("{n} B"),
    }
}

#[derive(Properties, PartialEq)]
pub struct SplitProps {
    pub lab: super::LabRef,
    pub names: Rc<Vec<String>>,
    pub split: (Algo, Algo),
    pub on_action: Callback<AppAction>,
}

/// The comparison table and the split view.
#[function_component(SplitView)]
pub fn split_view(props: &SplitProps) -> Html {
    // One algorithm per step, so a million keys on a thousand servers never freezes the page.
    let lab = props.lab.lab.clone();
    let chunked = use_chunked(props.lab.generation, move || {
        Algo::all()
            .into_iter()
            .map(|algo| {
                let lab = lab.clone();
                Box::new(move || compare(&lab, &[algo]).remove(0)) as Job<AlgoReport>
            })
            .collect()
    });
    let algos: Vec<AlgoReport> = chunked.done.borrow().clone();
    let busy = chunked.busy().then(|| {
        html! {
            <p class="progress" role="status" data-testid="algos-progress">
                <progress max={chunked.total.to_string()} value={algos.len().to_string()}></progress>
                { format!(" computing {} of {} algorithms…", algos.len() + 1, chunked.total) }
            </p>
        }
    });
    let rows = algos.iter().map(|a| {
        html! {
            <tr data-testid="algo-row" data-algo={a.algo.name()}>
                <th scope="row" title={explain(a.algo)}>{ a.algo.name() }</th>
                if let Some(why) = &a.unavailable {
                    <td colspan="6" class="muted">{ why.clone() }</td>
                } else {
                    <td class="num" data-testid="algo-std-dev">{ pct(a.load.std_dev_pct) }</td>
                    <td class="num">{ format!("{:.2}×", a.load.max_over_mean) }</td>
                    <td class="num" data-testid="algo-moved">{ pct_or_dash(a.moved_pct) }</td>
                    <td class="num">{ pct_or_dash(a.min_possible_pct) }</td>
                    <td class="num">{ bytes(a.memory_bytes) }</td>
                    <td>{ a.lookup }</td>
                }
            </tr>
        }
    });
    let keys_used = algos.iter().map(|a| a.keys_used).max().unwrap_or(0);
    let side = |algo: Algo, testid: &'static str, is_left: bool| {
        let report = algos.iter().find(|a| a.algo == algo);
        let on_change = {
            let on_action = props.on_action.clone();
            let (left, right) = props.split;
            Callback::from(move |e: Event| {
                let Some(select) = e.target_dyn_into::<HtmlSelectElement>() else { return };
                let Ok(picked) = select.value().parse::<Algo>() else { return };
                let (l, r) = if is_left { (picked, right) } else { (left, picked) };
                on_action.emit(AppAction::edit::<crate::sim::hashing::Hashing>(crate::scenario::Edit::Live {
                    at_ms: 0,
                    action: HashingAction::SetSplit { left: l, right: r },
                }));
            })
        };
        let groups = Rc::new(
            report
                .map(|a| {
                    a.keys_per_server
                        .iter()
                        .enumerate()
                        .map(|(i, &k)| (props.names.get(i).cloned().unwrap_or_default(), i, vec![k as f64]))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default(),
        );
        let mean = report.map_or(0.0, |a| a.load.mean);
        html! {
            <div class="split-side" data-testid={testid}>
                <label>{ if is_left { "Left: " } else { "Right: " } }
                    <select onchange={on_change} data-testid={format!("{testid}-select")}>
                        { for Algo::all().into_iter().map(|a| html! {
                            <option value={a.name()} selected={a == algo}>{ a.name() }</option>
                        }) }
                    </select>
                </label>
                <p class="muted small">{ explain(algo) }</p>
                if let Some(a) = report {
                    if let Some(why) = &a.unavailable {
                        <p class="notice error">{ why.clone() }</p>
                    } else {
                        <p class="split-numbers">
                            { "Spread " }<strong>{ pct(a.load.std_dev_pct) }</strong>
                            { " · moved " }<strong data-testid={format!("{testid}-moved")}>{ pct_or_dash(a.moved_pct) }</strong>
                            { " · least possible " }<strong>{ pct_or_dash(a.min_possible_pct) }</strong>
                        </p>
                        <BarChart groups={groups} series={vec!["keys"]} reference={Some((mean, "mean".to_string()))}
                            testid={if is_left { "split-bars-left" } else { "split-bars-right" }}
                            label={format!("Keys per server under {}", algo.name())} />
                        <table class="flow-table">
                            <caption>{ "Where keys went on the last change" }</caption>
                            <tbody>
                                if a.flows.is_empty() { <tr><td class="muted">{ "no key moved" }</td></tr> }
                                { for a.flows.iter().take(6).map(|f| html! {
                                    <tr><td>{ format!("{} → {}", f.from, f.to) }</td><td class="num">{ count(f.keys) }</td></tr>
                                }) }
                            </tbody>
                        </table>
                    }
                }
            </div>
        }
    };
    html! {
        <>
            { scroll("Algorithms compared", html! { <>
                <table class="algos" data-testid="algos-table">
                    <thead>
                        <tr>
                            <th>{ "Algorithm" }</th>
                            <th title="Standard deviation of keys per server, as % of each server's fair share">{ "Load std dev" }</th>
                            <th title="The most loaded server over its fair share">{ "Max / mean" }</th>
                            <th title="Keys whose server changed on the last change">{ "Moved" }</th>
                            <th title="The least any scheme could move: the new servers' fair share, or the removed servers' keys">{ "Least possible" }</th>
                            <th title="Size of the lookup structure">{ "Memory" }</th>
                            <th title="Cost of one lookup">{ "Lookup" }</th>
                        </tr>
                    </thead>
                    <tbody>{ for rows }</tbody>
                </table>
            </> }) }
            { for busy }
            <p class="muted small">{ format!("Over the first {} keys of the key set (all of them when there are fewer). \
                The ring here puts k labelled points per server on the whole 64-bit hash space; the ring above (capacity M) \
                puts each server's first point at its own position, so their numbers can differ a little.", count(keys_used)) }</p>
            <div class="split">
                { side(props.split.0, "split-left", true) }
                { side(props.split.1, "split-right", false) }
            </div>
        </>
    }
}
