//! The notes' in-process `EventBus` (`subscribe(eventType, callback)`, `publish(eventType, data)`):
//! every service runs in one process and the bus calls the subscribers' callbacks there, one after the
//! other in subscription order. A subscription is one callback: a service that subscribed twice with
//! two patterns matching one event runs its callback twice, where the broker enqueues the event once in
//! that service's queue (two bindings, one queue). Nothing is stored outside that process: when it dies, the callbacks not
//! yet run are lost, and events published while it is down are never seen by anyone.

use std::collections::VecDeque;

/// What the bus did for one subscription (one callback).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct BusCounts {
    /// Events whose callback was queued (published while the process was up).
    pub matched: u64,
    /// Callbacks that ran to the end.
    pub handled: u64,
    /// Callbacks queued or running when the process died.
    pub lost: u64,
    /// Matching events published while the process was down.
    pub missed: u64,
}

/// The single process with its event bus.
#[derive(Clone, Debug)]
pub struct Bus {
    pub up: bool,
    /// Callbacks waiting to run: (subscription, event); a subscription is a binding's index.
    pub waiting: VecDeque<(u32, u64)>,
    /// The callback running now and its token.
    pub running: Option<(u32, u64, u64)>,
    pub counts: Vec<BusCounts>,
    pub backlog_max: u32,
}

impl Bus {
    pub fn new() -> Self {
        Self { up: true, waiting: VecDeque::new(), running: None, counts: Vec::new(), backlog_max: 0 }
    }

    /// Bytes held beyond the struct.
    pub fn approx_bytes(&self) -> usize {
        crate::sim::timeline::deque_bytes(&self.waiting) + crate::sim::timeline::vec_bytes(&self.counts)
    }

    /// Callbacks queued or running.
    pub fn backlog(&self) -> u32 {
        (self.waiting.len() + usize::from(self.running.is_some())) as u32
    }

    /// `publish(eventType, data)`: queues one callback per matching subscription, in subscription order,
    /// or counts a miss for each when the process is down.
    pub fn publish(&mut self, event: u64, matching: &[u32]) {
        for &s in matching {
            let c = &mut self.counts[s as usize];
            if self.up {
                c.matched += 1;
                self.waiting.push_back((s, event));
            } else {
                c.missed += 1;
            }
        }
        self.backlog_max = self.backlog_max.max(self.backlog());
    }

    /// The next callback to run, if the process is idle: (subscription, event).
    pub fn next(&mut self, token: u64) -> Option<(u32, u64)> {
        if !self.up || self.running.is_some() {
            return None;
        }
        let (s, e) = self.waiting.pop_front()?;
        self.running = Some((s, e, token));
        Some((s, e))
    }

    /// A callback finished (ignored if the process died since it started).
    pub fn done(&mut self, token: u64) -> bool {
        match self.running {
            Some((s, _, t)) if t == token => {
                self.counts[s as usize].handled += 1;
                self.running = None;
                true
            }
            _ => false,
        }
    }

    /// The process dies: every queued or running callback is lost.
    pub fn crash(&mut self) {
        if !self.up {
            return;
        }
        self.up = false;
        if let Some((s, _, _)) = self.running.take() {
            self.counts[s as usize].lost += 1;
        }
        for (s, _) in self.waiting.drain(..) {
            self.counts[s as usize].lost += 1;
        }
    }
}

impl Default for Bus {
    fn default() -> Self {
        Self::new()
    }
}
