//! Field access, mirroring Go's `evalFieldChain` and `evalField`: map keys, struct fields and
//! methods of objects, and the `chartutil.Values` methods, with Go's nil and missing-key rules.

use super::ast::{Arg, Command};
use super::error::Error;
use super::eval::Callee;
use super::exec::{At, Rv, State};
use super::format;
use super::objects::{values_method, ValuesMethods};
use super::set::MissingKey;
use super::value::{MapKind, MapRef, Member, Object, Value};

impl<'a> State<'a, '_> {
    pub(crate) fn eval_field_chain(
        &mut self,
        dot: &Rv,
        receiver: Rv,
        node: &'a Arg,
        ident: &'a [String],
        cmd: Option<&'a Command>,
        fin: Option<&Rv>,
    ) -> Result<Rv, Error> {
        self.eval_field_chain_at(dot, receiver, At::Arg(node), ident, cmd, fin)
    }

    /// `.A.B` on dot itself: plain map keys are read straight from dot, which is copied only
    /// when the general path is needed.
    pub(crate) fn eval_dot_fields(
        &mut self,
        dot: &Rv,
        node: &'a Arg,
        ident: &'a [String],
        cmd: Option<&'a Command>,
        fin: Option<&Rv>,
    ) -> Result<Rv, Error> {
        if let Some(v) = self.plain_fields(&dot.v, ident, cmd, fin) {
            return Ok(v);
        }
        self.eval_field_chain_at(dot, dot.clone(), At::Arg(node), ident, cmd, fin)
    }

    /// The value of `fields` on `receiver` when every step is a plain map key and no argument
    /// is given (what nearly every `.Values.a.b` is), read without copying the receiver;
    /// `None` sends the caller to the general path.
    pub(crate) fn plain_fields(
        &self,
        receiver: &Value,
        fields: &[String],
        cmd: Option<&Command>,
        fin: Option<&Rv>,
    ) -> Option<Rv> {
        if has_args(cmd, fin) {
            return None;
        }
        let zero = self.env.options.missing_key == MissingKey::Zero;
        match walk_maps(receiver, fields, zero) {
            Some((k, v)) if k == fields.len() => Some(Rv::iface(v)),
            _ => None,
        }
    }

    pub(crate) fn eval_field_chain_at(
        &mut self,
        dot: &Rv,
        mut receiver: Rv,
        node: At<'a>,
        ident: &'a [String],
        cmd: Option<&'a Command>,
        fin: Option<&Rv>,
    ) -> Result<Rv, Error> {
        let n = ident.len();
        // Plain map keys are walked by reference first; the general path below takes over
        // where a method, object, nil or error is involved.
        let fast = if has_args(cmd, fin) {
            n.saturating_sub(1)
        } else {
            n
        };
        let zero = self.env.options.missing_key == MissingKey::Zero;
        let mut done = 0;
        if let Some((k, v)) = ident
            .get(..fast)
            .and_then(|p| walk_maps(&receiver.v, p, zero))
        {
            receiver = Rv::iface(v);
            done = k;
        }
        if done == n {
            return Ok(receiver);
        }
        for name in &ident[done..n - 1] {
            receiver = self.eval_field(dot, name, node, None, None, receiver)?;
        }
        match ident.last() {
            Some(last) => self.eval_field(dot, last, node, cmd, fin, receiver),
            None => Ok(receiver),
        }
    }

    /// Go's `evalField`: a method, a struct field or a map key of `receiver`.
    fn eval_field(
        &mut self,
        dot: &Rv,
        name: &str,
        node: At<'a>,
        cmd: Option<&'a Command>,
        fin: Option<&Rv>,
        receiver: Rv,
    ) -> Result<Rv, Error> {
        let has_args = has_args(cmd, fin);
        match &receiver.v {
            Value::Nil if !receiver.iface => {
                if self.env.options.missing_key == MissingKey::Error {
                    return Err(self.error(format_args!(
                        "nil data; no entry for key {}",
                        format::quote_go(name)
                    )));
                }
                Ok(Rv::invalid())
            }
            Value::Nil => Err(self.error(format_args!(
                "nil pointer evaluating {}.{name}",
                receiver.type_name()
            ))),
            Value::Map(m) if m.kind() == MapKind::Values && values_method(name).is_some() => {
                let params = values_method(name).unwrap_or(&[]);
                let obj: std::sync::Arc<dyn Object> = std::sync::Arc::new(ValuesMethods(m.clone()));
                let callee = Callee::Method {
                    obj: &obj,
                    params,
                    variadic: None,
                };
                self.eval_call(dot, callee, None, name, cmd, fin, node)
            }
            Value::Map(m) => {
                if has_args {
                    return Err(
                        self.error(format_args!("{name} is not a method but has arguments"))
                    );
                }
                match m.get(name) {
                    Some(v) => Ok(Rv::iface(v)),
                    None => match self.env.options.missing_key {
                        MissingKey::Zero => Ok(Rv::iface(Value::Nil)),
                        MissingKey::Invalid => Ok(Rv::invalid()),
                        MissingKey::Error => Err(self.error(format_args!(
                            "map has no entry for key {}",
                            format::quote_go(name)
                        ))),
                    },
                }
            }
            Value::Object(o) => match o.member(name) {
                Some(Member::Method { params, variadic }) => {
                    let obj = o.clone();
                    let callee = Callee::Method {
                        obj: &obj,
                        params,
                        variadic,
                    };
                    self.eval_call(dot, callee, None, name, cmd, fin, node)
                }
                Some(Member::Field(v)) => {
                    if has_args {
                        return Err(self.error(format_args!(
                            "{name} has arguments but cannot be invoked as function"
                        )));
                    }
                    Ok(Rv::concrete(v))
                }
                None => Err(self.error(format_args!(
                    "can't evaluate field {name} in type {}",
                    receiver.type_name()
                ))),
            },
            _ => Err(self.error(format_args!(
                "can't evaluate field {name} in type {}",
                receiver.type_name()
            ))),
        }
    }
}

/// The map and key of the first step of `names` when it is a plain map lookup (not a
/// `chartutil.Values` method such as `.Values.AsMap`).
fn plain_map_step<'v, 'n>(v: &'v Value, names: &'n [String]) -> Option<(&'v MapRef, &'n str)> {
    let (Value::Map(m), Some(name)) = (v, names.first()) else {
        return None;
    };
    if m.kind() == MapKind::Values && values_method(name).is_some() {
        return None;
    }
    Some((m, name))
}

/// Follows `names` through nested maps without cloning the levels in between: returns how
/// many names were consumed and the (cloned) value reached, or `None` when the first name is
/// not a plain map lookup. A missing key ends the walk with nil under `missingkey=zero`
/// (what Go's map index yields); other modes leave the missing key to the general path.
fn walk_maps(v: &Value, names: &[String], zero_missing: bool) -> Option<(usize, Value)> {
    let (m, name) = plain_map_step(v, names)?;
    // A map may contain itself (sprig's `set`): recursive read locks must not wait on a writer.
    let map = m.read_recursive();
    match map.get(name) {
        Some(next) => Some(match walk_maps(next, &names[1..], zero_missing) {
            Some((k, reached)) => (k + 1, reached),
            None => (1, next.clone()),
        }),
        None if zero_missing => Some((1, Value::Nil)),
        None => None,
    }
}

/// Like [`walk_maps`], but hands the value reached to `f` by reference: true when every name
/// was a plain map key (a missing last key reads as nil under `missingkey=zero`), false when
/// the general path must evaluate the chain (methods, objects, errors).
pub(crate) fn peek_maps(
    v: &Value,
    names: &[String],
    zero_missing: bool,
    f: &mut dyn FnMut(&Value),
) -> bool {
    let Some((m, name)) = plain_map_step(v, names) else {
        return false;
    };
    let map = m.read_recursive();
    match map.get(name) {
        Some(next) if names.len() == 1 => {
            f(next);
            true
        }
        Some(next) => peek_maps(next, &names[1..], zero_missing, f),
        None if zero_missing && names.len() == 1 => {
            f(&Value::Nil);
            true
        }
        None => false,
    }
}

/// Whether a field at the end of `cmd` (or fed by a pipeline's `fin`) is given arguments.
fn has_args(cmd: Option<&Command>, fin: Option<&Rv>) -> bool {
    cmd.is_some_and(|c| c.args.len() > 1) || fin.is_some()
}
