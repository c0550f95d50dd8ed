//! What a part or a region going down does: which requests fail, for how long, and what takes over
//! (the load balancer's health checks, DNS dropping an address, a backup promoted by the coordinator or
//! by hand), or that nothing does; and the minutes a year the take-overs cost, first order.

use super::topology::{COORDINATORS, Kind, Topology, region_letter, region_name};
use serde::Serialize;

/// What one part or region going down does.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Impact {
    pub name: String,
    /// Seconds until something takes over; none when nothing does.
    pub window_s: Option<u32>,
    /// Share of requests failing meanwhile (all of them when nothing takes over).
    pub share: f64,
    /// Whether requests are served once the take-over is done.
    pub serving_after: bool,
    /// What happens, in a sentence.
    pub story: String,
    /// How often it happens.
    pub failures_per_year: f64,
}

impl Topology {
    /// What a part or a region going down does, the others up.
    pub fn impact(&self, name: &str) -> Impact {
        self.impact_among(name, &[])
    }

    /// What a part or a region going down does with `others` down too: when together they leave no way
    /// through, nothing takes over; else as it alone would.
    pub fn impact_among(&self, name: &str, others: &[String]) -> Impact {
        let killed = vec![name.to_string()];
        let mut all: Vec<String> = others.to_vec();
        if !all.iter().any(|o| o == name) {
            all.push(name.to_string());
        }
        let w = &self.windows;
        let region = (0..self.regions).find(|&r| region_name(r) == name);
        let part = self.leaves().into_iter().find(|(n, ..)| n == name);
        let mtbf = match (&part, region) {
            (Some((_, k, _)), _) => self.mtbf(*k),
            _ => self.failures.region,
        };
        let repair = format!("until it is repaired (on average {} h)", mtbf.mttr_h);
        if !self.serving(&all) {
            return Impact {
                name: name.into(),
                window_s: None,
                share: 1.0,
                serving_after: false,
                story: format!("every request fails {repair}: nothing takes over"),
                failures_per_year: mtbf.per_year(),
            };
        }
        let idle = match (&part, region) {
            (Some(_), _) => {
                let i = self.leaves().iter().position(|(n, ..)| n == name).expect("a part of this topology");
                !self.used()[i]
            }
            (None, Some(r)) => !self.dns && r > 0,
            (None, None) => true,
        };
        if idle {
            return Impact {
                name: name.into(),
                window_s: Some(0),
                share: 0.0,
                serving_after: true,
                story: "nothing fails: no request goes through it".into(),
                failures_per_year: mtbf.per_year(),
            };
        }
        let was_primary = self.primary(&[]).as_deref() == Some(name)
            || region
                .is_some_and(|r| self.primary(&[]).is_some_and(|p| p.starts_with(&format!("db-{}", region_letter(r)))));
        let promote_s = if self.coordinator { w.auto_promote_s } else { w.manual_promote_s };
        let promoter = if self.coordinator {
            "the coordinator promotes".to_string()
        } else {
            "someone is paged and promotes by hand".to_string()
        };
        let (window_s, share, story) = match (&part, region) {
            (Some((_, Kind::Node, Some(r))), _) => {
                let share = 1.0 / f64::from(self.nodes) / self.region_entries() as f64;
                let _ = r;
                if self.lbs > 0 {
                    (
                        w.health_check_s,
                        share,
                        format!(
                            "its share of the requests fails until the load balancer's health checks notice ({} s); then the other nodes take them",
                            w.health_check_s
                        ),
                    )
                } else {
                    (
                        w.dns_s,
                        share,
                        format!(
                            "clients that resolved its address fail until DNS drops it and their cached answer expires ({} s); then the other nodes take them",
                            w.dns_s
                        ),
                    )
                }
            }
            (Some((_, Kind::Lb, _)), _) => (
                w.dns_s,
                1.0 / f64::from(self.lbs) / self.region_entries() as f64,
                format!(
                    "clients that resolved its address fail until DNS drops it and their cached answer expires ({} s); then the other load balancers take them",
                    w.dns_s
                ),
            ),
            (Some((_, Kind::Db, _)), _) if was_primary => (
                promote_s,
                1.0,
                format!(
                    "every request fails until a backup is promoted ({promote_s} s: {promoter}); then {} is the primary",
                    self.primary(&killed).unwrap_or_default()
                ),
            ),
            (Some((_, Kind::Db, _)), _) => (0, 0.0, "a backup: nothing fails; the primary keeps serving".to_string()),
            (Some((_, Kind::Coordinator, _)), _) => {
                (0, 0.0, format!("nothing fails: the other {} still make a quorum", COORDINATORS - 1))
            }
            (Some((_, Kind::Dns, _)), _) => (0, 0.0, "nothing fails".to_string()),
            (None, Some(_)) => {
                let share = 1.0 / self.region_entries() as f64;
                let (s, share, more) = if was_primary {
                    (
                        w.dns_s.max(promote_s),
                        1.0,
                        format!("; its primary database too, until a backup is promoted ({promote_s} s: {promoter})"),
                    )
                } else {
                    (w.dns_s, share, String::new())
                };
                (
                    s,
                    share,
                    format!(
                        "its requests fail until DNS drops its addresses and cached answers expire ({} s){more}; then the other region serves them",
                        w.dns_s
                    ),
                )
            }
            _ => (0, 0.0, "not a part of this architecture".to_string()),
        };
        Impact {
            name: name.into(),
            window_s: Some(window_s),
            share,
            serving_after: true,
            story,
            failures_per_year: mtbf.per_year(),
        }
    }

    /// Regions DNS spreads requests over (one without DNS).
    fn region_entries(&self) -> u32 {
        if self.dns { self.regions } else { 1 }
    }

    /// Minutes a year lost while something takes over, first order: for each part and region, its
    /// failures a year × its window × the share of requests that fail meanwhile.
    pub fn takeover_min_per_year(&self) -> f64 {
        let mut total = 0.0;
        for p in self.parts(&[]) {
            if !p.used {
                continue;
            }
            let i = self.impact(&p.name);
            if let Some(w) = i.window_s {
                total += i.failures_per_year * f64::from(w) / 60.0 * i.share;
            }
        }
        for r in 0..self.regions {
            let i = self.impact(&region_name(r));
            if let Some(w) = i.window_s {
                total += i.failures_per_year * f64::from(w) / 60.0 * i.share;
            }
        }
        total
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::resilience::topology::Step;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn kills_say_what_takes_over_and_for_how_long() {
        let mut t = Topology::default();
        for s in Step::ALL {
            t = t.with_step(s).unwrap();
        }
        let node = t.impact("node-a2");
        assert_eq!(node.window_s, Some(30));
        assert!(close(node.share, 1.0 / 3.0 / 2.0));
        let primary = t.impact("db-a1");
        assert_eq!((primary.window_s, primary.share), (Some(30), 1.0));
        assert!(primary.story.contains("db-a2"), "{}", primary.story);
        let region = t.impact("region-a");
        assert_eq!((region.window_s, region.share, region.serving_after), (Some(90), 1.0, true));
        let dns = t.impact("dns");
        assert!(!dns.serving_after && dns.window_s.is_none());
        // Without a coordinator, the promotion waits for a person.
        let by_hand = Topology { coordinator: false, ..t };
        assert_eq!(by_hand.impact("db-a1").window_s, Some(900));
        // The region b's primary-less loss: half the requests for the DNS window.
        let b = t.impact("region-b");
        assert_eq!((b.window_s, b.share), (Some(90), 0.5));
        assert!(t.serving(&["region-a".into()]));
        assert!(!t.serving(&["region-a".into(), "region-b".into()]));
        // Take-over minutes a year: by hand for the coordinator's saving on the primary.
        let saved = by_hand.takeover_min_per_year() - t.takeover_min_per_year();
        // The primary's own failures wait 870 s less; region a's (the primary's region) 810 s less (the
        // DNS window of 90 s stays).
        let by_formula = t.failures.db.per_year() * 870.0 / 60.0 + t.failures.region.per_year() * 810.0 / 60.0;
        assert!((saved - by_formula).abs() < 1e-9, "{saved} against {by_formula}");
        // An idle spare fails nothing.
        let spare = Topology { dns: false, ..t };
        assert_eq!(spare.impact("lb-a2").share, 0.0);
        assert_eq!(spare.impact("region-b").share, 0.0);
    }
}
