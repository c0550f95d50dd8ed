//! The sharding and replication lab page: the shards as groups of nodes (kill and revive them, a whole
//! shard, at the animation's moment), the election timeline and the acknowledged writes lost, the query
//! router (a query recorded at the moment meets the shards as they are then; its exact answer computed
//! in slices), and the setup.

mod grid;
mod query;
mod reshard;
mod setup;
mod split;
mod staleness;

use super::app::{AppAction, Playhead};
use super::lab::{LabPage, PageProps};
use super::playback::{self, Animated, PlayerBar};
use super::sliced::Progress;
use crate::scenario::{Finished, LabId, LabSession, lab_presets};
use crate::sim::sharding::{ShardLabSim, ShardLabSnapshot, Sharding};
use crate::ui::format::count;
use crate::ui::later::Later;
use yew::prelude::*;

/// The lab's session, typed.
pub type ShardingSession = LabSession<Sharding>;

/// What the animation shows now.
pub type Frame = playback::Frame<ShardLabSnapshot>;

/// Animation speeds: virtual seconds per real second.
const SPEEDS: [u32; 4] = [1, 2, 5, 20];

impl Animated for Sharding {
    type Snapshot = ShardLabSnapshot;
    fn snapshot(sim: &ShardLabSim) -> ShardLabSnapshot {
        sim.snapshot()
    }
}

impl LabPage for Sharding {
    fn page(props: PageProps) -> Html {
        let session = ShardingSession::new(props.session).expect("the registry passes this lab's session");
        html! { <ShardingPage {session} active_preset={props.active_preset} on_action={props.on_action}
        playhead={props.playhead} /> }
    }
}

#[derive(Properties, PartialEq)]
pub struct ShardingPageProps {
    pub session: ShardingSession,
    pub active_preset: Option<String>,
    pub on_action: Callback<AppAction>,
    pub playhead: Playhead,
}

/// The lab page.
#[function_component(ShardingPage)]
pub fn sharding_page(props: &ShardingPageProps) -> Html {
    let play = playback::use_playback::<Sharding>(&props.session, 1, &props.playhead);
    let frame = play.frame.clone();
    let explains = props
        .active_preset
        .as_deref()
        .and_then(|n| lab_presets(LabId::Sharding).into_iter().find(|p| p.name == n))
        .map(|p| p.explains);
    let config = props.session.config();
    html! {
        <div class="lab lab-sharding" data-testid="lab-sharding">
            <section class="lab-intro">
                { crate::ui::lab::intro::<crate::sim::sharding::Sharding>() }
                <crate::ui::shell::PresetButtons lab={LabId::Sharding} active={props.active_preset.clone()} on_action={props.on_action.clone()} />
                if let Some(e) = explains {
                    <p class="preset-explains muted" data-testid="preset-explains">{ e }</p>
                }
                <p class="muted" data-testid="sharding-setup-line">{ format!(
                    "{} users in {} shards by {}; each shard {} node{}, {} replication.",
                    count(config.data.data.users), config.repl.shards, config.data.sharding.key.name(),
                    config.repl.group_size(), if config.repl.group_size() == 1 { "" } else { "s" }, config.repl.mode.label()
                ) }</p>
            </section>
            <div class="lab-grid sharding-grid">
                <Later>
                    <section class="card shards-card" aria-labelledby="shards-title">
                        <h2 id="shards-title">{ "The shards, live" }</h2>
                        <PlayerBar clock_us={frame.as_ref().map_or(0, |f| f.clock_us)} finished={frame.as_ref().is_some_and(|f| f.finished)}
                            computed_us={frame.as_ref().map_or(0, |f| f.computed_us)} end_known={frame.as_ref().is_some_and(|f| f.end_known)}
                            playing={play.playing} speed={play.speed} speeds={&SPEEDS[..]} on_command={play.on_command.clone()}
                            testid_prefix="sharding-" />
                        if let Some(f) = frame.clone() {
                            <grid::ShardGrid frame={f.clone()} on_action={props.on_action.clone()} />
                            <grid::Failover frame={f} />
                        }
                    </section>
                </Later>
                <Later>
                    <section class="card query-card" aria-labelledby="query-title">
                        <h2 id="query-title">{ "The query router" }</h2>
                        <query::QueryPanel session={props.session.clone()} frame={frame.clone()} on_action={props.on_action.clone()} />
                    </section>
                </Later>
                <Later>
                    <section class="card reshard-card" aria-labelledby="reshard-title">
                        <h2 id="reshard-title">{ "Resharding: add or remove shards" }</h2>
                        <reshard::ReshardPanel seed={props.session.seed()} config={std::rc::Rc::new(config.clone())} />
                    </section>
                </Later>
                <Later>
                    <section class="card staleness-card" aria-labelledby="staleness-title">
                        <h2 id="staleness-title">{ "Quorums: how stale can a read be?" }</h2>
                        <staleness::Staleness seed={props.session.seed()} mode={config.repl.mode} />
                    </section>
                </Later>
                <Later>
                    <section class="card outcome-card" aria-labelledby="outcome-title">
                        <h2 id="outcome-title">{ "Outcome of the whole run" }</h2>
                        { outcome(&play.outcome) }
                    </section>
                </Later>
                <Later>
                    <section class="card setup-card" aria-labelledby="setup-title">
                        <h2 id="setup-title">{ "Setup" }</h2>
                        <setup::SetupForm session={props.session.clone()} on_action={props.on_action.clone()} />
                    </section>
                </Later>
            </div>
        </div>
    }
}

/// The whole run's numbers, once computed.
fn outcome(progress: &Progress<Finished<Sharding>>) -> Html {
    let o = match progress {
        Progress::Done(o) => o.clone(),
        Progress::Running { events, .. } => {
            return html! {
                <p class="progress" role="status" data-testid="sharding-progress">
                    <progress aria-label="Computing the run" />
                    { format!(" computing the whole run: {} events so far…", count(*events)) }
                </p>
            };
        }
    };
    let r = &o.report.repl;
    let metric = |testid: &'static str, label: &'static str, value: String, bad: bool| {
        html! {
            <div class={classes!("metric", bad.then_some("bad"))}>
                <span class="metric-label">{ label }</span>
                <span class="metric-value" data-testid={testid}>{ value }</span>
            </div>
        }
    };
    html! {
        <>
            <div class="metrics">
                { metric("metric-acked", "Writes acknowledged", count(r.writes_acked), false) }
                { metric("metric-failed", "Writes failed", count(r.writes_failed), r.writes_failed > 0) }
                { metric("metric-lost", "Acknowledged writes lost", count(r.lost_writes), r.lost_writes > 0) }
                { metric("metric-stale", "Stale reads", count(r.stale_reads), r.stale_reads > 0) }
                { metric("metric-elections", "Primaries elected", count(r.elections), false) }
                { metric("metric-latency", "Write latency p50 / p99", format!("{:.0} / {:.0} ms", r.write_latency_p50_ms, r.write_latency_p99_ms), false) }
                { metric("metric-queries-failed", "Queries failed", count(o.report.queries_failed), o.report.queries_failed > 0) }
                { metric("metric-queries-partial", "Partial answers", count(o.report.queries_partial), false) }
            </div>
            if !o.violations.is_empty() {
                <ul class="violations" data-testid="violations">{ for o.violations.iter().map(|v| html! { <li>{ v }</li> }) }</ul>
            }
            <grid::LagChart report={std::rc::Rc::new(o.report.repl.clone())} />
        </>
    }
}
