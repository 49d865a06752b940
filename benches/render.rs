//! Whole-chart rendering (`rudder::render::render_chart`, what `rudder template` does after
//! loading): a seed chart from `charts/`, and the largest deterministic chart of the shared
//! corpus (`../shared/corpus`, skipped with a message when absent).

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use rudder::render::{render_chart, RenderOptions};
use rudder::template::Map;
use std::path::{Path, PathBuf};

/// The corpus chart benchmarked: the one with the most template bytes (2.2 MB, 166 files).
const CORPUS_CHART: &str = "argo-argo-cd";

fn corpus_chart() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    ["../shared/corpus", "../../shared/corpus"]
        .iter()
        .map(|rel| root.join(rel).join("charts").join(CORPUS_CHART))
        .find(|p| p.is_dir())
}

fn bench_chart(c: &mut Criterion, label: &str, path: &Path) {
    let chart = match rudder::chart::load::load(path) {
        Ok(ch) => ch,
        Err(e) => panic!("{}: {e}", path.display()),
    };
    let opts = RenderOptions {
        release_name: "rel".into(),
        namespace: "ns".into(),
        ..RenderOptions::default()
    };
    let user = Map::new();
    if let Err(e) = render_chart(chart.clone(), &user, &opts) {
        panic!("{label}: {e}");
    }
    c.bench_function(label, |b| {
        b.iter(|| render_chart(black_box(chart.clone()), &user, &opts))
    });
}

fn bench_render(c: &mut Criterion) {
    let seed = Path::new(env!("CARGO_MANIFEST_DIR")).join("charts/ghost");
    bench_chart(c, "render_chart seed ghost", &seed);
    match corpus_chart() {
        Some(path) => bench_chart(c, "render_chart corpus argo-argo-cd", &path),
        None => eprintln!("../shared/corpus not found: corpus chart benchmark skipped"),
    }
}

criterion_group!(benches, bench_render);
criterion_main!(benches);
