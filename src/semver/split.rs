//! The version grammar of Masterminds semver, matched without a regular expression.

/// Matches Masterminds' `semVerRegex` (anchored) by hand: every chart load parses versions,
/// and compiling that expression cost more than the rest of a small chart's render. Returns
/// major, minor, patch (digits, without their dots; empty when absent), prerelease and build
/// metadata, exactly the groups the expression captures.
pub(super) fn split_version(s: &str) -> Option<[&str; 5]> {
    let b = s.as_bytes();
    let digits_end = |from: usize| {
        from + b
            .get(from..)
            .map_or(0, |r| r.iter().take_while(|c| c.is_ascii_digit()).count())
    };
    let mut i = usize::from(b.first() == Some(&b'v'));
    let end = digits_end(i);
    if end == i {
        return None;
    }
    let major = s.get(i..end)?;
    i = end;
    let mut numbers = ["", ""];
    for slot in &mut numbers {
        if b.get(i) != Some(&b'.') {
            break;
        }
        let end = digits_end(i + 1);
        if end == i + 1 {
            // A dot without digits matches nothing the expression allows here.
            return None;
        }
        *slot = s.get(i + 1..end)?;
        i = end;
    }
    let ident_list = |t: &str| {
        !t.is_empty()
            && t.split('.')
                .all(|p| !p.is_empty() && p.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-'))
    };
    let rest = s.get(i..)?;
    let (pre, meta) = if let Some(r) = rest.strip_prefix('-') {
        match r.split_once('+') {
            Some((p, m)) => (Some(p), Some(m)),
            None => (Some(r), None),
        }
    } else if let Some(m) = rest.strip_prefix('+') {
        (None, Some(m))
    } else if rest.is_empty() {
        (None, None)
    } else {
        return None;
    };
    // Identifier characters exclude `+`, so a second `+` fails here as in the expression.
    if pre.is_some_and(|p| !ident_list(p)) || meta.is_some_and(|m| !ident_list(m)) {
        return None;
    }
    Some([
        major,
        numbers[0],
        numbers[1],
        pre.unwrap_or(""),
        meta.unwrap_or(""),
    ])
}
