//! The caching lab page: the requests served one at a time (a virtual second each) by every eviction
//! policy and by Belady's optimum, what the watched policy and the optimum hold and why each request
//! hits or misses, requests made by hand and restarts recorded at the playhead, the hit ratio of every
//! policy over time, and the miss-ratio curves across cache sizes (computed in slices).

mod charts;
mod part_forms;
mod parts;
mod setup;
mod stepper;

use super::app::{AppAction, Playhead};
use super::lab::{LabPage, PageProps};
use super::playback::{self, Animated, PlayerBar};
use crate::scenario::{Finished, LabId, LabSession, lab_presets};
use crate::sim::cache::{CacheLabSim, CacheSnapshot, Caching};
use crate::ui::format::count;
use crate::ui::later::Later;
use yew::prelude::*;

/// The lab's session, typed.
pub type CachingSession = LabSession<Caching>;

/// What the animation shows now.
pub type Frame = playback::Frame<CacheSnapshot>;

/// The whole run.
pub type CachingOutcome = Finished<Caching>;

/// Animation speeds: requests per second (a request is a virtual second).
const SPEEDS: [u32; 6] = [1, 2, 5, 20, 100, 1000];

impl Animated for Caching {
    type Snapshot = CacheSnapshot;
    fn snapshot(sim: &CacheLabSim) -> CacheSnapshot {
        sim.snapshot()
    }
    fn done_share(sim: &CacheLabSim) -> Option<f64> {
        let (served, total) = sim.served();
        Some(if total == 0 { 1.0 } else { served as f64 / total as f64 })
    }
}

impl LabPage for Caching {
    fn page(props: PageProps) -> Html {
        let session = CachingSession::new(props.session).expect("the registry passes this lab's session");
        html! { <CachingPage {session} active_preset={props.active_preset} on_action={props.on_action}
        playhead={props.playhead} /> }
    }
}

#[derive(Properties, PartialEq)]
pub struct CachingPageProps {
    pub session: CachingSession,
    pub active_preset: Option<String>,
    pub on_action: Callback<AppAction>,
    pub playhead: Playhead,
}

/// The lab page.
#[function_component(CachingPage)]
pub fn caching_page(props: &CachingPageProps) -> Html {
    let play = playback::use_playback::<Caching>(&props.session, 1, &props.playhead);
    let frame = play.frame.clone();
    let explains = props
        .active_preset
        .as_deref()
        .and_then(|n| lab_presets(LabId::Caching).into_iter().find(|p| p.name == n))
        .map(|p| p.explains);
    let config = props.session.config();
    let done = play.outcome.done();
    let progress = |what: &'static str| {
        html! {
            <p class="progress" role="status" data-testid="caching-progress">
                <progress aria-label="Computing the run" />
                { format!(" {what}: {} requests so far…", count(play.outcome.events())) }
            </p>
        }
    };
    html! {
        <div class="lab lab-caching" data-testid="lab-caching">
            <section class="lab-intro">
                { crate::ui::lab::intro::<Caching>() }
                <crate::ui::shell::PresetButtons lab={LabId::Caching} active={props.active_preset.clone()} on_action={props.on_action.clone()} />
                if let Some(e) = explains {
                    <p class="preset-explains muted" data-testid="preset-explains">{ e }</p>
                }
                <p class="muted" data-testid="caching-setup-line">{ format!(
                    "A cache of {} key{}; {}; {} policies compared, {} watched beside the optimum.",
                    count(u64::from(config.capacity)), if config.capacity == 1 { "" } else { "s" },
                    config.workload.describe(), config.policies.len(), config.watched.title()
                ) }</p>
            </section>
            <div class="lab-grid caching-grid">
                <Later>
                    <section class="card stepper-card" aria-labelledby="cache-step-title">
                        <h2 id="cache-step-title">{ "Inside the cache, request by request" }</h2>
                        <PlayerBar clock_us={frame.as_ref().map_or(0, |f| f.clock_us)} finished={frame.as_ref().is_some_and(|f| f.finished)}
                            computed_us={frame.as_ref().map_or(0, |f| f.computed_us)} end_known={frame.as_ref().is_some_and(|f| f.end_known)}
                            playing={play.playing} speed={play.speed} speeds={&SPEEDS[..]} on_command={play.on_command.clone()}
                            progress={play.computed_share.map(|s| s * 100.0)} testid_prefix="caching-" unit={Some("request")} />
                        if let Some(f) = frame.clone() {
                            <stepper::Stepper frame={f.clone()} />
                            <stepper::ByHand frame={f} on_action={props.on_action.clone()} />
                        }
                        <crate::ui::recorded::Recorded<Caching> session={props.session.clone()} on_action={props.on_action.clone()}
                            testid_prefix="caching-" when={stepper::after_request as fn(crate::scenario::ActionTime) -> String}
                            empty="Nothing yet: pause at a request, then request a key by hand or restart the cache." />
                    </section>
                </Later>
                <Later>
                    <section class="card policies-card" aria-labelledby="cache-policies-title">
                        <h2 id="cache-policies-title">{ "Every policy on the same requests" }</h2>
                        if let Some(f) = frame.clone() {
                            <stepper::PolicyTable frame={f} outcome={done.clone()} session={props.session.clone()} />
                        }
                    </section>
                </Later>
                <Later>
                    <section class="card hit-time-card" aria-labelledby="cache-time-title">
                        <h2 id="cache-time-title">{ "Hit ratio over time" }</h2>
                        if let Some(o) = done.clone() {
                            <charts::HitRatioOverTime outcome={o} />
                        } else {
                            { progress("serving every request") }
                        }
                    </section>
                </Later>
                <Later>
                    <section class="card mrc-card" aria-labelledby="cache-mrc-title">
                        <h2 id="cache-mrc-title">{ "Miss ratio across cache sizes" }</h2>
                        if let Some(o) = done {
                            <charts::MissRatioCurves outcome={o} key_space={config.workload.key_space()} />
                        } else {
                            { progress("serving every request first") }
                        }
                    </section>
                </Later>
                <Later>
                    <section class="card placement-card" aria-labelledby="cache-placement-title">
                        <h2 id="cache-placement-title">{ "Where the cache sits: client, server, tier, database" }</h2>
                        <parts::PlacementPart seed={props.session.seed()} config={std::rc::Rc::new(config.placement.clone())} />
                        <part_forms::PartSetup part={part_forms::Part::Placement} session={props.session.clone()} on_action={props.on_action.clone()} />
                    </section>
                </Later>
                <Later>
                    <section class="card consistency-card" aria-labelledby="cache-consistency-title">
                        <h2 id="cache-consistency-title">{ "Fresh enough? TTLs, write policies, races" }</h2>
                        <parts::ConsistencyPart seed={props.session.seed()} config={std::rc::Rc::new(config.consistency.clone())} />
                        <part_forms::PartSetup part={part_forms::Part::Consistency} session={props.session.clone()} on_action={props.on_action.clone()} />
                    </section>
                </Later>
                <Later>
                    <section class="card cdn-card" aria-labelledby="cache-cdn-title">
                        <h2 id="cache-cdn-title">{ "A CDN: an edge per region" }</h2>
                        <parts::CdnPart seed={props.session.seed()} config={std::rc::Rc::new(config.cdn.clone())} />
                        <part_forms::PartSetup part={part_forms::Part::Cdn} session={props.session.clone()} on_action={props.on_action.clone()} />
                    </section>
                </Later>
                <Later>
                    <section class="card setup-card" aria-labelledby="cache-setup-title">
                        <h2 id="cache-setup-title">{ "Setup" }</h2>
                        <setup::SetupForm session={props.session.clone()} on_action={props.on_action.clone()} />
                    </section>
                </Later>
            </div>
        </div>
    }
}

/// The whole run's outcome, once computed, for the cards that show it.
pub type Done = Option<std::rc::Rc<CachingOutcome>>;
