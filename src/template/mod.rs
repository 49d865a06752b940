//! Go's `text/template`, stage by stage as in Go: `lex` (tokens), `parse` (tree), `ast` (nodes),
//! `exec` (evaluation), `value` (the data model), `funcs` (the function registry and Go's
//! builtins) and `format` (Go's `fmt` verbs).

pub mod ast;
pub mod error;
pub mod format;
pub mod funcs;
pub mod lex;
mod lex_item;
pub mod parse;
mod parse_pipe;
pub mod strconv;
pub mod value;

pub use error::{Error, ErrorKind};
pub use funcs::{FuncMap, Function, Param, Runtime};
pub use value::{List, Map, MapRef, Member, Object, SliceKind, Value};
