//! The `rudder` binary: a thin wrapper over the library's command line.

/// musl's allocator is slow for a render's many small allocations; the static build uses
/// mimalloc (glibc's malloc is already fast, so the default build keeps it).
#[cfg(target_env = "musl")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(rudder::cli::main());
}
