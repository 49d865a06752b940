//! Go's `time.Time` as templates see it: an instant (Unix seconds + nanoseconds) with a
//! location, civil-calendar conversion, time zones (the process's `Local` from `TZ`, IANA zones
//! from a bundled tzdb, fixed zones made by parsing) and the template object with Go's methods.

use super::golayout;
pub use super::timeobj::TimeObj;
use crate::template::Value;
use jiff::tz::TimeZone;
use jiff::Timestamp;
use std::sync::{Arc, OnceLock};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// Where a time is displayed (Go's `*time.Location`).
#[derive(Clone, Debug)]
pub enum Loc {
    /// `time.UTC` (also the zero time's location).
    Utc,
    /// `time.Local`: the zone named by `TZ` (or the system zone), printed as `Local`.
    Local,
    /// A zone from the tz database (`time.LoadLocation`).
    Zone(TimeZone),
    /// `time.FixedZone(name, offset)` (created when parsing a numeric offset).
    Fixed {
        /// Abbreviation printed by `MST` (may be empty).
        name: String,
        /// Seconds east of UTC.
        offset: i32,
    },
}

thread_local! {
    /// A per-thread replacement for `Local` (tests, or a renderer emulating another `TZ`).
    static LOCAL_OVERRIDE: std::cell::RefCell<Option<TimeZone>> = const { std::cell::RefCell::new(None) };
}

/// Runs `f` with `Local` meaning `tz` on this thread (as if helm ran with that `TZ`).
pub fn with_local_zone<R>(tz: TimeZone, f: impl FnOnce() -> R) -> R {
    let prev = LOCAL_OVERRIDE.with(|o| o.replace(Some(tz)));
    let r = f();
    LOCAL_OVERRIDE.with(|o| *o.borrow_mut() = prev);
    r
}

fn current_local() -> TimeZone {
    LOCAL_OVERRIDE
        .with(|o| o.borrow().clone())
        .unwrap_or_else(|| local_zone().0.clone())
}

/// The process-wide `Local` zone and the name Go gives it (`Location.String()`): `TZ` unset →
/// the system zone named `Local`; `TZ=""`, `UTC` or an unknown name → UTC named `UTC`;
/// `TZ=name` → that zone named `name` (a leading `:` is dropped; an absolute path names a TZif
/// file), as Go's `initLocal` does.
pub fn local_zone() -> &'static (TimeZone, String) {
    static LOCAL: OnceLock<(TimeZone, String)> = OnceLock::new();
    LOCAL.get_or_init(|| {
        let utc = || (TimeZone::UTC, "UTC".to_string());
        match std::env::var("TZ") {
            Ok(name) => {
                let name = name.strip_prefix(':').unwrap_or(&name);
                if name.is_empty() || name == "UTC" {
                    utc()
                } else if name.starts_with('/') {
                    let label = if name == "/etc/localtime" {
                        "Local"
                    } else {
                        name
                    };
                    std::fs::read(name)
                        .ok()
                        .and_then(|data| TimeZone::tzif(name, &data).ok())
                        .map_or_else(utc, |tz| (tz, label.to_string()))
                } else {
                    load_zone(name).map_or_else(utc, |tz| (tz, name.to_string()))
                }
            }
            Err(_) => TimeZone::try_system().map_or_else(|_| utc(), |tz| (tz, "Local".into())),
        }
    })
}

/// Looks up an IANA zone by its exact (case-sensitive, as on Go's file system) name.
pub fn load_zone(name: &str) -> Option<TimeZone> {
    let tz = TimeZone::get(name).ok()?;
    (tz.iana_name() == Some(name)).then_some(tz)
}

/// Go's `time.LoadLocation`: `""`/`UTC` → UTC, `Local` → Local, else the tz database.
pub fn load_location(name: &str) -> Option<Loc> {
    match name {
        "" | "UTC" => Some(Loc::Utc),
        "Local" => Some(Loc::Local),
        _ => load_zone(name).map(Loc::Zone),
    }
}

fn timestamp(unix: i64) -> Timestamp {
    // jiff covers years -9999..=9999; Go's range is wider, so clamp for the zone lookup only.
    Timestamp::from_second(unix.clamp(-377_705_116_800, 253_402_207_200))
        .unwrap_or(Timestamp::UNIX_EPOCH)
}

fn zone_info(tz: &TimeZone, unix: i64) -> (String, i32) {
    let info = tz.to_offset_info(timestamp(unix));
    (info.abbreviation().to_string(), info.offset().seconds())
}

impl Loc {
    /// The zone abbreviation and offset (seconds east) in effect at `unix`.
    pub fn lookup(&self, unix: i64) -> (String, i32) {
        match self {
            Loc::Utc => ("UTC".into(), 0),
            Loc::Local => zone_info(&current_local(), unix),
            Loc::Zone(tz) => zone_info(tz, unix),
            Loc::Fixed { name, offset } => (name.clone(), *offset),
        }
    }

    /// Whether daylight saving time is in effect at `unix` (Go's `Time.IsDST`).
    pub fn is_dst(&self, unix: i64) -> bool {
        let tz = match self {
            Loc::Local => current_local(),
            Loc::Zone(tz) => tz.clone(),
            Loc::Utc | Loc::Fixed { .. } => return false,
        };
        tz.to_offset_info(timestamp(unix)).dst().is_dst()
    }

    /// Go's `Location.String()`.
    pub fn name(&self) -> String {
        match self {
            Loc::Utc => "UTC".into(),
            Loc::Local => match LOCAL_OVERRIDE.with(|o| o.borrow().clone()) {
                // An override stands for `TZ=<name>`.
                Some(tz) => tz.iana_name().unwrap_or("UTC").into(),
                None => local_zone().1.clone(),
            },
            Loc::Zone(tz) => tz.iana_name().unwrap_or("UTC").into(),
            Loc::Fixed { name, .. } => name.clone(),
        }
    }

    /// Go's `Location.lookupName`: the offset of abbreviation `name` around `unix`, if the zone
    /// uses that abbreviation then.
    pub fn lookup_name(&self, name: &str, unix: i64) -> Option<i32> {
        // Go scans the zone's table of (abbreviation, offset) pairs; sample the year around
        // the date to find the pairs this zone uses.
        let mut zones: Vec<(String, i32)> = Vec::new();
        for k in -13..=13 {
            let z = self.lookup(unix + k * 86_400 * 14);
            if !zones.contains(&z) {
                zones.push(z);
            }
        }
        let named = || zones.iter().filter(|(n, _)| n == name);
        // Prefer a zone with that name actually in effect at the time, else any with the name.
        named()
            .find(|(n, off)| self.lookup(unix - i64::from(*off)).0 == *n)
            .or_else(|| named().next())
            .map(|(_, off)| *off)
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    // Wrapping arithmetic: absurd years from templates (`.AddDate 1e18 0 0`) wrap like Go's
    // int arithmetic instead of panicking.
    let y = if m <= 2 { y.wrapping_sub(1) } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d.wrapping_sub(1);
    let doe = (yoe * 365 + yoe / 4 - yoe / 100).wrapping_add(doy);
    era.wrapping_mul(146_097)
        .wrapping_add(doe)
        .wrapping_sub(719_468)
}

/// The civil date of a day count since 1970-01-01: (year, month 1-12, day 1-31).
pub fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z.wrapping_add(719_468);
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe.wrapping_add(era.wrapping_mul(400));
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y.wrapping_add(1) } else { y }, m, d)
}

/// Whether `y` is a Gregorian leap year.
pub fn is_leap(y: i64) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

/// Days in month `m` (1-12) of year `y`.
pub fn days_in(m: i64, y: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// The broken-down civil fields of a time in its location.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Civil {
    /// Year.
    pub year: i64,
    /// Month 1-12.
    pub month: i64,
    /// Day of month 1-31.
    pub day: i64,
    /// Hour 0-23.
    pub hour: i64,
    /// Minute 0-59.
    pub min: i64,
    /// Second 0-59.
    pub sec: i64,
    /// Nanoseconds.
    pub nsec: i64,
    /// Day of week, 0 = Sunday.
    pub weekday: i64,
    /// Day of year, 1-366.
    pub yday: i64,
    /// Zone abbreviation.
    pub zone: String,
    /// Offset in seconds east of UTC.
    pub offset: i32,
}

/// English month names (Go's `longMonthNames`).
pub const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
/// English day names, Sunday first (Go's `longDayNames`).
pub const DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

/// A Go `time.Time`.
#[derive(Clone, Debug)]
pub struct GoTime {
    /// Seconds since the Unix epoch.
    pub unix: i64,
    /// Nanoseconds within the second, 0..1e9.
    pub nsec: i64,
    /// Display location.
    pub loc: Loc,
    /// Monotonic clock reading in nanoseconds since process start (only `now` has one; Go
    /// prints it as ` m=+0.001234567`).
    pub mono: Option<i64>,
}

fn process_start() -> &'static Instant {
    static START: OnceLock<Instant> = OnceLock::new();
    START.get_or_init(Instant::now)
}

impl GoTime {
    /// Go's zero `time.Time{}` (`0001-01-01 00:00:00 +0000 UTC`).
    pub fn zero() -> GoTime {
        GoTime {
            unix: days_from_civil(1, 1, 1) * 86_400,
            nsec: 0,
            loc: Loc::Utc,
            mono: None,
        }
    }

    /// `time.Now()` in Local, with a monotonic reading.
    pub fn now() -> GoTime {
        let start = process_start();
        let d = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let mono = i64::try_from(start.elapsed().as_nanos()).unwrap_or(i64::MAX);
        GoTime {
            unix: i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
            nsec: i64::from(d.subsec_nanos()),
            loc: Loc::Local,
            mono: Some(mono),
        }
    }

    /// `time.Unix(sec, 0)` (Local).
    pub fn from_unix(sec: i64) -> GoTime {
        GoTime {
            unix: sec,
            nsec: 0,
            loc: Loc::Local,
            mono: None,
        }
    }

    /// `time.Date(...)` in `loc`, normalising out-of-range fields like Go.
    #[allow(clippy::too_many_arguments)]
    pub fn date(y: i64, mo: i64, d: i64, h: i64, mi: i64, s: i64, ns: i64, loc: Loc) -> GoTime {
        // Normalise month, then carry nanoseconds/seconds/minutes/hours into days.
        let m0 = mo.wrapping_sub(1);
        let y = y.wrapping_add(m0.div_euclid(12));
        let mo = m0.rem_euclid(12) + 1;
        let s = s.wrapping_add(ns.div_euclid(1_000_000_000));
        let ns = ns.rem_euclid(1_000_000_000);
        let secs_of_day = h
            .wrapping_mul(3600)
            .wrapping_add(mi.wrapping_mul(60))
            .wrapping_add(s);
        let days = days_from_civil(y, mo, 1).wrapping_add(d.wrapping_sub(1));
        let local = days.wrapping_mul(86_400).wrapping_add(secs_of_day);
        // Go: guess the offset at the local reading, then re-check at the corrected instant.
        let (_, off1) = loc.lookup(local);
        let mut unix = local.wrapping_sub(i64::from(off1));
        let (_, off2) = loc.lookup(unix);
        if off2 != off1 {
            unix = local.wrapping_sub(i64::from(off2));
        }
        GoTime {
            unix,
            nsec: ns,
            loc,
            mono: None,
        }
    }

    /// The civil fields in this time's location.
    pub fn civil(&self) -> Civil {
        let (zone, offset) = self.loc.lookup(self.unix);
        let local = self.unix.wrapping_add(i64::from(offset));
        let days = local.div_euclid(86_400);
        let sod = local.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        Civil {
            year,
            month,
            day,
            hour: sod / 3600,
            min: sod % 3600 / 60,
            sec: sod % 60,
            nsec: self.nsec,
            weekday: (days + 4).rem_euclid(7),
            yday: days.wrapping_sub(days_from_civil(year, 1, 1)) + 1,
            zone,
            offset,
        }
    }

    /// `t.In(loc)` (drops the monotonic reading, as Go does).
    pub fn in_loc(&self, loc: Loc) -> GoTime {
        GoTime {
            unix: self.unix,
            nsec: self.nsec,
            loc,
            mono: None,
        }
    }

    /// `t.Add(d)`.
    pub fn add(&self, d: i64) -> GoTime {
        let total = i128::from(self.nsec) + i128::from(d % 1_000_000_000);
        let mut unix = self.unix.wrapping_add(d / 1_000_000_000);
        let mut nsec = total as i64;
        if nsec >= 1_000_000_000 {
            unix = unix.wrapping_add(1);
            nsec -= 1_000_000_000;
        } else if nsec < 0 {
            unix = unix.wrapping_sub(1);
            nsec += 1_000_000_000;
        }
        GoTime {
            unix,
            nsec,
            loc: self.loc.clone(),
            mono: self.mono.map(|m| m.wrapping_add(d)),
        }
    }

    /// `t.Sub(u)` in nanoseconds, saturating like Go.
    pub fn sub(&self, u: &GoTime) -> i64 {
        if let (Some(a), Some(b)) = (self.mono, u.mono) {
            return a.saturating_sub(b);
        }
        let ns = (i128::from(self.unix) - i128::from(u.unix)) * 1_000_000_000
            + i128::from(self.nsec - u.nsec);
        ns.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
    }

    /// `time.Since(t)`.
    pub fn since(&self) -> i64 {
        GoTime::now().sub(self)
    }

    /// Go's `String()`: `2006-01-02 15:04:05.999999999 -0700 MST` plus ` m=±s.nnnnnnnnn`.
    pub fn go_string(&self) -> String {
        let mut s = golayout::format(self, "2006-01-02 15:04:05.999999999 -0700 MST");
        if let Some(m) = self.mono {
            let sign = if m < 0 { '-' } else { '+' };
            let a = m.unsigned_abs();
            s.push_str(&format!(
                " m={sign}{}.{:09}",
                a / 1_000_000_000,
                a % 1_000_000_000
            ));
        }
        s
    }

    /// The instant as nanoseconds since the epoch (Go's `UnixNano`, wrapping on overflow).
    pub fn unix_nano(&self) -> i64 {
        self.unix
            .wrapping_mul(1_000_000_000)
            .wrapping_add(self.nsec)
    }

    /// Whether this is the zero time.
    pub fn is_zero(&self) -> bool {
        self.unix == GoTime::zero().unix && self.nsec == 0
    }

    /// Wraps into a template value.
    pub fn into_value(self) -> Value {
        Value::Object(Arc::new(TimeObj(self)))
    }

    /// Extracts a time from a template value holding a `time.Time` object.
    pub fn from_value(v: &Value) -> Option<GoTime> {
        match v {
            Value::Object(o) => o.as_any().downcast_ref::<TimeObj>().map(|t| t.0.clone()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::{Member, Object};

    #[test]
    fn extreme_values_do_not_panic() {
        let t = GoTime::from_unix(i64::MAX).in_loc(Loc::Utc);
        let _ = t.civil();
        let t = GoTime::date(i64::MAX, i64::MAX, i64::MIN, 0, 0, 0, 0, Loc::Utc);
        let _ = golayout::format(&t, "2006-01-02 Mon 002");
        let o = TimeObj(GoTime::zero());
        let big = Value::Int(i64::MAX);
        assert!(o.call("AddDate", &[big.clone(), big.clone(), big]).is_ok());
    }

    #[test]
    fn civil_round_trip() {
        for days in [-719_162, -1, 0, 1, 19_675, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(civil_from_days(19_675), (2023, 11, 14));
    }

    #[test]
    fn zero_time_prints_like_go() {
        assert_eq!(GoTime::zero().go_string(), "0001-01-01 00:00:00 +0000 UTC");
        assert!(GoTime::zero().is_zero());
    }

    #[test]
    fn date_normalises() {
        let t = GoTime::date(2024, 2, 30, 25, 0, 0, 0, Loc::Utc);
        let c = t.civil();
        assert_eq!((c.year, c.month, c.day, c.hour), (2024, 3, 2, 1));
    }

    #[test]
    fn fixed_zone_and_methods() {
        let loc = Loc::Fixed {
            name: String::new(),
            offset: 19_800,
        };
        let t = GoTime::date(2024, 1, 15, 10, 30, 0, 500_000_000, loc);
        assert_eq!(t.unix, 1_705_294_800);
        assert_eq!(t.go_string(), "2024-01-15 10:30:00.5 +0530 +0530");
        let o = TimeObj(t);
        assert!(matches!(
            o.member("Unix"),
            Some(Member::Field(Value::Int64(1_705_294_800)))
        ));
        let f = o.call("Format", &[Value::str("Jan 2")]).unwrap();
        assert_eq!(f.as_str(), Some("Jan 15"));
    }
}
