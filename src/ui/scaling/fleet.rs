//! The autoscaling card: the fleet over the run (servers in service, booting, wanted; requests at the
//! servers), the autoscaled fleet against fixed ones on the same requests (latency against cost, in
//! slices), and the autoscaler's settings.

use super::number;
use super::{Done, ScalingSession};
use crate::scenario::Edit;
use crate::sim::scaling::lab::{AutoscaleMs, CompareRun, LoadStepMs, cost_dollars, fleets, limits};
use crate::sim::scaling::{LbReport, Scaling, ScalingConfig};
use crate::ui::app::AppAction;
use crate::ui::chart::{Line, LineChart};
use crate::ui::form::{Field, use_checked};
use crate::ui::format::count;
use crate::ui::sliced::{RunJob, use_sliced};
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct FleetProps {
    pub session: ScalingSession,
    pub outcome: Done,
    pub on_action: Callback<AppAction>,
}

/// An autoscaler and a spike for a setup without them: three times the rate over the middle third of
/// the requests' time, 1 to 64 servers.
fn with_spike(c: &ScalingConfig) -> ScalingConfig {
    let rate = u64::from(c.arrival_milli_per_s);
    let span_ms = c.requests * 1_000_000 / rate.max(1);
    ScalingConfig {
        load_steps: vec![
            LoadStepMs { at_ms: span_ms / 3, arrival_milli_per_s: c.arrival_milli_per_s.saturating_mul(3) },
            LoadStepMs { at_ms: span_ms * 2 / 3, arrival_milli_per_s: c.arrival_milli_per_s },
        ],
        autoscale: Some(AutoscaleMs { max_servers: limits::SERVERS_MAX as u32, ..AutoscaleMs::default() }),
        ..c.clone()
    }
}

/// The card.
#[function_component(Fleet)]
pub fn fleet(props: &FleetProps) -> Html {
    let config = props.session.config();
    let edit = |c: ScalingConfig| {
        let (on, seed) = (props.on_action.clone(), props.session.seed());
        Callback::from(move |_| on.emit(AppAction::edit::<Scaling>(Edit::Setup { seed, config: c.clone() })))
    };
    let Some(a) = config.autoscale else {
        let spiked = with_spike(config);
        let problem = spiked.validate().err();
        return html! {
            <div class="fleet" data-testid="fleet">
                <p>{ "This setup has a fixed fleet. An autoscaler starts servers when they are busier than its target and stops them when they are idle; it needs traffic that changes." }</p>
                if let Some(e) = problem {
                    <p class="muted" data-testid="fleet-cannot">{ format!("No spike can be added to this setup: {}", crate::ui::form::sentence(&e)) }</p>
                } else {
                    <button data-testid="add-autoscaler" onclick={edit(spiked)}>{ "Add an autoscaler and a spike (3× for the middle third)" }</button>
                }
            </div>
        };
    };
    let fixed = ScalingConfig { autoscale: None, load_steps: Vec::new(), ..config.clone() };
    let steps = config
        .load_steps
        .iter()
        .map(|s| {
            format!("{} a second from {:.0} s", f64::from(s.arrival_milli_per_s) / 1000.0, s.at_ms as f64 / 1000.0)
        })
        .collect::<Vec<_>>()
        .join(", ");
    html! {
        <div class="fleet" data-testid="fleet">
            <p data-testid="fleet-rule">{ format!(
                "Every {} s it wants ceil(servers × utilisation / {}%) servers (no change within {}%), {} to {}; a server boots in {} s; it scales in only to the most it wanted over the last {} s. Traffic: {} a second, then {}. A server costs ${:.2} an hour.",
                f64::from(a.interval_ms) / 1000.0, a.target_util_pct, a.tolerance_pct, a.min_servers, a.max_servers,
                f64::from(a.boot_ms) / 1000.0, f64::from(a.scale_in_window_ms) / 1000.0,
                f64::from(config.arrival_milli_per_s) / 1000.0, if steps.is_empty() { "no change".to_string() } else { steps },
                f64::from(a.cents_per_server_hour) / 100.0) }</p>
            <Timeline outcome={props.outcome.clone()} />
            <Fleets session={props.session.clone()} />
            <AutoscaleForm session={props.session.clone()} on_action={props.on_action.clone()} />
            <button data-testid="remove-autoscaler" onclick={edit(fixed)}>{ "Remove the autoscaler and the load steps" }</button>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct TimelineProps {
    outcome: Done,
}

/// The fleet and the requests at it over the run, at each decision.
#[function_component(Timeline)]
fn timeline(props: &TimelineProps) -> Html {
    let Some(o) = &props.outcome else {
        return html! { <p class="muted">{ "The fleet over time shows once the run is computed." }</p> };
    };
    let samples = &o.report.run.scale;
    if samples.is_empty() {
        return html! {};
    }
    let step = if samples.len() > 1 { samples[1].t_s - samples[0].t_s } else { 1.0 };
    let servers = Rc::new(vec![
        Line {
            name: "in service",
            color: (37, 99, 235),
            values: samples.iter().map(|s| f64::from(s.in_service)).collect(),
        },
        Line { name: "booting", color: (217, 119, 6), values: samples.iter().map(|s| f64::from(s.booting)).collect() },
        Line { name: "wanted", color: (107, 114, 128), values: samples.iter().map(|s| f64::from(s.desired)).collect() },
    ]);
    let top = samples.iter().map(|s| s.in_service.max(s.booting).max(s.desired)).max().unwrap_or(1);
    let queue = Rc::new(vec![Line {
        name: "requests at the servers",
        color: (220, 38, 38),
        values: samples.iter().map(|s| s.requests_at_servers as f64).collect(),
    }]);
    let most = samples.iter().map(|s| s.requests_at_servers).max().unwrap_or(0);
    let peak_fleet = samples.iter().map(|s| s.in_service + s.booting + s.draining).max().unwrap_or(0);
    let r = &o.report.run;
    html! {
        <>
        <LineChart lines={servers} y_max={f64::from(top) * 1.1 + 1.0} marker={None} y_percent={false} x_step={step}
            testid="fleet-servers-chart" label={format!("Servers over time: at most {peak_fleet} powered")} />
        <LineChart lines={queue} y_max={most as f64 * 1.1 + 1.0} marker={None} y_percent={false} x_step={step}
            testid="fleet-queue-chart" label={format!("Requests at the servers over time: at most {}", count(most))} />
        <p data-testid="fleet-summary">{ format!(
            "At most {} servers powered and {} requests at the servers (queued or in service); {:.1} server-hours in all.",
            peak_fleet, count(most), r.server_seconds / 3600.0) }</p>
        </>
    }
}

#[derive(Properties, PartialEq)]
struct SessionProps {
    session: ScalingSession,
}

/// The autoscaled fleet against fixed ones on the same requests, computed in slices.
#[function_component(Fleets)]
fn fleets_table(props: &SessionProps) -> Html {
    let config = props.session.config().clone();
    let key = Rc::new((props.session.seed(), config.clone()));
    let progress = use_sliced::<(u64, ScalingConfig), RunJob<CompareRun>>(key, |(seed, c)| {
        Some(RunJob(CompareRun::of(fleets(c).into_iter().map(|(_, c)| c), *seed)))
    });
    let cents = config.autoscale.map_or(0, |a| a.cents_per_server_hour);
    match progress.done().as_deref() {
        None => {
            html! { <p class="progress" role="status" data-testid="fleets-progress"><progress aria-label="Running each fleet" />
            { format!(" Running each fleet on the same requests: {} events…", count(progress.events())) }</p> }
        }
        Some(Err(e)) => {
            html! { <p class="form-error" role="alert" data-testid="fleets-error">{ crate::ui::form::sentence(e) }</p> }
        }
        Some(Ok(reports)) => {
            let labels = fleets(&config).into_iter().map(|(l, _)| l);
            let rows = labels.zip(reports.iter()).map(|(label, r): (String, &LbReport)| html! {
                <tr data-testid="fleet-row">
                    <th scope="row">{ label }</th>
                    <td class="num">{ super::parts::s(r.mean_sojourn_s) }</td>
                    <td class="num">{ super::parts::s(r.p50_sojourn_s) }</td>
                    <td class="num" data-testid="fleet-p99">{ super::parts::s(r.p99_sojourn_s) }</td>
                    <td class="num">{ count(u64::from(r.max_queue)) }</td>
                    <td class="num">{ format!("{:.1}", r.server_seconds / 3600.0) }</td>
                    <td class="num" data-testid="fleet-cost">{ format!("${:.2}", cost_dollars(r.server_seconds, cents)) }</td>
                </tr>
            });
            crate::ui::scroll::scroll(
                "Each fleet on the same requests",
                html! {
                    <table class="fleets-table" data-testid="fleets-table">
                        <caption>{ "The same requests on each fleet: latency against cost" }</caption>
                        <thead><tr><th>{ "fleet" }</th><th class="num">{ "mean" }</th><th class="num">{ "p50" }</th><th class="num">{ "p99" }</th>
                            <th class="num">{ "most at one server" }</th><th class="num">{ "server-hours" }</th><th class="num">{ "cost" }</th></tr></thead>
                        <tbody>{ for rows }</tbody>
                    </table>
                },
            )
        }
    }
}

#[derive(Properties, PartialEq)]
struct FormProps {
    session: ScalingSession,
    on_action: Callback<AppAction>,
}

/// The autoscaler's settings.
#[function_component(AutoscaleForm)]
fn autoscale_form(props: &FormProps) -> Html {
    let config = props.session.config();
    let a = config.autoscale.unwrap_or_default();
    let marks = use_checked(props.session.clone());
    let refs: [NodeRef; 7] = std::array::from_fn(|_| NodeRef::default());
    let on_submit = super::setup_submit(&props.session, &props.on_action, &marks, &refs, |refs, m, c| {
        let max = limits::SERVERS_MAX as u64;
        let vals = [
            number(refs, m, 0, "as-target", "The target utilisation (%)", 5, 100),
            number(refs, m, 1, "as-interval", "The interval between decisions (ms)", 1_000, 3_600_000),
            number(refs, m, 2, "as-boot", "A server's boot (ms)", 0, 3_600_000),
            number(refs, m, 3, "as-min", "The least servers", 1, max),
            number(refs, m, 4, "as-max", "The most servers", 1, max),
            number(refs, m, 5, "as-window", "The scale-in window (ms)", 0, 3_600_000),
            number(refs, m, 6, "as-price", "A server's price (cents an hour)", 0, 1_000_000),
        ];
        let [Some(t), Some(i), Some(b), Some(lo), Some(hi), Some(w), Some(p)] = vals else { return None };
        c.autoscale = Some(AutoscaleMs {
            target_util_pct: t as u32,
            interval_ms: i as u32,
            boot_ms: b as u32,
            min_servers: lo as u32,
            max_servers: hi as u32,
            scale_in_window_ms: w as u32,
            cents_per_server_hour: p as u32,
            ..c.autoscale.unwrap_or_default()
        });
        Some(())
    });
    let src = |v: u32| AttrValue::from(v.to_string());
    html! {
        <form class="ps-form autoscale-setup" onsubmit={on_submit} novalidate=true data-testid="autoscale-setup">
            <div class="form-grid">
                <Field label="Target utilisation (%)" node={refs[0].clone()} testid="as-target" source={src(a.target_util_pct)} error={marks.error("as-target")} />
                <Field label="Decides every (ms)" node={refs[1].clone()} testid="as-interval" source={src(a.interval_ms)} error={marks.error("as-interval")} />
                <Field label="A server boots in (ms)" node={refs[2].clone()} testid="as-boot" source={src(a.boot_ms)} error={marks.error("as-boot")} />
                <Field label="Least servers" node={refs[3].clone()} testid="as-min" source={src(a.min_servers)} error={marks.error("as-min")} />
                <Field label="Most servers" node={refs[4].clone()} testid="as-max" source={src(a.max_servers)} error={marks.error("as-max")} />
                <Field label="Scale-in window (ms)" node={refs[5].clone()} testid="as-window" source={src(a.scale_in_window_ms)} error={marks.error("as-window")} />
                <Field label="A server's price (cents an hour)" node={refs[6].clone()} testid="as-price" source={src(a.cents_per_server_hour)} error={marks.error("as-price")} />
            </div>
            if let Some(e) = marks.whole_error() {
                <p class="form-error" role="alert" data-testid="autoscale-setup-error">{ e }</p>
            }
            <button type="submit" data-testid="autoscale-apply">{ "Apply" }</button>
        </form>
    }
}
