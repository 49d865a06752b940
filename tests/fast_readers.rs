//! The fast YAML readers against the general loader, on the shared corpus
//! (`../shared/corpus`) and on mutations of its files (lines dropped, duplicated or
//! re-indented, characters inserted). Whenever a fast reader accepts a document, the general
//! loader must read it without error and to the same result:
//! - `rudder::yaml::head` (manifest heads): every document helm rendered for the corpus;
//! - `rudder::yaml::block` (whole documents): every `values.yaml` of the corpus charts and
//!   every rendered document.
//!
//! Skips, saying so, when the corpus is absent.

use rudder::render::manifest::{read_head_general, split_manifests};
use rudder::yaml::head::{fast_head, Head, HOOK_ANNOTATIONS};
use rudder::yaml::{block::fast_document, load_any, load_any_general};
use std::path::PathBuf;

fn shared() -> Option<PathBuf> {
    let beside = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared");
    [beside, PathBuf::from("/work/shared")]
        .into_iter()
        .find(|p| p.join("corpus/expected").is_dir())
}

/// The general reader's head, restricted to what the fast reader returns.
fn general(doc: &str) -> Result<Head, String> {
    read_head_general(doc).map(|mut h| {
        h.annotations
            .retain(|(k, _)| HOOK_ANNOTATIONS.contains(&k.as_str()));
        h.annotations.sort();
        h
    })
}

/// Compares on one document; returns whether the fast reader accepted it.
fn check(doc: &str) -> bool {
    let Some(mut fast) = fast_head(doc) else {
        return false;
    };
    fast.annotations.sort();
    match general(doc) {
        Ok(g) => assert_eq!(fast, g, "document:\n{doc}"),
        Err(e) => panic!("fast reader accepted a document the loader rejects ({e}):\n{doc}"),
    }
    true
}

/// xorshift64: deterministic mutations.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const INSERTS: &[&str] = &[
    " ",
    "  ",
    "-",
    "- ",
    ":",
    ": ",
    "#",
    " #",
    "\"",
    "'",
    "|",
    ">",
    "{",
    "[",
    "}",
    "]",
    "&a ",
    "*a",
    "!!str ",
    "? ",
    ",",
    "\t",
    "\r",
    "\\",
    "\\\"",
    "\\n",
    "\\t",
    "\\x4",
    "\"a\\\"b\"",
    "%",
    "@",
    "...",
    "---",
    "\u{85}",
    "0x",
    ".inf",
    "kind: X\n",
    "metadata:\n",
    "name: n\n",
    "  annotations:\n",
    "helm.sh/hook: test\n",
];

fn mutate(doc: &str, rng: &mut Rng) -> String {
    let mut lines: Vec<String> = doc.split('\n').map(str::to_string).collect();
    let i = rng.below(lines.len());
    match rng.below(5) {
        0 => {
            lines.remove(i);
        }
        1 => {
            let l = lines[i].clone();
            lines.insert(i, l);
        }
        2 => {
            let l = lines[i].clone();
            lines[i] = format!("{}{}", " ".repeat(1 + rng.below(2)), l);
        }
        3 => {
            let l = &lines[i];
            lines[i] = l.strip_prefix(' ').unwrap_or(l).to_string();
        }
        _ => {
            let l = lines[i].clone();
            let mut at = rng.below(l.len() + 1);
            while !l.is_char_boundary(at) {
                at -= 1;
            }
            let ins = INSERTS[rng.below(INSERTS.len())];
            lines[i] = format!("{}{}{}", &l[..at], ins, &l[at..]);
        }
    }
    lines.join("\n")
}

/// Every document helm rendered for the corpus, chart by chart in name order.
fn rendered_documents(shared: &std::path::Path) -> Vec<String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(shared.join("corpus/expected"))
        .expect("expected dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    files
        .iter()
        .flat_map(|f| split_manifests(&std::fs::read_to_string(f).expect("read")))
        .collect()
}

/// Checks `rounds` mutants of `doc` (every other one mutated twice); returns how many the
/// fast reader took.
fn check_mutants(doc: &str, rounds: usize, rng: &mut Rng, check: fn(&str) -> bool) -> usize {
    (0..rounds)
        .filter(|k| {
            let mut m = mutate(doc, rng);
            if k % 2 == 1 {
                m = mutate(&m, rng);
            }
            check(&m)
        })
        .count()
}

#[test]
fn fast_head_agrees_with_the_loader_on_the_corpus() {
    let Some(shared) = shared() else {
        eprintln!("fast_head: ../shared/corpus is absent; skipped");
        return;
    };
    let (mut docs, mut fast, mut mutants, mut fast_mutants) = (0, 0, 0, 0);
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for doc in rendered_documents(&shared) {
        docs += 1;
        if check(&doc) {
            fast += 1;
        }
        mutants += 6;
        fast_mutants += check_mutants(&doc, 6, &mut rng, check);
    }
    eprintln!(
        "fast_head: {fast} of {docs} corpus documents and {fast_mutants} of {mutants} mutants read by the fast reader, all equal to the loader's reading"
    );
    assert!(docs > 5_000, "{docs}");
    // The point of the fast reader: most rendered documents are plain block YAML.
    assert!(fast * 10 > docs * 7, "only {fast} of {docs}");
}

/// Compares the whole-document readers on one document; returns whether the fast one took it.
fn check_document(doc: &str) -> bool {
    if fast_document(doc).is_none() {
        return false;
    }
    let fast = format!("{:?}", load_any(doc));
    let general = format!("{:?}", load_any_general(doc));
    if fast != general {
        let at = fast
            .bytes()
            .zip(general.bytes())
            .take_while(|(a, b)| a == b)
            .count();
        let around = |s: &str| {
            let from = (at.saturating_sub(60)..=at)
                .find(|&i| s.is_char_boundary(i))
                .unwrap_or(0);
            s[from..].chars().take(140).collect::<String>()
        };
        panic!(
            "fast reader differs:\n fast:    {}\n general: {}\ndocument:\n{doc}",
            around(&fast),
            around(&general)
        );
    }
    true
}

fn values_files(dir: &std::path::Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            values_files(&p, out);
        } else if p.file_name().is_some_and(|n| n == "values.yaml") {
            out.push(p);
        }
    }
}

#[test]
fn fast_documents_agree_with_the_loader_on_the_corpus() {
    let Some(shared) = shared() else {
        eprintln!("fast_document: ../shared/corpus is absent; skipped");
        return;
    };
    let mut files = Vec::new();
    values_files(&shared.join("corpus/charts"), &mut files);
    files.sort();
    let mut docs: Vec<String> = files
        .iter()
        .filter_map(|f| std::fs::read_to_string(f).ok())
        .collect();
    let values = docs.len();
    docs.extend(rendered_documents(&shared).into_iter().map(|d| d + "\n"));
    let (mut fast, mut fast_values, mut mutants, mut fast_mutants) = (0, 0, 0, 0);
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    for (i, doc) in docs.iter().enumerate() {
        if check_document(doc) {
            fast += 1;
            if i < values {
                fast_values += 1;
            }
        }
        let rounds = if i < values { 12 } else { 2 };
        mutants += rounds;
        fast_mutants += check_mutants(doc, rounds, &mut rng, check_document);
    }
    eprintln!(
        "fast_document: {fast_values} of {values} values files, {fast} of {} documents in all, {fast_mutants} of {mutants} mutants read by the fast reader, all equal to the loader's reading",
        docs.len()
    );
    assert!(values > 500, "{values}");
    assert!(fast_values * 2 > values, "only {fast_values} of {values}");
}
