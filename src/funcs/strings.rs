//! Sprig/Helm functions: strings group (`trunc`, `indent`, `quote`, `split`, `camelcase`, ...).
//!
//! Parameter types are those of the Go functions, so the executor rejects e.g. a float64 for
//! `trunc`'s count exactly as Helm does. Go slices strings by byte; where a cut can land inside
//! a UTF-8 sequence the broken character becomes U+FFFD (our strings are always valid UTF-8).

use super::cast::{arg, from_bytes_lossy, go_lower, go_quote, go_upper, int_arg, str_arg, strval};
use super::strcase;
use crate::template::format::fmt_v;
use crate::template::{FuncMap, Map, Param, SliceKind, Value};

use Param::{Any, Int, String as Str};

/// Upper bound for strings built by `repeat`/`indent`, where Go would exhaust memory.
const MAX_OUTPUT: usize = 256 << 20;

/// Registers this group's functions.
pub fn register(m: &mut FuncMap) {
    m.add("abbrev", &[Int, Str], |_, a| {
        let (w, s) = (int_arg(a, 0), str_arg(a, 1));
        if w < 4 {
            return Ok(Value::str(s));
        }
        Ok(from_bytes_lossy(&strcase::abbreviate_full(
            s.as_bytes(),
            0,
            w,
        )))
    });
    m.add("abbrevboth", &[Int, Int, Str], |_, a| {
        let (left, right, s) = (int_arg(a, 0), int_arg(a, 1), str_arg(a, 2));
        if right < 4 || (left > 0 && right < 7) {
            return Ok(Value::str(s));
        }
        Ok(from_bytes_lossy(&strcase::abbreviate_full(
            s.as_bytes(),
            left,
            right,
        )))
    });
    m.add("trunc", &[Int, Str], |_, a| {
        Ok(trunc(int_arg(a, 0), str_arg(a, 1)))
    });
    m.add("trim", &[Str], |_, a| Ok(Value::str(str_arg(a, 0).trim())));
    m.add("upper", &[Str], |_, a| {
        Ok(Value::string(str_arg(a, 0).chars().map(go_upper).collect()))
    });
    m.add("lower", &[Str], |_, a| {
        Ok(Value::string(str_arg(a, 0).chars().map(go_lower).collect()))
    });
    m.add("title", &[Str], |_, a| {
        Ok(Value::string(strcase::title(str_arg(a, 0))))
    });
    m.add("untitle", &[Str], |_, a| {
        Ok(Value::string(strcase::uncapitalize(str_arg(a, 0))))
    });
    m.add("substr", &[Int, Int, Str], |_, a| {
        substr(int_arg(a, 0), int_arg(a, 1), str_arg(a, 2))
    });
    m.add("repeat", &[Int, Str], |_, a| {
        repeat(str_arg(a, 1), int_arg(a, 0)).map(Value::string)
    });
    for name in ["trimall", "trimAll"] {
        m.add(name, &[Str, Str], |_, a| {
            let cut = str_arg(a, 0);
            Ok(Value::str(str_arg(a, 1).trim_matches(|c| cut.contains(c))))
        });
    }
    m.add("trimSuffix", &[Str, Str], |_, a| {
        let s = str_arg(a, 1);
        Ok(Value::str(s.strip_suffix(str_arg(a, 0)).unwrap_or(s)))
    });
    m.add("trimPrefix", &[Str, Str], |_, a| {
        let s = str_arg(a, 1);
        Ok(Value::str(s.strip_prefix(str_arg(a, 0)).unwrap_or(s)))
    });
    m.add("nospace", &[Str], |_, a| {
        Ok(Value::string(strcase::delete_white_space(str_arg(a, 0))))
    });
    m.add("initials", &[Str], |_, a| {
        Ok(Value::string(strcase::initials(str_arg(a, 0))))
    });
    m.add("swapcase", &[Str], |_, a| {
        Ok(Value::string(strcase::swap_case(str_arg(a, 0))))
    });
    m.add("snakecase", &[Str], |_, a| {
        Ok(Value::string(strcase::camel_to_lower(str_arg(a, 0), '_')))
    });
    m.add("kebabcase", &[Str], |_, a| {
        Ok(Value::string(strcase::camel_to_lower(str_arg(a, 0), '-')))
    });
    m.add("camelcase", &[Str], |_, a| {
        Ok(Value::string(strcase::to_pascal_case(str_arg(a, 0))))
    });
    m.add("wrap", &[Int, Str], |_, a| {
        Ok(from_bytes_lossy(&strcase::wrap_custom(
            str_arg(a, 1),
            int_arg(a, 0),
            "",
            false,
        )))
    });
    m.add("wrapWith", &[Int, Str, Str], |_, a| {
        let out = strcase::wrap_custom(str_arg(a, 2), int_arg(a, 0), str_arg(a, 1), true);
        Ok(from_bytes_lossy(&out))
    });
    m.add("contains", &[Str, Str], |_, a| {
        Ok(Value::Bool(str_arg(a, 1).contains(str_arg(a, 0))))
    });
    m.add("hasPrefix", &[Str, Str], |_, a| {
        Ok(Value::Bool(str_arg(a, 1).starts_with(str_arg(a, 0))))
    });
    m.add("hasSuffix", &[Str, Str], |_, a| {
        Ok(Value::Bool(str_arg(a, 1).ends_with(str_arg(a, 0))))
    });
    m.add_variadic("quote", &[], Any, |_, a| {
        let parts: Vec<String> = a
            .iter()
            .filter(|v| !v.is_nil())
            .map(|v| go_quote(&strval(v)))
            .collect();
        Ok(Value::string(parts.join(" ")))
    });
    m.add_variadic("squote", &[], Any, |_, a| {
        let parts: Vec<String> = a
            .iter()
            .filter(|v| !v.is_nil())
            .map(|v| format!("'{}'", fmt_v(v)))
            .collect();
        Ok(Value::string(parts.join(" ")))
    });
    m.add_variadic("cat", &[], Any, |_, a| {
        let parts: Vec<String> = a.iter().filter(|v| !v.is_nil()).map(fmt_v).collect();
        Ok(Value::string(parts.join(" ")))
    });
    m.add("indent", &[Int, Str], |_, a| {
        indent(int_arg(a, 0), str_arg(a, 1)).map(Value::string)
    });
    m.add("nindent", &[Int, Str], |_, a| {
        indent(int_arg(a, 0), str_arg(a, 1)).map(|s| Value::string(format!("\n{s}")))
    });
    m.add("replace", &[Str, Str, Str], |_, a| {
        Ok(Value::string(
            str_arg(a, 2).replace(str_arg(a, 0), str_arg(a, 1)),
        ))
    });
    m.add("plural", &[Str, Str, Int], |_, a| {
        Ok(Value::str(if int_arg(a, 2) == 1 {
            str_arg(a, 0)
        } else {
            str_arg(a, 1)
        }))
    });
    m.add("split", &[Str, Str], |_, a| {
        Ok(parts_map(go_split(str_arg(a, 1), str_arg(a, 0), -1)))
    });
    m.add("splitn", &[Str, Int, Str], |_, a| {
        Ok(parts_map(go_split(
            str_arg(a, 2),
            str_arg(a, 0),
            int_arg(a, 1),
        )))
    });
    m.add("splitList", &[Str, Str], |_, a| {
        let parts = go_split(str_arg(a, 1), str_arg(a, 0), -1);
        Ok(Value::typed_list(
            SliceKind::String,
            parts.into_iter().map(Value::string).collect(),
        ))
    });
    m.add("join", &[Str, Any], |_, a| {
        let items = to_strings(&arg(a, 1));
        Ok(Value::string(items.join(str_arg(a, 0))))
    });
    m.add("toString", &[Any], |_, a| {
        Ok(Value::string(strval(&arg(a, 0))))
    });
    m.add("toStrings", &[Any], |_, a| {
        let items = to_strings(&arg(a, 0));
        Ok(Value::typed_list(
            SliceKind::String,
            items.into_iter().map(Value::string).collect(),
        ))
    });
}

/// sprig's `strslice`: the strval of every non-nil element of a slice, `[]` for nil, and a
/// one-element list for any other value.
pub fn to_strings(v: &Value) -> Vec<String> {
    match v {
        Value::Nil => Vec::new(),
        Value::List(l) => l.items.iter().filter(|x| !x.is_nil()).map(strval).collect(),
        // A []byte is a slice of uint8 elements, each printed as a number.
        Value::Bytes(b) => b.iter().map(u8::to_string).collect(),
        other => vec![strval(other)],
    }
}

fn trunc(c: i64, s: &str) -> Value {
    let b = s.as_bytes();
    let len = b.len() as i64;
    if c < 0 && len.wrapping_add(c) > 0 {
        return from_bytes_lossy(&b[(len + c) as usize..]);
    }
    if c >= 0 && len > c {
        return from_bytes_lossy(&b[..c as usize]);
    }
    Value::str(s)
}

/// Go's message for an out-of-range string slice expression.
fn bounds_error(detail: String) -> String {
    format!("runtime error: slice bounds out of range {detail}")
}

fn substr(start: i64, end: i64, s: &str) -> Result<Value, String> {
    let b = s.as_bytes();
    let len = b.len() as i64;
    if start < 0 {
        if end < 0 {
            return Err(bounds_error(format!("[:{end}]")));
        }
        if end > len {
            return Err(bounds_error(format!("[:{end}] with length {len}")));
        }
        return Ok(from_bytes_lossy(&b[..end as usize]));
    }
    if end < 0 || end > len {
        if start > len {
            return Err(bounds_error(format!("[{start}:{len}]")));
        }
        return Ok(from_bytes_lossy(&b[start as usize..]));
    }
    if start > end {
        return Err(bounds_error(format!("[{start}:{end}]")));
    }
    Ok(from_bytes_lossy(&b[start as usize..end as usize]))
}

fn repeat(s: &str, count: i64) -> Result<String, String> {
    if count < 0 {
        return Err("strings: negative Repeat count".into());
    }
    let total = (s.len() as u128) * (count as u128);
    if total > MAX_OUTPUT as u128 {
        return Err("strings: Repeat output length overflow".into());
    }
    Ok(s.repeat(count as usize))
}

fn indent(spaces: i64, s: &str) -> Result<String, String> {
    let pad = repeat(" ", spaces)?;
    let lines = s.matches('\n').count() + 1;
    if (pad.len() as u128) * (lines as u128) > MAX_OUTPUT as u128 {
        return Err("strings: Repeat output length overflow".into());
    }
    Ok(format!("{pad}{}", s.replace('\n', &format!("\n{pad}"))))
}

/// Go's `strings.SplitN(s, sep, n)` (`n < 0`: all parts; `n == 0`: none); an empty separator
/// splits into characters.
pub fn go_split(s: &str, sep: &str, n: i64) -> Vec<String> {
    if n == 0 {
        return Vec::new();
    }
    let limit = if n < 0 { usize::MAX } else { n as usize };
    if sep.is_empty() {
        let chars: Vec<char> = s.chars().collect();
        let mut out: Vec<String> = Vec::new();
        for (i, c) in chars.iter().enumerate() {
            if out.len() + 1 == limit {
                out.push(chars[i..].iter().collect());
                break;
            }
            out.push(c.to_string());
        }
        return out;
    }
    s.splitn(limit, sep).map(str::to_string).collect()
}

/// sprig's `split` result: `{_0: first, _1: second, ...}`.
fn parts_map(parts: Vec<String>) -> Value {
    let m: Map = parts
        .into_iter()
        .enumerate()
        .map(|(i, p)| (format!("_{i}"), Value::string(p)))
        .collect();
    Value::map(m)
}
