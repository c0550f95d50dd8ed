//! A vector whose copies share their storage: elements live in chunks of [`CHUNK`] behind reference
//! counts, a copy clones only the chunk pointers, and a write to a chunk another copy still holds copies
//! that chunk first (copy on write).
//!
//! The counts are `Rc`'s, not `Arc`'s: a run lives on one thread (the page's), and a write checks its
//! chunk's counts on every call, which atomics made a measurable share of a partitioned-log run.
//!
//! The timed labs keep their growing logs (orders, records, effects, samples) in it, so a timeline
//! checkpoint of a long run costs the chunks written since the previous one, not the whole history.

use std::ops::{Index, IndexMut};
use std::rc::Rc;

/// Elements per chunk: a write into a shared chunk copies at most this many (32 KiB of 32-byte orders),
/// and a copy of the whole vector clones one pointer per this many elements.
pub const CHUNK: usize = 1024;

/// A growable array with copy-on-write chunks. Iteration and indexing behave as a `Vec`'s.
#[derive(Clone, Debug)]
pub struct CowVec<T> {
    chunks: Vec<Rc<Vec<T>>>,
    len: usize,
}

impl<T> Default for CowVec<T> {
    fn default() -> Self {
        Self { chunks: Vec::new(), len: 0 }
    }
}

impl<T: Clone> CowVec<T> {
    /// An empty vector.
    pub fn new() -> Self {
        Self::default()
    }

    /// `n` copies of `value`.
    pub fn from_elem(value: T, n: usize) -> Self {
        let mut v = Self::new();
        for _ in 0..n {
            v.push(value.clone());
        }
        v
    }

    /// Appends `value`. A chunk grows like a `Vec` (doubling, from 4) up to `CHUNK`, so a short log
    /// holds little.
    pub fn push(&mut self, value: T) {
        if self.len.is_multiple_of(CHUNK) {
            self.chunks.push(Rc::new(Vec::new()));
        }
        let last = self.chunks.len() - 1;
        let chunk = self.chunk_mut(last);
        if chunk.len() == chunk.capacity() {
            chunk.reserve_exact(chunk.len().max(4).min(CHUNK - chunk.len()));
        }
        chunk.push(value);
        self.len += 1;
    }

    /// The element at `i`, for writing (copying its chunk first if another copy holds it).
    pub fn get_mut(&mut self, i: usize) -> Option<&mut T> {
        if i >= self.len {
            return None;
        }
        self.chunk_mut(i / CHUNK).get_mut(i % CHUNK)
    }

    /// Keeps the first `len` elements and drops the rest (nothing when `len` is not below the length).
    /// Whole chunks past the cut are dropped without copying; the chunk holding the cut is copied first
    /// if another copy holds it.
    pub fn truncate(&mut self, len: usize) {
        if len >= self.len {
            return;
        }
        self.chunks.truncate(len.div_ceil(CHUNK));
        self.len = len;
        if !len.is_multiple_of(CHUNK) {
            let last = self.chunks.len() - 1;
            self.chunk_mut(last).truncate(len % CHUNK);
        }
    }

    /// The elements as a plain vector.
    pub fn to_vec(&self) -> Vec<T> {
        self.iter().cloned().collect()
    }

    /// Chunk `c`, unshared: copied when another copy holds it.
    fn chunk_mut(&mut self, c: usize) -> &mut Vec<T> {
        let chunk = &mut self.chunks[c];
        if Rc::get_mut(chunk).is_none() {
            *chunk = Rc::new(chunk.to_vec());
        }
        Rc::get_mut(chunk).expect("just made unique")
    }
}

impl<T> CowVec<T> {
    /// Number of elements.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when there is no element.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The element at `i`.
    pub fn get(&self, i: usize) -> Option<&T> {
        self.chunks.get(i / CHUNK).and_then(|c| c.get(i % CHUNK))
    }

    /// The last element.
    pub fn last(&self) -> Option<&T> {
        self.chunks.last().and_then(|c| c.last())
    }

    /// The elements in order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &T> + '_ {
        self.chunks.iter().flat_map(|c| c.iter())
    }

    /// Heap bytes held, the chunks `earlier` shares left out (`None`: all). A copy and its original
    /// share every chunk until one of them writes, so summing this over a sequence of copies, each
    /// against the one before, counts every chunk once.
    pub fn bytes_beyond(&self, earlier: Option<&Self>) -> usize {
        let shared = |i: usize, c: &Rc<Vec<T>>| earlier.and_then(|e| e.chunks.get(i)).is_some_and(|e| Rc::ptr_eq(e, c));
        self.chunks.capacity() * size_of::<Rc<Vec<T>>>()
            + self
                .chunks
                .iter()
                .enumerate()
                .filter(|&(i, c)| !shared(i, c))
                .map(|(_, c)| size_of::<Vec<T>>() + 2 * size_of::<usize>() + c.capacity() * size_of::<T>())
                .sum::<usize>()
    }
}

impl<T> Index<usize> for CowVec<T> {
    type Output = T;
    fn index(&self, i: usize) -> &T {
        assert!(i < self.len, "index {i} out of range for length {}", self.len);
        &self.chunks[i / CHUNK][i % CHUNK]
    }
}

impl<T: Clone> IndexMut<usize> for CowVec<T> {
    fn index_mut(&mut self, i: usize) -> &mut T {
        let len = self.len;
        self.get_mut(i).unwrap_or_else(|| panic!("index {i} out of range for length {len}"))
    }
}

impl<'a, T> IntoIterator for &'a CowVec<T> {
    type Item = &'a T;
    type IntoIter = Box<dyn DoubleEndedIterator<Item = &'a T> + 'a>;
    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.iter())
    }
}

impl<T: PartialEq> PartialEq for CowVec<T> {
    fn eq(&self, other: &Self) -> bool {
        self.len == other.len && self.iter().eq(other.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behaves_like_a_vec_across_chunks() {
        let mut v = CowVec::new();
        let mut w = Vec::new();
        for i in 0..(3 * CHUNK + 5) {
            v.push(i);
            w.push(i);
        }
        assert_eq!(v.len(), w.len());
        assert!(v.iter().eq(w.iter()));
        assert_eq!(v[CHUNK], CHUNK);
        assert_eq!(v.last(), w.last());
        v[2 * CHUNK + 1] = 7;
        w[2 * CHUNK + 1] = 7;
        assert_eq!(v.to_vec(), w);
        assert_eq!(v.get(v.len()), None);
        assert_eq!(CowVec::from_elem(3u8, 5).to_vec(), vec![3; 5]);
    }

    #[test]
    fn copies_are_independent_and_share_until_written() {
        let mut a = CowVec::new();
        for i in 0..(2 * CHUNK + 10) {
            a.push(i as u64);
        }
        let b = a.clone();
        assert_eq!(b.bytes_beyond(Some(&a)), b.chunks.capacity() * size_of::<Rc<Vec<u64>>>(), "all shared");
        a[3] = 99;
        a.push(1);
        assert_eq!(b[3], 3, "the copy keeps its value");
        assert_eq!(b.len(), 2 * CHUNK + 10);
        assert_eq!(a[3], 99);
        // a now owns chunk 0 (written) and chunk 2 (appended to); chunk 1 is still shared.
        assert!(!Rc::ptr_eq(&a.chunks[0], &b.chunks[0]) && !Rc::ptr_eq(&a.chunks[2], &b.chunks[2]));
        assert!(Rc::ptr_eq(&a.chunks[1], &b.chunks[1]));
        let pointers = a.chunks.capacity() * size_of::<Rc<Vec<u64>>>();
        let chunk = |c: &Rc<Vec<u64>>| size_of::<Vec<u64>>() + 2 * size_of::<usize>() + c.capacity() * 8;
        assert_eq!(a.bytes_beyond(Some(&b)), pointers + chunk(&a.chunks[0]) + chunk(&a.chunks[2]));
        assert_eq!(a.bytes_beyond(None), pointers + a.chunks.iter().map(chunk).sum::<usize>());
        assert!(a.chunks.iter().all(|c| c.capacity() <= CHUNK), "chunks never grow past CHUNK");
    }

    #[test]
    fn truncate_cuts_like_a_vec_and_leaves_copies_alone() {
        for cut in [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK + 3, 5 * CHUNK] {
            let mut v = CowVec::new();
            let mut w = Vec::new();
            for i in 0..(2 * CHUNK + 7) {
                v.push(i);
                w.push(i);
            }
            let copy = v.clone();
            v.truncate(cut);
            w.truncate(cut);
            assert_eq!(v.to_vec(), w, "cut at {cut}");
            assert_eq!(v.len(), w.len());
            v.push(42);
            w.push(42);
            assert_eq!(v.to_vec(), w, "push after cut at {cut}");
            assert_eq!(copy.len(), 2 * CHUNK + 7, "the copy is untouched");
            assert!(copy.iter().copied().eq(0..2 * CHUNK + 7));
        }
    }

    #[test]
    #[should_panic(expected = "out of range")]
    fn indexing_past_the_end_panics() {
        let v: CowVec<u8> = CowVec::new();
        let _ = v[0];
    }
}
