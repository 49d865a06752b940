//! Random primes for RSA keys (`genCA`, `genSelfSignedCert`, `genPrivateKey "rsa"`...).
//!
//! Key generation is the slowest thing a chart can ask for, so the search is built for speed
//! the way OpenSSL's is: a random odd start with its two top bits set, a sieve over the next
//! few thousand odd numbers by every prime below [`SIEVE_BOUND`], then Miller-Rabin on the
//! survivors with fixed-size Montgomery arithmetic (base 2 first, by squaring and doubling
//! only, then [`EXTRA_ROUNDS`] random bases). Two threads search together and the first two
//! primes found make the key. On CPUs with AVX-512 IFMA the tests and the sieve's remainders
//! run eight at a time instead (`prime_ifma.rs`: survivors take a base-2 Fermat test by
//! eights, then the eight Miller-Rabin rounds of one survivor run together). Sizes without a
//! fixed-size instance return `None` and the caller uses the `rsa` crate's generator.

use num_bigint_dig::BigUint;
use rand::rngs::OsRng;
use rand::RngCore;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};

/// Odd primes below this bound sieve the candidates: about 36 candidates per 1024-bit prime
/// then reach Miller-Rabin (41 with 2^14; over 300 primes, 16.6 against 17.2 ms a prime).
const SIEVE_BOUND: u32 = 1 << 16;
/// Random-base Miller-Rabin rounds after base 2. For random candidates of 512 bits and more,
/// FIPS 186-4 (table C.2) asks at most 7 rounds in all for these sizes; Go does 20 and a
/// Lucas test, OpenSSL 64 (tuned against chosen, not random, input). Eight in all here.
const EXTRA_ROUNDS: usize = 7;
/// Sieve window, in odd numbers per 64 bits of prime: around 11 primes are expected in it.
const WINDOW_PER_LIMB: usize = 256;
/// The public exponent every key uses; a prime p with p = 1 (mod e) cannot serve.
const PUBLIC_EXPONENT: u32 = 65537;
/// The largest prime handled here: 2048 bits.
const MAX_LIMBS: usize = 32;
/// Candidates per vector test.
const LANES: usize = 8;

/// Two distinct random primes of `bits` bits each with their top two bits set (so their
/// product has exactly `2 * bits` bits), searched on two threads; `None` when `bits` has no
/// fixed-size implementation here.
pub fn rsa_prime_pair(bits: usize) -> Option<(BigUint, BigUint)> {
    match bits {
        512 => pair::<8>(vector::<8, 10>()),
        1024 => pair::<16>(vector::<16, 20>()),
        1536 => pair::<24>(vector::<24, 30>()),
        2048 => pair::<32>(vector::<32, 40>()),
        _ => None,
    }
}

/// The eight-at-a-time tests for primes of `64 * N` bits (`L` limbs of 52 bits), when this
/// CPU has them.
#[derive(Clone, Copy)]
struct Vector<const N: usize> {
    /// Base-2 Fermat verdicts of eight candidates, one bit each.
    fermat: fn(&[[u64; N]; LANES]) -> u8,
    /// Eight Miller-Rabin rounds on one candidate.
    miller_rabin: fn(&[u64; N]) -> bool,
    /// [`scalar_remainders`], eight primes at a time.
    remainders: fn(&[u64; N], &mut Vec<u64>),
}

#[cfg(target_arch = "x86_64")]
fn vector<const N: usize, const L: usize>() -> Option<Vector<N>> {
    ifma::available().then_some(Vector {
        fermat: ifma::fermat8::<N, L>,
        miller_rabin: ifma::miller_rabin8::<N, L>,
        remainders: ifma::remainders::<N>,
    })
}

#[cfg(not(target_arch = "x86_64"))]
fn vector<const N: usize, const L: usize>() -> Option<Vector<N>> {
    None
}

fn pair<const N: usize>(vector: Option<Vector<N>>) -> Option<(BigUint, BigUint)> {
    let found: Mutex<Vec<[u64; N]>> = Mutex::new(Vec::with_capacity(3));
    let stop = AtomicBool::new(false);
    let work = || {
        while let Some(p) = match vector {
            Some(v) => search_vector::<N>(&stop, v),
            None => search::<N>(&stop),
        } {
            let Ok(mut primes) = found.lock() else { return };
            if !primes.contains(&p) {
                primes.push(p);
            }
            if primes.len() >= 2 {
                stop.store(true, Ordering::Relaxed);
                return;
            }
        }
    };
    std::thread::scope(|s| {
        s.spawn(work);
        work();
    });
    let primes = found.into_inner().ok()?;
    match primes.as_slice() {
        [p, q, ..] => Some((to_biguint(p), to_biguint(q))),
        _ => None,
    }
}

fn to_biguint<const N: usize>(limbs: &[u64; N]) -> BigUint {
    let bytes: Vec<u8> = limbs.iter().flat_map(|l| l.to_le_bytes()).collect();
    BigUint::from_bytes_le(&bytes)
}

/// A sieving prime with its Barrett constant `floor((2^64 - 1) / p)`: remainders by
/// multiplication, as a division costs some 40 cycles and the sieve takes tens of thousands.
#[derive(Clone, Copy)]
struct SmallPrime {
    p: u64,
    inv: u64,
}

impl SmallPrime {
    fn new(p: u32) -> SmallPrime {
        let p = u64::from(p);
        SmallPrime {
            p,
            inv: u64::MAX / p,
        }
    }

    /// `x mod p` for `x < 2^48`: the quotient estimate is at most one short there.
    fn reduce(self, x: u64) -> u64 {
        let q = ((u128::from(x) * u128::from(self.inv)) >> 64) as u64;
        let r = x - q * self.p;
        if r >= self.p {
            r - self.p
        } else {
            r
        }
    }

    /// `x mod p`, 32 bits at a time (each step below 2^48 as `p < 2^17`).
    fn rem<const N: usize>(self, x: &[u64; N]) -> u64 {
        let mut r = 0u64;
        for &limb in x.iter().rev() {
            r = self.reduce((r << 32) | (limb >> 32));
            r = self.reduce((r << 32) | (limb & 0xffff_ffff));
        }
        r
    }
}

/// The odd primes below [`SIEVE_BOUND`], then the public exponent.
fn small_primes() -> &'static [SmallPrime] {
    static PRIMES: OnceLock<Vec<SmallPrime>> = OnceLock::new();
    PRIMES.get_or_init(|| {
        let n = SIEVE_BOUND as usize;
        let mut composite = vec![false; n];
        let mut primes = Vec::with_capacity(6600);
        for i in (3..n).step_by(2) {
            if !composite[i] {
                primes.push(SmallPrime::new(i as u32));
                for j in (i * i..n).step_by(2 * i) {
                    composite[j] = true;
                }
            }
        }
        primes.push(SmallPrime::new(PUBLIC_EXPONENT));
        primes
    })
}

/// One prime of `64 * N` bits, or `None` once `stop` is set.
fn search<const N: usize>(stop: &AtomicBool) -> Option<[u64; N]> {
    let (mut sieve, mut rems) = (Vec::new(), Vec::new());
    loop {
        let start = sieve_window::<N>(&mut sieve, &mut rems, scalar_remainders);
        for candidate in survivors(&start, &sieve) {
            if stop.load(Ordering::Relaxed) {
                return None;
            }
            if probably_prime(&candidate) {
                return Some(candidate);
            }
        }
    }
}

/// [`search`] with the eight-at-a-time tests: survivors of the sieve go by eights (the last
/// few of a window are left: a window is seldom used up).
fn search_vector<const N: usize>(stop: &AtomicBool, vector: Vector<N>) -> Option<[u64; N]> {
    let (mut sieve, mut rems) = (Vec::new(), Vec::new());
    loop {
        let start = sieve_window::<N>(&mut sieve, &mut rems, vector.remainders);
        if let Some(p) = first_prime_by_eights(survivors(&start, &sieve), vector, stop) {
            return Some(p);
        }
        if stop.load(Ordering::Relaxed) {
            return None;
        }
    }
}

/// The first prime among `candidates` (odd, top bit set), tested eight at a time; `None` once
/// they run out (a last partial batch is left) or `stop` is set.
fn first_prime_by_eights<const N: usize>(
    candidates: impl Iterator<Item = [u64; N]>,
    vector: Vector<N>,
    stop: &AtomicBool,
) -> Option<[u64; N]> {
    let mut batch = [[0u64; N]; LANES];
    let mut filled = 0;
    for candidate in candidates {
        batch[filled] = candidate;
        filled += 1;
        if filled < LANES {
            continue;
        }
        filled = 0;
        if stop.load(Ordering::Relaxed) {
            return None;
        }
        let passed = (vector.fermat)(&batch);
        for (lane, candidate) in batch.iter().enumerate() {
            if passed >> lane & 1 == 1 && (vector.miller_rabin)(candidate) {
                return Some(*candidate);
            }
        }
    }
    None
}

/// The numbers of a sieved window that no small prime divides, in order, while they keep
/// the top two bits of `start` (and fit `N` limbs).
fn survivors<'a, const N: usize>(
    start: &'a [u64; N],
    sieve: &'a [bool],
) -> impl Iterator<Item = [u64; N]> + 'a {
    sieve
        .iter()
        .enumerate()
        .filter(|&(_, &composite)| !composite)
        .map_while(move |(k, _)| add_small(start, 2 * k as u64).filter(|c| c[N - 1] >> 62 == 3))
}

/// `x mod p` for every sieving prime p into `out`.
fn scalar_remainders<const N: usize>(x: &[u64; N], out: &mut Vec<u64>) {
    out.clear();
    out.extend(small_primes().iter().map(|sp| sp.rem(x)));
}

/// Draws a random odd start of `64 * N` bits with its top two bits set and marks in `sieve`
/// the offsets k where a small prime divides `start + 2k`; returns the start. `rems` is
/// scratch space for `remainders`.
fn sieve_window<const N: usize>(
    sieve: &mut Vec<bool>,
    rems: &mut Vec<u64>,
    remainders: fn(&[u64; N], &mut Vec<u64>),
) -> [u64; N] {
    let window = WINDOW_PER_LIMB * N;
    let primes = small_primes();
    let mut start = [0u64; N];
    for limb in start.iter_mut() {
        *limb = OsRng.next_u64();
    }
    start[N - 1] |= 3 << 62;
    start[0] |= 1;
    sieve.clear();
    sieve.resize(window, false);
    // Offset k stands for start + 2k; mark every k where a small prime divides it.
    remainders(&start, rems);
    for (&sp, &r) in primes.iter().zip(rems.iter()) {
        let p = sp.p;
        // The first k with r + 2k = 0 (mod p), 2^-1 being (p + 1) / 2; for e, r + 2k = 1,
        // which keeps p - 1 coprime to the public exponent.
        let target = u64::from(p == u64::from(PUBLIC_EXPONENT));
        let diff = sp.reduce(target + p - r);
        let mut k = sp.reduce(diff * p.div_ceil(2)) as usize;
        while k < window {
            sieve[k] = true;
            k += p as usize;
        }
    }
    start
}

/// `x + v`, or `None` when it overflows `N` limbs.
fn add_small<const N: usize>(x: &[u64; N], v: u64) -> Option<[u64; N]> {
    let mut out = *x;
    let mut carry = v;
    for limb in out.iter_mut() {
        if carry == 0 {
            break;
        }
        let (s, c) = limb.overflowing_add(carry);
        *limb = s;
        carry = u64::from(c);
    }
    (carry == 0).then_some(out)
}

/// Miller-Rabin: base 2, then [`EXTRA_ROUNDS`] random bases. `m` is odd, top bit set.
fn probably_prime<const N: usize>(m: &[u64; N]) -> bool {
    let mont = Mont::new(m);
    let mut m1 = *m;
    m1[0] -= 1; // m is odd: no borrow
    let s = trailing_zeros(&m1);
    let d = shr(&m1, s);
    if !mont.witness_passes(mont.pow2(&d), s) {
        return false;
    }
    let r2 = mont.r_squared();
    let top = 64 * N as u32 - 1;
    for _ in 0..EXTRA_ROUNDS {
        // A base below 2^(bits-1) < m - 1, at least 2.
        let mut a = [0u64; N];
        for limb in a.iter_mut() {
            *limb = OsRng.next_u64();
        }
        a[(top / 64) as usize] &= (1u64 << (top % 64)) - 1;
        if a[1..].iter().all(|&l| l == 0) && a[0] < 2 {
            a[0] = 2;
        }
        let base = mont.mul(&a, &r2);
        if !mont.witness_passes(mont.pow(&base, &d), s) {
            return false;
        }
    }
    true
}

fn trailing_zeros<const N: usize>(x: &[u64; N]) -> u32 {
    let mut n = 0;
    for &limb in x {
        if limb != 0 {
            return n + limb.trailing_zeros();
        }
        n += 64;
    }
    n
}

/// `x >> s` for `s < 64 * N`.
fn shr<const N: usize>(x: &[u64; N], s: u32) -> [u64; N] {
    let (words, bits) = ((s / 64) as usize, s % 64);
    let mut out = [0u64; N];
    for i in 0..N - words {
        let lo = x[i + words] >> bits;
        let hi = match (bits, x.get(i + words + 1)) {
            (0, _) | (_, None) => 0,
            (_, Some(&next)) => next << (64 - bits),
        };
        out[i] = lo | hi;
    }
    out
}

fn less<const N: usize>(a: &[u64; N], b: &[u64; N]) -> bool {
    for i in (0..N).rev() {
        if a[i] != b[i] {
            return a[i] < b[i];
        }
    }
    false
}

fn sub_assign<const N: usize>(a: &mut [u64; N], b: &[u64; N]) {
    let mut borrow = false;
    for (x, &y) in a.iter_mut().zip(b) {
        let (d1, b1) = x.overflowing_sub(y);
        let (d2, b2) = d1.overflowing_sub(u64::from(borrow));
        *x = d2;
        borrow = b1 || b2;
    }
}

/// Montgomery arithmetic modulo an odd `m` of exactly `64 * N` bits (R = 2^(64N)).
struct Mont<const N: usize> {
    m: [u64; N],
    /// -m^-1 mod 2^64.
    inv: u64,
    /// R mod m: 1 in Montgomery form.
    one: [u64; N],
    /// m - one: -1 in Montgomery form.
    minus_one: [u64; N],
}

impl<const N: usize> Mont<N> {
    fn new(m: &[u64; N]) -> Self {
        // Newton's iteration doubles the correct low bits of m0^-1 each step (3 -> 96).
        let mut inv = m[0];
        for _ in 0..5 {
            inv = inv.wrapping_mul(2u64.wrapping_sub(m[0].wrapping_mul(inv)));
        }
        // R - m < m since m's top bit is set: R mod m is the two's complement of m.
        let mut one = [0u64; N];
        let mut carry = true;
        for (o, &l) in one.iter_mut().zip(m) {
            let (v, c) = (!l).overflowing_add(u64::from(carry));
            *o = v;
            carry = c;
        }
        let mut minus_one = *m;
        sub_assign(&mut minus_one, &one);
        Mont {
            m: *m,
            inv: inv.wrapping_neg(),
            one,
            minus_one,
        }
    }

    /// R^2 mod m, by doubling R mod m 64N times.
    fn r_squared(&self) -> [u64; N] {
        let mut x = self.one;
        for _ in 0..64 * N {
            x = self.double(&x);
        }
        x
    }

    /// `2a mod m` for `a < m`.
    fn double(&self, a: &[u64; N]) -> [u64; N] {
        let mut out = [0u64; N];
        let mut carry = 0;
        for (o, &l) in out.iter_mut().zip(a) {
            *o = (l << 1) | carry;
            carry = l >> 63;
        }
        if carry != 0 || !less(&out, &self.m) {
            sub_assign(&mut out, &self.m);
        }
        out
    }

    /// `a * b / R mod m` for `a, b < m` (coarsely integrated operand scanning).
    fn mul(&self, a: &[u64; N], b: &[u64; N]) -> [u64; N] {
        let mut t = [0u64; N];
        let mut top = 0u64;
        for &bi in b {
            let mut carry = 0u64;
            for (tj, &aj) in t.iter_mut().zip(a) {
                let v = u128::from(*tj) + u128::from(aj) * u128::from(bi) + u128::from(carry);
                *tj = v as u64;
                carry = (v >> 64) as u64;
            }
            let v = u128::from(top) + u128::from(carry);
            top = v as u64;
            let top2 = (v >> 64) as u64;
            let q = t[0].wrapping_mul(self.inv);
            let v = u128::from(t[0]) + u128::from(q) * u128::from(self.m[0]);
            let mut carry = (v >> 64) as u64;
            for j in 1..N {
                let v =
                    u128::from(t[j]) + u128::from(q) * u128::from(self.m[j]) + u128::from(carry);
                t[j - 1] = v as u64;
                carry = (v >> 64) as u64;
            }
            let v = u128::from(top) + u128::from(carry);
            t[N - 1] = v as u64;
            top = top2 + (v >> 64) as u64;
        }
        // t < 2m: one conditional subtraction (a set `top` is the borrow it absorbs).
        if top != 0 || !less(&t, &self.m) {
            sub_assign(&mut t, &self.m);
        }
        t
    }

    /// `a * a / R mod m` for `a < m`: the cross products once and doubled, then Montgomery
    /// reduction (three quarters of `mul`'s word products; squaring is most of a test).
    fn sqr(&self, a: &[u64; N]) -> [u64; N] {
        let mut t = [0u64; 2 * MAX_LIMBS];
        for i in 0..N {
            let mut carry = 0u64;
            for j in i + 1..N {
                let v =
                    u128::from(t[i + j]) + u128::from(a[i]) * u128::from(a[j]) + u128::from(carry);
                t[i + j] = v as u64;
                carry = (v >> 64) as u64;
            }
            t[i + N] = carry;
        }
        let mut high = 0;
        for w in t[..2 * N].iter_mut() {
            let next = *w >> 63;
            *w = (*w << 1) | high;
            high = next;
        }
        let mut carry = 0u64;
        for (i, &ai) in a.iter().enumerate() {
            let sq = u128::from(ai) * u128::from(ai);
            let v = u128::from(t[2 * i]) + (sq & u128::from(u64::MAX)) + u128::from(carry);
            t[2 * i] = v as u64;
            let v = u128::from(t[2 * i + 1]) + (sq >> 64) + (v >> 64);
            t[2 * i + 1] = v as u64;
            carry = (v >> 64) as u64;
        }
        // REDC: clear one low word per step; `over` is the carry out of the top word so far.
        let mut over = 0u64;
        for i in 0..N {
            let q = t[i].wrapping_mul(self.inv);
            let mut carry = 0u64;
            for j in 0..N {
                let v = u128::from(t[i + j])
                    + u128::from(q) * u128::from(self.m[j])
                    + u128::from(carry);
                t[i + j] = v as u64;
                carry = (v >> 64) as u64;
            }
            let v = u128::from(t[i + N]) + u128::from(carry) + u128::from(over);
            t[i + N] = v as u64;
            over = (v >> 64) as u64;
        }
        let mut out = [0u64; N];
        out.copy_from_slice(&t[N..2 * N]);
        if over != 0 || !less(&out, &self.m) {
            sub_assign(&mut out, &self.m);
        }
        out
    }

    /// `2^e` in Montgomery form: squarings and doublings only.
    fn pow2(&self, e: &[u64; N]) -> [u64; N] {
        let mut x = self.one;
        let mut started = false;
        for i in (0..64 * N).rev() {
            let bit = e[i / 64] >> (i % 64) & 1 == 1;
            if started {
                x = self.sqr(&x);
            }
            if bit {
                x = self.double(&x);
                started = true;
            }
        }
        x
    }

    /// `base^e` for `base` in Montgomery form, with 4-bit fixed windows.
    fn pow(&self, base: &[u64; N], e: &[u64; N]) -> [u64; N] {
        let mut table = [self.one; 16];
        table[1] = *base;
        for i in 2..16 {
            table[i] = self.mul(&table[i - 1], base);
        }
        let mut x = self.one;
        let mut started = false;
        for i in (0..16 * N).rev() {
            let nibble = (e[i / 16] >> (4 * (i % 16)) & 15) as usize;
            if started {
                for _ in 0..4 {
                    x = self.sqr(&x);
                }
            }
            if nibble != 0 {
                x = if started {
                    self.mul(&x, &table[nibble])
                } else {
                    table[nibble]
                };
                started = true;
            }
        }
        x
    }

    /// The end of a Miller-Rabin round: `x = a^d`, `m - 1 = d * 2^s`.
    fn witness_passes(&self, mut x: [u64; N], s: u32) -> bool {
        if x == self.one || x == self.minus_one {
            return true;
        }
        for _ in 1..s {
            x = self.sqr(&x);
            if x == self.minus_one {
                return true;
            }
            if x == self.one {
                return false;
            }
        }
        false
    }
}

#[cfg(target_arch = "x86_64")]
#[path = "prime_ifma.rs"]
mod ifma;

#[path = "prime_dsa.rs"]
mod dsa;
pub use dsa::dsa_2048_256;

#[cfg(test)]
#[path = "prime_tests.rs"]
mod tests;
