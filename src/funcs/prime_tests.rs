use super::*;
use num_bigint_dig::prime::probably_prime as reference_probably_prime;
use num_bigint_dig::RandPrime;
use rand::rngs::StdRng;
use rand::SeedableRng;

pub(super) fn limbs<const N: usize>(x: &BigUint) -> [u64; N] {
    let mut bytes = x.to_bytes_le();
    assert!(
        bytes.len() <= 8 * N,
        "{} bytes do not fit {N} limbs",
        bytes.len()
    );
    bytes.resize(8 * N, 0);
    let mut out = [0u64; N];
    for (o, chunk) in out.iter_mut().zip(bytes.chunks_exact(8)) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        *o = u64::from_le_bytes(word);
    }
    out
}

pub(super) fn random_limbs<const N: usize>(rng: &mut StdRng) -> [u64; N] {
    let mut out = [0u64; N];
    out.iter_mut().for_each(|l| *l = rng.next_u64());
    out
}

/// A random odd modulus with its top bit set, as `Mont` requires.
pub(super) fn random_modulus<const N: usize>(rng: &mut StdRng) -> [u64; N] {
    let mut m = random_limbs::<N>(rng);
    m[N - 1] |= 1 << 63;
    m[0] |= 1;
    m
}

pub(super) fn below<const N: usize>(rng: &mut StdRng, m: &[u64; N]) -> [u64; N] {
    let big = to_biguint(&random_limbs::<N>(rng)) % to_biguint(m);
    limbs(&big)
}

fn check_arithmetic<const N: usize>(seed: u64) {
    let mut rng = StdRng::seed_from_u64(seed);
    for _ in 0..20 {
        let m = random_modulus::<N>(&mut rng);
        let big_m = to_biguint(&m);
        let mont = Mont::new(&m);
        let r = BigUint::from(1u32) << (64 * N);
        assert_eq!(to_biguint(&mont.one), &r % &big_m);
        assert_eq!(to_biguint(&mont.r_squared()), (&r * &r) % &big_m);
        let (a, b) = (below(&mut rng, &m), below(&mut rng, &m));
        let (big_a, big_b) = (to_biguint(&a), to_biguint(&b));
        // mul(a, b) = a * b * R^-1: times R gives back a * b.
        let product = to_biguint(&mont.mul(&a, &b));
        assert_eq!((product * &r) % &big_m, (&big_a * &big_b) % &big_m);
        assert_eq!(mont.sqr(&a), mont.mul(&a, &a));
        assert_eq!(mont.sqr(&mont.minus_one), mont.one);
        assert_eq!(to_biguint(&mont.double(&a)), (&big_a * 2u32) % &big_m);
        // Exponentiation, taken out of Montgomery form by multiplying with plain 1.
        let mut plain_one = [0u64; N];
        plain_one[0] = 1;
        let e = random_limbs::<N>(&mut rng);
        let big_e = to_biguint(&e);
        let base = mont.mul(&a, &mont.r_squared());
        let got = to_biguint(&mont.mul(&mont.pow(&base, &e), &plain_one));
        assert_eq!(got, big_a.modpow(&big_e, &big_m));
        let got = to_biguint(&mont.mul(&mont.pow2(&e), &plain_one));
        assert_eq!(got, BigUint::from(2u32).modpow(&big_e, &big_m));
        let mut short = [0u64; N];
        short[0] = e[0] & 0xff;
        let got = to_biguint(&mont.mul(&mont.pow(&base, &short), &plain_one));
        assert_eq!(got, big_a.modpow(&to_biguint(&short), &big_m));
    }
}

#[test]
fn montgomery_arithmetic_matches_big_integers() {
    check_arithmetic::<8>(1);
    check_arithmetic::<16>(2);
    check_arithmetic::<24>(3);
    check_arithmetic::<32>(4);
}

#[test]
fn small_remainders_shifts_and_sums() {
    let mut rng = StdRng::seed_from_u64(5);
    for _ in 0..50 {
        let x = random_limbs::<16>(&mut rng);
        let big = to_biguint(&x);
        for &p in &[3u32, 5, 7, 16381, 65521, 65537] {
            let want = (&big % BigUint::from(p)).to_bytes_le();
            let want = want
                .iter()
                .rev()
                .fold(0u64, |acc, &b| acc * 256 + u64::from(b));
            let sp = SmallPrime::new(p);
            assert_eq!(sp.rem(&x), want);
            let y = rng.next_u64() >> 16;
            assert_eq!(sp.reduce(y), y % u64::from(p));
            assert_eq!(sp.reduce((1 << 48) - 1), ((1u64 << 48) - 1) % u64::from(p));
        }
        let s = (rng.next_u32() % 1000) + 1;
        assert_eq!(to_biguint(&shr(&x, s)), &big >> s as usize);
        match add_small(&x, 12345) {
            Some(sum) => assert_eq!(to_biguint(&sum), &big + 12345u32),
            None => assert!((&big + 12345u32).bits() > 1024),
        }
    }
    assert_eq!(add_small(&[u64::MAX; 4], 1), None);
    assert_eq!(trailing_zeros(&[0, 8u64, 0]), 67);
    let primes = small_primes();
    let p: Vec<u64> = primes.iter().map(|sp| sp.p).collect();
    assert_eq!(&p[..6], &[3, 5, 7, 11, 13, 17]);
    assert_eq!(p.len(), 6542 - 1 + 1, "odd primes below 2^16, then e");
    assert_eq!(&p[p.len() - 2..], &[65521, 65537]);
}

/// RFC 3526's 1536- and 2048-bit MODP primes (hexadecimal, top bits set) are prime; their
/// neighbours and products of two primes are not.
#[test]
fn known_primes_and_composites() {
    let modp_2048 = BigUint::parse_bytes(
        b"FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3BE39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA051015728E5A8AACAA68FFFFFFFFFFFFFFFF",
        16,
    )
    .expect("hex");
    assert!(probably_prime(&limbs::<32>(&modp_2048)));
    let next_odd = &modp_2048 - 2u32;
    assert_eq!(
        probably_prime(&limbs::<32>(&next_odd)),
        reference_probably_prime(&next_odd, 20)
    );
    let mut rng = StdRng::seed_from_u64(6);
    let p = rng.gen_prime(512);
    let q = rng.gen_prime(512);
    let n = &p * &q;
    if n.bits() == 1024 {
        assert!(!probably_prime(&limbs::<16>(&n)));
    }
    assert!(probably_prime(&limbs::<8>(&p)));
    // p^2 passes no Miller-Rabin base.
    let square = &p * &p;
    if square.bits() == 1024 {
        assert!(!probably_prime(&limbs::<16>(&square)));
    }
}

/// Random odd 512-bit numbers with the top bit set: the verdict agrees with num-bigint-dig's
/// 20-round Miller-Rabin plus Lucas test on every one (about 1 in 180 is prime).
#[test]
fn verdicts_agree_with_reference_test() {
    let mut rng = StdRng::seed_from_u64(7);
    let mut primes = 0;
    for _ in 0..3000 {
        let m = random_modulus::<8>(&mut rng);
        let big = to_biguint(&m);
        let ours = probably_prime(&m);
        assert_eq!(ours, reference_probably_prime(&big, 20), "{big}");
        primes += usize::from(ours);
    }
    assert!(
        primes > 3,
        "only {primes} primes in 3000 random odd numbers"
    );
}

#[test]
fn prime_pairs_make_full_size_moduli() {
    for bits in [512usize, 1024] {
        let (p, q) = rsa_prime_pair(bits).expect("supported size");
        assert_ne!(p, q);
        for x in [&p, &q] {
            assert_eq!(x.bits(), bits);
            assert_eq!(x >> (bits - 2), BigUint::from(3u32), "top two bits set");
            assert!(reference_probably_prime(x, 20));
            assert_ne!(
                x % PUBLIC_EXPONENT,
                BigUint::from(1u32),
                "p - 1 must be coprime to e"
            );
        }
        assert_eq!((&p * &q).bits(), 2 * bits);
    }
    assert!(rsa_prime_pair(1000).is_none());
}

#[test]
fn dsa_parameters_are_well_formed() {
    // None only without the vector tests; the dsa crate generates then.
    let Some((p, q, g)) = dsa_2048_256() else {
        eprintln!("no AVX-512 IFMA on this CPU: DSA parameters come from the dsa crate");
        return;
    };
    let one = BigUint::from(1u32);
    assert_eq!(p.bits(), 2048);
    assert_eq!(q.bits(), 256);
    assert!(reference_probably_prime(&p, 20), "p is not prime");
    assert!(reference_probably_prime(&q, 20), "q is not prime");
    assert_eq!(
        (&p - &one) % &q,
        BigUint::from(0u32),
        "q does not divide p - 1"
    );
    assert!(g > one && g < p);
    assert_eq!(g.modpow(&q, &p), one, "g does not have order q");
}
