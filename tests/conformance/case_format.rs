//! Reader for the conformance case files (`tests/conformance/cases/*.txt`).
//!
//! The format is specified in `tests/conformance/README.md`; `scripts/conformance_cases.py` is
//! the reader the recorder uses, and this module must agree with it byte for byte. It depends
//! only on std so that the conformance runner can include it with `#[path]`.

// Each test crate that includes this module uses a different subset of it.
#![allow(dead_code)]

/// How a case's template text is rendered (see the README).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Text is `templates/_case.tpl`, output is what `include` returns (`<no value>` kept).
    Include,
    /// Text is `templates/case.yaml`, output is the rendered file (`<no value>` removed).
    File,
}

/// One conformance case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    /// Unique name within its file (`[a-z0-9][a-z0-9-]*`).
    pub name: String,
    /// 1-based line of the `### case:` line, for messages.
    pub line: usize,
    /// The chart's `values.yaml` text (each values line followed by `\n`; empty if none).
    pub values: String,
    /// Extra `helm template` flags, already split into words.
    pub flags: Vec<String>,
    /// Rendering mode.
    pub mode: Mode,
    /// The exact template text.
    pub template: String,
}

const CASE: &str = "### case:";

/// Parses one case file. `text` is the whole file; errors name the 1-based line.
pub fn parse(text: &str) -> Result<Vec<Case>, String> {
    let mut lines: Vec<&str> = text.split('\n').collect();
    // A final newline ends the last line; it is not an extra (empty) line of content.
    if lines.last() == Some(&"") {
        lines.pop();
    }
    let mut cases: Vec<Case> = Vec::new();
    let mut section = Section::None;
    let mut body: Vec<&str> = Vec::new();
    for (idx, line) in lines.iter().enumerate() {
        let no = idx + 1;
        if let Some(rest) = line.strip_prefix(CASE) {
            close(&mut cases, section, &body);
            if let Some(prev) = cases.last() {
                if section != Section::Template {
                    return Err(format!(
                        "line {}: case {} has no ### template:",
                        prev.line, prev.name
                    ));
                }
            }
            let name = rest.strip_prefix(' ').unwrap_or("");
            if !valid_name(name) {
                return Err(format!("line {no}: bad case name {line:?}"));
            }
            if cases.iter().any(|c| c.name == name) {
                return Err(format!("line {no}: duplicate case name {name}"));
            }
            cases.push(Case {
                name: name.to_string(),
                line: no,
                values: String::new(),
                flags: Vec::new(),
                mode: Mode::Include,
                template: String::new(),
            });
            section = Section::None;
            body.clear();
            continue;
        }
        let Some(case) = cases.last_mut() else {
            if line.starts_with("### ") {
                return Err(format!("line {no}: directive before the first ### case:"));
            }
            continue; // free-text file header
        };
        if section == Section::Template {
            body.push(line);
            continue;
        }
        if let Some(directive) = directive(line) {
            close(&mut cases, section, &body);
            body.clear();
            section = Section::None;
            let Some(case) = cases.last_mut() else {
                continue;
            };
            match directive {
                ("values", "") => section = Section::Values,
                ("template", "") => section = Section::Template,
                ("flags", rest) => case.flags = split_words(rest, no)?,
                ("mode", "include") => case.mode = Mode::Include,
                ("mode", "file") => case.mode = Mode::File,
                ("note", _) => {}
                (kind, rest) => return Err(format!("line {no}: bad ### {kind}: {rest:?}")),
            }
            continue;
        }
        if section == Section::Values {
            body.push(line);
            continue;
        }
        return Err(format!(
            "line {no}: unexpected line in case {}: {line:?}",
            case.name
        ));
    }
    close(&mut cases, section, &body);
    if let Some(last) = cases.last() {
        if section != Section::Template {
            return Err(format!(
                "line {}: case {} has no ### template:",
                last.line, last.name
            ));
        }
    }
    Ok(cases)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    None,
    Values,
    Template,
}

/// Stores the collected body lines into the current case.
fn close(cases: &mut [Case], section: Section, body: &[&str]) {
    let Some(case) = cases.last_mut() else {
        return;
    };
    match section {
        Section::Values => case.values = body.iter().map(|l| format!("{l}\n")).collect(),
        Section::Template => case.template = body.join("\n"),
        Section::None => {}
    }
}

/// `### kind: rest` for the known directive kinds (rest trimmed).
fn directive(line: &str) -> Option<(&str, &str)> {
    let rest = line.strip_prefix("### ")?;
    let (kind, arg) = rest.split_once(':')?;
    matches!(kind, "values" | "flags" | "mode" | "note" | "template").then(|| (kind, arg.trim()))
}

fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// Splits flags like a POSIX shell (quotes and backslashes; no expansion), as `shlex.split`.
fn split_words(s: &str, no: usize) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut cur: Option<String> = None;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' => {
                if let Some(w) = cur.take() {
                    words.push(w);
                }
            }
            '\'' => {
                let w = cur.get_or_insert_with(String::new);
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(ch) => w.push(ch),
                        None => return Err(format!("line {no}: unterminated ' in flags")),
                    }
                }
            }
            '"' => {
                let w = cur.get_or_insert_with(String::new);
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(ch @ ('"' | '\\' | '$' | '`')) => w.push(ch),
                            Some(ch) => {
                                w.push('\\');
                                w.push(ch);
                            }
                            None => return Err(format!("line {no}: unterminated \" in flags")),
                        },
                        Some(ch) => w.push(ch),
                        None => return Err(format!("line {no}: unterminated \" in flags")),
                    }
                }
            }
            '\\' => match chars.next() {
                Some(ch) => cur.get_or_insert_with(String::new).push(ch),
                None => return Err(format!("line {no}: trailing backslash in flags")),
            },
            ch => cur.get_or_insert_with(String::new).push(ch),
        }
    }
    words.extend(cur);
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_all_fields_and_template_newlines() {
        let text = "header\n### case: a\n### note: x\n### values:\nk: 1\nl: [2]\n### flags: --set 'a=b c' -n x\n### mode: file\n### template:\nline1\n### not a directive\n\n### case: b\n### template:\nx";
        let cases = parse(text);
        assert!(cases.is_ok(), "{cases:?}");
        let cases = cases.unwrap_or_default();
        assert_eq!(cases.len(), 2);
        assert_eq!(cases[0].name, "a");
        assert_eq!(cases[0].values, "k: 1\nl: [2]\n");
        assert_eq!(cases[0].flags, vec!["--set", "a=b c", "-n", "x"]);
        assert_eq!(cases[0].mode, Mode::File);
        assert_eq!(cases[0].template, "line1\n### not a directive\n");
        assert_eq!(cases[1].template, "x");
        assert_eq!(cases[1].mode, Mode::Include);
        assert_eq!(cases[1].values, "");
    }

    #[test]
    fn final_newline_is_not_template_text() {
        let cases = parse("### case: a\n### template:\nx\n").unwrap_or_default();
        assert_eq!(cases[0].template, "x");
        let cases = parse("### case: a\n### template:\nx\n\n").unwrap_or_default();
        assert_eq!(cases[0].template, "x\n");
        let cases = parse("### case: a\n### template:\n").unwrap_or_default();
        assert_eq!(cases[0].template, "");
    }

    #[test]
    fn rejects_malformed_files() {
        assert!(parse("### case: Bad\n### template:\nx").is_err());
        assert!(parse("### case: a\n### template:\nx\n### case: a\n### template:\ny").is_err());
        assert!(parse("### case: a\n### values:\nk: 1\n").is_err());
        assert!(parse("### values:\n").is_err());
        assert!(parse("### case: a\nstray\n### template:\n").is_err());
        assert!(parse("### case: a\n### mode: other\n### template:\n").is_err());
    }
}
