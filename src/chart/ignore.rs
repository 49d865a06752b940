//! `.helmignore` rules (Helm's `pkg/ignore`), quirks included: `**` is rejected, a `!pattern`
//! rule ignores every path that does *not* match it, and `templates/.?*` is always added.

/// One parsed rule.
#[derive(Debug, Clone)]
struct Rule {
    pattern: String,
    /// The pattern's leading literal text: a name that does not start with it cannot match.
    prefix_len: usize,
    negate: bool,
    dir_only: bool,
    full_path: bool,
}

/// A parsed `.helmignore`.
#[derive(Debug, Clone, Default)]
pub struct Rules {
    rules: Vec<Rule>,
}

impl Rules {
    /// Parses the file's text.
    pub fn parse(text: &str) -> Result<Rules, String> {
        let mut rules = Rules::default();
        for (i, line) in text.lines().enumerate() {
            let line = if i == 0 {
                line.trim_start_matches('\u{feff}')
            } else {
                line
            };
            rules.add(line)?;
        }
        Ok(rules)
    }

    /// Adds Helm's default rule (`templates/.?*`).
    pub fn add_defaults(&mut self) {
        let _ = self.add("templates/.?*");
    }

    fn add(&mut self, line: &str) -> Result<(), String> {
        let mut p = line.trim();
        if p.is_empty() || p.starts_with('#') {
            return Ok(());
        }
        if p.contains("**") {
            return Err("double-star (**) syntax is not supported".into());
        }
        let mut rule = Rule {
            pattern: String::new(),
            prefix_len: 0,
            negate: false,
            dir_only: false,
            full_path: false,
        };
        if let Some(rest) = p.strip_prefix('!') {
            rule.negate = true;
            p = rest;
        }
        if let Some(rest) = p.strip_suffix('/') {
            rule.dir_only = true;
            p = rest;
        }
        if let Some(rest) = p.strip_prefix('/') {
            rule.full_path = true;
            p = rest;
        } else if p.contains('/') {
            rule.full_path = true;
        }
        if glob_match(p, "").is_err() {
            return Err(format!("syntax error in pattern: {p}"));
        }
        rule.pattern = p.to_string();
        rule.prefix_len = p.find(['*', '?', '[', '\\']).unwrap_or(p.len());
        self.rules.push(rule);
        Ok(())
    }

    /// Whether `path` (chart-relative, `/`-separated) is ignored.
    pub fn ignore(&self, path: &str, is_dir: bool) -> bool {
        if path.is_empty() || path == "." || path == "./" {
            return false;
        }
        for r in &self.rules {
            if r.dir_only && !is_dir {
                continue;
            }
            let target = if r.full_path {
                path
            } else {
                path.rsplit('/').next().unwrap_or(path)
            };
            // Most rules start with a literal (`.git`, `.*.swp`): a quick reject for most names.
            let matched = target.starts_with(&r.pattern[..r.prefix_len])
                && glob_match(&r.pattern, target).unwrap_or(false);
            // Helm's negation: a `!p` rule ignores everything that does not match p.
            if r.negate {
                if !matched {
                    return true;
                }
            } else if matched {
                return true;
            }
        }
        false
    }
}

/// Go's `filepath.Match`: `*` and `?` do not cross `/`, `[...]` classes, `\` escapes.
pub fn glob_match(pattern: &str, name: &str) -> Result<bool, String> {
    // The usual .helmignore lines (`.git/` as `.git`, `*.swp`, `*~`) need no backtracking;
    // patterns without `?`, `[` or `\\` cannot be malformed either.
    let is_meta = |c: char| matches!(c, '*' | '?' | '[' | '\\');
    if !pattern.contains(is_meta) {
        return Ok(pattern == name);
    }
    if let Some(suffix) = pattern.strip_prefix('*') {
        if !suffix.contains(is_meta) {
            return Ok(!name.contains('/') && name.ends_with(suffix));
        }
    }
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    match_from(&p, &n, 0)
}

fn match_from(p: &[char], n: &[char], depth: usize) -> Result<bool, String> {
    if depth > 1000 {
        return Ok(false);
    }
    let (mut pi, mut ni) = (0, 0);
    while pi < p.len() {
        match p[pi] {
            '*' => {
                while pi < p.len() && p[pi] == '*' {
                    pi += 1;
                }
                if pi == p.len() {
                    return Ok(!n[ni..].contains(&'/'));
                }
                let mut k = ni;
                loop {
                    if match_from(&p[pi..], &n[k..], depth + 1)? {
                        return Ok(true);
                    }
                    if k >= n.len() || n[k] == '/' {
                        // Still validate the rest of the pattern for syntax errors.
                        return match_from(&p[pi..], &[], depth + 1).map(|_| false);
                    }
                    k += 1;
                }
            }
            '?' => {
                if ni >= n.len() || n[ni] == '/' {
                    return check_rest(&p[pi + 1..]);
                }
                pi += 1;
                ni += 1;
            }
            '[' => {
                let (matched, next) = match_class(p, pi, n.get(ni).copied())?;
                if !matched || ni >= n.len() {
                    return check_rest(&p[next..]);
                }
                pi = next;
                ni += 1;
            }
            '\\' => {
                pi += 1;
                let Some(&c) = p.get(pi) else {
                    return Err("syntax error in pattern".into());
                };
                if n.get(ni) != Some(&c) {
                    return check_rest(&p[pi + 1..]);
                }
                pi += 1;
                ni += 1;
            }
            c => {
                if n.get(ni) != Some(&c) {
                    return check_rest(&p[pi + 1..]);
                }
                pi += 1;
                ni += 1;
            }
        }
    }
    Ok(ni == n.len())
}

/// Go reports a malformed pattern even after a mismatch.
fn check_rest(p: &[char]) -> Result<bool, String> {
    let mut i = 0;
    while i < p.len() {
        match p[i] {
            '[' => i = match_class(p, i, None)?.1,
            '\\' => i += 2,
            _ => i += 1,
        }
    }
    if p.last() == Some(&'\\') {
        return Err("syntax error in pattern".into());
    }
    Ok(false)
}

/// Matches a `[...]` class at `p[start]`; returns (matched, index after the class).
fn match_class(p: &[char], start: usize, c: Option<char>) -> Result<(bool, usize), String> {
    let bad = || "syntax error in pattern".to_string();
    let mut i = start + 1;
    let negated = p.get(i) == Some(&'^');
    if negated {
        i += 1;
    }
    let mut matched = false;
    let mut first = true;
    loop {
        let Some(&ch) = p.get(i) else {
            return Err(bad());
        };
        if ch == ']' && !first {
            i += 1;
            break;
        }
        first = false;
        let lo = if ch == '\\' {
            i += 1;
            *p.get(i).ok_or_else(bad)?
        } else {
            if ch == '-' || ch == ']' && first {
                return Err(bad());
            }
            ch
        };
        i += 1;
        let mut hi = lo;
        if p.get(i) == Some(&'-') && p.get(i + 1).is_some_and(|&x| x != ']') {
            i += 1;
            let h = p[i];
            hi = if h == '\\' {
                i += 1;
                *p.get(i).ok_or_else(bad)?
            } else {
                h
            };
            i += 1;
        }
        if let Some(c) = c {
            if lo <= c && c <= hi {
                matched = true;
            }
        }
    }
    Ok((matched != negated && c.is_some(), i))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shortcuts for literal and `*suffix` patterns agree with the general matcher.
    #[test]
    fn shortcuts_match_the_general_matcher() {
        let names = [
            "a.swp", "x/a.swp", "", "~", "a~", ".git", "b/.git", "swp", "*.swp", "é.swp",
        ];
        for pat in [
            "*.swp", "*~", "*", ".git", "a.swp", "*é.swp", "*/", "", "*.s/p",
        ] {
            for name in names {
                let p: Vec<char> = pat.chars().collect();
                let n: Vec<char> = name.chars().collect();
                assert_eq!(glob_match(pat, name), match_from(&p, &n, 0), "{pat} {name}");
            }
        }
    }

    #[test]
    fn basename_and_path_rules() {
        let r = Rules::parse("*.txt\n/top.md\nsub/\n# c\n").unwrap();
        assert!(r.ignore("a/b/c.txt", false));
        assert!(r.ignore("top.md", false));
        assert!(!r.ignore("x/top.md", false));
        assert!(r.ignore("sub", true));
        assert!(!r.ignore("sub", false));
    }

    #[test]
    fn negation_ignores_non_matches() {
        let r = Rules::parse("!g.txt\n").unwrap();
        assert!(r.ignore("Chart.yaml", false));
        assert!(!r.ignore("g.txt", false));
    }

    #[test]
    fn double_star_rejected() {
        assert!(Rules::parse("a/**/b").is_err());
    }

    #[test]
    fn filepath_match() {
        assert_eq!(glob_match("*.yaml", "a.yaml"), Ok(true));
        assert_eq!(glob_match("*", "a/b"), Ok(false));
        assert_eq!(glob_match("templates/.?*", "templates/.x"), Ok(true));
        assert_eq!(glob_match("[a-c]x", "bx"), Ok(true));
        assert_eq!(glob_match("[^a-c]x", "bx"), Ok(false));
        assert!(glob_match("[", "x").is_err());
    }
}
