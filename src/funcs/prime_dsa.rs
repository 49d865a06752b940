//! DSA domain parameters for `genPrivateKey "dsa"` (L = 2048, N = 256, as Go's
//! `dsa.L2048N256`): q a random 256-bit prime, then a prime p = 1 (mod q) of 2048 bits, then
//! g = 2^((p-1)/q) mod p (the first h from 2 whose power is not 1, FIPS 186-4 A.2.1).
//!
//! Go tests random p = 1 (mod 2q) one at a time; here a random base starts a window of
//! p = base + 2qk that every odd prime below 2^16 sieves (k = -base / 2q modulo each), and the
//! survivors take the eight-at-a-time tests of the RSA search on two threads.

use super::{first_prime_by_eights, small_primes, to_biguint, Vector, WINDOW_PER_LIMB};
use num_bigint_dig::prime::probably_prime;
use num_bigint_dig::{BigUint, RandBigInt};
use rand::rngs::OsRng;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

/// 64-bit limbs of p.
const P_LIMBS: usize = 32;
/// Miller-Rabin rounds for q (Go: 64 with a Lucas test; q is cheap at 256 bits).
const Q_ROUNDS: usize = 32;

/// `(p, q, g)`, or `None` without the vector tests (the caller uses the `dsa` crate).
pub fn dsa_2048_256() -> Option<(BigUint, BigUint, BigUint)> {
    let vector = super::vector::<P_LIMBS, 40>()?;
    let q = loop {
        let q = OsRng.gen_biguint(256) | (BigUint::from(1u32) << 255usize) | BigUint::from(1u32);
        if probably_prime(&q, Q_ROUNDS) {
            break q;
        }
    };
    let two_q = &q << 1usize;
    // (2q)^-1 mod s for every sieving prime s (none divides 2q: q is a 256-bit prime).
    let inverses: Vec<u64> = small_primes()
        .iter()
        .map(|sp| {
            let d = limbs::<1>(&(&two_q % sp.p)).map_or(0, |l| l[0]);
            mod_inverse(d, sp.p)
        })
        .collect();
    let found: Mutex<Option<BigUint>> = Mutex::new(None);
    let stop = AtomicBool::new(false);
    let work = || {
        if let Some(p) = search_p(&two_q, &inverses, vector, &stop) {
            stop.store(true, Ordering::Relaxed);
            if let Ok(mut f) = found.lock() {
                f.get_or_insert(p);
            }
        }
    };
    std::thread::scope(|s| {
        s.spawn(work);
        work();
    });
    let p = found.into_inner().ok()??;
    let e = (&p - 1u32) / &q;
    let mut h = BigUint::from(2u32);
    let g = loop {
        let g = h.modpow(&e, &p);
        if g != BigUint::from(1u32) {
            break g;
        }
        h += 1u32;
    };
    Some((p, q, g))
}

/// `a^-1 mod s` for a prime `s` not dividing `a` (extended Euclid).
fn mod_inverse(a: u64, s: u64) -> u64 {
    let (mut r0, mut r1) = (s as i64, (a % s) as i64);
    let (mut t0, mut t1) = (0i64, 1i64);
    while r1 != 0 {
        let q = r0 / r1;
        (r0, r1) = (r1, r0 - q * r1);
        (t0, t1) = (t1, t0 - q * t1);
    }
    t0.rem_euclid(s as i64) as u64
}

/// A prime p = 1 (mod 2q) of exactly 2048 bits, or `None` once `stop` is set.
fn search_p(
    two_q: &BigUint,
    inverses: &[u64],
    vector: Vector<P_LIMBS>,
    stop: &AtomicBool,
) -> Option<BigUint> {
    let window = WINDOW_PER_LIMB * P_LIMBS;
    let primes = small_primes();
    let (mut sieve, mut rems) = (vec![false; window], Vec::new());
    loop {
        // A random base with its top two bits set, moved to 1 (mod 2q): p = base + 2qk
        // keeps 2048 bits across the window.
        let m = OsRng.gen_biguint(2048) | (BigUint::from(3u32) << 2046usize);
        let base = &m - &m % two_q + 1u32;
        (vector.remainders)(&limbs::<P_LIMBS>(&base)?, &mut rems);
        sieve.iter_mut().for_each(|c| *c = false);
        for ((sp, &r), &inv) in primes.iter().zip(rems.iter()).zip(inverses) {
            // base + 2qk = 0 (mod s) at k = -base * (2q)^-1.
            let p = sp.p;
            let mut k = sp.reduce(sp.reduce(p - r) * inv) as usize;
            while k < window {
                sieve[k] = true;
                k += p as usize;
            }
        }
        let candidates = sieve
            .iter()
            .enumerate()
            .filter(|&(_, &composite)| !composite)
            .map_while(|(k, _)| limbs::<P_LIMBS>(&(&base + two_q * k)))
            .filter(|c| c[P_LIMBS - 1] >> 63 == 1);
        if let Some(p) = first_prime_by_eights(candidates, vector, stop) {
            return Some(to_biguint(&p));
        }
        if stop.load(Ordering::Relaxed) {
            return None;
        }
    }
}

/// `x` as `N` 64-bit limbs, or `None` when it does not fit.
fn limbs<const N: usize>(x: &BigUint) -> Option<[u64; N]> {
    let bytes = x.to_bytes_le();
    if bytes.len() > 8 * N {
        return None;
    }
    let mut out = [0u64; N];
    for (o, chunk) in out.iter_mut().zip(bytes.chunks(8)) {
        let mut word = [0u8; 8];
        word[..chunk.len()].copy_from_slice(chunk);
        *o = u64::from_le_bytes(word);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverses_modulo_small_primes() {
        for sp in small_primes().iter().step_by(97) {
            for a in [1, 2, 3, 65_535, 1 << 40, u64::MAX - 1] {
                if a % sp.p == 0 {
                    continue;
                }
                let inv = mod_inverse(a, sp.p);
                assert!(inv < sp.p);
                assert_eq!(u128::from(a % sp.p) * u128::from(inv) % u128::from(sp.p), 1);
            }
        }
    }
}
