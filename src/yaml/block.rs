//! A fast loader for plain block YAML documents (values files, most of all).
//!
//! Values files are mostly comments, block mappings and sequences, simple keys, one-line
//! scalars and literal block scalars, yet scanning them with the general loader cost up to a
//! fifth of a render. This reader builds go-yaml v2's value tree ([`GoVal`]) for documents
//! that stay inside that subset, with the same scalar resolution and duplicate-key rule as
//! the general decoder, and returns `None` for anything else (anchors, tags, folded or
//! keep-chomped block scalars, rare escapes, multi-line plain or quoted scalars, flow mappings,
//! tabs, document markers, unusual indentation...), which the general loader then reads.
//! Tests compare both on every values file of the corpus and on mutations of them.

use super::decode::{resolved_to_go, GoVal};
use super::lines::{double_quoted, one_line, plain_text, short_lines, split_key, OneLine};
use super::ordered::OrderedMap;
use super::resolve::resolve_plain;

/// Deepest nesting read here.
const MAX_DEPTH: usize = 64;

#[derive(Clone, Copy)]
struct Line<'a> {
    /// The whole line.
    raw: &'a str,
    indent: usize,
    /// The text after the indentation (trailing spaces kept).
    text: &'a str,
}

struct Reader<'a> {
    lines: Vec<Line<'a>>,
    pos: usize,
    depth: usize,
}

/// The value tree of `text` when it is plain block YAML whose top level is a mapping.
pub fn fast_document(text: &str) -> Option<GoVal> {
    if !plain_text(text) || !text.ends_with('\n') {
        return None;
    }
    let lines: Vec<Line<'_>> = text
        .strip_suffix('\n')
        .map(short_lines)?
        .map(|l| {
            let indent = l.bytes().take_while(|&c| c == b' ').count();
            Line {
                raw: l,
                indent,
                text: &l[indent..],
            }
        })
        .collect();
    // A leading `---` starts the (first) document; other document markers and directives
    // are left to the general loader.
    let mut lines = lines;
    if let Some(i) = lines
        .iter()
        .position(|l| !l.text.is_empty() && !l.text.starts_with('#'))
    {
        if lines[i].indent == 0 && lines[i].text.trim_end_matches(' ') == "---" {
            lines[i].text = "";
        }
    }
    if lines.iter().any(|l: &Line<'_>| {
        l.indent == 0
            && (l.text.starts_with("---") || l.text.starts_with("...") || l.text.starts_with('%'))
    }) {
        return None;
    }
    let mut r = Reader {
        lines,
        pos: 0,
        depth: 0,
    };
    let first = r.peek()?;
    if is_seq(first.text) || first.indent != 0 {
        return None;
    }
    let root = r.map(0)?;
    // Everything must have been read.
    r.peek().is_none().then_some(root)
}

fn is_seq(text: &str) -> bool {
    text == "-" || text.starts_with("- ")
}

/// A one-line value with its trailing comment removed.
fn strip_comment(v: &str) -> &str {
    let v = v.trim_end_matches(' ');
    if v.starts_with('#') {
        return "";
    }
    let body_end = match v.as_bytes().first() {
        Some(b'"') => match double_quoted(&v[1..]) {
            Some((body, _)) => body.len() + 2,
            None => return v,
        },
        Some(b'\'') => match v[1..].find('\'') {
            Some(i) => i + 2,
            None => return v,
        },
        Some(b'[' | b'{') if v.starts_with("[]") || v.starts_with("{}") => 2,
        Some(b'[' | b'{') => return v,
        _ => 0,
    };
    match v[body_end..].find(" #") {
        Some(i) => v[..body_end + i].trim_end_matches(' '),
        None => v,
    }
}

impl<'a> Reader<'a> {
    /// The next content line (blank and comment lines skipped).
    fn peek(&mut self) -> Option<Line<'a>> {
        while let Some(l) = self.lines.get(self.pos) {
            if l.text.is_empty() || l.text.starts_with('#') {
                self.pos += 1;
                continue;
            }
            return Some(*l);
        }
        None
    }

    fn enter(&mut self) -> Option<()> {
        self.depth += 1;
        (self.depth <= MAX_DEPTH).then_some(())
    }

    /// A block mapping whose keys sit at column `n`; the current line is its first key.
    fn map(&mut self, n: usize) -> Option<GoVal> {
        self.enter()?;
        let mut out = OrderedMap::default();
        while let Some(line) = self.peek() {
            if line.indent < n {
                break;
            }
            if line.indent > n || is_seq(line.text) {
                return None;
            }
            let (key, value) = split_key(line.text)?;
            let key = if line.text.starts_with('"') {
                GoVal::Str(key.to_string())
            } else {
                resolved_to_go(resolve_plain(key), key)
            };
            self.pos += 1;
            let value = strip_comment(value);
            let v = if value.is_empty() {
                self.nested(n, true)?
            } else {
                self.one(value, n)?
            };
            out.insert(key, v);
        }
        self.depth -= 1;
        Some(GoVal::Map(out.into_items()))
    }

    /// A block sequence whose dashes sit at column `n`; the current line is its first entry.
    fn seq(&mut self, n: usize) -> Option<GoVal> {
        self.enter()?;
        let mut items = Vec::new();
        while let Some(line) = self.peek() {
            if line.indent < n || (line.indent == n && !is_seq(line.text)) {
                break;
            }
            if line.indent > n {
                return None;
            }
            let after = &line.text[1..];
            let spaces = after.bytes().take_while(|&c| c == b' ').count();
            let rest = &after[spaces..];
            if rest.is_empty() || rest.starts_with('#') {
                self.pos += 1;
                items.push(self.nested(n, false)?);
                continue;
            }
            let col = n + 1 + spaces;
            if is_seq(rest) || split_key(rest).is_some() {
                // The entry's block starts on this line: read the rest as its first line.
                if let Some(l) = self.lines.get_mut(self.pos) {
                    *l = Line {
                        raw: l.raw,
                        indent: col,
                        text: rest,
                    };
                }
                items.push(if is_seq(rest) {
                    self.seq(col)?
                } else {
                    self.map(col)?
                });
                continue;
            }
            self.pos += 1;
            items.push(self.one(strip_comment(rest), n)?);
        }
        self.depth -= 1;
        Some(GoVal::Seq(items))
    }

    /// The value of a key (or dash) at column `parent` whose line ended after the indicator:
    /// a deeper block, an indentless sequence (keys only), a value alone on the next line, or
    /// null.
    fn nested(&mut self, parent: usize, key: bool) -> Option<GoVal> {
        let Some(line) = self.peek() else {
            return Some(GoVal::Nil);
        };
        if line.indent == parent && key && is_seq(line.text) {
            return self.seq(parent);
        }
        if line.indent <= parent {
            return Some(GoVal::Nil);
        }
        if is_seq(line.text) {
            return self.seq(line.indent);
        }
        if split_key(line.text).is_some() {
            return self.map(line.indent);
        }
        let text = strip_comment(line.text);
        if text.starts_with(['|', '>']) {
            return None; // a block scalar header alone on its line
        }
        self.pos += 1;
        let v = self.one(text, parent)?;
        // A deeper line after it would continue a multi-line scalar.
        match self.peek() {
            Some(next) if next.indent > parent => None,
            _ => Some(v),
        }
    }

    /// A one-line value; a block scalar reads its lines (deeper than `parent`).
    fn one(&mut self, v: &str, parent: usize) -> Option<GoVal> {
        Some(match one_line(v)? {
            OneLine::EmptyMap => GoVal::Map(Vec::new()),
            OneLine::List(items) => GoVal::Seq(items.into_iter().map(item).collect::<Option<_>>()?),
            OneLine::Quoted(t) => GoVal::Str(t.to_string()),
            OneLine::Escaped(s) => GoVal::Str(s),
            OneLine::Plain(t) => resolved_to_go(resolve_plain(t), t),
            OneLine::Block(header) => GoVal::Str(self.literal(header, parent)?),
        })
    }

    /// The content of a literal block scalar (`|` clipped or `|-` stripped); other headers
    /// are left to the general loader.
    fn literal(&mut self, header: &str, parent: usize) -> Option<String> {
        let strip = match header {
            "|" => false,
            "|-" => true,
            _ => return None,
        };
        let start = self.pos;
        let (mut n, mut blank_max, mut end) = (None, 0, start);
        let mut i = start;
        while let Some(l) = self.lines.get(i) {
            if l.text.is_empty() {
                match n {
                    None => blank_max = blank_max.max(l.indent),
                    // Spaces beyond the indentation make a content line, not a blank one.
                    Some(indent) if l.indent > indent => end = i + 1,
                    Some(_) => {}
                }
                i += 1;
                continue;
            }
            let indent = match n {
                Some(indent) => indent,
                None if l.indent > parent => *n.insert(l.indent),
                None => break,
            };
            if l.indent < indent {
                if l.indent > parent {
                    return None;
                }
                break;
            }
            i += 1;
            end = i;
        }
        // An empty block scalar is "" when more of the document follows; at the end of the
        // document it is left to the general loader.
        let Some(n) = n else {
            let more = self
                .lines
                .get(i..)?
                .iter()
                .any(|l| !l.text.is_empty() && !l.text.starts_with('#'));
            return more.then(String::new);
        };
        // libyaml takes the deepest leading blank line as the indentation.
        if blank_max > n {
            return None;
        }
        self.pos = end;
        let mut s = String::new();
        for (k, l) in self.lines.get(start..end)?.iter().enumerate() {
            if k > 0 {
                s.push('\n');
            }
            // Spaces beyond the content indentation are content, on blank lines too.
            s.push_str(l.raw.get(n..).unwrap_or(""));
        }
        if !strip {
            s.push('\n');
        }
        Some(s)
    }
}

fn item(i: OneLine<'_>) -> Option<GoVal> {
    match i {
        OneLine::Quoted(t) => Some(GoVal::Str(t.to_string())),
        OneLine::Escaped(s) => Some(GoVal::Str(s)),
        OneLine::Plain(t) => Some(resolved_to_go(resolve_plain(t), t)),
        _ => None,
    }
}
