//! The discrete-event core: a clock and one event queue ordered by (time, insertion sequence),
//! so that events at the same instant run in the order they were scheduled and every run is
//! reproducible. It knows nothing of Kinesis; it is the only user of the heap.

use crate::units::SimTime;
use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// Time and insertion sequence packed into one integer: `time << 64 | seq`. Comparing one
/// `u128` is cheaper than comparing a tuple, and the order is the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Key(u128);

struct Entry<E> {
    key: Key,
    event: E,
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}
impl<E> Eq for Entry<E> {}
impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for Entry<E> {
    fn cmp(&self, other: &Self) -> Ordering {
        // BinaryHeap is a max-heap: reverse so the earliest (time, seq) pops first.
        other.key.cmp(&self.key)
    }
}

/// Scheduling at a time before the clock: a programming error in a model, never user input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("cannot schedule an event at {at} µs: the clock is already at {now} µs")]
pub struct PastError {
    pub at: SimTime,
    pub now: SimTime,
}

/// The event queue and the simulation clock.
pub struct EventQueue<E> {
    heap: BinaryHeap<Entry<E>>,
    seq: u64,
    now: SimTime,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> EventQueue<E> {
    pub fn new() -> Self {
        EventQueue { heap: BinaryHeap::new(), seq: 0, now: 0 }
    }

    /// The clock: time of the event popped last [µs].
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// Events waiting.
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    /// Schedule `event` `delay` µs from now. Cannot be in the past.
    pub fn schedule_in(&mut self, delay: SimTime, event: E) {
        let at = self.now.saturating_add(delay);
        self.push(at, event);
    }

    /// Schedule `event` at absolute time `at`; refuses the past.
    pub fn schedule_at(&mut self, at: SimTime, event: E) -> Result<(), PastError> {
        if at < self.now {
            return Err(PastError { at, now: self.now });
        }
        self.push(at, event);
        Ok(())
    }

    fn push(&mut self, at: SimTime, event: E) {
        let key = Key(((at as u128) << 64) | self.seq as u128);
        self.seq += 1;
        self.heap.push(Entry { key, event });
    }

    /// Pop the next event if it is due strictly before `end`, advancing the clock to it.
    pub fn pop_before(&mut self, end: SimTime) -> Option<(SimTime, E)> {
        let due = (self.heap.peek()?.key.0 >> 64) as SimTime;
        if due >= end {
            return None;
        }
        let entry = self.heap.pop()?;
        self.now = due;
        Some((due, entry.event))
    }
}

/// The random stream of one model component: derived from the scenario seed and the
/// component's stable label (e.g. `producer/app/arrivals`), so adding a component never changes
/// the draws of another.
pub fn rng_stream(seed: u64, label: &str) -> rand_pcg::Pcg64Mcg {
    use rand::SeedableRng;
    // FNV-1a of the label, mixed with the seed by SplitMix64's finaliser.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in label.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    let mut z = seed ^ h.rotate_left(32);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    rand_pcg::Pcg64Mcg::seed_from_u64(z)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ties_pop_in_insertion_order_and_time_never_goes_back() {
        let mut q = EventQueue::new();
        q.schedule_at(5, "b").unwrap();
        q.schedule_at(3, "a").unwrap();
        q.schedule_at(5, "c").unwrap();
        q.schedule_at(5, "d").unwrap();
        let mut order = vec![];
        let mut last = 0;
        while let Some((t, e)) = q.pop_before(u64::MAX) {
            assert!(t >= last);
            last = t;
            order.push(e);
        }
        assert_eq!(order, ["a", "b", "c", "d"]);
    }

    #[test]
    fn refuses_the_past_and_stops_at_the_horizon() {
        let mut q = EventQueue::new();
        q.schedule_at(10, 1).unwrap();
        q.schedule_at(20, 2).unwrap();
        assert_eq!(q.pop_before(15), Some((10, 1)));
        assert_eq!(q.pop_before(15), None);
        assert_eq!(q.schedule_at(9, 3), Err(PastError { at: 9, now: 10 }));
        q.schedule_in(0, 4);
        assert_eq!(q.pop_before(100), Some((10, 4)));
        assert_eq!(q.len(), 1);
    }
}
