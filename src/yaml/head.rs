//! A fast reader for what Helm's `SortManifests` needs of a rendered document: `kind`,
//! `metadata.name` and the hook annotations (`releaseutil.SimpleHead`).
//!
//! Helm unmarshals every rendered document in full, so any YAML error or JSON conversion
//! error anywhere in it fails the render. Parsing every document with the general loader was
//! the largest cost of a render. Most rendered manifests are plain block YAML, so this reader
//! checks the document line by line against a conservative subset (block mappings and
//! sequences, simple keys, plain/quoted one-line scalars, block scalars, `{}`/`[]`) whose
//! validity and meaning are certain, and returns `None` for anything else (flow collections,
//! anchors, tags, escapes, tabs, comments after values, multi-line plain scalars, unusual
//! indentation, non-string head values, duplicate head keys...), which the caller then reads
//! with the general loader. Tests compare both readers on every document of the corpus and on
//! mutations of them.

use super::lines::{one_line, plain_text, short_lines, split_key, OneLine};
use super::resolve::{resolve_plain, Resolved};

/// The annotations Helm reads from a manifest's head.
pub const HOOK_ANNOTATIONS: [&str; 3] = [
    "helm.sh/hook",
    "helm.sh/hook-weight",
    "helm.sh/hook-delete-policy",
];

/// What Helm reads of a document (`releaseutil.SimpleHead`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    /// `kind`, as a string.
    pub kind: String,
    /// `metadata.name`, as a string.
    pub name: String,
    /// The annotations (all of them from the general reader; only the hook ones from the fast
    /// reader, the only ones Helm looks up).
    pub annotations: Vec<(String, String)>,
}

/// Where a block sits, for the head fields.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Root,
    Metadata,
    Annotations,
    Other,
}

#[derive(Clone, Copy)]
struct Block {
    indent: usize,
    seq: bool,
    /// A sequence at the same indentation as its parent key (`key:\n- a`).
    indentless: bool,
    role: Role,
}

/// A key or dash whose value is on the following lines.
#[derive(Clone, Copy)]
struct Pending {
    indent: usize,
    /// From a mapping key (an indentless sequence may follow), not a dash.
    key: bool,
    /// The role a mapping opened here would have.
    role: Role,
}

/// Deepest nesting read here.
const MAX_BLOCKS: usize = 64;

/// A scalar value on a line.
enum Scalar<'a> {
    /// A plain or quoted string that is certainly a string, with its text.
    Text(&'a str),
    /// `{}`.
    EmptyMap,
    /// A one-line flow sequence (`[]`, `["a", b]`).
    List,
    /// Any other valid scalar (number, bool, null, timestamp, block scalar, `{}`, `[]`).
    Other,
}

/// The head of `doc`, or `None` when the document is outside the subset read here.
pub fn fast_head(doc: &str) -> Option<Head> {
    if !plain_text(doc) {
        return None;
    }
    let mut r = Reader {
        started: false,
        blocks: Vec::new(),
        pending: None,
        head: Fields::default(),
    };
    let mut lines = short_lines(doc).peekable();
    while let Some(line) = lines.next() {
        let indent = line.bytes().take_while(|&c| c == b' ').count();
        let rest = &line[indent..];
        if rest.is_empty() || rest.starts_with('#') {
            continue;
        }
        if indent == 0
            && (rest.starts_with("---") || rest.starts_with("...") || rest.starts_with('%'))
        {
            return None;
        }
        if let Some(parent) = r.line(indent, rest)? {
            skip_block_scalar(&mut lines, parent)?;
        }
    }
    let f = r.head;
    Some(Head {
        kind: f.kind?,
        name: f.name.unwrap_or_default(),
        annotations: f.annotations,
    })
}

/// Skips the lines of a block scalar whose parent block is indented `parent`.
fn skip_block_scalar<'a>(
    lines: &mut std::iter::Peekable<impl Iterator<Item = &'a str>>,
    parent: usize,
) -> Option<()> {
    let mut content: Option<usize> = None;
    let mut blank_max = 0;
    while let Some(line) = lines.peek() {
        let indent = line.bytes().take_while(|&c| c == b' ').count();
        if indent == line.len() {
            if content.is_none() {
                blank_max = blank_max.max(indent);
            }
            lines.next();
            continue;
        }
        match content {
            None if indent > parent => {
                // Leading blank lines may not be indented deeper than the content.
                if blank_max > indent {
                    return None;
                }
                content = Some(indent);
            }
            None => return Some(()),
            Some(n) if indent >= n => {}
            Some(_) if indent <= parent => return Some(()),
            Some(_) => return None,
        }
        lines.next();
    }
    Some(())
}

#[derive(Default)]
struct Fields {
    kind: Option<String>,
    api_version: bool,
    metadata: bool,
    name: Option<String>,
    annotations_seen: bool,
    annotations: Vec<(String, String)>,
}

struct Reader {
    /// A line has been read (the root mapping exists or existed).
    started: bool,
    blocks: Vec<Block>,
    pending: Option<Pending>,
    head: Fields,
}

impl Reader {
    /// Reads one content line. `Some(Some(parent))` when a block scalar starts.
    fn line(&mut self, col: usize, text: &str) -> Option<Option<usize>> {
        let seq = text == "-" || text.starts_with("- ");
        if let Some(p) = self.pending {
            if col > p.indent && !seq && split_key(text).is_none() {
                // The pending value alone on this line (`resources:\n  {}`). A following
                // deeper line (a multi-line scalar) finds no block and is left to the loader.
                let (value, block) = scalar(text.trim_end_matches(' '))?;
                match (p.role, value) {
                    _ if block => return None,
                    (Role::Other, _) | (Role::Metadata | Role::Annotations, Scalar::EmptyMap) => {}
                    _ => return None,
                }
                self.pending = None;
                return Some(None);
            }
        }
        self.place(col, seq)?;
        self.content(col, text)
    }

    /// Finds or opens the block a line's first token at `col` belongs to.
    fn place(&mut self, col: usize, seq: bool) -> Option<()> {
        let pending = self.pending.take();
        if let Some(p) = pending {
            if col > p.indent || (col == p.indent && seq && p.key) {
                if p.role != Role::Other && p.role != Role::Root && seq {
                    return None; // metadata or annotations given as a list
                }
                return self.push(Block {
                    indent: col,
                    seq,
                    indentless: col == p.indent,
                    role: if seq { Role::Other } else { p.role },
                });
            }
            // The pending value is null; metadata or annotations null is fine for Helm.
        }
        while let Some(top) = self.blocks.last() {
            if top.indent > col || (top.indent == col && top.indentless && !seq) {
                self.blocks.pop();
            } else {
                break;
            }
        }
        match self.blocks.last() {
            Some(top) if top.indent == col && top.seq == seq => Some(()),
            None if !std::mem::replace(&mut self.started, true) && !seq => self.push(Block {
                indent: col,
                seq: false,
                indentless: false,
                role: Role::Root,
            }),
            _ => None,
        }
    }

    fn push(&mut self, b: Block) -> Option<()> {
        if self.blocks.len() >= MAX_BLOCKS {
            return None;
        }
        self.blocks.push(b);
        Some(())
    }

    /// The line's content at `col`, inside the block just placed.
    fn content(&mut self, mut col: usize, mut text: &str) -> Option<Option<usize>> {
        loop {
            if text == "-" || text.starts_with("- ") {
                let after = &text[1..];
                let spaces = after.bytes().take_while(|&c| c == b' ').count();
                let rest = &after[spaces..];
                if rest.is_empty() {
                    self.pending = Some(Pending {
                        indent: col,
                        key: false,
                        role: Role::Other,
                    });
                    return Some(None);
                }
                let dash = col;
                col += 1 + spaces;
                text = rest;
                if text == "-" || text.starts_with("- ") {
                    self.push(Block {
                        indent: col,
                        seq: true,
                        indentless: false,
                        role: Role::Other,
                    })?;
                    continue;
                }
                if let Some((key, value)) = split_key(text) {
                    self.push(Block {
                        indent: col,
                        seq: false,
                        indentless: false,
                        role: Role::Other,
                    })?;
                    return self.entry(col, key, value);
                }
                // A scalar entry; a block scalar's content must be deeper than the dash.
                return match scalar(text)? {
                    (_, true) => Some(Some(dash)),
                    _ => Some(None),
                };
            }
            let (key, value) = split_key(text)?;
            return self.entry(col, key, value);
        }
    }

    /// A `key: value` at `col` in the current mapping.
    fn entry(&mut self, col: usize, key: &str, value: &str) -> Option<Option<usize>> {
        let role = self.blocks.last()?.role;
        let field = match (role, key) {
            (Role::Root, "kind") => Field::Kind,
            (Role::Root, "apiVersion") => Field::ApiVersion,
            (Role::Root, "metadata") => Field::Metadata,
            (Role::Metadata, "name") => Field::Name,
            (Role::Metadata, "annotations") => Field::Annotations,
            (Role::Annotations, k) if HOOK_ANNOTATIONS.contains(&k) => Field::Hook,
            _ => Field::None,
        };
        if role == Role::Annotations && value.is_empty() {
            return None; // a nested annotation value is an error for Helm
        }
        if value.is_empty() {
            // The value is a nested block (or null).
            let role = match field {
                Field::Metadata if !std::mem::replace(&mut self.head.metadata, true) => {
                    Role::Metadata
                }
                Field::Annotations if !std::mem::replace(&mut self.head.annotations_seen, true) => {
                    Role::Annotations
                }
                Field::None => Role::Other,
                _ => return None,
            };
            self.pending = Some(Pending {
                indent: col,
                key: true,
                role,
            });
            return Some(None);
        }
        let (value, block) = scalar(value)?;
        match (field, value) {
            (_, Scalar::EmptyMap | Scalar::List) if role == Role::Annotations => return None,
            (Field::None, _) => {}
            (Field::Metadata, Scalar::EmptyMap) if !self.head.metadata => {
                self.head.metadata = true;
            }
            (Field::Annotations, Scalar::EmptyMap) if !self.head.annotations_seen => {
                self.head.annotations_seen = true;
            }
            (Field::Kind, Scalar::Text(t)) if self.head.kind.is_none() => {
                self.head.kind = Some(t.to_string());
            }
            (Field::ApiVersion, Scalar::Text(_)) if !self.head.api_version => {
                self.head.api_version = true;
            }
            (Field::Name, Scalar::Text(t)) if self.head.name.is_none() => {
                self.head.name = Some(t.to_string());
            }
            (Field::Hook, Scalar::Text(t))
                if !self.head.annotations.iter().any(|(k, _)| k == key) =>
            {
                self.head.annotations.push((key.to_string(), t.to_string()));
            }
            _ => return None,
        }
        Some(block.then_some(col))
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Field {
    Kind,
    ApiVersion,
    Metadata,
    Name,
    Annotations,
    Hook,
    None,
}

/// Reads a one-line scalar value; the flag says a block scalar starts.
fn scalar(v: &str) -> Option<(Scalar<'_>, bool)> {
    Some(match one_line(v)? {
        OneLine::EmptyMap => (Scalar::EmptyMap, false),
        OneLine::List(_) => (Scalar::List, false),
        OneLine::Block(_) => (Scalar::Other, true),
        OneLine::Quoted(t) => (Scalar::Text(t), false),
        OneLine::Escaped(_) => return None,
        OneLine::Plain(t) if resolve_plain(t) == Resolved::Str => (Scalar::Text(t), false),
        OneLine::Plain(_) => (Scalar::Other, false),
    })
}

#[cfg(test)]
mod tests {
    use super::fast_head;

    #[test]
    fn reads_plain_manifests() {
        let doc = "# Source: c/templates/a.yaml\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    \"helm.sh/hook\": pre-install\n    other: |\n      text\nspec:\n  containers:\n  - name: a\n    args: [\"-t\", x]\n    resources:\n      {}\n";
        let h = fast_head(doc).expect("plain document");
        assert_eq!((h.kind.as_str(), h.name.as_str()), ("Pod", "p"));
        assert_eq!(
            h.annotations,
            vec![("helm.sh/hook".to_string(), "pre-install".to_string())]
        );
    }

    /// Documents outside the subset (or invalid for Helm) are left to the general loader.
    #[test]
    fn leaves_the_rest_to_the_loader() {
        for doc in [
            "kind: A\nargs: [a:b]\n",
            "kind: A\nargs: [a,]\n",
            "kind: A\nx: \"a\\\"b\"\n",
            "kind: A\nmetadata: []\n",
            "kind: A\nmetadata:\n  annotations:\n    a:\n      b: c\n",
            "kind: A\nmetadata:\n  annotations:\n    a: [x]\n",
            "kind: A\nx: .inf\n",
            "kind: A\nx: &a b\n",
            "kind: A\nx: a # c\n",
            "kind: A\nx:\n  a\n  b\n",
            "kind: A\nkind: B\n",
            "kind: 1\n",
            "kind: A\n\tx: 1\n",
            "- kind: A\n",
        ] {
            assert!(fast_head(doc).is_none(), "{doc:?}");
        }
    }
}
