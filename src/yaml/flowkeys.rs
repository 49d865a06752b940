//! libyaml's simple-key limits inside flow collections. An implicit key must sit on one line
//! with its `:` at most 1024 characters after the key's start; libyaml enforces that in flow
//! context too (the key stops being a key, and the parser then trips over the `:`), while
//! yaml-rust2 checks it only in block context. So `{"a\n b": 1}` fails in go-yaml with
//! `did not find expected ',' or '}'` but parses in yaml-rust2; this pass finds such keys.

use yaml_rust2::scanner::{Marker, Scanner, TokenType};

/// The furthest a simple key's `:` may be from the key's start.
const MAX_SIMPLE_KEY: usize = 1024;

/// A key token waiting for its `:`.
struct PendingKey {
    /// Where the key starts; `None` for an explicit `?` key (no limits).
    start: Option<Marker>,
    /// Flow depth at the key.
    level: usize,
}

/// Checks the first document of `text` (BOM removed, NEL already a line break). `Err` carries
/// go-yaml's message (without `yaml: `) for the first flow key libyaml would not accept;
/// scanner errors are left to the parser.
pub(super) fn flow_simple_key_check(text: &str) -> Result<(), String> {
    if !text.contains(['{', '[']) {
        return Ok(());
    }
    // Key tokens come in text order: a cursor finds the character at a token's (character)
    // index without collecting the whole text.
    let mut cursor = text.chars();
    let mut cursor_at = 0usize;
    let mut char_at = |index: usize| -> Option<char> {
        if index < cursor_at {
            return text.chars().nth(index);
        }
        let c = cursor.nth(index - cursor_at);
        cursor_at = index + 1;
        c
    };
    // Innermost open flow collections: (start, is_mapping).
    let mut flows: Vec<(Marker, bool)> = Vec::new();
    let mut pending: Vec<PendingKey> = Vec::new();
    let mut content = false;
    for tok in Scanner::new(text.chars()) {
        let mark = tok.0;
        match tok.1 {
            TokenType::DocumentStart | TokenType::DocumentEnd if content => break,
            TokenType::FlowMappingStart => flows.push((mark, true)),
            TokenType::FlowSequenceStart => flows.push((mark, false)),
            TokenType::FlowMappingEnd | TokenType::FlowSequenceEnd => {
                flows.pop();
                pending.retain(|k| k.level <= flows.len());
            }
            TokenType::Key if !flows.is_empty() => {
                // In flow context `?` always starts an explicit key.
                let explicit = char_at(mark.index()) == Some('?');
                pending.push(PendingKey {
                    start: (!explicit).then_some(mark),
                    level: flows.len(),
                });
            }
            TokenType::Value if !flows.is_empty() => {
                let Some(key) = pending.last() else { continue };
                if key.level != flows.len() {
                    continue;
                }
                let start = key.start;
                pending.pop();
                let Some(start) = start else { continue };
                if mark.line() != start.line() || mark.index() > start.index() + MAX_SIMPLE_KEY {
                    return Err(error(mark, &flows));
                }
            }
            _ => {}
        }
        content = true;
    }
    Ok(())
}

/// libyaml's parser error at the `:`: its 0-based line, else the collection's, else none.
fn error(at: Marker, flows: &[(Marker, bool)]) -> String {
    let (start, mapping) = flows.last().copied().unwrap_or((at, true));
    let problem = if mapping {
        "did not find expected ',' or '}'"
    } else {
        "did not find expected ',' or ']'"
    };
    let line = if at.line() > 1 {
        at.line()
    } else {
        start.line()
    } - 1;
    if line == 0 {
        problem.to_string()
    } else {
        format!("line {line}: {problem}")
    }
}

#[cfg(test)]
mod tests {
    use super::flow_simple_key_check as check;

    #[test]
    fn keys_must_stay_on_one_line() {
        assert_eq!(
            check("k: {\"a\n b\": 1}\n"),
            Err("line 1: did not find expected ',' or '}'".into())
        );
        // (yaml-rust2's own scanner already rejects a multi-line plain key in a sequence.)
        assert_eq!(
            crate::yaml::load_values("k: [a\n b: 1]\n")
                .map(|_| ())
                .map_err(|e| e.message),
            Err(
                "error converting YAML to JSON: yaml: line 1: did not find expected ',' or ']'"
                    .into()
            )
        );
        assert_eq!(
            check("k:\n- {x: 1,\n   \"a\n   b\": 2}\n"),
            Err("line 3: did not find expected ',' or '}'".into())
        );
        // The value may follow on the next line; explicit keys may span lines.
        assert_eq!(check("k: {\"a\": \n 1}\n"), Ok(()));
        assert_eq!(check("k: {? a\n b : 1}\n"), Ok(()));
        assert_eq!(check("k: {a: 1,\n b: [1,\n 2]}\n"), Ok(()));
    }

    #[test]
    fn keys_must_end_within_1024_characters() {
        let ok = format!("k: {{\"{}\": 1}}\n", "a".repeat(1022));
        let long = format!("k: {{\"{}\": 1}}\n", "a".repeat(1023));
        assert_eq!(check(&ok), Ok(()));
        assert_eq!(check(&long), Err("did not find expected ',' or '}'".into()));
    }
}
