//! The printer behind `sprintf`, `sprint` and `sprintln`: Go's `fmt` state machine (flags,
//! width, precision, argument indexes, error notes such as `%!d(string=a)`) over [`Value`].
//!
//! Output is collected as bytes because `%s` of a `[]byte` may emit bytes that are not UTF-8,
//! and padding must then count them as Go does (one rune per invalid byte).

use super::strconv::{can_backquote, decode_rune, quote_bytes, rune_count};
use super::value::{MapRef, SliceKind, Value};

pub(crate) const LDIGITS: &[u8; 17] = b"0123456789abcdefx";
pub(crate) const UDIGITS: &[u8; 17] = b"0123456789ABCDEFX";

/// Nesting depth beyond which containers are not descended into. Go has no limit (it would
/// overflow its stack); ours keeps the recursion well inside a thread's stack.
const MAX_DEPTH: usize = 1_000;

/// Go's `fmtFlags` plus width and precision of the directive being printed.
#[derive(Clone, Copy, Default)]
pub(crate) struct Flags {
    /// A width was given (`wid` holds it).
    pub wid_present: bool,
    /// A precision was given (`prec` holds it).
    pub prec_present: bool,
    /// `-`: pad on the right.
    pub minus: bool,
    /// `+`: always print a sign (ASCII-only output for `%q`).
    pub plus: bool,
    /// `#`: alternate format (0x, 0, raw strings, kept float zeros).
    pub sharp: bool,
    /// ` `: a space for the sign of positive numbers, spaces between hex bytes.
    pub space: bool,
    /// `0`: pad with leading zeros (after the sign).
    pub zero: bool,
    /// `%+v`: set instead of `plus` for the `v` verb.
    pub plus_v: bool,
    /// `%#v` (Go syntax): set instead of `sharp` for the `v` verb.
    pub sharp_v: bool,
    /// Minimum width in runes.
    pub wid: usize,
    /// Precision: digits for numbers, runes or bytes for text.
    pub prec: usize,
}

/// One printing run.
#[derive(Default)]
pub(crate) struct Printer {
    /// The output.
    pub buf: Vec<u8>,
    /// The flags of the directive being printed.
    pub f: Flags,
    /// Set while printing a bad-verb note, where Go does not call String methods.
    erroring: bool,
    /// The maps being printed, outermost first: sprig's `set` can make a map contain itself,
    /// which Go prints until it crashes; we print `...` for the inner occurrence instead.
    open_maps: Vec<MapRef>,
    /// The operand is an addressable value (a template action printing a struct field), so
    /// pointer-receiver `String` methods apply to it; function arguments are copies.
    pub addressable: bool,
}

impl Printer {
    /// The output so far (bytes that are not UTF-8 become U+FFFD).
    pub fn finish(self) -> String {
        match String::from_utf8(self.buf) {
            Ok(s) => s,
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        }
    }

    /// Appends text as is.
    pub fn write_str(&mut self, s: &str) {
        self.buf.extend_from_slice(s.as_bytes());
    }

    /// Appends `n` padding bytes: zeros under the `0` flag (left padding only), else spaces.
    pub(super) fn write_padding(&mut self, n: usize) {
        // Zero padding is only ever applied on the left.
        let pad = if self.f.zero && !self.f.minus {
            b'0'
        } else {
            b' '
        };
        self.buf.resize(self.buf.len() + n, pad);
    }

    /// Writes `b` padded to the width (counted in runes), on the left unless `-`.
    pub(super) fn pad(&mut self, b: &[u8]) {
        if !self.f.wid_present || self.f.wid == 0 {
            self.buf.extend_from_slice(b);
            return;
        }
        let width = self.f.wid.saturating_sub(rune_count(b));
        if self.f.minus {
            self.buf.extend_from_slice(b);
            self.write_padding(width);
        } else {
            self.write_padding(width);
            self.buf.extend_from_slice(b);
        }
    }

    /// [`Printer::pad`] for text.
    pub(super) fn pad_str(&mut self, s: &str) {
        self.pad(s.as_bytes());
    }

    /// Pads with spaces even under the `0` flag (integers did their zero fill already).
    pub(super) fn pad_no_zero(&mut self, b: &[u8]) {
        let zero = self.f.zero;
        self.f.zero = false;
        self.pad(b);
        self.f.zero = zero;
    }

    /// Cuts `b` to the precision, counted in runes.
    fn truncate<'a>(&self, b: &'a [u8]) -> &'a [u8] {
        if !self.f.prec_present {
            return b;
        }
        let mut i = 0;
        for _ in 0..self.f.prec {
            if i >= b.len() {
                break;
            }
            i += decode_rune(&b[i..]).1.max(1);
        }
        &b[..i.min(b.len())]
    }

    /// `%!verb(type=value)`, or `%!verb(<nil>)`.
    pub(super) fn bad_verb(&mut self, verb: char, arg: &Value) {
        self.bad_verb_as(verb, arg.type_name(), arg);
    }

    /// [`Printer::bad_verb`] with an explicit Go type name (`uint8` for bytes of a slice).
    fn bad_verb_as(&mut self, verb: char, type_name: &str, arg: &Value) {
        self.erroring = true;
        self.write_str("%!");
        self.write_char(verb);
        self.buf.push(b'(');
        if arg.is_nil() {
            self.write_str("<nil>");
        } else {
            self.write_str(type_name);
            self.buf.push(b'=');
            self.print_arg(arg, 'v');
        }
        self.buf.push(b')');
        self.erroring = false;
    }

    /// Appends one character as is.
    pub fn write_char(&mut self, c: char) {
        let mut tmp = [0u8; 4];
        self.buf
            .extend_from_slice(c.encode_utf8(&mut tmp).as_bytes());
    }

    /// Go's `printArg`: prints one top-level operand.
    pub fn print_arg(&mut self, arg: &Value, verb: char) {
        if arg.is_nil() {
            match verb {
                'T' | 'v' => self.pad_str("<nil>"),
                _ => self.bad_verb(verb, arg),
            }
            return;
        }
        match verb {
            'T' => return self.fmt_s(arg.type_name().as_bytes()),
            'p' => return self.fmt_pointer(arg, verb),
            _ => {}
        }
        match arg {
            Value::Bytes(b) => self.fmt_bytes(b, verb, "[]byte"),
            Value::Object(_) if self.handle_methods(arg, verb, self.addressable) => {}
            _ => self.print_value(arg, verb, 0),
        }
    }

    /// Objects are Stringers: the string-accepting verbs print `Object::format()`.
    fn handle_methods(&mut self, arg: &Value, verb: char, addressable: bool) -> bool {
        let Value::Object(o) = arg else { return false };
        if self.erroring || self.f.sharp_v || !matches!(verb, 'v' | 's' | 'x' | 'X' | 'q') {
            return false;
        }
        let s = if addressable {
            o.format()
        } else {
            o.format_value()
        };
        self.fmt_string(s.as_bytes(), verb, arg);
        true
    }

    /// Go's `printValue`: a value at any depth; elements of containers are at depth > 0.
    fn print_value(&mut self, v: &Value, verb: char, depth: usize) {
        if depth > 0 && self.handle_methods(v, verb, false) {
            return;
        }
        match v {
            // Only reachable for an element of an interface slice or map.
            Value::Nil => {
                if self.f.sharp_v {
                    self.write_str("interface {}(nil)");
                } else {
                    self.write_str("<nil>");
                }
            }
            Value::Bool(b) => match verb {
                't' | 'v' => self.pad_str(if *b { "true" } else { "false" }),
                _ => self.bad_verb(verb, v),
            },
            Value::Int(i) | Value::Int64(i) => self.fmt_integer(*i as u64, true, verb, v),
            Value::Float(x) => self.fmt_float(*x, verb, v),
            Value::String(s) => self.fmt_string(s.as_bytes(), verb, v),
            Value::Bytes(b) => {
                if matches!(verb, 's' | 'q' | 'x' | 'X') {
                    self.fmt_bytes(b, verb, "[]uint8");
                } else {
                    self.print_byte_slice(b, verb, "[]uint8");
                }
            }
            Value::List(l) => {
                if depth > MAX_DEPTH {
                    return self.write_str("...");
                }
                let sharp_v = self.f.sharp_v;
                if sharp_v {
                    self.write_str(v.type_name());
                    self.buf.push(b'{');
                } else {
                    self.buf.push(b'[');
                }
                for (i, item) in l.items.iter().enumerate() {
                    if i > 0 {
                        self.write_str(if sharp_v { ", " } else { " " });
                    }
                    // A nil can only sit in an `[]interface {}`; typed slices hold values.
                    debug_assert!(l.kind == SliceKind::Interface || !item.is_nil());
                    self.print_value(item, verb, depth + 1);
                }
                self.buf.push(if sharp_v { b'}' } else { b']' });
            }
            Value::Map(m) => {
                if depth > MAX_DEPTH || self.open_maps.iter().any(|o| o.ptr_eq(m)) {
                    return self.write_str("...");
                }
                self.open_maps.push(m.clone());
                let sharp_v = self.f.sharp_v;
                if sharp_v {
                    self.write_str(v.type_name());
                    self.buf.push(b'{');
                } else {
                    self.write_str("map[");
                }
                // Snapshot the entries: printing never needs the lock held.
                let entries: Vec<(String, Value)> = m
                    .read()
                    .iter()
                    .map(|(k, x)| (k.clone(), x.clone()))
                    .collect();
                for (i, (k, item)) in entries.iter().enumerate() {
                    if i > 0 {
                        self.write_str(if sharp_v { ", " } else { " " });
                    }
                    self.fmt_string(k.as_bytes(), verb, &Value::str(k));
                    self.buf.push(b':');
                    self.print_value(item, verb, depth + 1);
                }
                self.buf.push(if sharp_v { b'}' } else { b']' });
                self.open_maps.pop();
            }
            Value::Object(o) => {
                // Best effort: Go would print the struct's fields; we only know its text.
                let s = o.format();
                match verb {
                    'v' if self.f.sharp_v => self.pad_str(&s),
                    'v' | 's' | 'q' | 'x' | 'X' => self.fmt_string(s.as_bytes(), verb, v),
                    _ => self.bad_verb(verb, v),
                }
            }
        }
    }

    /// A `[]uint8` printed element by element (`%v` `%d` `%c` `%o` ...).
    fn print_byte_slice(&mut self, b: &[u8], verb: char, type_name: &str) {
        if self.f.sharp_v {
            self.write_str(type_name);
            self.buf.push(b'{');
            for (i, c) in b.iter().enumerate() {
                if i > 0 {
                    self.write_str(", ");
                }
                self.fmt_0x64(u64::from(*c), true);
            }
            self.buf.push(b'}');
            return;
        }
        self.buf.push(b'[');
        for (i, c) in b.iter().enumerate() {
            if i > 0 {
                self.buf.push(b' ');
            }
            let c = u64::from(*c);
            if matches!(
                verb,
                'v' | 'd' | 'b' | 'o' | 'O' | 'x' | 'X' | 'c' | 'q' | 'U'
            ) {
                self.fmt_integer(c, false, verb, &Value::Nil);
            } else {
                self.bad_verb_as(verb, "uint8", &Value::Int(c as i64));
            }
        }
        self.buf.push(b']');
    }

    /// Go's `fmtBytes` for a top-level `[]byte` (or a nested `[]uint8` with s q x X).
    fn fmt_bytes(&mut self, b: &[u8], verb: char, type_name: &str) {
        match verb {
            'v' | 'd' => self.print_byte_slice(b, verb, type_name),
            's' => {
                let t = self.truncate(b);
                self.pad(t);
            }
            'x' => self.fmt_sbx(b, LDIGITS),
            'X' => self.fmt_sbx(b, UDIGITS),
            'q' => self.fmt_q(b),
            _ => self.print_byte_slice(b, verb, type_name),
        }
    }

    fn fmt_string(&mut self, s: &[u8], verb: char, arg: &Value) {
        match verb {
            'v' if self.f.sharp_v => self.fmt_q(s),
            'v' | 's' => self.fmt_s(s),
            'x' => self.fmt_sbx(s, LDIGITS),
            'X' => self.fmt_sbx(s, UDIGITS),
            'q' => self.fmt_q(s),
            _ => self.bad_verb(verb, arg),
        }
    }

    fn fmt_s(&mut self, s: &[u8]) {
        let t = self.truncate(s);
        self.pad(t);
    }

    /// Hex of the bytes: `% x` separates them, `#` adds 0x (once, or per byte with space).
    fn fmt_sbx(&mut self, s: &[u8], digits: &[u8; 17]) {
        let mut length = s.len();
        if self.f.prec_present && self.f.prec < length {
            length = self.f.prec;
        }
        let mut width = 2 * length;
        if width == 0 {
            if self.f.wid_present {
                self.write_padding(self.f.wid);
            }
            return;
        }
        if self.f.space {
            if self.f.sharp {
                width *= 2;
            }
            width += length - 1;
        } else if self.f.sharp {
            width += 2;
        }
        let pad = if self.f.wid_present && self.f.wid > width {
            self.f.wid - width
        } else {
            0
        };
        if !self.f.minus {
            self.write_padding(pad);
        }
        if self.f.sharp {
            self.buf.extend_from_slice(&[b'0', digits[16]]);
        }
        for (i, c) in s.iter().take(length).enumerate() {
            if self.f.space && i > 0 {
                self.buf.push(b' ');
                if self.f.sharp {
                    self.buf.extend_from_slice(&[b'0', digits[16]]);
                }
            }
            self.buf
                .extend_from_slice(&[digits[usize::from(c >> 4)], digits[usize::from(c & 15)]]);
        }
        if self.f.minus {
            self.write_padding(pad);
        }
    }

    /// `%q` of text: a raw string with `#` when possible, ASCII-only with `+`.
    fn fmt_q(&mut self, s: &[u8]) {
        let s = self.truncate(s);
        if self.f.sharp && can_backquote(s) {
            let mut q = Vec::with_capacity(s.len() + 2);
            q.push(b'`');
            q.extend_from_slice(s);
            q.push(b'`');
            return self.pad(&q);
        }
        let q = quote_bytes(s, self.f.plus);
        self.pad_str(&q);
    }

    fn fmt_pointer(&mut self, arg: &Value, verb: char) {
        // Go prints the address, which differs from run to run; ours derives from the Rust one.
        let addr = match arg {
            Value::List(l) => std::sync::Arc::as_ptr(l) as *const u8 as usize,
            Value::Bytes(b) => b.as_ptr() as usize,
            Value::Map(m) => &*m.read() as *const _ as *const u8 as usize,
            Value::Object(o) if o.kind_name() == "ptr" => {
                std::sync::Arc::as_ptr(o) as *const u8 as usize
            }
            _ => return self.bad_verb(verb, arg),
        };
        // Shaped like a Go heap address (0xc000...), stable for the same object in one run.
        let addr = 0xc0_0000_0000 | (addr as u64 & 0xff_ffff);
        self.fmt_0x64(addr, !self.f.sharp);
    }
}

#[cfg(test)]
mod tests {
    use super::super::format::{sprint, sprintf};
    use super::super::value::{Member, Object, Value};
    use std::any::Any;
    use std::sync::Arc;

    /// An object printed through its String method, like `.Capabilities.KubeVersion`.
    #[derive(Debug)]
    struct Version;

    impl Object for Version {
        fn type_name(&self) -> &str {
            "*chartutil.KubeVersion"
        }
        fn kind_name(&self) -> &str {
            "ptr"
        }
        fn member(&self, _: &str) -> Option<Member> {
            None
        }
        fn format(&self) -> String {
            "v1.30.0".into()
        }
        fn to_data(&self) -> Value {
            Value::str("v1.30.0")
        }
        fn as_any(&self) -> &dyn Any {
            self
        }
    }

    #[test]
    fn objects_print_as_stringers() {
        let o = Value::Object(Arc::new(Version));
        let one = |f: &str| sprintf(f, std::slice::from_ref(&o));
        assert_eq!(one("%v"), "v1.30.0");
        assert_eq!(one("%10s|"), "   v1.30.0|");
        assert_eq!(one("%q"), "\"v1.30.0\"");
        assert_eq!(one("%x"), "76312e33302e30");
        assert_eq!(one("%T"), "*chartutil.KubeVersion");
        assert_eq!(one("%d"), "%!d(*chartutil.KubeVersion=v1.30.0)");
        assert!(one("%p").starts_with("0x"));
        assert_eq!(
            sprintf("%s", &[Value::list(vec![o.clone(), Value::Nil])]),
            "[v1.30.0 <nil>]"
        );
        assert_eq!(sprint(&[o.clone(), o]), "v1.30.0 v1.30.0");
    }
}
