//! Partition keys to hash keys to shards, exactly as Kinesis does.
//!
//! Hash key = MD5 of the partition key's UTF-8 bytes read as a big-endian unsigned 128-bit
//! integer (PutRecord API reference:
//! https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecord.html). A record goes to
//! the open shard whose inclusive `[StartingHashKey, EndingHashKey]` contains it. A new stream of
//! N shards splits the key space with `step = 2^128 div N` (as kinesalite; AWS's own 3-shard
//! example matches). Verified against `tests/data/` (vectors from independent Kinesis
//! implementations).
//!
//! Owns the shard map's ranges and ids; calls nothing of the model.

use md5::{Digest, Md5};

/// MD5 of the UTF-8 partition key as a big-endian `u128`.
pub fn hash_key(partition_key: &str) -> u128 {
    hash_bytes(partition_key.as_bytes())
}

/// MD5 of raw bytes as a big-endian `u128`.
pub fn hash_bytes(bytes: &[u8]) -> u128 {
    let digest: [u8; 16] = Md5::digest(bytes).into();
    u128::from_be_bytes(digest)
}

/// An inclusive hash-key range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashRange {
    pub start: u128,
    pub end: u128,
}

impl HashRange {
    /// Fraction of the whole key space [0, 1].
    pub fn width_fraction(&self) -> f64 {
        (self.end - self.start) as f64 / u128::MAX as f64 + 1.0 / (u128::MAX as f64 + 1.0)
    }
    pub fn contains(&self, h: u128) -> bool {
        self.start <= h && h <= self.end
    }
}

/// `2^128 div n` without overflowing (n >= 2; one shard covers everything).
fn step(n: u32) -> u128 {
    if n <= 1 {
        return u128::MAX;
    }
    let n = n as u128;
    // 2^128 = u128::MAX + 1, so 2^128 div n = MAX div n, plus one when n divides 2^128.
    u128::MAX / n + u128::from(u128::MAX % n == n - 1)
}

/// The ranges of a new stream of `n` shards (n >= 1): shard i = `[i*step, (i+1)*step - 1]`, the
/// last ending at `2^128 - 1`.
pub fn uniform_ranges(n: u32) -> Vec<HashRange> {
    assert!(n >= 1, "a stream has at least one shard");
    let s = step(n);
    (0..n)
        .map(|i| {
            let start = s * i as u128;
            let end = if i + 1 == n { u128::MAX } else { s * (i as u128 + 1) - 1 };
            HashRange { start, end }
        })
        .collect()
}

/// The open shards of a stream and their ranges, sorted by starting hash key; they partition
/// `[0, 2^128)`.
#[derive(Debug, Clone, PartialEq)]
pub struct ShardMap {
    ranges: Vec<HashRange>,
    /// Shard index (into the stream's list of all shards ever opened) of each range.
    shards: Vec<u32>,
}

impl ShardMap {
    /// A new stream of `n` shards, numbered 0..n.
    pub fn uniform(n: u32) -> Self {
        Self::uniform_from(n, 0)
    }

    /// `n` shards splitting the key space equally, numbered from `first_id` (uniform scaling
    /// with `UpdateShardCount` opens new shards with new ids).
    pub fn uniform_from(n: u32, first_id: u32) -> Self {
        ShardMap { ranges: uniform_ranges(n), shards: (first_id..first_id + n).collect() }
    }

    pub fn len(&self) -> usize {
        self.ranges.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    pub fn ranges(&self) -> &[HashRange] {
        &self.ranges
    }

    pub fn shard_ids(&self) -> &[u32] {
        &self.shards
    }

    /// Position of the open shard `id`, if it is open.
    pub fn position_of_id(&self, id: u32) -> Option<usize> {
        self.shards.iter().position(|s| *s == id)
    }

    /// Split the shard at `pos` into two children with the halves of its range (as on-demand
    /// scaling does: "the parent shard's hash key values are redistributed evenly").
    pub fn split(&mut self, pos: usize, left_id: u32, right_id: u32) {
        let r = self.ranges[pos];
        let mid = r.start + (r.end - r.start) / 2;
        self.ranges[pos] = HashRange { start: r.start, end: mid };
        self.ranges.insert(pos + 1, HashRange { start: mid + 1, end: r.end });
        self.shards[pos] = left_id;
        self.shards.insert(pos + 1, right_id);
    }

    /// Merge the adjacent shards at `pos` and `pos + 1` into one shard `id`.
    pub fn merge(&mut self, pos: usize, id: u32) {
        let end = self.ranges[pos + 1].end;
        self.ranges[pos].end = end;
        self.ranges.remove(pos + 1);
        self.shards[pos] = id;
        self.shards.remove(pos + 1);
    }

    /// Position (0..len) of the open shard whose range contains `hash`.
    pub fn position_of(&self, hash: u128) -> usize {
        // The last range whose start <= hash. Ranges start at 0, so there is one.
        self.ranges.partition_point(|r| r.start <= hash) - 1
    }

    /// Shard index of the open shard whose range contains `hash`.
    pub fn shard_of(&self, hash: u128) -> u32 {
        self.shards[self.position_of(hash)]
    }
}

/// The `ShardId` Kinesis gives shard `index`: `shardId-000000000000`.
pub fn shard_id_string(index: u32) -> String {
    format!("shardId-{index:012}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn md5_hash_key_of_known_strings() {
        // MD5("") = d41d8cd98f00b204e9800998ecf8427e (RFC 1321 test suite).
        assert_eq!(hash_key(""), 0xd41d8cd98f00b204e9800998ecf8427e);
        // MD5("a") = 0cc175b9c0f1b6a831c399e269772661 (RFC 1321 test suite).
        assert_eq!(hash_key("a"), 0x0cc175b9c0f1b6a831c399e269772661);
    }

    #[test]
    fn ranges_partition_the_key_space() {
        for n in [1, 2, 3, 4, 7, 64, 1000, 10_000] {
            let r = uniform_ranges(n);
            assert_eq!(r[0].start, 0);
            assert_eq!(r.last().unwrap().end, u128::MAX);
            for w in r.windows(2) {
                assert_eq!(w[0].end + 1, w[1].start, "n={n}");
            }
            let total: f64 = r.iter().map(HashRange::width_fraction).sum();
            assert!((total - 1.0).abs() < 1e-9);
        }
    }

    #[test]
    fn placement_is_by_inclusive_range() {
        let m = ShardMap::uniform(4);
        let r = m.ranges()[1];
        assert_eq!(m.shard_of(r.start), 1);
        assert_eq!(m.shard_of(r.end), 1);
        assert_eq!(m.shard_of(r.end + 1), 2);
        assert_eq!(m.shard_of(0), 0);
        assert_eq!(m.shard_of(u128::MAX), 3);
        assert_eq!(shard_id_string(7), "shardId-000000000007");
    }

    #[test]
    fn split_and_merge_keep_a_partition() {
        let mut m = ShardMap::uniform(2);
        m.split(0, 2, 3);
        assert_eq!(m.shard_ids(), [2, 3, 1]);
        assert_eq!(m.ranges()[0].end + 1, m.ranges()[1].start);
        assert_eq!(m.ranges()[1].end + 1, m.ranges()[2].start);
        assert_eq!(m.ranges()[0].start, 0);
        // Halving [0, 2^127 - 1] gives [0, 2^126 - 1] and [2^126, 2^127 - 1].
        assert_eq!(m.ranges()[1].start, 1u128 << 126);
        m.merge(1, 4);
        assert_eq!(m.shard_ids(), [2, 4]);
        assert_eq!(m.ranges()[1], HashRange { start: 1u128 << 126, end: u128::MAX });
        assert_eq!(m.position_of_id(4), Some(1));
        assert_eq!(m.position_of_id(3), None);
    }
}
