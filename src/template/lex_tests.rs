use super::*;
use ItemType as T;

/// All items up to and including EOF or the first error.
fn lex_all(input: &str) -> Vec<Item<'_>> {
    let mut lexer = Lexer::new(input, true, true);
    let mut items = Vec::new();
    loop {
        let item = lexer.next_item();
        let done = matches!(item.typ, T::Eof | T::Error);
        items.push(item);
        if done || items.len() > 10_000 {
            return items;
        }
    }
}

fn kinds(input: &str) -> Vec<(ItemType, String)> {
    lex_all(input)
        .into_iter()
        .map(|i| (i.typ, i.val.into_owned()))
        .collect()
}

fn k(typ: ItemType, val: &str) -> (ItemType, String) {
    (typ, val.to_string())
}

#[test]
fn text_and_actions() {
    assert_eq!(
        kinds("a{{.X.Y | f \"s\" 1}}b"),
        vec![
            k(T::Text, "a"),
            k(T::LeftDelim, "{{"),
            k(T::Field, ".X"),
            k(T::Field, ".Y"),
            k(T::Space, " "),
            k(T::Pipe, "|"),
            k(T::Space, " "),
            k(T::Identifier, "f"),
            k(T::Space, " "),
            k(T::String, "\"s\""),
            k(T::Space, " "),
            k(T::Number, "1"),
            k(T::RightDelim, "}}"),
            k(T::Text, "b"),
            k(T::Eof, ""),
        ]
    );
}

#[test]
fn keywords_variables_and_punctuation() {
    let got = kinds("{{range $i, $v := .}}{{$ = $x}}{{else}}{{end}}");
    let expected = vec![
        k(T::LeftDelim, "{{"),
        k(T::Range, "range"),
        k(T::Space, " "),
        k(T::Variable, "$i"),
        k(T::Char, ","),
        k(T::Space, " "),
        k(T::Variable, "$v"),
        k(T::Space, " "),
        k(T::Declare, ":="),
        k(T::Space, " "),
        k(T::Dot, "."),
        k(T::RightDelim, "}}"),
        k(T::LeftDelim, "{{"),
        k(T::Variable, "$"),
        k(T::Space, " "),
        k(T::Assign, "="),
        k(T::Space, " "),
        k(T::Variable, "$x"),
        k(T::RightDelim, "}}"),
        k(T::LeftDelim, "{{"),
        k(T::Else, "else"),
        k(T::RightDelim, "}}"),
        k(T::LeftDelim, "{{"),
        k(T::End, "end"),
        k(T::RightDelim, "}}"),
        k(T::Eof, ""),
    ];
    assert_eq!(got, expected);
    let words = kinds("{{block break continue define if nil template with true false x}}");
    let types: Vec<ItemType> = words
        .iter()
        .map(|(t, _)| *t)
        .filter(|t| *t != T::Space)
        .collect();
    assert_eq!(
        types,
        [
            T::LeftDelim,
            T::Block,
            T::Break,
            T::Continue,
            T::Define,
            T::If,
            T::Nil,
            T::Template,
            T::With,
            T::Bool,
            T::Bool,
            T::Identifier,
            T::RightDelim,
            T::Eof
        ]
    );
    // Without break/continue keywords (a function of that name exists) they are identifiers.
    let mut lexer = Lexer::new("{{break}}", false, false);
    lexer.next_item();
    assert_eq!(lexer.next_item().typ, T::Identifier);
}

#[test]
fn numbers_strings_and_chars() {
    let got = kinds("{{1 -2.5e3 0x1F 0b1_0 0o7 1i 1+2i .5 'a' '\\'' `r\nr` \"q\\\"\" (x)}}");
    let vals: Vec<(ItemType, String)> = got.into_iter().filter(|(t, _)| *t != T::Space).collect();
    assert_eq!(
        vals,
        vec![
            k(T::LeftDelim, "{{"),
            k(T::Number, "1"),
            k(T::Number, "-2.5e3"),
            k(T::Number, "0x1F"),
            k(T::Number, "0b1_0"),
            k(T::Number, "0o7"),
            k(T::Number, "1i"),
            k(T::Complex, "1+2i"),
            k(T::Number, ".5"),
            k(T::CharConstant, "'a'"),
            k(T::CharConstant, "'\\''"),
            k(T::RawString, "`r\nr`"),
            k(T::String, "\"q\\\"\""),
            k(T::LeftParen, "("),
            k(T::Identifier, "x"),
            k(T::RightParen, ")"),
            k(T::RightDelim, "}}"),
            k(T::Eof, ""),
        ]
    );
}

#[test]
fn trim_markers() {
    assert_eq!(
        kinds("a \n\t{{- 3 -}} \n b"),
        vec![
            k(T::Text, "a"),
            k(T::LeftDelim, "{{"),
            k(T::Number, "3"),
            k(T::RightDelim, "}}"),
            k(T::Text, "b"),
            k(T::Eof, ""),
        ]
    );
    // "{{-3}}" has no trim marker: the minus belongs to the number.
    assert_eq!(kinds("a {{-3}}")[2], k(T::Number, "-3"));
    // Trimmed comments vanish along with the space around them.
    assert_eq!(
        kinds("a {{- /* c */ -}} b"),
        vec![k(T::Text, "a"), k(T::Text, "b"), k(T::Eof, "")]
    );
}

#[test]
fn line_numbers() {
    let items = lex_all("a\nb{{ `x\ny` \n .Z }}\n{{/* c\nd */}}{{.W}}");
    let lines: Vec<(ItemType, usize, usize)> = items
        .iter()
        .filter(|i| i.typ != T::Space)
        .map(|i| (i.typ, i.pos, i.line))
        .collect();
    assert_eq!(
        lines,
        vec![
            (T::Text, 0, 1),
            (T::LeftDelim, 3, 2),
            (T::RawString, 6, 2),
            // The raw string's newline and the one in the spaces both count.
            (T::Field, 14, 4),
            (T::RightDelim, 17, 4),
            (T::Text, 19, 4),
            // Go 1.23 does not count the newline inside the comment.
            (T::LeftDelim, 33, 5),
            (T::Field, 35, 5),
            (T::RightDelim, 37, 5),
            (T::Eof, 39, 5),
        ]
    );
}

#[test]
fn errors() {
    let last = |s: &str| {
        lex_all(s)
            .pop()
            .map(|i| (i.typ, i.val.into_owned()))
            .unwrap_or((T::Eof, String::new()))
    };
    assert_eq!(last("{{"), k(T::Error, "unclosed action"));
    assert_eq!(last("{{/*"), k(T::Error, "unclosed comment"));
    assert_eq!(
        last("{{/* */ x}}"),
        k(T::Error, "comment ends before closing delimiter")
    );
    assert_eq!(last("{{\"a"), k(T::Error, "unterminated quoted string"));
    assert_eq!(last("{{`a"), k(T::Error, "unterminated raw quoted string"));
    assert_eq!(last("{{'a"), k(T::Error, "unterminated character constant"));
    assert_eq!(last("{{3x}}"), k(T::Error, "bad number syntax: \"3x\""));
    assert_eq!(last("{{.a#}}"), k(T::Error, "bad character U+0023 '#'"));
    assert_eq!(last("{{)}}"), k(T::Error, "unexpected right paren"));
    assert_eq!(last("{{(}}"), k(T::Error, "unclosed left paren"));
    assert_eq!(last("{{:}}"), k(T::Error, "expected :="));
    assert_eq!(
        last("{{\u{7}}}"),
        k(T::Error, "unrecognized character in action: U+0007")
    );
    assert_eq!(last("{{\u{e9}#}}"), k(T::Error, "bad character U+0023 '#'"));
}

#[test]
fn item_display() {
    let item = |typ, val: &str| Item {
        typ,
        pos: 0,
        val: val.to_string().into(),
        line: 1,
    };
    assert_eq!(item(T::Eof, "").to_string(), "EOF");
    assert_eq!(item(T::Error, "boom").to_string(), "boom");
    assert_eq!(item(T::If, "if").to_string(), "<if>");
    assert_eq!(item(T::Char, "}").to_string(), "\"}\"");
    assert_eq!(
        item(T::String, "\"abcdefghijkl\"").to_string(),
        "\"\\\"abcdefghi\"..."
    );
    // Six characters but twelve bytes: Go still adds the ellipsis.
    assert_eq!(item(T::Identifier, "éééééé").to_string(), "\"éééééé\"...");
}
