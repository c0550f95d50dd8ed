//! Cache affinity through the last change: hit ratio over time of per-server LRU caches.

use crate::sim::hashing::cache::{CacheAffinity, WINDOW};
use crate::ui::chart::{Line, LineChart};
use crate::ui::format::{count, pct};
use std::rc::Rc;
use yew::prelude::*;

/// Modulo in orange, ring in blue, in every chart that compares them.
pub const MODULO_COLOR: (u8, u8, u8) = (242, 142, 43);
pub const RING_COLOR: (u8, u8, u8) = (78, 121, 167);

#[derive(Properties, PartialEq)]
pub struct CacheProps {
    pub cache: Rc<Option<CacheAffinity>>,
}

/// The hit-ratio chart and the numbers right after the change.
#[function_component(CacheAffinityView)]
pub fn cache_affinity_view(props: &CacheProps) -> Html {
    let Some(c) = props.cache.as_ref().as_ref() else {
        return html! { <p class="muted">{ "Make a change (add or remove a server) to see what it does to the caches." }</p> };
    };
    let lines = Rc::new(vec![
        Line { name: "modulo", color: MODULO_COLOR, values: c.modulo.windows.clone() },
        Line { name: "ring", color: RING_COLOR, values: c.ring.windows.clone() },
    ]);
    html! {
        <>
            <p>{ format!("{} keys requested uniformly at random; each server keeps an LRU cache of {} keys (the working set \
                spread over the servers, plus 25%). The change happens at window {}.",
                count(c.working_set as u64), count(c.cache_per_server as u64), c.change_window) }</p>
            <table class="movement">
                <thead><tr><th>{ "Scheme" }</th><th>{ "Hit ratio just before" }</th><th>{ "Just after" }</th><th>{ "Keys that changed server" }</th></tr></thead>
                <tbody>
                    <tr>
                        <th scope="row"><span class="dot modulo"></span>{ "Modulo" }</th>
                        <td class="num">{ pct(100.0 * c.modulo.windows[c.change_window - 1]) }</td>
                        <td class="num big" data-testid="cache-modulo-after">{ pct(100.0 * c.modulo.first_after) }</td>
                        <td class="num">{ pct(100.0 * c.modulo_moved) }</td>
                    </tr>
                    <tr>
                        <th scope="row"><span class="dot ring"></span>{ "Ring" }</th>
                        <td class="num">{ pct(100.0 * c.ring.windows[c.change_window - 1]) }</td>
                        <td class="num big" data-testid="cache-ring-after">{ pct(100.0 * c.ring.first_after) }</td>
                        <td class="num">{ pct(100.0 * c.ring_moved) }</td>
                    </tr>
                </tbody>
            </table>
            <figure>
                <LineChart lines={lines} y_max={1.0} marker={Some(c.change_window)} y_percent={true} testid="cache-chart"
                    label="Cache hit ratio over time for modulo and ring, with the change marked" />
                <figcaption>{ format!("Hit ratio per window of {WINDOW} requests: modulo (orange), ring (blue); the line marks the change") }</figcaption>
            </figure>
        </>
    }
}
