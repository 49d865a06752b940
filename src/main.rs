//! The `rudder` binary: a thin wrapper over the library's command line.

fn main() {
    std::process::exit(rudder::cli::main());
}
