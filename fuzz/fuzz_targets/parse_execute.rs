//! libFuzzer target over the template engine. Bytes before the first NUL are YAML values (dot);
//! the rest is template text. Parsing or executing must never panic; errors are fine.
//! Run: `cargo +nightly fuzz run parse_execute -- -max_total_time=600 -timeout=10`.

#![no_main]

use libfuzzer_sys::fuzz_target;
use rudder::template::{Templates, Value};

fuzz_target!(|data: &[u8]| {
    let (values, text) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (&b""[..], data),
    };
    let (Ok(values), Ok(text)) = (std::str::from_utf8(values), std::str::from_utf8(text)) else {
        return;
    };
    // Values are kept small: the engine, not the YAML loader, is under test.
    let dot = if values.len() <= 256 {
        rudder::yaml::load_values(values).unwrap_or(Value::Nil)
    } else {
        Value::Nil
    };
    let mut t = Templates::new(rudder::render::helm_funcs());
    // Small recursion limits keep self-including inputs short (exponential in Go too).
    t.options.max_include_depth = 8;
    t.options.max_exec_depth = 8;
    if t.add("t", text).is_ok() {
        let _ = t.execute("t", &dot);
    }
});
