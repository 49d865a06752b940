//! Semantic versions and version constraints with the exact semantics of Masterminds/semver
//! v3.3.0, the library behind sprig's `semver`/`semverCompare`, Chart.yaml dependency ranges and
//! the `kubeVersion` check.
//!
//! Masterminds defines its grammar with regular expressions (lenient `1`, `1.2`, `v1.2.3`
//! versions; `x`/`X`/`*` wildcards; hyphen ranges; `,`/space = AND, `||` = OR). The same
//! expressions are used here with the `regex` crate, whose leftmost-first matching is the same
//! as Go's RE2, so odd inputs are accepted or rejected exactly as Helm does.
//!
//! ```
//! use rudder::semver::{Constraints, Version};
//! let c = Constraints::parse("^1.2").unwrap();
//! assert!(c.check(&Version::parse("1.3.0").unwrap()));
//! ```

mod items;
mod split;

use regex::Regex;
use split::split_version;
use std::cmp::Ordering;
use std::fmt;
use std::sync::OnceLock;

/// Go's `\s` (RE2): ASCII whitespace without `\v`.
const WS: &str = r"[\t\n\f\r ]";

/// The version part of a constraint (Masterminds `cvRegex`); the `|` inside the brackets is a
/// literal `|`, a quirk kept on purpose.
const CV: &str = r"v?([0-9|xX*]+)(\.[0-9|xX*]+)?(\.[0-9|xX*]+)?(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?";

/// The constraint operators, in Masterminds' alternation order (leftmost-first matters).
const OPS: &str = r"=||!=|>|<|>=|=>|<=|=<|~|~>|\^";

/// Masterminds `semVerRegex` (matched by hand in `split_version`; the test compares the two).
#[cfg(test)]
const SV: &str = r"v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?";

/// The compiled expressions, built once.
struct Regexes {
    constraint: Regex,
    range: Regex,
    find: Regex,
    valid: Regex,
}

fn regexes() -> Option<&'static Regexes> {
    static R: OnceLock<Option<Regexes>> = OnceLock::new();
    R.get_or_init(|| {
        let ws = WS;
        Some(Regexes {
            constraint: Regex::new(&format!("^{ws}*({OPS}){ws}*({CV}){ws}*$")).ok()?,
            range: Regex::new(&format!("{ws}*({CV}){ws}+-{ws}+({CV}){ws}*")).ok()?,
            find: Regex::new(&format!("({OPS}){ws}*({CV})")).ok()?,
            valid: Regex::new(&format!(
                "^({ws}*({OPS}){ws}*({CV}){ws}*)((?:{ws}+|,{ws}*)({OPS}){ws}*({CV}){ws}*)*$"
            ))
            .ok()?,
        })
    })
    .as_ref()
}

/// The error text of an unparsable version (Helm 3 spelling).
pub const ERR_INVALID_SEMVER: &str = "Invalid Semantic Version";

/// A parsed semantic version (Masterminds `Version`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Version {
    /// Major number.
    pub major: u64,
    /// Minor number (0 when omitted).
    pub minor: u64,
    /// Patch number (0 when omitted).
    pub patch: u64,
    /// Pre-release part without the `-`.
    pub pre: String,
    /// Build metadata without the `+`.
    pub metadata: String,
    /// The text it was parsed from.
    pub original: String,
}

/// Parses a version leniently (Masterminds `NewVersion`); shorthand for [`Version::parse`].
pub fn parse_version(s: &str) -> Result<Version, String> {
    Version::parse(s)
}

fn parse_segment(s: &str) -> Result<u64, String> {
    s.parse::<u64>().map_err(|_| {
        format!(
            "Error parsing version segment: strconv.ParseUint: parsing \"{s}\": value out of range"
        )
    })
}

fn all_in(s: &str, pred: impl Fn(u8) -> bool) -> bool {
    s.bytes().all(pred)
}

fn is_allowed(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-'
}

fn validate_prerelease(p: &str) -> Result<(), String> {
    for part in p.split('.') {
        if all_in(part, |b| b.is_ascii_digit()) {
            if part.len() > 1 && part.starts_with('0') {
                return Err("Version segment starts with 0".into());
            }
        } else if !all_in(part, is_allowed) {
            return Err("Invalid Prerelease string".into());
        }
    }
    Ok(())
}

fn validate_metadata(m: &str) -> Result<(), String> {
    if m.split('.').all(|p| all_in(p, is_allowed)) {
        Ok(())
    } else {
        Err("Invalid Metadata string".into())
    }
}

impl Version {
    /// Parses `1`, `1.2`, `v1.2.3`, `1.2.3-beta.1+build` (Masterminds `NewVersion`).
    pub fn parse(s: &str) -> Result<Version, String> {
        let [major, minor, patch, pre, metadata] = split_version(s).ok_or(ERR_INVALID_SEMVER)?;
        let major = parse_segment(major)?;
        let minor = match minor {
            "" => 0,
            g => parse_segment(g)?,
        };
        let patch = match patch {
            "" => 0,
            g => parse_segment(g)?,
        };
        let pre = pre.to_string();
        let metadata = metadata.to_string();
        if !pre.is_empty() {
            validate_prerelease(&pre)?;
        }
        if !metadata.is_empty() {
            validate_metadata(&metadata)?;
        }
        Ok(Version {
            major,
            minor,
            patch,
            pre,
            metadata,
            original: s.to_string(),
        })
    }

    /// Builds a version from parts (Masterminds `New`); `original` is the canonical text.
    pub fn new(major: u64, minor: u64, patch: u64, pre: &str, metadata: &str) -> Version {
        let mut v = Version {
            major,
            minor,
            patch,
            pre: pre.into(),
            metadata: metadata.into(),
            original: String::new(),
        };
        v.original = v.to_string();
        v
    }

    /// Compares by precedence (metadata ignored): -1, 0 or 1 as Go's `Compare`.
    pub fn compare(&self, o: &Version) -> Ordering {
        self.major
            .cmp(&o.major)
            .then(self.minor.cmp(&o.minor))
            .then(self.patch.cmp(&o.patch))
            .then_with(|| match (self.pre.is_empty(), o.pre.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => compare_prerelease(&self.pre, &o.pre),
            })
    }

    fn v_prefix(&self) -> &'static str {
        if self.original.starts_with('v') {
            "v"
        } else {
            ""
        }
    }

    fn with_original(mut self, prefix: &str) -> Version {
        self.original = format!("{prefix}{self}");
        self
    }

    /// Next patch version (a pre-release just drops its pre-release part).
    pub fn inc_patch(&self) -> Version {
        let mut n = self.clone();
        n.metadata.clear();
        if self.pre.is_empty() {
            n.patch = self.patch.wrapping_add(1);
        }
        n.pre.clear();
        n.with_original(self.v_prefix())
    }

    /// Next minor version.
    pub fn inc_minor(&self) -> Version {
        let mut n = self.clone();
        n.metadata.clear();
        n.pre.clear();
        n.patch = 0;
        n.minor = self.minor.wrapping_add(1);
        n.with_original(self.v_prefix())
    }

    /// Next major version.
    pub fn inc_major(&self) -> Version {
        let mut n = self.clone();
        n.metadata.clear();
        n.pre.clear();
        n.patch = 0;
        n.minor = 0;
        n.major = self.major.wrapping_add(1);
        n.with_original(self.v_prefix())
    }
}

impl fmt::Display for Version {
    /// The canonical form `1.2.3[-pre][+meta]` (Go's `String`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        if !self.pre.is_empty() {
            write!(f, "-{}", self.pre)?;
        }
        if !self.metadata.is_empty() {
            write!(f, "+{}", self.metadata)?;
        }
        Ok(())
    }
}

fn compare_prerelease(a: &str, b: &str) -> Ordering {
    let ap: Vec<&str> = a.split('.').collect();
    let bp: Vec<&str> = b.split('.').collect();
    for i in 0..ap.len().max(bp.len()) {
        let x = ap.get(i).copied().unwrap_or("");
        let y = bp.get(i).copied().unwrap_or("");
        let d = compare_pre_part(x, y);
        if d != Ordering::Equal {
            return d;
        }
    }
    Ordering::Equal
}

fn compare_pre_part(s: &str, o: &str) -> Ordering {
    if s == o {
        return Ordering::Equal;
    }
    if s.is_empty() {
        return Ordering::Less;
    }
    if o.is_empty() {
        return Ordering::Greater;
    }
    match (s.parse::<u64>(), o.parse::<u64>()) {
        (Err(_), Err(_)) => s.cmp(o),
        // Numeric identifiers sort before alphanumeric ones.
        (Err(_), Ok(_)) => Ordering::Greater,
        (Ok(_), Err(_)) => Ordering::Less,
        (Ok(x), Ok(y)) => {
            if x > y {
                Ordering::Greater
            } else {
                Ordering::Less
            }
        }
    }
}

/// The operator of one constraint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    TildeOrEqual,
    NotEqual,
    Greater,
    Less,
    GreaterEqual,
    LessEqual,
    Tilde,
    Caret,
}

impl Op {
    fn from_str(s: &str) -> Op {
        match s {
            "!=" => Op::NotEqual,
            ">" => Op::Greater,
            "<" => Op::Less,
            ">=" | "=>" => Op::GreaterEqual,
            "<=" | "=<" => Op::LessEqual,
            "~" | "~>" => Op::Tilde,
            "^" => Op::Caret,
            _ => Op::TildeOrEqual,
        }
    }
}

/// One comparison such as `>=1.2` (Masterminds `constraint`).
#[derive(Clone, Debug)]
struct Constraint {
    con: Version,
    orig: String,
    op_text: String,
    op: Op,
    minor_dirty: bool,
    patch_dirty: bool,
    dirty: bool,
}

fn is_x(s: &str) -> bool {
    matches!(s, "x" | "X" | "*")
}

impl Constraint {
    fn parse(c: &str) -> Result<Constraint, String> {
        if c.is_empty() {
            // An empty constraint means "any" (>= 0.0.0).
            return Ok(Constraint {
                con: Version::new(0, 0, 0, "", ""),
                orig: String::new(),
                op_text: String::new(),
                op: Op::TildeOrEqual,
                minor_dirty: false,
                patch_dirty: false,
                dirty: true,
            });
        }
        let re = regexes().ok_or("semver: regex unavailable")?;
        let m = re
            .constraint
            .captures(c)
            .ok_or_else(|| format!("improper constraint: {c}"))?;
        let g = |i: usize| m.get(i).map_or("", |x| x.as_str());
        Constraint::from_caps(&items::Caps {
            op: g(1),
            cv: g(2),
            major: g(3),
            minor: g(4),
            patch: g(5),
            pre: g(6),
        })
    }

    /// Builds a constraint from the expression's captures (Masterminds `parseConstraint`).
    fn from_caps(m: &items::Caps<'_>) -> Result<Constraint, String> {
        let (mut minor_dirty, mut patch_dirty, mut dirty) = (false, false, false);
        let ver = if is_x(m.major) || m.major.is_empty() {
            dirty = true;
            format!("0.0.0{}", m.pre)
        } else if is_x(m.minor.trim_start_matches('.')) || m.minor.is_empty() {
            minor_dirty = true;
            dirty = true;
            format!("{}.0.0{}", m.major, m.pre)
        } else if is_x(m.patch.trim_start_matches('.')) || m.patch.is_empty() {
            dirty = true;
            patch_dirty = true;
            format!("{}{}.0{}", m.major, m.minor, m.pre)
        } else {
            m.cv.to_string()
        };
        let con = Version::parse(&ver).map_err(|_| "constraint Parser Error".to_string())?;
        Ok(Constraint {
            con,
            orig: m.cv.to_string(),
            op_text: m.op.to_string(),
            op: Op::from_str(m.op),
            minor_dirty,
            patch_dirty,
            dirty,
        })
    }

    fn check(&self, v: &Version) -> bool {
        // Pre-release versions only satisfy constraints that carry a pre-release themselves
        // (Masterminds issue 21); `!=` applies this only to wildcard constraints.
        let pre_blocked = !v.pre.is_empty() && self.con.pre.is_empty();
        let c = &self.con;
        match self.op {
            Op::NotEqual => {
                if self.dirty {
                    if pre_blocked {
                        return false;
                    }
                    if c.major != v.major {
                        return true;
                    }
                    if c.minor != v.minor && !self.minor_dirty {
                        return true;
                    } else if self.minor_dirty {
                        return false;
                    } else if c.patch != v.patch && !self.patch_dirty {
                        return true;
                    } else if self.patch_dirty {
                        if !v.pre.is_empty() || !c.pre.is_empty() {
                            return compare_prerelease(&v.pre, &c.pre) != Ordering::Equal;
                        }
                        return false;
                    }
                }
                v.compare(c) != Ordering::Equal
            }
            _ if pre_blocked => false,
            Op::Greater => {
                if !self.dirty {
                    return v.compare(c) == Ordering::Greater;
                }
                if v.major > c.major {
                    true
                } else if v.major < c.major || self.minor_dirty {
                    false
                } else if self.patch_dirty {
                    v.minor > c.minor
                } else {
                    v.compare(c) == Ordering::Greater
                }
            }
            Op::Less => v.compare(c) == Ordering::Less,
            Op::GreaterEqual => v.compare(c) != Ordering::Less,
            Op::LessEqual => {
                if !self.dirty {
                    return v.compare(c) != Ordering::Greater;
                }
                !(v.major > c.major
                    || (v.major == c.major && v.minor > c.minor && !self.minor_dirty))
            }
            Op::Tilde => self.tilde(v),
            Op::TildeOrEqual => {
                if self.dirty {
                    self.tilde(v)
                } else {
                    v.compare(c) == Ordering::Equal
                }
            }
            Op::Caret => self.caret(v),
        }
    }

    fn tilde(&self, v: &Version) -> bool {
        let c = &self.con;
        if v.compare(c) == Ordering::Less {
            return false;
        }
        if c.major == 0 && c.minor == 0 && c.patch == 0 && !self.minor_dirty && !self.patch_dirty {
            return true;
        }
        if v.major != c.major {
            return false;
        }
        v.minor == c.minor || self.minor_dirty
    }

    fn caret(&self, v: &Version) -> bool {
        let c = &self.con;
        if v.compare(c) == Ordering::Less {
            return false;
        }
        if c.major > 0 || self.minor_dirty {
            return v.major == c.major;
        }
        if v.major > 0 {
            return false;
        }
        if c.minor > 0 || self.patch_dirty {
            return v.minor == c.minor;
        }
        if v.minor > 0 {
            return false;
        }
        c.patch == v.patch
    }
}

/// A parsed constraint expression: an OR of ANDs (Masterminds `Constraints`).
#[derive(Clone, Debug)]
pub struct Constraints {
    ors: Vec<Vec<Constraint>>,
}

/// Rewrites hyphen ranges `a - b` into `>= a, <= b ` (Masterminds `rewriteRange`).
fn rewrite_range(re: &Regexes, s: &str) -> String {
    let mut out = s.to_string();
    for m in re.range.captures_iter(s) {
        let whole = m.get(0).map_or("", |x| x.as_str());
        let a = m.get(1).map_or("", |x| x.as_str());
        let b = m.get(11).map_or("", |x| x.as_str());
        out = out.replacen(whole, &format!(">= {a}, <= {b} "), 1);
    }
    out
}

impl Constraints {
    /// Parses a constraint string (Masterminds `NewConstraint`); errors read
    /// `improper constraint: <segment>`.
    pub fn parse(s: &str) -> Result<Constraints, String> {
        if let Some(items) = items::plain_constraints(s) {
            let ands = items
                .iter()
                .map(Constraint::from_caps)
                .collect::<Result<Vec<_>, _>>()?;
            return Ok(Constraints { ors: vec![ands] });
        }
        Self::parse_by_expressions(s)
    }

    /// The general path: Masterminds' expressions.
    fn parse_by_expressions(s: &str) -> Result<Constraints, String> {
        let re = regexes().ok_or("semver: regex unavailable")?;
        let s = rewrite_range(re, s);
        let mut ors = Vec::new();
        for seg in s.split("||") {
            if !re.valid.is_match(seg) {
                return Err(format!("improper constraint: {seg}"));
            }
            let found: Vec<&str> = re.find.find_iter(seg).map(|m| m.as_str()).collect();
            let parts = if found.is_empty() { vec![seg] } else { found };
            let ands = parts
                .into_iter()
                .map(Constraint::parse)
                .collect::<Result<Vec<_>, _>>()?;
            ors.push(ands);
        }
        Ok(Constraints { ors })
    }

    /// Whether `v` satisfies the constraints.
    pub fn check(&self, v: &Version) -> bool {
        self.ors.iter().any(|ands| ands.iter().all(|c| c.check(v)))
    }
}

impl fmt::Display for Constraints {
    /// Masterminds `String`: ANDs joined by spaces, ORs by ` || `.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ors: Vec<String> = self
            .ors
            .iter()
            .map(|ands| {
                ands.iter()
                    .map(|c| format!("{}{}", c.op_text, c.orig))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        f.write_str(&ors.join(" || "))
    }
}

/// sprig's `semverCompare`: parses both and checks.
pub fn satisfies(constraint: &str, version: &str) -> Result<bool, String> {
    let c = Constraints::parse(constraint)?;
    let v = Version::parse(version)?;
    Ok(c.check(&v))
}

/// Helm's `IsCompatibleRange`: false when either side does not parse.
pub fn is_compatible_range(constraint: &str, version: &str) -> bool {
    satisfies(constraint, version).unwrap_or(false)
}

#[cfg(test)]
mod tests;
