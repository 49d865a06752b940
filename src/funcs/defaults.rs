//! Sprig/Helm functions: defaults and emptiness (`default`, `empty`, `coalesce`, `ternary`,
//! `all`, `any`). `compact` lives with the lists, `fail`/`required` with the engine.

use super::cast::arg;
use crate::template::{FuncMap, Param, Value};

use Param::{Any, Bool};

/// Registers this group's functions.
pub fn register(m: &mut FuncMap) {
    // Only the first given value is examined; with none, the default wins.
    m.add_variadic("default", &[Any], Any, |_, a| match a.get(1) {
        Some(v) if !v.is_empty() => Ok(v.clone()),
        _ => Ok(arg(a, 0)),
    });
    m.add("empty", &[Any], |_, a| {
        Ok(Value::Bool(arg(a, 0).is_empty()))
    });
    m.add_variadic("coalesce", &[], Any, |_, a| {
        Ok(a.iter()
            .find(|v| !v.is_empty())
            .cloned()
            .unwrap_or_default())
    });
    m.add_variadic("all", &[], Any, |_, a| {
        Ok(Value::Bool(a.iter().all(|v| !v.is_empty())))
    });
    m.add_variadic("any", &[], Any, |_, a| {
        Ok(Value::Bool(a.iter().any(|v| !v.is_empty())))
    });
    m.add("ternary", &[Any, Any, Bool], |_, a| {
        let cond = matches!(a.get(2), Some(Value::Bool(true)));
        Ok(if cond { arg(a, 0) } else { arg(a, 1) })
    });
}
