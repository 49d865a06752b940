//! Private keys for sprig's crypto functions: generation (`genPrivateKey`), PEM encoding in the
//! block types Go's sprig writes (`RSA PRIVATE KEY` = PKCS#1, `EC PRIVATE KEY` = SEC1,
//! `PRIVATE KEY` = PKCS#8 for Ed25519, `DSA PRIVATE KEY` = OpenSSL's DSA sequence) and parsing
//! with sprig's `parsePrivateKeyPEM` rules and error texts.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use rand::rngs::OsRng;
use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey};
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey};

/// A private key of one of the kinds sprig handles.
pub enum PrivKey {
    /// RSA.
    Rsa(Box<rsa::RsaPrivateKey>),
    /// ECDSA on P-256 (the only curve sprig generates).
    Ec(p256::SecretKey),
    /// ECDSA on P-384 (accepted from PEM, as Go does).
    Ec384(p384::SecretKey),
    /// Ed25519.
    Ed(ed25519_dalek::SigningKey),
    /// DSA: kept as its integers (Go cannot sign certificates with it either).
    Dsa(DsaParts),
}

/// The integers of a DSA private key, big-endian magnitudes.
pub struct DsaParts {
    /// p, q, g, y, x.
    pub ints: [Vec<u8>; 5],
}

/// Go's `pem.EncodeToMemory`: base64 in 64-column lines.
pub fn pem_encode(kind: &str, der: &[u8]) -> String {
    let b64 = STANDARD.encode(der);
    let mut out = format!("-----BEGIN {kind}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str(&format!("-----END {kind}-----\n"));
    out
}

/// A decoded PEM block.
pub struct PemBlock {
    /// The type after `BEGIN`.
    pub kind: String,
    /// The decoded bytes.
    pub der: Vec<u8>,
}

/// Go's `pem.Decode` (first block only; headers are not supported and make the block invalid).
pub fn pem_decode(text: &str) -> Option<PemBlock> {
    let mut rest = text;
    loop {
        let start = rest.find("-----BEGIN ")?;
        let after = &rest[start + 11..];
        let end_type = after.find("-----")?;
        let kind = &after[..end_type];
        let body_start = &after[end_type + 5..];
        let end_marker = format!("-----END {kind}-----");
        if let Some(end) = body_start.find(&end_marker) {
            let body: String = body_start[..end]
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            if let Ok(der) = STANDARD.decode(body.as_bytes()) {
                return Some(PemBlock {
                    kind: kind.to_string(),
                    der,
                });
            }
        }
        rest = body_start;
    }
}

/// Minimal DER: appends a tag-length-value.
fn der_tlv(out: &mut Vec<u8>, tag: u8, content: &[u8]) {
    out.push(tag);
    let n = content.len();
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let bytes: Vec<u8> = n
            .to_be_bytes()
            .iter()
            .copied()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(content);
}

/// DER INTEGER content for a non-negative big-endian magnitude.
fn der_uint(out: &mut Vec<u8>, mag: &[u8]) {
    let trimmed: Vec<u8> = mag.iter().copied().skip_while(|b| *b == 0).collect();
    let mut content = Vec::with_capacity(trimmed.len() + 1);
    if trimmed.first().is_none_or(|b| b & 0x80 != 0) {
        content.push(0);
    }
    content.extend(trimmed);
    der_tlv(out, 0x02, &content);
}

/// Reads one TLV: (tag, content, rest).
fn der_read(data: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let tag = *data.first()?;
    let first = *data.get(1)?;
    let (len, hdr) = if first < 0x80 {
        (usize::from(first), 2)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 {
            return None;
        }
        let mut len = 0usize;
        for b in data.get(2..2 + n)? {
            len = (len << 8) | usize::from(*b);
        }
        (len, 2 + n)
    };
    let content = data.get(hdr..hdr.checked_add(len)?)?;
    Some((tag, content, &data[hdr + len..]))
}

impl DsaParts {
    fn to_der(&self) -> Vec<u8> {
        let mut body = Vec::new();
        der_uint(&mut body, &[0]);
        for i in &self.ints {
            der_uint(&mut body, i);
        }
        let mut out = Vec::new();
        der_tlv(&mut out, 0x30, &body);
        out
    }

    fn from_der(der: &[u8]) -> Option<DsaParts> {
        let (tag, mut seq, _) = der_read(der)?;
        if tag != 0x30 {
            return None;
        }
        let mut ints = Vec::new();
        while !seq.is_empty() {
            let (t, c, rest) = der_read(seq)?;
            if t != 0x02 {
                return None;
            }
            ints.push(c.to_vec());
            seq = rest;
        }
        if ints.len() != 6 {
            return None;
        }
        let mut it = ints.into_iter().skip(1);
        let mut next = || it.next().unwrap_or_default();
        Some(DsaParts {
            ints: [next(), next(), next(), next(), next()],
        })
    }
}

/// Ed25519 PKCS#8 v1 (no public key), exactly as Go's `MarshalPKCS8PrivateKey` writes it.
fn ed25519_pkcs8(k: &ed25519_dalek::SigningKey) -> Vec<u8> {
    let mut der = vec![
        0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04,
        0x20,
    ];
    der.extend_from_slice(k.as_bytes());
    der
}

/// SEC1 `ECPrivateKey` with the named curve and public key, as Go's `MarshalECPrivateKey`:
/// `curve` is the DER of the curve OID, `point` the uncompressed public point.
fn ec_sec1(scalar: &[u8], curve: &[u8], point: &[u8]) -> Vec<u8> {
    let mut body = vec![0x02, 0x01, 0x01];
    der_tlv(&mut body, 0x04, scalar);
    der_tlv(&mut body, 0xa0, curve);
    let mut bits = vec![0u8];
    bits.extend_from_slice(point);
    let mut bit_string = Vec::new();
    der_tlv(&mut bit_string, 0x03, &bits);
    der_tlv(&mut body, 0xa1, &bit_string);
    let mut out = Vec::new();
    der_tlv(&mut out, 0x30, &body);
    out
}

/// Parallel RSA attempts before falling back to the library's sequential generator (a retry
/// is needed only when the primes collide or the exponent has no inverse: practically never).
const RSA_ATTEMPTS: usize = 8;

/// DER of the prime256v1 OID.
const P256_OID: [u8; 10] = [0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
/// DER of the secp384r1 OID.
const P384_OID: [u8; 7] = [0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22];

impl PrivKey {
    /// A new RSA key of `bits` bits (two primes, e = 65537). Key generation dominates charts
    /// that call `genCA` and friends, so the common sizes search primes with the fixed-size
    /// sieve and Montgomery arithmetic of [`super::prime`] (two threads); other sizes use the
    /// `rsa` crate's generator. Either way: primes with their top two bits set, distinct, a
    /// modulus of exactly `bits` bits.
    pub fn generate_rsa(bits: usize) -> Result<PrivKey, String> {
        let exponent = rsa::BigUint::from(65537u32);
        if bits.is_multiple_of(2) {
            for _ in 0..RSA_ATTEMPTS {
                let Some((p, q)) = super::prime::rsa_prime_pair(bits / 2) else {
                    break;
                };
                if p == q || (&p * &q).bits() != bits {
                    continue;
                }
                if let Ok(k) = rsa::RsaPrivateKey::from_primes(vec![p, q], exponent.clone()) {
                    return Ok(PrivKey::Rsa(Box::new(k)));
                }
            }
        }
        rsa::RsaPrivateKey::new(&mut OsRng, bits)
            .map(|k| PrivKey::Rsa(Box::new(k)))
            .map_err(|e| format!("error generating rsa key: {e}"))
    }

    /// sprig's `genPrivateKey` key kinds: `""`/`rsa` (4096 bits), `dsa` (L2048N256), `ecdsa`
    /// (P-256), `ed25519`; `None` for an unknown type.
    pub fn generate(kind: &str) -> Option<Result<PrivKey, String>> {
        Some(match kind {
            "" | "rsa" => PrivKey::generate_rsa(4096),
            "dsa" => {
                // The vector prime tests find p about 20 times faster than the dsa crate.
                let comps = super::prime::dsa_2048_256()
                    .and_then(|(p, q, g)| dsa::Components::from_components(p, q, g).ok())
                    .unwrap_or_else(|| {
                        dsa::Components::generate(&mut OsRng, dsa::KeySize::DSA_2048_256)
                    });
                let k = dsa::SigningKey::generate(&mut OsRng, comps);
                let c = k.verifying_key().components();
                Ok(PrivKey::Dsa(DsaParts {
                    ints: [
                        c.p().to_bytes_be(),
                        c.q().to_bytes_be(),
                        c.g().to_bytes_be(),
                        k.verifying_key().y().to_bytes_be(),
                        k.x().to_bytes_be(),
                    ],
                }))
            }
            "ecdsa" => Ok(PrivKey::Ec(p256::SecretKey::random(&mut OsRng))),
            "ed25519" => Ok(PrivKey::Ed(ed25519_dalek::SigningKey::generate(&mut OsRng))),
            _ => return None,
        })
    }

    /// sprig's `pemBlockForKey`.
    pub fn to_pem(&self) -> Result<String, String> {
        Ok(match self {
            PrivKey::Rsa(k) => {
                let der = k.to_pkcs1_der().map_err(|e| e.to_string())?;
                pem_encode("RSA PRIVATE KEY", der.as_bytes())
            }
            PrivKey::Ec(k) => {
                use p256::elliptic_curve::sec1::ToEncodedPoint;
                let point = k.public_key().to_encoded_point(false);
                pem_encode(
                    "EC PRIVATE KEY",
                    &ec_sec1(&k.to_bytes(), &P256_OID, point.as_bytes()),
                )
            }
            PrivKey::Ec384(k) => {
                use p384::elliptic_curve::sec1::ToEncodedPoint;
                let point = k.public_key().to_encoded_point(false);
                pem_encode(
                    "EC PRIVATE KEY",
                    &ec_sec1(&k.to_bytes(), &P384_OID, point.as_bytes()),
                )
            }
            PrivKey::Ed(k) => pem_encode("PRIVATE KEY", &ed25519_pkcs8(k)),
            PrivKey::Dsa(d) => pem_encode("DSA PRIVATE KEY", &d.to_der()),
        })
    }

    /// PKCS#8 DER for signing with `rcgen`/`ring` (DSA has none).
    pub fn to_pkcs8_der(&self) -> Result<Vec<u8>, String> {
        let doc = match self {
            PrivKey::Rsa(k) => k.to_pkcs8_der(),
            PrivKey::Ec(k) => k.to_pkcs8_der(),
            PrivKey::Ec384(k) => k.to_pkcs8_der(),
            PrivKey::Ed(k) => return Ok(ed25519_pkcs8(k)),
            PrivKey::Dsa(_) => {
                return Err("x509: certificate private key does not implement crypto.Signer".into())
            }
        };
        doc.map(|d| d.as_bytes().to_vec())
            .map_err(|e| e.to_string())
    }

    /// Go's `%T` of the public key (used in error texts).
    pub fn public_type(&self) -> &'static str {
        match self {
            PrivKey::Rsa(_) => "*rsa.PublicKey",
            PrivKey::Ec(_) | PrivKey::Ec384(_) => "*ecdsa.PublicKey",
            PrivKey::Ed(_) => "ed25519.PublicKey",
            PrivKey::Dsa(_) => "*dsa.PublicKey",
        }
    }
}

/// sprig's `parsePrivateKeyPEM`, with its error texts.
pub fn parse_private_key_pem(text: &str) -> Result<PrivKey, String> {
    let block = pem_decode(text).ok_or("no PEM data in input")?;
    if block.kind == "PRIVATE KEY" {
        return parse_pkcs8(&block.der).map_err(|e| format!("decoding PEM as PKCS#8: {e}"));
    }
    let Some(algo) = block.kind.strip_suffix(" PRIVATE KEY") else {
        return Err(format!(
            "no private key data in PEM block of type {}",
            block.kind
        ));
    };
    match algo {
        "RSA" => rsa::RsaPrivateKey::from_pkcs1_der(&block.der)
            .map(|k| PrivKey::Rsa(Box::new(k)))
            .map_err(|e| format!("parsing RSA private key from PEM: x509: {e}")),
        "EC" => p256::SecretKey::from_sec1_der(&block.der)
            .map(PrivKey::Ec)
            .or_else(|_| p384::SecretKey::from_sec1_der(&block.der).map(PrivKey::Ec384))
            .map_err(|e| format!("parsing EC private key from PEM: x509: {e}")),
        "DSA" => DsaParts::from_der(&block.der)
            .map(PrivKey::Dsa)
            .ok_or_else(|| "parsing DSA private key from PEM: asn1: structure error".to_string()),
        _ => Err(format!("invalid private key type {}", block.kind)),
    }
}

fn parse_pkcs8(der: &[u8]) -> Result<PrivKey, String> {
    if let Ok(k) = rsa::RsaPrivateKey::from_pkcs8_der(der) {
        return Ok(PrivKey::Rsa(Box::new(k)));
    }
    if let Ok(k) = p256::SecretKey::from_pkcs8_der(der) {
        return Ok(PrivKey::Ec(k));
    }
    if let Ok(k) = p384::SecretKey::from_pkcs8_der(der) {
        return Ok(PrivKey::Ec384(k));
    }
    if let Ok(k) = ed25519_dalek::SigningKey::from_pkcs8_der(der) {
        return Ok(PrivKey::Ed(k));
    }
    Err("x509: failed to parse private key".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ec_and_ed25519_round_trip_through_pem() {
        for kind in ["ecdsa", "ed25519"] {
            let k = PrivKey::generate(kind).unwrap().unwrap();
            let pem = k.to_pem().unwrap();
            let back = parse_private_key_pem(&pem).unwrap();
            assert_eq!(back.to_pem().unwrap(), pem);
        }
        let ed = PrivKey::generate("ed25519")
            .unwrap()
            .unwrap()
            .to_pem()
            .unwrap();
        // Go's PKCS#8 v1 Ed25519 keys always start with these bytes.
        assert!(ed.starts_with("-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEI"));
        let ec = PrivKey::generate("ecdsa")
            .unwrap()
            .unwrap()
            .to_pem()
            .unwrap();
        assert!(ec.starts_with("-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEI"));
    }

    #[test]
    fn p384_keys_round_trip() {
        let k = p384::SecretKey::random(&mut OsRng);
        let pem = PrivKey::Ec384(k).to_pem().unwrap();
        let back = parse_private_key_pem(&pem).unwrap();
        assert!(matches!(back, PrivKey::Ec384(_)));
        assert_eq!(back.to_pem().unwrap(), pem);
    }

    #[test]
    fn dsa_der_round_trip() {
        let d = DsaParts {
            ints: [vec![0x80, 1], vec![3], vec![0, 4], vec![5], vec![6]],
        };
        let back = DsaParts::from_der(&d.to_der()).unwrap();
        assert_eq!(back.ints[0], vec![0, 0x80, 1]);
        assert_eq!(back.ints[2], vec![4]);
    }

    #[test]
    fn parse_errors() {
        assert_eq!(
            parse_private_key_pem("x").err().unwrap(),
            "no PEM data in input"
        );
        let foo = "-----BEGIN FOO-----\nYWJj\n-----END FOO-----\n";
        assert_eq!(
            parse_private_key_pem(foo).err().unwrap(),
            "no private key data in PEM block of type FOO"
        );
        let bar = "-----BEGIN BAR PRIVATE KEY-----\nYWJj\n-----END BAR PRIVATE KEY-----\n";
        assert_eq!(
            parse_private_key_pem(bar).err().unwrap(),
            "invalid private key type BAR PRIVATE KEY"
        );
        assert!(pem_decode("-----BEGIN X-----\n!!\n-----END X-----\n").is_none());
    }

    #[test]
    fn pem_lines_are_64_columns() {
        let pem = pem_encode("T", &[0u8; 100]);
        let lines: Vec<&str> = pem.lines().collect();
        assert_eq!(lines[1].len(), 64);
        assert_eq!(lines.last(), Some(&"-----END T-----"));
    }
}
