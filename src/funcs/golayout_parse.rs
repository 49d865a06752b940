//! Go's `time.ParseInLocation`: walks the layout element by element like Go's `parse`, with its
//! leniencies (one- or two-digit days, case-insensitive month names, fractional seconds after
//! `05`) and its error texts.

use super::goduration::go_quote;
use super::golayout::{is_digit, next_std_chunk, Std};
use super::gotime::{days_in, is_leap, GoTime, Loc, DAYS, MONTHS};

/// Go's `ParseError` text.
fn parse_error(
    layout: &str,
    value: &str,
    layout_elem: &str,
    value_elem: &str,
    msg: &str,
) -> String {
    if msg.is_empty() {
        format!(
            "parsing time {} as {}: cannot parse {} as {}",
            go_quote(value),
            go_quote(layout),
            go_quote(value_elem),
            go_quote(layout_elem)
        )
    } else {
        format!("parsing time {}{}", go_quote(value), msg)
    }
}

/// Go's `skip`: matches the literal `prefix`, where a space matches any run of spaces.
fn skip<'a>(mut value: &'a str, mut prefix: &str) -> Result<&'a str, &'a str> {
    while !prefix.is_empty() {
        if prefix.starts_with(' ') {
            if !value.is_empty() && !value.starts_with(' ') {
                return Err(value);
            }
            prefix = prefix.trim_start_matches(' ');
            value = value.trim_start_matches(' ');
            continue;
        }
        // Go compares bytes; comparing whole characters is the same for UTF-8 text.
        let (Some(pc), Some(vc)) = (prefix.chars().next(), value.chars().next()) else {
            return Err(value);
        };
        if pc != vc {
            return Err(value);
        }
        prefix = &prefix[pc.len_utf8()..];
        value = &value[vc.len_utf8()..];
    }
    Ok(value)
}

/// One or two digits (exactly two when `fixed`).
fn getnum(s: &str, fixed: bool) -> Option<(i64, &str)> {
    let b = s.as_bytes();
    if !is_digit(b, 0) {
        return None;
    }
    if !is_digit(b, 1) {
        if fixed {
            return None;
        }
        return Some((i64::from(b[0] - b'0'), &s[1..]));
    }
    Some((
        i64::from(b[0] - b'0') * 10 + i64::from(b[1] - b'0'),
        &s[2..],
    ))
}

/// One to three digits (exactly three when `fixed`).
fn getnum3(s: &str, fixed: bool) -> Option<(i64, &str)> {
    let b = s.as_bytes();
    let mut n = 0i64;
    let mut i = 0;
    while i < 3 && is_digit(b, i) {
        n = n * 10 + i64::from(b[i] - b'0');
        i += 1;
    }
    if i == 0 || (fixed && i != 3) {
        return None;
    }
    Some((n, &s[i..]))
}

/// Case-insensitive prefix match against a name table (Go's `lookup`).
fn lookup<'a>(tab: &[&str], val: &'a str) -> Option<(usize, &'a str)> {
    for (i, name) in tab.iter().enumerate() {
        if val.len() >= name.len()
            && val.as_bytes()[..name.len()].eq_ignore_ascii_case(name.as_bytes())
        {
            return Some((i, &val[name.len()..]));
        }
    }
    None
}

/// Go's `atoi` (optional sign, digits only).
fn atoi(s: &str) -> Option<i64> {
    let (neg, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let x: i64 = digits.parse().ok()?;
    Some(if neg { -x } else { x })
}

/// Go's `parseNanoseconds` over `value[..nbytes]` (which starts with the separator).
fn parse_nanoseconds(value: &str, nbytes: usize) -> Result<i64, &'static str> {
    if !value.starts_with(['.', ',']) {
        return Err("");
    }
    let nbytes = nbytes.min(10);
    let ns = atoi(value.get(1..nbytes).ok_or("")?).ok_or("")?;
    if ns < 0 {
        return Err("fractional second");
    }
    Ok(ns * 10i64.pow((10 - nbytes) as u32))
}

/// Go's `parseSignedOffset`: length of `+h`/`-hh` (hours ≤ 12), 0 if none.
fn parse_signed_offset(value: &str) -> usize {
    let b = value.as_bytes();
    if !matches!(b.first(), Some(b'-' | b'+')) {
        return 0;
    }
    let digits = b[1..].iter().take_while(|c| c.is_ascii_digit()).count();
    if digits == 0 {
        return 0;
    }
    match value[1..1 + digits].parse::<u64>() {
        Ok(x) if x <= 12 => 1 + digits,
        _ => 0,
    }
}

/// Go's `parseTimeZone`: the length of a zone abbreviation at the start of `value`.
fn parse_time_zone(value: &str) -> Option<usize> {
    let b = value.as_bytes();
    if b.len() < 3 {
        return None;
    }
    if b.len() >= 4 && (&b[..4] == b"ChST" || &b[..4] == b"MeST") {
        return Some(4);
    }
    if &b[..3] == b"GMT" {
        return Some(3 + parse_signed_offset(&value[3..]));
    }
    if b[0] == b'+' || b[0] == b'-' {
        let n = parse_signed_offset(value);
        return (n > 0).then_some(n);
    }
    let upper = b
        .iter()
        .take(6)
        .take_while(|c| c.is_ascii_uppercase())
        .count();
    match upper {
        5 if b[4] == b'T' => Some(5),
        4 if b[3] == b'T' || &b[..4] == b"WITA" => Some(4),
        3 => Some(3),
        _ => None,
    }
}

const SHORT_MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const SHORT_DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/// The state of a parse: every field Go tracks.
struct Fields {
    year: i64,
    month: i64,
    day: i64,
    yday: i64,
    hour: i64,
    min: i64,
    sec: i64,
    nsec: i64,
    am: bool,
    pm: bool,
    utc: bool,
    zone_offset: Option<i32>,
    zone_name: String,
}

/// Parses one layout element from the front of `value`. `Ok((rest, range_err))`, or `Err(())`
/// for "cannot parse".
fn parse_elem<'a>(
    std: Std,
    value: &'a str,
    layout_rest: &str,
    f: &mut Fields,
) -> Result<(&'a str, &'static str), ()> {
    let mut range = "";
    let rest = match std {
        Std::Year => {
            let p = value.get(..2).ok_or(())?;
            let y = atoi(p).ok_or(())?;
            f.year = if y >= 69 { y + 1900 } else { y + 2000 };
            &value[2..]
        }
        Std::LongYear => {
            if value.len() < 4 || !is_digit(value.as_bytes(), 0) {
                return Err(());
            }
            f.year = atoi(value.get(..4).ok_or(())?).ok_or(())?;
            &value[4..]
        }
        Std::Month | Std::LongMonth => {
            let tab: Vec<&str> = if std == Std::Month {
                SHORT_MONTHS.to_vec()
            } else {
                MONTHS.to_vec()
            };
            let (i, r) = lookup(&tab, value).ok_or(())?;
            f.month = i as i64 + 1;
            r
        }
        Std::NumMonth | Std::ZeroMonth => {
            let (m, r) = getnum(value, std == Std::ZeroMonth).ok_or(())?;
            if m <= 0 || m > 12 {
                range = "month";
            }
            f.month = m;
            r
        }
        Std::WeekDay => lookup(&SHORT_DAYS, value).ok_or(())?.1,
        Std::LongWeekDay => lookup(&DAYS, value).ok_or(())?.1,
        Std::Day | Std::UnderDay | Std::ZeroDay => {
            let v = if std == Std::UnderDay {
                value.strip_prefix(' ').unwrap_or(value)
            } else {
                value
            };
            let (d, r) = getnum(v, std == Std::ZeroDay).ok_or(())?;
            f.day = d;
            r
        }
        Std::UnderYearDay | Std::ZeroYearDay => {
            let mut v = value;
            for _ in 0..2 {
                if std == Std::UnderYearDay {
                    v = v.strip_prefix(' ').unwrap_or(v);
                }
            }
            let (d, r) = getnum3(v, std == Std::ZeroYearDay).ok_or(())?;
            f.yday = d;
            r
        }
        Std::Hour => {
            let (h, r) = getnum(value, false).ok_or(())?;
            if !(0..24).contains(&h) {
                range = "hour";
            }
            f.hour = h;
            r
        }
        Std::Hour12 | Std::ZeroHour12 => {
            let (h, r) = getnum(value, std == Std::ZeroHour12).ok_or(())?;
            if !(0..=12).contains(&h) {
                range = "hour";
            }
            f.hour = h;
            r
        }
        Std::Minute | Std::ZeroMinute => {
            let (m, r) = getnum(value, std == Std::ZeroMinute).ok_or(())?;
            if !(0..60).contains(&m) {
                range = "minute";
            }
            f.min = m;
            r
        }
        Std::Second | Std::ZeroSecond => {
            let (s, mut r) = getnum(value, std == Std::ZeroSecond).ok_or(())?;
            f.sec = s;
            if !(0..60).contains(&s) {
                return Ok((r, "second"));
            }
            // A fractional second in the value but not in the layout is accepted here.
            let rb = r.as_bytes();
            if rb.len() >= 2 && (rb[0] == b'.' || rb[0] == b',') && is_digit(rb, 1) {
                let next = next_std_chunk(layout_rest.as_bytes()).map(|(_, s, _)| s);
                if !matches!(next, Some(Std::FracSecond0(..) | Std::FracSecond9(..))) {
                    let n = 2 + rb[2..].iter().take_while(|c| c.is_ascii_digit()).count();
                    match parse_nanoseconds(r, n) {
                        Ok(ns) => f.nsec = ns,
                        Err("") => return Err(()),
                        Err(e) => range = e,
                    }
                    r = &r[n..];
                }
            }
            r
        }
        Std::PM | Std::Pm => {
            let p = value.get(..2).ok_or(())?;
            let (pm, am) = if std == Std::PM {
                ("PM", "AM")
            } else {
                ("pm", "am")
            };
            if p == pm {
                f.pm = true;
            } else if p == am {
                f.am = true;
            } else {
                return Err(());
            }
            &value[2..]
        }
        Std::Iso8601Tz
        | Std::Iso8601ShortTz
        | Std::Iso8601ColonTz
        | Std::Iso8601SecondsTz
        | Std::Iso8601ColonSecondsTz
            if value.starts_with('Z') =>
        {
            f.utc = true;
            &value[1..]
        }
        Std::Iso8601Tz
        | Std::Iso8601ShortTz
        | Std::Iso8601ColonTz
        | Std::Iso8601SecondsTz
        | Std::Iso8601ColonSecondsTz
        | Std::NumTz
        | Std::NumShortTz
        | Std::NumColonTz
        | Std::NumSecondsTz
        | Std::NumColonSecondsTz => {
            let b = value.as_bytes();
            let g = |a: usize, z: usize| value.get(a..z).ok_or(());
            let (sign, hh, mm, ss, r) = match std {
                Std::Iso8601ColonTz | Std::NumColonTz => {
                    if b.len() < 6 || b[3] != b':' {
                        return Err(());
                    }
                    (b[0], g(1, 3)?, g(4, 6)?, "00", g(6, b.len())?)
                }
                Std::NumShortTz | Std::Iso8601ShortTz => {
                    if b.len() < 3 {
                        return Err(());
                    }
                    (b[0], g(1, 3)?, "00", "00", g(3, b.len())?)
                }
                Std::Iso8601ColonSecondsTz | Std::NumColonSecondsTz => {
                    if b.len() < 9 || b[3] != b':' || b[6] != b':' {
                        return Err(());
                    }
                    (b[0], g(1, 3)?, g(4, 6)?, g(7, 9)?, g(9, b.len())?)
                }
                Std::Iso8601SecondsTz | Std::NumSecondsTz => {
                    if b.len() < 7 {
                        return Err(());
                    }
                    (b[0], g(1, 3)?, g(3, 5)?, g(5, 7)?, g(7, b.len())?)
                }
                _ => {
                    if b.len() < 5 {
                        return Err(());
                    }
                    (b[0], g(1, 3)?, g(3, 5)?, "00", g(5, b.len())?)
                }
            };
            let hr = getnum(hh, true).ok_or(())?.0;
            let mi = getnum(mm, true).ok_or(())?.0;
            let se = getnum(ss, true).ok_or(())?.0;
            if hr > 24 {
                range = "time zone offset hour";
            }
            if mi > 60 {
                range = "time zone offset minute";
            }
            if se > 60 {
                range = "time zone offset second";
            }
            let off = ((hr * 60 + mi) * 60 + se) as i32;
            f.zone_offset = Some(match sign {
                b'+' => off,
                b'-' => -off,
                _ => return Err(()),
            });
            r
        }
        Std::Tz => {
            if let Some(r) = value.strip_prefix("UTC") {
                f.utc = true;
                r
            } else {
                let n = parse_time_zone(value).ok_or(())?;
                f.zone_name = value[..n].to_string();
                &value[n..]
            }
        }
        Std::FracSecond0(n, _) => {
            let nd = 1 + n;
            if value.len() < nd {
                return Err(());
            }
            match parse_nanoseconds(value, nd) {
                Ok(ns) => f.nsec = ns,
                Err("") => return Err(()),
                Err(e) => range = e,
            }
            value.get(nd..).ok_or(())?
        }
        Std::FracSecond9(..) => {
            let b = value.as_bytes();
            if b.len() < 2 || !(b[0] == b'.' || b[0] == b',') || !b[1].is_ascii_digit() {
                value
            } else {
                let i = b[1..].iter().take_while(|c| c.is_ascii_digit()).count();
                match parse_nanoseconds(value, 1 + i) {
                    Ok(ns) => f.nsec = ns,
                    Err("") => return Err(()),
                    Err(e) => range = e,
                }
                &value[1 + i..]
            }
        }
    };
    Ok((rest, range))
}

const DAYS_BEFORE: [i64; 13] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365];

/// Go's `time.ParseInLocation(layout, value, loc)`; `loc` is also the default zone.
pub fn parse_in_location(layout: &str, value: &str, loc: Loc) -> Result<GoTime, String> {
    let (alayout, avalue) = (layout, value);
    let mut f = Fields {
        year: 0,
        month: -1,
        day: -1,
        yday: -1,
        hour: 0,
        min: 0,
        sec: 0,
        nsec: 0,
        am: false,
        pm: false,
        utc: false,
        zone_offset: None,
        zone_name: String::new(),
    };
    let mut layout = layout;
    let mut value = value;
    loop {
        let chunk = next_std_chunk(layout.as_bytes());
        let (p, std, s) = match chunk {
            Some(c) => c,
            None => (layout.len(), Std::Year, layout.len()),
        };
        let prefix = &layout[..p];
        value = skip(value, prefix).map_err(|v| parse_error(alayout, avalue, prefix, v, ""))?;
        if chunk.is_none() {
            if !value.is_empty() {
                let msg = format!(": extra text: {}", go_quote(value));
                return Err(parse_error(alayout, avalue, "", value, &msg));
            }
            break;
        }
        let stdstr = &layout[p..s];
        layout = &layout[s..];
        let hold = value;
        match parse_elem(std, value, layout, &mut f) {
            Ok((rest, "")) => value = rest,
            Ok((rest, range)) => {
                let msg = format!(": {range} out of range");
                return Err(parse_error(alayout, avalue, stdstr, rest, &msg));
            }
            Err(()) => return Err(parse_error(alayout, avalue, stdstr, hold, "")),
        }
    }
    if f.pm && f.hour < 12 {
        f.hour += 12;
    } else if f.am && f.hour == 12 {
        f.hour = 0;
    }
    if f.yday >= 0 {
        let (mut d, mut m) = (0, 0);
        let mut yday = f.yday;
        if is_leap(f.year) {
            if yday == 31 + 29 {
                m = 2;
                d = 29;
            } else if yday > 31 + 29 {
                yday -= 1;
            }
        }
        if !(1..=365).contains(&yday) {
            return Err(parse_error(
                alayout,
                avalue,
                "",
                value,
                ": day-of-year out of range",
            ));
        }
        if m == 0 {
            m = (yday - 1) / 31 + 1;
            if DAYS_BEFORE[m as usize] < yday {
                m += 1;
            }
            d = yday - DAYS_BEFORE[(m - 1) as usize];
        }
        if f.month >= 0 && f.month != m {
            let msg = ": day-of-year does not match month";
            return Err(parse_error(alayout, avalue, "", value, msg));
        }
        f.month = m;
        if f.day >= 0 && f.day != d {
            return Err(parse_error(
                alayout,
                avalue,
                "",
                value,
                ": day-of-year does not match day",
            ));
        }
        f.day = d;
    } else {
        if f.month < 0 {
            f.month = 1;
        }
        if f.day < 0 {
            f.day = 1;
        }
    }
    if f.day < 1 || f.day > days_in(f.month, f.year) {
        return Err(parse_error(
            alayout,
            avalue,
            "",
            value,
            ": day out of range",
        ));
    }
    let at = |l: Loc| GoTime::date(f.year, f.month, f.day, f.hour, f.min, f.sec, f.nsec, l);
    if f.utc {
        return Ok(at(Loc::Utc));
    }
    if let Some(off) = f.zone_offset {
        let mut t = at(Loc::Utc);
        t.unix -= i64::from(off);
        let (name, local_off) = loc.lookup(t.unix);
        if local_off == off && (f.zone_name.is_empty() || name == f.zone_name) {
            t.loc = loc;
        } else {
            t.loc = Loc::Fixed {
                name: f.zone_name,
                offset: off,
            };
        }
        return Ok(t);
    }
    if !f.zone_name.is_empty() {
        let mut t = at(Loc::Utc);
        if let Some(off) = loc.lookup_name(&f.zone_name, t.unix) {
            t.unix -= i64::from(off);
            t.loc = loc;
            return Ok(t);
        }
        let mut off = 0;
        if f.zone_name.len() > 3 && f.zone_name.starts_with("GMT") {
            off = atoi(&f.zone_name[3..]).unwrap_or(0) as i32 * 3600;
        }
        // Go keeps the instant read as UTC and only attaches the fabricated zone.
        t.loc = Loc::Fixed {
            name: f.zone_name,
            offset: off,
        };
        return Ok(t);
    }
    Ok(at(loc))
}

#[cfg(test)]
#[path = "golayout_parse_tests.rs"]
mod tests;
