//! The parse tree, mirroring Go's `text/template/parse/node.go`.
//!
//! Positions are byte offsets into the text of the file the node was parsed from, exactly as
//! Go's `parse.Pos`; error messages derive `LINE:COL` from them (see [`Tree::location`]).
//! `Display` reproduces Go's `Node.String()`, which appears in execution errors
//! (`executing "x" at <.Values.a.b>`).

use std::fmt;
use std::sync::Arc;

/// A byte offset into the template text.
pub type Pos = usize;

/// A parsed template: a file's main body or one `define`.
#[derive(Debug)]
pub struct Tree {
    /// The template's name (file name, or the `define` name).
    pub name: String,
    /// The name of the file it was parsed from (used in error locations).
    pub parse_name: String,
    /// The whole text of that file (for line/column computation).
    pub text: Arc<str>,
    /// The body.
    pub root: ListNode,
}

impl Tree {
    /// Go's `Tree.ErrorContext`: `"FILE:LINE:COL"` (COL is the 0-based byte column) and the node
    /// text.
    pub fn location(&self, pos: Pos) -> String {
        let pos = pos.min(self.text.len());
        let before = &self.text.as_bytes()[..pos];
        let col = match before.iter().rposition(|&b| b == b'\n') {
            None => pos,
            Some(nl) => pos - (nl + 1),
        };
        let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
        format!("{}:{}:{}", self.parse_name, line, col)
    }

    /// Go's `parse.IsEmptyTree`: only whitespace text, comments and empty lists.
    pub fn is_empty(&self) -> bool {
        self.root.nodes.iter().all(Node::is_empty_node)
    }
}

/// A sequence of nodes (`ListNode`).
#[derive(Debug, Clone, Default)]
pub struct ListNode {
    /// Position of the list.
    pub pos: Pos,
    /// The nodes.
    pub nodes: Vec<Node>,
}

/// A statement-level node. The large ones are boxed: a template's node lists stay a fifth
/// the size (32 bytes a node instead of 160), and their memory is most of a parse.
#[derive(Debug, Clone)]
pub enum Node {
    /// Plain text.
    Text(TextNode),
    /// `{{pipeline}}`.
    Action(Box<ActionNode>),
    /// `{{if}}`.
    If(Box<BranchNode>),
    /// `{{range}}`.
    Range(Box<BranchNode>),
    /// `{{with}}`.
    With(Box<BranchNode>),
    /// `{{template "name" pipeline}}` (also what `{{block}}` leaves in place).
    Template(Box<TemplateNode>),
    /// `{{break}}`.
    Break(Pos, usize),
    /// `{{continue}}`.
    Continue(Pos, usize),
    /// `{{/* comment */}}` (Go keeps them only with ParseComments; Helm does not).
    Comment(Pos, Arc<str>),
}

impl Node {
    /// The node's position.
    pub fn pos(&self) -> Pos {
        match self {
            Node::Text(t) => t.pos,
            Node::Action(a) => a.pos,
            Node::If(b) | Node::Range(b) | Node::With(b) => b.pos,
            Node::Template(t) => t.pos,
            Node::Break(p, _) | Node::Continue(p, _) | Node::Comment(p, _) => *p,
        }
    }

    fn is_empty_node(&self) -> bool {
        match self {
            Node::Text(t) => t.text.trim().is_empty(),
            Node::Comment(..) => true,
            _ => false,
        }
    }
}

/// Plain text between actions.
#[derive(Debug, Clone)]
pub struct TextNode {
    /// Position.
    pub pos: Pos,
    /// The text, with trim markers already applied.
    pub text: Arc<str>,
}

/// `{{pipeline}}`.
#[derive(Debug, Clone)]
pub struct ActionNode {
    /// Position.
    pub pos: Pos,
    /// Line number (1-based) of the action.
    pub line: usize,
    /// The pipeline.
    pub pipe: Pipe,
}

/// The common shape of `if`, `range` and `with`.
#[derive(Debug, Clone)]
pub struct BranchNode {
    /// Position.
    pub pos: Pos,
    /// Line number.
    pub line: usize,
    /// The condition / range / with pipeline.
    pub pipe: Pipe,
    /// The body.
    pub list: ListNode,
    /// The `else` body (an `else if`/`else with` is a nested branch inside it).
    pub else_list: Option<ListNode>,
}

/// `{{template "name" pipeline}}`.
#[derive(Debug, Clone)]
pub struct TemplateNode {
    /// Position.
    pub pos: Pos,
    /// Line number.
    pub line: usize,
    /// The template name (unquoted).
    pub name: String,
    /// The argument pipeline, if any.
    pub pipe: Option<Pipe>,
}

/// A pipeline, optionally with variable declarations (`$x := ...`) or assignment (`$x = ...`).
#[derive(Debug, Clone)]
pub struct Pipe {
    /// Position.
    pub pos: Pos,
    /// Line number.
    pub line: usize,
    /// `=` rather than `:=`.
    pub is_assign: bool,
    /// Declared or assigned variables.
    pub decl: Vec<VariableNode>,
    /// The commands, separated by `|`.
    pub cmds: Vec<Command>,
}

/// A `$name.field.chain` reference.
#[derive(Debug, Clone)]
pub struct VariableNode {
    /// Position.
    pub pos: Pos,
    /// `ident[0]` is the variable name including `$`; the rest are field names.
    pub ident: Vec<String>,
}

/// One command of a pipeline: a function call, a method/field chain, or an operand.
#[derive(Debug, Clone)]
pub struct Command {
    /// Position.
    pub pos: Pos,
    /// The words.
    pub args: Vec<Arg>,
}

/// A number literal with all the interpretations Go's parser computes.
#[derive(Debug, Clone)]
pub struct NumberNode {
    /// Position.
    pub pos: Pos,
    /// The original text.
    pub text: String,
    /// Representable as int64.
    pub is_int: bool,
    /// Representable as uint64.
    pub is_uint: bool,
    /// Representable as float64.
    pub is_float: bool,
    /// Is a complex literal (`1i`).
    pub is_complex: bool,
    /// Value as int64 (valid if `is_int`).
    pub int: i64,
    /// Value as uint64 (valid if `is_uint`).
    pub uint: u64,
    /// Value as float64 (valid if `is_float`).
    pub float: f64,
    /// Value as complex128, `(real, imag)` (valid if `is_complex`; Go prints it as `(1+2i)`).
    pub complex: (f64, f64),
}

/// An operand inside a command.
#[derive(Debug, Clone)]
pub enum Arg {
    /// `.A.B`: `ident` holds `["A", "B"]`.
    Field {
        /// Position.
        pos: Pos,
        /// Field names without dots.
        ident: Vec<String>,
    },
    /// `$x.A`.
    Variable(VariableNode),
    /// `(pipeline).A.B` or `$x.A`-style chains on other operands.
    Chain {
        /// Position.
        pos: Pos,
        /// The operand the fields apply to.
        node: Box<Arg>,
        /// Field names without dots.
        field: Vec<String>,
    },
    /// A function name.
    Identifier {
        /// Position.
        pos: Pos,
        /// Name.
        name: String,
    },
    /// `.`.
    Dot(Pos),
    /// `nil`.
    Nil(Pos),
    /// `true` / `false`.
    Bool(Pos, bool),
    /// A number.
    Number(Box<NumberNode>),
    /// A string literal.
    String {
        /// Position.
        pos: Pos,
        /// Original quoted text (`"a\n"` or `` `a` ``).
        quoted: String,
        /// Unquoted value, shared with every evaluation (a literal never allocates).
        text: Arc<str>,
    },
    /// A parenthesised pipeline.
    Pipe(Box<Pipe>),
}

impl Arg {
    /// The node's position.
    pub fn pos(&self) -> Pos {
        match self {
            Arg::Field { pos, .. }
            | Arg::Chain { pos, .. }
            | Arg::Identifier { pos, .. }
            | Arg::String { pos, .. } => *pos,
            Arg::Variable(v) => v.pos,
            Arg::Dot(p) | Arg::Nil(p) | Arg::Bool(p, _) => *p,
            Arg::Number(n) => n.pos,
            Arg::Pipe(p) => p.pos,
        }
    }
}

impl fmt::Display for Arg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Arg::Field { ident, .. } => {
                for id in ident {
                    write!(f, ".{id}")?;
                }
                Ok(())
            }
            Arg::Variable(v) => v.fmt(f),
            Arg::Chain { node, field, .. } => {
                if let Arg::Pipe(_) = **node {
                    write!(f, "({node})")?;
                } else {
                    write!(f, "{node}")?;
                }
                for id in field {
                    write!(f, ".{id}")?;
                }
                Ok(())
            }
            Arg::Identifier { name, .. } => f.write_str(name),
            Arg::Dot(_) => f.write_str("."),
            Arg::Nil(_) => f.write_str("nil"),
            Arg::Bool(_, b) => write!(f, "{b}"),
            Arg::Number(n) => f.write_str(&n.text),
            Arg::String { quoted, .. } => f.write_str(quoted),
            Arg::Pipe(p) => p.fmt(f),
        }
    }
}

impl fmt::Display for VariableNode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, id) in self.ident.iter().enumerate() {
            if i > 0 {
                f.write_str(".")?;
            }
            f.write_str(id)?;
        }
        Ok(())
    }
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, arg) in self.args.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            if let Arg::Pipe(p) = arg {
                write!(f, "({p})")?;
            } else {
                write!(f, "{arg}")?;
            }
        }
        Ok(())
    }
}

impl fmt::Display for Pipe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.decl.is_empty() {
            for (i, v) in self.decl.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{v}")?;
            }
            f.write_str(if self.is_assign { " = " } else { " := " })?;
        }
        for (i, c) in self.cmds.iter().enumerate() {
            if i > 0 {
                f.write_str(" | ")?;
            }
            write!(f, "{c}")?;
        }
        Ok(())
    }
}

impl fmt::Display for ListNode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for n in &self.nodes {
            write!(f, "{n}")?;
        }
        Ok(())
    }
}

impl fmt::Display for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Node::Text(t) => f.write_str(&t.text),
            Node::Action(a) => write!(f, "{{{{{}}}}}", a.pipe),
            Node::If(b) => fmt_branch(f, "if", b),
            Node::Range(b) => fmt_branch(f, "range", b),
            Node::With(b) => fmt_branch(f, "with", b),
            Node::Template(t) => match &t.pipe {
                None => write!(f, "{{{{template {:?}}}}}", t.name),
                Some(p) => write!(f, "{{{{template {:?} {}}}}}", t.name, p),
            },
            Node::Break(..) => f.write_str("{{break}}"),
            Node::Continue(..) => f.write_str("{{continue}}"),
            Node::Comment(_, text) => write!(f, "{{{{{text}}}}}"),
        }
    }
}

fn fmt_branch(f: &mut fmt::Formatter<'_>, name: &str, b: &BranchNode) -> fmt::Result {
    write!(f, "{{{{{name} {}}}}}{}", b.pipe, b.list)?;
    if let Some(e) = &b.else_list {
        write!(f, "{{{{else}}}}{e}")?;
    }
    f.write_str("{{end}}")
}
