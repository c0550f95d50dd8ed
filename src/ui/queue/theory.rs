//! The plain M/M/c version of the page's shop: Poisson arrivals at the order rate, exponential service
//! with the mean of the order mix, c = every oven of every shop. A plain simulation of it is measured next
//! to Erlang C, and Little's law L = λW is checked on the measured numbers.

use super::QueueSession;
use crate::sim::queue::{MmcConfig, run_mmc};
use crate::ui::scroll::scroll;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct TheoryProps {
    pub session: QueueSession,
}

/// Orders simulated for the measured column (more than the shop sends, for steadier averages).
const MMC_ORDERS: u64 = 20_000;

/// The M/M/c model of a configuration.
fn model(c: &crate::sim::queue::ShopConfig) -> MmcConfig {
    let servers: u32 = c.shops.iter().map(|s| s.ovens).sum();
    let speed = c.shops.iter().map(|s| f64::from(s.speed_pct)).sum::<f64>() / c.shops.len().max(1) as f64;
    let mean_ms = (f64::from(c.coke_pct) * c.coke_ms as f64 + f64::from(100 - c.coke_pct.min(100)) * c.pizza_ms as f64)
        / 100.0
        * 100.0
        / speed.max(1.0);
    MmcConfig {
        servers,
        arrival_rate_per_s: f64::from(c.order_rate_per_min) / 60.0,
        service_rate_per_s: 1000.0 / mean_ms.max(0.001),
        orders: MMC_ORDERS,
    }
}

/// Theory next to measurement.
#[function_component(TheoryPanel)]
pub fn theory_panel(props: &TheoryProps) -> Html {
    let config = props.session.config().clone();
    let outcome = use_memo(config, |c| {
        let m = model(c);
        Rc::new(m.validate().and_then(|t| run_mmc(props.session.scenario.seed, m).map(|r| (m, t, r))))
    });
    match &**outcome {
        Err(e) => html! {
            <p class="muted" data-testid="theory-unstable">
                { format!("No steady state for this setup: {e}. With more arrivals than the ovens can serve, the queue grows \
                    without bound and only the bounded queue (backpressure) keeps it finite.") }
            </p>
        },
        Ok((m, t, r)) => html! {
            <>
                <p class="explain">{ format!("λ = {:.3}/s, μ = {:.4}/s per oven (mean {:.1} s), c = {} ovens, ρ = {:.1}%.",
                    m.arrival_rate_per_s, m.service_rate_per_s, 1.0 / m.service_rate_per_s, m.servers, t.utilization * 100.0) }</p>
                { scroll("Erlang C against the measured run", html! { <>
                <table class="theory">
                    <thead><tr><td></td><th class="num">{ "Erlang C" }</th><th class="num">{ "Measured" }</th></tr></thead>
                    <tbody>
                        <tr><th scope="row">{ "P(wait)" }</th><td class="num">{ format!("{:.3}", t.erlang_c) }</td><td class="num">{ "—" }</td></tr>
                        <tr><th scope="row">{ "Mean wait Wq" }</th>
                            <td class="num" data-testid="theory-wq">{ format!("{:.2} s", t.mean_wait_s) }</td>
                            <td class="num" data-testid="measured-wq">{ format!("{:.2} s", r.mean_wait_s) }</td></tr>
                        <tr><th scope="row">{ "Mean time in system W" }</th>
                            <td class="num" data-testid="theory-w">{ format!("{:.2} s", t.mean_sojourn_s) }</td>
                            <td class="num" data-testid="measured-w">{ format!("{:.2} s", r.mean_sojourn_s) }</td></tr>
                        <tr><th scope="row">{ "Orders in system L" }</th>
                            <td class="num">{ format!("{:.2}", t.mean_in_system) }</td>
                            <td class="num" data-testid="measured-l">{ format!("{:.2}", r.mean_in_system) }</td></tr>
                        <tr><th scope="row">{ "Little: λ·W" }</th>
                            <td class="num">{ format!("{:.2}", m.arrival_rate_per_s * t.mean_sojourn_s) }</td>
                            <td class="num" data-testid="measured-little">{ format!("{:.2}", r.arrival_rate_measured_per_s * r.mean_sojourn_s) }</td></tr>
                    </tbody>
                </table>
                </> }) }
                <p class="muted explain">{ format!("Measured on a plain M/M/c run of {} orders (first 10% warm-up), same seed. \
                    The shop itself adds priorities, failures and a bounded queue, so its latencies differ.", MMC_ORDERS) }</p>
            </>
        },
    }
}
