//! Shared helpers for the integration tests. Each `tests/*.rs` binary includes this with
//! `mod support;` and uses only part of it, hence the dead-code allowance.
#![allow(dead_code)]

pub mod cluster;
pub mod rudder_cli;
