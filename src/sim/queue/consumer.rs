//! A pizza shop as a consumer: ovens that make delivered orders, heartbeats while alive, and the
//! acknowledgement (or failure report) when an order is done. A kill throws away the ovens' work.

use super::config::{Delivery, ShopSpec};
use super::events::{Event, Order, Outbox};
use super::ledger::Ledger;
use crate::sim::kernel::SimTime;

/// One shop's state machine.
#[derive(Clone, Debug)]
pub struct Shop {
    pub name: String,
    pub ovens: u32,
    pub speed_pct: u32,
    /// Percent of normal time for orders started from now on (100 = normal).
    pub slow_pct: u32,
    pub alive: bool,
    /// Incarnation: bumped by every kill and restart, so stale deliveries and timers are ignored.
    pub epoch: u32,
    /// Orders in the ovens, with their delivery token.
    pub making: Vec<(Order, u32)>,
    /// Orders this shop finished (made or failed).
    pub finished: u64,
    delivery: Delivery,
}

impl Shop {
    /// A shop not yet started.
    pub fn new(spec: &ShopSpec, delivery: Delivery) -> Self {
        Self {
            name: spec.name.clone(),
            ovens: spec.ovens,
            speed_pct: spec.speed_pct,
            slow_pct: 100,
            alive: false,
            epoch: 0,
            making: Vec::new(),
            finished: 0,
            delivery,
        }
    }

    /// Opens (or reopens, empty) the shop: every oven asks for work and the heartbeat starts.
    pub fn start(&mut self, me: u32, now: SimTime, out: &mut Outbox) {
        self.alive = true;
        self.epoch += 1;
        self.making.clear();
        for _ in 0..self.ovens {
            out.push(now, Event::Pull { shop: me, epoch: self.epoch });
        }
        out.push(now, Event::Heartbeat { shop: me, epoch: self.epoch });
    }

    /// The shop stops; work in the ovens is lost.
    pub fn kill(&mut self) {
        self.alive = false;
        self.epoch += 1;
        self.making.clear();
    }

    /// True when an event stamped `epoch` comes from this shop's current life.
    pub fn is_current(&self, epoch: u32) -> bool {
        self.alive && self.epoch == epoch
    }

    /// The broker came back: announce every free oven again (it forgot them).
    pub fn on_broker_up(&self, me: u32, now: SimTime, out: &mut Outbox) {
        if self.alive {
            for _ in self.making.len()..self.ovens as usize {
                out.push(now, Event::Pull { shop: me, epoch: self.epoch });
            }
        }
    }

    /// A delivery arrives: start making it. A delivery to a dead shop is lost.
    pub fn on_deliver(&mut self, me: u32, epoch: u32, order: Order, token: u32, now: SimTime, out: &mut Outbox) {
        if !self.is_current(epoch) {
            return;
        }
        self.making.push((order, token));
        let scaled = u128::from(order.work_us) * 100 * u128::from(self.slow_pct) / 100 / u128::from(self.speed_pct);
        let took = SimTime::try_from(scaled).unwrap_or(SimTime::MAX / 4);
        out.push(now + took, Event::WorkDone { shop: me, epoch, order, token });
    }

    /// An order comes out of the oven: fail it (poison), or take effect (once, with dedup) and ack.
    pub fn on_work_done(
        &mut self,
        me: u32,
        order: Order,
        token: u32,
        now: SimTime,
        ledger: &mut Ledger,
        out: &mut Outbox,
    ) {
        let Some(i) = self.making.iter().position(|&(o, t)| o.id == order.id && t == token) else { return };
        self.making.swap_remove(i);
        self.finished += 1;
        let acks = self.delivery != Delivery::AtMostOnce;
        if order.poison {
            if acks {
                out.push(now, Event::Nack { order: order.id, token });
            }
        } else {
            ledger.take_effect(order.id, now, self.delivery == Delivery::EffectivelyOnce);
            if acks {
                out.push(now, Event::Ack { order: order.id });
            }
        }
        out.push(now, Event::Pull { shop: me, epoch: self.epoch });
    }
}
