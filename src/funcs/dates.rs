//! Sprig/Helm functions: dates (`now`, `date`, `dateInZone`, `htmlDate`, `toDate`,
//! `dateModify`, `duration`, `durationRound`, `ago`, `unixEpoch`, and their aliases).
//!
//! All of them use Go's `time` semantics through [`super::gotime`] (the `time.Time` object and
//! zones), [`super::golayout`] (layouts) and [`super::goduration`] (durations). `Local` is the
//! zone named by the `TZ` environment variable, as for the helm process.

use super::goduration::{format_duration, parse_duration, round_duration, HOUR, SECOND};
use super::golayout::{format, parse_in_location};
use super::gotime::{load_location, GoTime, Loc};
use crate::template::{FuncMap, Param, Runtime, Value};

const TIME: Param = Param::Object("time.Time");

/// The time a `date`-style `interface{}` argument denotes: a `time.Time`, or Unix seconds given
/// as `int`/`int64`; anything else (floats from values, strings, nil) silently means now.
fn time_arg(v: &Value) -> GoTime {
    match v {
        Value::Int(n) | Value::Int64(n) => GoTime::from_unix(*n),
        other => GoTime::from_value(other).unwrap_or_else(GoTime::now),
    }
}

/// sprig's `dateInZone`: unknown zones fall back to UTC.
pub fn date_in_zone(layout: &str, date: &Value, zone: &str) -> String {
    let t = time_arg(date);
    let loc = load_location(zone).unwrap_or(Loc::Utc);
    format(&t.in_loc(loc), layout)
}

fn str_arg(args: &[Value], i: usize) -> &str {
    args.get(i).and_then(Value::as_str).unwrap_or("")
}

fn time_param(args: &[Value], i: usize) -> Result<GoTime, String> {
    args.get(i)
        .and_then(GoTime::from_value)
        .ok_or_else(|| "expected time.Time".to_string())
}

/// sprig's `duration`: a string of seconds or an int64 of seconds; anything else is `0s`.
pub fn duration(v: &Value) -> String {
    let n = match v {
        Value::String(s) => s.parse::<i64>().unwrap_or(0),
        Value::Int64(n) => *n,
        _ => 0,
    };
    // Go multiplies with int64 wrap-around.
    format_duration(n.wrapping_mul(SECOND))
}

/// sprig's `durationRound`: the largest whole unit (y, mo, d, h, m, s), compared strictly.
pub fn duration_round(v: &Value) -> String {
    let d: i64 = match v {
        Value::String(s) => parse_duration(s).unwrap_or(0),
        Value::Int64(n) => *n,
        other => GoTime::from_value(other).map_or(0, |t| t.since()),
    };
    let u = d.unsigned_abs();
    let hour = HOUR as u64;
    let units: [(u64, &str); 6] = [
        (hour * 24 * 365, "y"),
        (hour * 24 * 30, "mo"),
        (hour * 24, "d"),
        (hour, "h"),
        (60 * SECOND as u64, "m"),
        (SECOND as u64, "s"),
    ];
    for (size, name) in units {
        if u > size {
            return format!("{}{name}", u / size);
        }
    }
    "0s".into()
}

/// sprig's `ago`: time since the argument, rounded to seconds.
pub fn ago(v: &Value) -> String {
    let t = match v {
        Value::Int(n) | Value::Int64(n) => GoTime::from_unix(*n),
        other => GoTime::from_value(other).unwrap_or_else(GoTime::now),
    };
    format_duration(round_duration(t.since(), SECOND))
}

/// sprig's `toDate` / `mustToDate` core: parse in the local zone.
pub fn to_date(layout: &str, value: &str) -> Result<GoTime, String> {
    parse_in_location(layout, value, Loc::Local)
}

/// Registers this group's functions.
pub fn register(m: &mut FuncMap) {
    m.add("now", &[], |_: &mut dyn Runtime, _| {
        Ok(GoTime::now().into_value())
    });
    m.add(
        "date",
        &[Param::String, Param::Any],
        |_: &mut dyn Runtime, a| {
            Ok(Value::string(date_in_zone(
                str_arg(a, 0),
                a.get(1).unwrap_or(&Value::Nil),
                "Local",
            )))
        },
    );
    for name in ["dateInZone", "date_in_zone"] {
        m.add(
            name,
            &[Param::String, Param::Any, Param::String],
            |_: &mut dyn Runtime, a| {
                let d = a.get(1).unwrap_or(&Value::Nil);
                Ok(Value::string(date_in_zone(str_arg(a, 0), d, str_arg(a, 2))))
            },
        );
    }
    m.add("htmlDate", &[Param::Any], |_: &mut dyn Runtime, a| {
        Ok(Value::string(date_in_zone(
            "2006-01-02",
            a.first().unwrap_or(&Value::Nil),
            "Local",
        )))
    });
    m.add(
        "htmlDateInZone",
        &[Param::Any, Param::String],
        |_: &mut dyn Runtime, a| {
            let d = a.first().unwrap_or(&Value::Nil);
            Ok(Value::string(date_in_zone("2006-01-02", d, str_arg(a, 1))))
        },
    );
    m.add(
        "toDate",
        &[Param::String, Param::String],
        |_: &mut dyn Runtime, a| {
            Ok(to_date(str_arg(a, 0), str_arg(a, 1))
                .unwrap_or_else(|_| GoTime::zero())
                .into_value())
        },
    );
    m.add(
        "mustToDate",
        &[Param::String, Param::String],
        |_: &mut dyn Runtime, a| Ok(to_date(str_arg(a, 0), str_arg(a, 1))?.into_value()),
    );
    for name in ["dateModify", "date_modify"] {
        m.add(name, &[Param::String, TIME], |_: &mut dyn Runtime, a| {
            let t = time_param(a, 1)?;
            Ok(match parse_duration(str_arg(a, 0)) {
                Ok(d) => t.add(d),
                Err(_) => t,
            }
            .into_value())
        });
    }
    for name in ["mustDateModify", "must_date_modify"] {
        m.add(name, &[Param::String, TIME], |_: &mut dyn Runtime, a| {
            let t = time_param(a, 1)?;
            Ok(t.add(parse_duration(str_arg(a, 0))?).into_value())
        });
    }
    m.add("duration", &[Param::Any], |_: &mut dyn Runtime, a| {
        Ok(Value::string(duration(a.first().unwrap_or(&Value::Nil))))
    });
    m.add("durationRound", &[Param::Any], |_: &mut dyn Runtime, a| {
        Ok(Value::string(duration_round(
            a.first().unwrap_or(&Value::Nil),
        )))
    });
    m.add("ago", &[Param::Any], |_: &mut dyn Runtime, a| {
        Ok(Value::string(ago(a.first().unwrap_or(&Value::Nil))))
    });
    m.add("unixEpoch", &[TIME], |_: &mut dyn Runtime, a| {
        Ok(Value::string(time_param(a, 0)?.unix.to_string()))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duration_argument_rules() {
        assert_eq!(duration(&Value::str("90")), "1m30s");
        assert_eq!(duration(&Value::Int64(90)), "1m30s");
        assert_eq!(duration(&Value::Int(90)), "0s");
        assert_eq!(duration(&Value::Float(90.0)), "0s");
    }

    #[test]
    fn duration_round_is_strict() {
        assert_eq!(duration_round(&Value::str("2h10m")), "2h");
        assert_eq!(duration_round(&Value::str("24h")), "24h");
        assert_eq!(duration_round(&Value::str("25h")), "1d");
        assert_eq!(duration_round(&Value::Int(5)), "0s");
    }

    #[test]
    fn now_prints_with_monotonic_reading() {
        let re = regex::Regex::new(
            r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,9})? [+-]\d{4} \S+ m=\+\d+\.\d{9}$",
        )
        .unwrap();
        let mut m = FuncMap::new();
        register(&mut m);
        let now = m.get("now").unwrap();
        let v = (now.call)(&mut crate::funcs::time_cases::DummyRuntime, &[]).unwrap();
        let text = crate::template::format::fmt_v(&v);
        assert!(re.is_match(&text), "{text}");
        assert_eq!(v.type_name(), "time.Time");
        // dateModify keeps the monotonic reading; UTC drops it, as in Go.
        let later = GoTime::from_value(&v).unwrap().add(SECOND);
        assert!(later.go_string().contains(" m=+"));
        assert!(!later.in_loc(Loc::Utc).go_string().contains(" m="));
    }

    #[test]
    fn ago_of_now_is_zero() {
        assert_eq!(ago(&GoTime::now().into_value()), "0s");
    }

    #[test]
    fn date_accepts_unix_ints_and_times() {
        assert_eq!(
            date_in_zone("2006-01-02", &Value::Int64(1_700_000_000), "UTC"),
            "2023-11-14"
        );
        assert_eq!(
            date_in_zone("15:04 MST", &Value::Int(1_700_000_000), "Asia/Tokyo"),
            "07:13 JST"
        );
        let now_year = format(&GoTime::now().in_loc(Loc::Utc), "2006");
        assert_eq!(date_in_zone("2006", &Value::Float(0.0), "UTC"), now_year);
    }
}
