//! Lists the rendered documents of a helm output file that the fast head reader leaves to the
//! general YAML loader (a tool for widening the fast reader): `cargo run --example
//! head_fallbacks FILE...`.

fn main() {
    for path in std::env::args().skip(1) {
        let Ok(text) = std::fs::read_to_string(&path) else {
            eprintln!("{path}: unreadable");
            continue;
        };
        for doc in rudder::render::manifest::split_manifests(&text) {
            if rudder::yaml::head::fast_head(&doc).is_none() {
                let lines = doc.lines().take(3).collect::<Vec<_>>().join(" | ");
                println!("{path}: {} bytes: {lines}", doc.len());
            }
        }
    }
}
