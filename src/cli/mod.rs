//! The command line: `rudder template`, and the commands that follow it.

/// Runs the command line and returns the process exit code.
pub fn main() -> i32 {
    eprintln!("rudder: not yet implemented");
    1
}
