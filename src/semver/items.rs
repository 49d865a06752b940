//! The constraint grammar of Masterminds semver for plain inputs, matched without regular
//! expressions.
//!
//! Compiling Masterminds' four constraint expressions cost about 3 million instructions, more
//! than rendering a whole small chart, and nearly every chart calls `semverCompare` once. A
//! constraint made only of operators, versions, spaces and commas (`>=1.21-0`, `>= 1.2, <2`)
//! is read here; anything else (`||`, hyphen ranges, tabs, stray characters, anything that
//! would be an error) returns `None` and goes through the expressions, so the expressions
//! stay the definition. A test compares both on every short string of the relevant
//! characters.

/// What the constraint expression captures for one constraint: the operator, the version
/// text, its major, `.minor`, `.patch` (with their dots) and `-prerelease` (with its dash).
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Caps<'a> {
    pub op: &'a str,
    pub cv: &'a str,
    pub major: &'a str,
    pub minor: &'a str,
    pub patch: &'a str,
    pub pre: &'a str,
}

/// Operators, longest first: after an operator the expression needs a version, so `>=1`
/// can only be read as `>=` and `>1` only as `>`.
const OPS: [&str; 11] = ["!=", ">=", "=>", "<=", "=<", "~>", "=", ">", "<", "~", "^"];

fn number_char(c: u8) -> bool {
    c.is_ascii_digit() || matches!(c, b'x' | b'X' | b'*')
}

fn ident_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'-'
}

/// Length of the run of `pred` characters of `b` from `i`.
fn run(b: &[u8], i: usize, pred: fn(u8) -> bool) -> usize {
    b.get(i..)
        .map_or(0, |r| r.iter().take_while(|&&c| pred(c)).count())
}

/// `ident(\.ident)*` after the `-` or `+` at `i`: the end, or `None` if no identifier follows.
fn ident_list(b: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 1;
    let n = run(b, j, ident_char);
    if n == 0 {
        return None;
    }
    j += n;
    while b.get(j) == Some(&b'.') && run(b, j + 1, ident_char) > 0 {
        j += 1 + run(b, j + 1, ident_char);
    }
    Some(j)
}

/// The greedy version match at `i`: its end and captures (operator left empty).
fn version_at(s: &str, i: usize) -> Option<(usize, Caps<'_>)> {
    let b = s.as_bytes();
    let start = i;
    let mut j = i + usize::from(b.get(i) == Some(&b'v'));
    let n = run(b, j, number_char);
    if n == 0 {
        return None;
    }
    let major = s.get(j..j + n)?;
    j += n;
    let mut parts = ["", ""];
    for part in &mut parts {
        if b.get(j) != Some(&b'.') {
            break;
        }
        let n = run(b, j + 1, number_char);
        if n == 0 {
            break;
        }
        *part = s.get(j..j + 1 + n)?;
        j += 1 + n;
    }
    let mut pre = "";
    if b.get(j) == Some(&b'-') {
        let end = ident_list(b, j)?;
        pre = s.get(j..end)?;
        j = end;
    }
    if b.get(j) == Some(&b'+') {
        j = ident_list(b, j)?;
    }
    let caps = Caps {
        op: "",
        cv: s.get(start..j)?,
        major,
        minor: parts[0],
        patch: parts[1],
        pre,
    };
    Some((j, caps))
}

/// The constraints of `s` when it is plain: one or more `OP? VERSION` separated by spaces or
/// a comma, nothing else. `None` sends `s` to the expressions.
pub(super) fn plain_constraints(s: &str) -> Option<Vec<Caps<'_>>> {
    let b = s.as_bytes();
    // `||`, hyphen ranges and other whitespace are left to the expressions.
    if b.iter()
        .any(|&c| c == b'|' || (c.is_ascii_whitespace() && c != b' '))
        || s.contains(" -")
    {
        return None;
    }
    let spaces = |i: usize| i + run(b, i, |c| c == b' ');
    let mut out = Vec::new();
    let mut i = spaces(0);
    loop {
        let op = OPS
            .iter()
            .find(|op| b.get(i..i + op.len()) == Some(op.as_bytes()))
            .copied()
            .unwrap_or("");
        let (end, mut caps) = version_at(s, spaces(i + op.len()))?;
        caps.op = op;
        out.push(caps);
        // The version must end at a separator or the end of the text.
        let next = spaces(end);
        match b.get(next) {
            None => return Some(out),
            Some(b',') => i = spaces(next + 1),
            Some(_) if next > end => i = next,
            Some(_) => return None,
        }
        if i >= b.len() {
            return None;
        }
    }
}
