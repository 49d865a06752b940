//! Sprig/Helm functions: random values (`randAlphaNum`, `randAlpha`, `randNumeric`,
//! `randAscii`, `randInt`, `uuidv4`, `shuffle`). `randBytes` lives with the crypto group.
//!
//! The `rand*` strings use the operating system's cryptographic RNG like goutils'
//! `CryptoRandom*`; they are uniform over the same alphabets (`[A-Za-z0-9]`, `[A-Za-z]`,
//! `[0-9]`, printable ASCII 32..=126).

use crate::template::{FuncMap, Param, Runtime, Value};
use rand::rngs::OsRng;
use rand::seq::SliceRandom;
use rand::Rng;

/// The largest string a `rand*` function will build (Go would try to allocate anything; a
/// template asking for more than this is a mistake, not a use case).
pub const MAX_RANDOM_LEN: i64 = 16 << 20;

const DIGITS: &[u8] = b"0123456789";
const LETTERS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// `count` characters drawn uniformly from `alphabet` (goutils: non-positive counts give "").
pub fn random_string(count: i64, alphabet: &[u8]) -> Result<String, String> {
    if count <= 0 || alphabet.is_empty() {
        return Ok(String::new());
    }
    if count > MAX_RANDOM_LEN {
        return Err(format!(
            "random string length {count} exceeds {MAX_RANDOM_LEN}"
        ));
    }
    let mut rng = OsRng;
    Ok((0..count)
        .map(|_| char::from(alphabet[rng.gen_range(0..alphabet.len())]))
        .collect())
}

/// Printable ASCII, space to `~` (goutils `CryptoRandomAscii`).
fn ascii() -> Vec<u8> {
    (32u8..=126).collect()
}

/// Go's `rand.Intn(max-min) + min`; Go panics with `invalid argument to Intn` for n <= 0.
pub fn rand_int(min: i64, max: i64) -> Result<i64, String> {
    let n = max.wrapping_sub(min);
    if n <= 0 {
        return Err("invalid argument to Intn".into());
    }
    Ok(rand::thread_rng().gen_range(0..n).wrapping_add(min))
}

/// An RFC 4122 version 4 UUID in lower-case hex (google/uuid `New().String()`).
pub fn uuid_v4() -> String {
    let mut b = [0u8; 16];
    OsRng.fill(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

/// xstrings `Shuffle`: a random permutation of the string's characters.
pub fn shuffle(s: &str) -> String {
    let mut chars: Vec<char> = s.chars().collect();
    chars.shuffle(&mut rand::thread_rng());
    chars.into_iter().collect()
}

fn int_arg(a: &[Value], i: usize) -> i64 {
    match a.get(i) {
        Some(Value::Int(n) | Value::Int64(n)) => *n,
        _ => 0,
    }
}

/// Registers this group's functions.
pub fn register(m: &mut FuncMap) {
    m.add("randAlphaNum", &[Param::Int], |_: &mut dyn Runtime, a| {
        random_string(int_arg(a, 0), ALNUM).map(Value::string)
    });
    m.add("randAlpha", &[Param::Int], |_: &mut dyn Runtime, a| {
        random_string(int_arg(a, 0), LETTERS).map(Value::string)
    });
    m.add("randNumeric", &[Param::Int], |_: &mut dyn Runtime, a| {
        random_string(int_arg(a, 0), DIGITS).map(Value::string)
    });
    m.add("randAscii", &[Param::Int], |_: &mut dyn Runtime, a| {
        random_string(int_arg(a, 0), &ascii()).map(Value::string)
    });
    m.add(
        "randInt",
        &[Param::Int, Param::Int],
        |_: &mut dyn Runtime, a| rand_int(int_arg(a, 0), int_arg(a, 1)).map(Value::Int),
    );
    m.add("uuidv4", &[], |_: &mut dyn Runtime, _| {
        Ok(Value::string(uuid_v4()))
    });
    m.add("shuffle", &[Param::String], |_: &mut dyn Runtime, a| {
        Ok(Value::string(shuffle(
            a.first().and_then(Value::as_str).unwrap_or(""),
        )))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alphabets_and_lengths() {
        let s = random_string(200, ALNUM).unwrap();
        assert_eq!(s.len(), 200);
        assert!(s.bytes().all(|c| c.is_ascii_alphanumeric()));
        let s = random_string(200, LETTERS).unwrap();
        assert!(s.bytes().all(|c| c.is_ascii_alphabetic()));
        let s = random_string(200, DIGITS).unwrap();
        assert!(s.bytes().all(|c| c.is_ascii_digit()));
        let s = random_string(500, &ascii()).unwrap();
        assert!(s.bytes().all(|c| (32..=126).contains(&c)));
        // 500 draws from 95 symbols: seeing fewer than 40 distinct would be astronomically rare.
        let distinct: std::collections::BTreeSet<u8> = s.bytes().collect();
        assert!(distinct.len() > 40);
        assert_eq!(random_string(-1, ALNUM).unwrap(), "");
        assert!(random_string(MAX_RANDOM_LEN + 1, ALNUM).is_err());
    }

    #[test]
    fn rand_int_range() {
        for _ in 0..200 {
            let n = rand_int(-3, 4).unwrap();
            assert!((-3..4).contains(&n));
        }
        assert_eq!(rand_int(5, 5).unwrap_err(), "invalid argument to Intn");
    }

    #[test]
    fn uuid_shape() {
        let u = uuid_v4();
        let parts: Vec<&str> = u.split('-').collect();
        assert_eq!(
            parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
            [8, 4, 4, 4, 12]
        );
        assert!(parts[2].starts_with('4'));
        assert!(matches!(parts[3].as_bytes()[0], b'8' | b'9' | b'a' | b'b'));
        assert_ne!(uuid_v4(), u);
    }

    #[test]
    fn shuffle_is_a_permutation() {
        let s = shuffle("héllo wörld");
        let mut a: Vec<char> = s.chars().collect();
        let mut b: Vec<char> = "héllo wörld".chars().collect();
        a.sort_unstable();
        b.sort_unstable();
        assert_eq!(a, b);
    }
}
