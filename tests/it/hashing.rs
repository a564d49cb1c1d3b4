//! Hash keys and shard placement against reference vectors from independent Kinesis
//! implementations (tests/data, copied from shared/testdata).
//! Rule: hash key = MD5(UTF-8 key) as big-endian u128; shard = the open shard whose inclusive
//! [StartingHashKey, EndingHashKey] contains it; N new shards split 2^128 with step 2^128 div N.
//! Source: https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecord.html

use kinesim::model::hashing::{hash_key, uniform_ranges, ShardMap};
use std::path::Path;

fn rows(file: &str) -> Vec<Vec<String>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(file);
    let mut r = csv::Reader::from_path(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    r.records().map(|rec| rec.unwrap().iter().map(str::to_string).collect()).collect()
}

#[test]
fn hash_ranges_equal_reference_vectors() {
    let rows = rows("hash-ranges.csv");
    assert!(rows.len() > 100);
    for row in rows {
        let n: u32 = row[0].parse().unwrap();
        let i: usize = row[1].parse().unwrap();
        let r = uniform_ranges(n)[i];
        assert_eq!(r.start.to_string(), row[2], "start of shard {i} of {n}");
        assert_eq!(r.end.to_string(), row[3], "end of shard {i} of {n}");
    }
}

#[test]
fn key_placement_equals_reference_vectors() {
    let rows = rows("key-to-shard.csv");
    assert!(rows.len() >= 400);
    for row in rows {
        let h = hash_key(&row[0]);
        assert_eq!(h.to_string(), row[1], "hash key of {:?}", row[0]);
        let n: u32 = row[2].parse().unwrap();
        assert_eq!(ShardMap::uniform(n).shard_of(h).to_string(), row[3], "shard of {:?} among {n}", row[0]);
    }
}

#[test]
fn placement_follows_a_new_shard_map() {
    // The same keys on a map of another size land where that map's ranges say. For N a power
    // of two, 2^128 div 2N is exactly half of 2^128 div N, so the ranges nest and doubling the
    // shard count sends a key from shard i to shard 2i or 2i + 1 (what a uniform split does).
    for row in rows("key-to-shard.csv") {
        let h = hash_key(&row[0]);
        for n in [1u32, 2, 4, 8, 16, 32] {
            let small = ShardMap::uniform(n).shard_of(h);
            let big = ShardMap::uniform(2 * n).shard_of(h);
            assert!(big == 2 * small || big == 2 * small + 1, "{:?}: {n} -> {}", row[0], 2 * n);
            let range = ShardMap::uniform(2 * n).ranges()[big as usize];
            assert!(range.contains(h));
        }
    }
}

/// SHA-256 of the reference files as copied from `shared/testdata/` (the row counts are checked
/// by the tests above). The copies in `tests/data/` are this suite's prerequisite and are part of
/// every checkout; the shared folder sits outside the repository (a clean CI checkout has none).
const REFERENCE_SHA256: [(&str, &str); 2] = [
    ("hash-ranges.csv", "1c972871118e5b7c77f8ef124a618d1342b437afd3bc9b00ef8d7da988be60d2"),
    ("key-to-shard.csv", "e02898e011e04b15733bf8e61c103946dbbaa0e2e76e446d5b545f28d7d6a6a4"),
];

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn copies_match_the_shared_reference() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // The copies: always present, so this part always runs (and fails if a copy was edited).
    for (f, sum) in REFERENCE_SHA256 {
        let path = root.join("tests/data").join(f);
        let ours = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(sha256_hex(&ours), sum, "tests/data/{f} is no longer the copied reference");
    }
    // The shared folder, when this checkout sits beside it: the reference has not moved on.
    let shared = root.join("../shared/testdata");
    if !shared.is_dir() {
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "note: {} is not beside this checkout; the copies in tests/data were checked by hash",
            shared.display()
        );
        return;
    }
    for (f, sum) in REFERENCE_SHA256 {
        let theirs = std::fs::read(shared.join(f)).unwrap();
        assert_eq!(
            sha256_hex(&theirs),
            sum,
            "shared/testdata/{f} changed: copy it to tests/data and update the hash"
        );
    }
}
