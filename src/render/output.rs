//! Helm's `template` output: `---\n# Source: …` framing, CRDs first with `--include-crds`,
//! hooks last, `--show-only` selection and `--output-dir` files.

use super::manifest::split_manifests;
use super::Rendered;
use std::path::Path;

/// Output flags of `helm template`.
#[derive(Clone, Debug, Default)]
pub struct OutputOptions {
    /// `--include-crds`.
    pub include_crds: bool,
    /// `--no-hooks`.
    pub no_hooks: bool,
    /// `--skip-tests`.
    pub skip_tests: bool,
    /// `--show-only` patterns, in command-line order.
    pub show_only: Vec<String>,
    /// `--output-dir`.
    pub output_dir: Option<std::path::PathBuf>,
    /// `--release-name` (with `--output-dir`).
    pub use_release_name: bool,
    /// The release name, for `--release-name`.
    pub release_name: String,
}

fn is_test_hook(events: &[String]) -> bool {
    events.iter().any(|e| e == "test" || e == "test-success")
}

/// Writes one document to `dir/name`, appending when `append`.
fn write_to_file(dir: &Path, name: &str, content: &str, append: bool) -> Result<String, String> {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
    }
    let text = format!("---\n# Source: {name}\n{content}\n");
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .append(append)
        .truncate(!append)
        .open(&path)
        .map_err(|e| e.to_string())?;
    std::io::Write::write_all(&mut f, text.as_bytes()).map_err(|e| e.to_string())?;
    Ok(format!("wrote {}\n", path.display()))
}

/// Why the output could not be produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutputError {
    /// What Helm had already printed on stdout (`wrote …` lines of `--output-dir`).
    pub stdout: String,
    /// The error.
    pub message: String,
    /// The error happened inside Helm's `renderResources` (post-renderer, writing the
    /// manifests), which `helm template` follows with its `--debug` hint.
    pub in_render: bool,
}

impl OutputError {
    fn plain(message: String) -> OutputError {
        OutputError {
            stdout: String::new(),
            message,
            in_render: false,
        }
    }
    fn render(stdout: String, message: String) -> OutputError {
        OutputError {
            stdout,
            message,
            in_render: true,
        }
    }
}

/// Produces what `helm template` prints on stdout.
pub fn assemble(r: &Rendered, o: &OutputOptions) -> Result<String, String> {
    assemble_with(r, o, &mut |m| Ok(m.to_string())).map_err(|e| e.message)
}

/// [`assemble`] with a post-renderer: like Helm, it sees only the CRDs (with
/// `--include-crds`) and the manifests, never the hooks, before `--show-only` selects. With
/// `--output-dir` those go to files and the post-renderer gets the empty rest (Helm still
/// runs it and prints what it returns).
pub fn assemble_with(
    r: &Rendered,
    o: &OutputOptions,
    post: &mut dyn FnMut(&str) -> Result<String, String>,
) -> Result<String, OutputError> {
    if let Some(dir) = &o.output_dir {
        return write_dir(r, o, dir, post);
    }
    let mut m = String::new();
    if o.include_crds {
        for (name, data) in &r.crds {
            m.push_str("---\n# Source: ");
            m.push_str(name);
            m.push('\n');
            m.push_str(&crate::text::lossy(data));
            m.push('\n');
        }
    }
    for doc in &r.manifests {
        m.push_str("---\n# Source: ");
        m.push_str(&doc.name);
        m.push('\n');
        m.push_str(&doc.content);
        m.push('\n');
    }
    let m = post(&m).map_err(|e| OutputError::render(String::new(), e))?;
    let mut out = String::with_capacity(m.len() + 64);
    out.push_str(m.trim());
    out.push('\n');
    if !o.no_hooks {
        for h in &r.hooks {
            if o.skip_tests && is_test_hook(&h.events) {
                continue;
            }
            out.push_str("---\n# Source: ");
            out.push_str(&h.name);
            out.push('\n');
            out.push_str(&h.content);
            out.push('\n');
        }
    }
    if o.show_only.is_empty() {
        return Ok(out);
    }
    let pieces = split_manifests(&out);
    let mut selected = String::new();
    for pattern in &o.show_only {
        let pattern = pattern.replace('\\', "/");
        let mut missing = true;
        for piece in &pieces {
            let Some(path) = source_path(piece) else {
                continue;
            };
            if crate::chart::ignore::glob_match(&pattern, path).unwrap_or(false) {
                selected.push_str("---\n");
                selected.push_str(piece);
                selected.push('\n');
                missing = false;
            }
        }
        if missing {
            return Err(OutputError::plain(format!(
                "could not find template {pattern} in chart"
            )));
        }
    }
    Ok(selected)
}

/// The path after the chart name in the first `# Source: chart/path` line.
fn source_path(piece: &str) -> Option<&str> {
    let idx = piece.find("# Source: ")?;
    let rest = &piece[idx + "# Source: ".len()..];
    let line = rest.split('\n').next().unwrap_or(rest);
    let slash = line.find('/')?;
    if slash == 0 {
        return None;
    }
    Some(&line[slash + 1..])
}

fn write_dir(
    r: &Rendered,
    o: &OutputOptions,
    dir: &Path,
    post: &mut dyn FnMut(&str) -> Result<String, String>,
) -> Result<String, OutputError> {
    let mut out = String::new();
    let mut written = std::collections::HashSet::new();
    // CRDs and manifests are written inside Helm's renderResources...
    let write = |out: &mut String, dir: &Path, name: &str, content: &str, append: bool| {
        write_to_file(dir, name, content, append)
            .map(|line| out.push_str(&line))
            .map_err(|e| OutputError::render(out.clone(), e))
    };
    if o.include_crds {
        for (name, data) in &r.crds {
            let content = crate::text::lossy(data);
            write(&mut out, dir, name, &content, written.contains(name))?;
            written.insert(name.clone());
        }
    }
    let new_dir = if o.use_release_name {
        dir.join(&o.release_name)
    } else {
        dir.to_path_buf()
    };
    for m in &r.manifests {
        write(
            &mut out,
            &new_dir,
            &m.name,
            &m.content,
            written.contains(&m.name),
        )?;
        written.insert(m.name.clone());
    }
    // ...which then post-renders what was not written (nothing).
    let rest = post("").map_err(|e| OutputError::render(out.clone(), e))?;
    // Hooks are written afterwards, by the template command itself.
    if !o.no_hooks {
        for h in &r.hooks {
            if o.skip_tests && is_test_hook(&h.events) {
                continue;
            }
            let exists = new_dir.join(&h.name).exists();
            let append = exists || written.contains(&h.name);
            let line =
                write_to_file(&new_dir, &h.name, &h.content, append).map_err(|e| OutputError {
                    stdout: out.clone(),
                    message: e,
                    in_render: false,
                })?;
            out.push_str(&line);
            written.insert(h.name.clone());
        }
    }
    out.push_str(rest.trim());
    out.push('\n');
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rendered() -> Rendered {
        Rendered {
            manifests: vec![super::super::manifest::Manifest {
                name: "c/templates/a.yaml".into(),
                content: "kind: A".into(),
                kind: "A".into(),
                object_name: String::new(),
                events: Vec::new(),
                weight: 0,
                delete_policies: Vec::new(),
            }],
            hooks: Vec::new(),
            crds: Vec::new(),
            warnings: Vec::new(),
        }
    }

    #[test]
    fn output_dir_still_runs_the_post_renderer_on_the_rest() {
        let dir = std::env::temp_dir().join(format!("rudder-outdir-{}", std::process::id()));
        let o = OutputOptions {
            output_dir: Some(dir.clone()),
            ..Default::default()
        };
        let mut seen = Vec::new();
        let out = assemble_with(&rendered(), &o, &mut |m| {
            seen.push(m.to_string());
            Ok("# header\n".into())
        })
        .unwrap();
        assert_eq!(seen, vec![String::new()]);
        let wrote = format!("wrote {}\n", dir.join("c/templates/a.yaml").display());
        assert_eq!(out, format!("{wrote}# header\n"));
        let err = assemble_with(&rendered(), &o, &mut |_| Err("boom".into())).unwrap_err();
        assert_eq!(
            (err.stdout, err.message, err.in_render),
            (wrote, "boom".into(), true)
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn show_only_misses_are_not_render_errors() {
        let o = OutputOptions {
            show_only: vec!["templates/nope.yaml".into()],
            ..Default::default()
        };
        let err = assemble_with(&rendered(), &o, &mut |m| Ok(m.to_string())).unwrap_err();
        assert!(!err.in_render);
        assert_eq!(
            err.message,
            "could not find template templates/nope.yaml in chart"
        );
    }
}
