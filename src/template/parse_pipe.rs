//! Pipelines, commands, operands and literals: the expression half of Go's `parse.go`, plus
//! `newNumber` from `node.go`.

use super::ast::{Arg, Command, NumberNode, Pipe, VariableNode};
use super::lex::{Item, ItemType};
use super::parse::{new_pipe, PResult, Parser, MAX_PAREN_DEPTH, STACK_RED_ZONE, STACK_SEGMENT};
use super::unquote::{
    parse_float, parse_int, parse_uint, quote, unquote_char, NumError, INVALID_SYNTAX,
};

fn new_variable(pos: usize, name: &str) -> VariableNode {
    VariableNode {
        pos,
        ident: name.split('.').map(str::to_string).collect(),
    }
}

/// Field names of a `.A.B` token run, without the dots.
fn field_idents(text: &str) -> Vec<String> {
    text.get(1..)
        .unwrap_or("")
        .split('.')
        .map(str::to_string)
        .collect()
}

impl Parser<'_> {
    /// `declarations? command ('|' command)*`, up to `end` (`}}` or `)`).
    pub(super) fn pipeline(&mut self, context: &str, end: ItemType) -> PResult<Pipe> {
        let token = self.peek_non_space();
        let mut pipe = new_pipe(token.pos, token.line);
        // Declarations: "$x :=", "$x =", and "$k, $v :=" in range.
        loop {
            let v = self.peek_non_space();
            if v.typ != ItemType::Variable {
                break;
            }
            self.next();
            // "$x foo" needs a third token of lookahead to see that $x is an argument.
            let token_after_variable = self.peek();
            let next = self.peek_non_space();
            match next.typ {
                ItemType::Assign | ItemType::Declare => {
                    pipe.is_assign = next.typ == ItemType::Assign;
                    self.next_non_space();
                    pipe.decl.push(new_variable(v.pos, &v.val));
                    self.st.vars.push(v.val.into_owned());
                }
                ItemType::Char if next.val == "," => {
                    self.next_non_space();
                    pipe.decl.push(new_variable(v.pos, &v.val));
                    self.st.vars.push(v.val.into_owned());
                    if context == "range" && pipe.decl.len() < 2 {
                        match self.peek_non_space().typ {
                            ItemType::Variable | ItemType::RightDelim | ItemType::RightParen => {
                                continue;
                            }
                            _ => return Err(self.errorf("range can only initialize variables")),
                        }
                    }
                    return Err(self.errorf(format_args!("too many declarations in {context}")));
                }
                _ if token_after_variable.typ == ItemType::Space => {
                    self.backup3(v, token_after_variable);
                }
                _ => self.backup2(v),
            }
            break;
        }
        loop {
            let token = self.next_non_space();
            match token.typ {
                t if t == end => {
                    self.check_pipeline(&pipe, context)?;
                    return Ok(pipe);
                }
                ItemType::Bool
                | ItemType::CharConstant
                | ItemType::Complex
                | ItemType::Dot
                | ItemType::Field
                | ItemType::Identifier
                | ItemType::Number
                | ItemType::Nil
                | ItemType::RawString
                | ItemType::String
                | ItemType::Variable
                | ItemType::LeftParen => {
                    self.backup();
                    let cmd = self.command()?;
                    pipe.cmds.push(cmd);
                }
                _ => return Err(self.unexpected(&token, context)),
            }
        }
    }

    fn check_pipeline(&self, pipe: &Pipe, context: &str) -> PResult<()> {
        if pipe.cmds.is_empty() {
            return Err(self.errorf(format_args!("missing value for {context}")));
        }
        // Only the first command may start with a non-executable operand.
        for (i, c) in pipe.cmds.iter().enumerate().skip(1) {
            if let Some(
                Arg::Bool(..) | Arg::Dot(_) | Arg::Nil(_) | Arg::Number(_) | Arg::String { .. },
            ) = c.args.first()
            {
                return Err(self.errorf(format_args!(
                    "non executable command in pipeline stage {}",
                    i + 1
                )));
            }
        }
        Ok(())
    }

    /// Space-separated operands up to `|` (consumed) or `}}` / `)` (left in place).
    fn command(&mut self) -> PResult<Command> {
        let mut cmd = Command {
            pos: self.peek_non_space().pos,
            args: Vec::new(),
        };
        loop {
            self.peek_non_space();
            if let Some(operand) = self.operand()? {
                cmd.args.push(operand);
            }
            let token = self.next();
            match token.typ {
                ItemType::Space => continue,
                ItemType::RightDelim | ItemType::RightParen => self.backup(),
                ItemType::Pipe => {}
                _ => return Err(self.unexpected(&token, "operand")),
            }
            break;
        }
        if cmd.args.is_empty() {
            return Err(self.errorf("empty command"));
        }
        Ok(cmd)
    }

    /// A term followed by any `.Field` accesses. Go builds the chain at the position of the
    /// first field token and, for fields and variables, folds it back into that node kind
    /// with the chain's position.
    fn operand(&mut self) -> PResult<Option<Arg>> {
        let Some(node) = self.term()? else {
            return Ok(None);
        };
        if self.peek().typ != ItemType::Field {
            return Ok(Some(node));
        }
        let chain_pos = self.peek().pos;
        let mut fields = Vec::new();
        while self.peek().typ == ItemType::Field {
            let tok = self.next();
            fields.extend(field_idents(&tok.val));
        }
        Ok(Some(match node {
            Arg::Field { mut ident, .. } => {
                ident.extend(fields);
                Arg::Field {
                    pos: chain_pos,
                    ident,
                }
            }
            Arg::Variable(mut v) => {
                v.ident.extend(fields);
                v.pos = chain_pos;
                Arg::Variable(v)
            }
            Arg::Bool(..) | Arg::String { .. } | Arg::Number(_) | Arg::Nil(_) | Arg::Dot(_) => {
                return Err(self.errorf(format_args!(
                    "unexpected . after term {}",
                    quote(&node.to_string())
                )));
            }
            other => Arg::Chain {
                pos: chain_pos,
                node: Box::new(other),
                field: fields,
            },
        }))
    }

    /// A literal, function name, `.`, `.Field`, `$var` or `( pipeline )`; `None` if the next
    /// token is none of these.
    fn term(&mut self) -> PResult<Option<Arg>> {
        let token = self.next_non_space();
        let pos = token.pos;
        Ok(Some(match token.typ {
            ItemType::Identifier => {
                if !(self.is_func)(&token.val) {
                    return Err(
                        self.errorf(format_args!("function {} not defined", quote(&token.val)))
                    );
                }
                Arg::Identifier {
                    pos,
                    name: token.val.into_owned(),
                }
            }
            ItemType::Dot => Arg::Dot(pos),
            ItemType::Nil => Arg::Nil(pos),
            ItemType::Variable => Arg::Variable(self.use_var(pos, &token.val)?),
            ItemType::Field => Arg::Field {
                pos,
                ident: field_idents(&token.val),
            },
            ItemType::Bool => Arg::Bool(pos, token.val == "true"),
            ItemType::CharConstant | ItemType::Complex | ItemType::Number => {
                Arg::Number(Box::new(self.new_number(&token)?))
            }
            ItemType::LeftParen => {
                if self.st.paren_depth >= MAX_PAREN_DEPTH {
                    return Err(self.errorf("max expression depth exceeded"));
                }
                self.st.paren_depth += 1;
                let pipe = stacker::maybe_grow(STACK_RED_ZONE, STACK_SEGMENT, || {
                    self.pipeline("parenthesized pipeline", ItemType::RightParen)
                });
                self.st.paren_depth -= 1;
                Arg::Pipe(Box::new(pipe?))
            }
            ItemType::String | ItemType::RawString => {
                let text = self.unquote(&token.val)?;
                Arg::String {
                    pos,
                    quoted: token.val.into_owned(),
                    text: text.into(),
                }
            }
            _ => {
                self.backup();
                return Ok(None);
            }
        }))
    }

    fn use_var(&self, pos: usize, name: &str) -> PResult<VariableNode> {
        let v = new_variable(pos, name);
        let first = v.ident.first().map(String::as_str).unwrap_or("");
        if self.st.vars.iter().any(|n| n == first) {
            return Ok(v);
        }
        Err(self.errorf(format_args!("undefined variable {}", quote(first))))
    }

    /// Go's `newNumber`: every interpretation of the literal that is exact.
    fn new_number(&self, token: &Item) -> PResult<NumberNode> {
        let text = &*token.val;
        let mut n = NumberNode {
            pos: token.pos,
            text: text.to_string(),
            is_int: false,
            is_uint: false,
            is_float: false,
            is_complex: false,
            int: 0,
            uint: 0,
            float: 0.0,
            complex: (0.0, 0.0),
        };
        match token.typ {
            ItemType::CharConstant => {
                let inner = text.get(1..).unwrap_or("");
                let (r, _, tail) =
                    unquote_char(inner, b'\'').map_err(|_| self.errorf(INVALID_SYNTAX))?;
                if tail != "'" {
                    return Err(self.errorf(format_args!("malformed character constant: {text}")));
                }
                n.is_int = true;
                n.int = i64::from(r);
                n.is_uint = true;
                n.uint = u64::from(r);
                n.is_float = true;
                n.float = f64::from(r);
                return Ok(n);
            }
            ItemType::Complex => {
                let (re, im) = parse_complex(text).map_err(|msg| self.errorf(msg))?;
                n.is_complex = true;
                simplify_complex(&mut n, re, im);
                return Ok(n);
            }
            _ => {}
        }
        // Imaginary constants are complex (and also real if zero).
        if let Some(body) = text.strip_suffix('i') {
            if let Ok(f) = parse_float(body) {
                n.is_complex = true;
                simplify_complex(&mut n, 0.0, f);
                return Ok(n);
            }
        }
        let u = parse_uint(text);
        if let Ok(u) = u {
            n.is_uint = true;
            n.uint = u;
        }
        if let Ok(i) = parse_int(text) {
            n.is_int = true;
            n.int = i;
            if i == 0 {
                // "-0" fails ParseUint but is a fine unsigned zero.
                n.is_uint = true;
                n.uint = u.unwrap_or(0);
            }
        }
        if n.is_int {
            n.is_float = true;
            n.float = n.int as f64;
        } else if n.is_uint {
            n.is_float = true;
            n.float = n.uint as f64;
        } else if let Ok(f) = parse_float(text) {
            // A float that looks like an integer is an integer too large for 64 bits.
            if !text.contains(['.', 'e', 'E', 'p', 'P']) {
                return Err(self.errorf(format_args!("integer overflow: {}", quote(text))));
            }
            n.is_float = true;
            n.float = f;
            set_exact_ints(&mut n, f);
        }
        if !n.is_int && !n.is_uint && !n.is_float {
            return Err(self.errorf(format_args!("illegal number syntax: {}", quote(text))));
        }
        Ok(n)
    }
}

/// Sets the integer views of a float that are exact, as Go's `float64(int64(f)) == f` checks
/// do on amd64 (out-of-range conversions never compare equal there).
fn set_exact_ints(n: &mut NumberNode, f: f64) {
    const TWO_63: f64 = 9_223_372_036_854_775_808.0;
    const TWO_64: f64 = 18_446_744_073_709_551_616.0;
    if !n.is_int && f.trunc() == f && (-TWO_63..TWO_63).contains(&f) {
        n.is_int = true;
        n.int = f as i64;
    }
    if !n.is_uint && f.trunc() == f && (0.0..TWO_64).contains(&f) {
        n.is_uint = true;
        n.uint = f as u64;
    }
}

/// Go's `simplifyComplex`: a complex value with no imaginary part is also a float (and
/// possibly an integer).
fn simplify_complex(n: &mut NumberNode, re: f64, im: f64) {
    n.complex = (re, im);
    n.is_float = im == 0.0;
    if n.is_float {
        n.float = re;
        set_exact_ints(n, re);
    }
}

/// Reads a complex literal such as `1+2i` the way Go's `fmt.Sscan` does for the parser: two
/// float tokens around a sign, then `i`; each token converted with `strconv.ParseFloat`, whose
/// error text becomes the parse error.
fn parse_complex(text: &str) -> Result<(f64, f64), String> {
    const SYNTAX: &str = "syntax error scanning complex number";
    let b = text.as_bytes();
    let mut i = 0;
    let re = float_token(b, &mut i);
    if !matches!(b.get(i), Some(b'+' | b'-')) {
        return Err(SYNTAX.into());
    }
    let sign = i;
    i += 1;
    let im_end = {
        let _ = float_token(b, &mut i);
        i
    };
    if b.get(i) != Some(&b'i') {
        return Err(SYNTAX.into());
    }
    let re = convert_float(&text[re.0..re.1])?;
    let im = convert_float(&text[sign..im_end])?;
    Ok((re, im))
}

/// `fmt`'s `floatToken`: the span of a float token starting at `*i`.
fn float_token(b: &[u8], i: &mut usize) -> (usize, usize) {
    let start = *i;
    let accept = |i: &mut usize, set: &[u8]| {
        if b.get(*i).is_some_and(|c| set.contains(c)) {
            *i += 1;
            true
        } else {
            false
        }
    };
    accept(i, b"+-");
    // The start of "inf" is consumed even when the rest is missing.
    if accept(i, b"iI") && accept(i, b"nN") {
        accept(i, b"fF");
        return (start, *i);
    }
    let (digits, exp): (&[u8], &[u8]) = if accept(i, b"0") && accept(i, b"xX") {
        (b"0123456789abcdefABCDEF_", b"pP")
    } else {
        (b"0123456789_", b"eEpP")
    };
    while accept(i, digits) {}
    if accept(i, b".") {
        while accept(i, digits) {}
    }
    if accept(i, exp) {
        accept(i, b"+-");
        while accept(i, b"0123456789_") {}
    }
    (start, *i)
}

/// `strconv.ParseFloat` with Go's `*NumError` message on failure.
fn convert_float(s: &str) -> Result<f64, String> {
    parse_float(s).map_err(|e| {
        let why = match e {
            NumError::Syntax => "invalid syntax",
            NumError::Range => "value out of range",
        };
        format!("strconv.ParseFloat: parsing {}: {why}", quote(s))
    })
}
