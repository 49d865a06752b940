//! Go's `text/template`, stage by stage as in Go: `lex` (tokens), `parse` (tree), `ast` (nodes),
//! `exec` (evaluation), `value` (the data model), `funcs` (the function registry and Go's
//! builtins) and `format` (Go's `fmt` verbs).

pub mod ast;
pub mod builtins;
pub mod error;
pub mod escape;
mod eval;
pub mod exec;
mod fields;
pub mod format;
pub mod funcs;
pub mod lex;
mod lex_item;
mod map;
mod objects;
pub mod parse;
mod parse_pipe;
mod printf;
mod printnum;
mod runtime;
pub mod set;
pub mod strconv;
mod unicode_print;
pub mod unquote;
pub mod value;

pub use error::{Error, ErrorKind};
pub use exec::{Host, NoHost};
pub use funcs::{FuncMap, Function, Param, Runtime};
pub use set::{MissingKey, Options, Session, Templates};
pub use value::{List, Map, MapKind, MapRef, Member, Object, SliceKind, Value};
