//! The work budget of one run. Every field of a configuration has a limit, but their product does not:
//! a hundred thousand orders that each fail a hundred times, or a heartbeat every millisecond for a
//! virtual day, are each within the limits and would keep the page busy for minutes. So every lab
//! estimates, from its configuration and recorded actions alone, an upper bound on the work of the
//! whole run, counted in simulation events, and refuses a run whose bound is over [`WORK_EVENTS_MAX`]
//! with a sentence naming the setting that contributes most.
//!
//! Each lab's estimate is a sum of parts, one per source of events (arrivals, service completions,
//! timers over the horizon, retries, ...), each tagged with advice naming the setting a user would
//! lower (or, for an interval, raise) to shrink it.
//! Work that is not an event (building a ring of points, moving held orders) is converted to events by
//! its measured cost relative to one event.

/// The most events (or their equivalent in other work) one run may take: about ten seconds of native
/// simulation on the release build.
///
/// Measured with `cargo bench --bench run_budget --profile release` (the release profile's size
/// optimisation and link-time optimisation, one core of a shared two-core machine): the pizza shop, whose
/// events do the most work of the three timed labs per event counted, ran 1.7 to 1.9 million events per
/// second (100,000 orders with retries); the partitioned log 2.7 to 6 million; publish/subscribe 0.55 to
/// 0.9 million, so its estimate counts each of its events twice and the topic matching on top. At 1.7
/// million per second, 16 million events are 9.4 s. The heaviest accepted scenarios
/// (`tests/golden/heaviest/`) took 2.3 to 5.2 s there beside other builds (up to 8.2 s beside more). The page runs the same code in wasm, in slices of
/// events per timer tick, so a run at the budget keeps the tab responsive there, only for longer.
pub const WORK_EVENTS_MAX: u64 = 16_000_000;

/// An upper bound on a run's work, in events, as parts tagged with advice: what to change to shrink the
/// part, an imperative such as "lower the orders" or "raise the heartbeat interval".
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WorkEstimate {
    parts: Vec<(&'static str, u64)>,
}

impl WorkEstimate {
    /// No work yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `events` of work that following `advice` would reduce (parts with the same advice add up).
    pub fn add(&mut self, advice: &'static str, events: u64) {
        match self.parts.iter_mut().find(|(s, _)| *s == advice) {
            Some((_, e)) => *e = e.saturating_add(events),
            None => self.parts.push((advice, events)),
        }
    }

    /// One part of `events` following `advice` would reduce.
    pub fn from_total(advice: &'static str, events: u64) -> Self {
        Self { parts: vec![(advice, events)] }
    }

    /// Adds every part of `other`.
    pub fn add_all(&mut self, other: &WorkEstimate) {
        for &(advice, events) in &other.parts {
            self.add(advice, events);
        }
    }

    /// The whole bound.
    pub fn total(&self) -> u64 {
        self.parts.iter().fold(0u64, |t, (_, e)| t.saturating_add(*e))
    }

    /// The parts, in the order they were first added.
    pub fn parts(&self) -> &[(&'static str, u64)] {
        &self.parts
    }

    /// The advice of the largest part (the first added on ties).
    pub fn dominant(&self) -> Option<&'static str> {
        self.parts
            .iter()
            .fold(None, |best: Option<(&'static str, u64)>, &(s, e)| match best {
                Some((_, b)) if b >= e => best,
                _ => Some((s, e)),
            })
            .map(|(s, _)| s)
    }

    /// Refuses a run over [`WORK_EVENTS_MAX`] with a sentence naming the setting to change.
    pub fn check(&self) -> Result<(), String> {
        let total = self.total();
        if total <= WORK_EVENTS_MAX {
            return Ok(());
        }
        let advice = self.dominant().unwrap_or("make the run smaller");
        Err(format!(
            "too many simulation steps: this run could take up to {} events, more than the {} a run may take \
             (about ten seconds); to fit, {advice}",
            thousands(total),
            thousands(WORK_EVENTS_MAX)
        ))
    }
}

/// `1234567` as `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// How many times a timer firing every `d` from time 0 can fire up to time `n`: `n / d + 1` (`d` of 0
/// is taken as 1).
pub(crate) fn ticks(n: u64, d: u64) -> u64 {
    n / d.max(1) + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(16_000_000), "16,000,000");
    }

    #[test]
    fn the_largest_part_names_the_setting() {
        let mut w = WorkEstimate::new();
        w.add("lower the orders", 10);
        w.add("shorten the horizon", WORK_EVENTS_MAX);
        w.add("lower the orders", 5);
        assert_eq!(w.total(), WORK_EVENTS_MAX + 15);
        assert_eq!(w.dominant(), Some("shorten the horizon"));
        let e = w.check().unwrap_err();
        assert!(e.starts_with("too many") && e.ends_with("to fit, shorten the horizon"), "{e}");
        assert!(WorkEstimate::new().check().is_ok());
    }

    #[test]
    fn totals_saturate() {
        let mut w = WorkEstimate::new();
        w.add("a", u64::MAX);
        w.add("b", 1);
        assert_eq!(w.total(), u64::MAX);
    }
}
