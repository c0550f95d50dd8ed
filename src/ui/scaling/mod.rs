//! The scaling and load-balancing lab page: the balancer's servers as the requests play (kill and revive
//! any at the playhead), the whole run beside theory, every policy compared on the same requests (in
//! slices), one big machine against many small ones, the setup.

mod calls;
mod fleet;
mod parts;

use super::app::{AppAction, Playhead};
use super::lab::{LabPage, PageProps};
use super::playback::{self, Animated, PlayerBar};
use crate::scenario::{ActionTime, Edit, Finished, LabId, LabSession, lab_presets};
use crate::sim::scaling::lb::Power;
use crate::sim::scaling::{LbLive, Scaling, ScalingAction, ScalingConfig, ScalingSim};
use crate::ui::form::Checked;
use crate::ui::format::count;
use crate::ui::later::Later;
use crate::ui::recorded::Recorded;
use yew::prelude::*;

/// The lab's session, typed.
pub type ScalingSession = LabSession<Scaling>;

/// What the animation shows now.
pub type Frame = playback::Frame<LbLive>;

/// The whole run, once computed.
pub type Done = Option<std::rc::Rc<Finished<Scaling>>>;

/// Animation speeds, virtual seconds per real second.
const SPEEDS: [u32; 6] = [1, 5, 20, 100, 500, 2000];

impl Animated for Scaling {
    type Snapshot = LbLive;
    fn snapshot(sim: &ScalingSim) -> LbLive {
        sim.live()
    }
    fn done_share(sim: &ScalingSim) -> Option<f64> {
        Some(sim.done_share())
    }
}

impl LabPage for Scaling {
    fn page(props: PageProps) -> Html {
        let session = ScalingSession::new(props.session).expect("the registry passes this lab's session");
        html! { <ScalingPage {session} active_preset={props.active_preset} on_action={props.on_action} playhead={props.playhead} /> }
    }
}

#[derive(Properties, PartialEq)]
pub struct ScalingPageProps {
    pub session: ScalingSession,
    pub active_preset: Option<String>,
    pub on_action: Callback<AppAction>,
    pub playhead: Playhead,
}

/// A whole number read from field `i` (its test id `id`), in `lo..=hi`: marked in `m` when it is not.
pub(super) fn number(
    refs: &[NodeRef],
    m: &mut Checked,
    i: usize,
    id: &str,
    what: &str,
    lo: u64,
    hi: u64,
) -> Option<u64> {
    m.field(id, crate::ui::form::whole_in(&crate::ui::form::text_of(&refs[i]), what, lo, hi))
}

/// The submit of one of the page's setup forms: `read` changes a copy of the configuration from the
/// fields, marking each bad one (none when any is bad); the whole is then checked, and applied when
/// nothing is marked.
pub(super) fn setup_submit(
    session: &ScalingSession,
    on_action: &Callback<AppAction>,
    marks: &UseStateHandle<Checked>,
    refs: &[NodeRef],
    read: fn(&[NodeRef], &mut Checked, &mut ScalingConfig) -> Option<()>,
) -> Callback<SubmitEvent> {
    let (refs, marks, on, session) = (refs.to_vec(), marks.clone(), on_action.clone(), session.clone());
    Callback::from(move |e: SubmitEvent| {
        e.prevent_default();
        let mut m = Checked::default();
        let mut c = session.config().clone();
        if read(&refs, &mut m, &mut c).is_some() {
            m.whole(c.validate());
        }
        if m.is_ok() {
            on.emit(AppAction::edit::<Scaling>(Edit::Setup { seed: session.seed(), config: c }));
        }
        marks.set(m);
    })
}

fn at_seconds(t: ActionTime) -> String {
    format!("at {:.1} s", t as f64 / 1000.0)
}

/// The lab page.
#[function_component(ScalingPage)]
pub fn scaling_page(props: &ScalingPageProps) -> Html {
    let play = playback::use_playback::<Scaling>(&props.session, 20, &props.playhead);
    let frame = play.frame.clone();
    let explains = props
        .active_preset
        .as_deref()
        .and_then(|n| lab_presets(LabId::Scaling).into_iter().find(|p| p.name == n))
        .map(|p| p.explains);
    let config = props.session.config();
    let done = play.outcome.done();
    let error = props.session.scenario.start::<Scaling>().and_then(Result::err);
    let capacity = config.balancer(Vec::new()).capacity_per_s();
    let lambda = f64::from(config.arrival_milli_per_s) / 1000.0;
    html! {
        <div class="lab lab-scaling" data-testid="lab-scaling">
            <section class="lab-intro">
                { crate::ui::lab::intro::<Scaling>() }
                <crate::ui::shell::PresetButtons lab={LabId::Scaling} active={props.active_preset.clone()} on_action={props.on_action.clone()} />
                if let Some(e) = explains {
                    <p class="preset-explains muted" data-testid="preset-explains">{ e }</p>
                }
                <p class="muted" data-testid="scaling-setup-line">{ format!(
                    "{} servers, {} requests at {} a second against a capacity of {} a second ({:.0}% load); policy {}.",
                    config.servers.len(), count(config.requests), lambda, capacity, 100.0 * lambda / capacity, config.policy.name()
                ) }</p>
            </section>
            <div class="lab-grid scaling-grid">
                <Later>
                    <section class="card lb-card" aria-labelledby="scaling-live-title">
                        <h2 id="scaling-live-title">{ "The balancer and its servers" }</h2>
                        if let Some(e) = error {
                            <p class="form-error" role="alert" data-testid="scaling-error">{ crate::ui::form::sentence(&e) }</p>
                        }
                        <PlayerBar clock_us={frame.as_ref().map_or(0, |f| f.clock_us)} finished={frame.as_ref().is_some_and(|f| f.finished)}
                            computed_us={frame.as_ref().map_or(0, |f| f.computed_us)} end_known={frame.as_ref().is_some_and(|f| f.end_known)}
                            playing={play.playing} speed={play.speed} speeds={&SPEEDS[..]} on_command={play.on_command.clone()}
                            progress={play.computed_share.map(|s| s * 100.0)} testid_prefix="scaling-" />
                        if let Some(f) = frame.clone() {
                            <Servers frame={f} on_action={props.on_action.clone()} />
                        }
                        <Recorded<Scaling> session={props.session.clone()} on_action={props.on_action.clone()} testid_prefix="scaling-"
                            when={at_seconds as fn(ActionTime) -> String}
                            empty="Nothing yet: kill or revive a server while the requests play, or pause at a moment first." />
                    </section>
                </Later>
                <Later>
                    <section class="card run-card" aria-labelledby="scaling-run-title">
                        <h2 id="scaling-run-title">{ "The whole run, beside theory" }</h2>
                        if done.is_some() {
                            <parts::WholeRun outcome={done.clone()} />
                        } else {
                            <p class="progress" role="status" data-testid="scaling-progress"><progress aria-label="Computing the run" />
                                { format!(" Serving every request: {} events so far…", count(play.outcome.events())) }</p>
                        }
                    </section>
                </Later>
                <Later>
                    <section class="card setup-card" aria-labelledby="scaling-setup-title">
                        <h2 id="scaling-setup-title">{ "Setup" }</h2>
                        <parts::Setup session={props.session.clone()} on_action={props.on_action.clone()} />
                    </section>
                </Later>
                <Later>
                    <section class="card compare-card" aria-labelledby="scaling-compare-title">
                        <h2 id="scaling-compare-title">{ "Every policy on the same requests" }</h2>
                        <parts::Compare session={props.session.clone()} />
                    </section>
                </Later>
                <Later>
                    <section class="card fleet-card" aria-labelledby="scaling-fleet-title">
                        <h2 id="scaling-fleet-title">{ "Autoscaling: a fleet that follows the load" }</h2>
                        <fleet::Fleet session={props.session.clone()} outcome={done.clone()} on_action={props.on_action.clone()} />
                    </section>
                </Later>
                <Later>
                    <section class="card calls-card" aria-labelledby="scaling-calls-title">
                        <h2 id="scaling-calls-title">{ "Calls inside one machine and across machines" }</h2>
                        <calls::CallsCard session={props.session.clone()} on_action={props.on_action.clone()} />
                    </section>
                </Later>
                <Later>
                    <section class="card sizing-card" aria-labelledby="scaling-sizing-title">
                        <h2 id="scaling-sizing-title">{ "One big machine or many small ones" }</h2>
                        <parts::SizingTable session={props.session.clone()} />
                    </section>
                </Later>
            </div>
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct ServersProps {
    pub frame: Frame,
    pub on_action: Callback<AppAction>,
}

/// Each server's requests now, its state, and kill / revive at the playhead; the totals so far.
#[function_component(Servers)]
pub fn servers(props: &ServersProps) -> Html {
    let s = &props.frame.snap;
    let at_ms = props.frame.clock_us / 1000;
    let act = |a: ScalingAction| {
        let on = props.on_action.clone();
        Callback::from(move |_| on.emit(AppAction::edit::<Scaling>(Edit::Live { at_ms, action: a })))
    };
    let top = s.servers.iter().map(|v| v.connections).max().unwrap_or(0).max(5);
    let off = s.servers.iter().filter(|v| v.power == Power::Off).count();
    let rows = s.servers.iter().enumerate().filter(|(_, v)| v.power != Power::Off).map(|(i, v)| {
        let (state, class) = match (v.power, v.alive, v.in_pool) {
            (Power::Booting, true, _) => ("booting", "slow"),
            (Power::Draining, true, _) => ("leaving: finishing its requests", "slow"),
            (_, true, true) => ("up", "up"),
            (_, false, true) => ("down, not noticed yet", "down unnoticed"),
            (_, false, false) => ("down, out of the pool", "down"),
            (_, true, false) => ("back, not in the pool yet", "slow"),
        };
        let server = i as u32;
        let width = 100.0 * f64::from(v.connections) / f64::from(top);
        html! {
            <tr data-testid="server-row" data-state={class.to_string()}>
                <th scope="row">{ format!("S{i}") }{ if v.cores > 1 { format!(" ({} cores)", v.cores) } else { String::new() } }</th>
                <td class={classes!("state", class)}>{ state }</td>
                <td class="bar-cell"><span class="bar" style={format!("width:{width:.1}%")}></span>
                    <span class="num" data-testid="server-connections">{ v.connections }</span></td>
                <td class="num">{ count(v.received) }</td>
                <td>
                    <button data-testid={format!("kill-server-{i}")} disabled={!v.alive} onclick={act(ScalingAction::Kill { server })}>{ "Kill" }</button>
                    { " " }
                    <button data-testid={format!("revive-server-{i}")} disabled={v.alive} onclick={act(ScalingAction::Revive { server })}>{ "Revive" }</button>
                </td>
            </tr>
        }
    });
    html! {
        <>
        { crate::ui::scroll::scroll("The servers now", html! {
            <table class="servers-live" data-testid="servers-live">
                <caption>{ format!("At {:.1} s", props.frame.clock_us as f64 / 1e6) }</caption>
                <thead><tr><th>{ "server" }</th><th>{ "state" }</th><th>{ "requests at it now" }</th><th class="num">{ "received" }</th><th></th></tr></thead>
                <tbody>{ for rows }</tbody>
            </table>
        }) }
        if off > 0 {
            <p class="muted" data-testid="servers-off">{ format!("{off} more servers are off: the autoscaler can start them.") }</p>
        }
        <p data-testid="scaling-totals">{ format!(
            "{} of {} requests arrived; {} served, {} lost, {} sent again, {} refused by a dead server; {}.",
            count(s.arrived), count(s.requests), count(s.served), count(s.lost), count(s.retried), count(s.sent_to_dead),
            if s.mean_sojourn_s > 0.0 {
                format!("mean time in system so far {:.2} s", s.mean_sojourn_s)
            } else {
                format!("times in system are measured after the first {} requests (the warm-up)", count(s.requests * crate::sim::scaling::lb::WARMUP_PCT / 100))
            }) }</p>
        </>
    }
}
