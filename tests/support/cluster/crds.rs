//! Installing CustomResourceDefinitions from YAML files into the test control plane.
//!
//! The YAML is sent as is (`Content-Type: application/yaml`, which kube-apiserver decodes
//! itself), so the tests need no YAML parser of their own.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::{Api, Client};

const CRD_PATH: &str = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";

/// Where the CRDs to install live: `$RUDDER_TEST_CRDS` if set, else the project's shared CRDs
/// (`<repo>/../shared/crds`, also looked for one level higher so git worktrees under a sibling
/// folder find it), else the small stand-ins kept in `tests/cluster/crds`.
pub fn crd_dir(repo: &Path) -> PathBuf {
    if let Some(dir) = std::env::var_os("RUDDER_TEST_CRDS") {
        return PathBuf::from(dir);
    }
    repo.ancestors()
        .skip(1)
        .take(2)
        .map(|dir| dir.join("shared").join("crds"))
        .find(|dir| dir.is_dir())
        .unwrap_or_else(|| repo.join("tests").join("cluster").join("crds"))
}

/// Splits a multi-document YAML stream at `---` lines, dropping documents that hold only
/// comments or blank lines.
pub fn split_documents(text: &str) -> Vec<String> {
    let mut docs = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        if line == "---" || line.starts_with("--- ") {
            docs.push(std::mem::take(&mut current));
        } else {
            current.push_str(line);
            current.push('\n');
        }
    }
    docs.push(current);
    docs.retain(|doc| {
        doc.lines().any(|l| {
            let l = l.trim();
            !l.is_empty() && !l.starts_with('#')
        })
    });
    docs
}

/// Creates every CRD in the `*.yaml` files of `dir` and waits until all are Established.
/// Returns the CRD names.
pub async fn install_crds(client: &Client, dir: &Path) -> Result<Vec<String>, String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("read {}: {e}", dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
        .collect();
    files.sort();
    let mut names = Vec::new();
    for file in &files {
        let text =
            std::fs::read_to_string(file).map_err(|e| format!("read {}: {e}", file.display()))?;
        for doc in split_documents(&text) {
            names.push(create_crd(client, doc, file).await?);
        }
    }
    let api: Api<CustomResourceDefinition> = Api::all(client.clone());
    for name in &names {
        wait_established(&api, name, Duration::from_secs(60)).await?;
    }
    Ok(names)
}

async fn create_crd(client: &Client, doc: String, file: &Path) -> Result<String, String> {
    let request = http::Request::post(CRD_PATH)
        .header(http::header::CONTENT_TYPE, "application/yaml")
        .header(http::header::ACCEPT, "application/json")
        .body(doc.into_bytes())
        .map_err(|e| format!("build CRD request: {e}"))?;
    let created = client
        .request_text(request)
        .await
        .map_err(|e| format!("create a CRD from {}: {e}", file.display()))?;
    let created: serde_json::Value = serde_json::from_str(&created)
        .map_err(|e| format!("decode created CRD from {}: {e}", file.display()))?;
    created
        .pointer("/metadata/name")
        .and_then(|n| n.as_str())
        .map(str::to_string)
        .ok_or_else(|| format!("created CRD from {} has no name", file.display()))
}

async fn wait_established(
    api: &Api<CustomResourceDefinition>,
    name: &str,
    timeout: Duration,
) -> Result<(), String> {
    let deadline = Instant::now() + timeout;
    loop {
        let crd = api
            .get(name)
            .await
            .map_err(|e| format!("read CRD {name}: {e}"))?;
        let established = crd
            .status
            .and_then(|s| s.conditions)
            .unwrap_or_default()
            .iter()
            .any(|c| c.type_ == "Established" && c.status == "True");
        if established {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(format!("CRD {name} not Established within {timeout:?}"));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
