//! Random-input robustness test of the template engine: arbitrary template text (built from
//! template-syntax fragments, function names and random characters, then randomly mutated) is
//! parsed and executed with small values and Helm's function map. No input may panic or hang.
//!
//! CI runs a bounded number of cases; `RUDDER_FUZZ_SECS=600 cargo test --release --test
//! fuzz_engine -- --nocapture` runs for ten minutes. `RUDDER_FUZZ_SEED` replays a run (up to
//! the random functions' own output). A watchdog aborts the process (printing the input) if one
//! case runs longer than 30 s; `RUDDER_FUZZ_LAST=FILE` keeps the input being run in FILE.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rudder::template::{Templates, Value};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Functions left out of the alphabet: slow by design (key generation, scrypt, bcrypt) or
/// reaching the network (`getHostByName`); none of them parse template text.
const EXCLUDED: &[&str] = &[
    "genPrivateKey",
    "genCA",
    "genCAWithKey",
    "genSelfSignedCert",
    "genSelfSignedCertWithKey",
    "genSignedCert",
    "genSignedCertWithKey",
    "derivePassword",
    "bcrypt",
    "htpasswd",
    "getHostByName",
];

const SYNTAX: &[&str] = &[
    "{{",
    "}}",
    "{{- ",
    " -}}",
    "{{/*",
    "*/}}",
    " ",
    " ",
    " ",
    "\n",
    ".",
    ".Values",
    ".a",
    ".s",
    ".l",
    ".m",
    ".m.k",
    ".n",
    ".Values.m.k",
    "$",
    "$x",
    "$y",
    " := ",
    " = ",
    " | ",
    "(",
    ")",
    ",",
    "if ",
    "else ",
    "else if ",
    "end",
    "range ",
    "with ",
    "define \"t\"",
    "template \"t\" ",
    "block \"b\" ",
    "break",
    "continue",
    "include \"t\" ",
    "tpl ",
    "\"s\"",
    "\"{{ . }}\"",
    "`raw`",
    "1",
    "-1",
    "0",
    "2.5",
    "1e3",
    "0x10",
    "'a'",
    "nil",
    "true",
    "false",
    "\"t\"",
    "\"%v %d %s %q\"",
    "\"\\n\"",
    "\"a,b\"",
    "list 1 2 ",
    "dict \"k\" 1 ",
    "$x := ",
    "range $i, $e := ",
    "{{ end }}",
    "{{ else }}",
];

/// A dot shaped like Helm's, small.
const VALUES: &str = "a: 1\ns: str\nl: [1, x, null, 2.5]\nm: {k: v, n: {d: 1}}\nn: null\n\
f: 1.5\nb: true\nValues: {a: 1, m: {k: v}, l: [a, b]}\n";

fn random_char(rng: &mut StdRng) -> char {
    if rng.gen_bool(0.7) {
        char::from(rng.gen_range(0x20u8..0x7f))
    } else {
        rng.gen_range('\u{80}'..'\u{2fff}')
    }
}

fn random_template(rng: &mut StdRng, funcs: &[String]) -> String {
    let mut s = String::new();
    for _ in 0..rng.gen_range(1..10) {
        if rng.gen_bool(0.2) {
            // Plain text between actions.
            for _ in 0..rng.gen_range(0..6) {
                s.push(random_char(rng));
            }
            continue;
        }
        // An action: mostly well delimited, with a few tokens inside.
        s.push_str(if rng.gen_bool(0.8) { "{{ " } else { "{{- " });
        for _ in 0..rng.gen_range(1..7) {
            match rng.gen_range(0..10) {
                0..=5 => s.push_str(SYNTAX[rng.gen_range(0..SYNTAX.len())]),
                6..=8 => s.push_str(&funcs[rng.gen_range(0..funcs.len())]),
                _ => s.push(random_char(rng)),
            }
            s.push(' ');
        }
        s.push_str(if rng.gen_bool(0.8) { "}}" } else { " -}}" });
    }
    // Mutations: drop or duplicate a byte range (at char boundaries) to break structure.
    for _ in 0..rng.gen_range(0..3) {
        let cut: Vec<usize> = s.char_indices().map(|(i, _)| i).collect();
        if cut.len() < 2 {
            break;
        }
        let a = cut[rng.gen_range(0..cut.len())];
        let b = cut[rng.gen_range(0..cut.len())];
        let (a, b) = (a.min(b), a.max(b));
        if rng.gen_bool(0.5) {
            s.replace_range(a..b, "");
        } else {
            let dup = s[a..b].to_string();
            s.insert_str(b, &dup);
        }
    }
    s
}

#[test]
fn random_templates_never_panic_or_hang() {
    let funcs_map = rudder::render::helm_funcs();
    let funcs: Vec<String> = funcs_map
        .names()
        .into_iter()
        .filter(|n| !EXCLUDED.contains(n))
        .map(String::from)
        .collect();
    let dot: Value = match rudder::yaml::load_values(VALUES) {
        Ok(v) => v,
        Err(e) => panic!("values: {e:?}"),
    };
    let seed: u64 = std::env::var("RUDDER_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| rand::thread_rng().gen());
    let secs: Option<u64> = std::env::var("RUDDER_FUZZ_SECS")
        .ok()
        .and_then(|s| s.parse().ok());
    let last_input = std::env::var_os("RUDDER_FUZZ_LAST");
    let max_cases: u64 = if secs.is_some() { u64::MAX } else { 5000 };
    let deadline = secs.map(|s| Instant::now() + Duration::from_secs(s));
    eprintln!("fuzz_engine: seed {seed}");

    // Watchdog: the current input and when it started; abort if one case exceeds 30 s.
    let current: Arc<Mutex<(String, Instant)>> =
        Arc::new(Mutex::new((String::new(), Instant::now())));
    let done = Arc::new(AtomicU64::new(0));
    {
        let current = Arc::clone(&current);
        let done = Arc::clone(&done);
        std::thread::spawn(move || loop {
            std::thread::sleep(Duration::from_secs(1));
            if done.load(Ordering::Relaxed) == u64::MAX {
                return;
            }
            let guard = current.lock().unwrap_or_else(|e| e.into_inner());
            if guard.1.elapsed() > Duration::from_secs(30) {
                eprintln!("fuzz_engine: HANG (> 30 s) on input {:?}", guard.0);
                std::process::abort();
            }
        });
    }

    let mut rng = StdRng::seed_from_u64(seed);
    let (mut cases, mut parsed, mut executed_ok, mut slow) = (0u64, 0u64, 0u64, Vec::new());
    let mut panics = Vec::new();
    while cases < max_cases && deadline.is_none_or(|d| Instant::now() < d) {
        let text = random_template(&mut rng, &funcs);
        {
            let mut guard = current.lock().unwrap_or_else(|e| e.into_inner());
            *guard = (text.clone(), Instant::now());
        }
        // An abort (a stack overflow) ends the process without a report: the last input written
        // here is the culprit.
        if let Some(path) = &last_input {
            let _ = std::fs::write(path, &text);
        }
        let started = Instant::now();
        let result = catch_unwind(AssertUnwindSafe(|| {
            let mut t = Templates::new(Arc::clone(&funcs_map));
            // Small recursion limits: a template may include itself twice per level, which is
            // exponential in Go as well; the limits keep each case short, not different.
            t.options.max_include_depth = 8;
            t.options.max_exec_depth = 8;
            match t.add("t", &text) {
                Ok(()) => (true, t.execute("t", &dot).is_ok()),
                Err(_) => (false, false),
            }
        }));
        match result {
            Ok((p, e)) => {
                parsed += u64::from(p);
                executed_ok += u64::from(e);
            }
            Err(_) => panics.push(text.clone()),
        }
        if started.elapsed() > Duration::from_secs(5) {
            slow.push(text);
        }
        cases += 1;
        done.store(cases, Ordering::Relaxed);
    }
    done.store(u64::MAX, Ordering::Relaxed);
    eprintln!(
        "fuzz_engine: {cases} cases, {parsed} parsed, {executed_ok} executed without error, \
         {} panics, {} slower than 5 s",
        panics.len(),
        slow.len()
    );
    assert!(panics.is_empty(), "inputs that panicked: {panics:#?}");
    assert!(slow.is_empty(), "inputs slower than 5 s: {slow:#?}");
}
