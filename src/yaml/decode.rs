//! Node tree to [`Value`], the way `sigs.k8s.io/yaml.Unmarshal` gets there: go-yaml v2 decodes
//! into Go values (YAML 1.1 resolution, merge keys, duplicate keys last-wins), map keys are
//! converted to strings (bools `"true"`, ints decimal, floats float32 `%g`), the result goes
//! through `encoding/json` (every number becomes a float64, NaN/Inf fail) and is decoded into
//! the target type.

use super::load::Node;
use super::ordered::OrderedMap;
use super::resolve::{resolve_plain, Resolved};
use crate::template::value::Value;
use std::rc::Rc;

/// go-yaml v2's alias expansion limits: up to 400k decode operations 99% may come from
/// aliases, scaling down to 10% at 4M, so alias bombs ("billion laughs") fail early.
const ALIAS_RATIO_LOW: usize = 400_000;
const ALIAS_RATIO_HIGH: usize = 4_000_000;

fn allowed_alias_ratio(decode_count: usize) -> f64 {
    if decode_count <= ALIAS_RATIO_LOW {
        0.99
    } else if decode_count >= ALIAS_RATIO_HIGH {
        0.10
    } else {
        0.99 - 0.89
            * ((decode_count - ALIAS_RATIO_LOW) as f64
                / (ALIAS_RATIO_HIGH - ALIAS_RATIO_LOW) as f64)
    }
}

/// A value as go-yaml v2 decodes it into `interface{}`.
#[derive(Clone, Debug, PartialEq)]
pub enum GoVal {
    /// nil
    Nil,
    /// bool
    Bool(bool),
    /// int / int64
    Int(i64),
    /// uint64
    Uint(u64),
    /// float64
    Float(f64),
    /// string
    Str(String),
    /// []interface{}
    Seq(Vec<GoVal>),
    /// map[interface{}]interface{} in insertion order (keys unique by Go equality)
    Map(Vec<(GoVal, GoVal)>),
}

struct Decoder {
    decode_count: usize,
    alias_count: usize,
    alias_depth: usize,
}

const TAG_PREFIX: &str = "tag:yaml.org,2002:";

impl Decoder {
    /// go-yaml's per-node accounting in `decoder.unmarshal`.
    fn visit(&mut self) -> Result<(), String> {
        self.decode_count += 1;
        if self.alias_depth > 0 {
            self.alias_count += 1;
        }
        if self.alias_count > 100
            && self.decode_count > 1000
            && self.alias_count as f64 / self.decode_count as f64
                > allowed_alias_ratio(self.decode_count)
        {
            return Err("yaml: document contains excessive aliasing".into());
        }
        Ok(())
    }

    fn node(&mut self, n: &Rc<Node>) -> Result<GoVal, String> {
        self.visit()?;
        match &**n {
            Node::Alias(target) => {
                self.alias_depth += 1;
                let v = self.node(target);
                self.alias_depth -= 1;
                v
            }
            Node::Scalar { value, plain, tag } => scalar(value, *plain, tag.as_deref()),
            Node::Seq(items) => Ok(GoVal::Seq(
                items
                    .iter()
                    .map(|i| self.node(i))
                    .collect::<Result<_, _>>()?,
            )),
            Node::Map(items) => {
                let mut out = OrderedMap::default();
                self.mapping(items, &mut out)?;
                Ok(GoVal::Map(out.into_items()))
            }
        }
    }

    fn mapping(
        &mut self,
        items: &[(Rc<Node>, Rc<Node>)],
        out: &mut OrderedMap,
    ) -> Result<(), String> {
        for (k, v) in items {
            if is_merge(k) {
                self.merge(v, out)?;
                continue;
            }
            let key = self.node(k)?;
            if matches!(key, GoVal::Seq(_) | GoVal::Map(_)) {
                return Err(format!("yaml: invalid map key: {}", go_sharp_v(&key)));
            }
            let val = self.node(v)?;
            out.insert(key, val);
        }
        Ok(())
    }

    fn merge(&mut self, v: &Rc<Node>, out: &mut OrderedMap) -> Result<(), String> {
        match &**v {
            Node::Map(_) | Node::Alias(_) => self.merge_one(v, out),
            Node::Seq(seq) => {
                // Earlier maps take precedence, so merge them last.
                for item in seq.iter().rev() {
                    self.merge_one(item, out)?;
                }
                Ok(())
            }
            Node::Scalar { .. } => Err(WANT_MAP.into()),
        }
    }

    /// Merges one mapping (or alias of one) into `out`, counting nodes like go-yaml.
    fn merge_one(&mut self, n: &Rc<Node>, out: &mut OrderedMap) -> Result<(), String> {
        self.visit()?;
        match &**n {
            Node::Map(items) => self.mapping(items, out),
            Node::Alias(target) => match &**target {
                Node::Map(items) => {
                    self.alias_depth += 1;
                    let r = self.visit().and_then(|()| self.mapping(items, out));
                    self.alias_depth -= 1;
                    r
                }
                _ => Err(WANT_MAP.into()),
            },
            _ => Err(WANT_MAP.into()),
        }
    }
}

const WANT_MAP: &str = "yaml: map merge requires map or sequence of maps as the value";

fn is_merge(n: &Node) -> bool {
    match n {
        Node::Scalar { value, plain, tag } => {
            value == "<<"
                && ((*plain && tag.is_none()) || tag.as_deref() == Some("tag:yaml.org,2002:merge"))
        }
        _ => false,
    }
}

pub(super) fn resolved_to_go(r: Resolved, value: &str) -> GoVal {
    match r {
        Resolved::Null => GoVal::Nil,
        Resolved::Bool(b) => GoVal::Bool(b),
        Resolved::Int(i) => GoVal::Int(i),
        Resolved::Uint(u) => GoVal::Uint(u),
        Resolved::Float(f) => GoVal::Float(f),
        // Timestamps decode to their original text (go-yaml v2 compatibility rule).
        Resolved::Timestamp | Resolved::Merge | Resolved::Str => GoVal::Str(value.to_string()),
    }
}

fn tag_name(r: &Resolved) -> &'static str {
    match r {
        Resolved::Null => "!!null",
        Resolved::Bool(_) => "!!bool",
        Resolved::Int(_) | Resolved::Uint(_) => "!!int",
        Resolved::Float(_) => "!!float",
        Resolved::Timestamp => "!!timestamp",
        Resolved::Merge => "!!merge",
        Resolved::Str => "!!str",
    }
}

fn scalar(value: &str, plain: bool, tag: Option<&str>) -> Result<GoVal, String> {
    let Some(tag) = tag else {
        return Ok(if plain {
            resolved_to_go(resolve_plain(value), value)
        } else {
            GoVal::Str(value.to_string())
        });
    };
    let Some(short) = tag.strip_prefix(TAG_PREFIX) else {
        // Local and non-specific tags are not resolvable: the text stays a string.
        return Ok(GoVal::Str(value.to_string()));
    };
    match short {
        "str" => Ok(GoVal::Str(value.to_string())),
        "binary" => match base64_decode(value) {
            Some(bytes) => Ok(GoVal::Str(lossy_per_byte(&bytes))),
            None => Err("yaml: !!binary value contains invalid base64 data".into()),
        },
        "int" | "float" | "bool" | "null" | "timestamp" => {
            let r = resolve_plain(value);
            let want = format!("!!{short}");
            if tag_name(&r) == want {
                return Ok(resolved_to_go(r, value));
            }
            match (short, &r) {
                ("float", Resolved::Int(i)) => Ok(GoVal::Float(*i as f64)),
                ("float", Resolved::Uint(u)) => Ok(GoVal::Float(*u as f64)),
                _ => Err(format!(
                    "yaml: cannot decode {} `{value}` as a {want}",
                    tag_name(&r)
                )),
            }
        }
        _ => Ok(GoVal::Str(value.to_string())),
    }
}

/// Bytes to a string the way `encoding/json` writes them: each invalid byte becomes U+FFFD.
pub fn lossy_per_byte(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        for _ in chunk.invalid() {
            out.push('\u{fffd}');
        }
    }
    out
}

/// Go's `base64.StdEncoding.DecodeString` (padded standard alphabet; `\r`/`\n` ignored).
pub fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let mut vals = Vec::with_capacity(s.len());
    let mut pad = 0;
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'\r' | b'\n' => continue,
            b'=' => {
                pad += 1;
                continue;
            }
            _ => return None,
        };
        if pad > 0 {
            return None;
        }
        vals.push(v);
    }
    if (vals.len() + pad) % 4 != 0 || pad > 2 || (vals.len() % 4 == 1) {
        return None;
    }
    let mut out = Vec::with_capacity(vals.len() * 3 / 4);
    for chunk in vals.chunks(4) {
        let mut n: u32 = 0;
        for (i, v) in chunk.iter().enumerate() {
            n |= u32::from(*v) << (18 - 6 * i as u32);
        }
        let bytes = n.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    Some(out)
}

/// Go's `%+#v` of a decoded value, for sigs.k8s.io/yaml's unsupported-key error.
fn go_sharp_v(v: &GoVal) -> String {
    match v {
        GoVal::Nil => "<nil>".into(),
        other => go_sharp_v_nested(other),
    }
}

/// `%#v` of a value inside a collection: nil shows its interface type, map keys are sorted
/// the way Go's fmt sorts them (nil first, then by type, then by value).
fn go_sharp_v_nested(v: &GoVal) -> String {
    match v {
        GoVal::Nil => "interface {}(nil)".into(),
        GoVal::Bool(b) => b.to_string(),
        GoVal::Int(i) => i.to_string(),
        GoVal::Uint(u) => format!("0x{u:x}"),
        GoVal::Float(f) => crate::template::format::format_float_g(*f),
        GoVal::Str(s) => format!("{s:?}"),
        GoVal::Seq(items) => {
            let parts: Vec<String> = items.iter().map(go_sharp_v_nested).collect();
            format!("[]interface {{}}{{{}}}", parts.join(", "))
        }
        GoVal::Map(items) => {
            let mut sorted: Vec<&(GoVal, GoVal)> = items.iter().collect();
            sorted.sort_by_key(|(k, _)| fmt_key_rank(k));
            let parts: Vec<String> = sorted
                .iter()
                .map(|(k, v)| format!("{}:{}", go_sharp_v_nested(k), go_sharp_v_nested(v)))
                .collect();
            format!("map[interface {{}}]interface {{}}{{{}}}", parts.join(", "))
        }
    }
}

/// Sort rank for fmt's map-key order: nil, then a per-type rank, then the value.
fn fmt_key_rank(k: &GoVal) -> (u8, i128, String) {
    match k {
        GoVal::Nil => (0, 0, String::new()),
        GoVal::Int(i) => (1, i128::from(*i), String::new()),
        GoVal::Uint(u) => (2, i128::from(*u), String::new()),
        GoVal::Float(f) => (3, 0, format!("{:020.6}", f)),
        GoVal::Str(s) => (4, 0, s.clone()),
        GoVal::Bool(b) => (5, i128::from(*b), String::new()),
        GoVal::Seq(_) | GoVal::Map(_) => (6, 0, String::new()),
    }
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 32)` (sigs.k8s.io/yaml formats float keys so).
fn format_float32_g(f: f64) -> String {
    let x = f as f32;
    if x.is_nan() {
        return "NaN".into();
    }
    if x.is_infinite() {
        return if x > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    if x == 0.0 {
        return if x.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        };
    }
    let s = format!("{:e}", x.abs());
    let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let digits: String = mant.chars().filter(|c| c.is_ascii_digit()).collect();
    let exp: i32 = exp.parse().unwrap_or(0);
    let mut out = String::new();
    if x < 0.0 {
        out.push('-');
    }
    if !(-4..6).contains(&exp) {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push_str(&format!(
            "e{}{:02}",
            if exp < 0 { '-' } else { '+' },
            exp.abs()
        ));
    } else {
        out.push_str(&crate::template::format::plain_decimal(&digits, exp));
    }
    out
}

/// The JSON detour: Go value to template value, converting keys.
fn to_value(v: GoVal) -> Result<Value, String> {
    Ok(match v {
        GoVal::Nil => Value::Nil,
        GoVal::Bool(b) => Value::Bool(b),
        GoVal::Int(i) => Value::Float(i as f64),
        GoVal::Uint(u) => Value::Float(u as f64),
        GoVal::Float(f) => Value::Float(f),
        GoVal::Str(s) => Value::string(s),
        GoVal::Seq(items) => {
            Value::list(items.into_iter().map(to_value).collect::<Result<_, _>>()?)
        }
        GoVal::Map(items) => {
            // Collected, then sorted once (inserting unsorted keys one by one shifts entries).
            let mut m = Vec::with_capacity(items.len());
            for (k, v) in items {
                let key = match &k {
                    GoVal::Str(s) => s.clone(),
                    GoVal::Int(i) => i.to_string(),
                    GoVal::Float(f) => match format_float32_g(*f).as_str() {
                        "+Inf" => ".inf".into(),
                        "-Inf" => "-.inf".into(),
                        "NaN" => ".nan".into(),
                        s => s.to_string(),
                    },
                    GoVal::Bool(b) => b.to_string(),
                    GoVal::Nil => {
                        return Err(format!(
                            "unsupported map key of type: %!s(<nil>), key: <nil>, value: {}",
                            go_sharp_v(&v)
                        ))
                    }
                    GoVal::Uint(_) => {
                        return Err(format!(
                            "unsupported map key of type: uint64, key: {}, value: {}",
                            go_sharp_v(&k),
                            go_sharp_v(&v)
                        ))
                    }
                    other => return Err(format!("yaml: invalid map key: {}", go_sharp_v(other))),
                };
                m.push((key, to_value(v)?));
            }
            Value::map(m.into_iter().collect())
        }
    })
}

/// The first NaN/Inf in `encoding/json` order (sorted keys), as json.Marshal reports it.
fn check_finite(v: &Value) -> Result<(), String> {
    match v {
        Value::Float(f) if !f.is_finite() => Err(format!(
            "json: unsupported value: {}",
            crate::template::format::format_float_g(*f)
        )),
        Value::List(l) => l.items.iter().try_for_each(check_finite),
        Value::Map(m) => m.read().values().try_for_each(check_finite),
        _ => Ok(()),
    }
}

/// Decodes a parsed document into go-yaml v2's Go values (before the JSON detour), for
/// callers that decode into typed targets (Chart.yaml fields). `None` = empty document.
/// Errors carry sigs.k8s.io/yaml's `error converting YAML to JSON: ` prefix.
pub fn decode_go(root: Option<Rc<Node>>) -> Result<Option<GoVal>, String> {
    let Some(root) = root else { return Ok(None) };
    // The document node itself counts as one decode operation.
    let mut d = Decoder {
        decode_count: 1,
        alias_count: 0,
        alias_depth: 0,
    };
    d.node(&root)
        .map(Some)
        .map_err(|e| format!("error converting YAML to JSON: {e}"))
}

/// The JSON detour of sigs.k8s.io/yaml for an `interface{}` target: keys to strings, every
/// number a float64, NaN/Inf rejected. Errors carry the `error converting YAML to JSON: `
/// prefix.
pub fn go_to_value(go: GoVal) -> Result<Value, String> {
    let v = to_value(go).map_err(|e| format!("error converting YAML to JSON: {e}"))?;
    check_finite(&v).map_err(|e| format!("error converting YAML to JSON: {e}"))?;
    Ok(v)
}

/// What sigs.k8s.io/yaml stores for a scalar decoded into a Go `string` field: numbers and
/// bools become text (floats via float32 `%g`, so `1.10` → `1.1`), strings stay, anything
/// else (`None`) is left for encoding/json to reject.
pub fn go_scalar_as_string(v: &GoVal) -> Option<String> {
    match v {
        GoVal::Str(s) => Some(s.clone()),
        GoVal::Int(i) => Some(i.to_string()),
        GoVal::Uint(u) => Some(u.to_string()),
        GoVal::Float(f) => Some(format_float32_g(*f)),
        GoVal::Bool(b) => Some(b.to_string()),
        GoVal::Nil | GoVal::Seq(_) | GoVal::Map(_) => None,
    }
}

/// Decodes a parsed document into a template value (`Value::Nil` for an empty document).
/// Errors carry sigs.k8s.io/yaml's `error converting YAML to JSON: ` prefix.
pub fn decode_document(root: Option<Rc<Node>>) -> Result<Value, String> {
    match decode_go(root)? {
        None => Ok(Value::Nil),
        Some(go) => go_to_value(go),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_targets() {
        assert_eq!(
            go_scalar_as_string(&GoVal::Float(1.10)).as_deref(),
            Some("1.1")
        );
        assert_eq!(
            go_scalar_as_string(&GoVal::Int(12345678901)).as_deref(),
            Some("12345678901")
        );
        assert_eq!(
            go_scalar_as_string(&GoVal::Bool(false)).as_deref(),
            Some("false")
        );
        assert_eq!(go_scalar_as_string(&GoVal::Nil), None);
    }

    #[test]
    fn float32_keys() {
        assert_eq!(format_float32_g(0.1), "0.1");
        assert_eq!(format_float32_g(1e3), "1000");
        assert_eq!(format_float32_g(1e20), "1e+20");
        assert_eq!(format_float32_g(1.5), "1.5");
    }

    #[test]
    fn alias_bomb_fails_fast() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let root = super::super::load::parse_first_document(&text).unwrap();
        let err = decode_document(root).unwrap_err();
        assert!(err.contains("excessive aliasing"), "{err}");
    }

    #[test]
    fn merge_keys_in_order() {
        let root = super::super::load::parse_first_document(
            "a: &a {x: 1, w: 1}\nb: &b {w: 2, z: 2}\nc:\n  x: 0\n  <<: [*a, *b]\n",
        )
        .unwrap();
        let v = decode_document(root).unwrap();
        let c = v.as_map().unwrap().get("c").unwrap();
        let c = c.as_map().unwrap();
        // Merged after `x: 0`, so the merge wins; *a wins over *b for w (`y` would be the key "true").
        assert!(matches!(c.get("x"), Some(Value::Float(f)) if f == 1.0));
        assert!(matches!(c.get("w"), Some(Value::Float(f)) if f == 1.0));
        assert!(matches!(c.get("z"), Some(Value::Float(f)) if f == 2.0));
    }

    #[test]
    fn base64() {
        assert_eq!(base64_decode("aGVsbG8=").unwrap(), b"hello");
        assert_eq!(base64_decode("aGk=").unwrap(), b"hi");
        assert!(base64_decode("aGk").is_none());
        assert!(base64_decode("a$==").is_none());
        assert_eq!(
            lossy_per_byte(&[0x61, 0xe2, 0x82, 0x62]),
            "a\u{fffd}\u{fffd}b"
        );
    }
}

#[cfg(test)]
mod deep_tests {
    #[test]
    fn deep_nesting_does_not_overflow() {
        for n in [5_000usize, 20_000] {
            let flow = format!("a: {}{}\n", "[".repeat(n), "]".repeat(n));
            let _ = crate::yaml::load_values(&flow);
            let mut block = String::new();
            for i in 0..n.min(3000) {
                block.push_str(&" ".repeat(i));
                block.push_str("k:\n");
            }
            let _ = crate::yaml::load_values(&block);
        }
        // Just inside the limit: load, emit and drop without overflowing. (yaml-rust2 caps
        // flow nesting at 255 levels itself, so go deep with block mappings.)
        let mut text = String::new();
        for i in 0..900 {
            text.push_str(&" ".repeat(i));
            text.push_str("k:\n");
        }
        let v = crate::yaml::load_values(&text).unwrap();
        assert!(crate::yaml::to_yaml(&v).is_ok());
        assert!(crate::yaml::to_yaml_pretty(&v).is_ok());
        assert!(crate::yaml::to_json(&v, true, Some("  ")).is_ok());
    }
}
