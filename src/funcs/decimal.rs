//! The slice of `shopspring/decimal` v1.4 that sprig's `addf`, `subf`, `mulf`, `divf` and
//! `add1f` use: exact decimal arithmetic on the shortest decimal form of each float64, division
//! rounded half away from zero to 16 places, and a correctly rounded conversion back to float64.
//! That is why `addf 0.1 0.2` is exactly `0.3` in Helm.

use num_bigint::BigInt;
use num_traits_lite::{is_zero, pow10, sign};

/// Digits after the point that shopspring keeps in a quotient (`DivisionPrecision`).
const DIVISION_PRECISION: i64 = 16;

/// Exponent spread beyond which aligning two decimals would need absurd amounts of memory;
/// float64 inputs stay far below it (their exponents lie within ±400).
const MAX_EXP_SPREAD: i64 = 4000;

/// `mant × 10^exp`.
#[derive(Clone, Debug)]
pub struct Decimal {
    mant: BigInt,
    exp: i64,
}

impl Decimal {
    /// `decimal.NewFromFloat`: the shortest decimal that round-trips to `x`. NaN and infinities
    /// are rejected with shopspring's panic message.
    pub fn from_f64(x: f64) -> Result<Decimal, String> {
        if !x.is_finite() {
            let shown = if x.is_nan() {
                "NaN"
            } else if x > 0.0 {
                "+Inf"
            } else {
                "-Inf"
            };
            return Err(format!("Cannot create a Decimal from {shown}"));
        }
        if x == 0.0 {
            return Ok(Decimal {
                mant: BigInt::from(0),
                exp: 0,
            });
        }
        // `{:e}` gives the shortest round-trip digits: "1.2345e-7".
        let text = format!("{x:e}");
        let (mant_text, exp_text) = text.split_once('e').unwrap_or((&text, "0"));
        let frac_len = mant_text.split_once('.').map_or(0, |(_, f)| f.len()) as i64;
        let digits: String = mant_text.chars().filter(|c| *c != '.').collect();
        let mant: BigInt = digits.parse().map_err(|_| format!("bad float {x}"))?;
        let exp: i64 = exp_text.parse().unwrap_or(0);
        Ok(Decimal {
            mant,
            exp: exp - frac_len,
        })
    }

    /// Both mantissas scaled to the smaller exponent.
    fn aligned(&self, other: &Decimal) -> Result<(BigInt, BigInt, i64), String> {
        let exp = self.exp.min(other.exp);
        if (self.exp - exp).max(other.exp - exp) > MAX_EXP_SPREAD {
            return Err("decimal exponent out of range".into());
        }
        let a = &self.mant * pow10(self.exp - exp);
        let b = &other.mant * pow10(other.exp - exp);
        Ok((a, b, exp))
    }

    /// `d.Add(d2)`.
    pub fn add(&self, other: &Decimal) -> Result<Decimal, String> {
        let (a, b, exp) = self.aligned(other)?;
        Ok(Decimal { mant: a + b, exp })
    }

    /// `d.Sub(d2)`.
    pub fn sub(&self, other: &Decimal) -> Result<Decimal, String> {
        let (a, b, exp) = self.aligned(other)?;
        Ok(Decimal { mant: a - b, exp })
    }

    /// `d.Mul(d2)`.
    pub fn mul(&self, other: &Decimal) -> Result<Decimal, String> {
        Ok(Decimal {
            mant: &self.mant * &other.mant,
            exp: self.exp + other.exp,
        })
    }

    /// `d.Div(d2)` = `DivRound(d2, 16)`: the quotient rounded half away from zero to 16 places.
    pub fn div(&self, other: &Decimal) -> Result<Decimal, String> {
        if is_zero(&other.mant) {
            return Err("decimal division by 0".into());
        }
        // q = mant1 × 10^(exp1 − exp2 + 16) / mant2, computed on integers.
        let k = self.exp - other.exp + DIVISION_PRECISION;
        if k.unsigned_abs() > MAX_EXP_SPREAD as u64 {
            return Err("decimal exponent out of range".into());
        }
        let (num, den) = if k >= 0 {
            (&self.mant * pow10(k), other.mant.clone())
        } else {
            (self.mant.clone(), &other.mant * pow10(-k))
        };
        let q = &num / &den;
        let r = &num % &den;
        let twice_r = &r * 2 * sign(&r);
        let abs_den = &den * sign(&den);
        let q = if twice_r >= abs_den {
            q + sign(&num) * sign(&den)
        } else {
            q
        };
        Ok(Decimal {
            mant: q,
            exp: -DIVISION_PRECISION,
        })
    }

    /// `d.Float64()`: the float64 nearest to the exact value.
    pub fn to_f64(&self) -> f64 {
        format!("{}e{}", self.mant, self.exp).parse().unwrap_or(0.0)
    }
}

/// Tiny helpers over `BigInt` so we need no extra numeric-traits dependency.
mod num_traits_lite {
    use num_bigint::{BigInt, Sign};

    /// `10^n` for `n ≥ 0`.
    pub fn pow10(n: i64) -> BigInt {
        BigInt::from(10).pow(u32::try_from(n.max(0)).unwrap_or(0))
    }

    /// Whether `x` is zero.
    pub fn is_zero(x: &BigInt) -> bool {
        x.sign() == Sign::NoSign
    }

    /// -1, 0 or 1.
    pub fn sign(x: &BigInt) -> BigInt {
        BigInt::from(match x.sign() {
            Sign::Minus => -1,
            Sign::NoSign => 0,
            Sign::Plus => 1,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(x: f64) -> Decimal {
        Decimal::from_f64(x).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn exact_decimal_arithmetic() {
        let sum = d(0.1).add(&d(0.2)).map(|x| x.to_f64());
        assert_eq!(sum, Ok(0.3));
        assert_eq!(d(1.1).mul(&d(3.0)).map(|x| x.to_f64()), Ok(3.3));
        assert_eq!(
            d(1.0).div(&d(3.0)).map(|x| x.to_f64()),
            Ok(0.3333333333333333)
        );
        assert_eq!(
            d(2.0).div(&d(3.0)).map(|x| x.to_f64()),
            Ok(0.6666666666666667)
        );
        assert_eq!(
            d(-2.0).div(&d(3.0)).map(|x| x.to_f64()),
            Ok(-0.6666666666666667)
        );
        assert_eq!(
            d(1.0).div(&d(0.0)).err().as_deref(),
            Some("decimal division by 0")
        );
    }
}
