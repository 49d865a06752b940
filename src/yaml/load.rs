//! YAML text to a node tree (first document only), with go-yaml v2's error messages.
//!
//! yaml-rust2 does the scanning and parsing; this module turns its events into [`Node`]s
//! (resolving aliases to shared nodes) and translates its errors into the text go-yaml
//! (libyaml) prints, including libyaml's quirky line numbers: scanner errors report the
//! 1-based line of the problem but omit it on the first line; parser errors report the
//! 0-based line (so a problem on line 3 says `line 2`).

use std::collections::HashMap;
use std::rc::Rc;
use yaml_rust2::parser::{Event, Parser, Tag};
use yaml_rust2::scanner::{ScanError, TScalarStyle};

/// Deepest nesting accepted. go-yaml v2 allows 10000; we stop at 1000 so that every
/// recursive consumer (decoder, emitters, `Drop` of the value tree) stays well inside a
/// 2 MiB thread stack. Real values files never come close.
const MAX_DEPTH: usize = 1_000;

/// A parsed YAML node.
#[derive(Debug)]
pub enum Node {
    /// A scalar with its text, whether it was plain, and its explicit tag (full form).
    Scalar {
        /// The scalar's text after escapes/folding.
        value: String,
        /// Plain (unquoted, not block) style.
        plain: bool,
        /// Explicit tag, e.g. `tag:yaml.org,2002:str` or `!foo`; `None` if untagged.
        tag: Option<String>,
    },
    /// A sequence.
    Seq(Vec<Rc<Node>>),
    /// A mapping in document order.
    Map(Vec<(Rc<Node>, Rc<Node>)>),
    /// An alias to an earlier anchored node (kept distinct so the decoder can limit
    /// alias expansion the way go-yaml does).
    Alias(Rc<Node>),
}

enum Frame {
    Seq(Vec<Rc<Node>>, usize),
    Map(Vec<(Rc<Node>, Rc<Node>)>, Option<Rc<Node>>, usize),
}

fn tag_string(tag: Option<Tag>) -> Option<String> {
    tag.map(|t| format!("{}{}", t.handle, t.suffix))
}

/// How many tab-indented quoted-scalar lines we patch before giving up.
const MAX_TAB_RETRIES: usize = 1_000;

/// Parses the first document of `text`. `Ok(None)` for an empty stream (no document).
/// Errors are go-yaml messages without the `yaml: ` prefix.
pub fn parse_first_document(text: &str) -> Result<Option<Rc<Node>>, String> {
    // go-yaml strips a leading BOM (the reader detects the encoding from it).
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    leading_tab_check(text)?;
    // libyaml reads NEL (U+0085) as a line break everywhere, yaml-rust2 as content.
    let mut patched: Option<String> = text
        .contains('\u{85}')
        .then(|| text.replace('\u{85}', "\n"));
    for _ in 0..MAX_TAB_RETRIES {
        let current = patched.as_deref().unwrap_or(text);
        match parse_once(current) {
            Ok(n) => return Ok(n),
            Err(e) if e.info() == "':' must be followed by a valid YAML whitespace" => {
                // libyaml takes a tab after ':' as the separator; yaml-rust2 wants a space.
                match tab_after_colon(current, e.marker().index()) {
                    Some(t) => patched = Some(t),
                    None => return Err(translate(&e, text)),
                }
            }
            Err(e) if e.info() == "tab cannot be used as indentation" => {
                // libyaml allows tabs in the leading whitespace of a quoted scalar's
                // continuation line (it is folded away); yaml-rust2 does not. Replace that
                // whitespace with spaces (deep enough for yaml-rust2's indentation check)
                // and parse again: the scalar's value cannot change.
                match widen_leading_whitespace(current, e.marker().line()) {
                    Some(t) => patched = Some(t),
                    None => return Err(translate(&e, text)),
                }
            }
            Err(e) => return Err(translate(&e, text)),
        }
    }
    Err("found character that cannot start any token".into())
}

/// libyaml refuses a tab where the first token of a block document should start
/// (yaml-rust2 accepts `\tx: 1`).
fn leading_tab_check(text: &str) -> Result<(), String> {
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

/// Replaces the first `:\t` at or just around char index `idx` with `: `.
fn tab_after_colon(text: &str, idx: usize) -> Option<String> {
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

/// Replaces the leading blanks of 1-based line `line` with spaces (plus a margin).
fn widen_leading_whitespace(text: &str, line: usize) -> Option<String> {
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

fn parse_once(text: &str) -> Result<Option<Rc<Node>>, ScanError> {
    let unknown_anchor = |mark| ScanError::new(mark, "while parsing node, found unknown anchor");
    let mut parser = Parser::new_from_str(text);
    let mut anchors: HashMap<usize, Rc<Node>> = HashMap::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut root: Option<Rc<Node>> = None;
    loop {
        let (event, mark) = parser.next_token()?;
        let done: Option<(Rc<Node>, usize)> = match event {
            Event::StreamEnd => return Ok(root),
            Event::DocumentEnd => return Ok(root),
            Event::Nothing | Event::StreamStart | Event::DocumentStart => None,
            Event::Alias(id) => match anchors.get(&id) {
                Some(n) => Some((Rc::new(Node::Alias(n.clone())), 0)),
                None => return Err(unknown_anchor(mark)),
            },
            Event::Scalar(value, style, anchor, tag) => {
                let plain = matches!(style, TScalarStyle::Plain);
                Some((
                    Rc::new(Node::Scalar {
                        value,
                        plain,
                        tag: tag_string(tag),
                    }),
                    anchor,
                ))
            }
            Event::SequenceStart(anchor, _) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(ScanError::new(mark, "recursion limit exceeded"));
                }
                stack.push(Frame::Seq(Vec::new(), anchor));
                None
            }
            Event::MappingStart(anchor, _) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(ScanError::new(mark, "recursion limit exceeded"));
                }
                stack.push(Frame::Map(Vec::new(), None, anchor));
                None
            }
            Event::SequenceEnd => match stack.pop() {
                Some(Frame::Seq(items, anchor)) => Some((Rc::new(Node::Seq(items)), anchor)),
                _ => return Err(ScanError::new(mark, "did not find expected node content")),
            },
            Event::MappingEnd => match stack.pop() {
                Some(Frame::Map(items, _, anchor)) => Some((Rc::new(Node::Map(items)), anchor)),
                _ => return Err(ScanError::new(mark, "did not find expected node content")),
            },
        };
        let Some((node, anchor)) = done else { continue };
        if anchor != 0 {
            anchors.insert(anchor, node.clone());
        }
        match stack.last_mut() {
            None => root = Some(node),
            Some(Frame::Seq(items, _)) => items.push(node),
            Some(Frame::Map(items, key, _)) => match key.take() {
                None => *key = Some(node),
                Some(k) => items.push((k, node)),
            },
        }
    }
}

/// Translates a yaml-rust2 error into go-yaml's `line N: problem` text.
fn translate(e: &ScanError, text: &str) -> String {
    let info = e.info();
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

fn nth_line(text: &str, line: usize) -> &str {
    text.lines().nth(line.saturating_sub(1)).unwrap_or("")
}

fn line_has_leading_tab(text: &str, line: usize) -> bool {
    let l = nth_line(text, line);
    let rest = l.trim_start_matches([' ', '\t']);
    l[..l.len() - rest.len()].contains('\t')
}

/// Whether some line before 1-based `line` opens a block scalar (`key: |`, `- >-`, ...).
fn follows_block_scalar(text: &str, line: usize) -> bool {
    text.lines().take(line.saturating_sub(1)).any(|l| {
        let l = l.split(" #").next().unwrap_or("").trim_end();
        let l = l.trim_end_matches(|c: char| c.is_ascii_digit() || c == '+' || c == '-');
        l.ends_with(" |") || l.ends_with(" >") || l == "|" || l == ">"
    })
}

/// The alias name written at char index `idx` (which points at or just after the `*`).
fn alias_name_at(text: &str, idx: usize) -> String {
    let rest: String = text.chars().skip(idx).collect();
    let rest = rest.strip_prefix('*').unwrap_or(&rest);
    rest.chars()
        .take_while(|c| !c.is_whitespace() && !matches!(c, ',' | '[' | ']' | '{' | '}'))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_tree_with_aliases() {
        let n = parse_first_document("a: &x [1, 2]\nb: *x\n")
            .unwrap()
            .unwrap();
        let Node::Map(items) = &*n else {
            panic!("not a map")
        };
        assert_eq!(items.len(), 2);
        let Node::Alias(target) = &*items[1].1 else {
            panic!("not an alias")
        };
        assert!(Rc::ptr_eq(&items[0].1, target));
    }

    #[test]
    fn empty_stream_is_none() {
        assert!(parse_first_document("").unwrap().is_none());
        assert!(parse_first_document("# c\n").unwrap().is_none());
    }

    #[test]
    fn error_texts() {
        assert_eq!(
            parse_first_document("a: b: c").unwrap_err(),
            "mapping values are not allowed in this context"
        );
        assert_eq!(
            parse_first_document("a: *nope\n").unwrap_err(),
            "unknown anchor 'nope' referenced"
        );
    }
}
