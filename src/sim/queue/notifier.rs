//! The notifier of the notes: it checks heartbeats every H seconds and declares a shop silent since the
//! previous check dead; a heartbeat from a shop it declared dead brings the shop back.

use crate::sim::kernel::SimTime;
use crate::sim::timeline::vec_bytes;

/// A shop the notifier declared dead, and when.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Declared {
    pub shop: u32,
    pub at: SimTime,
}

/// The notifier's state machine: who it believes is live, and who spoke since the last check.
#[derive(Clone, Debug)]
pub struct Notifier {
    live: Vec<bool>,
    heard: Vec<bool>,
    pub declared: Vec<Declared>,
}

impl Notifier {
    /// Every shop starts live and heard.
    pub fn new(shops: usize) -> Self {
        Self { live: vec![true; shops], heard: vec![true; shops], declared: Vec::new() }
    }

    /// Bytes held beyond the struct.
    pub fn approx_bytes(&self) -> usize {
        vec_bytes(&self.live) + vec_bytes(&self.heard) + vec_bytes(&self.declared)
    }

    /// Who the notifier believes is live.
    pub fn live(&self) -> &[bool] {
        &self.live
    }

    /// A heartbeat; true when it brings back a shop declared dead.
    pub fn on_heartbeat(&mut self, shop: u32) -> bool {
        let s = shop as usize;
        self.heard[s] = true;
        let back = !self.live[s];
        self.live[s] = true;
        back
    }

    /// The periodic check: every live shop not heard since the previous check is declared dead.
    pub fn on_check(&mut self, now: SimTime) -> Vec<u32> {
        let mut dead = Vec::new();
        for s in 0..self.live.len() {
            if self.live[s] && !self.heard[s] {
                self.live[s] = false;
                dead.push(s as u32);
                self.declared.push(Declared { shop: s as u32, at: now });
            }
            self.heard[s] = false;
        }
        dead
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn silent_for_a_whole_interval_means_dead() {
        let mut n = Notifier::new(2);
        assert!(n.on_check(15).is_empty(), "both heard at the start");
        n.on_heartbeat(0);
        assert_eq!(n.on_check(30), vec![1]);
        assert_eq!(n.live(), &[true, false]);
        assert!(n.on_heartbeat(1), "a heartbeat brings it back");
        assert_eq!(n.on_check(45), vec![0]);
    }
}
