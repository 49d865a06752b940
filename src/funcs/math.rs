//! Sprig/Helm functions: numbers and conversions (`int`, `int64`, `float64`, `atoi`,
//! `toDecimal`, `add`…`mod`, `max`/`min`, the decimal `addf` family, `floor`/`ceil`/`round`,
//! `until`, `untilStep`, `seq`).
//!
//! Integer arithmetic converts every operand with `cast.ToInt64` (floats truncate first) and
//! wraps on overflow like Go's int64; results keep Go's result types (`add` → int64,
//! `int` → int, `until` → `[]int`).

use super::cast::{arg, atoi, float_to_i64, int_arg, parse_int, str_arg, to_float64, to_int64};
use super::decimal::Decimal;
use crate::template::format::fmt_v;
use crate::template::{FuncMap, Param, SliceKind, Value};

use Param::{Any, Float64, Int, String as Str};

/// Most elements `until`/`untilStep`/`seq` will build (Go would try to allocate them all).
const MAX_RANGE: usize = 1_000_000;

/// Registers this group's functions.
pub fn register(m: &mut FuncMap) {
    m.add("atoi", &[Str], |_, a| Ok(Value::Int(atoi(str_arg(a, 0)))));
    m.add("int64", &[Any], |_, a| {
        Ok(Value::Int64(to_int64(&arg(a, 0))))
    });
    m.add("int", &[Any], |_, a| Ok(Value::Int(to_int64(&arg(a, 0)))));
    m.add("float64", &[Any], |_, a| {
        Ok(Value::Float(to_float64(&arg(a, 0))))
    });
    m.add("toDecimal", &[Any], |_, a| {
        Ok(Value::Int64(parse_int(&fmt_v(&arg(a, 0)), 8).unwrap_or(0)))
    });
    m.add_variadic("seq", &[], Int, |_, a| {
        let p: Vec<i64> = a.iter().map(int_of).collect();
        seq(&p).map(Value::string)
    });
    m.add("until", &[Int], |_, a| {
        let n = int_arg(a, 0);
        int_list(until_step(0, n, if n < 0 { -1 } else { 1 })?)
    });
    m.add("untilStep", &[Int, Int, Int], |_, a| {
        int_list(until_step(int_arg(a, 0), int_arg(a, 1), int_arg(a, 2))?)
    });
    m.add("add1", &[Any], |_, a| {
        Ok(Value::Int64(to_int64(&arg(a, 0)).wrapping_add(1)))
    });
    m.add_variadic("add", &[], Any, |_, a| {
        Ok(Value::Int64(
            a.iter().fold(0i64, |acc, v| acc.wrapping_add(to_int64(v))),
        ))
    });
    m.add("sub", &[Any, Any], |_, a| {
        Ok(Value::Int64(
            to_int64(&arg(a, 0)).wrapping_sub(to_int64(&arg(a, 1))),
        ))
    });
    m.add("div", &[Any, Any], |_, a| {
        let (x, y) = (to_int64(&arg(a, 0)), to_int64(&arg(a, 1)));
        if y == 0 {
            return Err("runtime error: integer divide by zero".into());
        }
        Ok(Value::Int64(x.wrapping_div(y)))
    });
    m.add("mod", &[Any, Any], |_, a| {
        let (x, y) = (to_int64(&arg(a, 0)), to_int64(&arg(a, 1)));
        if y == 0 {
            return Err("runtime error: integer divide by zero".into());
        }
        Ok(Value::Int64(x.wrapping_rem(y)))
    });
    m.add_variadic("mul", &[Any], Any, |_, a| {
        let first = to_int64(&arg(a, 0));
        Ok(Value::Int64(
            a.iter()
                .skip(1)
                .fold(first, |acc, v| acc.wrapping_mul(to_int64(v))),
        ))
    });
    for name in ["max", "biggest"] {
        m.add_variadic(name, &[Any], Any, |_, a| {
            Ok(Value::Int64(a.iter().map(to_int64).max().unwrap_or(0)))
        });
    }
    m.add_variadic("min", &[Any], Any, |_, a| {
        Ok(Value::Int64(a.iter().map(to_int64).min().unwrap_or(0)))
    });
    m.add_variadic("maxf", &[Any], Any, |_, a| {
        let first = to_float64(&arg(a, 0));
        Ok(Value::Float(
            a.iter().skip(1).map(to_float64).fold(first, go_max),
        ))
    });
    m.add_variadic("minf", &[Any], Any, |_, a| {
        let first = to_float64(&arg(a, 0));
        Ok(Value::Float(
            a.iter().skip(1).map(to_float64).fold(first, go_min),
        ))
    });
    m.add("add1f", &[Any], |_, a| {
        decimal_op(&arg(a, 0), &[Value::Int(1)], Decimal::add)
    });
    m.add_variadic("addf", &[], Any, |_, a| {
        decimal_op(&Value::Float(0.0), a, Decimal::add)
    });
    m.add_variadic("subf", &[Any], Any, |_, a| {
        decimal_op(&arg(a, 0), rest(a), Decimal::sub)
    });
    m.add_variadic("mulf", &[Any], Any, |_, a| {
        decimal_op(&arg(a, 0), rest(a), Decimal::mul)
    });
    m.add_variadic("divf", &[Any], Any, |_, a| {
        decimal_op(&arg(a, 0), rest(a), Decimal::div)
    });
    m.add("floor", &[Any], |_, a| {
        Ok(Value::Float(to_float64(&arg(a, 0)).floor()))
    });
    m.add("ceil", &[Any], |_, a| {
        Ok(Value::Float(to_float64(&arg(a, 0)).ceil()))
    });
    m.add_variadic("round", &[Any, Int], Float64, |_, a| {
        let round_on = match a.get(2) {
            Some(Value::Float(f)) => *f,
            _ => 0.5,
        };
        Ok(Value::Float(round(
            to_float64(&arg(a, 0)),
            int_arg(a, 1),
            round_on,
        )))
    });
}

fn rest(a: &[Value]) -> &[Value] {
    a.get(1..).unwrap_or(&[])
}

fn int_of(v: &Value) -> i64 {
    match v {
        Value::Int(i) | Value::Int64(i) => *i,
        Value::Float(f) => float_to_i64(*f),
        _ => 0,
    }
}

fn int_list(items: Vec<i64>) -> Result<Value, String> {
    Ok(Value::typed_list(
        SliceKind::Int,
        items.into_iter().map(Value::Int).collect(),
    ))
}

/// `math.Max` (NaN wins; +0 beats -0).
fn go_max(x: f64, y: f64) -> f64 {
    if x.is_nan() || y.is_nan() {
        return f64::NAN;
    }
    if x == 0.0 && y == 0.0 {
        return if x.is_sign_negative() { y } else { x };
    }
    x.max(y)
}

/// `math.Min` (NaN wins; -0 beats +0).
fn go_min(x: f64, y: f64) -> f64 {
    if x.is_nan() || y.is_nan() {
        return f64::NAN;
    }
    if x == 0.0 && y == 0.0 {
        return if x.is_sign_negative() { x } else { y };
    }
    x.min(y)
}

/// sprig's `execDecimalOp`: folds `rest` into `first` with decimal arithmetic.
fn decimal_op(
    first: &Value,
    rest: &[Value],
    op: fn(&Decimal, &Decimal) -> Result<Decimal, String>,
) -> Result<Value, String> {
    let mut acc = Decimal::from_f64(to_float64(first))?;
    for v in rest {
        acc = op(&acc, &Decimal::from_f64(to_float64(v))?)?;
    }
    Ok(Value::Float(acc.to_f64()))
}

/// sprig's `round`: scale, then ceil when the signed fractional part reaches `round_on`, else
/// floor (so negative numbers round down).
fn round(val: f64, places: i64, round_on: f64) -> f64 {
    let pow = if places.unsigned_abs() < 300 {
        10f64.powi(places as i32)
    } else {
        10f64.powf(places as f64)
    };
    let digit = pow * val;
    let frac = digit.fract();
    let r = if frac >= round_on {
        digit.ceil()
    } else {
        digit.floor()
    };
    r / pow
}

/// sprig's `untilStep`: like Python's `range`; a step of the wrong sign gives `[]`.
pub fn until_step(start: i64, stop: i64, step: i64) -> Result<Vec<i64>, String> {
    let mut v = Vec::new();
    let too_many = || format!("untilStep: more than {MAX_RANGE} elements");
    if stop < start {
        if step >= 0 {
            return Ok(v);
        }
        let mut i = start;
        while i > stop {
            if v.len() >= MAX_RANGE {
                return Err(too_many());
            }
            v.push(i);
            match i.checked_add(step) {
                Some(n) => i = n,
                None => break,
            }
        }
        return Ok(v);
    }
    if step <= 0 {
        return Ok(v);
    }
    let mut i = start;
    while i < stop {
        if v.len() >= MAX_RANGE {
            return Err(too_many());
        }
        v.push(i);
        match i.checked_add(step) {
            Some(n) => i = n,
            None => break,
        }
    }
    Ok(v)
}

/// sprig's `seq`: like GNU seq, inclusive end, space-separated.
fn seq(p: &[i64]) -> Result<String, String> {
    let join = |v: Vec<i64>| v.iter().map(i64::to_string).collect::<Vec<_>>().join(" ");
    let (start, end, step) = match *p {
        [end] => {
            let inc = if end < 1 { -1 } else { 1 };
            return Ok(join(until_step(1, end.wrapping_add(inc), inc)?));
        }
        [start, end] => {
            let step = if end < start { -1 } else { 1 };
            return Ok(join(until_step(start, end.wrapping_add(step), step)?));
        }
        [start, step, end] => (start, end, step),
        _ => return Ok(String::new()),
    };
    let mut inc = 1;
    if end < start {
        inc = -1;
        if step > 0 {
            return Ok(String::new());
        }
    }
    Ok(join(until_step(start, end.wrapping_add(inc), step)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seq_like_sprig() {
        assert_eq!(seq(&[3]).as_deref(), Ok("1 2 3"));
        assert_eq!(seq(&[0]).as_deref(), Ok("1 0"));
        assert_eq!(seq(&[5, 2]).as_deref(), Ok("5 4 3 2"));
        assert_eq!(seq(&[0, 2, 10]).as_deref(), Ok("0 2 4 6 8 10"));
        assert_eq!(seq(&[10, -3, 1]).as_deref(), Ok("10 7 4 1"));
        assert_eq!(seq(&[1, 2, -5]).as_deref(), Ok(""));
    }

    #[test]
    fn round_is_signed() {
        assert_eq!(round(-2.4, 0, 0.5), -3.0);
        assert_eq!(round(1.005, 2, 0.5), 1.0);
        assert_eq!(round(2.5, 0, 0.5), 3.0);
    }
}
