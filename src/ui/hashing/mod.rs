//! The hashing & load-balancing lab page: presets, the ring, what moved, the servers and the charts.

mod cache;
mod charts;
mod movement;
mod ring;
mod servers;
mod split;

use super::app::AppAction;
use super::lab::{LabPage, PageProps};
use super::sliced::{Finite, WholeRun, use_sliced};
use crate::scenario::{Finished, LabId, LabSession, Scenario};
use crate::sim::hashing::algos::Algo;
use crate::sim::hashing::cache::CacheAffinity;
use crate::sim::hashing::{Hashing, HashingLab, HashingReport};
use crate::ui::later::Later;
use std::rc::Rc;
use yew::prelude::*;

/// Keys drawn on the ring (the first ones of the key set).
const RING_SAMPLE: usize = 160;

/// The lab for components that compute from it in steps; equal when the scenario is the same.
#[derive(Clone)]
pub struct LabRef {
    pub lab: Rc<HashingLab>,
    pub generation: u64,
}

impl LabRef {
    /// The lab; the generation digests what the algorithm comparison depends on (the seed, the key
    /// count, the servers with their weights, the virtual nodes, before and after the last change), so
    /// view-only actions such as choosing the split do not recompute it.
    pub fn new(lab: &HashingLab) -> Self {
        let mut text = format!("{}/{}", lab.seed(), lab.key_hashes().len());
        for ms in std::iter::once(lab.membership()).chain(lab.previous_membership()) {
            text.push_str(&format!("|{}|{}", ms.ring_size, ms.vnodes));
            for s in &ms.servers {
                text.push_str(&format!(";{}*{}@{}", s.name, s.weight, s.position));
            }
        }
        Self { lab: Rc::new(lab.clone()), generation: crate::sim::hash::hash_str(&text) }
    }
}

impl PartialEq for LabRef {
    fn eq(&self, other: &Self) -> bool {
        self.generation == other.generation
    }
}

/// Ring points drawn one by one up to this many; beyond, the arcs are drawn at a fixed resolution.
const POINTS_DRAWN_MAX: usize = 2000;
/// Angular resolution of the arcs when there are too many points to draw.
const ARC_BUCKETS: usize = 720;

/// A key shown on the ring: its position as a fraction of the ring, and its owner's slot.
#[derive(Clone, Debug, PartialEq)]
pub struct SampleKey {
    pub at: f64,
    pub owner: Option<usize>,
}

/// What the ring drawing needs: arcs `(from, to, owner slot)` as fractions of the ring, the virtual
/// points when there are few enough to draw, and a sample of keys.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct RingDrawing {
    pub arcs: Vec<(f64, f64, usize)>,
    pub points: Option<Vec<(f64, usize)>>,
    pub keys: Vec<SampleKey>,
}

/// The drawing of the lab's ring: exact arcs for up to `POINTS_DRAWN_MAX` points, otherwise the owner
/// of each of `ARC_BUCKETS` equal slices (merged into runs).
pub fn ring_sample(lab: &HashingLab) -> RingDrawing {
    let ms = lab.membership();
    let ring = lab.ring();
    let m = ms.ring_size as f64;
    let keys = lab
        .key_hashes()
        .iter()
        .take(RING_SAMPLE)
        .map(|&k| {
            let position = k % ms.ring_size;
            SampleKey { at: position as f64 / m, owner: ring.lookup(position).map(|s| s as usize) }
        })
        .collect();
    let mut arcs = Vec::new();
    let points = if ring.len() <= POINTS_DRAWN_MAX {
        let pts: Vec<(u64, u32)> = ring.points().collect();
        for (i, &(pos, slot)) in pts.iter().enumerate() {
            let prev = if i == 0 { pts[pts.len() - 1].0 } else { pts[i - 1].0 };
            if i > 0 && prev == pos {
                continue;
            }
            arcs.push((prev as f64 / m, pos as f64 / m, slot as usize));
        }
        Some(pts.iter().map(|&(p, s)| (p as f64 / m, s as usize)).collect())
    } else {
        for b in 0..ARC_BUCKETS {
            let (from, to) = (b as f64 / ARC_BUCKETS as f64, (b + 1) as f64 / ARC_BUCKETS as f64);
            let owner = ring.lookup(((from + to) / 2.0 * m) as u64).unwrap_or(0) as usize;
            match arcs.last_mut() {
                Some((_, end, o)) if *o == owner => *end = to,
                _ => arcs.push((from, to, owner)),
            }
        }
        None
    };
    RingDrawing { arcs, points, keys }
}

/// Everything the page shows of a replayed hashing scenario.
pub struct HashingView {
    pub report: Rc<HashingReport>,
    pub drawing: Rc<RingDrawing>,
    pub cache: Rc<Option<CacheAffinity>>,
    pub lab_ref: LabRef,
    pub split: (Algo, Algo),
    pub next_name: String,
}

/// The replay of a hashing scenario in slices (one change per step; each derives rings of up to a
/// million points), then the report, then the drawings of where it ends: each of the last two in a
/// step of its own, so no task of the page's is longer than one of them.
pub struct HashingRun {
    run: WholeRun<Hashing>,
    replayed: bool,
    finished: Option<Finished<Hashing>>,
    view: Option<HashingView>,
    prepared: bool,
    assigned: bool,
    changes: u64,
}

impl HashingRun {
    fn start(scenario: &Scenario) -> Option<Self> {
        Some(Self {
            run: WholeRun::start(scenario)?,
            replayed: false,
            finished: None,
            view: None,
            prepared: false,
            assigned: false,
            changes: 0,
        })
    }
}

impl Finite for HashingRun {
    type Outcome = HashingView;
    fn advance(&mut self, max: u64) -> bool {
        if self.view.is_some() {
            return true;
        }
        if let Some(run) = self.finished.take() {
            let lab = &run.sim.lab;
            self.view = Some(HashingView {
                drawing: Rc::new(ring_sample(lab)),
                cache: Rc::new(lab.cache_affinity()),
                lab_ref: LabRef::new(lab),
                split: lab.split(),
                next_name: lab.next_free_name(),
                report: Rc::new(run.report),
            });
            return true;
        }
        if self.replayed && !self.assigned {
            // Every key's server now and before the last change, in a step of its own.
            if let Some(sim) = self.run.sim_mut() {
                sim.lab.prepare_report();
            }
            self.assigned = true;
            return false;
        }
        if self.replayed {
            self.finished = self.run.outcome(true);
            return self.finished.is_none();
        }
        if !self.prepared {
            // The first ring (a million points at most) in a step of its own; changes then derive theirs.
            if let Some(sim) = self.run.sim_mut() {
                sim.lab.prepare_ring();
            }
            self.prepared = true;
            return false;
        }
        self.replayed = self.run.advance(max);
        self.changes = self.run.done_events();
        false
    }
    fn done_events(&self) -> u64 {
        // The replay's changes (the run keeps its count once handed to the report).
        self.changes
    }
    fn outcome(&mut self, over: bool) -> Option<HashingView> {
        if over { self.view.take() } else { None }
    }
}

impl LabPage for Hashing {
    fn page(props: PageProps) -> Html {
        let session = LabSession::new(props.session).expect("the registry passes this lab's session");
        html! { <HashingPage {session} active_preset={props.active_preset} on_action={props.on_action} /> }
    }
}

#[derive(Properties, PartialEq)]
pub struct HashingPageProps {
    pub session: LabSession<Hashing>,
    pub active_preset: Option<String>,
    pub on_action: Callback<AppAction>,
}

/// The lab page: the replay of the session (in slices, with progress), then what it shows.
#[function_component(HashingPage)]
pub fn hashing_page(props: &HashingPageProps) -> Html {
    let progress = use_sliced::<Scenario, HashingRun>(props.session.scenario.clone(), HashingRun::start);
    let intro = html! {
        <section class="lab-intro">
            { crate::ui::lab::intro::<crate::sim::hashing::Hashing>() }
            <crate::ui::shell::PresetButtons lab={LabId::Hashing} active={props.active_preset.clone()} on_action={props.on_action.clone()} />
        </section>
    };
    let Some(view) = progress.done() else {
        let total = props.session.actions().len();
        return html! {
            <div class="lab lab-hashing" data-testid="lab-hashing">
                { intro }
                <p class="progress card" role="status" data-testid="hashing-progress">
                    <progress max={total.max(1).to_string()} value={progress.events().to_string()} aria-label="Replaying the changes" />
                    { format!(" replaying the session: change {} of {}…", progress.events(), total) }
                </p>
            </div>
        };
    };
    let r = &view.report;
    let config = Rc::new(props.session.config().clone());
    html! {
        <div class="lab lab-hashing" data-testid="lab-hashing">
            { intro }
            <div class="lab-grid">
                <Later>
                    <section class="card ring-card" aria-labelledby="ring-title">
                        <h2 id="ring-title">{ format!("Ring of capacity M = {}", super::format::count(r.ring_size)) }</h2>
                        <ring::RingView report={view.report.clone()} sample={view.drawing.clone()} />
                        <ring::ProbeForm report={view.report.clone()} on_action={props.on_action.clone()} />
                    </section>
                </Later>
                <Later>
                    <section class="card movement-card" aria-labelledby="movement-title">
                        <h2 id="movement-title">{ "What moved on the last change" }</h2>
                        <movement::LastChange report={view.report.clone()} actions={props.session.actions().len()} on_action={props.on_action.clone()} />
                    </section>
                </Later>
                <Later>
                    <section class="card servers-card" aria-labelledby="servers-title">
                        <h2 id="servers-title">{ format!("Servers ({})", r.servers.len()) }</h2>
                        <servers::ServerTable report={view.report.clone()} on_action={props.on_action.clone()} />
                        <servers::AddServer next_name={view.next_name.clone()} servers={r.servers.len()} on_action={props.on_action.clone()} />
                        <servers::Settings report={view.report.clone()} seed={props.session.seed()} {config} on_action={props.on_action.clone()} />
                    </section>
                </Later>
                <Later>
                    <section class="card charts-card" aria-labelledby="charts-title">
                        <h2 id="charts-title">{ "Load per server" }</h2>
                        <charts::LoadCharts report={view.report.clone()} />
                    </section>
                </Later>
                <Later>
                    <section class="card split-card" aria-labelledby="split-title">
                        <h2 id="split-title">{ "Algorithms side by side" }</h2>
                        <split::SplitView lab={view.lab_ref.clone()} split={view.split} on_action={props.on_action.clone()}
                            names={Rc::new(r.servers.iter().map(|s| s.name.clone()).collect::<Vec<_>>())} />
                    </section>
                </Later>
                <Later>
                    <section class="card cache-card" aria-labelledby="cache-title">
                        <h2 id="cache-title">{ "Cache affinity through the last change" }</h2>
                        <cache::CacheAffinityView cache={view.cache.clone()} />
                    </section>
                </Later>
                <Later>
                    <section class="card history-card" aria-labelledby="history-title">
                        <h2 id="history-title">{ "Changes so far" }</h2>
                        <movement::History report={view.report.clone()} />
                    </section>
                </Later>
            </div>
        </div>
    }
}
