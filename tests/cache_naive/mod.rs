//! Deliberately naive versions of every eviction policy, written from the papers' descriptions with
//! vectors and linear scans and nothing clever: the references `tests/cache_policies.rs` holds the fast
//! ones to, request by request. Each list is a `Vec` with its head (newest or most recently used) at
//! index 0.
#![allow(dead_code)]

use sysplay::sim::cache::{FrequencySketch, PolicyKind, Segment};
use sysplay::sim::kernel::SimRng;

/// A naive policy: hit or miss and the key evicted, and the state in the fast policy's segments.
pub trait Naive {
    fn access(&mut self, key: u64) -> (bool, Option<u64>);
    fn segments(&self) -> Vec<Segment>;
}

fn seg(name: &'static str, keys: Vec<u64>, marks: Vec<u32>, ghost: bool, hand: Option<usize>) -> Segment {
    Segment { name, keys, marks, ghost, hand }
}

fn position(v: &[u64], key: u64) -> Option<usize> {
    v.iter().position(|&k| k == key)
}

/// The naive version of `kind`.
pub fn naive(kind: PolicyKind, capacity: usize, seed: u64) -> Box<dyn Naive> {
    match kind {
        PolicyKind::Lru => Box::new(NaiveLru { cap: capacity, keys: vec![] }),
        PolicyKind::Lfu => Box::new(NaiveLfu { cap: capacity, entries: vec![], tick: 0 }),
        PolicyKind::Fifo => Box::new(NaiveFifo { cap: capacity, oldest_first: vec![] }),
        PolicyKind::Random => Box::new(NaiveRandom { cap: capacity, slots: vec![], rng: SimRng::new(seed) }),
        PolicyKind::Clock => Box::new(NaiveClock { cap: capacity, oldest_first: vec![] }),
        PolicyKind::Arc => Box::new(NaiveArc::new(capacity)),
        PolicyKind::WTinyLfu => Box::new(NaiveWTinyLfu::new(capacity)),
        PolicyKind::S3Fifo => Box::new(NaiveS3Fifo::new(capacity)),
        PolicyKind::Sieve => Box::new(NaiveSieve { cap: capacity, queue: vec![], hand: None }),
    }
}

/// LRU: a list, most recently used first.
struct NaiveLru {
    cap: usize,
    keys: Vec<u64>,
}

impl Naive for NaiveLru {
    fn access(&mut self, key: u64) -> (bool, Option<u64>) {
        if let Some(i) = position(&self.keys, key) {
            self.keys.remove(i);
            self.keys.insert(0, key);
            return (true, None);
        }
        if self.cap == 0 {
            return (false, None);
        }
        let victim = if self.keys.len() == self.cap { self.keys.pop() } else { None };
        self.keys.insert(0, key);
        (false, victim)
    }
    fn segments(&self) -> Vec<Segment> {
        vec![seg("cache", self.keys.clone(), vec![], false, None)]
    }
}

/// LFU: (key, uses, last use); the victim has the fewest uses, then the oldest last use.
struct NaiveLfu {
    cap: usize,
    entries: Vec<(u64, u32, u64)>,
    tick: u64,
}

impl Naive for NaiveLfu {
    fn access(&mut self, key: u64) -> (bool, Option<u64>) {
        self.tick += 1;
        if let Some(e) = self.entries.iter_mut().find(|e| e.0 == key) {
            e.1 += 1;
            e.2 = self.tick;
            return (true, None);
        }
        if self.cap == 0 {
            return (false, None);
        }
        let mut victim = None;
        if self.entries.len() == self.cap {
            let i = (0..self.entries.len()).min_by_key(|&i| (self.entries[i].1, self.entries[i].2)).unwrap();
            victim = Some(self.entries.remove(i).0);
        }
        self.entries.push((key, 1, self.tick));
        (false, victim)
    }
    fn segments(&self) -> Vec<Segment> {
        let mut e = self.entries.clone();
        e.sort_by_key(|&(_, uses, last)| std::cmp::Reverse((uses, last)));
        vec![seg("by frequency", e.iter().map(|e| e.0).collect(), e.iter().map(|e| e.1).collect(), false, None)]
    }
}

/// FIFO: a queue, oldest first.
struct NaiveFifo {
    cap: usize,
    oldest_first: Vec<u64>,
}

impl Naive for NaiveFifo {
    fn access(&mut self, key: u64) -> (bool, Option<u64>) {
        if self.oldest_first.contains(&key) {
            return (true, None);
        }
        if self.cap == 0 {
            return (false, None);
        }
        let victim = (self.oldest_first.len() == self.cap).then(|| self.oldest_first.remove(0));
        self.oldest_first.push(key);
        (false, victim)
    }
    fn segments(&self) -> Vec<Segment> {
        vec![seg("queue", self.oldest_first.iter().rev().copied().collect(), vec![], false, None)]
    }
}

/// Random: slots; a full cache replaces slot `below(capacity)`.
struct NaiveRandom {
    cap: usize,
    slots: Vec<u64>,
    rng: SimRng,
}

impl Naive for NaiveRandom {
    fn access(&mut self, key: u64) -> (bool, Option<u64>) {
        if self.slots.contains(&key) {
            return (true, None);
        }
        if self.cap == 0 {
            return (false, None);
        }
        if self.slots.len() < self.cap {
            self.slots.push(key);
            return (false, None);
        }
        let j = self.rng.below(self.cap as u64) as usize;
        let victim = std::mem::replace(&mut self.slots[j], key);
        (false, Some(victim))
    }
    fn segments(&self) -> Vec<Segment> {
        vec![seg("slots", self.slots.clone(), vec![], false, None)]
    }
}

/// CLOCK written as what it is equivalent to, FIFO with reinsertion: a queue (oldest first) of keys
/// with a bit; the oldest key with its bit set goes to the back with it cleared, the first without is
/// evicted. Its segment is the queue oldest first with no hand: the fast CLOCK's face read from the hand.
struct NaiveClock {
    cap: usize,
    oldest_first: Vec<(u64, bool)>,
}

impl Naive for NaiveClock {
    fn access(&mut self, key: u64) -> (bool, Option<u64>) {
        if let Some(e) = self.oldest_first.iter_mut().find(|e| e.0 == key) {
            e.1 = true;
            return (true, None);
        }
        if self.cap == 0 {
            return (false, None);
        }
        let mut victim = None;
        if self.oldest_first.len() == self.cap {
            loop {
                let (k, bit) = self.oldest_first.remove(0);
                if bit {
                    self.oldest_first.push((k, false));
                } else {
                    victim = Some(k);
                    break;
                }
            }
        }
        self.oldest_first.push((key, false));
        (false, victim)
    }
    fn segments(&self) -> Vec<Segment> {
        let keys = self.oldest_first.iter().map(|e| e.0).collect();
        let marks = self.oldest_first.iter().map(|e| u32::from(e.1)).collect();
        vec![seg("clock", keys, marks, false, None)]
    }
}

/// SIEVE: the queue newest first (index 0 the head, the last index the tail) of (key, visited), and
/// the hand as an index.
struct NaiveSieve {
    cap: usize,
    queue: Vec<(u64, bool)>,
    hand: Option<usize>,
}

impl Naive for NaiveSieve {
    fn access(&mut self, key: u64) -> (bool, Option<u64>) {
        if let Some(e) = self.queue.iter_mut().find(|e| e.0 == key) {
            e.1 = true;
            return (true, None);
        }
        if self.cap == 0 {
            return (false, None);
        }
        let mut victim = None;
        if self.queue.len() == self.cap {
            let tail = self.queue.len() - 1;
            let mut o = self.hand.unwrap_or(tail);
            while self.queue[o].1 {
                self.queue[o].1 = false;
                o = if o == 0 { tail } else { o - 1 };
            }
            self.hand = o.checked_sub(1);
            victim = Some(self.queue.remove(o).0);
        }
        self.queue.insert(0, (key, false));
        self.hand = self.hand.map(|h| h + 1);
        (false, victim)
    }
    fn segments(&self) -> Vec<Segment> {
        let keys = self.queue.iter().map(|e| e.0).collect();
        let marks = self.queue.iter().map(|e| u32::from(e.1)).collect();
        vec![seg("queue", keys, marks, false, self.hand)]
    }
}

/// ARC: figure 4 of the paper, with four vectors, most recently used first.
struct NaiveArc {
    c: usize,
    p: f64,
    t1: Vec<u64>,
    t2: Vec<u64>,
    b1: Vec<u64>,
    b2: Vec<u64>,
}

impl NaiveArc {
    fn new(c: usize) -> Self {
        NaiveArc { c, p: 0.0, t1: vec![], t2: vec![], b1: vec![], b2: vec![] }
    }

    /// REPLACE(x, p): returns the key moved out of the cache.
    fn replace(&mut self, x_in_b2: bool) -> u64 {
        let t1 = self.t1.len() as f64;
        if !self.t1.is_empty() && ((x_in_b2 && t1 == self.p) || t1 > self.p) {
            let v = self.t1.pop().unwrap();
            self.b1.insert(0, v);
            v
        } else {
            let v = self.t2.pop().unwrap();
            self.b2.insert(0, v);
            v
        }
    }
}

impl Naive for NaiveArc {
    fn access(&mut self, x: u64) -> (bool, Option<u64>) {
        let c = self.c;
        if c == 0 {
            return (false, None);
        }
        // Case I.
        if let Some(i) = position(&self.t1, x) {
            self.t1.remove(i);
            self.t2.insert(0, x);
            return (true, None);
        }
        if let Some(i) = position(&self.t2, x) {
            self.t2.remove(i);
            self.t2.insert(0, x);
            return (true, None);
        }
        // Case II.
        if self.b1.contains(&x) {
            let d1 = if self.b1.len() >= self.b2.len() { 1.0 } else { self.b2.len() as f64 / self.b1.len() as f64 };
            self.p = (self.p + d1).min(c as f64);
            let v = self.replace(false);
            self.b1.remove(position(&self.b1, x).unwrap());
            self.t2.insert(0, x);
            return (false, Some(v));
        }
        // Case III.
        if self.b2.contains(&x) {
            let d2 = if self.b2.len() >= self.b1.len() { 1.0 } else { self.b1.len() as f64 / self.b2.len() as f64 };
            self.p = (self.p - d2).max(0.0);
            let v = self.replace(true);
            self.b2.remove(position(&self.b2, x).unwrap());
            self.t2.insert(0, x);
            return (false, Some(v));
        }
        // Case IV.
        let mut victim = None;
        if self.t1.len() + self.b1.len() == c {
            if self.t1.len() < c {
                self.b1.pop();
                victim = Some(self.replace(false));
            } else {
                victim = self.t1.pop();
            }
        } else {
            let total = self.t1.len() + self.t2.len() + self.b1.len() + self.b2.len();
            if total >= c {
                if total == 2 * c {
                    self.b2.pop();
                }
                victim = Some(self.replace(false));
            }
        }
        self.t1.insert(0, x);
        (false, victim)
    }
    fn segments(&self) -> Vec<Segment> {
        vec![
            seg("T1", self.t1.clone(), vec![], false, None),
            seg("T2", self.t2.clone(), vec![], false, None),
            seg("B1", self.b1.clone(), vec![], true, None),
            seg("B2", self.b2.clone(), vec![], true, None),
        ]
    }
}

/// The count-min sketch with one byte per 4-bit counter and plain loops; only the counters' places
/// come from the fast sketch.
struct NaiveSketch {
    places: FrequencySketch,
    counters: Vec<u8>,
    size: u64,
    sample: u64,
}

impl NaiveSketch {
    fn new(c: usize) -> Self {
        let words = c.max(1).next_power_of_two();
        NaiveSketch {
            places: FrequencySketch::new(c),
            counters: vec![0; words * 16],
            size: 0,
            sample: 10 * c.max(1) as u64,
        }
    }
    fn increment(&mut self, key: u64) {
        let mut added = false;
        for s in self.places.slots(key) {
            if self.counters[s] < 15 {
                self.counters[s] += 1;
                added = true;
            }
        }
        if added {
            self.size += 1;
            if self.size == self.sample {
                let odd = self.counters.iter().filter(|&&c| c % 2 == 1).count() as u64;
                for c in &mut self.counters {
                    *c /= 2;
                }
                self.size = (self.size - odd / 4) / 2;
            }
        }
    }
    fn frequency(&self, key: u64) -> u8 {
        self.places.slots(key).iter().map(|&s| self.counters[s]).min().unwrap()
    }
}

/// W-TinyLFU: Caffeine's simulator's steps with three vectors, most recently used first.
struct NaiveWTinyLfu {
    c: usize,
    max_window: usize,
    max_protected: usize,
    window: Vec<u64>,
    probation: Vec<u64>,
    protected: Vec<u64>,
    sketch: NaiveSketch,
}

impl NaiveWTinyLfu {
    fn new(c: usize) -> Self {
        let max_window = c - (0.99 * c as f64) as usize;
        let max_protected = (0.8 * (c - max_window) as f64) as usize;
        NaiveWTinyLfu {
            c,
            max_window,
            max_protected,
            window: vec![],
            probation: vec![],
            protected: vec![],
            sketch: NaiveSketch::new(c),
        }
    }
}

impl Naive for NaiveWTinyLfu {
    fn access(&mut self, key: u64) -> (bool, Option<u64>) {
        if self.c == 0 {
            return (false, None);
        }
        self.sketch.increment(key);
        if let Some(i) = position(&self.window, key) {
            self.window.remove(i);
            self.window.insert(0, key);
            return (true, None);
        }
        if let Some(i) = position(&self.probation, key) {
            self.probation.remove(i);
            self.protected.insert(0, key);
            if self.protected.len() > self.max_protected {
                let demoted = self.protected.pop().unwrap();
                self.probation.insert(0, demoted);
            }
            return (true, None);
        }
        if let Some(i) = position(&self.protected, key) {
            self.protected.remove(i);
            self.protected.insert(0, key);
            return (true, None);
        }
        self.window.insert(0, key);
        if self.window.len() <= self.max_window {
            return (false, None);
        }
        let candidate = self.window.pop().unwrap();
        self.probation.insert(0, candidate);
        if self.window.len() + self.probation.len() + self.protected.len() <= self.c {
            return (false, None);
        }
        let victim = *self.probation.last().unwrap();
        let out = if self.sketch.frequency(candidate) > self.sketch.frequency(victim) { victim } else { candidate };
        let i = position(&self.probation, out).unwrap();
        self.probation.remove(i);
        (false, Some(out))
    }
    fn segments(&self) -> Vec<Segment> {
        let s = |name, v: &Vec<u64>| {
            seg(name, v.clone(), v.iter().map(|&k| u32::from(self.sketch.frequency(k))).collect(), false, None)
        };
        vec![s("window", &self.window), s("probation", &self.probation), s("protected", &self.protected)]
    }
}

/// S3-FIFO as libCacheSim's S3FIFOv0 runs it, with three vectors, newest first; frequencies capped at 3.
/// Below ten keys, which libCacheSim refuses, small holds one key and the ghost at least one.
struct NaiveS3Fifo {
    c: usize,
    main_size: usize,
    ghost_size: usize,
    small: Vec<(u64, u32)>,
    main: Vec<(u64, u32)>,
    ghost: Vec<u64>,
}

impl NaiveS3Fifo {
    fn new(c: usize) -> Self {
        let small_size = if c == 0 { 0 } else { (c / 10).max(1) };
        let main_size = c - small_size;
        // The ghost remembers as many keys as main holds, and at least one.
        let ghost_size = if c == 0 { 0 } else { main_size.max(1) };
        NaiveS3Fifo { c, main_size, ghost_size, small: vec![], main: vec![], ghost: vec![] }
    }
}

impl Naive for NaiveS3Fifo {
    fn access(&mut self, key: u64) -> (bool, Option<u64>) {
        if let Some(e) = self.small.iter_mut().chain(self.main.iter_mut()).find(|e| e.0 == key) {
            e.1 = (e.1 + 1).min(3);
            return (true, None);
        }
        if self.c == 0 {
            return (false, None);
        }
        let ghost_hit = position(&self.ghost, key).map(|i| self.ghost.remove(i)).is_some();
        let mut victim = None;
        while self.small.len() + self.main.len() >= self.c {
            if self.main.len() > self.main_size || self.small.is_empty() {
                // Evict from main: reinsert used keys with one less.
                while let Some((k, f)) = self.main.pop() {
                    if f > 0 {
                        self.main.insert(0, (k, f - 1));
                    } else {
                        victim = Some(k);
                        break;
                    }
                }
            } else {
                // Evict from small: keys used twice more go to main, the first other one to the ghost.
                while let Some((k, f)) = self.small.pop() {
                    if f >= 2 {
                        self.main.insert(0, (k, 0));
                    } else {
                        if self.ghost.len() == self.ghost_size {
                            self.ghost.pop();
                        }
                        self.ghost.insert(0, k);
                        victim = Some(k);
                        break;
                    }
                }
            }
        }
        if ghost_hit {
            self.main.insert(0, (key, 0))
        } else {
            self.small.insert(0, (key, 0))
        }
        (false, victim)
    }
    fn segments(&self) -> Vec<Segment> {
        let q = |name, v: &Vec<(u64, u32)>| {
            seg(name, v.iter().map(|e| e.0).collect(), v.iter().map(|e| e.1).collect(), false, None)
        };
        vec![q("small", &self.small), q("main", &self.main), seg("ghost", self.ghost.clone(), vec![], true, None)]
    }
}

/// Belady's MIN with a forward scan for each cached key's next request: whether each request hits.
pub fn naive_optimal(trace: &[u64], cap: usize) -> Vec<bool> {
    let mut cache: Vec<u64> = vec![];
    let mut hits = Vec::with_capacity(trace.len());
    for (i, &k) in trace.iter().enumerate() {
        if cache.contains(&k) {
            hits.push(true);
            continue;
        }
        hits.push(false);
        if cap == 0 {
            continue;
        }
        if cache.len() == cap {
            let next = |key: u64| trace[i + 1..].iter().position(|&x| x == key).unwrap_or(usize::MAX);
            let far = (0..cache.len()).max_by_key(|&j| next(cache[j])).unwrap();
            cache.remove(far);
        }
        cache.push(k);
    }
    hits
}
