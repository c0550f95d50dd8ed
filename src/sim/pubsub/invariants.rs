//! The publish/subscribe lab's safety properties as plain functions over a snapshot. Each returns `Err`
//! with the first counterexample; `check_all` runs them all.

use super::report::PubSubSnapshot;
use super::sim::Fate;

/// A queue received exactly the accepted events whose topic matched one of its bindings while that
/// binding was in place: every one of them, once, and nothing else (an event matching two bindings of
/// one queue is one entry).
pub fn matched_exactly_the_matching_events(snap: &PubSubSnapshot) -> Result<(), String> {
    for (i, q) in snap.queues.iter().enumerate() {
        let want: Vec<u64> = snap
            .events
            .iter()
            .filter(|e| {
                e.accepted
                    && q.bindings.iter().any(|b| {
                        b.from_event <= e.id && b.until_event.is_none_or(|u| e.id < u) && b.pattern.matches(&e.topic)
                    })
            })
            .map(|e| e.id)
            .collect();
        let got: Vec<u64> = q.fates.iter().map(|f| f.0).collect();
        if got != want {
            let extra = got.iter().find(|e| !want.contains(e));
            let missing = want.iter().find(|e| !got.contains(e));
            return Err(format!(
                "queue {i} ({}) matched {got:?} instead of {want:?} (extra {extra:?}, missing {missing:?})",
                q.describe()
            ));
        }
    }
    Ok(())
}

/// A service has at most one live queue of each kind, and a live queue has a binding in place (a deleted
/// one has none).
pub fn one_queue_per_service_and_kind(snap: &PubSubSnapshot) -> Result<(), String> {
    for (i, q) in snap.queues.iter().enumerate() {
        if q.active != q.bindings.iter().any(|b| b.active) {
            return Err(format!(
                "queue {i} ({}) is active = {} with bindings {:?}",
                q.describe(),
                q.active,
                q.bindings
            ));
        }
        if q.active
            && let Some(j) =
                snap.queues[..i].iter().position(|o| o.active && o.service == q.service && o.durable == q.durable)
        {
            return Err(format!("queues {j} and {i} are both live {}", q.describe()));
        }
    }
    Ok(())
}

/// A durable queue handles events in publish order.
pub fn durable_in_publish_order(snap: &PubSubSnapshot) -> Result<(), String> {
    for (i, s) in snap.queues.iter().enumerate().filter(|(_, s)| s.durable) {
        if let Some(w) = s.handled_order.windows(2).find(|w| w[0] >= w[1]) {
            return Err(format!("queue {i} handled event {} after event {}", w[1], w[0]));
        }
    }
    Ok(())
}

/// With a persistent broker, a durable queue loses nothing and misses nothing.
pub fn durable_loses_nothing_with_a_persistent_broker(snap: &PubSubSnapshot) -> Result<(), String> {
    for (i, s) in snap.queues.iter().enumerate().filter(|(_, s)| s.durable) {
        let bad = s.fates.iter().find(|f| f.1 == Fate::Missed || (snap.persistent && f.1 == Fate::Lost));
        if let Some((e, fate, _)) = bad {
            return Err(format!("durable queue {i} ended event {e} as {fate:?}"));
        }
    }
    Ok(())
}

/// An ephemeral queue's matched events are delivered or missed: delivered + missed == matched.
pub fn ephemeral_delivered_or_missed(snap: &PubSubSnapshot) -> Result<(), String> {
    for (i, s) in snap.queues.iter().enumerate().filter(|(_, s)| !s.durable) {
        let missed = s.fates.iter().filter(|f| f.1 == Fate::Missed).count() as u64;
        if s.delivered + missed != s.fates.len() as u64 {
            return Err(format!(
                "ephemeral queue {i}: delivered {} + missed {missed} != matched {}",
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
    for (i, s) in snap.queues.iter().enumerate() {
        let effects: u64 = s.fates.iter().map(|f| u64::from(f.2)).sum();
        if effects > s.delivered {
            return Err(format!("queue {i} handled {effects} times with {} deliveries", s.delivered));
        }
        for &(e, fate, times) in &s.fates {
            if (fate == Fate::Handled) != (times > 0) {
                return Err(format!("queue {i}: event {e} is {fate:?} after {times} handlings"));
            }
            let held = s.queue.contains(&e) || s.in_flight == Some(e);
            if fate == Fate::Pending && !held {
                return Err(format!("queue {i}: event {e} is pending but held nowhere"));
            }
        }
        for e in &s.queue {
            if !s.fates.iter().any(|f| f.0 == *e && matches!(f.1, Fate::Pending | Fate::Handled)) {
                return Err(format!("queue {i}: queued event {e} is neither pending nor handled"));
            }
        }
        if !s.active && (!s.queue.is_empty() || s.in_flight.is_some()) {
            return Err(format!("queue {i} was dropped but still holds events"));
        }
    }
    Ok(())
}

/// Every invariant's failure message.
pub fn check_all(snap: &PubSubSnapshot) -> Vec<String> {
    [
        matched_exactly_the_matching_events,
        one_queue_per_service_and_kind,
        durable_in_publish_order,
        durable_loses_nothing_with_a_persistent_broker,
        ephemeral_delivered_or_missed,
        accounting_adds_up,
    ]
    .iter()
    .filter_map(|check| check(snap).err())
    .collect()
}
