//! A set of named templates sharing one function map: Go's `*template.Template` with its
//! `common` part. Files are parsed into it one by one (Helm parses every chart file into one
//! set), `define`s become members, and any member can be executed by name.

use super::ast::Tree;
use super::builtins;
use super::error::Error;
use super::exec::{self, Host, NoHost};
use super::funcs::{FuncMap, Function};
use super::parse;
use super::value::Value;
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

/// What a missing map key evaluates to (Go's `missingkey` option).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum MissingKey {
    /// `missingkey=default`/`invalid`: the invalid value (prints `<no value>`).
    #[default]
    Invalid,
    /// `missingkey=zero`: the map element's zero value; Helm's choice.
    Zero,
    /// `missingkey=error`: execution stops with `map has no entry for key`.
    Error,
}

/// Execution options.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Behaviour of missing map keys.
    pub missing_key: MissingKey,
    /// Go's `maxExecDepth` for nested `{{template}}` calls.
    pub max_exec_depth: usize,
    /// Helm's limit on nested `include`s of one template name.
    pub max_include_depth: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            missing_key: MissingKey::Zero,
            max_exec_depth: 100_000,
            max_include_depth: 1000,
        }
    }
}

/// Below this much template text a chart is parsed on one thread (spawning costs more).
const PARALLEL_PARSE_BYTES: usize = 64 * 1024;

/// Parsing threads at most (a chart's files are few; more threads only add start-up cost).
const MAX_PARSE_THREADS: usize = 4;

/// The trees of a template set, by name.
pub type TreeMap = HashMap<String, Arc<Tree>, super::funcs::FastHash>;

/// A set of templates that can call each other, with the functions they may use.
#[derive(Clone)]
pub struct Templates {
    trees: TreeMap,
    funcs: Arc<FuncMap>,
    /// Execution options.
    pub options: Options,
}

impl Templates {
    /// An empty set using `funcs` (Go's builtins are always available underneath).
    pub fn new(funcs: Arc<FuncMap>) -> Self {
        Templates {
            trees: HashMap::default(),
            funcs,
            options: Options::default(),
        }
    }

    /// The function map.
    pub fn funcs(&self) -> &Arc<FuncMap> {
        &self.funcs
    }

    /// Parses `text` as the template `name` (Go's `t.New(name).Parse(text)`) and adds it and its
    /// `define`s to the set. A later definition replaces an earlier one, except that an empty
    /// body never replaces an existing template.
    pub fn add(&mut self, name: &str, text: &str) -> Result<(), Error> {
        let trees = parse_text(&self.funcs, name, text)?;
        for tree in trees {
            associate(&mut self.trees, tree);
        }
        Ok(())
    }

    /// Parses many files at once (on several threads when there is enough text to pay for
    /// them; parsing is pure), returning each file's trees or error in the order given. Add
    /// the results with [`Templates::add_parsed`] in the same order to get exactly what
    /// calling [`Templates::add`] file by file gives.
    pub fn parse_files(&self, files: &[(&str, &str)]) -> Vec<Result<Vec<Tree>, Error>> {
        let total: usize = files.iter().map(|(_, t)| t.len()).sum();
        if total < PARALLEL_PARSE_BYTES {
            return files
                .iter()
                .map(|(name, text)| parse_text(&self.funcs, name, text))
                .collect();
        }
        let threads = crate::par::cores().min(MAX_PARSE_THREADS).min(files.len());
        if threads < 2 {
            return files
                .iter()
                .map(|(name, text)| parse_text(&self.funcs, name, text))
                .collect();
        }
        // A shared cursor hands out files one by one, so big files do not pile up on one thread.
        let next = std::sync::atomic::AtomicUsize::new(0);
        let funcs: &FuncMap = &self.funcs;
        let mut results: Vec<Option<Result<Vec<Tree>, Error>>> = Vec::new();
        results.resize_with(files.len(), || None);
        std::thread::scope(|scope| {
            let workers: Vec<_> = (0..threads)
                .map(|_| {
                    scope.spawn(|| {
                        let mut done = Vec::new();
                        loop {
                            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            let Some((name, text)) = files.get(i) else {
                                break;
                            };
                            done.push((i, parse_text(funcs, name, text)));
                        }
                        done
                    })
                })
                .collect();
            for w in workers {
                // A parse never panics; if a worker did, its files are parsed again below.
                if let Ok(done) = w.join() {
                    for (i, r) in done {
                        if let Some(slot) = results.get_mut(i) {
                            *slot = Some(r);
                        }
                    }
                }
            }
        });
        results
            .into_iter()
            .zip(files)
            .map(|(r, (name, text))| r.unwrap_or_else(|| parse_text(funcs, name, text)))
            .collect()
    }

    /// Adds the trees of one file parsed by [`Templates::parse_files`].
    pub fn add_parsed(&mut self, trees: Vec<Tree>) {
        for tree in trees {
            associate(&mut self.trees, tree);
        }
    }

    /// The template called `name`.
    pub fn get(&self, name: &str) -> Option<&Arc<Tree>> {
        self.trees.get(name)
    }

    /// The names of all templates, sorted.
    pub fn names(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self.trees.keys().map(String::as_str).collect();
        v.sort_unstable();
        v
    }

    /// The trees, by name.
    pub fn trees(&self) -> &TreeMap {
        &self.trees
    }

    /// Executes the template `name` with `data` as dot (Go's `ExecuteTemplate`).
    pub fn execute(&self, name: &str, data: &Value) -> Result<String, Error> {
        let session = Session::new(&NoHost);
        self.execute_in(&session, name, data)
    }

    /// Executes `name` within a render session: `include` recursion counters and the host
    /// (`lookup`) are shared by every template executed in the session, as in one Helm render.
    pub fn execute_in(
        &self,
        session: &Session<'_>,
        name: &str,
        data: &Value,
    ) -> Result<String, Error> {
        let env = exec::Env {
            layers: vec![&self.trees],
            funcs: &self.funcs,
            options: &self.options,
            session,
            root_name: "gotpl",
        };
        exec::execute_template(&env, name, data)
    }
}

/// State shared by all executions of one render: Helm's per-render `include` counters and the
/// host that answers `lookup`.
pub struct Session<'h> {
    pub(crate) host: &'h dyn Host,
    pub(crate) include_counts: RefCell<HashMap<String, usize>>,
    /// Trees parsed by `tpl`, by text (with the root name they were parsed under): charts
    /// pass the same value strings through `tpl` for every object they render.
    pub(crate) tpl_cache: RefCell<HashMap<String, (String, ParsedText)>>,
}

/// The trees one text parsed into, shared.
pub(crate) type ParsedText = Arc<Vec<Arc<Tree>>>;

/// `tpl` texts cached per render at most (the cache is cleared when full).
pub(crate) const TPL_CACHE_ENTRIES: usize = 1024;

impl<'h> Session<'h> {
    /// A new session.
    pub fn new(host: &'h dyn Host) -> Self {
        Session {
            host,
            include_counts: RefCell::new(HashMap::new()),
            tpl_cache: RefCell::new(HashMap::new()),
        }
    }
}

/// Parses one file's text with the function names of `funcs` plus Go's builtins.
pub(crate) fn parse_text(funcs: &FuncMap, name: &str, text: &str) -> Result<Vec<Tree>, Error> {
    let is_func = |n: &str| funcs.contains(n) || builtins::get(n).is_some();
    parse::parse(name, text, &is_func)
}

/// Go's `associate`: an empty tree never replaces an existing template.
pub(crate) fn associate(trees: &mut TreeMap, tree: Tree) {
    if tree.is_empty() && trees.contains_key(&tree.name) {
        return;
    }
    trees.insert(tree.name.clone(), Arc::new(tree));
}

/// Finds a function: the set's own functions first, then Go's builtins (so sprig's `slice`
/// shadows the builtin). The flag says whether the builtin was chosen.
pub(crate) fn find_function<'f>(funcs: &'f FuncMap, name: &str) -> Option<(&'f Function, bool)> {
    if let Some(f) = funcs.get(name) {
        return Some((f, false));
    }
    builtins::get(name).map(|f| (f, true))
}
