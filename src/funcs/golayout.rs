//! Go's time layouts (`Mon Jan 2 15:04:05 MST 2006`): `Time.Format` and `time.Parse` /
//! `time.ParseInLocation`, chunk for chunk as Go's `nextStdChunk`, including the parse error
//! texts (`parsing time "x" as "2006": cannot parse "x" as "2006"`).

use super::gotime::{GoTime, DAYS, MONTHS};

/// One layout element (Go's `std*` constants).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Std {
    Month,
    LongMonth,
    NumMonth,
    ZeroMonth,
    WeekDay,
    LongWeekDay,
    Day,
    UnderDay,
    ZeroDay,
    UnderYearDay,
    ZeroYearDay,
    Hour,
    Hour12,
    ZeroHour12,
    Minute,
    ZeroMinute,
    Second,
    ZeroSecond,
    LongYear,
    Year,
    PM,
    Pm,
    Tz,
    Iso8601Tz,
    Iso8601SecondsTz,
    Iso8601ShortTz,
    Iso8601ColonTz,
    Iso8601ColonSecondsTz,
    NumTz,
    NumSecondsTz,
    NumShortTz,
    NumColonTz,
    NumColonSecondsTz,
    /// `.000` / `,000`: exactly n digits; the byte is the separator.
    FracSecond0(usize, u8),
    /// `.999` / `,999`: up to n digits, trailing zeros trimmed.
    FracSecond9(usize, u8),
}

fn starts_with_lower(s: &[u8]) -> bool {
    s.first().is_some_and(|c| c.is_ascii_lowercase())
}

pub(super) fn is_digit(s: &[u8], i: usize) -> bool {
    s.get(i).is_some_and(u8::is_ascii_digit)
}

/// Go's `nextStdChunk`: (prefix length, element, suffix start) of the first element in `l`.
pub(super) fn next_std_chunk(l: &[u8]) -> Option<(usize, Std, usize)> {
    let has = |i: usize, pat: &str| l.get(i..i + pat.len()) == Some(pat.as_bytes());
    for i in 0..l.len() {
        let c = l[i];
        let found = match c {
            b'J' if has(i, "Jan") => {
                if has(i, "January") {
                    Some((Std::LongMonth, 7))
                } else if !starts_with_lower(&l[i + 3..]) {
                    Some((Std::Month, 3))
                } else {
                    None
                }
            }
            b'M' if l.len() >= i + 3 => {
                if has(i, "Mon") {
                    if has(i, "Monday") {
                        Some((Std::LongWeekDay, 6))
                    } else if !starts_with_lower(&l[i + 3..]) {
                        Some((Std::WeekDay, 3))
                    } else {
                        None
                    }
                } else if has(i, "MST") {
                    Some((Std::Tz, 3))
                } else {
                    None
                }
            }
            b'0' => {
                if l.get(i + 1).is_some_and(|d| (b'1'..=b'6').contains(d)) {
                    let s = [
                        Std::ZeroMonth,
                        Std::ZeroDay,
                        Std::ZeroHour12,
                        Std::ZeroMinute,
                        Std::ZeroSecond,
                        Std::Year,
                    ];
                    Some((s[usize::from(l[i + 1] - b'1')], 2))
                } else if has(i, "002") {
                    Some((Std::ZeroYearDay, 3))
                } else {
                    None
                }
            }
            b'1' => {
                if has(i, "15") {
                    Some((Std::Hour, 2))
                } else {
                    Some((Std::NumMonth, 1))
                }
            }
            b'2' => {
                if has(i, "2006") {
                    Some((Std::LongYear, 4))
                } else {
                    Some((Std::Day, 1))
                }
            }
            b'_' => {
                if has(i, "_2") {
                    // `_2006` is a literal `_` followed by the long year.
                    if has(i + 1, "2006") {
                        return Some((i + 1, Std::LongYear, i + 5));
                    }
                    Some((Std::UnderDay, 2))
                } else if has(i, "__2") {
                    Some((Std::UnderYearDay, 3))
                } else {
                    None
                }
            }
            b'3' => Some((Std::Hour12, 1)),
            b'4' => Some((Std::Minute, 1)),
            b'5' => Some((Std::Second, 1)),
            b'P' if has(i, "PM") => Some((Std::PM, 2)),
            b'p' if has(i, "pm") => Some((Std::Pm, 2)),
            b'-' => {
                if has(i, "-070000") {
                    Some((Std::NumSecondsTz, 7))
                } else if has(i, "-07:00:00") {
                    Some((Std::NumColonSecondsTz, 9))
                } else if has(i, "-0700") {
                    Some((Std::NumTz, 5))
                } else if has(i, "-07:00") {
                    Some((Std::NumColonTz, 6))
                } else if has(i, "-07") {
                    Some((Std::NumShortTz, 3))
                } else {
                    None
                }
            }
            b'Z' => {
                if has(i, "Z070000") {
                    Some((Std::Iso8601SecondsTz, 7))
                } else if has(i, "Z07:00:00") {
                    Some((Std::Iso8601ColonSecondsTz, 9))
                } else if has(i, "Z0700") {
                    Some((Std::Iso8601Tz, 5))
                } else if has(i, "Z07:00") {
                    Some((Std::Iso8601ColonTz, 6))
                } else if has(i, "Z07") {
                    Some((Std::Iso8601ShortTz, 3))
                } else {
                    None
                }
            }
            b'.' | b',' => {
                let ch = l.get(i + 1).copied();
                if ch == Some(b'0') || ch == Some(b'9') {
                    let ch = ch.unwrap_or(b'0');
                    let mut j = i + 1;
                    while j < l.len() && l[j] == ch {
                        j += 1;
                    }
                    if !is_digit(l, j) {
                        let n = j - (i + 1);
                        let std = if ch == b'0' {
                            Std::FracSecond0(n, c)
                        } else {
                            Std::FracSecond9(n, c)
                        };
                        return Some((i, std, j));
                    }
                }
                None
            }
            _ => None,
        };
        if let Some((std, len)) = found {
            return Some((i, std, i + len));
        }
    }
    None
}

/// Appends `x` zero-padded to `width` digits (Go's `appendInt`).
fn append_int(out: &mut String, x: i64, width: usize) {
    if x < 0 {
        out.push('-');
    }
    let s = x.unsigned_abs().to_string();
    for _ in s.len()..width {
        out.push('0');
    }
    out.push_str(&s);
}

/// Go's `Time.Format(layout)`.
pub fn format(t: &GoTime, layout: &str) -> String {
    let c = t.civil();
    let mut out = String::with_capacity(layout.len() + 10);
    let mut l = layout.as_bytes();
    while let Some((p, std, s)) = next_std_chunk(l) {
        out.push_str(&String::from_utf8_lossy(&l[..p]));
        l = &l[s..];
        let hr12 = if c.hour % 12 == 0 { 12 } else { c.hour % 12 };
        match std {
            // Go prints the two-digit year of |year|.
            Std::Year => append_int(&mut out, (c.year % 100).abs(), 2),
            Std::LongYear => append_int(&mut out, c.year, 4),
            Std::Month => out.push_str(&MONTHS[(c.month - 1) as usize % 12][..3]),
            Std::LongMonth => out.push_str(MONTHS[(c.month - 1) as usize % 12]),
            Std::NumMonth => append_int(&mut out, c.month, 0),
            Std::ZeroMonth => append_int(&mut out, c.month, 2),
            Std::WeekDay => out.push_str(&DAYS[c.weekday as usize % 7][..3]),
            Std::LongWeekDay => out.push_str(DAYS[c.weekday as usize % 7]),
            Std::Day => append_int(&mut out, c.day, 0),
            Std::UnderDay => {
                if c.day < 10 {
                    out.push(' ');
                }
                append_int(&mut out, c.day, 0);
            }
            Std::ZeroDay => append_int(&mut out, c.day, 2),
            Std::UnderYearDay => {
                if c.yday < 100 {
                    out.push(' ');
                    if c.yday < 10 {
                        out.push(' ');
                    }
                }
                append_int(&mut out, c.yday, 0);
            }
            Std::ZeroYearDay => append_int(&mut out, c.yday, 3),
            Std::Hour => append_int(&mut out, c.hour, 2),
            Std::Hour12 => append_int(&mut out, hr12, 0),
            Std::ZeroHour12 => append_int(&mut out, hr12, 2),
            Std::Minute => append_int(&mut out, c.min, 0),
            Std::ZeroMinute => append_int(&mut out, c.min, 2),
            Std::Second => append_int(&mut out, c.sec, 0),
            Std::ZeroSecond => append_int(&mut out, c.sec, 2),
            Std::PM => out.push_str(if c.hour >= 12 { "PM" } else { "AM" }),
            Std::Pm => out.push_str(if c.hour >= 12 { "pm" } else { "am" }),
            Std::Iso8601Tz
            | Std::Iso8601ColonTz
            | Std::Iso8601SecondsTz
            | Std::Iso8601ShortTz
            | Std::Iso8601ColonSecondsTz
            | Std::NumTz
            | Std::NumColonTz
            | Std::NumSecondsTz
            | Std::NumShortTz
            | Std::NumColonSecondsTz => format_offset(&mut out, std, c.offset),
            Std::Tz => {
                if !c.zone.is_empty() {
                    out.push_str(&c.zone);
                } else {
                    let mut z = c.offset / 60;
                    if z < 0 {
                        out.push('-');
                        z = -z;
                    } else {
                        out.push('+');
                    }
                    append_int(&mut out, i64::from(z / 60), 2);
                    append_int(&mut out, i64::from(z % 60), 2);
                }
            }
            Std::FracSecond0(n, sep) | Std::FracSecond9(n, sep) => {
                let trim = matches!(std, Std::FracSecond9(..));
                if trim && (n == 0 || c.nsec == 0) {
                    continue;
                }
                let mut digits = format!("{:09}", c.nsec);
                digits.truncate(n.min(9));
                if trim {
                    while digits.ends_with('0') {
                        digits.pop();
                    }
                    if digits.is_empty() {
                        continue;
                    }
                }
                out.push(char::from(sep));
                out.push_str(&digits);
            }
        }
    }
    out.push_str(&String::from_utf8_lossy(l));
    out
}

fn format_offset(out: &mut String, std: Std, offset: i32) {
    let iso = matches!(
        std,
        Std::Iso8601Tz
            | Std::Iso8601ColonTz
            | Std::Iso8601SecondsTz
            | Std::Iso8601ShortTz
            | Std::Iso8601ColonSecondsTz
    );
    if iso && offset == 0 {
        out.push('Z');
        return;
    }
    let mut zone = offset / 60;
    let mut abs = offset;
    if zone < 0 {
        out.push('-');
        zone = -zone;
        abs = -abs;
    } else {
        out.push('+');
    }
    append_int(out, i64::from(zone / 60), 2);
    let colon = matches!(
        std,
        Std::Iso8601ColonTz | Std::NumColonTz | Std::Iso8601ColonSecondsTz | Std::NumColonSecondsTz
    );
    if colon {
        out.push(':');
    }
    if !matches!(std, Std::NumShortTz | Std::Iso8601ShortTz) {
        append_int(out, i64::from(zone % 60), 2);
    }
    if matches!(
        std,
        Std::Iso8601SecondsTz
            | Std::NumSecondsTz
            | Std::NumColonSecondsTz
            | Std::Iso8601ColonSecondsTz
    ) {
        if colon {
            out.push(':');
        }
        append_int(out, i64::from(abs % 60), 2);
    }
}

pub use super::golayout_parse::parse_in_location;

#[cfg(test)]
mod tests {
    use super::super::goduration::go_quote;
    use super::super::gotime::{days_in, is_leap, Loc};
    use super::*;

    fn t0() -> GoTime {
        GoTime {
            unix: 1_700_000_000,
            nsec: 123_456_789,
            loc: Loc::Utc,
            mono: None,
        }
    }

    #[test]
    fn formats_reference_elements() {
        let t = t0();
        assert_eq!(
            format(&t, "Mon Jan 2 15:04:05 MST 2006"),
            "Tue Nov 14 22:13:20 UTC 2023"
        );
        assert_eq!(
            format(&t, "Monday January _2 06 3PM"),
            "Tuesday November 14 23 10PM"
        );
        assert_eq!(
            format(&t, "Z07:00 -0700 .000 .999 ,9"),
            "Z +0000 .123 .123 ,1"
        );
        assert_eq!(format(&t, "__2 002 Janet"), "318 318 Janet");
    }

    #[test]
    fn formats_fixed_zone_without_name() {
        let t = GoTime {
            loc: Loc::Fixed {
                name: String::new(),
                offset: -34_200,
            },
            ..t0()
        };
        assert_eq!(format(&t, "MST -07:00:00 Z07"), "-0930 -09:30:00 -09");
    }

    #[test]
    fn quote_is_used_by_parse_errors() {
        assert_eq!(go_quote("a\"b"), "\"a\\\"b\"");
    }

    #[test]
    fn leap_helpers() {
        assert!(is_leap(2024) && !is_leap(1900));
        assert_eq!(days_in(2, 2024), 29);
    }
}
