//! Expression evaluation, mirroring Go's `evalPipeline`, `evalCommand`, `evalArg`,
//! `evalField`, `evalCall` and `validateType`, including which node each error names.

use super::ast::{Arg, Command, NumberNode, Pipe, VariableNode};
use super::error::Error;
use super::exec::{grow, At, Rv, State};
use super::format;
use super::funcs::{Function, Param};
use super::objects::Complex;
use super::set::find_function;
use super::value::{Object, Value};

impl<'a> State<'a, '_> {
    /// Evaluates a pipeline; declared variables are pushed (or assigned).
    pub(crate) fn eval_pipeline(&mut self, dot: &Rv, pipe: &'a Pipe) -> Result<Rv, Error> {
        self.at = At::Pipe(pipe);
        let mut value: Option<Rv> = None;
        for cmd in &pipe.cmds {
            let v = self.eval_command(dot, cmd, value.as_ref())?;
            value = Some(v.unwrap());
        }
        let value = value.unwrap_or_else(Rv::invalid);
        for var in &pipe.decl {
            if pipe.is_assign {
                self.set_var(&var.ident[0], value.clone())?;
            } else {
                self.push_var(&var.ident[0], value.clone());
            }
        }
        Ok(value)
    }

    fn eval_command(&mut self, dot: &Rv, cmd: &'a Command, fin: Option<&Rv>) -> Result<Rv, Error> {
        let Some(first) = cmd.args.first() else {
            return Err(self.error("empty command"));
        };
        match first {
            Arg::Field { ident, .. } => {
                self.at = At::Arg(first);
                self.eval_dot_fields(dot, first, ident, Some(cmd), fin)
            }
            Arg::Chain { .. } => self.eval_chain(dot, first, Some(cmd), fin),
            Arg::Identifier { name, .. } => self.eval_function(dot, first, name, cmd, fin),
            Arg::Pipe(p) => {
                self.not_a_function(cmd, fin)?;
                // Parenthesised pipelines are the executor's only unbounded recursion here.
                grow(|| self.eval_pipeline(dot, p))
            }
            Arg::Variable(v) => self.eval_variable(dot, v, Some(cmd), fin),
            _ => {
                self.at = At::Arg(first);
                self.not_a_function(cmd, fin)?;
                match first {
                    Arg::Bool(_, b) => Ok(Rv::concrete(Value::Bool(*b))),
                    Arg::Dot(_) => Ok(dot.clone()),
                    Arg::Nil(_) => Err(self.error("nil is not a command")),
                    Arg::Number(n) => self.ideal_constant(n),
                    Arg::String { text, .. } => Ok(Rv::concrete(Value::String(text.clone()))),
                    _ => Err(self.error(format_args!("can't evaluate command {}", quoted(first)))),
                }
            }
        }
    }

    fn not_a_function(&self, cmd: &Command, fin: Option<&Rv>) -> Result<(), Error> {
        if cmd.args.len() > 1 || fin.is_some() {
            let first = cmd.args.first().map(|a| a.to_string()).unwrap_or_default();
            return Err(self.error(format_args!("can't give argument to non-function {first}")));
        }
        Ok(())
    }

    fn eval_chain(
        &mut self,
        dot: &Rv,
        node: &'a Arg,
        cmd: Option<&'a Command>,
        fin: Option<&Rv>,
    ) -> Result<Rv, Error> {
        self.at = At::Arg(node);
        let Arg::Chain {
            node: inner, field, ..
        } = node
        else {
            return Err(self.error("internal error: not a chain"));
        };
        if field.is_empty() {
            return Err(self.error("internal error: no fields in evalChainNode"));
        }
        if let Arg::Nil(_) = **inner {
            return Err(self.error(format_args!("indirection through explicit nil in {node}")));
        }
        // (pipe).Field1.Field2: evaluate the operand, then walk the fields.
        let receiver = self.eval_arg(dot, None, inner)?;
        self.eval_field_chain(dot, receiver, node, field, cmd, fin)
    }

    fn eval_variable(
        &mut self,
        dot: &Rv,
        var: &'a VariableNode,
        cmd: Option<&'a Command>,
        fin: Option<&Rv>,
    ) -> Result<Rv, Error> {
        self.at = At::Var(var);
        // `$x.a.b` through plain maps: walk from the variable's slot without copying it.
        if let Some((name, fields)) = var.ident.split_first().filter(|(_, f)| !f.is_empty()) {
            let slot = self.visible_vars().iter().rev().find(|(n, _)| *n == name);
            if let Some(v) = slot.and_then(|(_, s)| self.plain_fields(&s.v, fields, cmd, fin)) {
                return Ok(v);
            }
        }
        let value = self.var_value(&var.ident[0])?;
        if var.ident.len() == 1 {
            if let Some(cmd) = cmd {
                self.not_a_function(cmd, fin)?;
            }
            return Ok(value);
        }
        let node = self.at;
        self.eval_field_chain_at(dot, value, node, &var.ident[1..], cmd, fin)
    }

    fn eval_function(
        &mut self,
        dot: &Rv,
        ident: &'a Arg,
        name: &'a str,
        cmd: &'a Command,
        fin: Option<&Rv>,
    ) -> Result<Rv, Error> {
        self.at = At::Arg(ident);
        let funcs = self.env.funcs;
        let Some((func, builtin)) = find_function(funcs, name) else {
            return Err(self.error(format_args!(
                "{} is not a defined function",
                format::quote_go(name)
            )));
        };
        let bname = if builtin { Some(name) } else { None };
        self.eval_call(
            dot,
            Callee::Func(func),
            bname,
            name,
            Some(cmd),
            fin,
            At::Cmd(cmd),
        )
    }

    /// Go's `evalCall`: arity check, argument evaluation and type validation, the call itself.
    /// `err_node` is the node named by `error calling X` (the command for functions, the field
    /// node for methods).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn eval_call(
        &mut self,
        dot: &Rv,
        callee: Callee<'_>,
        bname: Option<&str>,
        name: &str,
        cmd: Option<&'a Command>,
        fin: Option<&Rv>,
        err_node: At<'a>,
    ) -> Result<Rv, Error> {
        let args: &'a [Arg] = match cmd {
            Some(c) if !c.args.is_empty() => &c.args[1..],
            _ => &[],
        };
        let (params, variadic) = callee.signature();
        let num_params = params.len() + usize::from(variadic.is_some());
        let num_in = args.len() + usize::from(fin.is_some());
        if variadic.is_some() {
            if num_in < params.len() {
                return Err(self.error(format_args!(
                    "wrong number of args for {name}: want at least {} got {}",
                    params.len(),
                    args.len()
                )));
            }
        } else if num_in != num_params {
            return Err(self.error(format_args!(
                "wrong number of args for {name}: want {num_params} got {num_in}"
            )));
        }
        if matches!(bname, Some("and") | Some("or")) {
            let is_or = bname == Some("or");
            let mut v = Rv::invalid();
            for arg in args {
                v = self.eval_arg(dot, Some(Param::Any), arg)?;
                if v.v.truthy() == is_or {
                    return Ok(v);
                }
            }
            if let Some(f) = fin {
                v = f.clone();
            }
            return Ok(v);
        }
        // Arguments live on the stack for the usual few-argument call.
        let mut argv: smallvec::SmallVec<[Value; 4]> = smallvec::SmallVec::new();
        if bname == Some("call") {
            // Go passes the callee's node text first, for its error message.
            argv.push(Value::string(
                args.first().map(|a| a.to_string()).unwrap_or_default(),
            ));
        }
        for (i, arg) in args.iter().enumerate() {
            let param = params.get(i).copied().or(variadic).unwrap_or(Param::Any);
            argv.push(self.eval_arg(dot, Some(param), arg)?.v);
        }
        if let Some(f) = fin {
            let param = params
                .get(args.len())
                .copied()
                .or(variadic)
                .unwrap_or(Param::Any);
            if bname == Some("call") && args.is_empty() {
                argv.push(Value::string(crate::template::format::fmt_v(&f.v)));
            }
            argv.push(self.validate(f.clone(), Some(param))?.v);
        }
        let result = match callee {
            Callee::Func(func) => (func.call)(self, &argv),
            Callee::Method { obj, .. } => obj.call(name, &argv),
        };
        match result {
            Ok(v) => Ok(Rv::concrete(v)),
            Err(msg) => {
                self.at = err_node;
                Err(self.error(format_args!("error calling {name}: {msg}")))
            }
        }
    }

    /// Go's `evalArg`: evaluates `arg` for a parameter of type `param` (`None` = no check).
    pub(crate) fn eval_arg(
        &mut self,
        dot: &Rv,
        param: Option<Param>,
        arg: &'a Arg,
    ) -> Result<Rv, Error> {
        self.at = At::Arg(arg);
        match arg {
            Arg::Dot(_) => return self.validate(dot.clone(), param),
            Arg::Nil(_) => {
                return match param {
                    // Nillable Go types receive nil (a nil slice or map); functions treat it as such.
                    None | Some(Param::Any) | Some(Param::List) | Some(Param::Map) => {
                        Ok(Rv::invalid())
                    }
                    Some(p) => {
                        Err(self.error(format_args!("cannot assign nil to {}", p.go_name())))
                    }
                };
            }
            Arg::Field { ident, .. } => {
                let v = self.eval_dot_fields(dot, arg, ident, None, None)?;
                return self.validate(v, param);
            }
            Arg::Variable(var) => {
                let v = self.eval_variable(dot, var, None, None)?;
                return self.validate(v, param);
            }
            Arg::Pipe(p) => {
                let v = grow(|| self.eval_pipeline(dot, p))?;
                return self.validate(v, param);
            }
            Arg::Identifier { name, .. } => {
                let cmd = Command {
                    pos: arg.pos(),
                    args: vec![arg.clone()],
                };
                // A niladic function used as an argument.
                let funcs = self.env.funcs;
                let Some((func, _)) = find_function(funcs, name) else {
                    return Err(self.error(format_args!(
                        "{} is not a defined function",
                        format::quote_go(name)
                    )));
                };
                let v = self.call_detached(dot, func, name, &cmd)?;
                return self.validate(v, param);
            }
            Arg::Chain { .. } => {
                let v = self.eval_chain(dot, arg, None, None)?;
                return self.validate(v, param);
            }
            _ => {}
        }
        let p = param.unwrap_or(Param::Any);
        match p {
            Param::Any => self.literal(arg),
            Param::Bool => match arg {
                Arg::Bool(_, b) => Ok(Rv::concrete(Value::Bool(*b))),
                _ => Err(self.error(format_args!("expected bool; found {arg}"))),
            },
            Param::Int | Param::Int64 => match arg {
                Arg::Number(n) if n.is_int => Ok(Rv::concrete(if p == Param::Int {
                    Value::Int(n.int)
                } else {
                    Value::Int64(n.int)
                })),
                _ => Err(self.error(format_args!("expected integer; found {arg}"))),
            },
            Param::Float64 => match arg {
                Arg::Number(n) if n.is_float => Ok(Rv::concrete(Value::Float(n.float))),
                _ => Err(self.error(format_args!("expected float; found {arg}"))),
            },
            Param::String => match arg {
                Arg::String { text, .. } => Ok(Rv::concrete(Value::String(text.clone()))),
                _ => Err(self.error(format_args!("expected string; found {arg}"))),
            },
            Param::List | Param::Map | Param::Object(_) => Err(self.error(format_args!(
                "can't handle {arg} for arg of type {}",
                p.go_name()
            ))),
        }
    }

    /// A call whose `Command` is a temporary (an identifier used as an argument).
    fn call_detached(
        &mut self,
        dot: &Rv,
        func: &Function,
        name: &str,
        cmd: &Command,
    ) -> Result<Rv, Error> {
        let needed = func.params.len();
        if needed != 0 {
            let msg = if func.variadic.is_some() {
                format!("wrong number of args for {name}: want at least {needed} got 0")
            } else {
                format!("wrong number of args for {name}: want {needed} got 0")
            };
            return Err(self.error(msg));
        }
        let _ = (dot, cmd);
        let f = func.call.clone();
        match f(self, &[]) {
            Ok(v) => Ok(Rv::concrete(v)),
            Err(msg) => Err(self.error(format_args!("error calling {name}: {msg}"))),
        }
    }

    /// Literal operands for an `interface{}` parameter (Go's `evalEmptyInterface`).
    fn literal(&mut self, arg: &'a Arg) -> Result<Rv, Error> {
        match arg {
            Arg::Bool(_, b) => Ok(Rv::concrete(Value::Bool(*b))),
            Arg::Number(n) => self.ideal_constant(n),
            Arg::String { text, .. } => Ok(Rv::concrete(Value::String(text.clone()))),
            _ => Err(self.error(format_args!(
                "can't handle {arg} for arg of type interface {{}}"
            ))),
        }
    }

    /// Go's `idealConstant`: an untyped number literal becomes int or float64.
    fn ideal_constant(&mut self, n: &NumberNode) -> Result<Rv, Error> {
        if n.is_complex {
            return Ok(Rv::concrete(Value::Object(std::sync::Arc::new(Complex(
                n.complex.0,
                n.complex.1,
            )))));
        }
        let t = n.text.as_str();
        let hex_int = t.len() > 2
            && t.starts_with('0')
            && matches!(t.as_bytes()[1], b'x' | b'X')
            && !t.contains(['p', 'P']);
        let rune = t.starts_with('\'');
        if n.is_float && !hex_int && !rune && t.contains(['.', 'e', 'E', 'p', 'P']) {
            return Ok(Rv::concrete(Value::Float(n.float)));
        }
        if n.is_int {
            return Ok(Rv::concrete(Value::Int(n.int)));
        }
        if n.is_uint {
            return Err(self.error(format_args!("{} overflows int", n.text)));
        }
        Ok(Rv::invalid())
    }

    /// Go's `validateType`: checks a computed value against a parameter type.
    pub(crate) fn validate(&self, v: Rv, param: Option<Param>) -> Result<Rv, Error> {
        let Some(p) = param else { return Ok(v) };
        if p == Param::Any {
            return Ok(v);
        }
        if v.v.is_nil() {
            if v.iface {
                return Err(self.error(format_args!(
                    "wrong type for value; expected {}; got interface {{}}",
                    p.go_name()
                )));
            }
            return match p {
                Param::List | Param::Map => Ok(Rv::invalid()),
                _ => Err(self.error(format_args!("invalid value; expected {}", p.go_name()))),
            };
        }
        let ok = match (p, &v.v) {
            (Param::String, Value::String(_))
            | (Param::Int, Value::Int(_))
            | (Param::Int64, Value::Int64(_))
            | (Param::Float64, Value::Float(_))
            | (Param::Bool, Value::Bool(_))
            | (Param::Map, Value::Map(_)) => true,
            (Param::List, Value::List(l)) => l.kind == super::value::SliceKind::Interface,
            (Param::Object(name), Value::Object(o)) => o.type_name() == name,
            _ => false,
        };
        if ok {
            return Ok(v.unwrap());
        }
        Err(self.error(format_args!(
            "wrong type for value; expected {}; got {}",
            p.go_name(),
            v.v.type_name()
        )))
    }
}

/// Go's `%q` of a node's text (for `can't evaluate command %q`).
fn quoted(arg: &Arg) -> String {
    format::quote_go(&arg.to_string())
}

/// What `eval_call` calls: a registered function or an object's method.
#[derive(Clone, Copy)]
pub(crate) enum Callee<'c> {
    Func(&'c Function),
    Method {
        obj: &'c std::sync::Arc<dyn Object>,
        params: &'static [Param],
        variadic: Option<Param>,
    },
}

impl Callee<'_> {
    fn signature(&self) -> (&[Param], Option<Param>) {
        match self {
            Callee::Func(f) => (f.params, f.variadic),
            Callee::Method {
                params, variadic, ..
            } => (params, *variadic),
        }
    }
}
