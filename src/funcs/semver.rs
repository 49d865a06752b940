//! Sprig/Helm functions: semver group.

use crate::template::FuncMap;

/// Registers this group's functions.
pub fn register(_m: &mut FuncMap) {}
