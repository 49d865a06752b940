//! The `time.Time` template object (Go's methods: `.Unix`, `.UTC`, `.Format`, `.Year`,
//! `.Month`, `.Add`, `.Sub`, `.AddDate`, `.Truncate`, ...) and the named integers it returns
//! (`time.Month`, `time.Weekday`).

use super::goduration::{format_duration, DurationObj};
use super::golayout;
use super::gotime::{GoTime, Loc, DAYS, MONTHS};
use crate::template::{Member, Object, Value};
use std::any::Any;
use std::sync::Arc;

/// The `time.Time` template object.
#[derive(Debug, Clone)]
pub struct TimeObj(pub GoTime);

/// A named integer type printed by name (`time.Month`, `time.Weekday`).
#[derive(Debug, Clone)]
pub struct NamedInt {
    /// Go type name.
    pub type_name: &'static str,
    /// The integer.
    pub value: i64,
    /// What `String()` prints.
    pub text: String,
}

impl Object for NamedInt {
    fn type_name(&self) -> &str {
        self.type_name
    }
    fn kind_name(&self) -> &str {
        "int"
    }
    fn member(&self, name: &str) -> Option<Member> {
        (name == "String").then(|| Member::Field(Value::str(&self.text)))
    }
    fn format(&self) -> String {
        self.text.clone()
    }
    fn to_data(&self) -> Value {
        Value::Int(self.value)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

fn obj(o: impl Object + 'static) -> Value {
    Value::Object(Arc::new(o))
}

/// Methods taking arguments, with their arity.
const METHODS: &[(&str, usize)] = &[
    ("Format", 1),
    ("Add", 1),
    ("AddDate", 3),
    ("Sub", 1),
    ("Before", 1),
    ("After", 1),
    ("Equal", 1),
    ("Compare", 1),
    ("Truncate", 1),
    ("Round", 1),
];

impl Object for TimeObj {
    fn type_name(&self) -> &str {
        "time.Time"
    }
    fn member(&self, name: &str) -> Option<Member> {
        if let Some((_, n)) = METHODS.iter().find(|(m, _)| *m == name) {
            return Some(Member::Method {
                params: crate::template::funcs::any_params(*n),
                variadic: None,
            });
        }
        let t = &self.0;
        let c = || t.civil();
        Some(Member::Field(match name {
            "Unix" => Value::Int64(t.unix),
            "UnixNano" => Value::Int64(t.unix_nano()),
            "UnixMilli" => Value::Int64(t.unix.wrapping_mul(1000) + t.nsec / 1_000_000),
            "UnixMicro" => Value::Int64(t.unix.wrapping_mul(1_000_000) + t.nsec / 1000),
            "UTC" => t.in_loc(Loc::Utc).into_value(),
            "Local" => t.in_loc(Loc::Local).into_value(),
            "String" => Value::string(t.go_string()),
            "Year" => Value::Int(c().year),
            "Month" => {
                let m = c().month;
                let text = MONTHS
                    .get((m - 1) as usize)
                    .copied()
                    .unwrap_or("%!Month")
                    .into();
                obj(NamedInt {
                    type_name: "time.Month",
                    value: m,
                    text,
                })
            }
            "Day" => Value::Int(c().day),
            "Hour" => Value::Int(c().hour),
            "Minute" => Value::Int(c().min),
            "Second" => Value::Int(c().sec),
            "Nanosecond" => Value::Int(t.nsec),
            "YearDay" => Value::Int(c().yday),
            "Weekday" => {
                let w = c().weekday;
                let text = DAYS.get(w as usize).copied().unwrap_or("%!Weekday").into();
                obj(NamedInt {
                    type_name: "time.Weekday",
                    value: w,
                    text,
                })
            }
            "IsZero" => Value::Bool(t.is_zero()),
            "IsDST" => Value::Bool(t.loc.is_dst(t.unix)),
            "Location" => Value::string(t.loc.name()),
            "Zone" => Value::list(vec![
                Value::string(c().zone),
                Value::Int(i64::from(c().offset)),
            ]),
            _ => return None,
        }))
    }
    fn call(&self, name: &str, args: &[Value]) -> Result<Value, String> {
        let t = &self.0;
        let time_arg = |i: usize| {
            args.get(i).and_then(GoTime::from_value).ok_or_else(|| {
                format!(
                    "wrong type for value; expected time.Time; got {}",
                    type_of(args.get(i))
                )
            })
        };
        let dur_arg = |i: usize| -> Result<i64, String> {
            match args.get(i) {
                // An untyped constant converts to Duration; a typed int64 does not.
                Some(Value::Int(n)) => Ok(*n),
                Some(Value::Object(o)) => o
                    .as_any()
                    .downcast_ref::<DurationObj>()
                    .map(|d| d.0)
                    .ok_or_else(|| {
                        format!(
                            "wrong type for value; expected time.Duration; got {}",
                            o.type_name()
                        )
                    }),
                other => Err(format!(
                    "wrong type for value; expected time.Duration; got {}",
                    type_of(other)
                )),
            }
        };
        let int_arg = |i: usize| match args.get(i) {
            Some(Value::Int(n)) => Ok(*n),
            other => Err(format!(
                "wrong type for value; expected int; got {}",
                type_of(other)
            )),
        };
        match name {
            "Format" => match args.first() {
                Some(Value::String(layout)) => Ok(Value::string(golayout::format(t, layout))),
                other => Err(format!(
                    "wrong type for value; expected string; got {}",
                    type_of(other)
                )),
            },
            "Add" => Ok(t.add(dur_arg(0)?).into_value()),
            "Sub" => Ok(obj(DurationObj(t.sub(&time_arg(0)?)))),
            "Before" => Ok(Value::Bool(cmp_time(t, &time_arg(0)?) < 0)),
            "After" => Ok(Value::Bool(cmp_time(t, &time_arg(0)?) > 0)),
            "Equal" => Ok(Value::Bool(cmp_time(t, &time_arg(0)?) == 0)),
            "Compare" => Ok(Value::Int(cmp_time(t, &time_arg(0)?))),
            "AddDate" => {
                let c = t.civil();
                let (y, m, d) = (int_arg(0)?, int_arg(1)?, int_arg(2)?);
                Ok(GoTime::date(
                    c.year.wrapping_add(y),
                    c.month.wrapping_add(m),
                    c.day.wrapping_add(d),
                    c.hour,
                    c.min,
                    c.sec,
                    c.nsec,
                    t.loc.clone(),
                )
                .into_value())
            }
            "Truncate" | "Round" => {
                let d = dur_arg(0)?;
                let mut base = t.clone();
                base.mono = None;
                if d <= 0 {
                    return Ok(base.into_value());
                }
                // Relative to the zero time, as Go does.
                let since_zero = (i128::from(base.unix) - i128::from(GoTime::zero().unix))
                    * 1_000_000_000
                    + i128::from(base.nsec);
                let r = since_zero.rem_euclid(i128::from(d)) as i64;
                let mut out = base.add(-r);
                if name == "Round" && r.saturating_add(r) >= d {
                    out = out.add(d);
                }
                Ok(out.into_value())
            }
            _ => Err(format!("{name} is not a method")),
        }
    }
    fn format(&self) -> String {
        self.0.go_string()
    }
    fn to_data(&self) -> Value {
        Value::string(golayout::format(
            &self.0,
            "2006-01-02T15:04:05.999999999Z07:00",
        ))
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

fn type_of(v: Option<&Value>) -> String {
    v.map_or("<nil>".into(), |v| v.type_name().to_string())
}

fn cmp_time(a: &GoTime, b: &GoTime) -> i64 {
    match (a.unix, a.nsec).cmp(&(b.unix, b.nsec)) {
        std::cmp::Ordering::Less => -1,
        std::cmp::Ordering::Equal => 0,
        std::cmp::Ordering::Greater => 1,
    }
}

/// `fmt`'s `%v` for a duration in nanoseconds (used by `ago` and friends).
pub fn duration_string(d: i64) -> String {
    format_duration(d)
}
