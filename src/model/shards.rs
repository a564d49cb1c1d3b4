//! The stream's shards: the map of the open ones, every shard ever opened (its hash range,
//! parents, when it opened and closed for writes, its share of the keys), and how each
//! producer's partition keys fall on the map. The map changes here (uniform resharding,
//! on-demand splits and merges, asked for by `capacity`), and each change comes back as a
//! [`MapChange`] for the rest of the world. Calls `hashing`, `keys` and `split`.

use crate::metrics::ShardTotals;
use crate::model::ahead::Remap;
use crate::model::hashing::{shard_id_string, HashRange, ShardMap};
use crate::model::keys::KeySpace;
use crate::model::producer::Target;
use crate::model::split::Splitter;
use crate::scenario::Scenario;
use crate::units::{to_secs_f64, SimTime};
use std::ops::Range;

/// A change of the shard map, for those who keep state by shard id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapChange {
    /// Shards closed for writes (they stay readable).
    pub closed: Vec<u32>,
    /// Shards opened: ids after every id known before.
    pub opened: Range<u32>,
    /// Open shards after the change.
    pub open: u32,
}

/// A shard ever opened in the run.
#[derive(Debug, Clone)]
struct Opened {
    range: HashRange,
    parents: Vec<u32>,
    opened_at: SimTime,
    closed_at: Option<SimTime>,
    /// Traffic-weighted share of keys while it was open.
    key_share: f64,
}

pub struct Shards {
    map: ShardMap,
    /// Every shard ever opened, by id.
    ever: Vec<Opened>,
    /// Each producer's partition keys.
    keys: Vec<KeySpace>,
    /// Each producer's expected volume over the run, to weight key shares.
    volumes: Vec<f64>,
    /// By producer, by position on the map: the share of its records, and their mean key
    /// length [bytes].
    shares: Vec<Vec<f64>>,
    mean_key_len: Vec<Vec<f64>>,
    /// Most shards open at once.
    max_open: u32,
}

impl Shards {
    /// The stream's initial shards (splitting the key space equally) and every producer's keys.
    pub fn new(scenario: &Scenario) -> Self {
        let n = scenario.stream.shards;
        let map = ShardMap::uniform(n);
        let keys: Vec<KeySpace> = scenario.producers.iter().map(|p| KeySpace::new(&p.keys)).collect();
        let (shares, mean_key_len) = keys.iter().map(|k| k.shard_shares(&map)).unzip();
        let mut shards = Shards {
            map,
            ever: Vec::new(),
            keys,
            volumes: scenario.producers.iter().map(|p| p.rate.integral(0, scenario.duration)).collect(),
            shares,
            mean_key_len,
            max_open: n,
        };
        shards.register_new(0, &[]);
        shards
    }

    /// The open shards.
    pub fn map(&self) -> &ShardMap {
        &self.map
    }

    /// Open shards.
    pub fn open(&self) -> u32 {
        self.map.len() as u32
    }

    /// Shards ever opened: every id is below this.
    pub fn count(&self) -> usize {
        self.ever.len()
    }

    /// Most shards open at once so far.
    pub fn max_open(&self) -> u32 {
        self.max_open
    }

    /// Producer `p`'s partition keys.
    pub fn keys(&self, p: usize) -> &KeySpace {
        &self.keys[p]
    }

    /// Producer `p`'s share of records on each open shard (by position), and their mean key
    /// length there.
    pub fn shares(&self, p: usize) -> (&[f64], &[f64]) {
        (&self.shares[p], &self.mean_key_len[p])
    }

    /// Shard `id`'s traffic-weighted share of keys.
    pub fn key_share(&self, id: u32) -> f64 {
        self.ever[id as usize].key_share
    }

    /// The shards shard `id` was split or merged from.
    pub fn parents(&self, id: u32) -> &[u32] {
        &self.ever[id as usize].parents
    }

    /// The shard a cohort goes to now.
    #[inline]
    pub fn shard_for(&self, target: Target) -> u32 {
        match target {
            Target::Hash(h) => self.map.shard_of(h),
            // A cohort drawn for a shard that has since closed goes to the open shard holding
            // the middle of the closed shard's range (aggregated mode only; documented).
            Target::Shard(id) if self.ever[id as usize].closed_at.is_some() => {
                let r = self.ever[id as usize].range;
                self.map.shard_of(r.start + (r.end - r.start) / 2)
            }
            Target::Shard(id) => id,
        }
    }

    /// Uniform scaling done (`UpdateShardCount` to `target`): the new open shards split the
    /// key space equally; the old ones close for writes (they stay readable until retention
    /// expires) and are the parents of the children whose ranges overlap theirs.
    pub fn reshard_uniform(&mut self, now: SimTime, target: u32) -> MapChange {
        let first_id = self.ever.len() as u32;
        let old = std::mem::replace(&mut self.map, ShardMap::uniform_from(target, first_id));
        let parents: Vec<Vec<u32>> = self
            .map
            .ranges()
            .iter()
            .map(|r| {
                old.ranges()
                    .iter()
                    .zip(old.shard_ids())
                    .filter(|(o, _)| o.start <= r.end && r.start <= o.end)
                    .map(|(_, id)| *id)
                    .collect()
            })
            .collect();
        self.close_and_open(now, old.shard_ids(), &parents)
    }

    /// Split open shard `id` into two children with the halves of its range; `None` if it is
    /// not open.
    pub fn split(&mut self, now: SimTime, id: u32) -> Option<MapChange> {
        let pos = self.map.position_of_id(id)?;
        let first = self.ever.len() as u32;
        self.map.split(pos, first, first + 1);
        let mut parents = vec![Vec::new(); self.map.len()];
        parents[pos] = vec![id];
        parents[pos + 1] = vec![id];
        Some(self.close_and_open(now, &[id], &parents))
    }

    /// Merge the adjacent open shards at positions `pos` and `pos + 1` into one.
    pub fn merge(&mut self, now: SimTime, pos: usize) -> MapChange {
        let (a, b) = (self.map.shard_ids()[pos], self.map.shard_ids()[pos + 1]);
        let id = self.ever.len() as u32;
        self.map.merge(pos, id);
        let mut parents = vec![Vec::new(); self.map.len()];
        parents[pos] = vec![a, b];
        self.close_and_open(now, &[a, b], &parents)
    }

    /// The map has changed: close `closed`, recompute the producers' shares, register the new
    /// shards (with `parents_of` by map position).
    fn close_and_open(&mut self, now: SimTime, closed: &[u32], parents_of: &[Vec<u32>]) -> MapChange {
        for id in closed {
            self.ever[*id as usize].closed_at = Some(now);
        }
        for (p, keys) in self.keys.iter().enumerate() {
            (self.shares[p], self.mean_key_len[p]) = keys.shard_shares(&self.map);
        }
        let known = self.ever.len() as u32;
        self.register_new(now, parents_of);
        let open = self.open();
        self.max_open = self.max_open.max(open);
        MapChange { closed: closed.to_vec(), opened: known..self.ever.len() as u32, open }
    }

    /// Register the shards of the map not known yet (all of them at start, the children after a
    /// change), with their parents and their share of the keys.
    fn register_new(&mut self, now: SimTime, parents_of: &[Vec<u32>]) {
        let total: f64 = self.volumes.iter().sum::<f64>().max(f64::MIN_POSITIVE);
        for (pos, (r, id)) in self.map.ranges().iter().zip(self.map.shard_ids()).enumerate() {
            if (*id as usize) < self.ever.len() {
                continue;
            }
            let key_share =
                self.shares.iter().zip(&self.volumes).map(|(s, v)| s[pos] * v).sum::<f64>() / total;
            self.ever.push(Opened {
                range: *r,
                parents: parents_of.get(pos).cloned().unwrap_or_default(),
                opened_at: now,
                closed_at: None,
                key_share,
            });
        }
    }

    /// Each producer's split over the open shards, for the draws of aggregated mode's ticks.
    pub fn remap(&self) -> Remap {
        Remap {
            splits: self.shares.iter().map(|s| Splitter::new(s.clone())).collect(),
            mean_key_len: self.mean_key_len.clone(),
        }
    }

    /// Every shard's identity at the end of the run, by id; the metrics add its counters.
    pub fn meta(&self) -> Vec<ShardTotals> {
        self.ever
            .iter()
            .enumerate()
            .map(|(id, s)| ShardTotals {
                shard_id: shard_id_string(id as u32),
                starting_hash_key: s.range.start,
                ending_hash_key: s.range.end,
                key_share: s.key_share,
                parent_shard_ids: s.parents.iter().map(|p| shard_id_string(*p)).collect(),
                opened_at_s: to_secs_f64(s.opened_at),
                closed_at_s: s.closed_at.map(to_secs_f64),
                ..ShardTotals::default()
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::units::secs;

    fn shards(n: u32) -> Shards {
        let text = format!(
            "name = \"s\"\nduration = \"1h\"\n[stream]\nshards = {n}\n[[producers]]\nname = \"p\"\nrate = 100\nrecord_size = \"100B\"\n\
             keys = {{ distribution = \"uniform\", count = 1000 }}\n"
        );
        Shards::new(&crate::scenario::parse_str(&text, None).unwrap())
    }

    #[test]
    fn uniform_resharding_closes_the_old_shards_and_links_overlapping_parents() {
        let mut s = shards(2);
        let ch = s.reshard_uniform(secs(60), 3);
        assert_eq!(ch, MapChange { closed: vec![0, 1], opened: 2..5, open: 3 });
        assert_eq!((s.parents(2), s.parents(3), s.parents(4)), (&[0][..], &[0, 1][..], &[1][..]));
        assert_eq!((s.open(), s.count(), s.max_open()), (3, 5, 3));
        let meta = s.meta();
        assert_eq!(meta[0].closed_at_s, Some(60.0));
        assert_eq!(meta[3].parent_shard_ids, ["shardId-000000000000", "shardId-000000000001"]);
        assert!((meta[2..].iter().map(|m| m.key_share).sum::<f64>() - 1.0).abs() < 1e-9);
    }

    #[test]
    fn a_split_and_a_merge_change_ids_ranges_and_shares() {
        let mut s = shards(2);
        let ch = s.split(secs(1), 1).unwrap();
        assert_eq!(ch, MapChange { closed: vec![1], opened: 2..4, open: 3 });
        assert_eq!(s.map().shard_ids(), [0, 2, 3]);
        assert!((s.key_share(2) + s.key_share(3) - s.key_share(1)).abs() < 1e-9);
        assert_eq!(s.shares(0).0.len(), 3);
        assert!(s.split(secs(2), 1).is_none(), "shard 1 is closed");
        let ch = s.merge(secs(3), 1);
        assert_eq!(ch, MapChange { closed: vec![2, 3], opened: 4..5, open: 2 });
        assert_eq!(s.map().shard_ids(), [0, 4]);
        assert_eq!(s.max_open(), 3);
        // A cohort drawn for a closed shard goes to the open shard holding its range's middle.
        assert_eq!(s.shard_for(Target::Shard(1)), 4);
        assert_eq!(s.shard_for(Target::Shard(0)), 0);
        assert_eq!(s.shard_for(Target::Hash(0)), 0);
    }
}
