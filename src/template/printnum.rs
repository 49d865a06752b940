//! Numbers for the printer: Go's `fmtInteger`, `fmtUnicode`, `%c`/`%q` of runes and
//! `fmtFloat` (sign, `#`, zero padding) on top of `strconv::format_float`.

use super::printf::{Printer, LDIGITS, UDIGITS};
use super::strconv::{format_float, is_print, quote_rune, quote_rune_to_ascii};
use super::value::Value;

impl Printer {
    /// Hexadecimal with or without a leading 0x, whatever the `#` flag says.
    pub(super) fn fmt_0x64(&mut self, u: u64, leading_0x: bool) {
        let sharp = self.f.sharp;
        self.f.sharp = leading_0x;
        self.fmt_int(u, 16, false, 'v', LDIGITS);
        self.f.sharp = sharp;
    }

    /// An integer operand (signed, or an unsigned byte of a `[]byte`) under any verb.
    pub(super) fn fmt_integer(&mut self, u: u64, signed: bool, verb: char, arg: &Value) {
        match verb {
            'v' if self.f.sharp_v && !signed => self.fmt_0x64(u, true),
            'v' | 'd' => self.fmt_int(u, 10, signed, verb, LDIGITS),
            'b' => self.fmt_int(u, 2, signed, verb, LDIGITS),
            'o' | 'O' => self.fmt_int(u, 8, signed, verb, LDIGITS),
            'x' => self.fmt_int(u, 16, signed, verb, LDIGITS),
            'X' => self.fmt_int(u, 16, signed, verb, UDIGITS),
            'c' => {
                let c = rune_of(u);
                self.pad_str(c.encode_utf8(&mut [0u8; 4]));
            }
            'q' => {
                let r = u32::try_from(u).unwrap_or(0xFFFD);
                let q = if self.f.plus {
                    quote_rune_to_ascii(r)
                } else {
                    quote_rune(r)
                };
                self.pad_str(&q);
            }
            'U' => self.fmt_unicode(u),
            _ => self.bad_verb(verb, arg),
        }
    }

    /// Go's `fmtInteger`: sign, zero fill from precision or `0` width, `#` prefixes.
    fn fmt_int(&mut self, u: u64, base: u64, signed: bool, verb: char, digits: &[u8; 17]) {
        let negative = signed && (u as i64) < 0;
        let mut u = if negative { u.wrapping_neg() } else { u };
        let mut prec = 0usize;
        if self.f.prec_present {
            prec = self.f.prec;
            if prec == 0 && u == 0 {
                // Precision 0 and value 0 print nothing, but still pad (with spaces).
                let zero = self.f.zero;
                self.f.zero = false;
                self.write_padding(self.f.wid);
                self.f.zero = zero;
                return;
            }
        } else if self.f.zero && !self.f.minus && self.f.wid_present {
            prec = self.f.wid;
            if negative || self.f.plus || self.f.space {
                prec = prec.saturating_sub(1); // room for the sign
            }
        }
        let mut rev: Vec<u8> = Vec::with_capacity(24);
        loop {
            rev.push(digits[(u % base) as usize]);
            u /= base;
            if u == 0 {
                break;
            }
        }
        while rev.len() < prec {
            rev.push(b'0');
        }
        if self.f.sharp {
            match base {
                2 => rev.extend_from_slice(b"b0"),
                8 if rev.last() != Some(&b'0') => rev.push(b'0'),
                16 => rev.extend_from_slice(&[digits[16], b'0']),
                _ => {}
            }
        }
        if verb == 'O' {
            rev.extend_from_slice(b"o0");
        }
        if negative {
            rev.push(b'-');
        } else if self.f.plus {
            rev.push(b'+');
        } else if self.f.space {
            rev.push(b' ');
        }
        rev.reverse();
        self.pad_no_zero(&rev);
    }

    /// `U+0078`, or `U+0078 'x'` with `#` when printable.
    fn fmt_unicode(&mut self, u: u64) {
        let prec = if self.f.prec_present && self.f.prec > 4 {
            self.f.prec
        } else {
            4
        };
        let hex = format!("{u:X}");
        let mut s = String::with_capacity(prec + 10);
        s.push_str("U+");
        s.extend(std::iter::repeat_n('0', prec.saturating_sub(hex.len())));
        s.push_str(&hex);
        if self.f.sharp {
            if let Some(c) = u32::try_from(u).ok().and_then(char::from_u32) {
                if is_print(c as u32) {
                    s.push_str(" '");
                    s.push(c);
                    s.push('\'');
                }
            }
        }
        self.pad_no_zero(s.as_bytes());
    }

    /// A float64 operand: `%v` is shortest `%g`; `%e %f` default to 6 digits.
    pub(super) fn fmt_float(&mut self, x: f64, verb: char, arg: &Value) {
        match verb {
            'v' => self.fmt_float_with(x, 'g', -1),
            'b' | 'g' | 'G' | 'x' | 'X' => self.fmt_float_with(x, verb, -1),
            'f' | 'e' | 'E' => self.fmt_float_with(x, verb, 6),
            'F' => self.fmt_float_with(x, 'f', 6),
            _ => self.bad_verb(verb, arg),
        }
    }

    /// Go's `fmt.fmtFloat`: sign handling, `#` (keep the point and trailing zeros), zero
    /// padding after the sign, and no zero padding for Inf and NaN.
    fn fmt_float_with(&mut self, x: f64, verb: char, prec: i32) {
        let prec = if self.f.prec_present {
            self.f.prec.min(i32::MAX as usize) as i32
        } else {
            prec
        };
        let s = format_float(x, verb, prec);
        // `num` always starts with a sign byte.
        let mut num: Vec<u8> = if s.starts_with('-') || s.starts_with('+') {
            s.into_bytes()
        } else {
            let mut v = Vec::with_capacity(s.len() + 1);
            v.push(b'+');
            v.extend_from_slice(s.as_bytes());
            v
        };
        if self.f.space && num[0] == b'+' && !self.f.plus {
            num[0] = b' ';
        }
        if matches!(num.get(1), Some(b'I') | Some(b'N')) {
            let zero = self.f.zero;
            self.f.zero = false;
            let start = usize::from(num[1] == b'N' && !self.f.space && !self.f.plus);
            self.pad(&num[start..]);
            self.f.zero = zero;
            return;
        }
        if self.f.sharp && verb != 'b' {
            num = sharp_float(num, verb, prec);
        }
        if self.f.plus || num[0] != b'+' {
            if self.f.zero && !self.f.minus && self.f.wid_present && self.f.wid > num.len() {
                self.buf.push(num[0]);
                self.write_padding(self.f.wid - num.len());
                self.buf.extend_from_slice(&num[1..]);
                return;
            }
            self.pad(&num);
            return;
        }
        self.pad(&num[1..]);
    }
}

/// The `#` flag on floats: force a decimal point and, for %g and %x, keep trailing zeros up to
/// the precision (6 when none was given).
fn sharp_float(mut num: Vec<u8>, verb: char, prec: i32) -> Vec<u8> {
    let mut digits: i64 = match verb {
        'v' | 'g' | 'G' | 'x' => {
            if prec == -1 {
                6
            } else {
                i64::from(prec)
            }
        }
        _ => 0,
    };
    let mut tail = Vec::new();
    let mut has_point = false;
    let mut saw_nonzero = false;
    let mut i = 1;
    while i < num.len() {
        match num[i] {
            b'.' => has_point = true,
            b'p' | b'P' => {
                tail = num.split_off(i);
                break;
            }
            b'e' | b'E' if verb != 'x' && verb != 'X' => {
                tail = num.split_off(i);
                break;
            }
            c => {
                if c != b'0' {
                    saw_nonzero = true;
                }
                // Only significant digits (after the first non-zero one) count.
                if saw_nonzero {
                    digits -= 1;
                }
            }
        }
        i += 1;
    }
    if !has_point {
        // A lone leading 0 counts as one digit.
        if num.len() == 2 && num[1] == b'0' {
            digits -= 1;
        }
        num.push(b'.');
    }
    while digits > 0 {
        num.push(b'0');
        digits -= 1;
    }
    num.extend_from_slice(&tail);
    num
}

/// The character for `%c`: out-of-range values and surrogates become U+FFFD.
fn rune_of(u: u64) -> char {
    u32::try_from(u)
        .ok()
        .and_then(char::from_u32)
        .unwrap_or('\u{FFFD}')
}
