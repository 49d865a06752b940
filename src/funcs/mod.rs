//! The function library a Helm 3.17 template can call: Go's builtins (in `template::builtins`),
//! Sprig v3.3.0 as Helm exposes it (without `env`/`expandenv`), and Helm's own functions.
//!
//! Each submodule registers one group of functions into a [`FuncMap`].

use crate::template::FuncMap;

pub mod cast;
pub mod certs;
pub mod crypto;
#[cfg(test)]
mod crypto_tests;
pub mod dates;
pub mod decimal;
pub mod defaults;
pub mod dicts;
pub mod encoding;
pub mod goduration;
pub mod golayout;
pub mod golayout_parse;
pub mod goregex;
pub mod gotime;
pub mod helm;
pub mod keys;
pub mod lists;
pub mod math;
pub mod paths;
pub mod prime;
pub mod random;
pub mod reflect;
pub mod regex;
pub mod semver;
pub mod serial;
pub mod strcase;
pub mod strings;
#[cfg(test)]
mod time_cases;
pub mod timeobj;
pub mod unicode;
pub mod url;

/// Every function a Helm 3.17 template can call (Go's builtins sit underneath, in the engine).
pub fn helm_funcs() -> FuncMap {
    let mut m = sprig_and_helm();
    helm::register(&mut m);
    m
}

/// Every Sprig function plus Helm's data functions (without the engine-bound ones of
/// [`helm::register`]).
pub fn sprig_and_helm() -> FuncMap {
    // Room for all of them at once (about 200): no rehashing while registering.
    let mut m = FuncMap::with_capacity(256);
    strings::register(&mut m);
    regex::register(&mut m);
    math::register(&mut m);
    lists::register(&mut m);
    dicts::register(&mut m);
    defaults::register(&mut m);
    reflect::register(&mut m);
    paths::register(&mut m);
    encoding::register(&mut m);
    dates::register(&mut m);
    semver::register(&mut m);
    crypto::register(&mut m);
    random::register(&mut m);
    serial::register(&mut m);
    m
}

#[cfg(test)]
mod recorded_tests;

#[cfg(test)]
mod robustness_tests;
