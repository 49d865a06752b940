//! Tools for widening the fast YAML readers:
//! `cargo run --example yaml_fast_diff FILE...` prints where the fast document reader and the
//! general loader disagree on a file, or the first line that sends it to the general loader;
//! `cargo run --example yaml_fast_diff -- --heads OUTPUT...` lists the documents of a rendered
//! stream that the fast head reader leaves to the general loader.

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().is_some_and(|a| a == "--heads") {
        for path in &args[1..] {
            let Ok(text) = std::fs::read_to_string(path) else {
                continue;
            };
            for doc in rudder::render::manifest::split_manifests(&text) {
                if rudder::yaml::head::fast_head(&doc).is_none() {
                    let lines = doc.lines().take(3).collect::<Vec<_>>().join(" | ");
                    println!("{path}: {} bytes: {lines}", doc.len());
                }
            }
        }
        return;
    }
    for path in args {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        if rudder::yaml::block::fast_document(&text).is_none() {
            // The first line whose addition leaves the document to the general loader.
            let lines: Vec<&str> = text.lines().collect();
            let first_bad = (1..=lines.len()).find(|&k| {
                let prefix = lines[..k].join("\n") + "\n";
                // A prefix ending on a block header is an empty scalar at the end, deferred.
                !lines[k - 1].trim_end().ends_with(['|', '>', '-'])
                    && rudder::yaml::block::fast_document(&prefix).is_none()
                    && lines[..k]
                        .iter()
                        .any(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
            });
            match first_bad {
                Some(k) => println!(
                    "{path}: left to the general loader at line {k}: {}",
                    lines[k - 1]
                ),
                None => println!("{path}: left to the general loader"),
            }
            continue;
        }
        let fast = format!("{:?}", rudder::yaml::load_any(&text));
        let general = format!("{:?}", rudder::yaml::load_any_general(&text));
        let at = fast
            .bytes()
            .zip(general.bytes())
            .take_while(|(a, b)| a == b)
            .count();
        let from = at.saturating_sub(80);
        if fast != general {
            println!(
                "{path}:\n fast:    {}\n general: {}",
                &fast[from..(at + 80).min(fast.len())],
                &general[from..(at + 80).min(general.len())]
            );
        }
    }
}
