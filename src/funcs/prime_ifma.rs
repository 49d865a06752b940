//! Eight Montgomery multiplications at once with AVX-512 IFMA: one number per 64-bit lane,
//! in 52-bit limbs (`vpmadd52luq`/`vpmadd52huq` give the low and high halves of 52x52-bit
//! products). Eight sieve survivors take their base-2 Fermat test together, and a survivor
//! takes eight Miller-Rabin rounds together: eight 1024-bit Montgomery products cost 450 ns,
//! one costs the scalar code 320 ns. The sieve's remainders go eight primes at a time too.
//!
//! The multiplication is "almost Montgomery" (R = 2^(52L) > 4m): inputs and outputs stay
//! below 2m, and only comparisons reduce fully. Limbs accumulate unnormalized within one
//! multiplication (at most 4L additions of 52-bit halves, far below 2^64) and are normalized
//! once at its end, so no lane ever waits on another.

use super::{small_primes, sub_assign, Mont, LANES};
use rand::rngs::OsRng;
use rand::RngCore;
use std::arch::x86_64::{
    __m512i, _mm512_add_epi64, _mm512_and_si512, _mm512_cmpeq_epi64_mask, _mm512_loadu_si512,
    _mm512_madd52hi_epu64, _mm512_madd52lo_epu64, _mm512_mask_blend_epi64, _mm512_min_epu64,
    _mm512_or_si512, _mm512_set1_epi64, _mm512_setzero_si512, _mm512_slli_epi64, _mm512_srli_epi64,
    _mm512_storeu_si512, _mm512_sub_epi64,
};
use std::sync::OnceLock;

const MASK52: u64 = (1 << 52) - 1;

/// Whether this CPU runs the code here (checked once by the standard library, then cached).
pub(super) fn available() -> bool {
    std::arch::is_x86_feature_detected!("avx512f")
        && std::arch::is_x86_feature_detected!("avx512ifma")
}

/// `x` (64-bit limbs) in `L` limbs of 52 bits.
fn to52<const N: usize, const L: usize>(x: &[u64; N]) -> [u64; L] {
    let mut out = [0u64; L];
    for (j, o) in out.iter_mut().enumerate() {
        let (w, off) = (52 * j / 64, 52 * j % 64);
        if w >= N {
            break;
        }
        let mut v = x[w] >> off;
        if off > 12 && w + 1 < N {
            v |= x[w + 1] << (64 - off);
        }
        *o = v & MASK52;
    }
    out
}

/// The inverse of [`to52`] for normalized limbs of a value below 2^(64N).
#[cfg(test)]
fn from52<const N: usize, const L: usize>(x: &[u64; L]) -> [u64; N] {
    let mut out = [0u64; N];
    for (j, &limb) in x.iter().enumerate() {
        let (w, off) = (52 * j / 64, 52 * j % 64);
        if w >= N {
            break;
        }
        out[w] |= limb << off;
        if off > 12 && w + 1 < N {
            out[w + 1] |= limb >> (64 - off);
        }
    }
    out
}

/// Limb j of eight numbers in `0[j]`.
#[derive(Clone, Copy)]
struct X8<const L: usize>([__m512i; L]);

impl<const L: usize> X8<L> {
    /// Eight numbers given as 52-bit limbs.
    fn load(numbers: &[[u64; L]; LANES]) -> Self {
        let mut limbs = [[0u64; LANES]; L];
        for (k, n) in numbers.iter().enumerate() {
            for (j, &l) in n.iter().enumerate() {
                limbs[j][k] = l;
            }
        }
        // SAFETY: each row is 64 readable bytes and `loadu` has no alignment requirement;
        // avx512f is present: the entry points check `available()` before anything here runs.
        unsafe {
            let mut out = [_mm512_setzero_si512(); L];
            for (o, row) in out.iter_mut().zip(&limbs) {
                *o = _mm512_loadu_si512(row.as_ptr().cast());
            }
            X8(out)
        }
    }

    /// The eight numbers back as 52-bit limbs.
    fn store(&self) -> [[u64; L]; LANES] {
        let mut out = [[0u64; L]; LANES];
        for (j, v) in self.0.iter().enumerate() {
            let mut row = [0u64; LANES];
            // SAFETY: `row` is 64 writable bytes; `storeu` has no alignment requirement.
            unsafe { _mm512_storeu_si512(row.as_mut_ptr().cast(), *v) };
            for (k, &l) in row.iter().enumerate() {
                out[k][j] = l;
            }
        }
        out
    }
}

/// Montgomery arithmetic modulo eight odd numbers of `64 * N` bits with their top bit set,
/// R = 2^(52L) with 52L >= 64N + 2.
struct Mont8<const N: usize, const L: usize> {
    m: X8<L>,
    m2: X8<L>,
    /// -m^-1 mod 2^52 per lane.
    k0: __m512i,
    /// R mod m per lane, normalized: 1 in Montgomery form.
    one: [[u64; L]; LANES],
    /// m - (R mod m) per lane: -1 in Montgomery form.
    minus_one: [[u64; L]; LANES],
}

impl<const N: usize, const L: usize> Mont8<N, L> {
    fn new(moduli: &[[u64; N]; LANES]) -> Self {
        let mut k0 = [0u64; LANES];
        let mut one = [[0u64; L]; LANES];
        let mut minus_one = [[0u64; L]; LANES];
        let mut m = [[0u64; L]; LANES];
        let mut m2 = [[0u64; L]; LANES];
        for (k, modulus) in moduli.iter().enumerate() {
            // Miller-Rabin puts one modulus in every lane: set it up once.
            if k > 0 && *modulus == moduli[k - 1] {
                (k0[k], one[k], minus_one[k]) = (k0[k - 1], one[k - 1], minus_one[k - 1]);
                (m[k], m2[k]) = (m[k - 1], m2[k - 1]);
                continue;
            }
            let scalar = Mont::new(modulus);
            k0[k] = scalar.inv & MASK52;
            // 2^(64N) mod m, doubled up to 2^(52L) mod m.
            let mut r = scalar.one;
            for _ in 64 * N..52 * L {
                r = scalar.double(&r);
            }
            one[k] = to52(&r);
            let mut neg = *modulus;
            sub_assign(&mut neg, &r);
            minus_one[k] = to52(&neg);
            m[k] = to52(modulus);
            // 2m needs one bit more than m: shift the 52-bit limbs.
            let mut carry = 0;
            for (d, &l) in m2[k].iter_mut().zip(&m[k]) {
                *d = ((l << 1) | carry) & MASK52;
                carry = l >> 51;
            }
        }
        // SAFETY: 64 readable bytes, no alignment requirement; avx512f as in `X8::load`.
        let k0 = unsafe { _mm512_loadu_si512(k0.as_ptr().cast()) };
        Mont8 {
            m: X8::load(&m),
            m2: X8::load(&m2),
            k0,
            one,
            minus_one,
        }
    }

    /// `a * b / R mod m`, below 2m, for `a, b < 2m` with normalized limbs.
    #[target_feature(enable = "avx512f,avx512ifma")]
    fn mul(&self, a: &X8<L>, b: &X8<L>) -> X8<L> {
        let zero = _mm512_setzero_si512();
        let (a, m) = (&a.0, &self.m.0);
        let mut t = [zero; L];
        for &bi in &b.0 {
            // The lowest limb first: it decides q, which clears it.
            let t0 = _mm512_madd52lo_epu64(t[0], a[0], bi);
            let q = _mm512_madd52lo_epu64(zero, t0, self.k0);
            let t0 = _mm512_madd52lo_epu64(t0, m[0], q);
            let carry = _mm512_srli_epi64(t0, 52);
            // Add the rest of a*bi + q*m and shift down one limb in the same pass.
            for j in 1..L {
                let mut v = _mm512_madd52lo_epu64(t[j], a[j], bi);
                v = _mm512_madd52lo_epu64(v, m[j], q);
                v = _mm512_madd52hi_epu64(v, a[j - 1], bi);
                t[j - 1] = _mm512_madd52hi_epu64(v, m[j - 1], q);
            }
            t[0] = _mm512_add_epi64(t[0], carry);
            let top = _mm512_madd52hi_epu64(zero, a[L - 1], bi);
            t[L - 1] = _mm512_madd52hi_epu64(top, m[L - 1], q);
        }
        normalize(&mut t);
        X8(t)
    }

    /// `a * a / R mod m`, below 2m, for `a < 2m`: the whole square first, its cross products
    /// once and doubled (a quarter fewer products than `mul`), then the reduction.
    #[target_feature(enable = "avx512f,avx512ifma")]
    fn sqr(&self, a: &X8<L>) -> X8<L> {
        let zero = _mm512_setzero_si512();
        let (a, m) = (&a.0, &self.m.0);
        let mut square = [[zero; L]; 2];
        let t = square.as_flattened_mut();
        // Row i adds a_i * a_j for j > i: limb i + j takes the low half of one product and
        // the high half of the one before (one load and store for two products).
        for i in 0..L - 1 {
            let ai = a[i];
            t[2 * i + 1] = _mm512_madd52lo_epu64(t[2 * i + 1], ai, a[i + 1]);
            for j in i + 2..L {
                let v = _mm512_madd52lo_epu64(t[i + j], ai, a[j]);
                t[i + j] = _mm512_madd52hi_epu64(v, ai, a[j - 1]);
            }
            t[i + L] = _mm512_madd52hi_epu64(t[i + L], ai, a[L - 1]);
        }
        for i in 0..L {
            let (lo, hi) = (t[2 * i], t[2 * i + 1]);
            t[2 * i] = _mm512_madd52lo_epu64(_mm512_add_epi64(lo, lo), a[i], a[i]);
            t[2 * i + 1] = _mm512_madd52hi_epu64(_mm512_add_epi64(hi, hi), a[i], a[i]);
        }
        // Clear one low limb per step (q from its low 52 bits), carrying its excess upward.
        for i in 0..L {
            let q = _mm512_madd52lo_epu64(zero, t[i], self.k0);
            let low = _mm512_madd52lo_epu64(t[i], m[0], q);
            let v = _mm512_add_epi64(t[i + 1], _mm512_srli_epi64(low, 52));
            let v = _mm512_madd52lo_epu64(v, m[1], q);
            t[i + 1] = _mm512_madd52hi_epu64(v, m[0], q);
            for j in 2..L {
                let v = _mm512_madd52lo_epu64(t[i + j], m[j], q);
                t[i + j] = _mm512_madd52hi_epu64(v, m[j - 1], q);
            }
            t[i + L] = _mm512_madd52hi_epu64(t[i + L], m[L - 1], q);
        }
        let mut out = [zero; L];
        out.copy_from_slice(&t[L..2 * L]);
        normalize(&mut out);
        X8(out)
    }

    /// `2a`, below 2m, for `a < 2m`.
    #[target_feature(enable = "avx512f,avx512ifma")]
    fn double(&self, a: &X8<L>) -> X8<L> {
        let mut t = a.0;
        for l in t.iter_mut() {
            *l = _mm512_add_epi64(*l, *l);
        }
        normalize(&mut t);
        sub_if_not_less(&X8(t), &self.m2)
    }

    /// `a mod m` for `a < 2m`.
    #[target_feature(enable = "avx512f,avx512ifma")]
    fn reduce(&self, a: &X8<L>) -> X8<L> {
        sub_if_not_less(a, &self.m)
    }

    fn one(&self) -> X8<L> {
        X8::load(&self.one)
    }
}

/// Carries every limb's excess into the next one (the top limb keeps its own).
#[target_feature(enable = "avx512f")]
fn normalize<const L: usize>(t: &mut [__m512i; L]) {
    let mask = _mm512_set1_epi64(MASK52 as i64);
    for j in 0..L - 1 {
        let carry = _mm512_srli_epi64(t[j], 52);
        t[j] = _mm512_and_si512(t[j], mask);
        t[j + 1] = _mm512_add_epi64(t[j + 1], carry);
    }
}

/// Per lane, `a - b` where `a >= b` and `a` elsewhere (normalized limbs).
#[target_feature(enable = "avx512f")]
fn sub_if_not_less<const L: usize>(a: &X8<L>, b: &X8<L>) -> X8<L> {
    let mask = _mm512_set1_epi64(MASK52 as i64);
    let mut borrow = _mm512_setzero_si512();
    let mut d = a.0;
    for (dj, &bj) in d.iter_mut().zip(&b.0) {
        let v = _mm512_sub_epi64(_mm512_sub_epi64(*dj, bj), borrow);
        borrow = _mm512_srli_epi64(v, 63);
        *dj = _mm512_and_si512(v, mask);
    }
    let keep = _mm512_cmpeq_epi64_mask(borrow, _mm512_setzero_si512());
    let mut out = a.0;
    for (o, &dj) in out.iter_mut().zip(&d) {
        *o = _mm512_mask_blend_epi64(keep, *o, dj);
    }
    X8(out)
}

/// Base-2 Fermat test of eight odd candidates of `64 * N` bits with their top two bits set:
/// bit k of the result is set when `2^(m_k - 1) = 1 (mod m_k)`.
pub(super) fn fermat8<const N: usize, const L: usize>(candidates: &[[u64; N]; LANES]) -> u8 {
    if !available() {
        // Only reached by misuse; the full scalar test is a stronger filter.
        let mut passed = 0u8;
        for (k, c) in candidates.iter().enumerate() {
            passed |= u8::from(super::probably_prime(c)) << k;
        }
        return passed;
    }
    let mont = Mont8::<N, L>::new(candidates);
    // SAFETY: the CPU has avx512f and avx512ifma (checked above).
    unsafe { fermat8_inner(&mont, candidates) }
}

#[target_feature(enable = "avx512f,avx512ifma")]
fn fermat8_inner<const N: usize, const L: usize>(
    mont: &Mont8<N, L>,
    candidates: &[[u64; N]; LANES],
) -> u8 {
    // m - 1 differs from m only in bit 0, and every m has bit 64N - 1 set: start from 2^1
    // in Montgomery form, then square and double along the lower bits.
    let mut x = mont.double(&mont.one());
    for i in (0..64 * N - 1).rev() {
        x = mont.sqr(&x);
        let mut bits = 0u8;
        if i > 0 {
            for (k, c) in candidates.iter().enumerate() {
                bits |= ((c[i / 64] >> (i % 64) & 1) as u8) << k;
            }
        }
        if bits != 0 {
            let doubled = mont.double(&x);
            for (xj, &dj) in x.0.iter_mut().zip(&doubled.0) {
                *xj = _mm512_mask_blend_epi64(bits, *xj, dj);
            }
        }
    }
    let x = mont.reduce(&x).store();
    let mut passed = 0u8;
    for (k, (xk, one)) in x.iter().zip(&mont.one).enumerate() {
        if xk == one {
            passed |= 1 << k;
        }
    }
    passed
}

/// Eight Miller-Rabin rounds on `m` (odd, `64 * N` bits, top two bits set): base 2 and seven
/// random bases. The random bases are drawn in Montgomery form, which is the same as drawing
/// them plainly (x -> x R^-1 is a bijection mod m).
pub(super) fn miller_rabin8<const N: usize, const L: usize>(m: &[u64; N]) -> bool {
    if !available() {
        return super::probably_prime(m); // only reached by misuse
    }
    let mont = Mont8::<N, L>::new(&[*m; LANES]);
    // Lane 0 is set to 2 later; the others get random bases, drawn as 52-bit limbs.
    let mut bases = [[0u64; L]; LANES];
    let mut draw = [0u64; N];
    for base in bases.iter_mut().skip(1) {
        loop {
            for limb in draw.iter_mut() {
                *limb = OsRng.next_u64();
            }
            draw[N - 1] >>= 1; // below 2^(64N-1) < m
            *base = to52::<N, L>(&draw);
            // 0, 1 and -1 prove nothing.
            if *base != [0u64; L] && *base != mont.one[0] && *base != mont.minus_one[0] {
                break;
            }
        }
    }
    let mut m1 = *m;
    m1[0] -= 1;
    let s = super::trailing_zeros(&m1);
    let d = super::shr(&m1, s);
    // SAFETY: the CPU has avx512f and avx512ifma (checked above).
    unsafe { miller_rabin8_inner(&mont, &bases, &d, s) }
}

#[target_feature(enable = "avx512f,avx512ifma")]
fn miller_rabin8_inner<const N: usize, const L: usize>(
    mont: &Mont8<N, L>,
    bases: &[[u64; L]; LANES],
    d: &[u64; N],
    s: u32,
) -> bool {
    let mut x = X8::load(bases);
    // Lane 0: 2 in Montgomery form.
    let two = mont.double(&mont.one());
    for (xj, &tj) in x.0.iter_mut().zip(&two.0) {
        *xj = _mm512_mask_blend_epi64(1, *xj, tj);
    }
    let mut y = pow(mont, &x, d);
    let (one, minus_one) = (mont.one[0], mont.minus_one[0]);
    let mut decided = [false; LANES];
    for step in 0..s {
        if step > 0 {
            y = mont.sqr(&y);
        }
        let v = mont.reduce(&y).store();
        for k in 0..LANES {
            if decided[k] {
                continue;
            }
            if v[k] == minus_one || (step == 0 && v[k] == one) {
                decided[k] = true;
            } else if v[k] == one {
                return false; // a nontrivial square root of 1
            }
        }
        if decided.iter().all(|&d| d) {
            return true;
        }
    }
    false
}

/// `x^e` per lane for `x` in Montgomery form, with 4-bit fixed windows (`e` shared).
#[target_feature(enable = "avx512f,avx512ifma")]
fn pow<const N: usize, const L: usize>(mont: &Mont8<N, L>, x: &X8<L>, e: &[u64; N]) -> X8<L> {
    let one = mont.one();
    let mut table = [one; 16];
    table[1] = *x;
    for i in 2..16 {
        table[i] = mont.mul(&table[i - 1], x);
    }
    let mut acc = one;
    let mut started = false;
    for i in (0..16 * N).rev() {
        let nibble = (e[i / 16] >> (4 * (i % 16)) & 15) as usize;
        if started {
            for _ in 0..4 {
                acc = mont.sqr(&acc);
            }
        }
        if nibble != 0 {
            acc = if started {
                mont.mul(&acc, &table[nibble])
            } else {
                table[nibble]
            };
            started = true;
        }
    }
    acc
}

/// Eight sieving primes, or their constants.
type Group = [u64; LANES];

/// The sieving primes by eights (the last group padded with 3s) and their constants
/// `floor(2^52 / p)`.
fn sieving_groups() -> &'static (Vec<Group>, Vec<Group>) {
    static GROUPS: OnceLock<(Vec<Group>, Vec<Group>)> = OnceLock::new();
    GROUPS.get_or_init(|| {
        let primes = small_primes();
        let groups: Vec<Group> = primes
            .chunks(LANES)
            .map(|c| std::array::from_fn(|k| c.get(k).map_or(3, |sp| sp.p)))
            .collect();
        let inverses = groups.iter().map(|g| g.map(|p| (1 << 52) / p)).collect();
        (groups, inverses)
    })
}

/// `x mod p` for every sieving prime p, in the order of `small_primes()`, into `out`.
pub(super) fn remainders<const N: usize>(x: &[u64; N], out: &mut Vec<u64>) {
    if !available() {
        return super::scalar_remainders(x, out); // only reached by misuse
    }
    let (groups, inverses) = sieving_groups();
    out.clear();
    out.resize(groups.len() * LANES, 0);
    // SAFETY: the CPU has avx512f and avx512ifma (checked above).
    unsafe { remainders_inner(x, groups, inverses, out) };
    out.truncate(small_primes().len());
}

#[target_feature(enable = "avx512f,avx512ifma")]
fn remainders_inner<const N: usize>(
    x: &[u64; N],
    groups: &[Group],
    inverses: &[Group],
    out: &mut [u64],
) {
    const AT_ONCE: usize = 4;
    let zero = _mm512_setzero_si512();
    let load = |v: &[u64; LANES]| {
        // SAFETY: 64 readable bytes, no alignment requirement.
        unsafe { _mm512_loadu_si512(v.as_ptr().cast()) }
    };
    for ((g, i), o) in groups
        .chunks(AT_ONCE)
        .zip(inverses.chunks(AT_ONCE))
        .zip(out.chunks_mut(AT_ONCE * LANES))
    {
        // Four independent remainder chains keep the multipliers busy.
        let mut p = [zero; AT_ONCE];
        let mut v = [zero; AT_ONCE];
        for k in 0..g.len() {
            p[k] = load(&g[k]);
            v[k] = load(&i[k]);
        }
        let mut r = [zero; AT_ONCE];
        // Horner by 32 bits from the top: r * 2^32 + chunk < 2^50; the quotient estimate
        // from floor(2^52 / p) is at most one short, so one subtraction finishes.
        for &limb in x.iter().rev() {
            for chunk in [limb >> 32, limb & 0xffff_ffff] {
                let c = _mm512_set1_epi64(chunk as i64);
                for k in 0..AT_ONCE {
                    let y = _mm512_or_si512(_mm512_slli_epi64(r[k], 32), c);
                    let q = _mm512_madd52hi_epu64(zero, y, v[k]);
                    let y = _mm512_sub_epi64(y, _mm512_madd52lo_epu64(zero, q, p[k]));
                    r[k] = _mm512_min_epu64(y, _mm512_sub_epi64(y, p[k]));
                }
            }
        }
        for (k, dst) in o.chunks_mut(LANES).enumerate() {
            let mut row = [0u64; LANES];
            // SAFETY: `row` is 64 writable bytes; `storeu` has no alignment requirement.
            unsafe { _mm512_storeu_si512(row.as_mut_ptr().cast(), r[k]) };
            dst.copy_from_slice(&row[..dst.len()]);
        }
    }
}

#[cfg(test)]
#[path = "prime_ifma_tests.rs"]
mod tests;
