//! The template lexer, a state-for-state port of Go's `text/template/parse/lex.go` (Go 1.23).
//!
//! The parser pulls one [`Item`] at a time with [`Lexer::next_item`]. Item positions are byte
//! offsets and item lines follow Go's counting exactly (newlines inside raw strings, comments
//! and trimmed space included), because parse errors print `NAME:LINE` from them.

use super::unquote::{format_unicode, is_print};
use std::borrow::Cow;

pub use super::lex_item::{Item, ItemType};

const LEFT_DELIM: &[u8; 2] = b"{{";
const RIGHT_DELIM: &[u8] = b"}}";
const LEFT_COMMENT: &[u8] = b"/*";
const RIGHT_COMMENT: &[u8; 2] = b"*/";
/// A trim marker is `-` plus one ASCII space character.
const TRIM_MARKER_LEN: usize = 2;

/// The lexer's states (Go's state functions).
#[derive(Debug, Clone, Copy)]
enum State {
    Text,
    LeftDelim,
    Comment,
    RightDelim,
    InsideAction,
    Space,
    Identifier,
    Field,
    Variable,
    Char,
    Number,
    Quote,
    RawQuote,
}

/// What a state produced: an item for the parser, or the next state to run.
enum Step<'a> {
    Emit(Item<'a>),
    Go(State),
}

/// The lexer over one template text.
pub struct Lexer<'a> {
    input: &'a str,
    pos: usize,
    start: usize,
    at_eof: bool,
    paren_depth: i64,
    line: usize,
    start_line: usize,
    inside_action: bool,
    break_ok: bool,
    continue_ok: bool,
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

fn is_alphanumeric(c: char) -> bool {
    c == '_' || c.is_alphabetic() || c.is_numeric()
}

fn has_left_trim_marker(s: &[u8]) -> bool {
    s.len() >= 2 && s[0] == b'-' && is_space(s[1] as char)
}

fn has_right_trim_marker(s: &[u8]) -> bool {
    s.len() >= 2 && is_space(s[0] as char) && s[1] == b'-'
}

fn is_trim_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

fn count_newlines(s: &[u8]) -> usize {
    s.iter().filter(|&&b| b == b'\n').count()
}

impl<'a> Lexer<'a> {
    /// A lexer for `input`. `break_ok` / `continue_ok` say whether `break` / `continue` are
    /// keywords (Go makes them plain identifiers when a function of that name exists).
    pub fn new(input: &'a str, break_ok: bool, continue_ok: bool) -> Self {
        Lexer {
            input,
            pos: 0,
            start: 0,
            at_eof: false,
            paren_depth: 0,
            line: 1,
            start_line: 1,
            inside_action: false,
            break_ok,
            continue_ok,
        }
    }

    /// The bytes from `off` on (empty past the end).
    fn rest(&self, off: usize) -> &'a [u8] {
        self.input.as_bytes().get(off..).unwrap_or(&[])
    }

    fn next(&mut self) -> Option<char> {
        // ASCII, nearly all of an action, needs no decoding.
        if let Some(&b) = self.input.as_bytes().get(self.pos) {
            if b.is_ascii() {
                self.pos += 1;
                if b == b'\n' {
                    self.line += 1;
                }
                return Some(char::from(b));
            }
        }
        match self.input.get(self.pos..).and_then(|s| s.chars().next()) {
            None => {
                self.at_eof = true;
                None
            }
            Some(c) => {
                self.pos += c.len_utf8();
                if c == '\n' {
                    self.line += 1;
                }
                Some(c)
            }
        }
    }

    fn peek(&mut self) -> Option<char> {
        let c = self.next();
        self.backup();
        c
    }

    /// Steps back one character (a no-op once the end was hit, as in Go).
    fn backup(&mut self) {
        if !self.at_eof && self.pos > 0 {
            // An ASCII byte is a whole character: no decoding backwards.
            if let Some(&b) = self.input.as_bytes().get(self.pos - 1) {
                if b.is_ascii() {
                    self.pos -= 1;
                    if b == b'\n' {
                        self.line = self.line.saturating_sub(1);
                    }
                    return;
                }
            }
            if let Some(c) = self
                .input
                .get(..self.pos)
                .and_then(|s| s.chars().next_back())
            {
                self.pos -= c.len_utf8();
                if c == '\n' {
                    self.line = self.line.saturating_sub(1);
                }
            }
        }
    }

    fn slice(&self, from: usize, to: usize) -> &'a str {
        self.input.get(from..to).unwrap_or("")
    }

    fn this_item(&mut self, typ: ItemType) -> Item<'a> {
        let item = Item {
            typ,
            pos: self.start,
            val: Cow::Borrowed(self.slice(self.start, self.pos)),
            line: self.start_line,
        };
        self.start = self.pos;
        self.start_line = self.line;
        item
    }

    fn emit(&mut self, typ: ItemType) -> Step<'a> {
        Step::Emit(self.this_item(typ))
    }

    /// Skips the pending input, counting its newlines (only for text not read with `next`).
    fn ignore(&mut self) {
        let skipped = self.pos.saturating_sub(self.start);
        self.line += count_newlines(self.rest(self.start).get(..skipped).unwrap_or(&[]));
        self.start = self.pos;
        self.start_line = self.line;
    }

    fn accept(&mut self, valid: &str) -> bool {
        match self.next() {
            Some(c) if valid.contains(c) => true,
            _ => {
                self.backup();
                false
            }
        }
    }

    fn accept_run(&mut self, valid: &str) {
        while let Some(c) = self.next() {
            if !valid.contains(c) {
                break;
            }
        }
        self.backup();
    }

    /// Reports an error and stops lexing: later calls only see an empty input.
    fn errorf(&mut self, msg: String) -> Step<'a> {
        let item = Item {
            typ: ItemType::Error,
            pos: self.start,
            val: Cow::Owned(msg),
            line: self.start_line,
        };
        self.start = 0;
        self.pos = 0;
        self.input = "";
        Step::Emit(item)
    }

    /// The next token.
    pub fn next_item(&mut self) -> Item<'a> {
        let mut state = if self.inside_action {
            State::InsideAction
        } else {
            State::Text
        };
        loop {
            let step = match state {
                State::Text => self.lex_text(),
                State::LeftDelim => self.lex_left_delim(),
                State::Comment => self.lex_comment(),
                State::RightDelim => self.lex_right_delim(),
                State::InsideAction => self.lex_inside_action(),
                State::Space => self.lex_space(),
                State::Identifier => self.lex_identifier(),
                State::Field => self.lex_field_or_variable(ItemType::Field),
                State::Variable => self.lex_variable(),
                State::Char => self.lex_quoted(
                    '\'',
                    "unterminated character constant",
                    ItemType::CharConstant,
                ),
                State::Number => self.lex_number(),
                State::Quote => {
                    self.lex_quoted('"', "unterminated quoted string", ItemType::String)
                }
                State::RawQuote => self.lex_raw_quote(),
            };
            match step {
                Step::Emit(item) => return item,
                Step::Go(s) => state = s,
            }
        }
    }

    fn lex_text(&mut self) -> Step<'a> {
        let found = crate::text::find_pair(self.rest(self.pos), LEFT_DELIM);
        if let Some(x) = found {
            if x > 0 {
                self.pos += x;
                let mut trim_length = 0;
                if has_left_trim_marker(self.rest(self.pos + LEFT_DELIM.len())) {
                    let text = self.slice(self.start, self.pos).as_bytes();
                    trim_length = text.iter().rev().take_while(|&&b| is_trim_space(b)).count();
                }
                self.pos -= trim_length;
                self.line += count_newlines(self.slice(self.start, self.pos).as_bytes());
                let item = self.this_item(ItemType::Text);
                self.pos += trim_length;
                self.ignore();
                if !item.val.is_empty() {
                    return Step::Emit(item);
                }
            }
            return Step::Go(State::LeftDelim);
        }
        self.pos = self.input.len();
        if self.pos > self.start {
            self.line += count_newlines(self.slice(self.start, self.pos).as_bytes());
            return self.emit(ItemType::Text);
        }
        self.emit(ItemType::Eof)
    }

    /// Whether the input is at `}}`, possibly preceded by a trim marker (` -}}`).
    fn at_right_delim(&self) -> (bool, bool) {
        let rest = self.rest(self.pos);
        if has_right_trim_marker(rest) && rest[TRIM_MARKER_LEN..].starts_with(RIGHT_DELIM) {
            return (true, true);
        }
        (rest.starts_with(RIGHT_DELIM), false)
    }

    fn left_trim_length(&self) -> usize {
        self.rest(self.pos)
            .iter()
            .take_while(|&&b| is_trim_space(b))
            .count()
    }

    fn lex_left_delim(&mut self) -> Step<'a> {
        self.pos += LEFT_DELIM.len();
        let trim_space = has_left_trim_marker(self.rest(self.pos));
        let after_marker = if trim_space { TRIM_MARKER_LEN } else { 0 };
        if self.rest(self.pos + after_marker).starts_with(LEFT_COMMENT) {
            self.pos += after_marker;
            self.ignore();
            return Step::Go(State::Comment);
        }
        let item = self.this_item(ItemType::LeftDelim);
        self.inside_action = true;
        self.pos += after_marker;
        self.ignore();
        self.paren_depth = 0;
        Step::Emit(item)
    }

    fn lex_comment(&mut self) -> Step<'a> {
        self.pos += LEFT_COMMENT.len();
        let Some(x) = crate::text::find_pair(self.rest(self.pos), RIGHT_COMMENT) else {
            return self.errorf("unclosed comment".into());
        };
        self.pos += x + RIGHT_COMMENT.len();
        let (delim, trim_space) = self.at_right_delim();
        if !delim {
            return self.errorf("comment ends before closing delimiter".into());
        }
        // Go 1.23 does not count the newlines inside a comment (later releases do), so the
        // lines of everything after a multi-line comment are that much lower. Helm does not
        // keep comments (no ParseComments mode), so the item itself is dropped.
        let _comment = self.this_item(ItemType::Comment);
        if trim_space {
            self.pos += TRIM_MARKER_LEN;
        }
        self.pos += RIGHT_DELIM.len();
        if trim_space {
            self.pos += self.left_trim_length();
        }
        self.ignore();
        Step::Go(State::Text)
    }

    fn lex_right_delim(&mut self) -> Step<'a> {
        let (_, trim_space) = self.at_right_delim();
        if trim_space {
            self.pos += TRIM_MARKER_LEN;
            self.ignore();
        }
        self.pos += RIGHT_DELIM.len();
        let item = self.this_item(ItemType::RightDelim);
        if trim_space {
            self.pos += self.left_trim_length();
            self.ignore();
        }
        self.inside_action = false;
        Step::Emit(item)
    }

    fn lex_inside_action(&mut self) -> Step<'a> {
        let (delim, _) = self.at_right_delim();
        if delim {
            if self.paren_depth == 0 {
                return Step::Go(State::RightDelim);
            }
            return self.errorf("unclosed left paren".into());
        }
        let Some(r) = self.next() else {
            return self.errorf("unclosed action".into());
        };
        match r {
            r if is_space(r) => {
                // Put the space back in case it starts " -}}".
                self.backup();
                Step::Go(State::Space)
            }
            '=' => self.emit(ItemType::Assign),
            ':' => {
                if self.next() != Some('=') {
                    return self.errorf("expected :=".into());
                }
                self.emit(ItemType::Declare)
            }
            '|' => self.emit(ItemType::Pipe),
            '"' => Step::Go(State::Quote),
            '`' => Step::Go(State::RawQuote),
            '$' => Step::Go(State::Variable),
            '\'' => Step::Go(State::Char),
            '.' if !self.rest(self.pos).first().is_some_and(u8::is_ascii_digit) => {
                if self.pos < self.input.len() {
                    Step::Go(State::Field)
                } else {
                    // "." at the very end: Go falls through to the number scanner.
                    self.backup();
                    Step::Go(State::Number)
                }
            }
            '.' | '+' | '-' | '0'..='9' => {
                self.backup();
                Step::Go(State::Number)
            }
            r if is_alphanumeric(r) => {
                self.backup();
                Step::Go(State::Identifier)
            }
            '(' => {
                self.paren_depth += 1;
                self.emit(ItemType::LeftParen)
            }
            ')' => {
                self.paren_depth -= 1;
                if self.paren_depth < 0 {
                    return self.errorf("unexpected right paren".into());
                }
                self.emit(ItemType::RightParen)
            }
            r if r.is_ascii() && is_print(r) => self.emit(ItemType::Char),
            r => self.errorf(format!(
                "unrecognized character in action: {}",
                format_unicode(r)
            )),
        }
    }

    fn lex_space(&mut self) -> Step<'a> {
        let mut num_spaces = 0;
        // Go's loop of peek and next, byte by byte (spaces are ASCII).
        loop {
            match self.input.as_bytes().get(self.pos) {
                Some(&b) if is_trim_space(b) => {
                    self.pos += 1;
                    if b == b'\n' {
                        self.line += 1;
                    }
                    num_spaces += 1;
                }
                Some(_) => break,
                None => {
                    self.at_eof = true;
                    break;
                }
            }
        }
        // A trim-marked right delimiter starts with a space: leave that space to it.
        let last = self.pos.saturating_sub(1);
        if has_right_trim_marker(self.rest(last))
            && self.rest(last + TRIM_MARKER_LEN).starts_with(RIGHT_DELIM)
        {
            self.backup();
            if num_spaces == 1 {
                return Step::Go(State::RightDelim);
            }
        }
        self.emit(ItemType::Space)
    }

    fn lex_identifier(&mut self) -> Step<'a> {
        let r = self.scan_word();
        let word = self.slice(self.start, self.pos);
        if !self.at_terminator() {
            return self.bad_character(r);
        }
        let typ = match word {
            "block" => ItemType::Block,
            "break" if self.break_ok => ItemType::Break,
            "continue" if self.continue_ok => ItemType::Continue,
            "define" => ItemType::Define,
            "else" => ItemType::Else,
            "end" => ItemType::End,
            "if" => ItemType::If,
            "range" => ItemType::Range,
            "nil" => ItemType::Nil,
            "template" => ItemType::Template,
            "with" => ItemType::With,
            "true" | "false" => ItemType::Bool,
            _ => ItemType::Identifier,
        };
        self.emit(typ)
    }

    fn bad_character(&mut self, r: Option<char>) -> Step<'a> {
        // `r` is never the end of input here: that is a terminator.
        let shown = r.map(format_unicode).unwrap_or_default();
        self.errorf(format!("bad character {shown}"))
    }

    fn lex_variable(&mut self) -> Step<'a> {
        if self.at_terminator() {
            return self.emit(ItemType::Variable);
        }
        self.lex_field_or_variable(ItemType::Variable)
    }

    fn lex_field_or_variable(&mut self, typ: ItemType) -> Step<'a> {
        if self.at_terminator() {
            return self.emit(if typ == ItemType::Variable {
                ItemType::Variable
            } else {
                ItemType::Dot
            });
        }
        let r = self.scan_word();
        if !self.at_terminator() {
            return self.bad_character(r);
        }
        self.emit(typ)
    }

    /// Reads a run of identifier characters and returns the one after it, unread: Go's loop of
    /// `next` until a non-alphanumeric character, then `backup`, with ASCII taken byte by byte.
    fn scan_word(&mut self) -> Option<char> {
        loop {
            match self.input.as_bytes().get(self.pos) {
                Some(&b) if b.is_ascii_alphanumeric() || b == b'_' => self.pos += 1,
                Some(&b) if b.is_ascii() => return Some(char::from(b)),
                _ => {
                    let r = self.next();
                    if !r.is_some_and(is_alphanumeric) {
                        self.backup();
                        return r;
                    }
                }
            }
        }
    }

    /// Whether the next character may follow an identifier (this splits `.X.Y` in two).
    fn at_terminator(&mut self) -> bool {
        match self.peek() {
            None => true,
            Some(r) if is_space(r) => true,
            Some('.' | ',' | '|' | ':' | ')' | '(') => true,
            Some(_) => self.rest(self.pos).starts_with(RIGHT_DELIM),
        }
    }
}

#[path = "lex_literal.rs"]
mod literal;

#[cfg(test)]
#[path = "lex_tests.rs"]
mod tests;
