//! Go's `fmt` as templates use it: `%v` printing of values and shortest float formatting.
//!
//! `printf` with every verb, flag, width and precision builds on these primitives.

use super::value::Value;
use std::fmt::Write;

/// Decomposes a finite, non-zero `x.abs()` into its shortest round-trip decimal digits and the
/// decimal exponent of the first digit (`1234.5` -> `("12345", 3)`).
pub fn shortest_digits(x: f64) -> (String, i32) {
    // Rust's `{:e}` prints the shortest digits that round-trip, like Go's strconv with -1.
    let s = format!("{:e}", x.abs());
    let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let digits: String = mant.chars().filter(|c| c.is_ascii_digit()).collect();
    (digits, exp.parse().unwrap_or(0))
}

/// Go's `strconv.FormatFloat(x, 'g', -1, 64)`, which is also what `%v` prints for a float64:
/// the shortest round-trip digits, in plain decimal when the decimal exponent is in [-4, 6),
/// otherwise as `d.ddde±XX` (`123456`, `1.234567e+06`, `0.0001`, `1e-05`).
pub fn format_float_g(x: f64) -> String {
    if x.is_nan() {
        return "NaN".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "+Inf".into() } else { "-Inf".into() };
    }
    if x == 0.0 {
        return if x.is_sign_negative() { "-0".into() } else { "0".into() };
    }
    let (digits, exp) = shortest_digits(x);
    let neg = x < 0.0;
    // strconv uses eprec = 6 whenever the shortest representation is requested.
    let eprec = 6;
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    if exp < -4 || exp >= eprec {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        let _ = write!(out, "e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs());
    } else {
        out.push_str(&plain_decimal(&digits, exp));
    }
    out
}

/// Writes `digits` with the first digit at decimal exponent `exp` as plain decimal.
pub fn plain_decimal(digits: &str, exp: i32) -> String {
    let mut out = String::new();
    if exp < 0 {
        out.push_str("0.");
        for _ in 0..(-exp - 1) {
            out.push('0');
        }
        out.push_str(digits);
    } else {
        let int_len = exp as usize + 1;
        if digits.len() <= int_len {
            out.push_str(digits);
            for _ in digits.len()..int_len {
                out.push('0');
            }
        } else {
            out.push_str(&digits[..int_len]);
            out.push('.');
            out.push_str(&digits[int_len..]);
        }
    }
    out
}

/// Go's `fmt.Sprint` of a single value (`%v`): `<nil>`, `[a b]`, `map[a:1 b:2]`, floats in
/// shortest `%g`, byte slices as `[97 98]`.
pub fn fmt_v(v: &Value) -> String {
    let mut out = String::new();
    write_v(&mut out, v, 0);
    out
}

/// Appends the `%v` form of `v` to `out`.
pub fn write_v(out: &mut String, v: &Value, depth: usize) {
    // Go would overflow the stack on a cyclic map; we stop printing instead.
    if depth > 10_000 {
        out.push_str("...");
        return;
    }
    match v {
        Value::Nil => out.push_str("<nil>"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) | Value::Int64(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Float(f) => out.push_str(&format_float_g(*f)),
        Value::String(s) => out.push_str(s),
        Value::Bytes(b) => {
            out.push('[');
            for (i, byte) in b.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                let _ = write!(out, "{byte}");
            }
            out.push(']');
        }
        Value::List(l) => {
            out.push('[');
            for (i, item) in l.items.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                write_v(out, item, depth + 1);
            }
            out.push(']');
        }
        Value::Map(m) => {
            out.push_str("map[");
            let m = m.read();
            for (i, (k, item)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                out.push_str(k);
                out.push(':');
                write_v(out, item, depth + 1);
            }
            out.push(']');
        }
        Value::Object(o) => out.push_str(&o.format()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_like_go() {
        assert_eq!(format_float_g(1234567.0), "1.234567e+06");
        assert_eq!(format_float_g(123456.0), "123456");
        assert_eq!(format_float_g(1e6), "1e+06");
        assert_eq!(format_float_g(0.0001), "0.0001");
        assert_eq!(format_float_g(0.00001), "1e-05");
        assert_eq!(format_float_g(3.0), "3");
        assert_eq!(format_float_g(1.5), "1.5");
        assert_eq!(format_float_g(1e20), "1e+20");
        assert_eq!(format_float_g(-0.0), "-0");
        assert_eq!(format_float_g(12345678901234567890.0), "1.2345678901234567e+19");
    }
}
