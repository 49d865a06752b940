//! Unit tests of the Masterminds semver port.

use super::*;

#[test]
fn parses_lenient_versions() {
    let v = Version::parse("v1.2").unwrap();
    assert_eq!((v.major, v.minor, v.patch), (1, 2, 0));
    assert_eq!(v.to_string(), "1.2.0");
    assert_eq!(v.original, "v1.2");
    let v = Version::parse("1.2.3-beta.1+build.5").unwrap();
    assert_eq!(v.pre, "beta.1");
    assert_eq!(v.metadata, "build.5");
    assert_eq!(Version::parse("1.2.3.4").unwrap_err(), ERR_INVALID_SEMVER);
    assert_eq!(Version::parse("").unwrap_err(), ERR_INVALID_SEMVER);
    assert_eq!(
        Version::parse("1.2.3-01").unwrap_err(),
        "Version segment starts with 0"
    );
}

#[test]
fn prerelease_ordering() {
    let p = |s: &str| Version::parse(s).unwrap();
    assert_eq!(p("1.0.0-alpha").compare(&p("1.0.0")), Ordering::Less);
    assert_eq!(
        p("1.0.0-alpha.1").compare(&p("1.0.0-alpha.beta")),
        Ordering::Less
    );
    assert_eq!(
        p("1.0.0-beta.11").compare(&p("1.0.0-beta.2")),
        Ordering::Greater
    );
    assert_eq!(p("1.0.0+a").compare(&p("1.0.0+b")), Ordering::Equal);
}

#[test]
fn increments_keep_v_prefix() {
    let v = Version::parse("v1.2.3-rc.1").unwrap();
    assert_eq!(v.inc_patch().original, "v1.2.3");
    assert_eq!(v.inc_minor().original, "v1.3.0");
    assert_eq!(v.inc_major().to_string(), "2.0.0");
}

#[test]
fn constraint_errors_and_display() {
    assert_eq!(
        Constraints::parse("foo").unwrap_err(),
        "improper constraint: foo"
    );
    let c = Constraints::parse(">=1.2, <2 || ~3").unwrap();
    assert_eq!(c.to_string(), ">=1.2 <2 || ~3");
    let c = Constraints::parse("1.2 - 1.4.5").unwrap();
    assert_eq!(c.to_string(), ">=1.2 <=1.4.5");
}

/// Calls `f` on every string of up to `max_len` characters of `alphabet`.
fn each_string(alphabet: &[char], max_len: usize, mut f: impl FnMut(&str)) {
    let mut stack = vec![String::new()];
    while let Some(s) = stack.pop() {
        f(&s);
        if s.chars().count() < max_len {
            for c in alphabet {
                stack.push(format!("{s}{c}"));
            }
        }
    }
}

/// The hand matcher agrees with Masterminds' expression on every string built from the
/// characters that matter (digits, dots, `v`, `-`, `+`, letters), up to length 6.
#[test]
fn split_version_matches_the_expression() {
    let re = regex::Regex::new(&format!("^{SV}$")).expect("regex");
    let mut checked = 0;
    each_string(&['1', '0', '.', 'v', '-', '+', 'a'], 6, |s| {
        let want = re.captures(s).map(|m| {
            let g = |i: usize| m.get(i).map_or("", |x| x.as_str());
            [
                g(1).to_string(),
                g(2).trim_start_matches('.').to_string(),
                g(3).trim_start_matches('.').to_string(),
                g(5).to_string(),
                g(8).to_string(),
            ]
        });
        let got = split_version(s).map(|p| p.map(str::to_string));
        assert_eq!(got, want, "{s:?}");
        checked += 1;
    });
    assert!(checked > 100_000, "{checked}");
}

/// When the plain-constraint reader takes `s`, the result equals the expressions'; returns
/// whether it took it.
fn hand_agrees(s: &str) -> bool {
    if items::plain_constraints(s).is_none() {
        return false;
    }
    let hand = format!("{:?}", Constraints::parse(s));
    assert_eq!(
        hand,
        format!("{:?}", Constraints::parse_by_expressions(s)),
        "{s:?}"
    );
    true
}

/// The plain-constraint reader agrees with Masterminds' expressions on every string it
/// accepts, built from the characters that matter up to length 5, and accepts the usual forms.
#[test]
fn plain_constraints_match_the_expressions() {
    let alphabet = [
        '1', '0', '.', 'x', '-', '>', '=', '<', '~', '^', ' ', ',', 'v', 'a', '+', '!',
    ];
    let mut compared = 0;
    each_string(&alphabet, 5, |s| compared += usize::from(hand_agrees(s)));
    assert!(compared > 5_000, "{compared}");
    // Longer strings, pseudo-random (fixed seed), from the same characters.
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut accepted = 0;
    for _ in 0..100_000 {
        let len = 6 + (next() % 12) as usize;
        let s: String = (0..len)
            .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
            .collect();
        accepted += usize::from(hand_agrees(&s));
    }
    assert!(accepted > 100, "{accepted}");
    for s in [
        ">=1.21-0",
        ">= 1.19-0",
        "<1.25.0-0",
        "^1.2",
        ">=1.2.3, <2.0.0",
        "~1.2.x",
        " >= v1.2.3-beta.1+build.5 <2 ",
        "1.x",
        "!=1.0.0-rc.1",
    ] {
        assert!(hand_agrees(s), "{s}");
    }
}
