//! The `rudder` binary: a thin wrapper over the library's command line.

/// musl's allocator is slow for a render's many small allocations; the static build uses
/// mimalloc (glibc's malloc is already fast, so the default build keeps it).
#[cfg(target_env = "musl")]
#[global_allocator]
static GLOBAL: mi::Mimalloc = mi::Mimalloc;

/// mimalloc through its plain entry points wherever the alignment allows: the `mimalloc`
/// crate's allocator calls the aligned ones for every request, some twenty instructions more
/// each (thousands of calls, 5% of a small chart's instructions). Every mimalloc block is
/// word-aligned (its size classes are whole words), so alignments up to 8 need nothing more.
#[cfg(target_env = "musl")]
mod mi {
    use libmimalloc_sys as ffi;
    use std::alloc::{GlobalAlloc, Layout};
    use std::ffi::c_void;

    const WORD: usize = 8;

    /// The global allocator of the static build.
    pub struct Mimalloc;

    // SAFETY: each call forwards to mimalloc's matching function with the same size, and
    // with the alignment whenever it exceeds what every mimalloc block already has.
    unsafe impl GlobalAlloc for Mimalloc {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            // SAFETY: plain mimalloc calls; mimalloc returns null on failure as required.
            unsafe {
                if layout.align() <= WORD {
                    ffi::mi_malloc(layout.size()) as *mut u8
                } else {
                    ffi::mi_malloc_aligned(layout.size(), layout.align()) as *mut u8
                }
            }
        }

        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            // SAFETY: as for `alloc`.
            unsafe {
                if layout.align() <= WORD {
                    ffi::mi_zalloc(layout.size()) as *mut u8
                } else {
                    ffi::mi_zalloc_aligned(layout.size(), layout.align()) as *mut u8
                }
            }
        }

        unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
            // SAFETY: `ptr` came from this allocator, so from mimalloc.
            unsafe { ffi::mi_free(ptr as *mut c_void) }
        }

        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            // SAFETY: `ptr` came from mimalloc with `layout`'s alignment, which is kept.
            unsafe {
                if layout.align() <= WORD {
                    ffi::mi_realloc(ptr as *mut c_void, new_size) as *mut u8
                } else {
                    ffi::mi_realloc_aligned(ptr as *mut c_void, new_size, layout.align()) as *mut u8
                }
            }
        }
    }
}

/// Stack the command runs on (committed only as it is touched).
const MAIN_STACK: usize = 16 * 1024 * 1024;

fn main() {
    // The parser and the executor recurse through `stacker::maybe_grow`, which needs the
    // current stack's bounds. musl reports only the part of the main thread's stack mapped so
    // far, so there every check failed and mapped (and faulted in) a fresh segment: 25 of them
    // for a small chart. A segment stacker allocated itself has known bounds.
    stacker::grow(MAIN_STACK, || exit(rudder::cli::main()));
}

/// Ends the process once standard output is flushed.
#[cfg(not(target_env = "musl"))]
fn exit(code: i32) -> ! {
    std::process::exit(code)
}

/// Ends the process once standard output is flushed, without the C library's exit handlers:
/// the only one is mimalloc's, which hands every page back to the kernel one `madvise` at a
/// time (26 calls, 4% of a small chart's run) just before the kernel frees them all anyway.
#[cfg(target_env = "musl")]
fn exit(code: i32) -> ! {
    use std::io::Write;
    let _ = std::io::stdout().flush();
    // SAFETY: _exit only ends the process; output is flushed and nothing else is pending.
    unsafe { libc::_exit(code) }
}

/// The C library's memory functions, replaced in the static build (see `rudder::memops`): the
/// linker takes these definitions and leaves musl's out.
#[cfg(all(target_env = "musl", target_arch = "x86_64"))]
mod c_memory {
    use rudder::memops::{compare, copy, fill};

    /// C `memcpy`.
    #[no_mangle]
    unsafe extern "C" fn memcpy(dst: *mut u8, src: *const u8, n: usize) -> *mut u8 {
        copy(dst, src, n);
        dst
    }

    /// C `memmove`.
    #[no_mangle]
    unsafe extern "C" fn memmove(dst: *mut u8, src: *const u8, n: usize) -> *mut u8 {
        copy(dst, src, n);
        dst
    }

    /// C `memset`.
    #[no_mangle]
    unsafe extern "C" fn memset(dst: *mut u8, byte: i32, n: usize) -> *mut u8 {
        fill(dst, byte as u8, n);
        dst
    }

    /// C `memcmp`.
    #[no_mangle]
    unsafe extern "C" fn memcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
        compare(a, b, n)
    }

    /// C `bcmp`.
    #[no_mangle]
    unsafe extern "C" fn bcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
        compare(a, b, n)
    }
}
