//! Checks `rudder::template::format` and `escape` against outputs recorded from Helm v3.17.3
//! (tests/data/printf_cases.tsv, re-recorded by scripts/record-printf.py).
//!
//! Each case is a template pipeline such as `printf "%5.2f" 3.14159`. A small evaluator below
//! turns its arguments into the `Value`s the real template engine would pass: integer literals
//! are `Int`, literals with a point or exponent `Float`, numbers from values.yaml `Float`,
//! `--set n=5` is `Int64`, and the few sprig functions used build lists, maps and numbers.

use rudder::template::escape::{eval_args_string, html_escape, js_escape, url_query_escape};
use rudder::template::format::{sprint, sprintf, sprintln};
use rudder::template::{Map, SliceKind, Value};

const CASES: &str = include_str!("data/printf_cases.tsv");

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Open,
    Close,
    Str(String),
    Int(i64),
    Float(f64),
    Ident(String),
    Field(String),
}

/// Decodes a Go escape sequence starting after the backslash; returns the chars consumed.
fn go_escape(chars: &[char], out: &mut String) -> usize {
    let hex = |n: usize| -> u32 {
        u32::from_str_radix(&chars[1..=n].iter().collect::<String>(), 16).expect("hex escape")
    };
    match chars[0] {
        'a' => out.push('\x07'),
        'b' => out.push('\x08'),
        'f' => out.push('\x0c'),
        'n' => out.push('\n'),
        'r' => out.push('\r'),
        't' => out.push('\t'),
        'v' => out.push('\x0b'),
        'x' => {
            let b = hex(2);
            assert!(b < 0x80, "\\x escapes above 0x7f make invalid UTF-8");
            out.push(char::from_u32(b).expect("byte"));
            return 3;
        }
        'u' => {
            out.push(char::from_u32(hex(4)).expect("rune"));
            return 5;
        }
        'U' => {
            out.push(char::from_u32(hex(8)).expect("rune"));
            return 9;
        }
        c => out.push(c),
    }
    1
}

fn parse_int(text: &str) -> Option<i64> {
    let t = text.replace('_', "");
    let (neg, t) = match t.strip_prefix('-') {
        Some(rest) => (true, rest.to_string()),
        None => (false, t),
    };
    let v = if let Some(h) = t.strip_prefix("0x") {
        i128::from_str_radix(h, 16).ok()?
    } else if let Some(b) = t.strip_prefix("0b") {
        i128::from_str_radix(b, 2).ok()?
    } else if let Some(o) = t.strip_prefix("0o") {
        i128::from_str_radix(o, 8).ok()?
    } else if t.len() > 1 && t.starts_with('0') {
        i128::from_str_radix(&t[1..], 8).ok()?
    } else {
        t.parse::<i128>().ok()?
    };
    i64::try_from(if neg { -v } else { v }).ok()
}

fn lex(src: &str) -> Vec<Tok> {
    let chars: Vec<char> = src.chars().collect();
    let mut toks = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            ' ' => i += 1,
            '(' => {
                toks.push(Tok::Open);
                i += 1;
            }
            ')' => {
                toks.push(Tok::Close);
                i += 1;
            }
            '"' => {
                let mut s = String::new();
                i += 1;
                while chars[i] != '"' {
                    if chars[i] == '\\' {
                        i += 1 + go_escape(&chars[i + 1..], &mut s);
                    } else {
                        s.push(chars[i]);
                        i += 1;
                    }
                }
                i += 1;
                toks.push(Tok::Str(s));
            }
            '\'' => {
                let mut s = String::new();
                i += 1;
                if chars[i] == '\\' {
                    i += 1 + go_escape(&chars[i + 1..], &mut s);
                } else {
                    s.push(chars[i]);
                    i += 1;
                }
                assert_eq!(chars[i], '\'');
                i += 1;
                toks.push(Tok::Int(s.chars().next().expect("char") as i64));
            }
            _ => {
                let start = i;
                while i < chars.len() && chars[i] != ' ' && chars[i] != ')' {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                let first = word.chars().next().expect("word");
                if first == '.' {
                    toks.push(Tok::Field(word));
                } else if first.is_ascii_digit() || first == '-' || first == '+' {
                    let is_hex = word.trim_start_matches('-').starts_with("0x");
                    if !is_hex && word.contains(['.', 'e', 'E']) {
                        toks.push(Tok::Float(word.parse().expect("float literal")));
                    } else {
                        toks.push(Tok::Int(parse_int(&word).expect("int literal")));
                    }
                } else {
                    toks.push(Tok::Ident(word));
                }
            }
        }
    }
    toks
}

/// The values every case sees (values.yaml and `--set n=5` of scripts/record-printf.py).
fn values(key: &str) -> Value {
    match key {
        "port" => Value::Float(80.0),
        "ratio" => Value::Float(0.5),
        "big" => Value::Float(1234567.0),
        "huge" => Value::Float(1e21),
        "neg" => Value::Float(-3.5),
        "name" => Value::str("web"),
        "list" => Value::list(vec![
            Value::Float(1.0),
            Value::str("a"),
            Value::Nil,
            Value::Float(2.5),
        ]),
        "m" => {
            let mut m = Map::new();
            m.insert("b".into(), Value::Float(2.0));
            m.insert("a".into(), Value::str("x"));
            Value::map(m)
        }
        "n" => Value::Int64(5),
        _ => Value::Nil,
    }
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
}

impl Parser {
    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    /// A command: the head, then operands up to `)` or the end.
    fn command(&mut self) -> (String, Vec<Value>) {
        let head = match self.next() {
            Some(Tok::Ident(s)) | Some(Tok::Field(s)) => s,
            t => panic!("expected a function, got {t:?}"),
        };
        let mut args = Vec::new();
        while let Some(t) = self.toks.get(self.pos).cloned() {
            if t == Tok::Close {
                break;
            }
            args.push(self.operand());
        }
        (head, args)
    }

    fn operand(&mut self) -> Value {
        match self.next().expect("operand") {
            Tok::Str(s) => Value::string(s),
            Tok::Int(i) => Value::Int(i),
            Tok::Float(f) => Value::Float(f),
            Tok::Ident(w) if w == "nil" => Value::Nil,
            Tok::Ident(w) if w == "true" => Value::Bool(true),
            Tok::Ident(w) if w == "false" => Value::Bool(false),
            Tok::Field(f) => values(f.strip_prefix(".Values.").expect("a .Values field")),
            Tok::Open => {
                let (head, args) = self.command();
                assert_eq!(self.next(), Some(Tok::Close));
                call_inner(&head, &args)
            }
            t => panic!("unexpected {t:?}"),
        }
    }
}

/// The sprig and chart functions the cases use to build operands.
fn call_inner(name: &str, args: &[Value]) -> Value {
    match name {
        "list" => Value::list(args.to_vec()),
        "dict" => {
            let mut m = Map::new();
            for pair in args.chunks(2) {
                let key = pair[0].as_str().expect("string key").to_string();
                m.insert(key, pair.get(1).cloned().unwrap_or_default());
            }
            Value::map(m)
        }
        "int64" => match args[0] {
            Value::Int(i) => Value::Int64(i),
            ref v => panic!("int64 of {v:?}"),
        },
        "float64" => Value::Float(match args[0].as_str().expect("float64 of a string") {
            "NaN" => f64::NAN,
            "+Inf" => f64::INFINITY,
            "-Inf" => f64::NEG_INFINITY,
            s => s.parse().expect("float"),
        }),
        "until" => match args[0] {
            Value::Int(n) => Value::typed_list(SliceKind::Int, (0..n).map(Value::Int).collect()),
            ref v => panic!("until of {v:?}"),
        },
        "splitList" => {
            let sep = args[0].as_str().expect("sep");
            let s = args[1].as_str().expect("text");
            Value::typed_list(SliceKind::String, s.split(sep).map(Value::str).collect())
        }
        "len" => Value::Int(args[0].as_str().expect("len of a string").len() as i64),
        ".Files.GetBytes" => Value::Bytes("hi \u{e9}\n".as_bytes().into()),
        _ => panic!("unknown function {name}"),
    }
}

/// Runs a top-level pipeline through the functions under test.
fn run(case: &str) -> String {
    let mut p = Parser {
        toks: lex(case),
        pos: 0,
    };
    let (head, args) = p.command();
    assert!(p.pos >= p.toks.len(), "trailing tokens in {case}");
    match head.as_str() {
        "printf" => {
            let format = args[0].as_str().expect("format string").to_string();
            sprintf(&format, &args[1..])
        }
        "print" => sprint(&args),
        "println" => sprintln(&args),
        "html" => html_escape(&eval_args_string(&args)),
        "js" => js_escape(&eval_args_string(&args)),
        "urlquery" => url_query_escape(&eval_args_string(&args)),
        _ => panic!("unknown builtin {head}"),
    }
}

fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match it.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some(c) => out.push(c),
            None => out.push('\\'),
        }
    }
    out
}

/// `PRINTF_CASES=/path/to/other.tsv` checks another recording (e.g. a generated batch from
/// `scripts/record-printf.py --cases FILE --out other.tsv`) instead of the committed one.
#[test]
fn printf_matches_helm() {
    let cases = match std::env::var("PRINTF_CASES") {
        Ok(path) => std::fs::read_to_string(path).expect("PRINTF_CASES file"),
        Err(_) => CASES.to_string(),
    };
    let mut failures = Vec::new();
    let mut total = 0;
    for line in cases.lines() {
        let (case, expected) = line.split_once('\t').expect("case TAB expected");
        let expected = unescape(expected);
        total += 1;
        let got = run(case);
        if got != expected {
            failures.push(format!("{case}\n    want {expected:?}\n    got  {got:?}"));
        }
    }
    assert!(total >= 150, "only {total} recorded cases");
    assert!(
        failures.is_empty(),
        "{} of {total} cases differ from helm:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
