//! Go's `fmt` as templates use it: `sprintf` (the `printf` builtin) with every verb, flag,
//! width, precision and argument index, `sprint`/`sprintln` (`print`, `println`), `%v` printing
//! of values (`fmt_v`, also what `{{ x }}` prints) and shortest float formatting.
//!
//! The per-verb formatting lives in `printf.rs`, float digits and quoting in `strconv.rs`.

pub use super::escape::{eval_args_string, html_escape, js_escape, url_query_escape};
pub use super::strconv::{format_float, quote_go, quote_rune, quote_to_ascii};

use super::funcs::{FuncMap, Param};
use super::printf::{Flags, Printer};
use super::strconv::decode_rune;
use super::value::Value;

/// Go's `fmt.Sprint`: the operands in their `%v` form, with a space between two operands when
/// neither of them is a string (`print 1 2` → `1 2`, `print "a" 1 "b"` → `a1b`).
pub fn sprint(args: &[Value]) -> String {
    let mut p = Printer::default();
    let mut prev_string = false;
    for (i, arg) in args.iter().enumerate() {
        let is_string = matches!(arg, Value::String(_));
        if i > 0 && !is_string && !prev_string {
            p.buf.push(b' ');
        }
        p.print_arg(arg, 'v');
        prev_string = is_string;
    }
    p.finish()
}

/// Go's `fmt.Sprintln`: the operands in their `%v` form separated by single spaces, then `\n`.
pub fn sprintln(args: &[Value]) -> String {
    let mut p = Printer::default();
    for (i, arg) in args.iter().enumerate() {
        if i > 0 {
            p.buf.push(b' ');
        }
        p.print_arg(arg, 'v');
    }
    p.buf.push(b'\n');
    p.finish()
}

/// Go's `fmt.Sprintf` (the `printf` builtin), including its in-band error notes:
/// `%!d(string=a)` for a verb the operand does not support, `%!v(MISSING)`, `%!(EXTRA int=1)`,
/// `%!(NOVERB)`, `%!(BADWIDTH)`, `%!(BADPREC)`, `%!d(BADINDEX)`; `%d` of nil is `%!d(<nil>)`.
/// Lists and maps apply the verb to each element (`%d` of a list → `[1 2]`).
pub fn sprintf(format: &str, args: &[Value]) -> String {
    let mut st = PrintfState {
        p: Printer::default(),
        reordered: false,
        good_arg_num: true,
    };
    st.run(format, args);
    st.p.finish()
}

/// Registers text/template's printing and escaping builtins with Go's signatures:
/// `print`, `println`, `html`, `js`, `urlquery` (`...interface{}`) and `printf`
/// (`string, ...interface{}`). Each returns a string.
pub fn add_fmt_builtins(map: &mut FuncMap) {
    map.add_variadic("print", &[], Param::Any, |_, a| {
        Ok(Value::string(sprint(a)))
    });
    map.add_variadic("println", &[], Param::Any, |_, a| {
        Ok(Value::string(sprintln(a)))
    });
    map.add_variadic("printf", &[Param::String], Param::Any, |_, a| {
        let format = a.first().and_then(Value::as_str).unwrap_or_default();
        Ok(Value::string(sprintf(
            format,
            a.get(1..).unwrap_or_default(),
        )))
    });
    map.add_variadic("html", &[], Param::Any, |_, a| {
        Ok(Value::string(html_escape(&eval_args_string(a))))
    });
    map.add_variadic("js", &[], Param::Any, |_, a| {
        Ok(Value::string(js_escape(&eval_args_string(a))))
    });
    map.add_variadic("urlquery", &[], Param::Any, |_, a| {
        Ok(Value::string(url_query_escape(&eval_args_string(a))))
    });
}

/// Go's `fmt.Sprint` of a single value (`%v`): `<nil>`, `[a b]`, `map[a:1 b:2]`, floats in
/// shortest `%g`, byte slices as `[97 98]`, objects through `Object::format`.
pub fn fmt_v(v: &Value) -> String {
    let mut p = Printer::default();
    p.print_arg(v, 'v');
    p.finish()
}

/// Appends the `%v` form of `v` to `out` (`depth` is unused; nesting is bounded inside).
pub fn write_v(out: &mut String, v: &Value, depth: usize) {
    let _ = depth;
    // Scalars print without a Printer (no flags or verbs apply to an action's value).
    match v {
        Value::String(s) => return out.push_str(s),
        Value::Int(i) | Value::Int64(i) => return out.push_str(itoa::Buffer::new().format(*i)),
        Value::Bool(b) => return out.push_str(if *b { "true" } else { "false" }),
        Value::Float(x) => {
            return match small_integral(*x) {
                Some(i) => out.push_str(itoa::Buffer::new().format(i)),
                None => out.push_str(&format_float(*x, 'g', -1)),
            }
        }
        _ => {}
    }
    // An action prints the value itself, addressable when it is a struct field, so
    // pointer-receiver Stringers apply (unlike for a copy passed to a function).
    let mut p = Printer::default();
    p.addressable = true;
    p.print_arg(v, 'v');
    out.push_str(&p.finish());
}

/// Go's `strconv.FormatFloat(x, 'g', -1, 64)`, which is also what `%v` prints for a float64:
/// the shortest round-trip digits, in plain decimal when the decimal exponent is in [-4, 6),
/// otherwise as `d.ddde±XX` (`123456`, `1.234567e+06`, `0.0001`, `1e-05`).
pub fn format_float_g(x: f64) -> String {
    match small_integral(x) {
        Some(i) => itoa::Buffer::new().format(i).to_owned(),
        None => format_float(x, 'g', -1),
    }
}

/// `x` as an integer when `%v` prints it as one: integral and below 1e6 in magnitude, the
/// common case of numbers read from YAML (`-0` keeps its sign in Go, so it is excluded).
fn small_integral(x: f64) -> Option<i64> {
    (x.abs() < 1e6 && x.fract() == 0.0 && !(x == 0.0 && x.is_sign_negative())).then_some(x as i64)
}

pub use super::strconv::shortest_digits;

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

/// Widths and precisions above this are treated as malformed, as in Go.
const MAX_NUM: i64 = 1_000_000;

/// Go's `parsenum`: a decimal number at `s[start..end]`; `(num, found, next index)`.
fn parse_num(s: &[u8], start: usize, end: usize) -> (i64, bool, usize) {
    if start >= end {
        return (0, false, end);
    }
    let (mut num, mut isnum, mut i) = (0i64, false, start);
    while i < end && s[i].is_ascii_digit() {
        if num > MAX_NUM {
            return (0, false, end); // overflow: a crazy long number
        }
        num = num * 10 + i64::from(s[i] - b'0');
        isnum = true;
        i += 1;
    }
    (num, isnum, i)
}

/// Go's `parseArgNumber` on text starting with `[`: `(zero-based index, bytes used, ok)`.
fn parse_arg_number(s: &[u8]) -> (i64, usize, bool) {
    if s.len() < 3 {
        return (0, 1, false);
    }
    for i in 1..s.len() {
        if s[i] == b']' {
            let (width, ok, newi) = parse_num(s, 1, i);
            if !ok || newi != i {
                return (0, i + 1, false);
            }
            return (width - 1, i + 1, true);
        }
    }
    (0, 1, false)
}

/// The `*` operand for a width or precision: `(value, is an int, next argument)`.
fn int_from_arg(args: &[Value], arg_num: usize) -> (i64, bool, usize) {
    match args.get(arg_num) {
        Some(Value::Int(n) | Value::Int64(n)) if (-MAX_NUM..=MAX_NUM).contains(n) => {
            (*n, true, arg_num + 1)
        }
        Some(_) => (0, false, arg_num + 1),
        None => (0, false, arg_num),
    }
}

/// The state of one `Sprintf` call (Go's `doPrintf`).
struct PrintfState {
    p: Printer,
    /// An explicit argument index was used, so leftover operands are not reported.
    reordered: bool,
    /// The most recent argument index was valid.
    good_arg_num: bool,
}

impl PrintfState {
    /// An explicit `[n]` at `fmt[i..]`: `(argument to use, next index, whether one was found)`.
    fn arg_number(
        &mut self,
        arg_num: usize,
        fmt: &[u8],
        i: usize,
        nargs: usize,
    ) -> (usize, usize, bool) {
        if fmt.get(i) != Some(&b'[') {
            return (arg_num, i, false);
        }
        self.reordered = true;
        let (index, wid, ok) = parse_arg_number(&fmt[i..]);
        if ok && (0..nargs as i64).contains(&index) {
            return (index as usize, i + wid, true);
        }
        self.good_arg_num = false;
        (arg_num, i + wid, ok)
    }

    fn run(&mut self, format: &str, args: &[Value]) {
        let fmt = format.as_bytes();
        let end = fmt.len();
        let mut arg_num = 0usize;
        let mut i = 0usize;
        'directives: while i < end {
            self.good_arg_num = true;
            let lasti = i;
            while i < end && fmt[i] != b'%' {
                i += 1;
            }
            self.p.buf.extend_from_slice(&fmt[lasti..i]);
            if i >= end {
                break;
            }
            i += 1; // the '%'
            self.p.f = Flags::default();
            let f = &mut self.p.f;
            while i < end {
                match fmt[i] {
                    b'#' => f.sharp = true,
                    b'0' => f.zero = true,
                    b'+' => f.plus = true,
                    b'-' => f.minus = true,
                    b' ' => f.space = true,
                    c => {
                        // Fast path: flags directly followed by a lower-case verb.
                        if c.is_ascii_lowercase() && arg_num < args.len() {
                            if c == b'v' || c == b'w' {
                                set_v_flags(f);
                            }
                            self.p.print_arg(&args[arg_num], c as char);
                            arg_num += 1;
                            i += 1;
                            continue 'directives;
                        }
                        break;
                    }
                }
                i += 1;
            }

            let mut after_index;
            (arg_num, i, after_index) = self.arg_number(arg_num, fmt, i, args.len());

            // Width.
            if i < end && fmt[i] == b'*' {
                i += 1;
                let (wid, ok, next) = int_from_arg(args, arg_num);
                arg_num = next;
                if !ok {
                    self.p.write_str("%!(BADWIDTH)");
                }
                let f = &mut self.p.f;
                f.wid_present = ok;
                f.wid = wid.unsigned_abs() as usize;
                if wid < 0 {
                    f.minus = true;
                    f.zero = false; // never pad with zeros on the right
                }
                after_index = false;
            } else {
                let (wid, ok, next) = parse_num(fmt, i, end);
                i = next;
                self.p.f.wid = wid as usize;
                self.p.f.wid_present = ok;
                if after_index && ok {
                    self.good_arg_num = false; // "%[3]2d"
                }
            }

            // Precision.
            if i + 1 < end && fmt[i] == b'.' {
                i += 1;
                if after_index {
                    self.good_arg_num = false; // "%[3].2d"
                }
                (arg_num, i, after_index) = self.arg_number(arg_num, fmt, i, args.len());
                if i < end && fmt[i] == b'*' {
                    i += 1;
                    let (prec, mut ok, next) = int_from_arg(args, arg_num);
                    arg_num = next;
                    // A negative precision makes no sense: treat it as absent.
                    if prec < 0 {
                        ok = false;
                    }
                    self.p.f.prec = if ok { prec as usize } else { 0 };
                    self.p.f.prec_present = ok;
                    if !ok {
                        self.p.write_str("%!(BADPREC)");
                    }
                    after_index = false;
                } else {
                    let (prec, ok, next) = parse_num(fmt, i, end);
                    i = next;
                    // "%.d" means precision 0.
                    self.p.f.prec = if ok { prec as usize } else { 0 };
                    self.p.f.prec_present = true;
                }
            }

            if !after_index {
                (arg_num, i, _) = self.arg_number(arg_num, fmt, i, args.len());
            }

            if i >= end {
                self.p.write_str("%!(NOVERB)");
                break;
            }
            let (verb, size) = decode_rune(&fmt[i..]);
            let verb = verb.unwrap_or('\u{FFFD}');
            i += size.max(1);

            if verb == '%' {
                // Percent takes no operand and ignores width and precision.
                self.p.buf.push(b'%');
            } else if !self.good_arg_num {
                self.p.write_str("%!");
                self.p.write_char(verb);
                self.p.write_str("(BADINDEX)");
            } else if arg_num >= args.len() {
                self.p.write_str("%!");
                self.p.write_char(verb);
                self.p.write_str("(MISSING)");
            } else {
                if verb == 'v' || verb == 'w' {
                    set_v_flags(&mut self.p.f);
                }
                self.p.print_arg(&args[arg_num], verb);
                arg_num += 1;
            }
        }

        // Leftover operands, unless indexes made it impossible to tell which were used.
        if !self.reordered && arg_num < args.len() {
            self.p.f = Flags::default();
            self.p.write_str("%!(EXTRA ");
            for (k, arg) in args[arg_num..].iter().enumerate() {
                if k > 0 {
                    self.p.write_str(", ");
                }
                if arg.is_nil() {
                    self.p.write_str("<nil>");
                } else {
                    self.p.write_str(arg.type_name());
                    self.p.buf.push(b'=');
                    self.p.print_arg(arg, 'v');
                }
            }
            self.p.buf.push(b')');
        }
    }
}

/// `%#v` and `%+v` are their own formats: `#` and `+` turn into the Go-syntax and field-name
/// modes instead of acting as flags.
fn set_v_flags(f: &mut Flags) {
    f.sharp_v = f.sharp;
    f.sharp = false;
    f.plus_v = f.plus;
    f.plus = false;
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
        assert_eq!(
            format_float_g(12345678901234567890.0),
            "1.2345678901234567e+19"
        );
    }

    #[test]
    fn printf_basics() {
        let args = [Value::Float(1.23456), Value::Int(255), Value::str("a\tb")];
        assert_eq!(sprintf("%5.2f|%x|%q", &args), " 1.23|ff|\"a\\tb\"");
        assert_eq!(sprintf("%d", &[Value::Float(80.0)]), "%!d(float64=80)");
        assert_eq!(
            sprintf("%s", &[Value::str("a"), Value::str("x")]),
            "a%!(EXTRA string=x)"
        );
        assert_eq!(sprintf("%v", &[]), "%!v(MISSING)");
        assert_eq!(sprintf("%d", &[Value::Nil]), "%!d(<nil>)");
        assert_eq!(
            sprintf("%[2]d %[1]d", &[Value::Int(1), Value::Int(2)]),
            "2 1"
        );
        assert_eq!(sprintf("%*d|", &[Value::Int(-5), Value::Int(42)]), "42   |");
    }

    #[test]
    fn sprint_spacing() {
        let v = [
            Value::Int(1),
            Value::str("a"),
            Value::Int(2),
            Value::Nil,
            Value::Float(1.5),
        ];
        assert_eq!(sprint(&v), "1a2 <nil> 1.5");
        assert_eq!(sprintln(&v), "1 a 2 <nil> 1.5\n");
        assert_eq!(
            fmt_v(&Value::list(vec![Value::Nil, Value::Int(1)])),
            "[<nil> 1]"
        );
    }

    #[test]
    fn cycles_and_deep_nesting_terminate() {
        let m = Value::empty_map();
        if let Value::Map(r) = &m {
            r.write().insert("self".into(), m.clone());
            r.write().insert("x".into(), Value::Int(1));
        }
        assert_eq!(fmt_v(&m), "map[self:... x:1]");
        let mut deep = Value::Int(0);
        for _ in 0..5000 {
            deep = Value::list(vec![deep]);
        }
        let s = fmt_v(&deep);
        assert!(s.starts_with("[[[") && s.contains("...") && s.len() < 5000);
    }

    #[test]
    fn bad_format_bytes_never_panic() {
        let args = [Value::Int(1)];
        for f in [
            "%", "%[", "%[1", "%.*", "%é", "%[é]d", "%*[2]d", "%!", "%-+# 0",
        ] {
            let _ = sprintf(f, &args);
        }
        assert_eq!(sprintf("%[é]d", &args), "%!d(BADINDEX)");
        // Precisions beyond Rust's own formatter limit (u16) still work.
        let u = sprintf("%.70000U", &[Value::Int(65)]);
        assert!(u.starts_with("U+000") && u.ends_with("041") && u.len() == 70_002);
    }

    struct NoRuntime;

    impl crate::template::Runtime for NoRuntime {
        fn include(&mut self, _: &str, _: &Value) -> Result<String, String> {
            Err("no templates".into())
        }
        fn tpl(&mut self, _: &str, _: &Value) -> Result<String, String> {
            Err("no templates".into())
        }
    }

    #[test]
    fn builtins_are_registered_with_go_signatures() {
        let mut map = FuncMap::new();
        add_fmt_builtins(&mut map);
        let call = |name: &str, args: &[Value]| {
            let f = map.get(name).expect("registered");
            (f.call)(&mut NoRuntime, args)
                .expect("call")
                .as_str()
                .map(str::to_string)
        };
        let printf = map.get("printf").expect("printf");
        assert_eq!(printf.params, &[Param::String]);
        assert_eq!(printf.variadic, Some(Param::Any));
        let args = [Value::str("%03d|%s"), Value::Int(7), Value::str("x")];
        assert_eq!(call("printf", &args).as_deref(), Some("007|x"));
        assert_eq!(
            call("print", &[Value::Int(1), Value::Int(2)]).as_deref(),
            Some("1 2")
        );
        assert_eq!(call("println", &[]).as_deref(), Some("\n"));
        assert_eq!(
            call("html", &[Value::Nil]).as_deref(),
            Some("&lt;no value&gt;")
        );
        assert_eq!(call("js", &[Value::str("<")]).as_deref(), Some("\\u003C"));
        assert_eq!(
            call("urlquery", &[Value::str("a b")]).as_deref(),
            Some("a+b")
        );
    }
}
