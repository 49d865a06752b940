//! Prints where the fast document reader and the general YAML loader disagree on a file
//! (a tool for the fast reader): `cargo run --example yaml_fast_diff FILE`.

fn main() {
    for path in std::env::args().skip(1) {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        if rudder::yaml::block::fast_document(&text).is_none() {
            // The first line whose addition leaves the document to the general loader.
            let lines: Vec<&str> = text.lines().collect();
            let first_bad = (1..=lines.len()).find(|&k| {
                let prefix = lines[..k].join("\n") + "\n";
                rudder::yaml::block::fast_document(&prefix).is_none()
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
