//! The value model shared by the template engine, the function library and the chart loader.
//!
//! It mirrors the Go types Helm's templates see: `nil`, `bool`, `int`, `int64`, `float64`,
//! `string`, `[]byte`, slices, `map[string]interface{}` and a few objects with methods
//! (`.Capabilities`, `.Files`, `time.Time`, ...). Every composite is reference-counted so that a
//! field access on a huge `.Values` costs one pointer copy. Maps are shared *and mutable*, like Go
//! maps: sprig's `set`, `unset` and `merge` mutate them in place and later templates see it.

use super::funcs::Param;
use parking_lot::RwLock;
use std::any::Any;
use std::fmt;
use std::sync::Arc;

pub use super::map::Map;

/// A shared, mutable map (a Go map value is a reference).
#[derive(Clone, Default)]
pub struct MapRef(Arc<RwLock<Map>>, MapKind);

/// The Go type of a map handle: the same storage can be seen as a plain
/// `map[string]interface {}` or as Helm's named `chartutil.Values` (which has methods).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MapKind {
    /// `map[string]interface {}`.
    #[default]
    Plain,
    /// `chartutil.Values` (`.Values` in templates).
    Values,
}

impl MapRef {
    /// Wraps a map.
    pub fn new(map: Map) -> Self {
        MapRef(Arc::new(RwLock::new(map)), MapKind::Plain)
    }
    /// The Go type of this handle.
    pub fn kind(&self) -> MapKind {
        self.1
    }
    /// The same map seen as another Go type (Go's type conversion shares the storage).
    pub fn with_kind(&self, kind: MapKind) -> MapRef {
        MapRef(self.0.clone(), kind)
    }
    /// Read access.
    pub fn read(&self) -> parking_lot::RwLockReadGuard<'_, Map> {
        self.0.read()
    }
    /// Read access that never waits behind a queued writer, for nested reads of maps that may
    /// contain themselves.
    pub fn read_recursive(&self) -> parking_lot::RwLockReadGuard<'_, Map> {
        self.0.read_recursive()
    }
    /// Write access (sprig's `set`, `unset`, `merge`).
    pub fn write(&self) -> parking_lot::RwLockWriteGuard<'_, Map> {
        self.0.write()
    }
    /// The value at `key`, cloned (cheap).
    pub fn get(&self, key: &str) -> Option<Value> {
        self.0.read().get(key).cloned()
    }
    /// Whether both handles point at the same map.
    pub fn ptr_eq(&self, other: &MapRef) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
    /// Number of entries.
    pub fn len(&self) -> usize {
        self.0.read().len()
    }
    /// Whether the map is empty.
    pub fn is_empty(&self) -> bool {
        self.0.read().is_empty()
    }
    /// A deep copy (Go's copystructure, used by `deepCopy` and by values coalescing).
    pub fn deep_copy(&self) -> MapRef {
        self.deep_copy_at(1)
    }

    fn deep_copy_at(&self, depth: usize) -> MapRef {
        let m = self.read();
        MapRef::new(
            m.iter()
                .map(|(k, v)| (k.clone(), v.deep_copy_at(depth + 1)))
                .collect(),
        )
    }
}

impl fmt::Debug for MapRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.try_read() {
            Some(m) => f.debug_map().entries(m.iter()).finish(),
            None => f.write_str("{<locked>}"),
        }
    }
}

/// The Go element type of a slice. Only visible through `typeOf`, `%T` and parameter checks;
/// every slice prints and iterates the same way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SliceKind {
    /// `[]interface {}` (lists from values, `list`, `append`, ...).
    Interface,
    /// `[]string` (`splitList`, `toStrings`, `regexFindAll`, ...).
    String,
    /// `[]int` (`until`, `untilStep`).
    Int,
}

/// A slice: immutable once built (Go templates cannot assign into a slice element).
#[derive(Clone, Debug)]
pub struct List {
    /// Go element type.
    pub kind: SliceKind,
    /// Elements.
    pub items: Vec<Value>,
}

/// Runs `f` (one level of a recursion over nested values), making sure of stack room every
/// 64 levels: templates nest values as deep as they loop. A probe at every level would cost a
/// stack check per value (and, where a thread's stack bounds are unknown, a new segment).
fn on_enough_stack<R>(depth: usize, f: impl FnOnce() -> R) -> R {
    if depth.is_multiple_of(64) {
        super::exec::grow(f)
    } else {
        f()
    }
}

impl Drop for List {
    fn drop(&mut self) {
        if self.items.iter().any(Value::is_composite) {
            drop_flat(std::mem::take(&mut self.items));
        }
    }
}

/// Drops values one at a time instead of recursively: a template can nest lists and maps as
/// deep as it loops (`$x = list $x` a million times), which recursive drops would follow to a
/// stack overflow. Composites that are not shared hand their elements to the work list.
pub(crate) fn drop_flat(mut pending: Vec<Value>) {
    while let Some(v) = pending.pop() {
        match v {
            Value::List(l) => {
                if let Some(mut l) = Arc::into_inner(l) {
                    pending.append(&mut l.items);
                }
            }
            Value::Map(MapRef(m, _)) => {
                if let Some(m) = Arc::into_inner(m) {
                    pending.extend(m.into_inner().take_values());
                }
            }
            _ => {}
        }
    }
}

/// A template value.
#[derive(Clone, Default)]
pub enum Value {
    /// Go's nil interface: a missing key, a YAML `null`, the `nil` literal.
    #[default]
    Nil,
    /// `bool`.
    Bool(bool),
    /// Go `int`: integer literals, `len`, `int`, `atoi`.
    Int(i64),
    /// Go `int64`: `--set` integers, sprig arithmetic, `int64`.
    Int64(i64),
    /// `float64`: every number read from YAML or JSON.
    Float(f64),
    /// `string`.
    String(Arc<str>),
    /// `[]byte` (`.Files.GetBytes`, `randBytes` internals).
    Bytes(Arc<[u8]>),
    /// A slice.
    List(Arc<List>),
    /// `map[string]interface {}`.
    Map(MapRef),
    /// A Go struct or pointer with fields and methods (`.Capabilities`, `time.Time`, ...).
    Object(Arc<dyn Object>),
}

/// What a member lookup on an [`Object`] found.
pub enum Member {
    /// A struct field (or a niladic method whose result is already known).
    Field(Value),
    /// A method; the executor checks the arguments against the Go parameter types, then calls
    /// [`Object::call`].
    Method {
        /// Fixed parameters.
        params: &'static [Param],
        /// The trailing `...T` parameter, if any.
        variadic: Option<Param>,
    },
}

/// A Go struct or pointer exposed to templates: fields, methods and the way `fmt` prints it.
pub trait Object: Send + Sync + fmt::Debug {
    /// The Go type name, as `typeOf` and `%T` print it (`*chartutil.Capabilities`).
    fn type_name(&self) -> &str;
    /// The `reflect.Kind` name, as `kindOf` prints it (`struct`, `ptr`, `map`).
    fn kind_name(&self) -> &str {
        "struct"
    }
    /// Looks up a field or method by its exported Go name.
    fn member(&self, name: &str) -> Option<Member>;
    /// Calls the method `name` (only after [`Object::member`] returned a method).
    fn call(&self, name: &str, args: &[Value]) -> Result<Value, String> {
        let _ = args;
        Err(format!("{name} is not a method"))
    }
    /// How `fmt`'s `%v` prints the object (Stringer or struct layout).
    fn format(&self) -> String;
    /// How `fmt` prints a copy of the object, as a function argument receives it: a Stringer
    /// whose `String` has a pointer receiver is then printed as its fields.
    fn format_value(&self) -> String {
        self.format()
    }
    /// For Go structs, `encoding/json`'s view in field order (json names, omitempty applied);
    /// `None` when [`Object::to_data`] is the whole story.
    fn json_fields(&self) -> Option<Vec<(String, Value)>> {
        None
    }
    /// The value `encoding/json` would see (structs through their JSON tags), used by
    /// `toYaml`, `toJson` and friends.
    fn to_data(&self) -> Value;
    /// Downcasting support for functions that accept only one object type.
    fn as_any(&self) -> &dyn Any;
    /// Go truthiness (`if`, `and`, `not`): structs are always true; numeric objects (complex
    /// numbers) are false when zero.
    fn truthy(&self) -> bool {
        true
    }
    /// For map-like objects (`.Files`), the sorted entries `range` iterates over.
    fn entries(&self) -> Option<Vec<(String, Value)>> {
        None
    }
    /// For map-like objects, the length `len` reports.
    fn len(&self) -> Option<usize> {
        self.entries().map(|e| e.len())
    }
    /// For map- or slice-like objects, whether they have no elements.
    fn is_empty(&self) -> bool {
        self.len() == Some(0)
    }
}

impl Value {
    /// A string value.
    pub fn str(s: &str) -> Value {
        Value::String(Arc::from(s))
    }
    /// A string value from an owned `String`.
    pub fn string(s: String) -> Value {
        Value::String(Arc::from(s))
    }
    /// A `[]interface {}` list.
    pub fn list(items: Vec<Value>) -> Value {
        Value::List(Arc::new(List {
            kind: SliceKind::Interface,
            items,
        }))
    }
    /// A list with an explicit Go element type.
    pub fn typed_list(kind: SliceKind, items: Vec<Value>) -> Value {
        Value::List(Arc::new(List { kind, items }))
    }
    /// A map value.
    pub fn map(m: Map) -> Value {
        Value::Map(MapRef::new(m))
    }
    /// An empty map value.
    pub fn empty_map() -> Value {
        Value::Map(MapRef::default())
    }

    /// Whether this is a list or a map (a value that may own further values).
    pub fn is_composite(&self) -> bool {
        matches!(self, Value::List(_) | Value::Map(_))
    }

    /// Whether this is `nil`.
    pub fn is_nil(&self) -> bool {
        matches!(self, Value::Nil)
    }

    /// The string slice, if this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The list items, if this is a list.
    pub fn as_list(&self) -> Option<&[Value]> {
        match self {
            Value::List(l) => Some(&l.items),
            _ => None,
        }
    }

    /// The map, if this is a map.
    pub fn as_map(&self) -> Option<&MapRef> {
        match self {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    /// Go template truthiness (`if`, `with`, `and`, `or`, `not`): false, 0, nil and empty
    /// strings, slices and maps are false; structs are always true.
    pub fn truthy(&self) -> bool {
        match self {
            Value::Nil => false,
            Value::Bool(b) => *b,
            Value::Int(i) | Value::Int64(i) => *i != 0,
            Value::Float(f) => *f != 0.0,
            Value::String(s) => !s.is_empty(),
            Value::Bytes(b) => !b.is_empty(),
            Value::List(l) => !l.items.is_empty(),
            Value::Map(m) => !m.is_empty(),
            Value::Object(o) => o.truthy(),
        }
    }

    /// Sprig's `empty`: the same as falsy, structs are never empty.
    pub fn is_empty(&self) -> bool {
        !self.truthy()
    }

    /// The Go type name (`typeOf`, `%T`).
    pub fn type_name(&self) -> &str {
        match self {
            Value::Nil => "<nil>",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Int64(_) => "int64",
            Value::Float(_) => "float64",
            Value::String(_) => "string",
            Value::Bytes(_) => "[]uint8",
            Value::List(l) => match l.kind {
                SliceKind::Interface => "[]interface {}",
                SliceKind::String => "[]string",
                SliceKind::Int => "[]int",
            },
            Value::Map(m) => match m.kind() {
                MapKind::Plain => "map[string]interface {}",
                MapKind::Values => "chartutil.Values",
            },
            Value::Object(o) => o.type_name(),
        }
    }

    /// The `reflect.Kind` name (`kindOf`).
    pub fn kind_name(&self) -> &str {
        match self {
            Value::Nil => "invalid",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Int64(_) => "int64",
            Value::Float(_) => "float64",
            Value::String(_) => "string",
            Value::Bytes(_) | Value::List(_) => "slice",
            Value::Map(_) => "map",
            Value::Object(o) => o.kind_name(),
        }
    }

    /// A deep copy: maps are copied, everything else is immutable and shared.
    pub fn deep_copy(&self) -> Value {
        self.deep_copy_at(1)
    }

    fn deep_copy_at(&self, depth: usize) -> Value {
        let copy = || match self {
            Value::Map(m) => Value::Map(m.deep_copy_at(depth)),
            Value::List(l) => Value::List(Arc::new(List {
                kind: l.kind,
                items: l.items.iter().map(|v| v.deep_copy_at(depth + 1)).collect(),
            })),
            other => other.clone(),
        };
        on_enough_stack(depth, copy)
    }

    /// Go's `reflect.DeepEqual` on two values (used by `has`, `uniq`, `without`, `deepEqual`).
    /// Types must match exactly: `int` 1 and `float64` 1 differ.
    pub fn deep_equal(&self, other: &Value) -> bool {
        self.deep_equal_at(other, 1)
    }

    fn deep_equal_at(&self, other: &Value, depth: usize) -> bool {
        match (self, other) {
            (Value::Nil, Value::Nil) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Int(a), Value::Int(b)) | (Value::Int64(a), Value::Int64(b)) => a == b,
            (Value::Float(a), Value::Float(b)) => a == b,
            (Value::String(a), Value::String(b)) => a == b,
            (Value::Bytes(a), Value::Bytes(b)) => a == b,
            (Value::List(a), Value::List(b)) => {
                a.kind == b.kind
                    && a.items.len() == b.items.len()
                    && on_enough_stack(depth, || {
                        a.items
                            .iter()
                            .zip(&b.items)
                            .all(|(x, y)| x.deep_equal_at(y, depth + 1))
                    })
            }
            (Value::Map(a), Value::Map(b)) => {
                if a.kind() != b.kind() {
                    return false;
                }
                if a.ptr_eq(b) {
                    return true;
                }
                let (a, b) = (a.read(), b.read());
                a.len() == b.len()
                    && on_enough_stack(depth, || {
                        a.iter()
                            .all(|(k, v)| b.get(k).is_some_and(|w| v.deep_equal_at(w, depth + 1)))
                    })
            }
            (Value::Object(a), Value::Object(b)) => {
                a.type_name() == b.type_name() && a.format() == b.format()
            }
            _ => false,
        }
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Nil => f.write_str("nil"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Int64(i) => write!(f, "{i}i64"),
            Value::Float(x) => write!(f, "{x:?}f"),
            Value::String(s) => write!(f, "{s:?}"),
            Value::Bytes(b) => write!(f, "bytes{b:?}"),
            Value::List(l) => f.debug_list().entries(l.items.iter()).finish(),
            Value::Map(m) => m.fmt(f),
            Value::Object(o) => o.fmt(f),
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::str(s)
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::string(s)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl From<f64> for Value {
    fn from(x: f64) -> Self {
        Value::Float(x)
    }
}
