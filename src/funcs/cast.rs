//! Conversions with the semantics of `spf13/cast` v1.7 and sprig's `strval`, shared by the
//! function groups.
//!
//! Sprig converts loosely: every failed conversion yields the zero value instead of an error,
//! so these helpers never fail either. The string parsers follow Go's `strconv` exactly
//! (base prefixes, digit-separating underscores, range errors) because charts rely on
//! `int "0x1F"` and friends.

pub use super::unicode::{go_is_punct, go_is_space, go_lower, go_upper, is_print};
use crate::template::format::fmt_v;
use crate::template::Value;

/// Sprig's `strval`: strings as-is, `[]byte` as text, everything else as Go's `%v`.
pub fn strval(v: &Value) -> String {
    match v {
        Value::String(s) => s.to_string(),
        Value::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
        other => fmt_v(other),
    }
}

/// Go's `int64(f)` on amd64: truncation toward zero, and the "integer indefinite" value
/// (`math.MinInt64`) for NaN and anything out of range.
pub fn float_to_i64(f: f64) -> i64 {
    // 2^63 is exactly representable; anything at or beyond it (or NaN) is out of range.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    if f.is_nan() || !(-LIMIT..LIMIT).contains(&f) {
        i64::MIN
    } else {
        f.trunc() as i64
    }
}

/// `cast.ToInt64` (and `cast.ToInt`, identical on 64-bit): ints as-is, floats truncated, bools
/// 1/0, strings through `strconv.ParseInt(trimZeroDecimal(s), 0, 0)`, everything else 0.
pub fn to_int64(v: &Value) -> i64 {
    match v {
        Value::Int(i) | Value::Int64(i) => *i,
        Value::Float(f) => float_to_i64(*f),
        Value::Bool(b) => i64::from(*b),
        Value::String(s) => parse_int(trim_zero_decimal(s), 0).unwrap_or(0),
        _ => 0,
    }
}

/// `cast.ToFloat64`: numbers, bools 1/0, strings through `strconv.ParseFloat`, else 0.
pub fn to_float64(v: &Value) -> f64 {
    match v {
        Value::Int(i) | Value::Int64(i) => *i as f64,
        Value::Float(f) => *f,
        Value::Bool(b) => f64::from(u8::from(*b)),
        Value::String(s) => parse_float(s).unwrap_or(0.0),
        _ => 0.0,
    }
}

/// cast's `trimZeroDecimal`: drops a trailing `.000` (at least one zero) so `"1.0"` parses as an
/// integer; `"1."` and `"1.5"` are left alone.
pub fn trim_zero_decimal(s: &str) -> &str {
    let bytes = s.as_bytes();
    let mut found_zero = false;
    for i in (1..=bytes.len()).rev() {
        match bytes[i - 1] {
            b'.' => {
                if found_zero {
                    return &s[..i - 1];
                }
            }
            b'0' => found_zero = true,
            _ => return s,
        }
    }
    s
}

/// Why a `strconv` parse failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParseError {
    /// `invalid syntax`.
    Syntax,
    /// `value out of range`; carries the clamped value Go returns alongside the error.
    Range(i64),
}

/// Go's `strconv.ParseInt(s, base, 64)`. Base 0 honours `0x`, `0o`, `0b` and leading-`0`
/// octal prefixes and digit-separating underscores.
pub fn parse_int(s: &str, base: u32) -> Result<i64, ParseError> {
    if s.is_empty() {
        return Err(ParseError::Syntax);
    }
    let (neg, body) = match s.as_bytes()[0] {
        b'+' => (false, &s[1..]),
        b'-' => (true, &s[1..]),
        _ => (false, s),
    };
    let un = parse_uint(body, base, s)?;
    if neg {
        if un > 1u64 << 63 {
            return Err(ParseError::Range(i64::MIN));
        }
        Ok((un as i64).wrapping_neg())
    } else {
        i64::try_from(un).map_err(|_| ParseError::Range(i64::MAX))
    }
}

/// Go's `strconv.ParseUint(s, base, 64)`; `whole` is the text with its sign, for the
/// underscore check (Go checks the signed string).
fn parse_uint(s: &str, base: u32, whole: &str) -> Result<u64, ParseError> {
    if s.is_empty() {
        return Err(ParseError::Syntax);
    }
    let base0 = base == 0;
    let mut base = base;
    let mut digits = s.as_bytes();
    if base0 {
        base = 10;
        if digits[0] == b'0' {
            let second = digits.get(1).map(u8::to_ascii_lowercase);
            match second {
                Some(b'b') if digits.len() >= 3 => (base, digits) = (2, &digits[2..]),
                Some(b'o') if digits.len() >= 3 => (base, digits) = (8, &digits[2..]),
                Some(b'x') if digits.len() >= 3 => (base, digits) = (16, &digits[2..]),
                _ => (base, digits) = (8, &digits[1..]),
            }
        }
    }
    let mut n: u64 = 0;
    let mut underscores = false;
    let mut overflow = false;
    for &c in digits {
        let d = match c {
            b'_' if base0 => {
                underscores = true;
                continue;
            }
            b'0'..=b'9' => u32::from(c - b'0'),
            b'a'..=b'z' => u32::from(c - b'a') + 10,
            b'A'..=b'Z' => u32::from(c - b'A') + 10,
            _ => return Err(ParseError::Syntax),
        };
        if d >= base {
            return Err(ParseError::Syntax);
        }
        match n
            .checked_mul(u64::from(base))
            .and_then(|m| m.checked_add(u64::from(d)))
        {
            Some(m) => n = m,
            None => overflow = true,
        }
    }
    if underscores && !underscore_ok(whole) {
        return Err(ParseError::Syntax);
    }
    if overflow {
        return Err(ParseError::Range(i64::MAX));
    }
    Ok(n)
}

/// Go's `strconv.underscoreOK` (shared with the template parser).
pub use crate::template::unquote::underscore_ok;

/// Go's `strconv.Atoi`: optional sign and decimal digits only; out of range clamps (the value
/// Go returns next to its range error, which sprig's `atoi` keeps); other errors give 0.
pub fn atoi(s: &str) -> i64 {
    match parse_int(s, 10) {
        Ok(v) => v,
        Err(ParseError::Range(v)) => v,
        Err(ParseError::Syntax) => 0,
    }
}

/// Go's `strconv.ParseFloat(s, 64)` for decimal input (with `inf`/`nan` words and
/// digit-separating underscores). Out of range is an error, as in Go.
pub fn parse_float(s: &str) -> Option<f64> {
    let lower = s.to_ascii_lowercase();
    let unsigned = lower.trim_start_matches(['+', '-']);
    if unsigned.len() + 1 < lower.len() {
        return None; // more than one sign
    }
    if matches!(unsigned, "inf" | "infinity" | "nan") {
        return lower.parse::<f64>().ok();
    }
    if unsigned.starts_with("0x") {
        return parse_hex_float(&lower);
    }
    // Rust's parser also accepts words Go rejects only in the forms handled above, so anything
    // non-numeric left over is rejected here first.
    if !unsigned
        .bytes()
        .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'+' | b'-' | b'_'))
    {
        return None;
    }
    let cleaned: String;
    let text = if s.contains('_') {
        if !underscore_ok(s) {
            return None;
        }
        cleaned = lower.replace('_', "");
        cleaned.as_str()
    } else {
        lower.as_str()
    };
    let v: f64 = text.parse().ok()?;
    // Go reports overflow as a range error (and cast turns that into 0).
    if v.is_infinite() {
        return None;
    }
    Some(v)
}

/// A hexadecimal float (`0x1.8p1`); Go requires the `p` exponent.
fn parse_hex_float(s: &str) -> Option<f64> {
    let (neg, body) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let body = body.strip_prefix("0x")?.replace('_', "");
    let (mant, exp) = body.split_once('p')?;
    let exp: i32 = exp.parse().ok()?;
    let (int_part, frac_part) = mant.split_once('.').unwrap_or((mant, ""));
    if int_part.is_empty() && frac_part.is_empty() {
        return None;
    }
    let mut v = 0f64;
    for c in int_part.chars().chain(frac_part.chars()) {
        v = v * 16.0 + f64::from(c.to_digit(16)?);
    }
    let scale = exp - 4 * i32::try_from(frac_part.len()).ok()?;
    let v = v * 2f64.powi(scale);
    if v.is_infinite() {
        return None;
    }
    Some(if neg { -v } else { v })
}

/// Go's `strconv.Quote` (what `%q` prints for a string).
pub fn go_quote(s: &str) -> String {
    crate::template::unquote::quote(s)
}

/// The `reflect.Kind` of a value as sprig's list functions report it (`Cannot find first on
/// type string`); `None` for nil, where Go's `reflect.TypeOf(nil).Kind()` panics.
pub fn kind_for_error(v: &Value) -> Option<&str> {
    match v {
        Value::Nil => None,
        other => Some(other.kind_name()),
    }
}

/// The message of the nil-pointer panic Go raises when sprig calls `reflect.TypeOf(nil).Kind()`.
pub const NIL_KIND_PANIC: &str = "runtime error: invalid memory address or nil pointer dereference";

/// The string argument at `i` (the executor guarantees the type; anything else reads as "").
pub fn str_arg(args: &[Value], i: usize) -> &str {
    args.get(i).and_then(Value::as_str).unwrap_or("")
}

/// The `int`/`int64` argument at `i` (0 when absent or of another type).
pub fn int_arg(args: &[Value], i: usize) -> i64 {
    match args.get(i) {
        Some(Value::Int(n)) | Some(Value::Int64(n)) => *n,
        _ => 0,
    }
}

/// The argument at `i`, or nil.
pub fn arg(args: &[Value], i: usize) -> Value {
    args.get(i).cloned().unwrap_or_default()
}

/// A string produced by byte-wise slicing, which may have cut a UTF-8 sequence; the value model
/// holds only valid UTF-8, so a cut character becomes U+FFFD.
pub fn from_bytes_lossy(b: &[u8]) -> Value {
    Value::string(String::from_utf8_lossy(b).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_int_follows_strconv() {
        assert_eq!(parse_int("010", 0), Ok(8));
        assert_eq!(parse_int("0x1F", 0), Ok(31));
        assert_eq!(parse_int("0b101", 0), Ok(5));
        assert_eq!(parse_int("0o17", 0), Ok(15));
        assert_eq!(parse_int("1_000", 0), Ok(1000));
        assert_eq!(parse_int("0x_1F", 0), Ok(31));
        assert_eq!(parse_int("_1", 0), Err(ParseError::Syntax));
        assert_eq!(parse_int("1__0", 0), Err(ParseError::Syntax));
        assert_eq!(parse_int("1_000", 10), Err(ParseError::Syntax));
        assert_eq!(parse_int(" 5", 0), Err(ParseError::Syntax));
        assert_eq!(parse_int("0", 0), Ok(0));
        assert_eq!(parse_int("-0x10", 0), Ok(-16));
        assert_eq!(parse_int("-9223372036854775808", 10), Ok(i64::MIN));
        assert_eq!(
            parse_int("9223372036854775808", 10),
            Err(ParseError::Range(i64::MAX))
        );
        assert_eq!(parse_int("777", 8), Ok(511));
        assert_eq!(parse_int("8", 8), Err(ParseError::Syntax));
    }

    #[test]
    fn trim_zero_decimal_matches_cast() {
        assert_eq!(trim_zero_decimal("1.0"), "1");
        assert_eq!(trim_zero_decimal("1.00"), "1");
        assert_eq!(trim_zero_decimal("1."), "1.");
        assert_eq!(trim_zero_decimal("1.5"), "1.5");
        assert_eq!(trim_zero_decimal("10"), "10");
    }

    #[test]
    fn conversions() {
        assert_eq!(to_int64(&Value::Float(-3.99)), -3);
        assert_eq!(to_int64(&Value::Float(1e300)), i64::MIN);
        assert_eq!(to_int64(&Value::str("1.0")), 1);
        assert_eq!(to_int64(&Value::str("1.5")), 0);
        assert_eq!(to_float64(&Value::str("1e3")), 1000.0);
        assert_eq!(to_float64(&Value::str("abc")), 0.0);
        assert_eq!(to_float64(&Value::str("1e400")), 0.0);
        assert_eq!(to_float64(&Value::str("0x1p-2")), 0.25);
        assert_eq!(atoi("99999999999999999999"), i64::MAX);
        assert_eq!(atoi("+7"), 7);
    }

    #[test]
    fn quote_like_go() {
        assert_eq!(go_quote("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(go_quote("\t\x01é\u{a0}"), r#""\t\x01é\u00a0""#);
    }
}
