//! The parts of Go's `strconv` that `fmt` and the template builtins rely on: `FormatFloat` with
//! every format and precision, and the `Quote` family with Go's notion of printable runes.
//!
//! Decimal digits come from Rust's float formatting, which is correctly rounded (ties to even on
//! exact halves) exactly like Go's, and shortest round-trip for precision -1; the layout around
//! the digits (`e+06`, trailing-zero trimming of `%g`, hex floats) follows Go.

use super::unicode_print::PRINT_RANGES;
use std::fmt::Write;

/// Go's `unicode.IsPrint` (and `strconv.IsPrint`): letters, marks, numbers, punctuation,
/// symbols and the ASCII space, per Unicode 15.0.0.
pub fn is_print(r: u32) -> bool {
    PRINT_RANGES
        .binary_search_by(|&(lo, hi)| {
            if hi < r {
                std::cmp::Ordering::Less
            } else if lo > r {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

/// More decimal digits than any float64 needs for its exact value (767 significant digits,
/// 1074 after the point).
const EXACT_DIGITS: usize = 1100;

/// The decimal digits of a float: `d[..nd]` (no trailing zeros) with the decimal point `dp`
/// digits from the start, as in Go's `decimalSlice`. Zero has no digits.
struct Digits {
    d: Vec<u8>,
    dp: i32,
}

impl Digits {
    fn nd(&self) -> i32 {
        self.d.len() as i32
    }

    /// Parses Rust's `{:e}` output or ryu's output of a non-negative finite value
    /// ("1.2345e-7", "0.0001", "123.0", "1e16").
    fn from_sci(s: &str) -> Digits {
        let (mant, exp) = s.split_once('e').unwrap_or((s, "0"));
        let int_len = mant.find('.').unwrap_or(mant.len()) as i32;
        let mut d: Vec<u8> = Vec::with_capacity(mant.len());
        let mut leading = 0;
        for b in mant.bytes().filter(u8::is_ascii_digit) {
            if d.is_empty() && b == b'0' {
                leading += 1;
            } else {
                d.push(b);
            }
        }
        while d.last() == Some(&b'0') {
            d.pop();
        }
        if d.is_empty() {
            return Digits { d, dp: 0 };
        }
        Digits {
            d,
            dp: exp.parse::<i32>().unwrap_or(0) + int_len - leading,
        }
    }

    /// Shortest digits that round-trip (ryu picks the closest of the shortest candidates, as
    /// Go's strconv does).
    fn shortest(x: f64) -> Digits {
        let mut buf = ryu::Buffer::new();
        Digits::from_sci(buf.format_finite(x.abs()))
    }

    /// `n >= 1` significant digits, correctly rounded.
    fn significant(x: f64, n: usize) -> Digits {
        // A float64 has at most 767 significant decimal digits, so asking for more only adds
        // zeros, which are trimmed anyway; Rust's formatter also caps precisions at u16.
        let n = n.clamp(1, EXACT_DIGITS);
        Digits::from_sci(&format!("{:.*e}", n - 1, x.abs()))
    }

    fn digit(&self, i: i32) -> u8 {
        if i >= 0 {
            self.d.get(i as usize).copied().unwrap_or(b'0')
        } else {
            b'0'
        }
    }
}

/// The shortest round-trip decimal digits of a finite, non-zero `x.abs()` and the decimal
/// exponent of the first digit (`1234.5` -> `("12345", 3)`).
pub fn shortest_digits(x: f64) -> (String, i32) {
    let d = Digits::shortest(x);
    let exp = d.dp - 1;
    (String::from_utf8(d.d).unwrap_or_default(), exp)
}

/// Go's `strconv.FormatFloat(x, fmt, prec, 64)`.
///
/// `fmt` is one of `b e E f g G x X`; `prec` is the number of digits after the point (`e f x`),
/// the number of significant digits (`g`), or -1 for the shortest representation that parses
/// back to `x`. An unknown format yields `%` followed by the format, as in Go.
pub fn format_float(x: f64, fmt: char, prec: i32) -> String {
    let bits = x.to_bits();
    let neg = bits >> 63 != 0;
    let raw_exp = ((bits >> 52) & 0x7ff) as i32;
    let mut mant = bits & ((1u64 << 52) - 1);
    if raw_exp == 0x7ff {
        return if mant != 0 {
            "NaN".into()
        } else if neg {
            "-Inf".into()
        } else {
            "+Inf".into()
        };
    }
    let mut exp = raw_exp;
    if raw_exp == 0 {
        exp += 1; // denormal
    } else {
        mant |= 1u64 << 52;
    }
    exp -= 1023;
    match fmt {
        'b' => return fmt_b(neg, mant, exp),
        'x' | 'X' => return fmt_x(prec, fmt, neg, mant, exp),
        'e' | 'E' | 'f' | 'g' | 'G' => {}
        _ => return format!("%{fmt}"),
    }
    let shortest = prec < 0;
    let mut prec = prec;
    let digs = if shortest {
        let digs = if mant == 0 {
            Digits {
                d: Vec::new(),
                dp: 0,
            }
        } else {
            Digits::shortest(x)
        };
        prec = match fmt {
            'e' | 'E' => (digs.nd() - 1).max(0),
            'f' => (digs.nd() - digs.dp).max(0),
            _ => digs.nd(),
        };
        digs
    } else if fmt == 'f' {
        // Rounding at a fixed number of fraction digits is exactly Rust's `{:.N}`.
        // Past 1074 fraction digits every float64 is exact: the rest are zeros.
        let p = (prec as usize).min(EXACT_DIGITS);
        let mut body = format!("{:.*}", p, x.abs());
        body.extend(std::iter::repeat_n('0', prec as usize - p));
        return if neg { format!("-{body}") } else { body };
    } else {
        let n = match fmt {
            'e' | 'E' => prec + 1,
            _ => {
                if prec == 0 {
                    prec = 1;
                }
                prec
            }
        };
        Digits::significant(x, n as usize)
    };
    let mut out = String::new();
    match fmt {
        'e' | 'E' => fmt_e(&mut out, neg, &digs, prec, fmt),
        'f' => fmt_f(&mut out, neg, &digs, prec),
        _ => {
            // %e is used when the exponent is < -4 or >= the precision (6 when shortest).
            let mut eprec = prec;
            if eprec > digs.nd() && digs.nd() >= digs.dp {
                eprec = digs.nd();
            }
            if shortest {
                eprec = 6;
            }
            let exp = digs.dp - 1;
            if exp < -4 || exp >= eprec {
                let p = prec.min(digs.nd());
                let e = if fmt == 'g' { 'e' } else { 'E' };
                fmt_e(&mut out, neg, &digs, p - 1, e);
            } else {
                let p = if prec > digs.dp { digs.nd() } else { prec };
                fmt_f(&mut out, neg, &digs, (p - digs.dp).max(0));
            }
        }
    }
    out
}

/// `-d.dddde±dd`.
fn fmt_e(out: &mut String, neg: bool, d: &Digits, prec: i32, fmt: char) {
    if neg {
        out.push('-');
    }
    out.push(d.digit(0) as char);
    if prec > 0 {
        out.push('.');
        for i in 1..=prec {
            out.push(d.digit(i) as char);
        }
    }
    out.push(fmt);
    let mut exp = if d.d.is_empty() { 0 } else { d.dp - 1 };
    if exp < 0 {
        out.push('-');
        exp = -exp;
    } else {
        out.push('+');
    }
    let _ = write!(out, "{exp:02}");
}

/// `-ddd.dddd`.
fn fmt_f(out: &mut String, neg: bool, d: &Digits, prec: i32) {
    if neg {
        out.push('-');
    }
    if d.dp > 0 {
        for i in 0..d.dp {
            out.push(d.digit(i) as char);
        }
    } else {
        out.push('0');
    }
    if prec > 0 {
        out.push('.');
        for i in 0..prec {
            out.push(d.digit(d.dp + i) as char);
        }
    }
}

/// `-ddddp±ddd`: the integer mantissa and the binary exponent.
fn fmt_b(neg: bool, mant: u64, exp: i32) -> String {
    let exp = exp - 52;
    format!(
        "{}{mant}p{}{exp}",
        if neg { "-" } else { "" },
        if exp >= 0 { "+" } else { "" }
    )
}

/// `-0x1.yyyyp±dd`: hexadecimal mantissa, binary exponent, rounded to `prec` hex digits.
fn fmt_x(prec: i32, fmt: char, neg: bool, mut mant: u64, mut exp: i32) -> String {
    if mant == 0 {
        exp = 0;
    }
    // Normalise so that the leading 1 (if any) sits at bit 60.
    mant <<= 60 - 52;
    while mant != 0 && mant & (1 << 60) == 0 {
        mant <<= 1;
        exp -= 1;
    }
    if (0..15).contains(&prec) {
        let shift = (prec * 4) as u32;
        let extra = (mant << shift) & ((1u64 << 60) - 1);
        mant >>= 60 - shift;
        // Round half to even.
        if extra | (mant & 1) > 1 << 59 {
            mant += 1;
        }
        mant <<= 60 - shift;
        if mant & (1 << 61) != 0 {
            mant >>= 1;
            exp += 1;
        }
    }
    let hex: &[u8; 16] = if fmt == 'X' {
        b"0123456789ABCDEF"
    } else {
        b"0123456789abcdef"
    };
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    out.push('0');
    out.push(fmt);
    out.push((b'0' + ((mant >> 60) & 1) as u8) as char);
    mant <<= 4;
    let nibble = |m: u64| hex[((m >> 60) & 15) as usize] as char;
    if prec < 0 && mant != 0 {
        out.push('.');
        while mant != 0 {
            out.push(nibble(mant));
            mant <<= 4;
        }
    } else if prec > 0 {
        out.push('.');
        for _ in 0..prec {
            out.push(nibble(mant));
            mant <<= 4;
        }
    }
    out.push(if fmt == 'X' { 'P' } else { 'p' });
    out.push(if exp < 0 { '-' } else { '+' });
    let _ = write!(out, "{:02}", exp.abs());
    out
}

/// Decodes one rune from `b` like Go's `utf8.DecodeRune`: an invalid or truncated sequence is
/// `(None, 1)`, one byte at a time. `b` must not be empty.
pub(crate) fn decode_rune(b: &[u8]) -> (Option<char>, usize) {
    let want = match b.first() {
        Some(&c) if c < 0x80 => return (Some(c as char), 1),
        Some(&c) if c >= 0xF0 => 4,
        Some(&c) if c >= 0xE0 => 3,
        Some(_) => 2,
        None => return (None, 0),
    };
    match b.get(..want).map(std::str::from_utf8) {
        Some(Ok(s)) => (s.chars().next(), want),
        _ => (None, 1),
    }
}

/// Number of runes in `b`, counting each invalid byte as one (Go's `utf8.RuneCount`).
pub(crate) fn rune_count(b: &[u8]) -> usize {
    let mut n = 0;
    let mut i = 0;
    while i < b.len() {
        i += decode_rune(&b[i..]).1.max(1);
        n += 1;
    }
    n
}

/// Appends the escaped form of `r` inside a literal delimited by `quote`.
fn escape_rune(out: &mut String, r: char, quote: char, ascii_only: bool) {
    if r == quote || r == '\\' {
        out.push('\\');
        out.push(r);
        return;
    }
    let printable = is_print(r as u32);
    if if ascii_only {
        r.is_ascii() && printable
    } else {
        printable
    } {
        out.push(r);
        return;
    }
    match r {
        '\x07' => out.push_str("\\a"),
        '\x08' => out.push_str("\\b"),
        '\x0c' => out.push_str("\\f"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\x0b' => out.push_str("\\v"),
        _ => {
            let c = r as u32;
            if c < 0x20 || c == 0x7f {
                let _ = write!(out, "\\x{c:02x}");
            } else if c < 0x10000 {
                let _ = write!(out, "\\u{c:04x}");
            } else {
                let _ = write!(out, "\\U{c:08x}");
            }
        }
    }
}

/// Quotes bytes as a Go string literal; invalid UTF-8 bytes become `\xNN`.
pub(crate) fn quote_bytes(b: &[u8], ascii_only: bool) -> String {
    let mut out = String::with_capacity(b.len() + 2);
    out.push('"');
    let mut i = 0;
    while i < b.len() {
        // Runs of printable ASCII other than the quote and backslash are copied as they are.
        let plain = b[i..]
            .iter()
            .take_while(|&&c| (0x20..0x7f).contains(&c) && c != b'"' && c != b'\\')
            .count();
        if plain > 0 {
            out.push_str(std::str::from_utf8(&b[i..i + plain]).unwrap_or_default());
            i += plain;
            continue;
        }
        match decode_rune(&b[i..]) {
            (Some(r), n) => {
                escape_rune(&mut out, r, '"', ascii_only);
                i += n;
            }
            (None, _) => {
                let _ = write!(out, "\\x{:02x}", b[i]);
                i += 1;
            }
        }
    }
    out.push('"');
    out
}

/// Go's `strconv.Quote`: a double-quoted Go string literal; printable runes (including
/// non-ASCII) stay as they are, others become `\n`, `\x01`, `\u2028`, `\U000e0001`.
pub fn quote_go(s: &str) -> String {
    quote_bytes(s.as_bytes(), false)
}

/// Go's `strconv.QuoteToASCII`: like [`quote_go`] but every non-ASCII rune is escaped.
pub fn quote_to_ascii(s: &str) -> String {
    quote_bytes(s.as_bytes(), true)
}

/// Go's `strconv.QuoteRune` of a code point; invalid code points (surrogates, beyond
/// U+10FFFF) print as the replacement character.
pub fn quote_rune(r: u32) -> String {
    quote_rune_with(r, false)
}

/// Go's `strconv.QuoteRuneToASCII`.
pub fn quote_rune_to_ascii(r: u32) -> String {
    quote_rune_with(r, true)
}

fn quote_rune_with(r: u32, ascii_only: bool) -> String {
    let c = char::from_u32(r).unwrap_or('\u{FFFD}');
    let mut out = String::from("'");
    escape_rune(&mut out, c, '\'', ascii_only);
    out.push('\'');
    out
}

/// Go's `strconv.CanBackquote`: whether the text can be written as a raw string literal
/// (valid UTF-8 without control characters other than tab, backquote, DEL or a BOM).
pub fn can_backquote(b: &[u8]) -> bool {
    let mut i = 0;
    while i < b.len() {
        let (r, n) = decode_rune(&b[i..]);
        let Some(r) = r else { return false };
        i += n;
        if n > 1 {
            if r == '\u{FEFF}' {
                return false;
            }
            continue;
        }
        if (r < ' ' && r != '\t') || r == '`' || r == '\x7f' {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    /// ryu's shortest digits agree with Rust's `{:e}` (also shortest round-trip, closest
    /// candidate) on random bit patterns, integers and short decimals.
    #[test]
    fn shortest_digits_agree_with_core_fmt() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut samples: Vec<f64> = (0..200_000).map(|_| f64::from_bits(next())).collect();
        samples.extend((0..20_000).map(|i| f64::from(i) * 0.001));
        samples.extend((0..2_000).map(|i| 10f64.powi(i % 600 - 300) * f64::from(i % 7 + 1)));
        samples.extend([f64::MIN_POSITIVE, 5e-324, f64::MAX, 1e21, 1e-7, 123456789.0]);
        for x in samples.into_iter().filter(|x| x.is_finite() && *x != 0.0) {
            let fast = Digits::shortest(x);
            let reference = Digits::from_sci(&format!("{:e}", x.abs()));
            if fast.d == reference.d {
                assert_eq!(fast.dp, reference.dp, "{x:e}");
                continue;
            }
            // core::fmt breaks an exact tie between two shortest candidates upwards; Go (like
            // ryu) takes the even one. Anything else is a real disagreement.
            let (a, b) = (&fast.d, &reference.d);
            let n = a.len();
            assert!(n == b.len() && a[..n - 1] == b[..n - 1], "{x:e}");
            assert_eq!(a[n - 1] % 2, 0, "{x:e}");
            assert_eq!(a[n - 1] + 1, b[n - 1], "{x:e}");
        }
    }

    #[test]
    fn shortest_ties_go_even() {
        // Exactly halfway between ...972 and ...973: helm v3.17.3 prints the even digit.
        let x: f64 = "-1149636667324797.25".parse().expect("a float literal");
        assert_eq!(format_float(x, 'g', -1), "-1.1496366673247972e+15");
    }

    #[test]
    fn floats_in_every_format() {
        assert_eq!(format_float(1234560.0, 'e', 6), "1.234560e+06");
        assert_eq!(format_float(1234560.0, 'g', -1), "1.23456e+06");
        assert_eq!(format_float(1000.0, 'g', 3), "1e+03");
        assert_eq!(format_float(100.0, 'g', 3), "100");
        assert_eq!(format_float(0.1, 'g', 17), "0.10000000000000001");
        assert_eq!(format_float(2.5, 'f', 0), "2");
        assert_eq!(format_float(-0.0, 'f', 6), "-0.000000");
        assert_eq!(format_float(0.0, 'e', -1), "0e+00");
        assert_eq!(format_float(1.0, 'b', -1), "4503599627370496p-52");
        assert_eq!(format_float(-0.1, 'x', -1), "-0x1.999999999999ap-04");
        assert_eq!(format_float(0.3333, 'x', 2), "0x1.55p-02");
        assert_eq!(format_float(1.5, 'x', 0), "0x1p+01");
        assert_eq!(format_float(f64::NAN, 'f', 2), "NaN");
        assert_eq!(format_float(f64::NEG_INFINITY, 'g', -1), "-Inf");
        assert_eq!(format_float(1e-310, 'e', -1), "1e-310");
        assert_eq!(format_float(1.0, 'z', -1), "%z");
    }

    #[test]
    fn huge_precisions_pad_with_zeros() {
        // Beyond Rust's formatter limit (u16) and beyond the exact expansion of any float64.
        let e = format_float(0.1, 'e', 70_000);
        assert!(e.starts_with("1.000000000000000055511151231257827") && e.ends_with("0e-01"));
        assert_eq!(e.len(), "1.".len() + 70_000 + "e-01".len());
        let f = format_float(-0.5, 'f', 100_000);
        assert_eq!(f.len(), "-0.".len() + 100_000);
        assert!(f.starts_with("-0.5000") && f.ends_with('0'));
        assert_eq!(format_float(0.5, 'g', 70_000), "0.5");
    }

    #[test]
    fn quoting() {
        assert_eq!(quote_go("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(quote_go("\u{e9}\x01\u{2028}"), "\"\u{e9}\\x01\\u2028\"");
        assert_eq!(quote_to_ascii("\u{e9}\u{1F600}"), r#""\u00e9\U0001f600""#);
        assert_eq!(quote_bytes(b"a\xffb", false), r#""a\xffb""#);
        assert_eq!(quote_rune(39), r"'\''");
        assert_eq!(quote_rune(0xD800), "'\u{FFFD}'");
        assert_eq!(quote_rune_to_ascii(0x263A), r"'\u263a'");
        assert!(can_backquote(b"a\tb"));
        assert!(!can_backquote(b"a`b"));
        assert!(!can_backquote(b"a\xffb"));
        assert!(is_print(' ' as u32) && !is_print(0xA0) && is_print(0xE9) && !is_print(0xFEFF));
    }

    #[test]
    fn rune_counting_treats_bad_bytes_as_runes() {
        assert_eq!(rune_count("h\u{e9}".as_bytes()), 2);
        assert_eq!(rune_count(b"\xe6\x97x"), 3);
        assert_eq!(decode_rune(b"\xc3\xa9"), (Some('\u{e9}'), 2));
    }
}
