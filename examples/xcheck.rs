use base64::Engine;
use rudder::funcs::certs::{build_custom, gen_ca, gen_self_signed, gen_signed};
use rudder::funcs::crypto::{encrypt_aes, gen_private_key};
fn main() {
    let b = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let ca = gen_ca("rust-ca", 30, None).unwrap();
    std::fs::write("/tmp/x/rust_ca.crt", &ca.cert).unwrap();
    std::fs::write(
        "/tmp/x/rust_ca.b64",
        format!("{} {}", b(&ca.cert), b(&ca.key)),
    )
    .unwrap();
    for k in ["ecdsa", "ed25519", "dsa"] {
        std::fs::write(format!("/tmp/x/key_{k}.b64"), b(&gen_private_key(k))).unwrap();
    }
    std::fs::write(
        "/tmp/x/aes.txt",
        encrypt_aes("secretkey", "hello from rust, é"),
    )
    .unwrap();
    // Helm-made CA from argv files, if present.
    if let Ok(c) = std::fs::read_to_string("/tmp/x/helm_ca.b64") {
        let mut it = c.split_whitespace();
        let ca = build_custom(it.next().unwrap(), it.next().unwrap()).unwrap();
        let leaf = gen_signed(
            "rust-leaf",
            &[rudder::template::Value::str("1.2.3.4")],
            &[rudder::template::Value::str("x.example")],
            5,
            &ca,
            None,
        )
        .unwrap();
        std::fs::write("/tmp/x/helm_ca.crt", &ca.cert).unwrap();
        std::fs::write("/tmp/x/rust_leaf_of_helm_ca.crt", &leaf.cert).unwrap();
        let ss = gen_self_signed("ss", &[], &[], 1, None).unwrap();
        std::fs::write("/tmp/x/ss.crt", &ss.cert).unwrap();
    }
}
