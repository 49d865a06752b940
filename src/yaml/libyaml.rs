//! Fallback parser: the `libyaml-safer` port of libyaml (the C library go-yaml v2 was
//! translated from), used only where yaml-rust2 rejects text that go-yaml accepts.

use super::compat::{slash_escape_line_lc, unknown_escape_message};
use super::load::{Frame, Node, MAX_DEPTH};
use std::collections::HashMap;
use std::rc::Rc;

/// Parses the first document with `libyaml-safer`, the port of the C library go-yaml itself
/// was translated from. Used only where yaml-rust2 rejects the text.
pub(super) fn parse_libyaml(text: &str) -> Result<Option<Rc<Node>>, String> {
    use libyaml_safer::{EventData, Parser as LParser, ScalarStyle};
    let mut parser = LParser::new();
    let mut input = text.as_bytes();
    parser.set_input_string(&mut input);
    let mut anchors: HashMap<String, Rc<Node>> = HashMap::new();
    let mut stack: Vec<(Frame, Option<String>)> = Vec::new();
    let mut root: Option<Rc<Node>> = None;
    let slash_escapes = text.contains("\\/");
    loop {
        let event = parser.parse().map_err(|e| e.to_string())?;
        // libyaml 0.2.5 takes the `\/` escape; go-yaml v2 (an older libyaml) does not.
        if let EventData::Scalar {
            style: ScalarStyle::DoubleQuoted,
            ..
        } = event.data
        {
            let (line, column) = (event.start_mark.line, event.start_mark.column);
            if slash_escapes {
                if let Some(at) = slash_escape_line_lc(text, line as usize, column as usize) {
                    return Err(unknown_escape_message(at));
                }
            }
        }
        let done: Option<(Rc<Node>, Option<String>)> = match event.data {
            EventData::StreamEnd | EventData::DocumentEnd { .. } => return Ok(root),
            EventData::Alias { anchor } => match anchors.get(&anchor) {
                Some(n) => Some((Rc::new(Node::Alias(n.clone())), None)),
                None => return Err("found unknown anchor".into()),
            },
            EventData::Scalar {
                anchor,
                tag,
                value,
                style,
                ..
            } => Some((
                Rc::new(Node::Scalar {
                    value,
                    plain: style == ScalarStyle::Plain,
                    tag,
                }),
                anchor,
            )),
            EventData::SequenceStart { anchor, .. } => {
                if stack.len() >= MAX_DEPTH {
                    return Err("recursion limit exceeded".into());
                }
                stack.push((Frame::Seq(Vec::new(), 0), anchor));
                None
            }
            EventData::MappingStart { anchor, .. } => {
                if stack.len() >= MAX_DEPTH {
                    return Err("recursion limit exceeded".into());
                }
                stack.push((Frame::Map(Vec::new(), None, 0), anchor));
                None
            }
            EventData::SequenceEnd | EventData::MappingEnd => match stack.pop() {
                Some((Frame::Seq(items, _), a)) => Some((Rc::new(Node::Seq(items)), a)),
                Some((Frame::Map(items, _, _), a)) => Some((Rc::new(Node::Map(items)), a)),
                None => return Err("did not find expected node content".into()),
            },
            _ => None,
        };
        let Some((node, anchor)) = done else { continue };
        if let Some(a) = anchor {
            anchors.insert(a, node.clone());
        }
        match stack.last_mut() {
            None => root = Some(node),
            Some((Frame::Seq(items, _), _)) => items.push(node),
            Some((Frame::Map(items, key, _), _)) => match key.take() {
                None => *key = Some(node),
                Some(k) => items.push((k, node)),
            },
        }
    }
}
