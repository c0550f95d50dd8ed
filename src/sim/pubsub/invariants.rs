//! The publish/subscribe lab's safety properties as plain functions over a snapshot. Each returns `Err`
//! with the first counterexample; `check_all` runs them all.

use super::report::PubSubSnapshot;
use super::sim::Fate;

/// A subscription matched exactly the accepted events published while it was subscribed whose topic
/// its pattern matches: it gets every one of them, and nothing else.
pub fn matched_exactly_the_matching_events(snap: &PubSubSnapshot) -> Result<(), String> {
    for (i, s) in snap.subscriptions.iter().enumerate() {
        let until = s.until_event.unwrap_or(snap.events.len() as u64);
        let want: Vec<u64> = snap.events[s.from_event as usize..until as usize]
            .iter()
            .filter(|e| e.accepted && s.pattern.matches(&e.topic))
            .map(|e| e.id)
            .collect();
        let got: Vec<u64> = s.fates.iter().map(|f| f.0).collect();
        if got != want {
            let extra = got.iter().find(|e| !want.contains(e));
            let missing = want.iter().find(|e| !got.contains(e));
            return Err(format!(
                "subscription {i} ({} {}) matched {got:?} instead of {want:?} (extra {extra:?}, missing {missing:?})",
                s.service,
                s.pattern.describe()
            ));
        }
    }
    Ok(())
}

/// A durable subscription handles events in publish order.
pub fn durable_in_publish_order(snap: &PubSubSnapshot) -> Result<(), String> {
    for (i, s) in snap.subscriptions.iter().enumerate().filter(|(_, s)| s.durable) {
        if let Some(w) = s.handled_order.windows(2).find(|w| w[0] >= w[1]) {
            return Err(format!("subscription {i} handled event {} after event {}", w[1], w[0]));
        }
    }
    Ok(())
}

/// With a persistent broker, a durable subscription loses nothing and misses nothing.
pub fn durable_loses_nothing_with_a_persistent_broker(snap: &PubSubSnapshot) -> Result<(), String> {
    for (i, s) in snap.subscriptions.iter().enumerate().filter(|(_, s)| s.durable) {
        let bad = s.fates.iter().find(|f| f.1 == Fate::Missed || (snap.persistent && f.1 == Fate::Lost));
        if let Some((e, fate, _)) = bad {
            return Err(format!("durable subscription {i} ended event {e} as {fate:?}"));
        }
    }
    Ok(())
}

/// An ephemeral subscription's matched events are delivered or missed: delivered + missed == matched.
pub fn ephemeral_delivered_or_missed(snap: &PubSubSnapshot) -> Result<(), String> {
    for (i, s) in snap.subscriptions.iter().enumerate().filter(|(_, s)| !s.durable) {
        let missed = s.fates.iter().filter(|f| f.1 == Fate::Missed).count() as u64;
        if s.delivered + missed != s.fates.len() as u64 {
            return Err(format!(
                "ephemeral subscription {i}: delivered {} + missed {missed} != matched {}",
                s.delivered,
                s.fates.len()
            ));
        }
    }
    Ok(())
}

/// The books balance: every handling needed a delivery; an event is `Handled` exactly when it was
/// handled at least once; a pending event sits in its queue or is being handled, and everything queued
/// is pending or awaiting redelivery after a lost ack.
pub fn accounting_adds_up(snap: &PubSubSnapshot) -> Result<(), String> {
    for (i, s) in snap.subscriptions.iter().enumerate() {
        let effects: u64 = s.fates.iter().map(|f| u64::from(f.2)).sum();
        if effects > s.delivered {
            return Err(format!("subscription {i} handled {effects} times with {} deliveries", s.delivered));
        }
        for &(e, fate, times) in &s.fates {
            if (fate == Fate::Handled) != (times > 0) {
                return Err(format!("subscription {i}: event {e} is {fate:?} after {times} handlings"));
            }
            let held = s.queue.contains(&e) || s.in_flight == Some(e);
            if fate == Fate::Pending && !held {
                return Err(format!("subscription {i}: event {e} is pending but held nowhere"));
            }
        }
        for e in &s.queue {
            if !s.fates.iter().any(|f| f.0 == *e && matches!(f.1, Fate::Pending | Fate::Handled)) {
                return Err(format!("subscription {i}: queued event {e} is neither pending nor handled"));
            }
        }
        if !s.active && (!s.queue.is_empty() || s.in_flight.is_some()) {
            return Err(format!("subscription {i} was dropped but still holds events"));
        }
    }
    Ok(())
}

/// Every invariant's failure message.
pub fn check_all(snap: &PubSubSnapshot) -> Vec<String> {
    [
        matched_exactly_the_matching_events,
        durable_in_publish_order,
        durable_loses_nothing_with_a_persistent_broker,
        ephemeral_delivered_or_missed,
        accounting_adds_up,
    ]
    .iter()
    .filter_map(|check| check(snap).err())
    .collect()
}
