//! The lexer's literal states: quoted strings, character constants and numbers.

use super::{is_alphanumeric, ItemType, Lexer, Step};
use crate::template::unquote::quote;

impl<'a> Lexer<'a> {
    /// Character constants and interpreted strings; the parser checks the escapes.
    pub(super) fn lex_quoted(
        &mut self,
        close: char,
        unterminated: &str,
        typ: ItemType,
    ) -> Step<'a> {
        loop {
            match self.next() {
                Some('\\') => {
                    if !matches!(self.next(), None | Some('\n')) {
                        continue;
                    }
                    return self.errorf(unterminated.to_string());
                }
                None | Some('\n') => return self.errorf(unterminated.to_string()),
                Some(c) if c == close => break,
                Some(_) => {}
            }
        }
        self.emit(typ)
    }

    pub(super) fn lex_raw_quote(&mut self) -> Step<'a> {
        loop {
            match self.next() {
                None => return self.errorf("unterminated raw quoted string".into()),
                Some('`') => break,
                Some(_) => {}
            }
        }
        self.emit(ItemType::RawString)
    }

    pub(super) fn lex_number(&mut self) -> Step<'a> {
        if !self.scan_number() {
            let text = self.slice(self.start, self.pos);
            return self.errorf(format!("bad number syntax: {}", quote(text)));
        }
        if let Some('+' | '-') = self.peek() {
            // A complex constant such as 1+2i: no spaces, must end in 'i'.
            if !self.scan_number() || !self.slice(self.start, self.pos).ends_with('i') {
                let text = self.slice(self.start, self.pos);
                return self.errorf(format!("bad number syntax: {}", quote(text)));
            }
            return self.emit(ItemType::Complex);
        }
        self.emit(ItemType::Number)
    }

    /// Go's deliberately permissive number scanner; `strconv` rejects what it lets through.
    fn scan_number(&mut self) -> bool {
        self.accept("+-");
        let mut digits = "0123456789_";
        if self.accept("0") {
            if self.accept("xX") {
                digits = "0123456789abcdefABCDEF_";
            } else if self.accept("oO") {
                digits = "01234567_";
            } else if self.accept("bB") {
                digits = "01_";
            }
        }
        self.accept_run(digits);
        if self.accept(".") {
            self.accept_run(digits);
        }
        if digits.len() == 11 && self.accept("eE") {
            self.accept("+-");
            self.accept_run("0123456789_");
        }
        if digits.len() == 23 && self.accept("pP") {
            self.accept("+-");
            self.accept_run("0123456789_");
        }
        self.accept("i");
        if self.peek().is_some_and(is_alphanumeric) {
            self.next();
            return false;
        }
        true
    }
}
