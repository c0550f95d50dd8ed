//! The resilience lab page: the architecture built with the notes' steps (each part with its role, its
//! availability, marked when it is a single point of failure; kill and revive any part or region), what
//! is down and what took over, availability by algebra beside simulated years; then the circuit
//! breaker, the retry storm, the monolith against microservices, and two calculators (availability of
//! an expression, a rate limiter's answers).

mod parts;

use super::app::AppAction;
use super::lab::{LabPage, PageProps};
use super::sliced::{WholeRun, use_sliced};
use crate::scenario::{Edit, Finished, LabId, LabSession, Scenario, lab_presets};
use crate::sim::resilience::Resilience;
use crate::sim::resilience::lab::{ResilienceAction, ResilienceReport};
use crate::sim::resilience::topology::{Kind, Part, Step, region_letter};
use crate::ui::format::count;
use crate::ui::later::Later;
use crate::ui::recorded::Recorded;
use std::rc::Rc;
use yew::prelude::*;

/// The lab's session, typed.
pub type ResilienceSession = LabSession<Resilience>;

impl LabPage for Resilience {
    fn page(props: PageProps) -> Html {
        let session = ResilienceSession::new(props.session).expect("the registry passes this lab's session");
        html! { <ResiliencePage {session} active_preset={props.active_preset} on_action={props.on_action} /> }
    }
}

#[derive(Properties, PartialEq)]
pub struct ResiliencePageProps {
    pub session: ResilienceSession,
    pub active_preset: Option<String>,
    pub on_action: Callback<AppAction>,
}

/// An availability as a percentage with enough digits to tell nines apart.
pub fn avail(a: f64) -> String {
    format!("{:.5}%", 100.0 * a)
}

/// Minutes as the largest units that read well.
pub fn minutes(m: f64) -> String {
    if m >= 24.0 * 60.0 {
        format!("{:.1} days", m / 1440.0)
    } else if m >= 60.0 {
        format!("{:.1} h", m / 60.0)
    } else if m >= 1.0 {
        format!("{m:.1} min")
    } else {
        format!("{:.0} s", m * 60.0)
    }
}

fn live(on_action: &Callback<AppAction>, action: ResilienceAction) -> Callback<MouseEvent> {
    let on = on_action.clone();
    Callback::from(move |_| on.emit(AppAction::edit::<Resilience>(Edit::Live { at_ms: 0, action: action.clone() })))
}

/// A change's place: an instantaneous lab records them 1 ms apart from 0.
fn changes(t: u64) -> String {
    format!("change {}", t + 1)
}

/// The lab page.
#[function_component(ResiliencePage)]
pub fn resilience_page(props: &ResiliencePageProps) -> Html {
    let progress =
        use_sliced::<Scenario, WholeRun<Resilience>>(props.session.scenario.clone(), WholeRun::<Resilience>::start);
    let explains = props
        .active_preset
        .as_deref()
        .and_then(|n| lab_presets(LabId::Resilience).into_iter().find(|p| p.name == n))
        .map(|p| p.explains);
    let error = props.session.scenario.start::<Resilience>().and_then(Result::err);
    let done: Option<Rc<Finished<Resilience>>> = progress.done();
    let report = done.as_ref().map(|d| Rc::new(d.report.clone()));
    html! {
        <div class="lab lab-resilience" data-testid="lab-resilience">
            <section class="lab-intro">
                { crate::ui::lab::intro::<Resilience>() }
                <crate::ui::shell::PresetButtons lab={LabId::Resilience} active={props.active_preset.clone()} on_action={props.on_action.clone()} />
                if let Some(e) = explains {
                    <p class="preset-explains muted" data-testid="preset-explains">{ e }</p>
                }
            </section>
            if let Some(e) = error {
                <p class="form-error card" role="alert" data-testid="resilience-error">{ crate::ui::form::sentence(&e) }</p>
            }
            <div class="lab-grid resilience-grid">
                <section class="card topology-card" aria-labelledby="topology-title">
                    <h2 id="topology-title">{ "The architecture" }</h2>
                    if let Some(r) = report.clone() {
                        <Architecture report={r} on_action={props.on_action.clone()} />
                    } else {
                        <p class="progress" role="status" data-testid="resilience-progress"><progress aria-label="Computing" />
                            { format!(" Replaying the changes and simulating years of failures: {} steps…", count(progress.events())) }</p>
                    }
                    <Recorded<Resilience> session={props.session.clone()} on_action={props.on_action.clone()} testid_prefix="resilience-"
                        when={changes as fn(u64) -> String}
                        empty="Nothing yet: take a step, or kill a part." />
                </section>
                <section class="card down-card" aria-labelledby="down-title">
                    <h2 id="down-title">{ "What is down, and what took over" }</h2>
                    if let Some(r) = report.clone() {
                        <Down report={r} />
                    }
                </section>
                <section class="card availability-card" aria-labelledby="availability-title">
                    <h2 id="availability-title">{ "Availability, two ways" }</h2>
                    if let Some(r) = report.clone() {
                        <Availability report={r} />
                    } else {
                        <p class="progress" role="status"><progress aria-label="Simulating years of failures" />
                            { " Simulating years of failures and repairs…" }</p>
                    }
                </section>
                <Later>
                    <section class="card failures-card" aria-labelledby="failures-title">
                        <h2 id="failures-title">{ "Failures, repairs and take-overs" }</h2>
                        <parts::FailureSettings session={props.session.clone()} on_action={props.on_action.clone()} />
                    </section>
                </Later>
                <Later>
                    <section class="card breaker-card" aria-labelledby="breaker-title">
                        <h2 id="breaker-title">{ "A circuit breaker" }</h2>
                        <parts::BreakerCardView session={props.session.clone()} on_action={props.on_action.clone()} />
                    </section>
                </Later>
                <Later>
                    <section class="card storm-card" aria-labelledby="storm-title">
                        <h2 id="storm-title">{ "A retry storm" }</h2>
                        <parts::StormCardView session={props.session.clone()} on_action={props.on_action.clone()} />
                    </section>
                </Later>
                <Later>
                    <section class="card bulkhead-card" aria-labelledby="bulkhead-title">
                        <h2 id="bulkhead-title">{ "A bulkhead" }</h2>
                        <parts::BulkheadCardView session={props.session.clone()} on_action={props.on_action.clone()} />
                    </section>
                </Later>
                <Later>
                    <section class="card services-card" aria-labelledby="services-title">
                        <h2 id="services-title">{ "Monolith or microservices" }</h2>
                        <parts::ServicesCardView session={props.session.clone()} on_action={props.on_action.clone()} />
                    </section>
                </Later>
                <Later>
                    <section class="card expression-card" aria-labelledby="expression-title">
                        <h2 id="expression-title">{ "Availability of any structure" }</h2>
                        <parts::Calculator expression={report.as_ref().map(|r| r.expression.clone()).unwrap_or_default()} />
                    </section>
                </Later>
                <Later>
                    <section class="card throttle-card" aria-labelledby="throttle-title">
                        <h2 id="throttle-title">{ "A rate limiter (CL.THROTTLE)" }</h2>
                        <parts::ThrottleCard />
                    </section>
                </Later>
            </div>
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct ReportProps {
    pub report: Rc<ResilienceReport>,
}

#[derive(Properties, PartialEq)]
pub struct ArchitectureProps {
    pub report: Rc<ResilienceReport>,
    pub on_action: Callback<AppAction>,
}

/// One part's box.
fn part_box(p: &Part, on_action: &Callback<AppAction>) -> Html {
    let name = p.name.clone();
    let class = classes!(
        "part",
        p.spof.then_some("spof"),
        p.down.then_some("killed"),
        (!p.used).then_some("idle"),
        format!("kind-{}", kind_name(p.kind))
    );
    html! {
        <li class={class} data-testid={format!("part-{name}")} data-spof={p.spof.to_string()} data-killed={p.killed.to_string()}>
            <strong>{ name.clone() }</strong>
            if p.spof {
                <span class="badge spof-badge" data-testid="spof-badge">{ "single point of failure" }</span>
            }
            if p.killed {
                <span class="badge down-badge">{ "down" }</span>
            } else if p.down {
                <span class="badge down-badge">{ "down with its region" }</span>
            }
            <span class="role">{ p.role.clone() }</span>
            <span class="muted">{ format!("up {}", avail(p.availability)) }</span>
            if p.killed {
                <button data-testid={format!("revive-{name}")} aria-label={format!("Revive {name}")} onclick={live(on_action, ResilienceAction::Revive { part: name.clone() })}>{ "Revive" }</button>
            } else if !p.down {
                <button data-testid={format!("kill-{name}")} aria-label={format!("Kill {name}")} onclick={live(on_action, ResilienceAction::Kill { part: name.clone() })}>{ "Kill" }</button>
            }
        </li>
    }
}

fn kind_name(k: Kind) -> &'static str {
    match k {
        Kind::Dns => "dns",
        Kind::Lb => "lb",
        Kind::Node => "node",
        Kind::Db => "db",
        Kind::Coordinator => "coordinator",
    }
}

/// The steps, the parts tier by tier and region by region, each killable.
#[function_component(Architecture)]
pub fn architecture(props: &ArchitectureProps) -> Html {
    let r = &props.report;
    let t = &r.topology;
    let tier = |kind: Kind, region: Option<u32>| -> Vec<&Part> {
        r.parts.iter().filter(|p| p.kind == kind && (region.is_none() || p.region == region)).collect()
    };
    // Tiers before and after the regions are headed like the regions (h3); a region's own tiers, one below.
    let row = |title: &str, parts: Vec<&Part>| -> Html {
        if parts.is_empty() {
            return html! {};
        }
        let heading = if matches!(parts[0].kind, Kind::Lb | Kind::Node) {
            html! { <h4>{ title.to_string() }</h4> }
        } else {
            html! { <h3 class="tier-title">{ title.to_string() }</h3> }
        };
        html! {
            <div class="tier">
                { heading }
                <ul class="parts">{ for parts.iter().map(|p| part_box(p, &props.on_action)) }</ul>
            </div>
        }
    };
    let steps = Step::ALL.iter().map(|&s| {
        let possible = t.with_step(s).is_ok();
        let next = r.next_step == Some(s);
        html! {
            <button class={classes!("step", next.then_some("next"))} data-testid={format!("step-{}", step_key(s))}
                disabled={!possible} title={s.why()} onclick={live(&props.on_action, ResilienceAction::Add { step: s })}>
                { s.label() }
            </button>
        }
    });
    let regions = r.regions.iter().enumerate().map(|(i, reg)| {
        let ri = i as u32;
        let name = reg.name.clone();
        html! {
            <div class={classes!("region", reg.killed.then_some("killed"), (!reg.used).then_some("idle"), reg.spof.then_some("spof"))}
                data-testid={format!("region-{}", region_letter(ri))}>
                <h3>{ format!("Region {}", region_letter(ri)) }
                    if reg.spof {
                        <span class="badge spof-badge">{ "single point of failure" }</span>
                    }
                    if !reg.used {
                        <span class="badge">{ "no one is sent here: clients know one address" }</span>
                    }
                    { " " }
                    if reg.killed {
                        <button data-testid={format!("revive-{name}")} onclick={live(&props.on_action, ResilienceAction::Revive { part: name.clone() })}>{ format!("Revive region {}", region_letter(ri)) }</button>
                    } else {
                        <button data-testid={format!("kill-{name}")} onclick={live(&props.on_action, ResilienceAction::Kill { part: name.clone() })}>{ format!("Kill region {}", region_letter(ri)) }</button>
                    }
                </h3>
                { row("Load balancers", tier(Kind::Lb, Some(ri))) }
                { row("Nodes", tier(Kind::Node, Some(ri))) }
            </div>
        }
    });
    let next = match r.next_step {
        Some(s) => format!("Next of the notes' steps: {}. Why: {}.", s.label().to_lowercase(), s.why()),
        None => "Every one of the notes' steps is taken.".to_string(),
    };
    html! {
        <div class="architecture">
            <p data-testid="spof-summary" class={classes!(if r.spofs.is_empty() { "ok" } else { "warn" })}>{
                if r.spofs.is_empty() {
                    "No single point of failure left.".to_string()
                } else {
                    format!("Single points of failure: {}.", r.spofs.join(", "))
                }
            }</p>
            <div class="steps" role="group" aria-label="The notes' steps">{ for steps }</div>
            <p class="muted" data-testid="next-step">{ next }</p>
            <div class="diagram" data-testid="diagram">
                <div class="tier clients"><h3 class="tier-title">{ "Clients" }</h3></div>
                { row("DNS", tier(Kind::Dns, None)) }
                <div class="regions">{ for regions }</div>
                { row("Databases", tier(Kind::Db, None)) }
                { row("Coordinator", tier(Kind::Coordinator, None)) }
            </div>
        </div>
    }
}

fn step_key(s: Step) -> &'static str {
    match s {
        Step::BackupDb => "backup-db",
        Step::MoreNodes => "more-nodes",
        Step::LoadBalancer => "load-balancer",
        Step::MoreLbs => "more-lbs",
        Step::Dns => "dns",
        Step::Coordinator => "coordinator",
        Step::SecondRegion => "second-region",
    }
}

/// Whether requests are served, and each kill's story.
#[function_component(Down)]
pub fn down(props: &ReportProps) -> Html {
    let r = &props.report;
    if r.killed.is_empty() {
        return html! { <p data-testid="serving" class="ok">{ "Everything is up: every request is served. Kill a part or a region to see what fails, for how long, and what takes over." }</p> };
    }
    html! {
        <>
        <p data-testid="serving" class={classes!(if r.serving { "ok" } else { "bad" })}>{
            if r.serving {
                "Requests are served once the take-overs below are done."
            } else {
                "Every request fails: what is down leaves no way through."
            }
        }</p>
        <ul class="impacts" data-testid="impacts">
            { for r.impacts.iter().map(|i| html! {
                <li data-testid="impact">
                    <strong>{ format!("{} down: ", i.name) }</strong>{ i.story.clone() }
                    { match i.window_s {
                        Some(w) if w > 0 && i.share > 0.0 => format!(" ({:.0}% of requests fail for {w} s.)", 100.0 * i.share),
                        _ => String::new(),
                    } }
                    <span class="muted">{ format!(" It happens {:.2} times a year on average.", i.failures_per_year) }</span>
                </li>
            }) }
        </ul>
        </>
    }
}

/// The algebra beside the simulated years, the independent formula's error, the take-overs' cost.
#[function_component(Availability)]
pub fn availability(props: &ReportProps) -> Html {
    let r = &props.report;
    let years = r.years.as_ref();
    let agreement = match (r.agrees(), years) {
        (Some(true), Some(y)) if y.outages == 0 => format!(
            "No outage in {} simulated years: the algebra expects {} down over all of them, so none is no surprise.",
            count(y.years as u64),
            minutes((1.0 - y.analytic) * y.years * crate::sim::resilience::availability::MINUTES_PER_YEAR)
        ),
        (Some(true), Some(y)) => format!(
            "They agree: the simulation is {:.1} standard errors from the algebra.",
            (y.simulated - y.analytic).abs() / y.simulated_stderr.max(f64::MIN_POSITIVE)
        ),
        (Some(false), _) => "They disagree by more than 4 standard errors.".to_string(),
        _ => String::new(),
    };
    html! {
        <>
        { crate::ui::scroll::scroll("Availability", html! {
            <table class="availability-table" data-testid="availability-table">
                <thead><tr><th></th><th class="num">{ "availability" }</th><th class="num">{ "nines" }</th><th class="num">{ "down a year" }</th></tr></thead>
                <tbody>
                    <tr data-testid="avail-algebra">
                        <th scope="row">{ "By algebra (regions as shared failures)" }</th>
                        <td class="num" data-testid="avail-analytic">{ avail(r.availability) }</td>
                        <td class="num">{ format!("{:.2}", r.nines) }</td>
                        <td class="num" data-testid="downtime">{ minutes(r.downtime_min_per_year) }</td>
                    </tr>
                    if let Some(y) = years {
                        <tr data-testid="avail-years">
                            <th scope="row">{ format!("Simulated: {} years of failures and repairs", count(y.years as u64)) }</th>
                            <td class="num" data-testid="avail-simulated">{ format!("{} ± {}", avail(y.simulated), avail(y.simulated_stderr)) }</td>
                            <td class="num">{ format!("{:.2}", crate::sim::resilience::topology::nines(y.simulated)) }</td>
                            <td class="num">{ minutes(y.downtime_min_per_year) }</td>
                        </tr>
                    }
                    <tr data-testid="avail-independent">
                        <th scope="row">{ "The formula that ignores shared failures" }</th>
                        <td class="num">{ avail(r.independent) }</td>
                        <td class="num">{ format!("{:.2}", crate::sim::resilience::topology::nines(r.independent)) }</td>
                        <td class="num">{ minutes(crate::sim::resilience::topology::downtime_min_per_year(r.independent)) }</td>
                    </tr>
                    <tr data-testid="avail-takeovers">
                        <th scope="row">{ "With the take-overs' windows counted" }</th>
                        <td class="num">{ avail(r.with_takeovers) }</td>
                        <td class="num">{ format!("{:.2}", crate::sim::resilience::topology::nines(r.with_takeovers)) }</td>
                        <td class="num">{ minutes(r.downtime_min_per_year + r.takeover_min_per_year) }</td>
                    </tr>
                </tbody>
            </table>
        }) }
        <p data-testid="agreement">{ agreement }</p>
        <p class="muted">{ format!(
            "The algebra and the simulation take every take-over as instant. Each take-over really fails some requests while it happens: {} a year here, first order (failures a year × window × share of requests).",
            minutes(r.takeover_min_per_year)) }
            if (r.independent - r.availability).abs() > 1e-12 {
                { format!(" Multiplying each part by its region's availability, as if each had its own region, says {} down a year where the shared failures give {}.",
                    minutes(crate::sim::resilience::topology::downtime_min_per_year(r.independent)), minutes(r.downtime_min_per_year)) }
            }
        </p>
        <p class="muted">{ "The structure, in the calculator's grammar: " }<code data-testid="structure-expression">{ r.expression.clone() }</code></p>
        </>
    }
}
