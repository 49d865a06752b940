//! Sprig/Helm functions: reflection (`typeOf`, `typeIs`, `typeIsLike`, `kindOf`, `kindIs`,
//! `deepEqual`). Type names are Go's `%T` spellings (`[]interface {}`, `<nil>`).

use super::cast::{arg, str_arg};
use crate::template::{FuncMap, Param, Value};

use Param::{Any, String as Str};

/// Registers this group's functions.
pub fn register(m: &mut FuncMap) {
    m.add("typeOf", &[Any], |_, a| {
        Ok(Value::str(arg(a, 0).type_name()))
    });
    m.add("typeIs", &[Str, Any], |_, a| {
        Ok(Value::Bool(str_arg(a, 0) == arg(a, 1).type_name()))
    });
    m.add("typeIsLike", &[Str, Any], |_, a| {
        let (target, v) = (str_arg(a, 0), arg(a, 1));
        let t = v.type_name();
        Ok(Value::Bool(
            t == target || t.strip_prefix('*') == Some(target),
        ))
    });
    m.add("kindOf", &[Any], |_, a| {
        Ok(Value::str(arg(a, 0).kind_name()))
    });
    m.add("kindIs", &[Str, Any], |_, a| {
        Ok(Value::Bool(str_arg(a, 0) == arg(a, 1).kind_name()))
    });
    m.add("deepEqual", &[Any, Any], |_, a| {
        Ok(Value::Bool(arg(a, 0).deep_equal(&arg(a, 1))))
    });
}
