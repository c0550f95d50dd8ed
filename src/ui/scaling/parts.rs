//! The scaling page's cards besides the live balancer: the whole run beside theory, every policy
//! compared on the same requests (computed in slices), one big machine against many, the setup form.

use super::number;
use super::{Done, ScalingSession};
use crate::sim::scaling::lab::{CompareRun, SIZING_REQUESTS, limits, predicted, sizing_runs, sizing_table};
use crate::sim::scaling::lb::limits as lb_limits;
use crate::sim::scaling::theory::Predicted;
use crate::sim::scaling::{LbReport, Policy, ScalingConfig};
use crate::ui::app::AppAction;
use crate::ui::chart::BarChart;
use crate::ui::form::{Check, Field, checked, selected, use_checked};
use crate::ui::format::count;
use crate::ui::sliced::{RunJob, use_sliced};
use std::rc::Rc;
use yew::prelude::*;

pub(super) fn s(v: f64) -> String {
    if v >= 100.0 {
        format!("{:.0} s", v)
    } else if v >= 10.0 {
        format!("{v:.1} s")
    } else {
        format!("{v:.2} s")
    }
}

fn opt(v: Option<f64>) -> String {
    v.map_or_else(|| "–".to_string(), s)
}

fn gap(measured: f64, theory: Option<&Predicted>) -> String {
    theory.map_or_else(|| "–".to_string(), |t| format!("{:+.1}%", 100.0 * (measured / t.mean_sojourn_s - 1.0)))
}

fn model(p: Policy) -> &'static str {
    match p {
        Policy::Random | Policy::PowerOfD { d: 1 } => "M/M/1 per server",
        Policy::RoundRobin | Policy::WeightedRoundRobin => "E_N/M/1 per server",
        Policy::Jsq | Policy::LeastConnections | Policy::WeightedLeastConnections | Policy::LeastResponseTime => {
            "M/M/c shared queue (a bound)"
        }
        Policy::PowerOfD { .. } => "supermarket limit",
        Policy::SourceHash | Policy::ConsistentHash => "–",
    }
}

#[derive(Properties, PartialEq)]
pub struct WholeRunProps {
    pub outcome: Done,
}

/// The run's latency figures beside the policy's theory; each server's share and utilization.
#[function_component(WholeRun)]
pub fn whole_run(props: &WholeRunProps) -> Html {
    let Some(o) = &props.outcome else { return html! {} };
    let r = &o.report.run;
    let t = o.report.theory;
    let detection = if r.detection_s.is_empty() {
        String::new()
    } else {
        format!(
            " The health checks noticed each death after {}.",
            r.detection_s.iter().map(|d| format!("{d:.1} s")).collect::<Vec<_>>().join(", ")
        )
    };
    html! {
        <>
        <table class="scaling-run" data-testid="scaling-run">
            <caption>{ format!("{} requests ({} of warm-up left out), policy {}", count(r.requests), count(r.warmup_requests), r.policy) }</caption>
            <thead><tr><th></th><th class="num">{ "mean" }</th><th class="num">{ "p50" }</th><th class="num">{ "p99" }</th><th class="num">{ "max" }</th></tr></thead>
            <tbody>
                <tr><th scope="row">{ "measured" }</th><td class="num" data-testid="run-mean">{ s(r.mean_sojourn_s) }</td>
                    <td class="num" data-testid="run-p50">{ s(r.p50_sojourn_s) }</td><td class="num" data-testid="run-p99">{ s(r.p99_sojourn_s) }</td>
                    <td class="num">{ s(r.max_sojourn_s) }</td></tr>
                <tr><th scope="row">{ "theory" }</th><td class="num" data-testid="theory-mean">{ opt(t.map(|t| t.mean_sojourn_s)) }</td>
                    <td class="num">{ opt(t.and_then(|t| t.p50_sojourn_s)) }</td><td class="num" data-testid="theory-p99">{ opt(t.and_then(|t| t.p99_sojourn_s)) }</td>
                    <td class="num">{ "–" }</td></tr>
            </tbody>
        </table>
        <p data-testid="run-failures">{ format!(
            "{} served, {} lost, {} sent again; {} refused by a dead server; at most {} requests at one server.{detection}",
            count(r.served), count(r.lost), count(r.retried), count(r.sent_to_dead), r.max_queue) }</p>
        if !r.clients_per_server.is_empty() {
            <p data-testid="run-sessions">{ format!(
                "Sticky sessions: clients per server at the end {}; {} sessions moved to another server (lost, if kept in that server's memory).",
                r.clients_per_server.iter().map(|&k| count(k)).collect::<Vec<_>>().join(", "), count(r.sessions_moved)) }</p>
        }
        <p class="muted">{ format!("Requests per server: {}. Utilization: {}.",
            r.per_server.iter().map(|&k| count(k)).collect::<Vec<_>>().join(", "),
            r.utilization.iter().map(|u| format!("{:.0}%", 100.0 * u)).collect::<Vec<_>>().join(", ")) }</p>
        </>
    }
}

#[derive(Properties, PartialEq)]
pub struct SessionProps {
    pub session: ScalingSession,
}

/// Every compared policy's run on the same requests, in slices, with theory beside each.
#[function_component(Compare)]
pub fn compare(props: &SessionProps) -> Html {
    let config = props.session.config().clone();
    let key = Rc::new((props.session.seed(), config.clone()));
    let progress = use_sliced::<(u64, ScalingConfig), RunJob<CompareRun>>(key, |(seed, c)| {
        Some(RunJob(CompareRun::new(c, *seed)))
    });
    let body = match progress.done().as_deref() {
        None => {
            html! { <p class="progress" role="status" data-testid="compare-progress"><progress aria-label="Running every policy" />
            { format!(" Running every policy on the same requests: {} events…", count(progress.events())) }</p> }
        }
        Some(Err(e)) => {
            html! { <p class="form-error" role="alert" data-testid="compare-error">{ crate::ui::form::sentence(e) }</p> }
        }
        Some(Ok(reports)) => compare_table(&config, reports),
    };
    html! {
        <div class="compare" data-testid="compare">
            <p class="muted">{ "Measured after a 10% warm-up; theory for identical one-core servers under Poisson arrivals and exponential service." }</p>
            { body }
        </div>
    }
}

fn compare_table(c: &ScalingConfig, reports: &[LbReport]) -> Html {
    let rows = c.compare.iter().zip(reports).map(|(&p, r)| {
        let t = predicted(c, p);
        html! {
            <tr data-testid="compare-row" data-policy={p.name()}>
                <th scope="row">{ p.name() }</th>
                <td class="num" data-testid="compare-mean">{ s(r.mean_sojourn_s) }</td>
                <td class="num">{ s(r.p50_sojourn_s) }</td>
                <td class="num" data-testid="compare-p99">{ s(r.p99_sojourn_s) }</td>
                <td class="num">{ r.max_queue }</td>
                <td>{ model(p) }</td>
                <td class="num" data-testid="compare-theory-mean">{ opt(t.map(|t| t.mean_sojourn_s)) }</td>
                <td class="num">{ opt(t.and_then(|t| t.p99_sojourn_s)) }</td>
                <td class="num" data-testid="compare-gap">{ gap(r.mean_sojourn_s, t.as_ref()) }</td>
            </tr>
        }
    });
    // Each policy's measured mean beside its theory's (none drawn where theory has none).
    let groups: Rc<Vec<(String, usize, Vec<f64>)>> = Rc::new(
        c.compare
            .iter()
            .zip(reports)
            .enumerate()
            .map(|(i, (&p, r))| {
                (p.name(), i, vec![r.mean_sojourn_s, predicted(c, p).map_or(0.0, |t| t.mean_sojourn_s)])
            })
            .collect(),
    );
    let label = format!(
        "Mean time in system per policy, measured beside theory: {}",
        c.compare
            .iter()
            .zip(reports)
            .map(|(&p, r)| format!(
                "{} {} (theory {})",
                p.name(),
                s(r.mean_sojourn_s),
                opt(predicted(c, p).map(|t| t.mean_sojourn_s))
            ))
            .collect::<Vec<_>>()
            .join("; ")
    );
    let table = crate::ui::scroll::scroll(
        "Every policy beside theory",
        html! {
            <table class="compare-table" data-testid="compare-table">
                <thead><tr><th>{ "policy" }</th><th class="num">{ "mean" }</th><th class="num">{ "p50" }</th><th class="num">{ "p99" }</th>
                    <th class="num">{ "most at one server" }</th><th>{ "theory" }</th><th class="num">{ "mean" }</th><th class="num">{ "p99" }</th>
                    <th class="num">{ "measured vs theory" }</th></tr></thead>
                <tbody>{ for rows }</tbody>
            </table>
        },
    );
    html! {
        <>
        <BarChart {groups} series={vec!["measured", "theory"]} reference={None::<(f64, String)>} testid="compare-chart" {label} />
        <p class="muted chart-key">{ "Mean time in system, seconds: each policy's measured bar, then its theory's, lighter." }</p>
        { table }
        </>
    }
}

/// The big machine against the small ones at rising loads, from theory: latency, cost, one down.
#[function_component(SizingTable)]
pub fn sizing(props: &SessionProps) -> Html {
    let c = props.session.config();
    let z = c.sizing;
    let rows = sizing_table(c);
    let p99 = |p: &Option<Predicted>| p.and_then(|t| t.p99_sojourn_s).map_or_else(|| "overloaded".to_string(), s);
    // The same points simulated, in slices: each p99 measured, in the table's order (big, small per load).
    let key = Rc::new((props.session.seed(), c.clone()));
    let progress = use_sliced::<(u64, ScalingConfig), RunJob<CompareRun>>(key, |(seed, c)| {
        Some(RunJob(CompareRun::of(sizing_runs(c).into_iter().flatten(), *seed)))
    });
    let failed = match progress.done().as_deref() {
        Some(Err(e)) => Some(e.clone()),
        _ => None,
    };
    let simulated: Vec<Option<f64>> = match progress.done().as_deref() {
        Some(Ok(reports)) => {
            let mut measured = reports.iter();
            sizing_runs(c).iter().map(|r| r.as_ref().and_then(|_| measured.next().map(|m| m.p99_sojourn_s))).collect()
        }
        _ => Vec::new(),
    };
    let sim = |k: usize| match simulated.get(k) {
        Some(Some(v)) => s(*v),
        Some(None) => "overloaded".to_string(),
        None => "…".to_string(),
    };
    html! {
        <div class="sizing" data-testid="sizing">
            <p>{ format!(
                "One machine of {} cores at ${:.2} an hour (the largest on offer has {}), or {} machines of {} cores at ${:.2} each (${:.2} in all) behind a balancer sending at random.",
                z.big_cores, f64::from(z.big_cents_per_hour) / 100.0, z.ceiling_cores, z.small_machines, z.small_cores,
                f64::from(z.small_cents_per_hour) / 100.0, f64::from(z.small_cents_per_hour * z.small_machines) / 100.0) }</p>
            { crate::ui::scroll::scroll("One big machine or many", html! {
                <table class="sizing-table" data-testid="sizing-table">
                    <thead><tr><th class="num">{ "load" }</th><th class="num">{ "per second" }</th><th class="num">{ "big: p99" }</th>
                        <th class="num">{ "simulated" }</th><th class="num">{ "small: p99" }</th><th class="num">{ "simulated" }</th>
                        <th class="num">{ "big: $ per million" }</th><th class="num">{ "small: $ per million" }</th>
                        <th class="num">{ "one small down: p99" }</th><th class="num">{ "big down" }</th></tr></thead>
                    <tbody>{ for rows.iter().enumerate().map(|(k, r)| html! {
                        <tr data-testid="sizing-row"><td class="num">{ format!("{:.0}%", 100.0 * r.load) }</td><td class="num">{ format!("{:.1}", r.arrival_per_s) }</td>
                            <td class="num" data-testid="sizing-big-theory">{ p99(&r.big) }</td><td class="num" data-testid="sizing-big-sim">{ sim(2 * k) }</td>
                            <td class="num" data-testid="sizing-small-theory">{ p99(&r.small) }</td><td class="num" data-testid="sizing-small-sim">{ sim(2 * k + 1) }</td>
                            <td class="num">{ format!("{:.2}", r.big_cost_per_million) }</td><td class="num">{ format!("{:.2}", r.small_cost_per_million) }</td>
                            <td class="num">{ p99(&r.small_one_down) }</td><td class="num">{ "every request fails" }</td></tr>
                    }) }</tbody>
                </table>
            }) }
            if let Some(e) = failed {
                <p class="form-error" role="alert">{ crate::ui::form::sentence(&e) }</p>
            } else if simulated.is_empty() {
                <p class="progress" role="status" data-testid="sizing-progress"><progress aria-label="Simulating the sizing points" />
                    { format!(" Simulating each point ({} requests each): {} events…", count(SIZING_REQUESTS), count(progress.events())) }</p>
            }
            <p class="muted">{ "Theory: M/M/c for the big machine, M/M/k at an equal share for each small one (random balancing); simulated beside it. One shared queue serves a little faster than many (a request never waits behind a busy machine while another is idle); past its ceiling no bigger machine exists, and it is a single point of failure. Many machines lose a share of capacity when one dies: fine below (N - 1) / N of the load, overloaded above." }</p>
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct SetupProps {
    pub session: ScalingSession,
    pub on_action: Callback<AppAction>,
}

const POLICIES: [Policy; 10] = [
    Policy::Random,
    Policy::RoundRobin,
    Policy::WeightedRoundRobin,
    Policy::LeastConnections,
    Policy::WeightedLeastConnections,
    Policy::PowerOfD { d: 2 },
    Policy::Jsq,
    Policy::LeastResponseTime,
    Policy::SourceHash,
    Policy::ConsistentHash,
];

/// Servers, load, requests, policy, retries and health checks.
#[function_component(Setup)]
pub fn setup(props: &SetupProps) -> Html {
    let config = props.session.config();
    let marks = use_checked(props.session.clone());
    let refs: [NodeRef; 8] = std::array::from_fn(|_| NodeRef::default());
    let on_submit = super::setup_submit(&props.session, &props.on_action, &marks, &refs, |refs, m, c| {
        let servers = number(refs, m, 0, "lb-servers", "Servers", 1, limits::SERVERS_MAX as u64);
        let most = (lb_limits::RATE_MAX_PER_S * 1000.0) as u64;
        let arrival = number(refs, m, 1, "lb-arrival", "The arrival rate (thousandths a second)", 1, most);
        let requests = number(refs, m, 2, "lb-requests", "Requests", 1, limits::REQUESTS_MAX);
        let retries = number(refs, m, 3, "lb-retries", "Retries", 0, u64::from(lb_limits::RETRIES_MAX));
        let interval = number(refs, m, 4, "lb-health", "The health checks' interval (ms)", 0, 3_600_000);
        let policy = POLICIES.iter().copied().find(|p| p.name() == selected(&refs[5]));
        let (Some(n), Some(a), Some(r), Some(k), Some(h), Some(p)) =
            (servers, arrival, requests, retries, interval, policy)
        else {
            return None;
        };
        let last = c.servers.last().copied().unwrap_or_default();
        c.servers.resize(n as usize, last);
        c.arrival_milli_per_s = a as u32;
        c.requests = r;
        c.retries = k as u32;
        c.health.interval_ms = h as u32;
        c.policy = p;
        c.sticky = checked(&refs[7]);
        Some(())
    });
    let src = |v: u64| AttrValue::from(v.to_string());
    html! {
        <form class="ps-form scaling-setup" onsubmit={on_submit} novalidate=true data-testid="scaling-setup">
            <div class="form-grid">
                <Field label="Servers" node={refs[0].clone()} testid="lb-servers" source={src(config.servers.len() as u64)} error={marks.error("lb-servers")} />
                <Field label="Arrivals (thousandths a second)" node={refs[1].clone()} testid="lb-arrival" source={src(u64::from(config.arrival_milli_per_s))} error={marks.error("lb-arrival")} />
                <Field label="Requests" node={refs[2].clone()} testid="lb-requests" source={src(config.requests)} error={marks.error("lb-requests")} />
                <Field label="Retries of a failed request" node={refs[3].clone()} testid="lb-retries" source={src(u64::from(config.retries))} error={marks.error("lb-retries")} />
                <Field label="Health checks every (ms, 0: none)" node={refs[4].clone()} testid="lb-health" source={src(u64::from(config.health.interval_ms))} error={marks.error("lb-health")} />
                <label>{ "Policy" }
                    <select ref={refs[5].clone()} data-testid="lb-policy">
                        { for POLICIES.iter().map(|p| html! { <option value={p.name()} selected={*p == config.policy}>{ p.name() }</option> }) }
                    </select>
                </label>
            </div>
            <Check label="Sticky sessions: a client's requests go to the server of its first" node={refs[7].clone()} testid="lb-sticky" source={config.sticky} />
            if let Some(e) = marks.whole_error() {
                <p class="form-error" role="alert" data-testid="scaling-setup-error">{ e }</p>
            }
            <button type="submit" data-testid="scaling-apply">{ "Apply" }</button>
        </form>
    }
}
