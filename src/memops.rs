//! Memory copy, fill and compare for the static musl build, which exports them as `memcpy`,
//! `memmove`, `memset`, `memcmp` and `bcmp` (`src/main.rs`).
//!
//! musl's x86_64 `memcpy` aligns with a byte loop and then runs `rep movsq`; on this kind of
//! virtual machine every call costs about 40 ns whatever its size (glibc's: 3 ns), and a render
//! makes thousands of small copies (moves of large values, vector growth): about a tenth of a
//! small chart's run. Its `memcmp` compares a byte at a time. These versions copy small sizes
//! with a few overlapping unaligned loads and stores and larger ones 16 bytes at a time (SSE2,
//! part of every x86_64 CPU).
//!
//! They must never call the functions they implement: loops end each step with an empty
//! `asm!` that may touch memory, so the compiler cannot turn them back into a `memcpy` or
//! `memset` call.

use core::arch::x86_64::{
    __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_set1_epi8, _mm_storeu_si128,
};

#[inline(always)]
unsafe fn load16(p: *const u8) -> __m128i {
    _mm_loadu_si128(p.cast())
}

#[inline(always)]
unsafe fn store16(p: *mut u8, v: __m128i) {
    _mm_storeu_si128(p.cast(), v)
}

/// Keeps a loop a loop: an opaque statement that may read and write memory.
#[inline(always)]
fn barrier() {
    // SAFETY: an empty instruction sequence.
    unsafe { core::arch::asm!("", options(nostack, preserves_flags)) }
}

/// Copies `n` bytes from `src` to `dst`; the ranges may overlap (`memmove`).
///
/// # Safety
/// `src` must be valid for reading and `dst` for writing `n` bytes.
pub unsafe fn copy(dst: *mut u8, src: *const u8, n: usize) {
    if n <= 16 {
        copy_small(dst, src, n);
    } else if n <= 32 {
        let (a, b) = (load16(src), load16(src.add(n - 16)));
        store16(dst, a);
        store16(dst.add(n - 16), b);
    } else if n <= 64 {
        let (a, b) = (load16(src), load16(src.add(16)));
        let (c, d) = (load16(src.add(n - 32)), load16(src.add(n - 16)));
        store16(dst, a);
        store16(dst.add(16), b);
        store16(dst.add(n - 32), c);
        store16(dst.add(n - 16), d);
    } else if (dst as usize).wrapping_sub(src as usize) >= n {
        // `dst` before `src`, or apart: forwards. Each block is read before any store can
        // reach it; the last 16 bytes are read first and stored last.
        let tail = load16(src.add(n - 16));
        let mut i = 0;
        while i + 16 < n {
            store16(dst.add(i), load16(src.add(i)));
            barrier();
            i += 16;
        }
        store16(dst.add(n - 16), tail);
    } else {
        // `dst` inside the source: backwards, the first 16 bytes read first and stored last.
        let head = load16(src);
        let mut i = n;
        while i > 16 {
            i -= 16;
            store16(dst.add(i), load16(src.add(i)));
            barrier();
        }
        store16(dst, head);
    }
}

/// `copy` for `n <= 16`: two overlapping loads of the widest size that fits, then the stores.
#[inline(always)]
unsafe fn copy_small(dst: *mut u8, src: *const u8, n: usize) {
    if n >= 8 {
        let a = src.cast::<u64>().read_unaligned();
        let b = src.add(n - 8).cast::<u64>().read_unaligned();
        dst.cast::<u64>().write_unaligned(a);
        dst.add(n - 8).cast::<u64>().write_unaligned(b);
    } else if n >= 4 {
        let a = src.cast::<u32>().read_unaligned();
        let b = src.add(n - 4).cast::<u32>().read_unaligned();
        dst.cast::<u32>().write_unaligned(a);
        dst.add(n - 4).cast::<u32>().write_unaligned(b);
    } else if n >= 2 {
        let a = src.cast::<u16>().read_unaligned();
        let b = src.add(n - 2).cast::<u16>().read_unaligned();
        dst.cast::<u16>().write_unaligned(a);
        dst.add(n - 2).cast::<u16>().write_unaligned(b);
    } else if n == 1 {
        *dst = *src;
    }
}

/// Sets `n` bytes at `dst` to `byte`.
///
/// # Safety
/// `dst` must be valid for writing `n` bytes.
pub unsafe fn fill(dst: *mut u8, byte: u8, n: usize) {
    if n < 16 {
        let word = u64::from(byte) * 0x0101_0101_0101_0101;
        if n >= 8 {
            dst.cast::<u64>().write_unaligned(word);
            dst.add(n - 8).cast::<u64>().write_unaligned(word);
        } else if n >= 4 {
            dst.cast::<u32>().write_unaligned(word as u32);
            dst.add(n - 4).cast::<u32>().write_unaligned(word as u32);
        } else {
            for i in 0..n {
                *dst.add(i) = byte;
                barrier();
            }
        }
        return;
    }
    let v = _mm_set1_epi8(byte as i8);
    let mut i = 0;
    while i + 16 < n {
        store16(dst.add(i), v);
        barrier();
        i += 16;
    }
    store16(dst.add(n - 16), v);
}

/// Compares `n` bytes as unsigned: negative, zero or positive like `memcmp`.
///
/// # Safety
/// `a` and `b` must be valid for reading `n` bytes.
pub unsafe fn compare(a: *const u8, b: *const u8, n: usize) -> i32 {
    if n < 16 {
        for i in 0..n {
            let (x, y) = (*a.add(i), *b.add(i));
            if x != y {
                return i32::from(x) - i32::from(y);
            }
        }
        return 0;
    }
    let mut i = 0;
    loop {
        // The last block overlaps the one before: its bytes there are already known equal.
        let at = if i + 16 > n { n - 16 } else { i };
        let eq = _mm_movemask_epi8(_mm_cmpeq_epi8(load16(a.add(at)), load16(b.add(at))));
        if eq != 0xffff {
            let k = at + (!eq).trailing_zeros() as usize;
            return i32::from(*a.add(k)) - i32::from(*b.add(k));
        }
        i = at + 16;
        barrier();
        if i >= n {
            return 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{compare, copy, fill};

    fn pattern(len: usize, seed: u8) -> Vec<u8> {
        (0..len)
            .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
            .collect()
    }

    #[test]
    fn copy_matches_copy_within_for_every_size_offset_and_overlap() {
        for n in 0..300 {
            for (src_at, dst_at) in [(0, 0), (0, 7), (7, 0), (3, 300), (300, 5), (0, 1), (1, 0)]
                .into_iter()
                .chain([(0, n / 2), (n / 2, 0), (16, 0), (0, 16), (5, 37), (37, 5)])
            {
                let mut ours = pattern(700, 1);
                let mut want = ours.clone();
                want.copy_within(src_at..src_at + n, dst_at);
                // SAFETY: both ranges lie inside the 700-byte buffer.
                unsafe {
                    let p = ours.as_mut_ptr();
                    copy(p.add(dst_at), p.add(src_at), n);
                }
                assert_eq!(ours, want, "n {n} src {src_at} dst {dst_at}");
            }
        }
    }

    #[test]
    fn fill_sets_exactly_the_range() {
        for n in 0..200 {
            for at in [0, 1, 7, 15, 16, 33] {
                let mut ours = pattern(300, 9);
                let mut want = ours.clone();
                want[at..at + n].fill(0xa5);
                // SAFETY: the range lies inside the 300-byte buffer.
                unsafe { fill(ours.as_mut_ptr().add(at), 0xa5, n) };
                assert_eq!(ours, want, "n {n} at {at}");
            }
        }
    }

    #[test]
    fn compare_orders_like_slices_and_finds_the_first_difference() {
        for n in 0..100 {
            let a = pattern(n, 3);
            // SAFETY: both buffers hold n bytes.
            assert_eq!(unsafe { compare(a.as_ptr(), a.clone().as_ptr(), n) }, 0);
            for k in 0..n {
                for delta in [1u8, 0x80, 0xff] {
                    let mut b = a.clone();
                    b[k] = b[k].wrapping_add(delta);
                    // A later difference the other way must not decide the result.
                    if k + 1 < n {
                        b[n - 1] = b[n - 1].wrapping_sub(1);
                    }
                    let want = a.cmp(&b) as i32;
                    // SAFETY: both buffers hold n bytes.
                    let got = unsafe { compare(a.as_ptr(), b.as_ptr(), n) };
                    assert_eq!(got.signum(), want, "n {n} k {k} delta {delta}");
                }
            }
        }
    }
}
