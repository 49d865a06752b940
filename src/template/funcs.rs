//! The function registry: what a template function looks like to the executor.
//!
//! Go's `text/template` calls functions through reflection and checks every argument against the
//! Go parameter type, with precise errors (`wrong type for value; expected string; got float64`,
//! `expected integer; found 1.5`). A function here declares the same parameter types as its Go
//! original, and the executor performs Go's checks and literal conversions before the call, so
//! function bodies receive arguments of the declared kinds.

use super::value::Value;
use std::collections::HashMap;
use std::sync::Arc;

/// A Go parameter type, as far as argument checking needs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Param {
    /// `interface{}`: anything, including nil.
    Any,
    /// `string`.
    String,
    /// `int`.
    Int,
    /// `int64`.
    Int64,
    /// `float64`.
    Float64,
    /// `bool`.
    Bool,
    /// `[]interface{}`.
    List,
    /// `map[string]interface{}`.
    Map,
    /// A struct type, matched by Go type name (`time.Time`, `sprig.certificate`).
    Object(&'static str),
}

/// `n` parameters of type `interface{}` (n ≤ 4), for object methods declared by arity.
pub fn any_params(n: usize) -> &'static [Param] {
    const ANY4: &[Param] = &[Param::Any, Param::Any, Param::Any, Param::Any];
    &ANY4[..n.min(4)]
}

impl Param {
    /// The Go spelling of the type, for error messages.
    pub fn go_name(&self) -> &'static str {
        match self {
            Param::Any => "interface {}",
            Param::String => "string",
            Param::Int => "int",
            Param::Int64 => "int64",
            Param::Float64 => "float64",
            Param::Bool => "bool",
            Param::List => "[]interface {}",
            Param::Map => "map[string]interface {}",
            Param::Object(name) => name,
        }
    }
}

/// What a function can ask of the executor while it runs (`include`, `tpl`, `lookup`).
pub trait Runtime {
    /// Executes the named template with `data` and returns its output (Helm's `include`).
    fn include(&mut self, name: &str, data: &Value) -> Result<String, String>;
    /// Parses and executes `text` against the current template set (Helm's `tpl`).
    fn tpl(&mut self, text: &str, data: &Value) -> Result<String, String>;
    /// Helm's `lookup`: an empty map unless a cluster answers.
    fn lookup(
        &mut self,
        api_version: &str,
        kind: &str,
        namespace: &str,
        name: &str,
    ) -> Result<Value, String> {
        let _ = (api_version, kind, namespace, name);
        Ok(Value::empty_map())
    }
}

/// The body of a function. Arguments already match the declared parameter types; an `Err`
/// becomes `error calling NAME: <message>`.
pub type NativeFn = Arc<dyn Fn(&mut dyn Runtime, &[Value]) -> Result<Value, String> + Send + Sync>;

/// A callable template function.
#[derive(Clone)]
pub struct Function {
    /// Fixed parameters.
    pub params: &'static [Param],
    /// Type of the trailing variadic parameter (`...T`), if any.
    pub variadic: Option<Param>,
    /// The implementation.
    pub call: NativeFn,
}

/// The set of functions a template can call, by name.
#[derive(Clone, Default)]
pub struct FuncMap {
    funcs: HashMap<String, Function, FastHash>,
}

/// Function and template names are looked up on every call: a fast non-cryptographic hash
/// (the names come from chart authors, but a slow lookup is all a collision could cause).
pub type FastHash = foldhash::fast::RandomState;

impl FuncMap {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty map with room for `n` functions (the function library is built at every start).
    pub fn with_capacity(n: usize) -> Self {
        FuncMap {
            funcs: HashMap::with_capacity_and_hasher(n, FastHash::default()),
        }
    }

    /// Registers (or replaces) a function with fixed parameters.
    pub fn add<F>(&mut self, name: &str, params: &'static [Param], f: F)
    where
        F: Fn(&mut dyn Runtime, &[Value]) -> Result<Value, String> + Send + Sync + 'static,
    {
        self.funcs.insert(
            name.to_string(),
            Function {
                params,
                variadic: None,
                call: Arc::new(f),
            },
        );
    }

    /// Registers (or replaces) a function whose last parameter is `...variadic`.
    pub fn add_variadic<F>(&mut self, name: &str, params: &'static [Param], variadic: Param, f: F)
    where
        F: Fn(&mut dyn Runtime, &[Value]) -> Result<Value, String> + Send + Sync + 'static,
    {
        self.funcs.insert(
            name.to_string(),
            Function {
                params,
                variadic: Some(variadic),
                call: Arc::new(f),
            },
        );
    }

    /// Removes a function (Helm deletes sprig's `env` and `expandenv`).
    pub fn remove(&mut self, name: &str) {
        self.funcs.remove(name);
    }

    /// Looks a function up.
    pub fn get(&self, name: &str) -> Option<&Function> {
        self.funcs.get(name)
    }

    /// Whether `name` is defined (the parser rejects unknown functions).
    pub fn contains(&self, name: &str) -> bool {
        self.funcs.contains_key(name)
    }

    /// All names, sorted (for the generated function table).
    pub fn names(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self.funcs.keys().map(String::as_str).collect();
        v.sort_unstable();
        v
    }
}
