use super::*;
use crate::template::ast::Arg;

/// The functions the recorded cases may call (see scripts/record-parse-errors.py).
const FUNCS: &[&str] = &[
    "include", "quote", "upper", "printf", "default", "list", "dict", "and", "or", "not", "eq",
    "len", "index", "print", "println", "toYaml", "tpl", "required",
];

fn is_func(name: &str) -> bool {
    FUNCS.contains(&name)
}

fn parse_ok(text: &str) -> Vec<Tree> {
    match parse("t.yaml", text, &is_func) {
        Ok(trees) => trees,
        Err(e) => panic!("{text:?} failed: {e}"),
    }
}

fn parse_err(text: &str) -> String {
    match parse("t.yaml", text, &is_func) {
        Ok(_) => panic!("{text:?} parsed"),
        Err(e) => e.message.into(),
    }
}

fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// Helm's `cleanupParseError`: location is the second ": "-separated token, message the last.
fn helm_clean(message: &str) -> String {
    let tokens: Vec<&str> = message.split(": ").collect();
    format!(
        "Error: parse error at ({}): {}",
        tokens[1],
        tokens[tokens.len() - 1]
    )
}

#[test]
fn recorded_helm_parse_errors() {
    let data = include_str!("../../tests/data/parse_errors.tsv");
    let mut failures = Vec::new();
    let mut errors = 0;
    for line in data.lines() {
        let (template, helm) = line.split_once('\t').expect("two columns");
        let (template, helm) = (unescape(template), unescape(helm));
        let result = parse("t/templates/case.yaml", &template, &is_func);
        let ok = if helm.starts_with("Error: parse error at (") {
            errors += 1;
            match &result {
                Err(e) => helm_clean(&e.message) == helm,
                Ok(_) => false,
            }
        } else {
            // Helm parsed it (and maybe failed later while executing).
            result.is_ok()
        };
        if !ok {
            let got = match result {
                Ok(_) => "OK".to_string(),
                Err(e) => e.message.into(),
            };
            failures.push(format!("{template:?}\n   helm: {helm}\n   ours: {got}"));
        }
    }
    assert!(errors >= 60, "only {errors} error cases");
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn full_go_messages() {
    assert_eq!(
        parse_err("{{ nofn }}"),
        r#"template: t.yaml:1: function "nofn" not defined"#
    );
    assert_eq!(
        parse_err("{{define \"x\"}}a{{end}}\n{{define \"x\"}}b{{end}}"),
        r#"template: t.yaml:2: template: multiple definition of template "x""#
    );
    assert_eq!(
        parse_err("{{ 1x }}"),
        r#"template: t.yaml:1: bad number syntax: "1x""#
    );
    assert_eq!(
        parse_err("{{ 08 }}"),
        r#"template: t.yaml:1: integer overflow: "08""#
    );
    assert_eq!(
        parse_err("{{ 0b102 }}"),
        r#"template: t.yaml:1: bad number syntax: "0b102""#
    );
    assert_eq!(
        parse_err("{{ 1__0 }}"),
        r#"template: t.yaml:1: illegal number syntax: "1__0""#
    );
    assert_eq!(
        parse_err("{{ 'ab' }}"),
        "template: t.yaml:1: malformed character constant: 'ab'"
    );
    assert_eq!(
        parse_err("{{ . \u{1} }}"),
        "template: t.yaml:1: unrecognized character in action: U+0001"
    );
    assert_eq!(
        parse_err("{{ print\n\"a\n\" }}"),
        "template: t.yaml:2: unterminated quoted string in action started at t.yaml:1"
    );
    assert_eq!(
        parse_err("{{ .X\n"),
        "template: t.yaml:2: unclosed action started at t.yaml:1"
    );
    assert_eq!(
        parse_err("{{ template \"abcdefghijklm\" | }}"),
        r#"template: t.yaml:1: unexpected "|" in template clause"#
    );
    assert_eq!(
        parse_err("{{ end \"abcdefghijklm\" }}"),
        r#"template: t.yaml:1: unexpected "\"abcdefghi"... in end"#
    );
}

#[test]
fn tree_set_order_and_rules() {
    let trees = parse_ok("a{{define \"x\"}}X{{end}}{{block \"y\" .}}Y{{end}}b");
    let names: Vec<&str> = trees.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["t.yaml", "x", "y"]);
    assert!(trees
        .iter()
        .all(|t| t.parse_name == "t.yaml" && t.text.starts_with("a{{define")));
    assert_eq!(trees[0].root.to_string(), "a{{template \"y\" .}}b");
    assert_eq!(trees[1].root.to_string(), "X");
    // An empty redefinition is ignored; a non-empty one replaces an empty one.
    let trees = parse_ok("{{define \"x\"}}X{{end}}{{define \"x\"}} {{end}}");
    assert_eq!(trees[1].root.to_string(), "X");
    let trees = parse_ok("{{define \"x\"}} {{end}}{{define \"x\"}}X{{end}}");
    assert_eq!(trees[1].root.to_string(), "X");
    // A define named like the file wins over an empty file body and comes first.
    let trees = parse_ok("{{define \"t.yaml\"}}D{{end}}\n");
    assert_eq!(trees.len(), 1);
    assert_eq!(trees[0].root.to_string(), "D");
}

#[test]
fn displays_like_go() {
    let cases = [
        "{{.A.B | printf \"%s\" 1 2.5 'x' nil true}}",
        "{{$x := .A}}{{$x = 1}}{{$x.Y.Z}}",
        "{{range $i, $v := .L}}{{$i}}{{else}}none{{end}}",
        "{{if .A}}a{{else if .B}}b{{else}}c{{end}}",
        "{{with $.A}}{{.}}{{else with .B}}b{{end}}",
        "{{(print .A).B.C}}{{print (len .A) `raw`}}",
        "{{template \"x\"}}{{template \"y\" .}}",
        "{{range .}}{{break}}{{continue}}{{end}}",
    ];
    for text in cases {
        let trees = parse_ok(text);
        let shown = trees[0].root.to_string();
        let expected = text
            .replace(
                "{{else if .B}}b{{else}}c{{end}}",
                "{{else}}{{if .B}}b{{else}}c{{end}}{{end}}",
            )
            .replace(
                "{{else with .B}}b{{end}}",
                "{{else}}{{with .B}}b{{end}}{{end}}",
            );
        assert_eq!(shown, expected);
    }
}

#[test]
fn field_chain_positions_follow_go() {
    let trees = parse_ok("{{ .A.B.C }}{{ $.X.Y }}{{ (print).Z }}");
    let root = &trees[0].root.nodes;
    let arg = |i: usize| match &root[i] {
        Node::Action(a) => a.pipe.cmds[0].args[0].clone(),
        other => panic!("not an action: {other:?}"),
    };
    // Go folds the chain into a field node positioned at the second field token.
    match arg(0) {
        Arg::Field { pos, ident } => {
            assert_eq!(pos, 5);
            assert_eq!(ident, ["A", "B", "C"]);
        }
        other => panic!("{other:?}"),
    }
    match arg(1) {
        Arg::Variable(v) => {
            assert_eq!(v.pos, 16);
            assert_eq!(v.ident, ["$", "X", "Y"]);
        }
        other => panic!("{other:?}"),
    }
    match arg(2) {
        Arg::Chain { pos, node, field } => {
            assert_eq!(pos, 33);
            assert!(matches!(*node, Arg::Pipe(_)));
            assert_eq!(field, ["Z"]);
        }
        other => panic!("{other:?}"),
    }
    let Node::Action(a) = &root[0] else { panic!() };
    assert_eq!((a.pos, a.line, a.pipe.pos), (3, 1, 3));
}

#[test]
fn numbers_like_go() {
    let num = |text: &str| {
        let trees = parse_ok(&format!("{{{{print {text}}}}}"));
        let Node::Action(a) = &trees[0].root.nodes[0] else {
            panic!()
        };
        match &a.pipe.cmds[0].args[1] {
            Arg::Number(n) => (**n).clone(),
            other => panic!("{other:?}"),
        }
    };
    let n = num("0x1F");
    assert!(n.is_int && n.is_uint && n.is_float && !n.is_complex);
    assert_eq!((n.int, n.uint, n.float), (31, 31, 31.0));
    let n = num("-3");
    assert!(n.is_int && !n.is_uint && n.is_float);
    let n = num("1.5");
    assert!(!n.is_int && !n.is_uint && n.is_float && n.float == 1.5);
    let n = num("1e3");
    assert!(n.is_int && n.is_uint && n.int == 1000);
    let n = num("18446744073709551615");
    assert!(!n.is_int && n.is_uint && n.uint == u64::MAX);
    let n = num("'a'");
    assert!(n.is_int && n.int == 97 && n.float == 97.0);
    let n = num("'\\n'");
    assert_eq!(n.int, 10);
    let n = num("1i");
    assert!(n.is_complex && !n.is_float && !n.is_int);
    let n = num("0i");
    assert!(n.is_complex && n.is_float && n.is_int && n.int == 0);
    let n = num("1+0i");
    assert!(n.is_complex && n.is_float && n.int == 1);
    assert_eq!(num("1.5-2i").complex, (1.5, -2.0));
    assert_eq!(num("2i").complex, (0.0, 2.0));
    let n = num("0x1p-2");
    assert!(n.is_float && n.float == 0.25 && !n.is_int);
    let n = num("1_000");
    assert_eq!(n.int, 1000);
    let n = num("9223372036854775808.0");
    assert!(!n.is_int && n.is_uint);
}

#[test]
fn strings_and_variables() {
    let trees = parse_ok("{{ $x := \"a\\tb\" }}{{ $x }}{{ `r\\n` }}");
    let Node::Action(a) = &trees[0].root.nodes[2] else {
        panic!()
    };
    match &a.pipe.cmds[0].args[0] {
        Arg::String { quoted, text, .. } => {
            assert_eq!(quoted, "`r\\n`");
            assert_eq!(&**text, "r\\n");
        }
        other => panic!("{other:?}"),
    }
    let Node::Action(a) = &trees[0].root.nodes[0] else {
        panic!()
    };
    assert_eq!(a.pipe.decl[0].ident, ["$x"]);
    assert!(!a.pipe.is_assign);
    // Range variables are visible in the body and else, not after.
    parse_ok("{{range $k, $v := .}}{{$k}}{{$v}}{{else}}{{$k}}{{end}}");
    assert!(parse_err("{{range $k := .}}{{end}}{{$k}}").contains("undefined variable \"$k\""));
}

#[test]
fn break_and_continue_become_identifiers_when_functions() {
    let with_break = |n: &str| n == "break";
    let trees = parse("t", "{{break}}", &with_break);
    assert!(trees.is_ok());
    let none = |_: &str| false;
    assert!(parse("t", "{{break}}", &none).is_err());
}

#[test]
fn trim_markers_and_lines() {
    let trees = parse_ok("a  \n {{- 1 -}} \n\t b{{/* c */}}c {{- /* d */ -}} e");
    assert_eq!(trees[0].root.to_string(), "a{{1}}bce");
    // "{{-3}}" is a number, not a trim marker.
    let trees = parse_ok("a {{-3}}");
    assert_eq!(trees[0].root.to_string(), "a {{-3}}");
    let trees = parse_ok("x\n{{ if\n.A }}\n{{ .B }}{{ end }}");
    let Node::If(b) = &trees[0].root.nodes[1] else {
        panic!()
    };
    assert_eq!(b.line, 3);
    let Node::Action(a) = &b.list.nodes[1] else {
        panic!()
    };
    assert_eq!(a.line, 4);
}

/// Parses on a thread with a deliberately small stack (parsing grows its own stack) and drops
/// the result on the 16 MiB thread (dropping a 10000-deep tree recurses in drop glue).
fn parse_on_thread(text: String) -> Result<(), Error> {
    std::thread::Builder::new()
        .stack_size(16 << 20)
        .spawn(move || {
            let small = std::thread::Builder::new().stack_size(256 << 10);
            let trees = small
                .spawn(move || parse("t", &text, &is_func))
                .expect("spawn")
                .join();
            trees.expect("no panic").map(|_| ())
        })
        .expect("spawn")
        .join()
        .expect("no panic")
}

#[test]
fn deep_nesting_is_bounded() {
    let parens = |depth: usize| format!("{{{{{}1{}}}}}", "(".repeat(depth), ")".repeat(depth));
    assert!(parse_on_thread(parens(MAX_PAREN_DEPTH)).is_ok());
    let err = parse_on_thread(parens(MAX_PAREN_DEPTH + 1)).unwrap_err();
    assert_eq!(
        &*err.message,
        "template: t:1: max expression depth exceeded"
    );
    let ifs = |depth: usize| format!("{}{}", "{{if 1}}".repeat(depth), "{{end}}".repeat(depth));
    assert!(parse_on_thread(ifs(MAX_NESTING)).is_ok());
    let err = parse_on_thread(ifs(MAX_NESTING + 1)).unwrap_err();
    assert_eq!(&*err.message, "template: t:1: max nesting depth exceeded");
}

#[test]
fn random_input_never_panics() {
    // A small deterministic generator over template-ish fragments and raw bytes.
    const PIECES: &[&str] = &[
        "{{", "}}", "{{-", "-}}", " ", "\n", ".", "$", "$x", ":=", "=", "|", "(", ")", ",", "\"",
        "`", "'", "\\", "if", "else", "end", "range", "with", "define", "block", "template",
        "break", "continue", "nil", "true", "1", "0x", "1e", "+", "-", "i", "_", "/*", "*/", "é",
        ".A", "print", "nofn", "\"s\"", "'c'", "\u{1}", "{", "}", "\\é", "\\x", "\\u00", "0x1p",
    ];
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut rand = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let rounds: usize = std::env::var("FUZZ_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4000);
    for _ in 0..rounds {
        let len = (rand() % 24) as usize;
        let mut text = String::new();
        for _ in 0..len {
            let r = rand();
            if r % 8 == 0 {
                // Any character at all, including multi-byte and control ones.
                text.push(char::from_u32((r >> 8) as u32 % 0x11_0000).unwrap_or('\u{fffd}'));
            } else {
                text.push_str(PIECES[(r % PIECES.len() as u64) as usize]);
            }
        }
        let _ = parse("t", &text, &is_func);
    }
}

/// Every node of a tree as (`FILE:LINE:COL` of its position, Go `String()`).
fn node_contexts(tree: &Tree) -> Vec<(String, String)> {
    fn arg(tree: &Tree, a: &Arg, out: &mut Vec<(String, String)>) {
        out.push((tree.location(a.pos()), a.to_string()));
        match a {
            Arg::Chain { node, .. } => arg(tree, node, out),
            Arg::Pipe(p) => pipe(tree, p, out),
            _ => {}
        }
    }
    fn pipe(tree: &Tree, p: &crate::template::ast::Pipe, out: &mut Vec<(String, String)>) {
        out.push((tree.location(p.pos), p.to_string()));
        for v in &p.decl {
            out.push((tree.location(v.pos), v.to_string()));
        }
        for c in &p.cmds {
            out.push((tree.location(c.pos), c.to_string()));
            for a in &c.args {
                arg(tree, a, out);
            }
        }
    }
    fn list(tree: &Tree, l: &ListNode, out: &mut Vec<(String, String)>) {
        for n in &l.nodes {
            out.push((tree.location(n.pos()), n.to_string()));
            match n {
                Node::Action(a) => pipe(tree, &a.pipe, out),
                Node::If(b) | Node::Range(b) | Node::With(b) => {
                    pipe(tree, &b.pipe, out);
                    list(tree, &b.list, out);
                    if let Some(e) = &b.else_list {
                        list(tree, e, out);
                    }
                }
                Node::Template(t) => {
                    if let Some(p) = &t.pipe {
                        pipe(tree, p, out);
                    }
                }
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    list(tree, &tree.root, &mut out);
    out
}

#[test]
fn recorded_exec_error_positions() {
    let data = include_str!("../../tests/data/exec_positions.tsv");
    let mut checked = 0;
    let mut failures = Vec::new();
    for line in data.lines() {
        let (template, helm) = line.split_once('\t').expect("two columns");
        let (template, helm) = (unescape(template), unescape(helm));
        let Some(rest) = helm.strip_prefix("Error: template: ") else {
            continue;
        };
        let (Some(loc_end), Some(at)) = (rest.find(": executing "), rest.find(" at <")) else {
            continue;
        };
        let location = &rest[..loc_end];
        let context_start = at + " at <".len();
        let Some(context_len) = rest[context_start..].find(">: ") else {
            continue;
        };
        let context = &rest[context_start..context_start + context_len];
        let trees = parse("t/templates/case.yaml", &template, &is_func).expect("parses");
        let all: Vec<(String, String)> = trees.iter().flat_map(node_contexts).collect();
        checked += 1;
        if !all.iter().any(|(l, c)| l == location && c == context) {
            failures.push(format!(
                "{template:?}: helm {location} <{context}>\n   ours: {all:?}"
            ));
        }
    }
    assert!(checked >= 25, "only {checked} cases");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn mutated_corpus_never_panics() {
    let data = include_str!("../../tests/data/parse_errors.tsv");
    let corpus: Vec<String> = data
        .lines()
        .filter_map(|l| l.split_once('\t'))
        .map(|(t, _)| unescape(t))
        .collect();
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    let mut rand = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let rounds: usize = std::env::var("FUZZ_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3000);
    for _ in 0..rounds {
        let mut text = corpus[(rand() % corpus.len() as u64) as usize].clone();
        for _ in 0..(rand() % 4) {
            let donor = &corpus[(rand() % corpus.len() as u64) as usize];
            let cut = |s: &str, r: u64| {
                let bounds: Vec<usize> =
                    s.char_indices().map(|(i, _)| i).chain([s.len()]).collect();
                bounds[(r % bounds.len() as u64) as usize]
            };
            let (a, b) = (cut(donor, rand()), cut(donor, rand()));
            let piece = &donor[a.min(b)..a.max(b)];
            let at = cut(&text, rand());
            let end = cut(&text[at..], rand()) + at;
            text.replace_range(at..end, piece);
        }
        if let Ok(trees) = parse("t", &text, &is_func) {
            // Whatever parses must also display and locate without panicking.
            for t in &trees {
                let _ = t.root.to_string();
                let _ = node_contexts(t);
            }
        }
    }
}

#[test]
fn backslash_before_multibyte_character_is_invalid() {
    assert_eq!(
        parse_err("{{ \"\\é\" }}"),
        "template: t.yaml:1: invalid syntax"
    );
    assert_eq!(
        parse_err("{{ '\\é' }}"),
        "template: t.yaml:1: invalid syntax"
    );
}

#[test]
fn complex_literals_scan_like_fmt() {
    assert_eq!(
        parse_err("{{ 0x1-2i }}"),
        r#"template: t.yaml:1: strconv.ParseFloat: parsing "0x1": invalid syntax"#
    );
    assert_eq!(
        parse_err("{{ 1i+2i }}"),
        "template: t.yaml:1: syntax error scanning complex number"
    );
    parse_ok("{{ print 1.5e3-2.5e-1i 0x1p2+0x1p-2i }}");
}
