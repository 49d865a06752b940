//! Lexer tokens: Go's `item` and `itemType`, and `item.String()` as error messages show it.

use std::borrow::Cow;
use std::fmt;

use super::unquote::{quote, quote_truncated};

/// The kind of a lexed token (Go's `itemType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemType {
    /// An error; `val` holds the message.
    Error,
    /// `true` / `false`.
    Bool,
    /// Any other printable ASCII character (`,` in range declarations, stray `}` ...).
    Char,
    /// `'a'`.
    CharConstant,
    /// A comment (only emitted when comments are kept, which Helm never asks for).
    Comment,
    /// `1+2i`.
    Complex,
    /// `=`.
    Assign,
    /// `:=`.
    Declare,
    /// End of input.
    Eof,
    /// `.Name`.
    Field,
    /// A function name.
    Identifier,
    /// `{{` (with its trim marker, if any, consumed).
    LeftDelim,
    /// `(`.
    LeftParen,
    /// A number (including imaginary ones).
    Number,
    /// `|`.
    Pipe,
    /// `` `raw` ``.
    RawString,
    /// `}}`.
    RightDelim,
    /// `)`.
    RightParen,
    /// A run of spaces inside an action.
    Space,
    /// `"quoted"`.
    String,
    /// Plain text outside actions.
    Text,
    /// `$` or `$name`.
    Variable,
    /// Keyword `block`.
    Block,
    /// Keyword `break`.
    Break,
    /// Keyword `continue`.
    Continue,
    /// `.`.
    Dot,
    /// Keyword `define`.
    Define,
    /// Keyword `else`.
    Else,
    /// Keyword `end`.
    End,
    /// Keyword `if`.
    If,
    /// Keyword `nil`.
    Nil,
    /// Keyword `range`.
    Range,
    /// Keyword `template`.
    Template,
    /// Keyword `with`.
    With,
}

impl ItemType {
    /// Keywords print as `<word>` in error messages.
    pub fn is_keyword(self) -> bool {
        matches!(
            self,
            ItemType::Block
                | ItemType::Break
                | ItemType::Continue
                | ItemType::Dot
                | ItemType::Define
                | ItemType::Else
                | ItemType::End
                | ItemType::If
                | ItemType::Nil
                | ItemType::Range
                | ItemType::Template
                | ItemType::With
        )
    }
}

/// A token: its type, byte position, text and the line it starts on. The text borrows the
/// lexer's input (only error messages are owned), so the parser's lookahead copies are free.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item<'a> {
    /// Type.
    pub typ: ItemType,
    /// Byte offset of the token's start.
    pub pos: usize,
    /// The token's text (or the message of an error).
    pub val: Cow<'a, str>,
    /// 1-based line of the token's start.
    pub line: usize,
}

impl fmt::Display for Item<'_> {
    /// Go's `item.String()`, which error messages embed (`unexpected "}" in operand`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.typ {
            ItemType::Eof => f.write_str("EOF"),
            ItemType::Error => f.write_str(&self.val),
            t if t.is_keyword() => write!(f, "<{}>", self.val),
            // Go compares the byte length but truncates to 10 characters.
            _ if self.val.len() > 10 => {
                write!(f, "{}...", quote_truncated(&self.val, 10))
            }
            _ => f.write_str(&quote(&self.val)),
        }
    }
}
