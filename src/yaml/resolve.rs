//! go-yaml v2's YAML 1.1 resolution of plain scalars (`resolve.go`): what an unquoted scalar
//! means. The loader uses it to type plain scalars, the emitter to decide whether a string can
//! be written plain (it must read back as the same string).

/// What a plain scalar resolves to.
#[derive(Clone, Debug, PartialEq)]
pub enum Resolved {
    /// `~`, `null`, empty.
    Null,
    /// YAML 1.1 booleans (`y`, `yes`, `on`, `true`, ...).
    Bool(bool),
    /// An integer that fits Go's int64.
    Int(i64),
    /// An integer in (int64 max, uint64 max].
    Uint(u64),
    /// A float (including `.inf` and `.nan`).
    Float(f64),
    /// A timestamp (decoded as its original text, but never emitted plain).
    Timestamp,
    /// The merge key `<<`.
    Merge,
    /// A plain string.
    Str,
}

/// Resolves a plain (untagged, unquoted) scalar exactly as go-yaml v2 does.
pub fn resolve_plain(s: &str) -> Resolved {
    let Some(&first) = s.as_bytes().first() else {
        return Resolved::Null;
    };
    // go-yaml only looks further when the first byte hints at a non-string.
    let hint = match first {
        b'+' | b'-' => b'S',
        b'0'..=b'9' => b'D',
        b'y' | b'Y' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'o' | b'O' | b'~' => b'M',
        b'.' => b'.',
        _ => return Resolved::Str,
    };
    if let Some(r) = lookup_word(s) {
        return r;
    }
    match hint {
        b'.' => match parse_go_float(s) {
            Some(f) => Resolved::Float(f),
            None => Resolved::Str,
        },
        b'D' | b'S' => resolve_number(s),
        _ => Resolved::Str,
    }
}

/// The fixed words of go-yaml's resolve table.
fn lookup_word(s: &str) -> Option<Resolved> {
    Some(match s {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            Resolved::Bool(true)
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            Resolved::Bool(false)
        }
        "~" | "null" | "Null" | "NULL" => Resolved::Null,
        ".nan" | ".NaN" | ".NAN" => Resolved::Float(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => Resolved::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => Resolved::Float(f64::NEG_INFINITY),
        "<<" => Resolved::Merge,
        _ => return None,
    })
}

/// Scalars starting with a digit or sign: timestamp, int, uint, YAML-style float, `0b`.
fn resolve_number(s: &str) -> Resolved {
    if is_timestamp(s) {
        return Resolved::Timestamp;
    }
    let plain: String = s.chars().filter(|&c| c != '_').collect();
    if let Some(i) = parse_go_int(&plain) {
        return Resolved::Int(i);
    }
    if let Some(u) = parse_go_uint(&plain) {
        return Resolved::Uint(u);
    }
    if is_yaml_float(&plain) {
        if let Some(f) = parse_go_float(&plain) {
            return Resolved::Float(f);
        }
    }
    // ParseInt with base 0 already understands 0b; go-yaml's extra 0b branches only matter for
    // values ParseInt rejects, which ParseUint (no sign) then covers.
    Resolved::Str
}

/// Splits Go's base prefix off `digits` (after the sign): `0x`, `0o`, `0b`, leading `0`.
fn base_of(digits: &str) -> (u32, &str) {
    let b = digits.as_bytes();
    if b.len() >= 2 && b[0] == b'0' {
        match b[1] {
            b'x' | b'X' => return (16, &digits[2..]),
            b'o' | b'O' => return (8, &digits[2..]),
            b'b' | b'B' => return (2, &digits[2..]),
            _ => return (8, &digits[1..]),
        }
    }
    (10, digits)
}

/// Go's `strconv.ParseUint(s, 0, 64)` on a string without underscores.
pub fn parse_go_uint(s: &str) -> Option<u64> {
    let (base, digits) = base_of(s);
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(base)) {
        return None;
    }
    u64::from_str_radix(digits, base).ok()
}

/// Go's `strconv.ParseInt(s, 0, 64)` on a string without underscores.
pub fn parse_go_int(s: &str) -> Option<i64> {
    let (neg, rest) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let u = parse_go_uint(rest)?;
    if neg {
        if u <= i64::MAX as u64 + 1 {
            Some((u as i128).wrapping_neg() as i64)
        } else {
            None
        }
    } else {
        i64::try_from(u).ok()
    }
}

/// go-yaml's `yamlStyleFloat`: `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn is_yaml_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'-' | b'+')) {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            digits(&mut i);
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'-' | b'+')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// Go's `strconv.ParseFloat(s, 64)` for the decimal forms YAML can reach; `None` on syntax
/// errors and on overflow (Go reports ErrRange there, so go-yaml keeps the string).
pub fn parse_go_float(s: &str) -> Option<f64> {
    // Rust also accepts `inf`/`nan`/`infinity`, which never reach here with a '.'/digit/sign
    // hint except after a sign; reject any letters other than exponent markers.
    if s.bytes()
        .any(|c| c.is_ascii_alphabetic() && c != b'e' && c != b'E')
    {
        return None;
    }
    let f: f64 = s.parse().ok()?;
    if f.is_infinite() {
        return None;
    }
    Some(f)
}

/// go-yaml's `isBase60Float`: `^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$`. Such
/// strings are quoted on output although they load as strings.
pub fn is_base60_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'-' | b'+')) {
        i += 1;
    }
    if !b.get(i).is_some_and(u8::is_ascii_digit) {
        return false;
    }
    while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
        i += 1;
    }
    let mut groups = 0;
    while b.get(i) == Some(&b':') {
        i += 1;
        // `[0-5]?[0-9]`: one or two digits, the first of two at most 5.
        let d1 = b.get(i).copied().filter(u8::is_ascii_digit);
        let d2 = b.get(i + 1).copied().filter(u8::is_ascii_digit);
        match (d1, d2) {
            (Some(a), Some(_)) if a <= b'5' => i += 2,
            (Some(_), _) => i += 1,
            _ => return false,
        }
        groups += 1;
    }
    if groups == 0 {
        return false;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
            i += 1;
        }
    }
    i == b.len()
}

/// Whether go-yaml's `parseTimestamp` accepts `s` (the formats `2006-1-2T15:4:5.999999999Z07:00`
/// with `T` or `t`, `2006-1-2 15:4:5.999999999` and `2006-1-2`).
pub fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 5 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
        return false;
    }
    let mut i = 5;
    let Some(month) = num(b, &mut i, 2) else {
        return false;
    };
    if b.get(i) != Some(&b'-') {
        return false;
    }
    i += 1;
    let Some(day) = num(b, &mut i, 2) else {
        return false;
    };
    let year: u32 = s[..4].parse().unwrap_or(0);
    if !(1..=12).contains(&month) || day < 1 || day > days_in(year, month) {
        return false;
    }
    if i == b.len() {
        return true;
    }
    let zone = match b[i] {
        b'T' | b't' => true,
        b' ' => false,
        _ => return false,
    };
    i += 1;
    let Some(h) = num(b, &mut i, 2) else {
        return false;
    };
    if b.get(i) != Some(&b':') {
        return false;
    }
    i += 1;
    let Some(m) = num(b, &mut i, 2) else {
        return false;
    };
    if b.get(i) != Some(&b':') {
        return false;
    }
    i += 1;
    let Some(sec) = num(b, &mut i, 2) else {
        return false;
    };
    if h > 23 || m > 59 || sec > 59 {
        return false;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    if !zone {
        return i == b.len();
    }
    match b.get(i) {
        Some(b'Z') => i + 1 == b.len(),
        Some(b'+' | b'-') => {
            let r = &b[i + 1..];
            r.len() == 5 && r[2] == b':' && r[..2].iter().chain(&r[3..]).all(u8::is_ascii_digit)
        }
        _ => false,
    }
}

/// Reads 1..=max decimal digits at `*i`.
fn num(b: &[u8], i: &mut usize, max: usize) -> Option<u32> {
    let start = *i;
    while *i < b.len() && *i - start < max && b[*i].is_ascii_digit() {
        *i += 1;
    }
    if *i == start {
        return None;
    }
    std::str::from_utf8(&b[start..*i]).ok()?.parse().ok()
}

fn days_in(year: u32, month: u32) -> u32 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_numbers() {
        assert_eq!(resolve_plain("yes"), Resolved::Bool(true));
        assert_eq!(resolve_plain("Off"), Resolved::Bool(false));
        assert_eq!(resolve_plain("tRUE"), Resolved::Str);
        assert_eq!(resolve_plain(""), Resolved::Null);
        assert_eq!(resolve_plain("010"), Resolved::Int(8));
        assert_eq!(resolve_plain("0o10"), Resolved::Int(8));
        assert_eq!(resolve_plain("0x10"), Resolved::Int(16));
        assert_eq!(resolve_plain("-0x10"), Resolved::Int(-16));
        assert_eq!(resolve_plain("0b11"), Resolved::Int(3));
        assert_eq!(resolve_plain("1_000"), Resolved::Int(1000));
        assert_eq!(resolve_plain("08"), Resolved::Float(8.0));
        assert_eq!(resolve_plain("1."), Resolved::Float(1.0));
        assert_eq!(resolve_plain(".5"), Resolved::Float(0.5));
        assert_eq!(resolve_plain("1e3"), Resolved::Float(1000.0));
        assert_eq!(resolve_plain("1e400"), Resolved::Str);
        assert_eq!(
            resolve_plain("18446744073709551615"),
            Resolved::Uint(u64::MAX)
        );
        assert_eq!(resolve_plain("1:30"), Resolved::Str);
        // `<<` has no hint byte, so go-yaml resolves it as a plain string (merge is decided by the decoder).
        assert_eq!(resolve_plain("<<"), Resolved::Str);
        assert_eq!(resolve_plain("nan"), Resolved::Str);
    }

    #[test]
    fn timestamps_and_base60() {
        assert!(is_timestamp("2020-01-01"));
        assert!(is_timestamp("2020-1-1T10:20:30Z"));
        assert!(is_timestamp("2020-01-01 10:20:30.5"));
        assert!(is_timestamp("2020-01-01T10:20:30+02:00"));
        assert!(!is_timestamp("2021-02-30"));
        assert!(!is_timestamp("2020-01-01x"));
        assert!(is_base60_float("1:20"));
        assert!(is_base60_float("190:20:30"));
        assert!(!is_base60_float("1:2a"));
    }
}
