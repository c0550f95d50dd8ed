//! What the customers actually got: how many times each order took effect (a pizza handed over and
//! charged). The idempotent consumer of effectively-once checks it by order id before acting.

use crate::sim::cow::CowVec;
use crate::sim::kernel::SimTime;

/// Effects per order id.
#[derive(Clone, Debug, Default)]
pub struct Ledger {
    effects: CowVec<u32>,
    first_effect_at: CowVec<Option<SimTime>>,
    /// Repeat deliveries the idempotent consumer recognised and skipped.
    pub suppressed: u64,
}

impl Ledger {
    /// Bytes held beyond the struct, the chunks `earlier` shares left out.
    pub fn approx_bytes_beyond(&self, earlier: Option<&Self>) -> usize {
        self.effects.bytes_beyond(earlier.map(|e| &e.effects))
            + self.first_effect_at.bytes_beyond(earlier.map(|e| &e.first_effect_at))
    }

    /// Makes room for a newly produced order id.
    pub fn add_order(&mut self) {
        self.effects.push(0);
        self.first_effect_at.push(None);
    }

    /// The order takes effect, unless `dedup` is on and it already has.
    pub fn take_effect(&mut self, order: u64, now: SimTime, dedup: bool) {
        let i = order as usize;
        if dedup && self.effects[i] > 0 {
            self.suppressed += 1;
            return;
        }
        self.effects[i] += 1;
        self.first_effect_at[i].get_or_insert(now);
    }

    /// Times order `order` took effect.
    pub fn effects(&self, order: u64) -> u32 {
        self.effects[order as usize]
    }

    /// When order `order` first took effect.
    pub fn first_effect_at(&self, order: u64) -> Option<SimTime> {
        self.first_effect_at[order as usize]
    }
}
