//! YAML text to a node tree (first document only), with go-yaml v2's error messages.
//!
//! yaml-rust2 does the scanning and parsing; this module turns its events into [`Node`]s
//! (aliases become [`Node::Alias`] pointing at the shared anchored node). Where yaml-rust2
//! and libyaml disagree, `compat` translates errors into go-yaml's text and patches inputs
//! libyaml accepts, and we retry.

use super::compat::{
    flow_closer_line, indent_line, indent_quoted_scalar, leading_document_end_check,
    leading_tab_check, quote_dash, slash_escape_line, tab_after_colon, translate,
    widen_leading_whitespace, UNKNOWN_ESCAPE, UNKNOWN_ESCAPE_AT_LINE,
};
use std::collections::HashMap;
use std::rc::Rc;
use yaml_rust2::parser::{Event, Parser, Tag};
use yaml_rust2::scanner::{ScanError, TScalarStyle};

/// Deepest nesting accepted. go-yaml v2 allows 10000; we stop at 1000 so that every
/// recursive consumer (decoder, emitters, `Drop` of the value tree) stays well inside a
/// 2 MiB thread stack. Real values files never come close.
pub(super) const MAX_DEPTH: usize = 1_000;

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

pub(super) enum Frame {
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
    leading_document_end_check(text)?;
    // libyaml reads NEL (U+0085) as a line break everywhere, yaml-rust2 as content.
    let mut patched: Option<String> = text
        .contains('\u{85}')
        .then(|| text.replace('\u{85}', "\n"));
    // yaml-rust2 accepts flow keys spanning lines (or over 1024 characters); libyaml not.
    super::flowkeys::flow_simple_key_check(patched.as_deref().unwrap_or(text))?;
    for _ in 0..MAX_TAB_RETRIES {
        let current = patched.as_deref().unwrap_or(text);
        match parse_once(current, None) {
            Ok(Parsed::Done(n)) => return Ok(n),
            Ok(Parsed::StripBlockScalar(k)) => {
                return match parse_once(current, Some(k)) {
                    Ok(Parsed::Done(n)) => Ok(n),
                    Ok(Parsed::StripBlockScalar(_)) => Err("internal parse error".into()),
                    Err(e) => Err(translate(&e, text)),
                };
            }
            Err(e) if e.info() == "':' must be followed by a valid YAML whitespace" => {
                // libyaml takes a tab after ':' as the separator; yaml-rust2 wants a space.
                match tab_after_colon(current, e.marker().index()) {
                    Some(t) => patched = Some(t),
                    None => return Err(translate(&e, text)),
                }
            }
            Err(e) if e.info() == "invalid indentation in quoted scalar" => {
                // libyaml does not check the indentation of a quoted scalar's continuation
                // lines (their leading whitespace is folded away); indent them all.
                match indent_quoted_scalar(current, e.marker().index()) {
                    Some(t) => patched = Some(t),
                    None => return Err(translate(&e, text)),
                }
            }
            Err(e)
                if e.info() == "invalid indentation in flow construct"
                    || (e.info().starts_with("invalid indentation")
                        && flow_closer_line(current, e.marker().line())) =>
            {
                // libyaml does not check indentation inside flow collections; yaml-rust2
                // rejects a closing bracket at a lower column. Whitespace there is
                // insignificant, so indent the line and retry.
                match indent_line(current, e.marker().line()) {
                    Some(t) => patched = Some(t),
                    None => return Err(translate(&e, text)),
                }
            }
            Err(e) if e.info() == "plain scalar cannot start with '-' followed by ,[]{}" => {
                // libyaml reads a lone `-` before a flow indicator as the plain scalar "-";
                // quoting it gives the same string.
                match quote_dash(current, e.marker().index()) {
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
            Err(e) if e.info().starts_with(UNKNOWN_ESCAPE_AT_LINE) => {
                // Not for the libyaml port below, which takes `\/` as well.
                return Err(translate(&e, text));
            }
            Err(e) => {
                // yaml-rust2 is stricter than libyaml in places (flow collections continued
                // below their key's indentation, some quoted-scalar indentation): when the
                // libyaml port accepts the text, its tree is what go-yaml would build.
                match super::libyaml::parse_libyaml(current) {
                    Ok(n) => return Ok(n),
                    // go-yaml would stop at a `\/` escape in text it otherwise reads.
                    Err(m) if m.ends_with(UNKNOWN_ESCAPE) => return Err(m),
                    Err(_) => return Err(translate(&e, text)),
                }
            }
        }
    }
    Err("found character that cannot start any token".into())
}

/// What one parse attempt produced.
enum Parsed {
    /// The first document's root.
    Done(Option<Rc<Node>>),
    /// Parse again, removing the final line break of block scalar number `n`.
    StripBlockScalar(usize),
}

/// Whether a block scalar running to the end of `text` must lose its final line break:
/// libyaml only adds the clip/keep line break if the input has one; yaml-rust2 always does.
fn ends_inside_content(text: &str) -> bool {
    if text.ends_with(['\n', '\r']) {
        return false;
    }
    let last = text.rsplit('\n').next().unwrap_or("");
    let t = last.trim_start();
    !t.is_empty() && !t.starts_with('#') && last.starts_with([' ', '\t'])
}

/// Whether the document's last content line is a clipped block scalar header (`key: |`,
/// `- >`): libyaml reads that empty scalar as "", yaml-rust2 as "\n".
fn ends_with_empty_block(text: &str) -> bool {
    let indent = |l: &str| l.len() - l.trim_start().len();
    // Comment lines after the header are comments only if they are not indented deeper
    // (deeper ones would be the scalar's content).
    let mut deepest_comment = 0;
    for line in text.lines().rev() {
        let t = line.trim();
        if t.is_empty() {
            continue;
        }
        if t.starts_with('#') {
            deepest_comment = deepest_comment.max(indent(line));
            continue;
        }
        let mut words = t.split_whitespace().rev();
        return deepest_comment <= indent(line)
            && matches!(words.next(), Some("|" | ">"))
            && words.next().is_some_and(|w| w == "-" || w.ends_with(':'));
    }
    false
}

fn parse_once(text: &str, strip: Option<usize>) -> Result<Parsed, ScanError> {
    let unknown_anchor = |mark| ScanError::new(mark, "while parsing node, found unknown anchor");
    let total_chars = text.chars().count();
    // yaml-rust2 takes the `\/` escape (YAML 1.2); libyaml does not.
    let slash_escapes = text.contains("\\/");
    let eof_fix = strip.is_none() && (ends_inside_content(text) || ends_with_empty_block(text));
    // Index of the last scalar and whether it was a block scalar.
    let mut scalars = 0usize;
    let mut last_block: Option<usize> = None;
    let mut parser = Parser::new_from_str(text);
    let mut anchors: HashMap<usize, Rc<Node>> = HashMap::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut root: Option<Rc<Node>> = None;
    loop {
        let (event, mark) = parser.next_token()?;
        let done: Option<(Rc<Node>, usize)> = match event {
            Event::StreamEnd | Event::DocumentEnd => {
                if eof_fix && mark.index() >= total_chars {
                    if let Some(n) = last_block {
                        return Ok(Parsed::StripBlockScalar(n));
                    }
                }
                return Ok(Parsed::Done(root));
            }
            Event::Nothing | Event::StreamStart | Event::DocumentStart => None,
            Event::Alias(id) => match anchors.get(&id) {
                Some(n) => Some((Rc::new(Node::Alias(n.clone())), 0)),
                None => return Err(unknown_anchor(mark)),
            },
            Event::Scalar(mut value, style, anchor, tag) => {
                if slash_escapes && matches!(style, TScalarStyle::DoubleQuoted) {
                    if let Some(line) = slash_escape_line(text, mark.index()) {
                        let info = format!("{UNKNOWN_ESCAPE_AT_LINE}{line}");
                        return Err(ScanError::new_string(mark, info));
                    }
                }
                let plain = matches!(style, TScalarStyle::Plain);
                let block = matches!(style, TScalarStyle::Literal | TScalarStyle::Folded);
                if block && strip == Some(scalars) && value.ends_with('\n') {
                    value.pop();
                }
                last_block = block.then_some(scalars);
                scalars += 1;
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

#[cfg(test)]
mod empty_block_tests {
    /// Empty block scalars at the end of a document, as helm v3.17.3 loads them (recorded with
    /// `fromYaml | toJson` in a test chart).
    #[test]
    fn empty_block_scalar_at_the_end() {
        for (doc, want) in [
            ("a: |\n", r#"{"a":""}"#),
            ("a: >\n", r#"{"a":""}"#),
            ("a: |\n# c\n", r#"{"a":""}"#),
            ("a:\n  b: |\n", r#"{"a":{"b":""}}"#),
            ("a: |+\n\n", r#"{"a":"\n"}"#),
            ("a: |-\n", r#"{"a":""}"#),
            ("a: |\n\n\n", r#"{"a":""}"#),
            ("a: |", r#"{"a":""}"#),
            ("a: b |\n", r#"{"a":"b |"}"#),
        ] {
            let v = crate::yaml::load_any(doc).expect("loads");
            assert_eq!(
                crate::yaml::to_json(&v, true, None).expect("json"),
                want,
                "{doc:?}"
            );
        }
    }
}
