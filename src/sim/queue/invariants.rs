//! The shop's safety properties as plain functions over a snapshot. Each returns `Err` with the first
//! counterexample; `check_all` runs the ones that apply to the snapshot's configuration.

use super::config::{Delivery, Redistribution};
use super::report::{OrderStatus, ShopSnapshot};

/// With a persistent queue and acknowledgement after the work, no accepted order is lost; once the run
/// has finished, every accepted order ended completed or dead-lettered.
pub fn no_accepted_order_lost(snap: &ShopSnapshot) -> Result<(), String> {
    if !snap.persistent || snap.delivery == Delivery::AtMostOnce {
        return Ok(());
    }
    for o in &snap.orders {
        match o.status {
            OrderStatus::Lost => return Err(format!("order {} was accepted and lost", o.order.id)),
            OrderStatus::Held { .. } | OrderStatus::Making if snap.finished => {
                return Err(format!("order {} is still pending after the run finished", o.order.id));
            }
            _ => {}
        }
    }
    Ok(())
}

/// With effectively-once delivery, no order takes effect twice.
pub fn no_double_effect(snap: &ShopSnapshot) -> Result<(), String> {
    if snap.delivery != Delivery::EffectivelyOnce {
        return Ok(());
    }
    match snap.orders.iter().find(|o| o.effects > 1) {
        Some(o) => Err(format!("order {} took effect {} times", o.order.id, o.effects)),
        None => Ok(()),
    }
}

/// With ring redistribution, a shop's death moves only the orders that shop had.
pub fn ring_moves_only_dead_shops_orders(snap: &ShopSnapshot) -> Result<(), String> {
    if snap.redistribution != Redistribution::Ring {
        return Ok(());
    }
    match snap.moves.iter().find(|m| m.from != Some(m.dead) || m.to == Some(m.dead)) {
        Some(m) => Err(format!("order {} moved from {:?} to {:?} when shop {} died", m.order, m.from, m.to, m.dead)),
        None => Ok(()),
    }
}

/// Every invariant that applies; the messages of those that fail.
pub fn check_all(snap: &ShopSnapshot) -> Vec<String> {
    [no_accepted_order_lost, no_double_effect, ring_moves_only_dead_shops_orders]
        .iter()
        .filter_map(|check| check(snap).err())
        .collect()
}
