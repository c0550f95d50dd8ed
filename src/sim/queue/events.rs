//! The messages the shop's components send each other through the scheduler, and the outbox a
//! component writes them to. A component consumes one event and emits new ones; it never calls another.

use crate::sim::kernel::SimTime;
use serde::Serialize;

/// Pizza (long) or coke (quick).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Pizza,
    Coke,
}

/// An order as the producer made it. `work_us` is drawn once, so the same order takes the same work
/// whichever shop makes it (a slow shop multiplies it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Order {
    pub id: u64,
    pub kind: Kind,
    pub urgent: bool,
    pub poison: bool,
    pub work_us: SimTime,
    pub created_at: SimTime,
}

/// Every event of a shop run. Messages between components take no virtual time.
#[derive(Clone, Copy, Debug)]
pub enum Event {
    /// The producers send the next order.
    Produce,
    /// The user's recorded action number `i`.
    Action(u32),
    /// Record the queue depth.
    Sample,
    /// The notifier checks heartbeats.
    Check,
    /// A shop's heartbeat timer (from shop incarnation `epoch`).
    Heartbeat { shop: u32, epoch: u32 },
    /// Shop -> broker: an oven is free.
    Pull { shop: u32, epoch: u32 },
    /// Broker -> shop: make this order (`token` names this delivery).
    Deliver { shop: u32, epoch: u32, order: Order, token: u32 },
    /// A shop finished an order.
    WorkDone { shop: u32, epoch: u32, order: Order, token: u32 },
    /// Shop -> broker: the order is done, remove it.
    Ack { order: u64 },
    /// Shop -> broker: the order failed.
    Nack { order: u64, token: u32 },
    /// Broker timer: a delivery's lease ran out.
    LeaseExpired { order: u64, token: u32 },
    /// Broker timer: a failed order's backoff is over.
    RetryDue { order: u64, token: u32 },
}

/// Events a component emits while handling one event, with their absolute times.
#[derive(Default)]
pub struct Outbox(pub Vec<(SimTime, Event)>);

impl Outbox {
    /// Emits `event` at time `at`.
    pub fn push(&mut self, at: SimTime, event: Event) {
        self.0.push((at, event));
    }
}
