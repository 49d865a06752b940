//! Template errors, formatted exactly as Go's `text/template` formats them.

use std::fmt;

/// Which stage produced an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Lexing or parsing (`template: NAME:LINE: msg`).
    Parse,
    /// Execution (`template: NAME:LINE:COL: executing "NAME" at <node>: msg`).
    Exec,
}

/// A template error carrying Go's complete message text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// Stage.
    pub kind: ErrorKind,
    /// The full message, as Go's `err.Error()` prints it. Boxed so that a `Result` of a value
    /// and an error is no larger than the value: the executor moves such results constantly.
    pub message: Box<str>,
}

impl Error {
    /// A parse error with a ready-made message.
    pub fn parse(message: impl Into<String>) -> Self {
        Error {
            kind: ErrorKind::Parse,
            message: message.into().into_boxed_str(),
        }
    }
    /// An execution error with a ready-made message.
    pub fn exec(message: impl Into<String>) -> Self {
        Error {
            kind: ErrorKind::Exec,
            message: message.into().into_boxed_str(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}
