//! Helm's runtime services as the function library reaches them through [`Runtime`]:
//! `include`, `tpl` (with its per-session parse cache) and `lookup`, executed on the same
//! executor state.

use super::ast::Tree;
use super::exec::{execute_template, execute_tree, grow, Env, State};
use super::format;
use super::funcs::Runtime;
use super::set::{self, TreeMap};
use super::value::Value;
use std::collections::HashMap;

impl State<'_, '_> {
    /// The trees of a `tpl` text, parsed once per render session.
    fn tpl_trees(&self, root: &str, text: &str) -> Result<set::ParsedText, String> {
        let cache = &self.env.session.tpl_cache;
        if let Some((r, trees)) = cache.borrow().get(text) {
            if r == root {
                return Ok(trees.clone());
            }
        }
        let trees = set::parse_text(self.env.funcs, root, text).map_err(|e| {
            format!(
                "cannot parse template {}: {}",
                format::quote_go(text),
                e.message
            )
        })?;
        let trees = std::sync::Arc::new(
            trees
                .into_iter()
                .map(std::sync::Arc::new)
                .collect::<Vec<_>>(),
        );
        let mut cache = cache.borrow_mut();
        if cache.len() >= set::TPL_CACHE_ENTRIES {
            cache.clear();
        }
        cache.insert(text.to_string(), (root.to_string(), trees.clone()));
        Ok(trees)
    }
}

/// Helm's runtime services, as the function library sees them.
impl Runtime for State<'_, '_> {
    fn include(&mut self, name: &str, data: &Value) -> Result<String, String> {
        let session = self.env.session;
        let max = self.env.options.max_include_depth;
        {
            let mut counts = session.include_counts.borrow_mut();
            if !counts.contains_key(name) {
                counts.insert(name.to_string(), 0);
            }
            let Some(count) = counts.get_mut(name) else {
                return Err(format!("include: no counter for {name}"));
            };
            if *count > max {
                return Err(format!(
                    "rendering template has a nested reference name: {name}: unable to execute template"
                ));
            }
            *count += 1;
        }
        let result = grow(|| execute_template(self.env, name, data));
        if let Some(c) = session.include_counts.borrow_mut().get_mut(name) {
            *c = c.saturating_sub(1);
        }
        result.map_err(|e| e.message.into())
    }

    fn tpl(&mut self, text: &str, data: &Value) -> Result<String, String> {
        // Helm clones the whole set, parses the text as the root template and executes it; an
        // overlay layer gives the same visibility without copying every tree.
        let root = self.env.root_name;
        if !text.contains("{{") {
            // Without a delimiter the text parses to itself and executes to itself.
            return Ok(text.replace("<no value>", ""));
        }
        let trees = self.tpl_trees(root, text)?;
        let mut overlay: TreeMap = HashMap::default();
        let mut main: Option<std::sync::Arc<Tree>> = None;
        for tree in trees.iter() {
            let tree = tree.clone();
            if main.is_none() && tree.name == root {
                main = Some(tree.clone());
            }
            let exists = overlay.contains_key(&tree.name) || self.env.lookup(&tree.name).is_some();
            if tree.is_empty() && exists {
                continue;
            }
            overlay.insert(tree.name.clone(), tree);
        }
        let Some(main) = main else {
            return Ok(String::new());
        };
        let mut layers = self.env.layers.clone();
        layers.push(&overlay);
        let env = Env {
            layers,
            funcs: self.env.funcs,
            options: self.env.options,
            session: self.env.session,
            root_name: root,
        };
        let out = grow(|| execute_tree(&env, &main, data)).map_err(|e| {
            format!(
                "error during tpl function execution for {}: {}",
                format::quote_go(text),
                e.message
            )
        })?;
        Ok(out.replace("<no value>", ""))
    }

    fn lookup(
        &mut self,
        api_version: &str,
        kind: &str,
        namespace: &str,
        name: &str,
    ) -> Result<Value, String> {
        self.env
            .session
            .host
            .lookup(api_version, kind, namespace, name)
    }
}
