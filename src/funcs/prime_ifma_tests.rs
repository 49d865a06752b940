use super::super::tests::{below, limbs, random_limbs, random_modulus};
use super::super::{probably_prime, scalar_remainders, search, to_biguint};

fn add_small<const N: usize>(x: &[u64; N], v: u64) -> [u64; N] {
    super::super::add_small(x, v).unwrap_or(*x)
}
use super::*;
use num_bigint_dig::BigUint;
use rand::rngs::StdRng;
use rand::SeedableRng;
use std::sync::atomic::AtomicBool;

/// False (and says so) on CPUs without AVX-512 IFMA, where the code here never runs.
fn runnable() -> bool {
    let ok = available();
    if !ok {
        eprintln!("no AVX-512 IFMA on this CPU: vector prime tests skipped");
    }
    ok
}

fn check_limbs<const N: usize, const L: usize>(seed: u64) {
    let mut rng = StdRng::seed_from_u64(seed);
    for _ in 0..50 {
        let x = random_limbs::<N>(&mut rng);
        let l = to52::<N, L>(&x);
        assert!(l.iter().all(|&v| v <= MASK52));
        assert_eq!(from52::<N, L>(&l), x);
    }
}

#[test]
fn limb_conversion_round_trips() {
    check_limbs::<8, 10>(1);
    check_limbs::<16, 20>(2);
    check_limbs::<24, 30>(3);
    check_limbs::<32, 40>(4);
}

/// Eight moduli with their top two bits set, as the prime search produces.
fn moduli<const N: usize>(rng: &mut StdRng) -> [[u64; N]; LANES] {
    std::array::from_fn(|_| {
        let mut m = random_modulus::<N>(rng);
        m[N - 1] |= 1 << 62;
        m
    })
}

fn check_arithmetic<const N: usize, const L: usize>(seed: u64) {
    let mut rng = StdRng::seed_from_u64(seed);
    let r = BigUint::from(1u32) << (52 * L);
    for _ in 0..10 {
        let m = moduli::<N>(&mut rng);
        let mont = Mont8::<N, L>::new(&m);
        let a: [[u64; N]; LANES] = std::array::from_fn(|k| below(&mut rng, &m[k]));
        let b: [[u64; N]; LANES] = std::array::from_fn(|k| below(&mut rng, &m[k]));
        let (va, vb) = (
            X8::load(&a.map(|x| to52(&x))),
            X8::load(&b.map(|x| to52(&x))),
        );
        // SAFETY: `runnable()` checked the CPU.
        let (prod, dbl, sq) = unsafe {
            let prod = mont.mul(&va, &vb);
            // Inputs up to 2m - 1 stay below 2m: square the doubled values too.
            let dbl = mont.double(&va);
            let sq = mont.mul(&dbl, &dbl);
            (
                mont.reduce(&prod).store(),
                mont.reduce(&dbl).store(),
                sq.store(),
            )
        };
        for k in 0..LANES {
            let big_m = to_biguint(&m[k]);
            let (ba, bb) = (to_biguint(&a[k]), to_biguint(&b[k]));
            assert_eq!(to_biguint(&from52::<N, L>(&mont.one[k])), &r % &big_m);
            // mul(a, b) = a * b * R^-1: times R gives back a * b.
            let p = to_biguint(&from52::<N, L>(&prod[k]));
            assert!(p < big_m);
            assert_eq!((p * &r) % &big_m, (&ba * &bb) % &big_m);
            let d = to_biguint(&from52::<N, L>(&dbl[k]));
            assert_eq!(d, (&ba * 2u32) % &big_m);
            let s = to_biguint(&from52::<N, L>(&sq[k]));
            assert!(s < &big_m * 2u32, "almost-Montgomery output above 2m");
            assert_eq!((s * &r) % &big_m, (&ba * &ba * 4u32) % &big_m);
        }
    }
}

#[test]
fn vector_montgomery_matches_biguint() {
    if !runnable() {
        return;
    }
    check_arithmetic::<8, 10>(11);
    check_arithmetic::<16, 20>(12);
    check_arithmetic::<24, 30>(13);
    check_arithmetic::<32, 40>(14);
}

fn check_remainders<const N: usize>(seed: u64) {
    let mut rng = StdRng::seed_from_u64(seed);
    let (mut ours, mut reference) = (Vec::new(), Vec::new());
    for _ in 0..20 {
        let x = random_limbs::<N>(&mut rng);
        remainders(&x, &mut ours);
        scalar_remainders(&x, &mut reference);
        assert_eq!(ours, reference);
    }
    // Extremes: all ones, and zero.
    remainders(&[u64::MAX; N], &mut ours);
    scalar_remainders(&[u64::MAX; N], &mut reference);
    assert_eq!(ours, reference);
    remainders(&[0; N], &mut ours);
    assert!(ours.iter().all(|&r| r == 0));
}

#[test]
fn vector_remainders_match_scalar() {
    if !runnable() {
        return;
    }
    check_remainders::<8>(41);
    check_remainders::<16>(42);
    check_remainders::<32>(43);
}

fn fermat_reference<const N: usize>(m: &[u64; N]) -> bool {
    let big = to_biguint(m);
    let e = &big - 1u32;
    BigUint::from(2u32).modpow(&e, &big) == BigUint::from(1u32)
}

fn check_fermat<const N: usize, const L: usize>(seed: u64, rounds: usize) {
    let mut rng = StdRng::seed_from_u64(seed);
    let stop = AtomicBool::new(false);
    for round in 0..rounds {
        let mut c = moduli::<N>(&mut rng);
        // Primes in some lanes (a different mix each round), composites elsewhere.
        for (k, lane) in c.iter_mut().enumerate() {
            if (round + k) % 3 == 0 {
                if let Some(p) = search::<N>(&stop) {
                    *lane = p;
                }
            }
        }
        let verdicts = fermat8::<N, L>(&c);
        for (k, lane) in c.iter().enumerate() {
            assert_eq!(verdicts >> k & 1 == 1, fermat_reference(lane), "lane {k}");
        }
        assert_ne!(verdicts, 0, "a lane held a prime");
    }
}

#[test]
fn fermat_verdicts_match_biguint() {
    if !runnable() {
        return;
    }
    check_fermat::<8, 10>(21, 6);
    check_fermat::<16, 20>(22, 3);
    check_fermat::<24, 30>(23, 1);
}

fn check_miller_rabin<const N: usize, const L: usize>(seed: u64, rounds: usize) {
    let mut rng = StdRng::seed_from_u64(seed);
    let stop = AtomicBool::new(false);
    for _ in 0..rounds {
        let Some(p) = search::<N>(&stop) else {
            panic!("no prime found")
        };
        assert!(miller_rabin8::<N, L>(&p));
        let next = add_small(&p, 2);
        assert_eq!(miller_rabin8::<N, L>(&next), probably_prime(&next));
        let m = moduli::<N>(&mut rng)[0];
        assert_eq!(miller_rabin8::<N, L>(&m), probably_prime(&m));
    }
}

#[test]
fn miller_rabin_agrees_with_scalar_test() {
    if !runnable() {
        return;
    }
    check_miller_rabin::<8, 10>(31, 10);
    check_miller_rabin::<16, 20>(32, 4);
    // Products of two primes of half the size: composite, and no base-2 pseudoprimes.
    let stop = AtomicBool::new(false);
    for _ in 0..4 {
        let (Some(p), Some(q)) = (search::<8>(&stop), search::<8>(&stop)) else {
            panic!("no prime found")
        };
        let n = limbs::<16>(&(to_biguint(&p) * to_biguint(&q)));
        assert_eq!(fermat8::<16, 20>(&[n; LANES]), 0);
        assert!(!miller_rabin8::<16, 20>(&n));
    }
}
