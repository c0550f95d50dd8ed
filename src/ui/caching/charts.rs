//! The whole run's charts: every policy's hit ratio per window of requests, and the miss-ratio curves
//! across cache sizes (each point a replay of every request at one size, computed in slices with
//! progress: a million requests at twenty sizes for ten curves is two hundred million requests).

use super::CachingOutcome;
use crate::sim::cache::mrc::{CurveRun, MrcPoint, PAGE_CURVE_SIZES as CURVE_SIZES, log_sizes};
use crate::sim::cache::{PolicyKind, lab_config::limits};
use crate::ui::chart::{Line, LineChart};
use crate::ui::format::{count, pct};
use crate::ui::palette;
use crate::ui::sliced::{Finite, Progress, use_sliced};
use std::rc::Rc;
use yew::prelude::*;

/// The optimum's colour slot: after the nine policies' (a grey).
const OPTIMAL_SLOT: usize = 9;

/// A policy's colour slot: its place in the list of every policy, so a policy keeps its colour
/// whichever are compared.
fn slot(k: PolicyKind) -> usize {
    PolicyKind::ALL.iter().position(|&p| p == k).unwrap_or(0)
}

fn legend(kinds: &[PolicyKind]) -> Html {
    html! {
        <ul class="legend inline">
            { for kinds.iter().map(|&k| html! { <li>{ palette::swatch(slot(k)) }{ k.title() }</li> }) }
            <li>{ palette::swatch(OPTIMAL_SLOT) }{ "Belady's optimum" }</li>
        </ul>
    }
}

#[derive(Properties, PartialEq)]
pub struct OutcomeProps {
    pub outcome: Rc<CachingOutcome>,
}

/// Runs shorter than this show the hit ratio so far (a window of a few requests is all or nothing);
/// longer ones, the hit ratio per window, where a restart or a scan shows.
const CUMULATIVE_BELOW: u64 = 2_000;

/// Hit ratio over the run, every policy and the optimum on one chart.
#[function_component(HitRatioOverTime)]
pub fn hit_ratio_over_time(props: &OutcomeProps) -> Html {
    let r = &props.outcome.report;
    let kinds: Vec<PolicyKind> = r.policies.iter().map(|p| p.policy).collect();
    let cumulative = r.requests < CUMULATIVE_BELOW;
    let lines = use_memo((props.outcome.report.windows.clone(), cumulative), |(windows, cumulative)| {
        // Each line's (hits, requests) per point: per window, or summed up to it.
        let series = |hits: &dyn Fn(&crate::sim::cache::Window) -> u64| -> Vec<f64> {
            let (mut h, mut n) = (0u64, 0u64);
            windows
                .iter()
                .map(|w| {
                    (h, n) = if *cumulative { (h + hits(w), n + w.requests) } else { (hits(w), w.requests) };
                    if n == 0 { f64::NAN } else { h as f64 / n as f64 }
                })
                .collect()
        };
        let mut lines: Vec<Line> = kinds
            .iter()
            .enumerate()
            .map(|(i, &k)| Line { name: k.title(), color: palette::rgb(slot(k)), values: series(&|w| w.hits[i]) })
            .collect();
        lines.push(Line {
            name: "Belady's optimum",
            color: palette::rgb(OPTIMAL_SLOT),
            values: series(&|w| w.optimal_hits),
        });
        Rc::new(lines)
    });
    let window = r.windows.first().map_or(1, |w| w.requests);
    let what = if cumulative {
        "Each point is the share of hits among all the requests served so far (x: requests served).".to_string()
    } else {
        format!(
            "Each point is the share of hits among {} consecutive requests (x: requests served). A restart shows as \
             a dip while the caches warm up again; a scan, as the policies it floods falling.",
            count(window)
        )
    };
    html! {
        <>
            <LineChart lines={(*lines).clone()} y_max={1.0} marker={None} y_percent={true} x_step={window as f64}
                testid="cache-hit-time" label={format!("Hit ratio {} for every policy and Belady's optimum",
                    if cumulative { "so far".to_string() } else { format!("per window of {} requests,", count(window)) })} />
            { legend(&kinds) }
            <p class="muted">{ what }</p>
        </>
    }
}

#[derive(Properties, PartialEq)]
pub struct CurveProps {
    pub outcome: Rc<CachingOutcome>,
    /// The most distinct keys the requests hold: the largest size worth simulating.
    pub key_space: u64,
}

/// The curves' work, keyed by the run they replay.
struct CurveKey {
    outcome: Rc<CachingOutcome>,
    largest: usize,
}

impl PartialEq for CurveKey {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.outcome, &other.outcome) && self.largest == other.largest
    }
}

/// The curves' run, or why the limits refuse it.
struct Curves(Result<CurveRun, String>);

type CurvePoints = (Vec<usize>, Vec<Vec<MrcPoint>>);

impl Finite for Curves {
    type Outcome = Result<CurvePoints, String>;
    fn advance(&mut self, max: u64) -> bool {
        // A unit of work is a thousand requests.
        self.0.as_mut().map_or(true, |r| r.advance(max.saturating_mul(1_000)))
    }
    fn done_events(&self) -> u64 {
        self.0.as_ref().map_or(0, |r| r.progress().0)
    }
    fn outcome(&mut self, _over: bool) -> Option<Self::Outcome> {
        Some(self.0.as_ref().map(|r| (r.sizes().to_vec(), r.points().to_vec())).map_err(Clone::clone))
    }
    fn has_news(&self) -> bool {
        false
    }
}

/// Miss ratio against cache size for every policy and the optimum.
#[function_component(MissRatioCurves)]
pub fn miss_ratio_curves(props: &CurveProps) -> Html {
    let largest = usize::try_from(props.key_space).unwrap_or(usize::MAX).clamp(1, limits::CAPACITY_MAX as usize);
    let key = Rc::new(CurveKey { outcome: props.outcome.clone(), largest });
    let progress = use_sliced::<CurveKey, Curves>(key, |k| {
        let trace: Rc<[u64]> = k.outcome.sim.requested().into();
        let sizes = log_sizes(k.largest, CURVE_SIZES);
        Some(Curves(CurveRun::new(trace, k.outcome.sim.kinds(), &sizes, k.outcome.sim.seed())))
    });
    let kinds: Vec<PolicyKind> = props.outcome.sim.kinds().to_vec();
    let requests = props.outcome.report.requests;
    let total = requests * (log_sizes(largest, CURVE_SIZES).len() as u64 * (kinds.len() as u64 + 1) + 1);
    let (sizes, points, running) = match &progress {
        Progress::Done(o) => match &**o {
            Ok((sizes, points)) => (sizes.clone(), points.clone(), None),
            Err(e) => {
                return html! { <p class="form-error" role="alert" data-testid="cache-mrc-error">{ crate::ui::form::sentence(e) }</p> };
            }
        },
        Progress::Running { events, partial } => match partial.as_deref() {
            Some(Ok((sizes, points))) => (sizes.clone(), points.clone(), Some(*events)),
            _ => (Vec::new(), Vec::new(), Some(*events)),
        },
    };
    let lines: Rc<Vec<Line>> = Rc::new(
        points
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.is_empty())
            .map(|(i, c)| {
                let (name, color) = match kinds.get(i) {
                    Some(&k) => (k.title(), palette::rgb(slot(k))),
                    None => ("Belady's optimum", palette::rgb(OPTIMAL_SLOT)),
                };
                Line { name, color, values: c.iter().map(|p| p.miss_ratio).collect() }
            })
            .collect(),
    );
    let names: Rc<Vec<String>> = Rc::new(sizes.iter().map(|s| count(*s as u64)).collect());
    let capacity = props.outcome.report.capacity as usize;
    html! {
        <>
            if let Some(done) = running {
                <p class="progress" role="status" data-testid="cache-mrc-progress">
                    <progress max={total.to_string()} value={done.to_string()} aria-label="Computing the miss-ratio curves" />
                    { format!(" replaying {} requests at {} sizes for every policy: {}%…", count(requests), sizes.len().max(CURVE_SIZES.min(largest)),
                        (100 * done / total.max(1)).min(99)) }
                </p>
            }
            if !lines.is_empty() {
                <LineChart lines={lines.clone()} y_max={1.0} marker={sizes.iter().position(|&s| s >= capacity)} y_percent={true}
                    x_names={Some(names)} testid="cache-mrc" label="Miss ratio against cache size, for every policy and Belady's optimum" />
                { legend(&kinds) }
            }
            if running.is_none() {
                { table(&kinds, &sizes, &points) }
            }
        </>
    }
}

/// The curves as numbers.
fn table(kinds: &[PolicyKind], sizes: &[usize], points: &[Vec<MrcPoint>]) -> Html {
    html! {
        <details class="mrc-numbers">
            <summary>{ "The curves as numbers (miss ratio)" }</summary>
            <div class="scroll" tabindex="0" role="region" aria-label="Miss ratio by cache size">
            <table class="mrc-table" data-testid="cache-mrc-table">
                <thead><tr><th>{ "Size" }</th>
                    { for kinds.iter().map(|k| html! { <th class="num">{ k.title() }</th> }) }
                    <th class="num">{ "optimum" }</th></tr></thead>
                <tbody>
                { for sizes.iter().enumerate().map(|(j, s)| html! {
                    <tr><th scope="row">{ count(*s as u64) }</th>
                        { for points.iter().map(|c| html! { <td class="num">{ c.get(j).map_or("–".into(), |p| pct(100.0 * p.miss_ratio)) }</td> }) }
                    </tr>
                }) }
                </tbody>
            </table>
            </div>
        </details>
    }
}
