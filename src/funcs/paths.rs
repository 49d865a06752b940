//! Sprig/Helm functions: paths (`base dir ext clean isAbs` from Go's `path`, their `os*` twins
//! from `path/filepath`, identical on Unix) and URLs (`urlParse`, `urlJoin`, see [`super::url`]).

use super::cast::str_arg;
use super::url;
use crate::template::{FuncMap, Param, Value};

use Param::{Map as PMap, String as Str};

/// Registers this group's functions.
pub fn register(m: &mut FuncMap) {
    for prefix in ["", "os"] {
        let name = |n: &str| {
            if prefix.is_empty() {
                n.to_string()
            } else {
                format!("os{}{}", n[..1].to_uppercase(), &n[1..])
            }
        };
        m.add(&name("base"), &[Str], |_, a| {
            Ok(Value::string(base(str_arg(a, 0))))
        });
        m.add(&name("dir"), &[Str], |_, a| {
            Ok(Value::string(dir(str_arg(a, 0))))
        });
        m.add(&name("clean"), &[Str], |_, a| {
            Ok(Value::string(clean(str_arg(a, 0))))
        });
        m.add(&name("ext"), &[Str], |_, a| {
            Ok(Value::str(ext(str_arg(a, 0))))
        });
        m.add(&name("isAbs"), &[Str], |_, a| {
            Ok(Value::Bool(str_arg(a, 0).starts_with('/')))
        });
    }
    m.add("urlParse", &[Str], |_, a| url::url_parse(str_arg(a, 0)));
    m.add("urlJoin", &[PMap], |_, a| match a.first() {
        Some(Value::Map(d)) => url::url_join(d).map(Value::string),
        _ => url::url_join(&Default::default()).map(Value::string),
    });
}

/// Go's `path.Clean`: lexical processing of `.`, `..` and repeated slashes.
pub fn clean(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let rooted = p.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|l| *l != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            s => parts.push(s),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".into(),
        (false, false) => joined,
    }
}

/// Go's `path.Base`: the last element, trailing slashes removed; `""` → `.`, all slashes → `/`.
pub fn base(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let trimmed = p.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/".into();
    }
    trimmed.rsplit('/').next().unwrap_or(trimmed).to_string()
}

/// Go's `path.Dir`: everything but the last element, cleaned.
pub fn dir(p: &str) -> String {
    let cut = p.rfind('/').map_or(0, |i| i + 1);
    clean(&p[..cut])
}

/// Go's `path.Ext`: the suffix from the final `.` in the last element.
pub fn ext(p: &str) -> &str {
    for (i, c) in p.char_indices().rev() {
        if c == '/' {
            break;
        }
        if c == '.' {
            return &p[i..];
        }
    }
    ""
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_path_functions() {
        assert_eq!(clean("a//b/../c/."), "a/c");
        assert_eq!(clean("/../a"), "/a");
        assert_eq!(clean("../../a"), "../../a");
        assert_eq!(base(""), ".");
        assert_eq!(base("/a/b/"), "b");
        assert_eq!(base("///"), "/");
        assert_eq!(dir("/a/b"), "/a");
        assert_eq!(dir("a"), ".");
        assert_eq!(ext("a/b.tar.gz"), ".gz");
        assert_eq!(ext("a.b/c"), "");
    }
}
