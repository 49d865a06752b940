//! The map behind [`Value::Map`](super::Value::Map): entries kept sorted by key, with a hash
//! index for lookups.
//!
//! Go never preserves insertion order; every place that iterates a map (`range`, `fmt`,
//! `toJson`, `toYaml`) walks the keys in sorted order, so the entries are kept sorted. Templates
//! read maps far more often than they iterate them (`.Values.a.b.c` is one lookup per level),
//! and a hashed lookup is a hash of the key and one comparison, where a search tree compares the
//! key with several others. Building a map from an iterator (the YAML and JSON loaders) sorts
//! once; inserting in key order appends.

use super::value::Value;
use indexmap::IndexMap;
use std::fmt;

/// Fixed hash seeds: lookups only, iteration order never depends on the hash.
type Hasher = foldhash::fast::FixedState;

/// A string-keyed map that iterates in key order (Go's sorted view of `map[string]interface{}`).
#[derive(Clone, Default)]
pub struct Map {
    entries: IndexMap<String, Value, Hasher>,
}

/// Iterator over `(&key, &value)` in key order.
pub type Iter<'a> = indexmap::map::Iter<'a, String, Value>;
/// Iterator over `(&key, &mut value)` in key order.
pub type IterMut<'a> = indexmap::map::IterMut<'a, String, Value>;
/// Owning iterator in key order.
pub type IntoIter = indexmap::map::IntoIter<String, Value>;

impl Map {
    /// An empty map.
    pub fn new() -> Map {
        Map::default()
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the map has no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The value at `key`.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.entries.get(key)
    }

    /// The stored key and value at `key`.
    pub fn get_key_value(&self, key: &str) -> Option<(&String, &Value)> {
        self.entries.get_key_value(key)
    }

    /// The value at `key`, mutable.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Value> {
        self.entries.get_mut(key)
    }

    /// Whether `key` is present.
    pub fn contains_key(&self, key: &str) -> bool {
        self.entries.contains_key(key)
    }

    /// Sets `key` to `value`, returning the previous value.
    pub fn insert(&mut self, key: String, value: Value) -> Option<Value> {
        if let Some(slot) = self.entries.get_mut(key.as_str()) {
            return Some(std::mem::replace(slot, value));
        }
        let after_last = self
            .entries
            .last()
            .is_none_or(|(last, _)| last.as_str() < key.as_str());
        if after_last {
            self.entries.insert(key, value);
        } else {
            let at = self
                .entries
                .binary_search_keys(&key)
                .unwrap_or_else(|at| at);
            self.entries.shift_insert(at, key, value);
        }
        None
    }

    /// Removes `key`, returning its value.
    pub fn remove(&mut self, key: &str) -> Option<Value> {
        self.entries.shift_remove(key)
    }

    /// Removes every entry.
    pub fn clear(&mut self) {
        self.entries.clear();
    }

    /// Keeps the entries for which `keep` returns true.
    pub fn retain(&mut self, mut keep: impl FnMut(&String, &mut Value) -> bool) {
        self.entries.retain(|k, v| keep(k, v));
    }

    /// Entries in key order.
    pub fn iter(&self) -> Iter<'_> {
        self.entries.iter()
    }

    /// Entries in key order, values mutable.
    pub fn iter_mut(&mut self) -> IterMut<'_> {
        self.entries.iter_mut()
    }

    /// Keys in order.
    pub fn keys(&self) -> indexmap::map::Keys<'_, String, Value> {
        self.entries.keys()
    }

    /// Values in key order.
    pub fn values(&self) -> indexmap::map::Values<'_, String, Value> {
        self.entries.values()
    }

    /// Values in key order, mutable.
    pub fn values_mut(&mut self) -> indexmap::map::ValuesMut<'_, String, Value> {
        self.entries.values_mut()
    }

    /// The first entry in key order.
    pub fn first_key_value(&self) -> Option<(&String, &Value)> {
        self.entries.first()
    }

    /// The last entry in key order.
    pub fn last_key_value(&self) -> Option<(&String, &Value)> {
        self.entries.last()
    }
}

impl Map {
    /// Empties the map, returning its values.
    pub(crate) fn take_values(&mut self) -> Vec<Value> {
        std::mem::take(&mut self.entries).into_values().collect()
    }
}

impl Drop for Map {
    fn drop(&mut self) {
        if self.entries.values().any(Value::is_composite) {
            super::value::drop_flat(self.take_values());
        }
    }
}

impl Extend<(String, Value)> for Map {
    /// Adds the entries (a later duplicate key wins, as with repeated inserts), then restores
    /// key order with one sort instead of one shifted insert per key.
    fn extend<I: IntoIterator<Item = (String, Value)>>(&mut self, iter: I) {
        let before = self.entries.len();
        let iter = iter.into_iter();
        self.entries.reserve(iter.size_hint().0);
        for (k, v) in iter {
            self.entries.insert(k, v);
        }
        let appended = self.entries.get_range(before.saturating_sub(1)..);
        let in_order = appended.is_none_or(|tail| {
            tail.keys()
                .zip(tail.keys().skip(1))
                .all(|(a, b)| a.as_str() < b.as_str())
        });
        if !in_order {
            self.entries.sort_unstable_keys();
        }
    }
}

impl FromIterator<(String, Value)> for Map {
    fn from_iter<I: IntoIterator<Item = (String, Value)>>(iter: I) -> Map {
        let mut m = Map::new();
        m.extend(iter);
        m
    }
}

impl<const N: usize> From<[(String, Value); N]> for Map {
    fn from(entries: [(String, Value); N]) -> Map {
        entries.into_iter().collect()
    }
}

impl IntoIterator for Map {
    type Item = (String, Value);
    type IntoIter = IntoIter;
    fn into_iter(mut self) -> IntoIter {
        std::mem::take(&mut self.entries).into_iter()
    }
}

impl<'a> IntoIterator for &'a Map {
    type Item = (&'a String, &'a Value);
    type IntoIter = Iter<'a>;
    fn into_iter(self) -> Iter<'a> {
        self.entries.iter()
    }
}

impl<'a> IntoIterator for &'a mut Map {
    type Item = (&'a String, &'a mut Value);
    type IntoIter = IterMut<'a>;
    fn into_iter(self) -> IterMut<'a> {
        self.entries.iter_mut()
    }
}

impl fmt::Debug for Map {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.entries.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(m: &Map) -> Vec<&str> {
        m.keys().map(String::as_str).collect()
    }

    #[test]
    fn inserts_keep_key_order() {
        let mut m = Map::new();
        for k in ["b", "d", "a", "c", "e", "a"] {
            m.insert(k.to_string(), Value::str(k));
        }
        assert_eq!(keys(&m), ["a", "b", "c", "d", "e"]);
        assert_eq!(
            m.insert("c".into(), Value::Int(1))
                .and_then(|v| v.as_str().map(String::from)),
            Some("c".into())
        );
        assert!(matches!(m.get("c"), Some(Value::Int(1))));
        assert!(m.remove("b").is_some());
        assert_eq!(keys(&m), ["a", "c", "d", "e"]);
        assert!(m.get("b").is_none() && m.contains_key("d"));
    }

    #[test]
    fn collecting_sorts_once_and_last_duplicate_wins() {
        let m: Map = [("z", 1), ("m", 2), ("a", 3), ("m", 4)]
            .into_iter()
            .map(|(k, v)| (k.to_string(), Value::Int(v)))
            .collect();
        assert_eq!(keys(&m), ["a", "m", "z"]);
        assert!(matches!(m.get("m"), Some(Value::Int(4))));
        let mut grown = m.clone();
        grown.extend([
            ("b".to_string(), Value::Nil),
            ("zz".to_string(), Value::Nil),
        ]);
        assert_eq!(keys(&grown), ["a", "b", "m", "z", "zz"]);
        // Byte order, as Go's sort.Strings: upper case before lower case, "a" before "a0".
        let m: Map = ["a0", "B", "a", "_", "é"]
            .into_iter()
            .map(|k| (k.to_string(), Value::Nil))
            .collect();
        assert_eq!(keys(&m), ["B", "_", "a", "a0", "é"]);
    }

    #[test]
    fn order_independent_equality() {
        let a: Map = [
            ("x".to_string(), Value::Int(1)),
            ("y".to_string(), Value::Int(2)),
        ]
        .into();
        let mut b = Map::new();
        b.insert("y".into(), Value::Int(2));
        b.insert("x".into(), Value::Int(1));
        assert_eq!(format!("{a:?}"), format!("{b:?}"));
        assert_eq!(a.len(), 2);
    }
}
