//! Go's `unicode` predicates and simple case mappings, which several Sprig functions depend on
//! (`%q` escaping in `quote`, `title`, `swapcase`, xstrings' word splitting). Go defines them
//! by general category (`IsUpper` = Lu only, `IsPrint` = L/M/N/P/S plus U+0020) and maps case
//! one character to one character, unlike Rust's derived properties and full mappings.

use unicode_general_category::{get_general_category, GeneralCategory as G};

/// `unicode.IsPrint`, from Go's own tables (Unicode 15.0.0), as `strconv` and `fmt` use them.
pub fn is_print(c: char) -> bool {
    crate::template::strconv::is_print(c as u32)
}

/// `unicode.IsPunct` (category P).
pub fn go_is_punct(c: char) -> bool {
    use G::*;
    matches!(
        get_general_category(c),
        ConnectorPunctuation
            | DashPunctuation
            | OpenPunctuation
            | ClosePunctuation
            | InitialPunctuation
            | FinalPunctuation
            | OtherPunctuation
    )
}

/// `unicode.IsUpper` (category Lu).
pub fn go_is_upper(c: char) -> bool {
    get_general_category(c) == G::UppercaseLetter
}

/// `unicode.IsLower` (category Ll).
pub fn go_is_lower(c: char) -> bool {
    get_general_category(c) == G::LowercaseLetter
}

/// `unicode.IsTitle` (category Lt).
pub fn go_is_title(c: char) -> bool {
    get_general_category(c) == G::TitlecaseLetter
}

/// `unicode.IsLetter` (category L).
pub fn go_is_letter(c: char) -> bool {
    use G::*;
    matches!(
        get_general_category(c),
        UppercaseLetter | LowercaseLetter | TitlecaseLetter | ModifierLetter | OtherLetter
    )
}

/// `unicode.IsNumber` (category N).
pub fn go_is_number(c: char) -> bool {
    use G::*;
    matches!(
        get_general_category(c),
        DecimalNumber | LetterNumber | OtherNumber
    )
}

/// `unicode.IsSpace`.
pub fn go_is_space(c: char) -> bool {
    c.is_whitespace()
}

/// The one character of a full case mapping, if it has exactly one.
fn single(mut it: impl Iterator<Item = char>) -> Option<char> {
    match (it.next(), it.next()) {
        (Some(x), None) => Some(x),
        _ => None,
    }
}

/// Greek letters with ypogegrammeni, whose simple upper and title case is the one-character
/// titlecase form (full mapping gives two characters).
fn greek_iota_upper(c: char) -> Option<char> {
    let u = c as u32;
    let mapped = match u {
        0x1F80..=0x1F87 | 0x1F90..=0x1F97 | 0x1FA0..=0x1FA7 => u + 8,
        0x1FB3 => 0x1FBC,
        0x1FC3 => 0x1FCC,
        0x1FF3 => 0x1FFC,
        _ => return None,
    };
    char::from_u32(mapped)
}

/// `unicode.ToUpper` (simple mapping: `ß` stays `ß`).
pub fn go_upper(c: char) -> char {
    if let Some(g) = greek_iota_upper(c) {
        return g;
    }
    single(c.to_uppercase()).unwrap_or(c)
}

/// `unicode.ToLower` (simple mapping: `İ` becomes `i`).
pub fn go_lower(c: char) -> char {
    if c == '\u{130}' {
        return 'i';
    }
    single(c.to_lowercase()).unwrap_or(c)
}

/// `unicode.ToTitle`: the titlecase letter for the digraphs (`ǆ` → `ǅ`), else upper case.
pub fn go_title(c: char) -> char {
    let u = c as u32;
    let mapped = match u {
        0x1C4..=0x1C6 => Some(0x1C5),
        0x1C7..=0x1C9 => Some(0x1C8),
        0x1CA..=0x1CC => Some(0x1CB),
        0x1F1..=0x1F3 => Some(0x1F2),
        0x1F88..=0x1F8F | 0x1F98..=0x1F9F | 0x1FA8..=0x1FAF | 0x1FBC | 0x1FCC | 0x1FFC => Some(u),
        _ => None,
    };
    mapped
        .and_then(char::from_u32)
        .unwrap_or_else(|| go_upper(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_case_rules() {
        assert_eq!(go_upper('ß'), 'ß');
        assert_eq!(go_upper('ᾀ'), 'ᾈ');
        assert_eq!(go_lower('İ'), 'i');
        assert_eq!(go_title('ǆ'), 'ǅ');
        assert!(!is_print('\u{378}'));
        assert!(!is_print('\u{a0}'));
        assert!(is_print('😀'));
        assert!(go_is_punct('_') && !go_is_punct('$'));
        assert!(go_is_title('ǅ') && !go_is_upper('ǅ'));
    }
}
