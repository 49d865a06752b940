//! The part of Go's `net/url` that sprig's `urlParse` and `urlJoin` use: `url.Parse`, the
//! `Hostname()` accessor, `Userinfo.String()` and `URL.String()`, with Go's escaping rules and
//! error texts (`parse "http://a b": invalid character " " in host name`).

use super::cast::go_quote;
use crate::template::{Map, MapRef, Value};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Path,
    Host,
    UserPassword,
    Fragment,
}

fn should_escape(c: u8, mode: Mode) -> bool {
    if c.is_ascii_alphanumeric() {
        return false;
    }
    if mode == Mode::Host && b"!$&'()*+,;=:[]<>\"".contains(&c) {
        return false;
    }
    match c {
        b'-' | b'_' | b'.' | b'~' => false,
        b'$' | b'&' | b'+' | b',' | b'/' | b':' | b';' | b'=' | b'?' | b'@' => match mode {
            Mode::Path => c == b'?',
            Mode::UserPassword => matches!(c, b'@' | b'/' | b'?' | b':'),
            Mode::Fragment => false,
            Mode::Host => true,
        },
        b'!' | b'(' | b')' | b'*' if mode == Mode::Fragment => false,
        _ => true,
    }
}

fn escape(s: &str, mode: Mode) -> String {
    let mut out = String::with_capacity(s.len());
    for &c in s.as_bytes() {
        if should_escape(c, mode) {
            out.push_str(&format!("%{c:02X}"));
        } else {
            out.push(char::from(c));
        }
    }
    out
}

fn unescape(s: &str, mode: Mode) -> Result<String, String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                let hex = b
                    .get(i + 1..i + 3)
                    .filter(|h| h.iter().all(u8::is_ascii_hexdigit));
                let Some(h) = hex else {
                    let bad = s.get(i..(i + 3).min(s.len())).unwrap_or("%");
                    return Err(format!("invalid URL escape {}", go_quote(bad)));
                };
                let v = u8::from_str_radix(std::str::from_utf8(h).unwrap_or("0"), 16).unwrap_or(0);
                out.push(v);
                i += 3;
            }
            c => {
                if mode == Mode::Host && c < 0x80 && should_escape(c, mode) {
                    return Err(format!(
                        "invalid character {} in host name",
                        go_quote(&char::from(c).to_string())
                    ));
                }
                out.push(c);
                i += 1;
            }
        }
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

fn valid_optional_port(port: &str) -> bool {
    match port.strip_prefix(':') {
        None => port.is_empty(),
        Some(digits) => digits.bytes().all(|b| b.is_ascii_digit()),
    }
}

/// A parsed URL (only the fields sprig reads or writes).
#[derive(Default)]
struct Url {
    scheme: String,
    opaque: String,
    user: Option<(String, Option<String>)>,
    host: String,
    path: String,
    raw_query: String,
    force_query: bool,
    fragment: String,
    omit_host: bool,
}

fn parse_host(host: &str) -> Result<String, String> {
    if host.starts_with('[') {
        let Some(i) = host.rfind(']') else {
            return Err("missing ']' in host".into());
        };
        let port = &host[i + 1..];
        if !valid_optional_port(port) {
            return Err(format!("invalid port {} after host", go_quote(port)));
        }
    } else if let Some(i) = host.rfind(':') {
        let port = &host[i..];
        if !valid_optional_port(port) {
            return Err(format!("invalid port {} after host", go_quote(port)));
        }
    }
    unescape(host, Mode::Host)
}

fn valid_userinfo(s: &str) -> bool {
    s.bytes()
        .all(|c| c.is_ascii_alphanumeric() || b"-._:~!$&'()*+,;=%@".contains(&c))
}

fn parse(raw: &str) -> Result<Url, String> {
    let (rest, frag) = match raw.split_once('#') {
        Some((a, b)) => (a, Some(b)),
        None => (raw, None),
    };
    let mut u = parse_main(rest).map_err(|e| format!("parse {}: {e}", go_quote(rest)))?;
    if let Some(f) = frag {
        u.fragment =
            unescape(f, Mode::Fragment).map_err(|e| format!("parse {}: {e}", go_quote(raw)))?;
    }
    Ok(u)
}

fn parse_main(raw: &str) -> Result<Url, String> {
    if raw.bytes().any(|b| b < 0x20 || b == 0x7f) {
        return Err("net/url: invalid control character in URL".into());
    }
    let mut u = Url::default();
    if raw == "*" {
        u.path = "*".into();
        return Ok(u);
    }
    let mut rest = raw;
    for (i, c) in raw.char_indices() {
        if c.is_ascii_alphabetic() {
            continue;
        }
        if c.is_ascii_digit() || c == '+' || c == '-' || c == '.' {
            if i == 0 {
                break;
            }
            continue;
        }
        if c == ':' {
            if i == 0 {
                return Err("missing protocol scheme".into());
            }
            u.scheme = raw[..i].to_ascii_lowercase();
            rest = &raw[i + 1..];
        }
        break;
    }
    if rest.ends_with('?') && rest.matches('?').count() == 1 {
        u.force_query = true;
        rest = &rest[..rest.len() - 1];
    } else if let Some((a, q)) = rest.split_once('?') {
        u.raw_query = q.to_string();
        rest = a;
    }
    if !rest.starts_with('/') {
        if !u.scheme.is_empty() {
            u.opaque = rest.to_string();
            return Ok(u);
        }
        let segment = rest.split('/').next().unwrap_or("");
        if segment.contains(':') {
            return Err("first path segment in URL cannot contain colon".into());
        }
    }
    if (!u.scheme.is_empty() || !rest.starts_with("///")) && rest.starts_with("//") {
        let after = &rest[2..];
        let (authority, path) = match after.find('/') {
            Some(i) => (&after[..i], &after[i..]),
            None => (after, ""),
        };
        rest = path;
        let (userinfo, host) = match authority.rfind('@') {
            Some(i) => (Some(&authority[..i]), &authority[i + 1..]),
            None => (None, authority),
        };
        u.host = parse_host(host)?;
        if let Some(ui) = userinfo {
            if !valid_userinfo(ui) {
                return Err("net/url: invalid userinfo".into());
            }
            u.user = Some(match ui.split_once(':') {
                None => (unescape(ui, Mode::UserPassword)?, None),
                Some((n, p)) => (
                    unescape(n, Mode::UserPassword)?,
                    Some(unescape(p, Mode::UserPassword)?),
                ),
            });
        }
    } else if !u.scheme.is_empty() && rest.starts_with('/') {
        u.omit_host = true;
    }
    u.path = unescape(rest, Mode::Path)?;
    Ok(u)
}

fn user_string(user: &(String, Option<String>)) -> String {
    let mut s = escape(&user.0, Mode::UserPassword);
    if let Some(p) = &user.1 {
        s.push(':');
        s.push_str(&escape(p, Mode::UserPassword));
    }
    s
}

/// `url.URL.Hostname()`: the host without port and IPv6 brackets.
fn hostname(host: &str) -> &str {
    let mut h = host;
    if let Some(i) = host.rfind(':') {
        if valid_optional_port(&host[i..]) {
            h = &host[..i];
        }
    }
    h.strip_prefix('[')
        .and_then(|x| x.strip_suffix(']'))
        .unwrap_or(h)
}

/// sprig's `urlParse`.
pub fn url_parse(raw: &str) -> Result<Value, String> {
    let u = parse(raw).map_err(|e| format!("unable to parse url: {e}"))?;
    let mut m = Map::new();
    m.insert("scheme".into(), Value::string(u.scheme.clone()));
    m.insert("host".into(), Value::string(u.host.clone()));
    m.insert("hostname".into(), Value::str(hostname(&u.host)));
    m.insert("path".into(), Value::string(u.path.clone()));
    m.insert("query".into(), Value::string(u.raw_query.clone()));
    m.insert("opaque".into(), Value::string(u.opaque.clone()));
    m.insert("fragment".into(), Value::string(u.fragment.clone()));
    m.insert(
        "userinfo".into(),
        Value::string(u.user.as_ref().map(user_string).unwrap_or_default()),
    );
    Ok(Value::map(m))
}

/// sprig's `dictGetOrEmpty`: a string field of the dict, "" when absent.
fn field(d: &MapRef, key: &str) -> Result<String, String> {
    match d.get(key) {
        None => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.to_string()),
        Some(Value::Nil) => {
            Err("runtime error: invalid memory address or nil pointer dereference".into())
        }
        Some(other) => Err(format!(
            "unable to parse {key} key, must be of type string, but {} found",
            other.kind_name()
        )),
    }
}

/// sprig's `urlJoin`: builds a `url.URL` from the dict and prints it.
pub fn url_join(d: &MapRef) -> Result<String, String> {
    let mut u = Url {
        scheme: field(d, "scheme")?,
        host: field(d, "host")?,
        path: field(d, "path")?,
        raw_query: field(d, "query")?,
        opaque: field(d, "opaque")?,
        fragment: field(d, "fragment")?,
        ..Url::default()
    };
    let userinfo = field(d, "userinfo")?;
    if !userinfo.is_empty() {
        let tmp = parse(&format!("proto://{userinfo}@host"))
            .map_err(|e| format!("unable to parse userinfo in dict: {e}"))?;
        u.user = tmp.user;
    }
    Ok(to_string(&u))
}

/// `url.URL.String()`.
fn to_string(u: &Url) -> String {
    let mut buf = String::new();
    if !u.scheme.is_empty() {
        buf.push_str(&u.scheme);
        buf.push(':');
    }
    if !u.opaque.is_empty() {
        buf.push_str(&u.opaque);
    } else {
        let has_authority = !u.scheme.is_empty() || !u.host.is_empty() || u.user.is_some();
        let omit = u.omit_host && u.host.is_empty() && u.user.is_none();
        if has_authority && !omit {
            if !u.host.is_empty() || !u.path.is_empty() || u.user.is_some() {
                buf.push_str("//");
            }
            if let Some(user) = &u.user {
                buf.push_str(&user_string(user));
                buf.push('@');
            }
            if !u.host.is_empty() {
                buf.push_str(&escape(&u.host, Mode::Host));
            }
        }
        let path = if u.path == "*" {
            "*".to_string()
        } else {
            escape(&u.path, Mode::Path)
        };
        if !path.is_empty() && !path.starts_with('/') && !u.host.is_empty() {
            buf.push('/');
        }
        if buf.is_empty() && path.split('/').next().unwrap_or("").contains(':') {
            buf.push_str("./");
        }
        buf.push_str(&path);
    }
    if u.force_query || !u.raw_query.is_empty() {
        buf.push('?');
        buf.push_str(&u.raw_query);
    }
    if !u.fragment.is_empty() {
        buf.push('#');
        buf.push_str(&escape(&u.fragment, Mode::Fragment));
    }
    buf
}
