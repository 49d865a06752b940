//! Unit tests of Go layout parsing.

use super::*;

#[test]
fn parses_and_reports_errors_like_go() {
    let t = parse_in_location("2006-01-02 15:04:05", "2024-01-15 10:30:00.25", Loc::Utc).unwrap();
    assert_eq!(t.go_string(), "2024-01-15 10:30:00.25 +0000 UTC");
    let e = parse_in_location("2006-01-02", "bad", Loc::Utc).unwrap_err();
    assert_eq!(
        e,
        "parsing time \"bad\" as \"2006-01-02\": cannot parse \"bad\" as \"2006\""
    );
    let e = parse_in_location("2006-01-02", "2024-01-01 x", Loc::Utc).unwrap_err();
    assert_eq!(e, "parsing time \"2024-01-01 x\": extra text: \" x\"");
    let e = parse_in_location("2006-01-02", "2023-02-29", Loc::Utc).unwrap_err();
    assert_eq!(e, "parsing time \"2023-02-29\": day out of range");
}

#[test]
fn non_ascii_literals() {
    let t = parse_in_location("é2006·01", "é2024·03", Loc::Utc).unwrap();
    assert_eq!(t.go_string(), "2024-03-01 00:00:00 +0000 UTC");
    assert!(parse_in_location("é2006", "è2024", Loc::Utc).is_err());
}

#[test]
fn zone_abbreviation_and_gmt_offsets() {
    let t = parse_in_location("2006-01-02 MST", "2024-01-15 GMT+3", Loc::Utc).unwrap();
    assert_eq!(t.go_string(), "2024-01-15 03:00:00 +0300 GMT+3");
    assert_eq!(parse_time_zone("WITA"), Some(4));
    assert_eq!(parse_time_zone("xx"), None);
}
