//! go-yaml's "natural" map key order (`sorter.go` `keyList.Less`) for string keys: letters
//! compare by code point, a non-letter sorts before a letter, and digit runs compare as
//! numbers (`a2` < `a10`, `_x` < `1x`).

use std::cmp::Ordering;

fn is_letter(c: char) -> bool {
    c.is_alphabetic()
}

fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || (!c.is_ascii() && c.is_numeric())
}

/// go-yaml v2's `keyList.Less` for two string keys.
pub fn natural_less(a: &str, b: &str) -> bool {
    let ar: Vec<char> = a.chars().collect();
    let br: Vec<char> = b.chars().collect();
    natural_less_chars(&ar, &br, false)
}

/// [`natural_less`] on keys already split into chars. `v3` selects go-yaml v3's variant:
/// after a digit, a letter sorts before a non-letter (`1a` < `1.`), the reverse of v2.
fn natural_less_chars(ar: &[char], br: &[char], v3: bool) -> bool {
    let mut digits = false;
    for i in 0..ar.len().min(br.len()) {
        let (ac, bc) = (ar[i], br[i]);
        if ac == bc {
            digits = is_digit(ac);
            continue;
        }
        let (al, bl) = (is_letter(ac), is_letter(bc));
        if al && bl {
            return ac < bc;
        }
        if al || bl {
            return if v3 && digits { al } else { bl };
        }
        let (mut an, mut bn): (i64, i64) = (0, 0);
        if ac == '0' || bc == '0' {
            // A zero continuing a number that has a non-zero digit before it counts as part
            // of that number (go-yaml seeds both accumulators with 1).
            let mut j = i;
            while j > 0 && is_digit(ar[j - 1]) {
                j -= 1;
                if ar[j] != '0' {
                    an = 1;
                    bn = 1;
                    break;
                }
            }
        }
        let mut ai = i;
        while ai < ar.len() && is_digit(ar[ai]) {
            an = an
                .wrapping_mul(10)
                .wrapping_add(i64::from(ar[ai] as u32).wrapping_sub('0' as i64));
            ai += 1;
        }
        let mut bi = i;
        while bi < br.len() && is_digit(br[bi]) {
            bn = bn
                .wrapping_mul(10)
                .wrapping_add(i64::from(br[bi] as u32).wrapping_sub('0' as i64));
            bi += 1;
        }
        if an != bn {
            return an < bn;
        }
        if ai != bi {
            return ai < bi;
        }
        return ac < bc;
    }
    ar.len() < br.len()
}

/// Sorts keys in go-yaml v2 order (see [`sort_keys_with`]).
pub fn sort_keys<T, F: Fn(&T) -> &str>(items: &mut Vec<T>, key: F) {
    sort_keys_with(items, key, false);
}

/// Sorts keys in go-yaml order (`v3` for go-yaml v3's variant). A merge sort driven only by
/// `less`, so an inconsistent comparison can never panic (std's sort may panic on a
/// non-total order). go-yaml's order is not transitive for some key sets, where Go's result
/// depends on random map iteration; any order is then as good as Helm's.
pub fn sort_keys_with<T, F: Fn(&T) -> &str>(items: &mut Vec<T>, key: F, v3: bool) {
    let n = items.len();
    if n < 2 {
        return;
    }
    let mut v: Vec<Option<T>> = items.drain(..).map(Some).collect();
    // Split every key once instead of on every comparison.
    let chars: Vec<Vec<char>> = v
        .iter()
        .map(|x| {
            x.as_ref()
                .map(|x| key(x).chars().collect())
                .unwrap_or_default()
        })
        .collect();
    let mut order: Vec<usize> = (0..n).collect();
    let mut buf = order.clone();
    let mut width = 1;
    while width < n {
        let mut start = 0;
        while start < n {
            let mid = (start + width).min(n);
            let end = (start + 2 * width).min(n);
            let (mut i, mut j, mut k) = (start, mid, start);
            while i < mid && j < end {
                let take_right = match (chars.get(order[j]), chars.get(order[i])) {
                    (Some(r), Some(l)) => natural_less_chars(r, l, v3),
                    _ => false,
                };
                if take_right {
                    buf[k] = order[j];
                    j += 1;
                } else {
                    buf[k] = order[i];
                    i += 1;
                }
                k += 1;
            }
            while i < mid {
                buf[k] = order[i];
                i += 1;
                k += 1;
            }
            while j < end {
                buf[k] = order[j];
                j += 1;
                k += 1;
            }
            start = end;
        }
        std::mem::swap(&mut order, &mut buf);
        width *= 2;
    }
    for idx in order {
        if let Some(item) = v.get_mut(idx).and_then(Option::take) {
            items.push(item);
        }
    }
}

/// go-yaml v3's variant of [`natural_less`].
pub fn natural_less_v3(a: &str, b: &str) -> bool {
    let ar: Vec<char> = a.chars().collect();
    let br: Vec<char> = b.chars().collect();
    natural_less_chars(&ar, &br, true)
}

/// An `Ordering` view of [`natural_less`].
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    if natural_less(a, b) {
        Ordering::Less
    } else if natural_less(b, a) {
        Ordering::Greater
    } else {
        Ordering::Equal
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_order() {
        let want = [
            "_x", "1x", "B", "Z", "a", "a-b", "a.b", "a_b", "a0", "a1", "a01", "a001", "a2", "a10",
            "ab", "x1y9", "x1y10", "é",
        ];
        let mut keys: Vec<String> = want.iter().rev().map(|s| s.to_string()).collect();
        sort_keys(&mut keys, |s| s.as_str());
        assert_eq!(keys, want);
    }

    #[test]
    fn v3_letters_after_digits() {
        // Helm: toYamlPretty sorts `9A` before `910é`, toYaml after it.
        assert!(natural_less_v3("9A", "910é"));
        assert!(!natural_less("9A", "910é"));
        assert!(natural_less("910é", "9A"));
    }
}
