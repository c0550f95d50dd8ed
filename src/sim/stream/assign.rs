//! Partition assignment inside a consumer group, as Kafka's client-side assignors do it for one topic.

use serde::{Deserialize, Serialize};

/// Which assignor the group leader runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Assignor {
    /// Kafka's `RangeAssignor`: partitions in order, consumers sorted by member id; each gets
    /// `P / C` consecutive partitions and the first `P % C` one more.
    Range,
    /// Kafka's `RoundRobinAssignor`: partitions dealt to the sorted consumers in turn.
    RoundRobin,
}

/// The partitions of each consumer, in the order of `members` (which the caller sorts by member id).
/// Consumers beyond the partition count get none (they stay idle).
pub fn assign(assignor: Assignor, partitions: u32, members: usize) -> Vec<Vec<u32>> {
    let mut out = vec![Vec::new(); members];
    if members == 0 {
        return out;
    }
    match assignor {
        Assignor::Range => {
            let c = members as u32;
            let (per, extra) = (partitions / c, partitions % c);
            let mut next = 0;
            for (i, parts) in out.iter_mut().enumerate() {
                let n = per + u32::from((i as u32) < extra);
                parts.extend(next..next + n);
                next += n;
            }
        }
        Assignor::RoundRobin => {
            for p in 0..partitions {
                out[p as usize % members].push(p);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sizes(a: &[Vec<u32>]) -> Vec<usize> {
        a.iter().map(Vec::len).collect()
    }

    #[test]
    fn range_gives_the_first_consumers_one_more() {
        let a = assign(Assignor::Range, 6, 4);
        assert_eq!(a, vec![vec![0, 1], vec![2, 3], vec![4], vec![5]]);
        assert_eq!(sizes(&assign(Assignor::Range, 7, 3)), vec![3, 2, 2]);
        assert_eq!(assign(Assignor::Range, 3, 5), vec![vec![0], vec![1], vec![2], vec![], vec![]]);
    }

    #[test]
    fn round_robin_deals_in_turn() {
        assert_eq!(assign(Assignor::RoundRobin, 6, 4), vec![vec![0, 4], vec![1, 5], vec![2], vec![3]]);
    }

    #[test]
    fn every_partition_has_exactly_one_owner() {
        for assignor in [Assignor::Range, Assignor::RoundRobin] {
            for p in 1..=64u32 {
                for c in 1..=70usize {
                    let mut all: Vec<u32> = assign(assignor, p, c).concat();
                    all.sort_unstable();
                    assert_eq!(all, (0..p).collect::<Vec<_>>());
                    let s = sizes(&assign(assignor, p, c));
                    assert!(s.iter().max().unwrap() - s.iter().min().unwrap() <= 1);
                }
            }
        }
        assert!(assign(Assignor::Range, 4, 0).is_empty());
    }
}
