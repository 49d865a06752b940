//! The mapping both YAML loaders build: go-yaml v2 decodes into a Go map, so keys are unique
//! and a repeated key replaces the earlier value in place; the order of first insertion is
//! kept for the JSON detour.

use super::decode::GoVal;
use std::collections::HashMap;

/// A mapping being decoded (a Go map): insertion order, a repeated key replaces the earlier value.
#[derive(Default)]
pub struct OrderedMap {
    items: Vec<(GoVal, GoVal)>,
    /// Key hash to position, built once a map outgrows a linear scan.
    index: HashMap<u64, usize>,
    /// Two different keys share a hash: lookups fall back to scanning.
    collided: bool,
}

/// Maps up to this size are searched linearly (most YAML mappings are small).
const LINEAR_KEYS: usize = 8;

/// Key identity as the decoder has always used it (the variant and its value, NaNs alike,
/// -0.0 apart from 0.0); keys are scalars here, compound keys are rejected before insertion.
fn same_key(a: &GoVal, b: &GoVal) -> bool {
    match (a, b) {
        (GoVal::Float(x), GoVal::Float(y)) => {
            x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan())
        }
        _ => a == b,
    }
}

fn key_hash(k: &GoVal) -> u64 {
    use std::hash::{BuildHasher, Hash, Hasher};
    let mut h = foldhash::fast::FixedState::with_seed(0x5eed).build_hasher();
    match k {
        GoVal::Nil => 0u8.hash(&mut h),
        GoVal::Bool(b) => (1u8, b).hash(&mut h),
        GoVal::Int(i) => (2u8, i).hash(&mut h),
        GoVal::Uint(u) => (3u8, u).hash(&mut h),
        GoVal::Float(f) => (4u8, if f.is_nan() { u64::MAX } else { f.to_bits() }).hash(&mut h),
        GoVal::Str(s) => (5u8, s.as_str()).hash(&mut h),
        GoVal::Seq(_) | GoVal::Map(_) => format!("{k:?}").hash(&mut h),
    }
    h.finish()
}

impl OrderedMap {
    fn position(&self, k: &GoVal, hash: Option<u64>) -> Option<usize> {
        match hash {
            Some(h) if !self.collided => self
                .index
                .get(&h)
                .copied()
                .filter(|&i| self.items.get(i).is_some_and(|(x, _)| same_key(x, k))),
            _ => self.items.iter().position(|(x, _)| same_key(x, k)),
        }
    }

    /// The entries in order.
    pub fn into_items(self) -> Vec<(GoVal, GoVal)> {
        self.items
    }

    /// Inserts `k`, replacing the value of an equal key.
    pub fn insert(&mut self, k: GoVal, v: GoVal) {
        let indexed = self.items.len() >= LINEAR_KEYS;
        if indexed && self.index.is_empty() {
            for (i, (key, _)) in self.items.iter().enumerate() {
                if self.index.insert(key_hash(key), i).is_some() {
                    self.collided = true;
                }
            }
        }
        let hash = indexed.then(|| key_hash(&k));
        match self.position(&k, hash) {
            Some(i) => {
                if let Some(slot) = self.items.get_mut(i) {
                    slot.1 = v;
                }
            }
            None => {
                if let Some(h) = hash {
                    if self.index.insert(h, self.items.len()).is_some() {
                        self.collided = true;
                    }
                }
                self.items.push((k, v));
            }
        }
    }
}
