//! Helm's engine-bound functions: `include`, `tpl`, `required`, `fail`, `lookup` and the
//! offline `getHostByName`.

use crate::template::format;
use crate::template::{FuncMap, Param, Value};

/// Marks a `required`/`fail` message so the renderer can report it as
/// `execution error at (FILE:LINE:COL): MSG`, as Helm's `cleanupExecError` does.
pub const ERR_START: &str = "HELM_ERR_START";
/// End marker, see [`ERR_START`].
pub const ERR_END: &str = "HELM_ERR_END";

/// Helm builds these errors with `errors.Errorf(msg)`: the message is a format string, so a
/// `%` in it is interpreted (`100%` becomes `100%!(NOVERB)`).
fn wrapped(msg: &str) -> String {
    format!("{ERR_START}{}{ERR_END}", format::sprintf(msg, &[]))
}

/// Registers `include`, `tpl`, `required`, `fail`, `lookup` and `getHostByName`.
pub fn register(m: &mut FuncMap) {
    m.add("include", &[Param::String, Param::Any], |rt, a| {
        let name = a[0].as_str().unwrap_or_default();
        rt.include(name, &a[1]).map(Value::string)
    });
    m.add("tpl", &[Param::String, Param::Any], |rt, a| {
        let text = a[0].as_str().unwrap_or_default();
        rt.tpl(text, &a[1]).map(Value::string)
    });
    m.add("required", &[Param::String, Param::Any], |_, a| {
        let warn = a[0].as_str().unwrap_or_default();
        match &a[1] {
            Value::Nil => Err(wrapped(warn)),
            Value::String(s) if s.is_empty() => Err(wrapped(warn)),
            v => Ok(v.clone()),
        }
    });
    m.add("fail", &[Param::String], |_, a| {
        Err(wrapped(a[0].as_str().unwrap_or_default()))
    });
    m.add(
        "lookup",
        &[Param::String, Param::String, Param::String, Param::String],
        |rt, a| {
            let s = |i: usize| a[i].as_str().unwrap_or_default().to_string();
            rt.lookup(&s(0), &s(1), &s(2), &s(3))
        },
    );
    // `helm template` without --enable-dns answers every name with "".
    m.add("getHostByName", &[Param::String], |_, _| Ok(Value::str("")));
}
