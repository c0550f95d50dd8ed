//! Modulo hashing: the key at hash position h goes to server number `h % N`.

/// Exact number of positions in `0..ring_size` whose server under `h % N` differs between two server
/// lists (compared by identity). The mapping repeats every lcm(N1, N2) positions, so one period is
/// counted and scaled: exact, and at most lcm(N1, N2) steps.
pub fn modulo_space_moved(ring_size: u64, before: &[u32], after: &[u32]) -> u64 {
    match (before.len() as u64, after.len() as u64) {
        (0, 0) => 0,
        (0, _) | (_, 0) => ring_size,
        (n1, n2) => {
            let period = lcm(n1, n2);
            let span = ring_size.min(period);
            let rem = if ring_size > period { ring_size % period } else { span };
            let (mut moved, mut moved_before_rem) = (0u64, 0u64);
            for h in 0..span {
                if h == rem {
                    moved_before_rem = moved;
                }
                if before[(h % n1) as usize] != after[(h % n2) as usize] {
                    moved += 1;
                }
            }
            if rem == span {
                moved_before_rem = moved;
            }
            if ring_size > period { (ring_size / period) * moved + moved_before_rem } else { moved }
        }
    }
}

/// Exact number of positions in `0..ring_size` that server number `slot` of `n` gets under modulo.
pub fn modulo_share(ring_size: u64, n: usize, slot: usize) -> u64 {
    let n = n as u64;
    ring_size / n + u64::from((slot as u64) < ring_size % n)
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

fn lcm(a: u64, b: u64) -> u64 {
    a / gcd(a, b) * b
}

#[cfg(test)]
mod tests {
    use super::*;

    fn brute(m: u64, before: &[u32], after: &[u32]) -> u64 {
        (0..m)
            .filter(|&h| before[(h % before.len() as u64) as usize] != after[(h % after.len() as u64) as usize])
            .count() as u64
    }

    #[test]
    fn four_to_five_moves_eighty_percent() {
        assert_eq!(modulo_space_moved(100, &[0, 1, 2, 3], &[0, 1, 2, 3, 4]), 80);
    }

    #[test]
    fn matches_brute_force_on_awkward_sizes() {
        let cases: [(&[u32], &[u32]); 4] =
            [(&[0, 1, 2], &[0, 1, 2, 3]), (&[0, 1, 2, 3], &[0, 2, 3]), (&[5], &[5, 6]), (&[0, 1], &[1, 0])];
        for m in [1, 2, 7, 12, 13, 100, 257] {
            for (a, b) in cases {
                assert_eq!(modulo_space_moved(m, a, b), brute(m, a, b), "m={m} {a:?}->{b:?}");
            }
        }
    }

    #[test]
    fn shares_sum_to_ring_size() {
        for (m, n) in [(100u64, 3usize), (7, 7), (5, 8), (1 << 40, 1000)] {
            let total: u64 = (0..n).map(|s| modulo_share(m, n, s)).sum();
            assert_eq!(total, m);
        }
    }
}
