//! The template parser, a port of Go's `text/template/parse/parse.go` (Go 1.23) producing the
//! tree of [`super::ast`].
//!
//! It keeps Go's three-token lookahead and per-tree parser state, because Go's error messages
//! take their line number from "the last token the current tree read" (`t.token[0].line`), and
//! `define`/`block` bodies are parsed by a fresh tree sharing the lexer. Reproducing that
//! machinery is what makes every `template: NAME:LINE: msg` come out identical.
//! Pipelines, commands and operands live in `parse_pipe.rs`.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use super::ast::{BranchNode, ListNode, Node, Pipe, TemplateNode, TextNode, Tree};
use super::error::Error;
use super::lex::{Item, ItemType, Lexer};
use super::unquote::{quote, unquote, INVALID_SYNTAX};

pub(super) type PResult<T> = Result<T, Error>;

/// Maximum nesting of parenthesised pipelines (Go's `maxStackDepth`, added in later Go
/// releases; Go 1.23 had none and relied on its growable stack).
pub(super) const MAX_PAREN_DEPTH: usize = 10_000;

/// Maximum nesting of `if`/`range`/`with`/`block` bodies. Go has no limit here; this one only
/// exists so that absurd input cannot exhaust our stack.
pub(super) const MAX_NESTING: usize = 10_000;

/// When less than this much stack is left at a recursion point, continue on a new segment.
/// One nesting level takes up to ~16 KiB in debug builds.
pub(super) const STACK_RED_ZONE: usize = 256 * 1024;

/// Size of each extra stack segment.
pub(super) const STACK_SEGMENT: usize = 8 * 1024 * 1024;

/// Parses one template file: the file's own tree first, then one tree per `define`/`block` in
/// order of appearance, as Go's `parse.Parse` builds its tree set.
///
/// `is_func` says whether a function name exists (Go's function-map check): unknown identifiers
/// are `function "x" not defined`, and a function named `break`/`continue` turns those keywords
/// into identifiers. Go's tree-set rules apply within the file: a define whose body is empty
/// (only space and comments) never replaces another, two non-empty definitions of one name are
/// `template: multiple definition of template "x"`, and when a define shares the file's name
/// the first tree is whichever of the two won.
pub fn parse(name: &str, text: &str, is_func: &dyn Fn(&str) -> bool) -> Result<Vec<Tree>, Error> {
    let mut p = Parser {
        lex: Lexer::new(text, !is_func("break"), !is_func("continue")),
        parse_name: name.to_string(),
        text: Arc::from(text),
        is_func,
        st: TreeState::new(),
        trees: Vec::new(),
        index: HashMap::new(),
        nesting: 0,
    };
    let root = p.parse_top()?;
    p.add(Tree {
        name: name.to_string(),
        parse_name: name.to_string(),
        text: p.text.clone(),
        root,
    })?;
    let mut trees = p.trees;
    if let Some(i) = trees.iter().position(|t| t.name == name) {
        let main = trees.remove(i);
        trees.insert(0, main);
    }
    Ok(trees)
}

/// The per-tree parsing state (Go keeps it in each `Tree`).
pub(super) struct TreeState<'a> {
    /// Three-token lookahead buffer.
    token: [Item<'a>; 3],
    peek_count: usize,
    /// Variables in scope.
    pub(super) vars: Vec<String>,
    /// Line of the `{{` starting the current action (0 outside actions).
    action_line: usize,
    range_depth: usize,
    pub(super) paren_depth: usize,
}

impl TreeState<'_> {
    fn new() -> Self {
        let zero = || Item {
            typ: ItemType::Error,
            pos: 0,
            val: std::borrow::Cow::Borrowed(""),
            line: 0,
        };
        TreeState {
            token: [zero(), zero(), zero()],
            peek_count: 0,
            vars: vec!["$".to_string()],
            action_line: 0,
            range_depth: 0,
            paren_depth: 0,
        }
    }
}

/// The parser: the shared lexer and tree set plus the state of the tree being parsed.
pub(super) struct Parser<'a> {
    lex: Lexer<'a>,
    parse_name: String,
    text: Arc<str>,
    pub(super) is_func: &'a dyn Fn(&str) -> bool,
    pub(super) st: TreeState<'a>,
    trees: Vec<Tree>,
    index: HashMap<String, usize>,
    /// Current nesting of control bodies, across trees.
    nesting: usize,
}

/// What `textOrAction` returns: a node, or an `{{end}}` / `{{else}}` for the caller.
pub(super) enum Parsed {
    Node(Node),
    End,
    Else(usize),
}

impl fmt::Display for Parsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Parsed::Node(n) => n.fmt(f),
            Parsed::End => f.write_str("{{end}}"),
            Parsed::Else(_) => f.write_str("{{else}}"),
        }
    }
}

impl<'a> Parser<'a> {
    // ---- Token stream (Go's next/backup/peek). ----

    pub(super) fn next(&mut self) -> Item<'a> {
        if self.st.peek_count > 0 {
            self.st.peek_count -= 1;
        } else {
            self.st.token[0] = self.lex.next_item();
        }
        self.st.token[self.st.peek_count].clone()
    }

    pub(super) fn backup(&mut self) {
        self.st.peek_count += 1;
    }

    pub(super) fn backup2(&mut self, t1: Item<'a>) {
        self.st.token[1] = t1;
        self.st.peek_count = 2;
    }

    pub(super) fn backup3(&mut self, t2: Item<'a>, t1: Item<'a>) {
        self.st.token[1] = t1;
        self.st.token[2] = t2;
        self.st.peek_count = 3;
    }

    pub(super) fn peek(&mut self) -> Item<'a> {
        if self.st.peek_count > 0 {
            return self.st.token[self.st.peek_count - 1].clone();
        }
        self.st.peek_count = 1;
        self.st.token[0] = self.lex.next_item();
        self.st.token[0].clone()
    }

    pub(super) fn next_non_space(&mut self) -> Item<'a> {
        loop {
            let token = self.next();
            if token.typ != ItemType::Space {
                return token;
            }
        }
    }

    pub(super) fn peek_non_space(&mut self) -> Item<'a> {
        let token = self.next_non_space();
        self.backup();
        token
    }

    // ---- Errors. ----

    /// Go's `errorf`: the line is that of the last token this tree read.
    pub(super) fn errorf(&self, msg: impl fmt::Display) -> Error {
        Error::parse(format!(
            "template: {}:{}: {}",
            self.parse_name, self.st.token[0].line, msg
        ))
    }

    pub(super) fn unexpected(&self, token: &Item, context: &str) -> Error {
        if token.typ == ItemType::Error {
            let mut extra = String::new();
            if self.st.action_line != 0 && self.st.action_line != token.line {
                extra = format!(
                    " in action started at {}:{}",
                    self.parse_name, self.st.action_line
                );
                if token.val.ends_with(" action") {
                    // Avoid "unclosed action in action started at".
                    extra = extra[" in action".len()..].to_string();
                }
            }
            return self.errorf(format_args!("{token}{extra}"));
        }
        self.errorf(format_args!("unexpected {token} in {context}"))
    }

    fn expect(&mut self, expected: ItemType, context: &str) -> PResult<Item<'a>> {
        let token = self.next_non_space();
        if token.typ != expected {
            return Err(self.unexpected(&token, context));
        }
        Ok(token)
    }

    /// `strconv.Unquote` of a string token, failing like Go with "invalid syntax".
    pub(super) fn unquote(&self, quoted: &str) -> PResult<String> {
        unquote(quoted).map_err(|_| self.errorf(INVALID_SYNTAX))
    }

    // ---- Tree set. ----

    fn add(&mut self, tree: Tree) -> PResult<()> {
        match self.index.get(&tree.name) {
            None => {
                self.index.insert(tree.name.clone(), self.trees.len());
                self.trees.push(tree);
            }
            Some(&i) if self.trees[i].is_empty() => self.trees[i] = tree,
            Some(_) if !tree.is_empty() => {
                return Err(self.errorf(format_args!(
                    "template: multiple definition of template {}",
                    quote(&tree.name)
                )));
            }
            // An empty redefinition leaves the existing one in place.
            Some(_) => {}
        }
        Ok(())
    }

    /// Parses a `block` body as a new tree sharing the lexer, with its own lookahead,
    /// variables and range depth (Go's `New(name)` + `startParse`), and adds it to the set.
    fn block_body(&mut self, name: String) -> PResult<()> {
        let saved = std::mem::replace(&mut self.st, TreeState::new());
        let (root, end) = self.item_list()?;
        if !matches!(end, Parsed::End) {
            // Go reports this from the enclosing tree, so with the line of its last token.
            self.st = saved;
            return Err(self.errorf(format_args!("unexpected {end} in block clause")));
        }
        let tree = Tree {
            name,
            parse_name: self.parse_name.clone(),
            text: self.text.clone(),
            root,
        };
        self.add(tree)?;
        self.st = saved;
        Ok(())
    }

    // ---- Grammar. ----

    /// Go's `parse`: the top level, which alone may contain `define`.
    fn parse_top(&mut self) -> PResult<ListNode> {
        let mut root = ListNode {
            pos: self.peek().pos,
            nodes: Vec::new(),
        };
        while self.peek().typ != ItemType::Eof {
            if self.peek().typ == ItemType::LeftDelim {
                let delim = self.next();
                if self.next_non_space().typ == ItemType::Define {
                    self.parse_definition()?;
                    continue;
                }
                self.backup2(delim);
            }
            match self.text_or_action()? {
                Parsed::Node(n) => root.nodes.push(n),
                end => return Err(self.errorf(format_args!("unexpected {end}"))),
            }
        }
        Ok(root)
    }

    /// `{{define "name"}} ... {{end}}`; the `define` keyword is past. Everything from the
    /// name on is read by the new tree, as in Go.
    fn parse_definition(&mut self) -> PResult<()> {
        const CONTEXT: &str = "define clause";
        let saved = std::mem::replace(&mut self.st, TreeState::new());
        let token = self.next_non_space();
        if token.typ != ItemType::String && token.typ != ItemType::RawString {
            return Err(self.unexpected(&token, CONTEXT));
        }
        let name = self.unquote(&token.val)?;
        self.expect(ItemType::RightDelim, CONTEXT)?;
        let (root, end) = self.item_list()?;
        if !matches!(end, Parsed::End) {
            return Err(self.errorf(format_args!("unexpected {end} in {CONTEXT}")));
        }
        let tree = Tree {
            name,
            parse_name: self.parse_name.clone(),
            text: self.text.clone(),
            root,
        };
        self.add(tree)?;
        self.st = saved;
        Ok(())
    }

    /// `textOrAction*` up to an `{{end}}` or `{{else}}`, which is returned separately.
    pub(super) fn item_list(&mut self) -> PResult<(ListNode, Parsed)> {
        if self.nesting >= MAX_NESTING {
            return Err(self.errorf("max nesting depth exceeded"));
        }
        self.nesting += 1;
        let result = stacker::maybe_grow(STACK_RED_ZONE, STACK_SEGMENT, || self.item_list_inner());
        self.nesting -= 1;
        result
    }

    fn item_list_inner(&mut self) -> PResult<(ListNode, Parsed)> {
        let mut list = ListNode {
            pos: self.peek_non_space().pos,
            nodes: Vec::new(),
        };
        while self.peek_non_space().typ != ItemType::Eof {
            match self.text_or_action()? {
                Parsed::Node(n) => list.nodes.push(n),
                end => return Ok((list, end)),
            }
        }
        Err(self.errorf("unexpected EOF"))
    }

    fn text_or_action(&mut self) -> PResult<Parsed> {
        let token = self.next_non_space();
        match token.typ {
            ItemType::Text => Ok(Parsed::Node(Node::Text(TextNode {
                pos: token.pos,
                text: Arc::from(&*token.val),
            }))),
            ItemType::LeftDelim => {
                self.st.action_line = token.line;
                let result = self.action();
                self.st.action_line = 0;
                result
            }
            _ => Err(self.unexpected(&token, "input")),
        }
    }

    /// An action after `{{`: a control keyword or a pipeline.
    fn action(&mut self) -> PResult<Parsed> {
        let token = self.next_non_space();
        match token.typ {
            ItemType::Block => return self.block_control().map(Parsed::Node),
            ItemType::Break | ItemType::Continue => {
                let is_break = token.typ == ItemType::Break;
                let word = if is_break {
                    "{{break}}"
                } else {
                    "{{continue}}"
                };
                let next = self.next_non_space();
                if next.typ != ItemType::RightDelim {
                    return Err(self.unexpected(&next, word));
                }
                if self.st.range_depth == 0 {
                    return Err(self.errorf(format_args!("{word} outside {{{{range}}}}")));
                }
                return Ok(Parsed::Node(if is_break {
                    Node::Break(token.pos, token.line)
                } else {
                    Node::Continue(token.pos, token.line)
                }));
            }
            ItemType::Else => return self.else_control(),
            ItemType::End => {
                self.expect(ItemType::RightDelim, "end")?;
                return Ok(Parsed::End);
            }
            ItemType::If => {
                return self
                    .branch_control("if")
                    .map(|b| Parsed::Node(Node::If(Box::new(b))))
            }
            ItemType::Range => {
                return self
                    .branch_control("range")
                    .map(|b| Parsed::Node(Node::Range(Box::new(b))))
            }
            ItemType::Template => return self.template_control().map(Parsed::Node),
            ItemType::With => {
                return self
                    .branch_control("with")
                    .map(|b| Parsed::Node(Node::With(Box::new(b))))
            }
            _ => {}
        }
        self.backup();
        let token = self.peek();
        // Variables declared here persist until the enclosing {{end}}.
        let pipe = self.pipeline("command", ItemType::RightDelim)?;
        Ok(Parsed::Node(Node::Action(Box::new(
            super::ast::ActionNode {
                pos: token.pos,
                line: token.line,
                pipe,
            },
        ))))
    }

    /// `if`, `range` and `with` (Go's `parseControl`), including `else if` / `else with`.
    fn branch_control(&mut self, context: &str) -> PResult<BranchNode> {
        let vars_len = self.st.vars.len();
        let pipe = self.pipeline(context, ItemType::RightDelim)?;
        if context == "range" {
            self.st.range_depth += 1;
        }
        let (list, next) = self.item_list()?;
        if context == "range" {
            self.st.range_depth -= 1;
        }
        let mut else_list = None;
        if let Parsed::Else(else_pos) = next {
            let chained = match (context, self.peek().typ) {
                ("if", ItemType::If) => Some("if"),
                ("with", ItemType::With) => Some("with"),
                _ => None,
            };
            if let Some(kind) = chained {
                // "{{else if x}}" is "{{else}}{{if x}}...{{end}}" with the inner end shared.
                self.next();
                let inner = self.branch_control(kind)?;
                let node = if kind == "if" {
                    Node::If(Box::new(inner))
                } else {
                    Node::With(Box::new(inner))
                };
                else_list = Some(ListNode {
                    pos: else_pos,
                    nodes: vec![node],
                });
            } else {
                let (list, next) = self.item_list()?;
                if !matches!(next, Parsed::End) {
                    return Err(self.errorf(format_args!("expected end; found {next}")));
                }
                else_list = Some(list);
            }
        }
        self.st.vars.truncate(vars_len);
        Ok(BranchNode {
            pos: pipe.pos,
            line: pipe.line,
            pipe,
            list,
            else_list,
        })
    }

    fn else_control(&mut self) -> PResult<Parsed> {
        let peek = self.peek_non_space();
        if peek.typ == ItemType::If || peek.typ == ItemType::With {
            // Leave the keyword pending for branch_control.
            return Ok(Parsed::Else(peek.pos));
        }
        let token = self.expect(ItemType::RightDelim, "else")?;
        Ok(Parsed::Else(token.pos))
    }

    /// `{{block "name" pipeline}} body {{end}}`: defines the template and calls it.
    fn block_control(&mut self) -> PResult<Node> {
        const CONTEXT: &str = "block clause";
        let token = self.next_non_space();
        let name = self.template_name(&token, CONTEXT)?;
        let pipe = self.pipeline(CONTEXT, ItemType::RightDelim)?;
        self.block_body(name.clone())?;
        Ok(Node::Template(Box::new(TemplateNode {
            pos: token.pos,
            line: token.line,
            name,
            pipe: Some(pipe),
        })))
    }

    /// `{{template "name"}}` or `{{template "name" pipeline}}`.
    fn template_control(&mut self) -> PResult<Node> {
        const CONTEXT: &str = "template clause";
        let token = self.next_non_space();
        let name = self.template_name(&token, CONTEXT)?;
        let mut pipe = None;
        if self.next_non_space().typ != ItemType::RightDelim {
            self.backup();
            pipe = Some(self.pipeline(CONTEXT, ItemType::RightDelim)?);
        }
        Ok(Node::Template(Box::new(TemplateNode {
            pos: token.pos,
            line: token.line,
            name,
            pipe,
        })))
    }

    fn template_name(&self, token: &Item, context: &str) -> PResult<String> {
        match token.typ {
            ItemType::String | ItemType::RawString => self.unquote(&token.val),
            _ => Err(self.unexpected(token, context)),
        }
    }
}

/// Used by `parse_pipe.rs` to build pipelines.
pub(super) fn new_pipe(pos: usize, line: usize) -> Pipe {
    Pipe {
        pos,
        line,
        is_assign: false,
        decl: Vec::new(),
        cmds: Vec::new(),
    }
}

#[cfg(test)]
#[path = "parse_tests.rs"]
mod tests;
