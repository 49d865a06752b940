//! Shape and round-trip tests for the crypto group: PEM kinds and key sizes, certificate fields,
//! signatures that verify (self-signed and CA-signed chains), AES and bcrypt round trips.

use super::certs::{
    build_custom, gen_ca, gen_self_signed, gen_signed, ring_rsa_key_pair, rsa_crate_key_pair,
    CertObj,
};
use super::crypto::{bcrypt_hash, decrypt_aes, encrypt_aes, gen_private_key, htpasswd, rand_bytes};
use super::keys::{parse_private_key_pem, pem_decode, PrivKey};
use crate::template::Value;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use rsa::traits::PublicKeyParts;
use x509_parser::prelude::*;

/// The certificate a generating function returned (generated now if it was lazy).
fn cert_of(v: Result<Value, String>, what: &str) -> CertObj {
    let v = v.unwrap_or_else(|e| panic!("{what}: {e}"));
    match CertObj::from_value(&v) {
        Some(Ok(c)) => c,
        other => panic!("{what}: {other:?}"),
    }
}

fn der_of(pem: &str) -> Vec<u8> {
    let block = pem_decode(pem).expect("PEM block");
    assert_eq!(block.kind, "CERTIFICATE");
    block.der
}

fn with_cert<R>(pem: &str, f: impl FnOnce(&X509Certificate<'_>) -> R) -> R {
    let der = der_of(pem);
    let (_, cert) = parse_x509_certificate(&der).expect("certificate parses");
    f(&cert)
}

fn cn(c: &X509Certificate<'_>) -> String {
    c.subject()
        .iter_common_name()
        .next()
        .and_then(|a| a.as_str().ok())
        .unwrap_or("")
        .to_string()
}

fn rsa_bits(key_pem: &str) -> usize {
    match parse_private_key_pem(key_pem).expect("key parses") {
        PrivKey::Rsa(k) => k.n().bits(),
        _ => panic!("expected an RSA key"),
    }
}

fn days_valid(c: &X509Certificate<'_>) -> i64 {
    (c.validity().not_after.timestamp() - c.validity().not_before.timestamp()) / 86_400
}

#[test]
fn ca_then_signed_leaf_chains() {
    let ca = cert_of(gen_ca("my-ca", 365, None), "genCA");
    assert!(ca.key.starts_with("-----BEGIN RSA PRIVATE KEY-----\n"));
    assert_eq!(rsa_bits(&ca.key), 2048);
    let ca_der = der_of(&ca.cert);
    let (_, ca_cert) = parse_x509_certificate(&ca_der).expect("CA parses");
    assert_eq!(cn(&ca_cert), "my-ca");
    assert!(ca_cert.is_ca());
    assert_eq!(days_valid(&ca_cert), 365);
    let ku = ca_cert.key_usage().expect("ok").expect("key usage").value;
    assert!(ku.key_cert_sign() && ku.digital_signature() && ku.key_encipherment());
    ca_cert
        .verify_signature(None)
        .expect("self-signature verifies");

    let ips = [Value::str("10.0.0.1"), Value::str("::1")];
    let dns = [Value::str("a.example"), Value::str("b.example")];
    let leaf = cert_of(
        gen_signed("leaf", &ips, &dns, 30, &ca, None),
        "genSignedCert",
    );
    with_cert(&leaf.cert, |c| {
        assert_eq!(cn(c), "leaf");
        assert!(!c.is_ca());
        assert_eq!(
            c.issuer().as_raw(),
            ca_cert.subject().as_raw(),
            "issuer is the CA's subject"
        );
        c.verify_signature(Some(ca_cert.public_key()))
            .expect("signed by the CA");
        assert!(c.verify_signature(None).is_err(), "not self-signed");
        let eku = c.extended_key_usage().expect("ok").expect("eku").value;
        assert!(eku.server_auth && eku.client_auth);
        let san = c
            .subject_alternative_name()
            .expect("ok")
            .expect("san")
            .value;
        let names: Vec<String> = san.general_names.iter().map(|g| format!("{g}")).collect();
        assert_eq!(names.len(), 4, "{names:?}");
        assert!(names.iter().any(|n| n.contains("a.example")));
        assert_eq!(days_valid(c), 30);
    });
    assert_eq!(rsa_bits(&leaf.key), 2048);
}

#[test]
fn self_signed_with_ec_and_ed25519_keys() {
    for kind in ["ecdsa", "ed25519"] {
        let key = gen_private_key(kind);
        let c = cert_of(
            gen_self_signed("svc", &[], &[Value::str("svc.local")], 7, Some(&key)),
            "cert",
        );
        assert_eq!(c.key, key, "the given key is returned unchanged");
        with_cert(&c.cert, |x| {
            assert_eq!(cn(x), "svc");
            x.verify_signature(None).expect("self-signature verifies");
        });
    }
}

#[test]
fn ca_with_given_key_signs_with_given_leaf_key() {
    let ca_key = gen_private_key("ecdsa");
    let ca = cert_of(gen_ca("ec-ca", 10, Some(&ca_key)), "genCAWithKey");
    let leaf_key = gen_private_key("ed25519");
    let leaf = cert_of(
        gen_signed("x", &[], &[], 1, &ca, Some(&leaf_key)),
        "genSignedCertWithKey",
    );
    let ca_der = der_of(&ca.cert);
    let (_, ca_cert) = parse_x509_certificate(&ca_der).expect("CA parses");
    with_cert(&leaf.cert, |c| {
        c.verify_signature(Some(ca_cert.public_key()))
            .expect("chain")
    });
    assert_eq!(leaf.key, leaf_key);
}

#[test]
fn p384_ca_key_signs() {
    let key = PrivKey::Ec384(p384::SecretKey::random(&mut rand::rngs::OsRng))
        .to_pem()
        .expect("pem");
    let ca = cert_of(gen_ca("p384", 1, Some(&key)), "genCAWithKey with P-384");
    with_cert(&ca.cert, |c| c.verify_signature(None).expect("self-signed"));
}

#[test]
fn small_rsa_keys_sign_like_go() {
    use rsa::pkcs1::EncodeRsaPrivateKey;
    let k = rsa::RsaPrivateKey::new(&mut rand::rngs::OsRng, 1024).expect("keygen");
    let pem = k
        .to_pkcs1_pem(rsa::pkcs8::LineEnding::LF)
        .expect("pem")
        .to_string();
    let ca = cert_of(
        gen_ca("small", 1, Some(&pem)),
        "Go accepts 1024-bit RSA keys",
    );
    let leaf = cert_of(gen_signed("leaf", &[], &[], 1, &ca, Some(&pem)), "signed");
    // ring (behind x509-parser's verify) refuses 1024-bit keys, so check with the rsa crate.
    let verifier = rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(k.to_public_key());
    for pem in [&ca.cert, &leaf.cert] {
        with_cert(pem, |c| {
            use rsa::signature::Verifier;
            let sig =
                rsa::pkcs1v15::Signature::try_from(c.signature_value.data.as_ref()).expect("sig");
            verifier
                .verify(c.tbs_certificate.as_ref(), &sig)
                .expect("signature verifies");
        });
    }
}

#[test]
fn ring_and_rsa_crate_sign_the_same_bytes() {
    // Keys of 2048 to 4096 bits sign with ring, others with the rsa crate: PKCS#1 v1.5 is
    // deterministic, so both must give the same certificate.
    for bits in [2048, 3072] {
        let k = match PrivKey::generate_rsa(bits) {
            Ok(k) => k,
            Err(e) => panic!("{bits}-bit key: {e}"),
        };
        let PrivKey::Rsa(rsa_key) = &k else {
            panic!("not an RSA key")
        };
        let (Some(ring), Ok(crate_signer)) = (ring_rsa_key_pair(&k), rsa_crate_key_pair(rsa_key))
        else {
            panic!("{bits}-bit key pairs")
        };
        let params = || {
            let mut p =
                rcgen::CertificateParams::new(vec!["a.example".to_string()]).expect("params");
            p.serial_number = Some(rcgen::SerialNumber::from(7u64));
            p
        };
        let (Ok(a), Ok(b)) = (
            params().self_signed(&ring),
            params().self_signed(&crate_signer),
        ) else {
            panic!("{bits}-bit self-signing")
        };
        assert_eq!(a.der(), b.der(), "{bits}-bit certificates differ");
    }
}

#[test]
fn extreme_validity_does_not_panic() {
    let key = gen_private_key("ecdsa");
    for days in [i64::MAX, i64::MIN, -5, 0, 4_000_000] {
        let _ = gen_ca("x", days, Some(&key));
    }
    let ca = cert_of(
        gen_ca("x", -5, Some(&key)),
        "expired CA is still produced, as in Go",
    );
    with_cert(&ca.cert, |c| {
        assert!(c.validity().not_after < c.validity().not_before)
    });
}

#[test]
fn cert_argument_errors() {
    let e = gen_self_signed("x", &[Value::str("nope")], &[], 1, None).err();
    assert_eq!(e.as_deref(), Some("error parsing ip: nope"));
    let e = gen_ca("x", 1, Some("nope")).err();
    assert_eq!(
        e.as_deref(),
        Some("parsing private key: no PEM data in input")
    );
    let bad_ca = CertObj {
        cert: "x".into(),
        key: "y".into(),
    };
    let key = gen_private_key("ecdsa");
    let e = gen_signed("x", &[], &[], 1, &bad_ca, Some(&key)).err();
    assert_eq!(e.as_deref(), Some("unable to decode certificate"));
}

#[test]
fn build_custom_cert_round_trip() {
    let key = gen_private_key("ecdsa");
    let ca = cert_of(gen_ca("c", 1, Some(&key)), "CA");
    let built = build_custom(&STANDARD.encode(&ca.cert), &STANDARD.encode(&ca.key)).expect("built");
    assert_eq!(built.cert, ca.cert);
    assert_eq!(built.key, ca.key);
    assert_eq!(built.clone().into_value().type_name(), "sprig.certificate");
    let e = build_custom(&STANDARD.encode(&ca.cert), &STANDARD.encode("junk")).err();
    assert_eq!(
        e.as_deref(),
        Some("error parsing private key: no PEM data in input")
    );
}

#[test]
fn private_key_kinds() {
    let rsa = gen_private_key("rsa");
    assert!(rsa.starts_with("-----BEGIN RSA PRIVATE KEY-----\n"));
    assert_eq!(rsa_bits(&rsa), 4096);
    assert_eq!(gen_private_key("bad"), "Unknown type bad");
}

#[test]
fn dsa_keys_parse_but_cannot_sign() {
    let dsa = gen_private_key("dsa");
    assert!(
        dsa.starts_with("-----BEGIN DSA PRIVATE KEY-----\n"),
        "{dsa}"
    );
    match parse_private_key_pem(&dsa) {
        Ok(PrivKey::Dsa(parts)) => {
            // L2048N256: p is 2048 bits, q 256 bits (ignoring a sign-padding zero byte).
            let len = |v: &Vec<u8>| v.iter().skip_while(|b| **b == 0).count();
            assert_eq!(len(&parts.ints[0]), 256);
            assert_eq!(len(&parts.ints[1]), 32);
        }
        _ => panic!("DSA key should parse"),
    }
    let e = gen_ca("x", 1, Some(&dsa)).err().unwrap_or_default();
    assert!(e.contains("does not implement crypto.Signer"), "{e}");
}

#[test]
fn aes_round_trip_and_shape() {
    let ct = encrypt_aes("secretkey", "hello world");
    let raw = STANDARD.decode(&ct).expect("base64");
    assert_eq!(raw.len(), 32, "16-byte IV + one padded block");
    assert_eq!(decrypt_aes("secretkey", &ct).as_deref(), Ok("hello world"));
    assert_ne!(encrypt_aes("secretkey", "hello world"), ct, "random IV");
    // Keys longer than 32 bytes are truncated, so both decrypt.
    let long = "k".repeat(40);
    let ct = encrypt_aes(&long, "x");
    assert_eq!(decrypt_aes(&"k".repeat(32), &ct).as_deref(), Ok("x"));
    let block_exact = encrypt_aes("k", "0123456789abcdef");
    assert_eq!(STANDARD.decode(&block_exact).map(|v| v.len()), Ok(48));
}

#[test]
fn bcrypt_and_htpasswd_verify() {
    let h = bcrypt_hash("pw");
    assert!(h.starts_with("$2a$10$") && h.len() == 60, "{h}");
    assert!(bcrypt::verify("pw", &h).unwrap_or(false));
    let line = htpasswd("user", "pw");
    let (u, hash) = line.split_once(':').expect("user:hash");
    assert_eq!(u, "user");
    assert!(bcrypt::verify("pw", hash).unwrap_or(false));
    assert!(bcrypt_hash(&"a".repeat(73)).starts_with("failed to encrypt string with bcrypt"));
}

#[test]
fn rand_bytes_shape() {
    let b = rand_bytes(32).expect("bytes");
    assert_eq!(STANDARD.decode(&b).map(|v| v.len()), Ok(32));
    assert_eq!(rand_bytes(0).as_deref(), Ok(""));
    assert!(rand_bytes(-1).is_err());
}

/// The two-thread generator makes valid two-prime keys of the exact size with e = 65537.
#[test]
fn parallel_rsa_keys_are_valid() {
    use rsa::traits::PrivateKeyParts;
    for bits in [512, 1024, 1025] {
        let PrivKey::Rsa(k) = PrivKey::generate_rsa(bits).expect("keygen") else {
            panic!("expected an RSA key")
        };
        k.validate().expect("valid key");
        assert_eq!(k.n().bits(), bits);
        assert_eq!(k.e(), &rsa::BigUint::from(65537u32));
        let primes = k.primes();
        assert_eq!(primes.len(), 2);
        assert_ne!(primes[0], primes[1]);
        assert_eq!(&primes[0] * &primes[1], *k.n());
    }
}
