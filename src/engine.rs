//! The discrete-event core: a clock, one event queue ordered by (time, insertion sequence), and
//! the loop that runs it ([`EventQueue::run_until`]): events at the same instant run in the
//! order they were scheduled, so every run is reproducible. It knows nothing of Kinesis: it is
//! generic over the event type, the only user of the heap, and calls nothing of the crate but
//! `units`. Also the random streams of model components ([`rng_stream`]).

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

/// A handler's handle on the queue: it asks for events at absolute times (scheduled at once, so
/// events asked for at the same time run in the order asked), and can neither pop nor look at
/// what is queued. An event before the clock is refused: not scheduled, and the run stops with
/// [`RunError::Past`] when the handler returns.
pub struct Agenda<'q, E> {
    queue: &'q mut EventQueue<E>,
    asked: usize,
    refused: Option<PastError>,
}

impl<E> Agenda<'_, E> {
    /// Ask for `event` at time `at` (never before the current event's time).
    #[inline]
    pub fn at(&mut self, at: SimTime, event: E) {
        self.asked += 1;
        if at < self.queue.now {
            self.refused.get_or_insert(PastError { at, now: self.queue.now });
        } else {
            self.queue.push(at, event);
        }
    }

    /// Events asked for through this agenda.
    pub fn len(&self) -> usize {
        self.asked
    }

    pub fn is_empty(&self) -> bool {
        self.asked == 0
    }

    /// Done asking: the first event refused, if any.
    pub fn close(self) -> Result<(), PastError> {
        self.refused.map_or(Ok(()), Err)
    }
}

/// Why [`EventQueue::run_until`] stopped before its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RunError {
    /// `cap` events ran and another was due (at `at` µs): the run-time guard against a run
    /// far longer than its caller expected.
    #[error("{cap} events ran, the cap, and more were due at {at} µs")]
    CapReached { cap: u64, at: SimTime },
    /// A handler asked for an event before the clock.
    #[error(transparent)]
    Past(#[from] PastError),
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

    /// An agenda to ask for events outside the loop (the first events of a run).
    pub fn agenda(&mut self) -> Agenda<'_, E> {
        Agenda { queue: self, asked: 0, refused: None }
    }

    /// Run the queue: pop every event due strictly before `end`, in (time, insertion) order,
    /// and hand it to `handler` with the clock's time and an [`Agenda`] for the events it
    /// schedules. Returns the number of events run; stops with [`RunError::CapReached`] when an
    /// event is due after `max_events` have run, and with [`RunError::Past`] when a handler
    /// asks for an event before the clock.
    pub fn run_until<F>(&mut self, end: SimTime, max_events: u64, mut handler: F) -> Result<u64, RunError>
    where
        F: FnMut(SimTime, E, &mut Agenda<'_, E>),
    {
        let mut ran = 0;
        while let Some((now, event)) = self.pop_before(end) {
            if ran == max_events {
                return Err(RunError::CapReached { cap: max_events, at: now });
            }
            ran += 1;
            let mut agenda = self.agenda();
            handler(now, event, &mut agenda);
            agenda.close()?;
        }
        Ok(ran)
    }

    /// Pop the next event if it is due strictly before `end`, advancing the clock to it.
    #[inline]
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

    /// The loop runs events in (time, insertion) order, a handler's events included: those it
    /// asks for at the current time run after everything already due then, in the order asked.
    #[test]
    fn run_until_keeps_equal_times_first_in_first_out() {
        let mut q = EventQueue::new();
        for e in ["a", "b", "c"] {
            q.schedule_at(5, e).unwrap();
        }
        q.schedule_at(2, "start").unwrap();
        let mut seen = vec![];
        let ran = q
            .run_until(100, 1_000, |now, e, fx| {
                seen.push((now, e));
                if e == "start" {
                    fx.at(5, "d");
                    fx.at(3, "e");
                    fx.at(5, "f");
                }
                if e == "a" {
                    fx.at(5, "g");
                    fx.at(200, "never");
                }
            })
            .unwrap();
        let order: Vec<&str> = seen.iter().map(|s| s.1).collect();
        assert_eq!(order, ["start", "e", "a", "b", "c", "d", "f", "g"]);
        assert!(seen.windows(2).all(|w| w[0].0 <= w[1].0), "{seen:?}");
        assert_eq!(ran, 8);
        assert_eq!(q.now(), 5);
        assert_eq!(q.len(), 1, "the event at the end or after it stays queued");
    }

    #[test]
    fn run_until_refuses_an_event_in_the_past() {
        let mut q = EventQueue::new();
        q.schedule_at(10, 1).unwrap();
        let err = q.run_until(100, 1_000, |_, _, fx| fx.at(9, 2)).unwrap_err();
        assert_eq!(err, RunError::Past(PastError { at: 9, now: 10 }));
        let mut fx = q.agenda();
        fx.at(10, 3);
        fx.at(4, 4);
        fx.at(11, 5);
        assert_eq!(fx.len(), 3);
        assert_eq!(fx.close(), Err(PastError { at: 4, now: 10 }));
        assert_eq!(q.pop_before(100), Some((10, 3)));
        assert_eq!(q.pop_before(100), Some((11, 5)), "the refused one is not scheduled");
    }

    /// A handler that always asks for another event would run forever: the cap stops it, and
    /// a run of exactly `max_events` events is not stopped.
    #[test]
    fn run_until_stops_at_the_cap() {
        let mut q = EventQueue::new();
        q.schedule_at(0, ()).unwrap();
        let err = q.run_until(u64::MAX, 50, |now, (), fx| fx.at(now + 1, ())).unwrap_err();
        assert_eq!(err, RunError::CapReached { cap: 50, at: 50 });
        assert!(err.to_string().contains("50 events"), "{err}");
        let mut q = EventQueue::new();
        for t in 0..50 {
            q.schedule_at(t, ()).unwrap();
        }
        assert_eq!(q.run_until(u64::MAX, 50, |_, (), _| {}), Ok(50));
        let mut q = EventQueue::new();
        q.schedule_at(0, ()).unwrap();
        assert_eq!(q.run_until(10, 0, |_, (), _| {}), Err(RunError::CapReached { cap: 0, at: 0 }));
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
