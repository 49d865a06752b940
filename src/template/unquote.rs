//! The parts of Go's `strconv` (and `fmt`'s `%q` / `%#U`) that the template lexer and parser
//! depend on. Their exact acceptance rules matter: whether `{{ 0x1p4 }}`, `{{ 1_000 }}` or
//! `{{ "\q" }}` parses, and the value it gets, must match Go.

/// Why a numeric conversion failed (Go's `strconv.ErrSyntax` / `strconv.ErrRange`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumError {
    /// Not a well-formed number.
    Syntax,
    /// Well-formed but out of range for the target type.
    Range,
}

/// Go's `strconv.ErrSyntax` text, which the parser reports verbatim for bad quoted strings.
pub const INVALID_SYNTAX: &str = "invalid syntax";

/// A malformed quoted literal (Go's `strconv.ErrSyntax`, "invalid syntax").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyntaxError;

/// Go's `unicode.IsPrint` (Go's Unicode 15.0.0 tables, shared with `fmt`).
pub fn is_print(c: char) -> bool {
    super::strconv::is_print(c as u32)
}

/// Go's `strconv.Quote` (and `fmt`'s `%q` of a string).
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c if is_print(c) => out.push(c),
            '\x07' => out.push_str("\\a"),
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x0b' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push('"');
    out
}

/// `fmt`'s `%.Nq` of a string: the input is cut to `n` characters before quoting.
pub fn quote_truncated(s: &str, n: usize) -> String {
    match s.char_indices().nth(n) {
        Some((i, _)) => quote(&s[..i]),
        None => quote(s),
    }
}

/// `fmt`'s `%#U`: `U+0041 'A'` (the quoted character only when printable).
pub fn format_unicode(c: char) -> String {
    if is_print(c) {
        format!("U+{:04X} '{}'", c as u32, c)
    } else {
        format!("U+{:04X}", c as u32)
    }
}

/// Go's `strconv.UnquoteChar`: decodes the first (possibly escaped) character of `s`, inside a
/// literal delimited by `quote`. Returns the value, whether it must be encoded as UTF-8 (as
/// opposed to a raw byte from `\x..` / octal escapes), and the rest of the input.
pub fn unquote_char(s: &str, quote: u8) -> Result<(u32, bool, &str), SyntaxError> {
    let bytes = s.as_bytes();
    let Some(&c) = bytes.first() else {
        return Err(SyntaxError);
    };
    if c == quote && (quote == b'\'' || quote == b'"') {
        return Err(SyntaxError);
    }
    if c >= 0x80 {
        let ch = s.chars().next().ok_or(SyntaxError)?;
        return Ok((ch as u32, true, &s[ch.len_utf8()..]));
    }
    if c != b'\\' {
        return Ok((u32::from(c), false, &s[1..]));
    }
    let Some(&e) = bytes.get(1) else {
        return Err(SyntaxError);
    };
    // A backslash before a multi-byte character is no escape at all.
    let rest = s.get(2..).ok_or(SyntaxError)?;
    let simple = |v: u8| Ok((u32::from(v), false, rest));
    match e {
        b'a' => simple(0x07),
        b'b' => simple(0x08),
        b'f' => simple(0x0c),
        b'n' => simple(b'\n'),
        b'r' => simple(b'\r'),
        b't' => simple(b'\t'),
        b'v' => simple(0x0b),
        b'\\' => simple(b'\\'),
        b'\'' | b'"' if e == quote => simple(e),
        b'x' | b'u' | b'U' => {
            let n = match e {
                b'x' => 2,
                b'u' => 4,
                _ => 8,
            };
            let digits = rest.as_bytes().get(..n).ok_or(SyntaxError)?;
            let mut v: u32 = 0;
            for &d in digits {
                v = (v << 4) | (d as char).to_digit(16).ok_or(SyntaxError)?;
            }
            let tail = &rest[n..];
            if e == b'x' {
                return Ok((v, false, tail));
            }
            // Surrogates and values beyond U+10FFFF are not valid runes.
            char::from_u32(v).ok_or(SyntaxError)?;
            Ok((v, true, tail))
        }
        b'0'..=b'7' => {
            let digits = rest.as_bytes().get(..2).ok_or(SyntaxError)?;
            let mut v = u32::from(e - b'0');
            for &d in digits {
                if !(b'0'..=b'7').contains(&d) {
                    return Err(SyntaxError);
                }
                v = (v << 3) | u32::from(d - b'0');
            }
            if v > 255 {
                return Err(SyntaxError);
            }
            Ok((v, false, &rest[2..]))
        }
        _ => Err(SyntaxError),
    }
}

/// Go's `strconv.Unquote` for `"..."`, `` `...` `` and `'.'` literals. Escapes that produce
/// bytes which are not valid UTF-8 (`"\xff"`) become U+FFFD, since our strings are UTF-8.
pub fn unquote(s: &str) -> Result<String, SyntaxError> {
    let bytes = s.as_bytes();
    if bytes.len() < 2 {
        return Err(SyntaxError);
    }
    let quote = bytes[0];
    if bytes[bytes.len() - 1] != quote {
        return Err(SyntaxError);
    }
    let inner = &s[1..s.len() - 1];
    match quote {
        b'`' => {
            if inner.contains('`') {
                return Err(SyntaxError);
            }
            // Carriage returns inside raw strings are discarded, as in Go source.
            Ok(inner.replace('\r', ""))
        }
        b'"' | b'\'' => {
            let mut buf: Vec<u8> = Vec::with_capacity(inner.len());
            let mut rest = inner;
            let mut count = 0;
            while !rest.is_empty() {
                if rest.starts_with('\n') {
                    return Err(SyntaxError);
                }
                let (v, multibyte, tail) = unquote_char(rest, quote)?;
                rest = tail;
                count += 1;
                if v < 0x80 || !multibyte {
                    // A single byte, possibly not valid UTF-8 on its own.
                    buf.push(v as u8);
                } else {
                    let ch = char::from_u32(v).ok_or(SyntaxError)?;
                    let mut tmp = [0u8; 4];
                    buf.extend_from_slice(ch.encode_utf8(&mut tmp).as_bytes());
                }
            }
            if quote == b'\'' && count != 1 {
                return Err(SyntaxError);
            }
            Ok(String::from_utf8_lossy(&buf).into_owned())
        }
        _ => Err(SyntaxError),
    }
}

/// Go's `strconv` `underscoreOK`: underscores only between digits or after a base prefix.
pub fn underscore_ok(s: &str) -> bool {
    let mut s = s.as_bytes();
    if let Some(b'+' | b'-') = s.first() {
        s = &s[1..];
    }
    let mut saw = b'^';
    let mut i = 0;
    let mut hex = false;
    if s.len() >= 2 && s[0] == b'0' && matches!(s[1].to_ascii_lowercase(), b'b' | b'o' | b'x') {
        i = 2;
        saw = b'0';
        hex = s[1].eq_ignore_ascii_case(&b'x');
    }
    while i < s.len() {
        let c = s[i];
        i += 1;
        if c.is_ascii_digit() || (hex && c.is_ascii_hexdigit()) {
            saw = b'0';
            continue;
        }
        if c == b'_' {
            if saw != b'0' {
                return false;
            }
            saw = b'_';
            continue;
        }
        if saw == b'_' {
            return false;
        }
        saw = b'!';
    }
    saw != b'_'
}

/// Go's `strconv.ParseUint(s, 0, 64)`: base prefixes `0x`, `0o`, `0b`, a bare leading `0` for
/// octal, and `_` digit separators.
pub fn parse_uint(s: &str) -> Result<u64, NumError> {
    let b = s.as_bytes();
    if b.is_empty() {
        return Err(NumError::Syntax);
    }
    let (base, digits): (u32, &[u8]) = if b[0] == b'0' {
        match b.get(1).map(u8::to_ascii_lowercase) {
            Some(b'b') if b.len() >= 3 => (2, &b[2..]),
            Some(b'o') if b.len() >= 3 => (8, &b[2..]),
            Some(b'x') if b.len() >= 3 => (16, &b[2..]),
            _ => (8, &b[1..]),
        }
    } else {
        (10, b)
    };
    let mut underscores = false;
    let mut n: u64 = 0;
    let mut overflow = false;
    for &c in digits {
        if c == b'_' {
            underscores = true;
            continue;
        }
        let d = (c as char).to_digit(36).ok_or(NumError::Syntax)?;
        if d >= base {
            return Err(NumError::Syntax);
        }
        // Go stops at the first overflow; later bad digits then go unreported.
        match n
            .checked_mul(u64::from(base))
            .and_then(|v| v.checked_add(u64::from(d)))
        {
            Some(v) => n = v,
            None => {
                overflow = true;
                break;
            }
        }
    }
    if overflow {
        return Err(NumError::Range);
    }
    if underscores && !underscore_ok(s) {
        return Err(NumError::Syntax);
    }
    Ok(n)
}

/// Go's `strconv.ParseInt(s, 0, 64)`.
pub fn parse_int(s: &str) -> Result<i64, NumError> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'+') => (false, &s[1..]),
        Some(b'-') => (true, &s[1..]),
        _ => (false, s),
    };
    let un = match parse_uint(body) {
        Ok(v) => v,
        Err(NumError::Range) => u64::MAX,
        Err(e) => return Err(e),
    };
    const CUTOFF: u64 = 1 << 63;
    if !neg && un >= CUTOFF {
        return Err(NumError::Range);
    }
    if neg && un > CUTOFF {
        return Err(NumError::Range);
    }
    if neg {
        // un <= 2^63 here, so the negation fits.
        Ok((un as i64).wrapping_neg())
    } else {
        Ok(un as i64)
    }
}

/// What Go's `readFloat` extracts from a float literal.
struct FloatParts {
    mantissa: u64,
    exp: i64,
    neg: bool,
    trunc: bool,
    hex: bool,
    len: usize,
}

/// Go's `readFloat`: validates the literal syntax and reads the (possibly truncated) mantissa.
fn read_float(s: &[u8]) -> Option<FloatParts> {
    let mut i = 0;
    let mut underscores = false;
    let mut neg = false;
    match s.first() {
        None => return None,
        Some(b'+') => i += 1,
        Some(b'-') => {
            i += 1;
            neg = true;
        }
        _ => {}
    }
    let mut base: u64 = 10;
    let mut max_mant_digits = 19;
    let mut exp_char = b'e';
    let mut hex = false;
    if i + 2 < s.len() && s[i] == b'0' && s[i + 1].eq_ignore_ascii_case(&b'x') {
        base = 16;
        max_mant_digits = 16;
        i += 2;
        exp_char = b'p';
        hex = true;
    }
    let (mut sawdot, mut sawdigits) = (false, false);
    let (mut nd, mut nd_mant, mut dp): (i64, i64, i64) = (0, 0, 0);
    let mut mantissa: u64 = 0;
    let mut trunc = false;
    while i < s.len() {
        let c = s[i];
        if c == b'_' {
            underscores = true;
        } else if c == b'.' {
            if sawdot {
                break;
            }
            sawdot = true;
            dp = nd;
        } else if c.is_ascii_digit() {
            sawdigits = true;
            if c == b'0' && nd == 0 {
                dp -= 1;
            } else {
                nd += 1;
                if nd_mant < max_mant_digits {
                    mantissa = mantissa * base + u64::from(c - b'0');
                    nd_mant += 1;
                } else if c != b'0' {
                    trunc = true;
                }
            }
        } else if base == 16 && c.is_ascii_hexdigit() {
            sawdigits = true;
            nd += 1;
            if nd_mant < max_mant_digits {
                mantissa = mantissa * 16 + u64::from(c.to_ascii_lowercase() - b'a' + 10);
                nd_mant += 1;
            } else {
                trunc = true;
            }
        } else {
            break;
        }
        i += 1;
    }
    if !sawdigits {
        return None;
    }
    if !sawdot {
        dp = nd;
    }
    if base == 16 {
        dp *= 4;
        nd_mant *= 4;
    }
    if i < s.len() && s[i].to_ascii_lowercase() == exp_char {
        i += 1;
        let mut esign = 1;
        match s.get(i) {
            None => return None,
            Some(b'+') => i += 1,
            Some(b'-') => {
                i += 1;
                esign = -1;
            }
            _ => {}
        }
        if !s.get(i).is_some_and(u8::is_ascii_digit) {
            return None;
        }
        let mut e: i64 = 0;
        while i < s.len() && (s[i].is_ascii_digit() || s[i] == b'_') {
            if s[i] == b'_' {
                underscores = true;
            } else if e < 10000 {
                e = e * 10 + i64::from(s[i] - b'0');
            }
            i += 1;
        }
        dp += e * esign;
    } else if base == 16 {
        return None;
    }
    let exp = if mantissa != 0 { dp - nd_mant } else { 0 };
    // The prefix was validated byte by byte as ASCII, so this slice is on a char boundary.
    let prefix = std::str::from_utf8(&s[..i]).ok()?;
    if underscores && !underscore_ok(prefix) {
        return None;
    }
    Some(FloatParts {
        mantissa,
        exp,
        neg,
        trunc,
        hex,
        len: i,
    })
}

/// Go's `atofHex` for float64: exact rounding of a hexadecimal mantissa and binary exponent.
fn atof_hex(p: &FloatParts) -> Result<f64, NumError> {
    const MANTBITS: u32 = 52;
    const EXPBITS: u32 = 11;
    const BIAS: i64 = -1023;
    let max_exp = (1i64 << EXPBITS) + BIAS - 2;
    let min_exp = BIAS + 1;
    let mut mantissa = p.mantissa;
    let mut exp = p.exp + i64::from(MANTBITS);
    while mantissa != 0 && mantissa >> (MANTBITS + 2) == 0 {
        mantissa <<= 1;
        exp -= 1;
    }
    if p.trunc {
        mantissa |= 1;
    }
    while mantissa >> (1 + MANTBITS + 2) != 0 {
        mantissa = (mantissa >> 1) | (mantissa & 1);
        exp += 1;
    }
    while mantissa > 1 && exp < min_exp - 2 {
        mantissa = (mantissa >> 1) | (mantissa & 1);
        exp += 1;
    }
    let mut round = mantissa & 3;
    mantissa >>= 2;
    round |= mantissa & 1;
    exp += 2;
    if round == 3 {
        mantissa += 1;
        if mantissa == 1 << (1 + MANTBITS) {
            mantissa >>= 1;
            exp += 1;
        }
    }
    if mantissa >> MANTBITS == 0 {
        exp = BIAS;
    }
    let mut err = None;
    if exp > max_exp {
        mantissa = 1 << MANTBITS;
        exp = max_exp + 1;
        err = Some(NumError::Range);
    }
    let mut bits = mantissa & ((1 << MANTBITS) - 1);
    bits |= (((exp - BIAS) as u64) & ((1 << EXPBITS) - 1)) << MANTBITS;
    if p.neg {
        bits |= 1 << (MANTBITS + EXPBITS);
    }
    match err {
        Some(e) => Err(e),
        None => Ok(f64::from_bits(bits)),
    }
}

/// Go's `strconv.ParseFloat(s, 64)` for the syntax the template lexer can produce (decimal and
/// hexadecimal literals with `_` separators; the `inf`/`nan` spellings cannot reach it).
pub fn parse_float(s: &str) -> Result<f64, NumError> {
    let parts = read_float(s.as_bytes()).ok_or(NumError::Syntax)?;
    if parts.len != s.len() {
        return Err(NumError::Syntax);
    }
    if parts.hex {
        return atof_hex(&parts);
    }
    // Rust's parser is correctly rounded like Go's; it only needs the separators removed.
    let cleaned: String = s.chars().filter(|&c| c != '_').collect();
    let f: f64 = cleaned.parse().map_err(|_| NumError::Syntax)?;
    if f.is_infinite() {
        return Err(NumError::Range);
    }
    Ok(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_like_go() {
        assert_eq!(quote("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(quote("\n\t\x01\x7f"), r#""\n\t\x01\x7f""#);
        assert_eq!(quote("é\u{200b}"), "\"é\\u200b\"");
        assert_eq!(quote_truncated("abcdefghijkl", 10), "\"abcdefghij\"");
        assert_eq!(format_unicode('}'), "U+007D '}'");
        assert_eq!(format_unicode('\u{1}'), "U+0001");
    }

    #[test]
    fn unquotes_like_go() {
        assert_eq!(unquote(r#""a\nb""#), Ok("a\nb".to_string()));
        assert_eq!(unquote(r#""\u00e9\x41\101""#), Ok("éAA".to_string()));
        assert_eq!(unquote("`a\r\nb`"), Ok("a\nb".to_string()));
        assert_eq!(unquote(r#""\q""#), Err(SyntaxError));
        assert_eq!(unquote("\"\\\u{e9}\""), Err(SyntaxError));
        assert_eq!(unquote(r#""\'""#), Err(SyntaxError));
        assert_eq!(unquote(r#""\ud800""#), Err(SyntaxError));
        assert_eq!(unquote(r#""\400""#), Err(SyntaxError));
        assert_eq!(unquote("'a'"), Ok("a".to_string()));
        assert_eq!(unquote("'ab'"), Err(SyntaxError));
    }

    #[test]
    fn parses_ints_like_go() {
        assert_eq!(parse_uint("0x1F"), Ok(31));
        assert_eq!(parse_uint("0o17"), Ok(15));
        assert_eq!(parse_uint("017"), Ok(15));
        assert_eq!(parse_uint("0b101"), Ok(5));
        assert_eq!(parse_uint("1_000"), Ok(1000));
        assert_eq!(parse_uint("1__0"), Err(NumError::Syntax));
        assert_eq!(parse_uint("08"), Err(NumError::Syntax));
        assert_eq!(parse_uint("0x"), Err(NumError::Syntax));
        assert_eq!(parse_uint("-1"), Err(NumError::Syntax));
        assert_eq!(parse_uint("18446744073709551616"), Err(NumError::Range));
        assert_eq!(parse_int("-9223372036854775808"), Ok(i64::MIN));
        assert_eq!(parse_int("9223372036854775808"), Err(NumError::Range));
        assert_eq!(parse_int("+0x10"), Ok(16));
    }

    #[test]
    fn parses_floats_like_go() {
        assert_eq!(parse_float("1.5e3"), Ok(1500.0));
        assert_eq!(parse_float(".5"), Ok(0.5));
        assert_eq!(parse_float("1_0.5"), Ok(10.5));
        assert_eq!(parse_float("0x1p4"), Ok(16.0));
        assert_eq!(parse_float("0x1.8p1"), Ok(3.0));
        assert_eq!(parse_float("0x1"), Err(NumError::Syntax));
        assert_eq!(parse_float("1e400"), Err(NumError::Range));
        assert_eq!(parse_float("1e"), Err(NumError::Syntax));
        assert_eq!(parse_float("08"), Ok(8.0));
        assert_eq!(parse_float("1..2"), Err(NumError::Syntax));
    }
}
