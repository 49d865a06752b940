//! Where yaml-rust2 and libyaml (go-yaml v2) disagree: error texts and line numbers in
//! go-yaml's words, up-front checks for inputs libyaml rejects but yaml-rust2 accepts, and
//! text patches for inputs libyaml accepts but yaml-rust2 rejects. Every patch only changes
//! insignificant characters (separating whitespace, whitespace folded away, the quoting of a
//! string that is a string either way), so the parsed values are libyaml's.
//!
//! libyaml's line numbers are quirky: scanner errors report the 1-based line of the problem
//! but omit it on the first line; parser errors report the 0-based line (so a problem on
//! line 3 says `line 2`).

use super::load::MAX_DEPTH;
use yaml_rust2::scanner::ScanError;

/// libyaml refuses a tab where the first token of a block document should start
/// (yaml-rust2 accepts `\tx: 1`).
pub(super) fn leading_tab_check(text: &str) -> Result<(), String> {
    for (i, line) in text.lines().enumerate() {
        let t = line.trim_start_matches(' ');
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        if line.starts_with('\t') {
            let rest = line.trim_start_matches([' ', '\t']);
            if !rest.is_empty() && !rest.starts_with('#') {
                let problem = "found character that cannot start any token";
                return Err(if i == 0 {
                    problem.into()
                } else {
                    format!("line {}: {problem}", i + 1)
                });
            }
            continue;
        }
        return Ok(());
    }
    Ok(())
}

/// Replaces the `-` at (or just before) char index `idx` with `'-'`.
pub(super) fn quote_dash(text: &str, idx: usize) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    let pos = (idx.saturating_sub(1)..=idx)
        .rev()
        .find(|&i| chars.get(i) == Some(&'-'))?;
    let mut out: String = chars[..pos].iter().collect();
    out.push_str("'-'");
    out.extend(chars.get(pos + 1..).unwrap_or(&[]));
    Some(out)
}

/// Whether 1-based line `line` starts (after blanks) with a flow closer or separator.
pub(super) fn flow_closer_line(text: &str, line: usize) -> bool {
    nth_line(text, line)
        .trim_start()
        .starts_with([']', '}', ','])
}

/// Indents every continuation line of the quoted scalar whose opening quote is at char
/// index `idx`. `None` if nothing changes or a line is a document marker (libyaml rejects
/// those inside quoted scalars too).
pub(super) fn indent_quoted_scalar(text: &str, idx: usize) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    let quote = *chars.get(idx).filter(|c| **c == '"' || **c == '\'')?;
    // Find the closing quote.
    let mut i = idx + 1;
    let end = loop {
        match chars.get(i) {
            None => return None,
            Some('\\') if quote == '"' => i += 2,
            Some('\'') if quote == '\'' && chars.get(i + 1) == Some(&'\'') => i += 2,
            Some(c) if *c == quote => break i,
            Some(_) => i += 1,
        }
    };
    let mut out = String::with_capacity(text.len() + 256);
    let mut changed = false;
    let mut at_line_start = false;
    for (pos, &c) in chars.iter().enumerate() {
        if at_line_start && pos > idx && pos <= end {
            let rest: String = chars[pos..(pos + 3).min(chars.len())].iter().collect();
            if rest == "---" || rest == "..." {
                return None;
            }
            out.extend(std::iter::repeat_n(' ', 64));
            changed = true;
        }
        out.push(c);
        at_line_start = c == '\n';
    }
    changed.then_some(out)
}

/// Prefixes 1-based line `line` with spaces (libyaml ignores the indentation of flow
/// content and quoted-scalar continuation lines; yaml-rust2 checks it).
pub(super) fn indent_line(text: &str, line: usize) -> Option<String> {
    let mut out = String::with_capacity(text.len() + 64);
    let mut changed = false;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            out.extend(std::iter::repeat_n(' ', 64));
            changed = true;
        }
        out.push_str(l);
    }
    changed.then_some(out)
}

/// Replaces the first `:\t` at or just around char index `idx` with `: `.
pub(super) fn tab_after_colon(text: &str, idx: usize) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    let start = idx.saturating_sub(2);
    let end = (idx + 2).min(chars.len().saturating_sub(1));
    let pos =
        (start..end).find(|&i| chars.get(i) == Some(&':') && chars.get(i + 1) == Some(&'\t'))?;
    let mut out = chars;
    if let Some(c) = out.get_mut(pos + 1) {
        *c = ' ';
    }
    Some(out.into_iter().collect())
}

/// libyaml: a stream whose first token is `...` has a document end without content.
pub(super) fn leading_document_end_check(text: &str) -> Result<(), String> {
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        if line == "..." || line.starts_with("... ") {
            let problem = "did not find expected node content";
            return Err(if i == 0 {
                problem.into()
            } else {
                format!("line {i}: {problem}")
            });
        }
        return Ok(());
    }
    Ok(())
}

/// Replaces the leading blanks of 1-based line `line` with spaces (plus a margin).
pub(super) fn widen_leading_whitespace(text: &str, line: usize) -> Option<String> {
    let mut out = String::with_capacity(text.len() + 64);
    let mut changed = false;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            let rest = l.trim_start_matches([' ', '\t']);
            let blanks = l.len() - rest.len();
            if l[..blanks].contains('\t') {
                out.extend(std::iter::repeat_n(' ', blanks + 64));
                out.push_str(rest);
                changed = true;
                continue;
            }
        }
        out.push_str(l);
    }
    changed.then_some(out)
}

/// Translates a yaml-rust2 error into go-yaml's `line N: problem` text.
/// The error info [`slash_escape_line`]'s finding is reported with, then the line.
pub(super) const UNKNOWN_ESCAPE_AT_LINE: &str = "rudder: unknown escape character at line ";

/// The 1-based line of the first `\/` escape in the double-quoted scalar that starts at
/// character `start` of `text`: YAML 1.2 (yaml-rust2, and libyaml since 0.2.5) accepts it,
/// go-yaml v2 does not.
pub(super) fn slash_escape_line(text: &str, start: usize) -> Option<usize> {
    let (at, _) = text.char_indices().nth(start)?;
    slash_escape_line_at(text, at)
}

/// [`slash_escape_line`] for a scalar starting at a 0-based line and character column.
pub(super) fn slash_escape_line_lc(text: &str, line: usize, column: usize) -> Option<usize> {
    let line_start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
    let (offset, _) = text.get(line_start..)?.char_indices().nth(column)?;
    slash_escape_line_at(text, line_start + offset)
}

/// [`slash_escape_line`] for a scalar starting at byte `at`.
fn slash_escape_line_at(text: &str, at: usize) -> Option<usize> {
    let mut chars = text.get(at..)?.char_indices();
    if chars.next()?.1 != '"' {
        return None;
    }
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return None,
            '\\' => {
                if let Some((_, '/')) = chars.next() {
                    return Some(text.get(..at + i)?.matches('\n').count() + 1);
                }
            }
            _ => {}
        }
    }
    None
}

/// go-yaml's problem text for an escape it does not know.
pub(super) const UNKNOWN_ESCAPE: &str = "found unknown escape character";

/// go-yaml's error for a `\/` escape at a 1-based line (scanner errors omit line 1).
pub(super) fn unknown_escape_message(line: usize) -> String {
    match line {
        1 => UNKNOWN_ESCAPE.into(),
        n => format!("line {n}: {UNKNOWN_ESCAPE}"),
    }
}

pub(super) fn translate(e: &ScanError, text: &str) -> String {
    let info = e.info();
    if let Some(line) = info.strip_prefix(UNKNOWN_ESCAPE_AT_LINE) {
        return unknown_escape_message(line.parse().unwrap_or(1));
    }
    let line = e.marker().line(); // 1-based
    let (problem, scanner): (String, bool) = match info {
        "while parsing node, found unknown anchor" => {
            return format!(
                "unknown anchor '{}' referenced",
                alias_name_at(text, e.marker().index())
            );
        }
        "simple key expect ':'" => ("could not find expected ':'".into(), true),
        "while scanning a plain scalar, found a tab" => {
            // yaml-rust2 marks the scalar; libyaml the tab on the next line.
            return format!(
                "line {}: found a tab character that violates indentation",
                line + 1
            );
        }
        "a block scalar content cannot start with a tab" => {
            return format!(
                "line {}: found a tab character where an indentation space is expected",
                line + 1
            );
        }
        "while parsing a quoted scalar, did not find expected hexadecimal number" => {
            // go-yaml's spelling.
            ("did not find expected hexdecimal number".into(), true)
        }
        "illegal placement of ':' indicator" => ("did not find expected ',' or ']'".into(), false),
        "\"-\" is only valid inside a block" => {
            ("did not find expected node content".into(), false)
        }
        "invalid trailing content after double-quoted scalar" => {
            ("did not find expected key".into(), false)
        }
        "while parsing a block mapping, did not find expected key"
            if line_has_leading_tab(text, line) =>
        {
            // A tab-indented line after a block scalar: libyaml's block scalar scanner
            // reports it; after anything else the plain scalar scanner does.
            let problem = if follows_block_scalar(text, line) {
                "found a tab character where an indentation space is expected"
            } else {
                "found a tab character that violates indentation"
            };
            return format!("line {line}: {problem}");
        }
        "while parsing a flow sequence, expected ',' or ']'" => {
            ("did not find expected ',' or ']'".into(), false)
        }
        "recursion limit exceeded" => return format!("exceeded max depth of {MAX_DEPTH}"),
        i if i.starts_with("unexpected character")
            || i.contains("tab")
            || i == "did not find expected next token" =>
        {
            ("found character that cannot start any token".into(), true)
        }
        i => {
            let parser_err = i.starts_with("while parsing a block")
                || i.starts_with("while parsing a flow")
                || i.starts_with("while parsing a node")
                || i.starts_with("did not find expected <");
            // libyaml's message is the part after the context ("while scanning X, ").
            let p = if i.starts_with("while ") {
                i.split_once(", ").map_or(i, |(_, p)| p)
            } else {
                i
            };
            (p.to_string(), !parser_err)
        }
    };
    if problem == "found unexpected document indicator" {
        // libyaml points at the marker line, yaml-rust2 at the scalar.
        let marker = text
            .lines()
            .enumerate()
            .skip(line)
            .find(|(_, l)| l.starts_with("---") || l.starts_with("..."))
            .map_or(line, |(i, _)| i + 1);
        return format!("line {marker}: {problem}");
    }
    // libyaml reports end-of-stream problems at the end of the input.
    let line = if problem.ends_with("end of stream") {
        text.matches('\n').count() + 1
    } else {
        line
    };
    let shown = if scanner {
        (line > 1).then_some(line)
    } else {
        (line > 1).then(|| line - 1)
    };
    match shown {
        Some(n) => format!("line {n}: {problem}"),
        None => problem,
    }
}

pub(super) fn nth_line(text: &str, line: usize) -> &str {
    text.lines().nth(line.saturating_sub(1)).unwrap_or("")
}

pub(super) fn line_has_leading_tab(text: &str, line: usize) -> bool {
    let l = nth_line(text, line);
    let rest = l.trim_start_matches([' ', '\t']);
    l[..l.len() - rest.len()].contains('\t')
}

/// Whether some line before 1-based `line` opens a block scalar (`key: |`, `- >-`, ...).
pub(super) fn follows_block_scalar(text: &str, line: usize) -> bool {
    text.lines().take(line.saturating_sub(1)).any(|l| {
        let l = l.split(" #").next().unwrap_or("").trim_end();
        let l = l.trim_end_matches(|c: char| c.is_ascii_digit() || c == '+' || c == '-');
        l.ends_with(" |") || l.ends_with(" >") || l == "|" || l == ">"
    })
}

/// The alias name written at char index `idx` (which points at or just after the `*`).
pub(super) fn alias_name_at(text: &str, idx: usize) -> String {
    let rest: String = text.chars().skip(idx).collect();
    let rest = rest.strip_prefix('*').unwrap_or(&rest);
    rest.chars()
        .take_while(|c| !c.is_whitespace() && !matches!(c, ',' | '[' | ']' | '{' | '}'))
        .collect()
}
