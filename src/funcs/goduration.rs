//! Go's `time.Duration`: `String()` (`1h30m0s`, `1.5s`, `500ms`, `0s`) and `time.ParseDuration`
//! with its exact error texts, plus the `time.Duration` template object.

use crate::template::{Member, Object, Value};
use std::any::Any;

/// Nanoseconds per unit.
pub const NANOSECOND: i64 = 1;
/// Nanoseconds per microsecond.
pub const MICROSECOND: i64 = 1_000;
/// Nanoseconds per millisecond.
pub const MILLISECOND: i64 = 1_000_000;
/// Nanoseconds per second.
pub const SECOND: i64 = 1_000_000_000;
/// Nanoseconds per minute.
pub const MINUTE: i64 = 60 * SECOND;
/// Nanoseconds per hour.
pub const HOUR: i64 = 60 * MINUTE;

/// Writes the fraction of `v / 10^prec` without trailing zeros (and without the dot when the
/// fraction is zero), returning the integer part. Mirrors Go's `fmtFrac`.
fn frac(out: &mut Vec<u8>, mut v: u64, prec: usize) -> u64 {
    let mut digits = Vec::new();
    let mut printed = false;
    for _ in 0..prec {
        let d = (v % 10) as u8;
        printed = printed || d != 0;
        if printed {
            digits.push(b'0' + d);
        }
        v /= 10;
    }
    if printed {
        digits.push(b'.');
    }
    // `out` is built back to front, like Go's buffer.
    out.extend(digits);
    v
}

fn int_rev(out: &mut Vec<u8>, mut v: u64) {
    if v == 0 {
        out.push(b'0');
        return;
    }
    while v > 0 {
        out.push(b'0' + (v % 10) as u8);
        v /= 10;
    }
}

/// Go's `time.Duration.String()`.
pub fn format_duration(d: i64) -> String {
    let neg = d < 0;
    let mut u = d.unsigned_abs();
    // Built reversed, then flipped.
    let mut out: Vec<u8> = Vec::new();
    if u < SECOND as u64 {
        out.push(b's');
        let prec;
        if u == 0 {
            return "0s".into();
        } else if u < MICROSECOND as u64 {
            prec = 0;
            out.push(b'n');
        } else if u < MILLISECOND as u64 {
            prec = 3;
            // "µ" (U+00B5) is two bytes, reversed.
            out.extend_from_slice(&[0xB5, 0xC2]);
        } else {
            prec = 6;
            out.push(b'm');
        }
        u = frac(&mut out, u, prec);
        int_rev(&mut out, u);
    } else {
        out.push(b's');
        u = frac(&mut out, u, 9);
        int_rev(&mut out, u % 60);
        u /= 60;
        if u > 0 {
            out.push(b'm');
            int_rev(&mut out, u % 60);
            u /= 60;
            if u > 0 {
                out.push(b'h');
                int_rev(&mut out, u);
            }
        }
    }
    if neg {
        out.push(b'-');
    }
    out.reverse();
    String::from_utf8_lossy(&out).into_owned()
}

/// Go's internal `time.quote` used in time error messages: `"` and `\\` escaped, control and
/// non-ASCII characters written as `\xhh` per UTF-8 byte.
pub fn go_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        if (c as u32) < 0x20 || (c as u32) >= 0x80 {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("\\x{b:02x}"));
            }
        } else {
            if c == '"' || c == '\\' {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out.push('"');
    out
}

const LIMIT: u64 = 1 << 63;

/// Consumes leading decimal digits (Go's `leadingInt`); `None` on overflow.
fn leading_int(s: &str) -> Option<(u64, &str)> {
    let mut x: u64 = 0;
    let mut i = 0;
    for &b in s.as_bytes() {
        if !b.is_ascii_digit() {
            break;
        }
        if x > LIMIT / 10 {
            return None;
        }
        x = x * 10 + u64::from(b - b'0');
        if x > LIMIT {
            return None;
        }
        i += 1;
    }
    Some((x, &s[i..]))
}

/// Consumes a fraction's digits (Go's `leadingFraction`), ignoring digits past precision.
fn leading_fraction(s: &str) -> (u64, f64, &str) {
    let mut x: u64 = 0;
    let mut scale = 1.0;
    let mut overflow = false;
    let mut i = 0;
    for &b in s.as_bytes() {
        if !b.is_ascii_digit() {
            break;
        }
        i += 1;
        if overflow {
            continue;
        }
        if x > (LIMIT - 1) / 10 {
            overflow = true;
            continue;
        }
        let y = x * 10 + u64::from(b - b'0');
        if y > LIMIT {
            overflow = true;
            continue;
        }
        x = y;
        scale *= 10.0;
    }
    (x, scale, &s[i..])
}

fn unit_nanos(u: &str) -> Option<u64> {
    Some(match u {
        "ns" => 1,
        "us" | "\u{b5}s" | "\u{3bc}s" => 1_000,
        "ms" => 1_000_000,
        "s" => 1_000_000_000,
        "m" => 60_000_000_000,
        "h" => 3_600_000_000_000,
        _ => return None,
    })
}

/// Go's `time.ParseDuration` (`[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+`), with Go's error texts.
pub fn parse_duration(orig: &str) -> Result<i64, String> {
    let invalid = || format!("time: invalid duration {}", go_quote(orig));
    let mut s = orig;
    let mut neg = false;
    if let Some(c) = s.chars().next() {
        if c == '-' || c == '+' {
            neg = c == '-';
            s = &s[1..];
        }
    }
    if s == "0" {
        return Ok(0);
    }
    if s.is_empty() {
        return Err(invalid());
    }
    let mut d: u64 = 0;
    while !s.is_empty() {
        let first = s.as_bytes()[0];
        if !(first == b'.' || first.is_ascii_digit()) {
            return Err(invalid());
        }
        let before = s.len();
        let (v, rest) = leading_int(s).ok_or_else(invalid)?;
        s = rest;
        let pre = before != s.len();
        let (mut f, mut scale, mut post) = (0u64, 1.0f64, false);
        if let Some(rest) = s.strip_prefix('.') {
            let before = rest.len();
            let (ff, sc, rest) = leading_fraction(rest);
            f = ff;
            scale = sc;
            post = before != rest.len();
            s = rest;
        }
        if !pre && !post {
            return Err(invalid());
        }
        let i = s
            .bytes()
            .position(|c| c == b'.' || c.is_ascii_digit())
            .unwrap_or(s.len());
        if i == 0 {
            return Err(format!("time: missing unit in duration {}", go_quote(orig)));
        }
        let u = &s[..i];
        s = &s[i..];
        let unit = unit_nanos(u).ok_or_else(|| {
            format!(
                "time: unknown unit {} in duration {}",
                go_quote(u),
                go_quote(orig)
            )
        })?;
        if v > LIMIT / unit {
            return Err(invalid());
        }
        let mut v = v * unit;
        if f > 0 {
            // Go converts through float64 here; keep the same rounding.
            v = v.wrapping_add((f as f64 * (unit as f64 / scale)) as u64);
            if v > LIMIT {
                return Err(invalid());
            }
        }
        d = d.wrapping_add(v);
        if d > LIMIT {
            return Err(invalid());
        }
    }
    if neg {
        return Ok((d as i64).wrapping_neg());
    }
    if d > LIMIT - 1 {
        return Err(invalid());
    }
    Ok(d as i64)
}

/// Go's `Duration.Round(m)`: half away from zero, saturating.
pub fn round_duration(d: i64, m: i64) -> i64 {
    if m <= 0 {
        return d;
    }
    let mut r = d % m;
    if d < 0 {
        r = -r;
        if r + r < m {
            return d + r;
        }
        match d.checked_sub(m).map(|x| x + r) {
            Some(d1) if d1 < d => d1,
            _ => i64::MIN,
        }
    } else {
        if r + r < m {
            return d - r;
        }
        match d.checked_add(m).map(|x| x - r) {
            Some(d1) if d1 > d => d1,
            _ => i64::MAX,
        }
    }
}

/// A `time.Duration` value in a template (`.Sub`, `.Round` results): prints as `String()`,
/// serialises as its nanosecond count.
#[derive(Debug, Clone, Copy)]
pub struct DurationObj(pub i64);

impl Object for DurationObj {
    fn type_name(&self) -> &str {
        "time.Duration"
    }
    fn kind_name(&self) -> &str {
        "int64"
    }
    fn member(&self, name: &str) -> Option<Member> {
        let d = self.0;
        Some(Member::Field(match name {
            "String" => Value::string(format_duration(d)),
            "Nanoseconds" => Value::Int64(d),
            "Microseconds" => Value::Int64(d / MICROSECOND),
            "Milliseconds" => Value::Int64(d / MILLISECOND),
            "Seconds" => Value::Float((d / SECOND) as f64 + (d % SECOND) as f64 / 1e9),
            "Minutes" => Value::Float((d / MINUTE) as f64 + (d % MINUTE) as f64 / 6e10),
            "Hours" => Value::Float((d / HOUR) as f64 + (d % HOUR) as f64 / 3.6e12),
            "Abs" => Value::Object(std::sync::Arc::new(DurationObj(if d == i64::MIN {
                i64::MAX
            } else {
                d.abs()
            }))),
            _ => return None,
        }))
    }
    fn format(&self) -> String {
        format_duration(self.0)
    }
    fn to_data(&self) -> Value {
        Value::Int64(self.0)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_go() {
        assert_eq!(format_duration(0), "0s");
        assert_eq!(format_duration(90 * SECOND), "1m30s");
        assert_eq!(format_duration(HOUR), "1h0m0s");
        assert_eq!(format_duration(1_500 * MILLISECOND), "1.5s");
        assert_eq!(format_duration(500 * MILLISECOND), "500ms");
        assert_eq!(format_duration(1_500), "1.5µs");
        assert_eq!(format_duration(7), "7ns");
        assert_eq!(format_duration(-90 * SECOND), "-1m30s");
        assert_eq!(format_duration(i64::MIN), "-2562047h47m16.854775808s");
    }

    #[test]
    fn parses_like_go() {
        assert_eq!(parse_duration("1h30m"), Ok(90 * MINUTE));
        assert_eq!(parse_duration("-1.5h"), Ok(-90 * MINUTE));
        assert_eq!(parse_duration(".5s"), Ok(500 * MILLISECOND));
        assert_eq!(parse_duration("0"), Ok(0));
        assert_eq!(
            parse_duration("1").unwrap_err(),
            "time: missing unit in duration \"1\""
        );
        assert_eq!(
            parse_duration("1d").unwrap_err(),
            "time: unknown unit \"d\" in duration \"1d\""
        );
        assert_eq!(
            parse_duration("").unwrap_err(),
            "time: invalid duration \"\""
        );
    }

    #[test]
    fn rounds_half_away_from_zero() {
        assert_eq!(round_duration(1_500 * MILLISECOND, SECOND), 2 * SECOND);
        assert_eq!(round_duration(-1_500 * MILLISECOND, SECOND), -2 * SECOND);
        assert_eq!(round_duration(1_499 * MILLISECOND, SECOND), SECOND);
    }
}
