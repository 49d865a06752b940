//! Sprig/Helm functions: crypto (`derivePassword`, `genPrivateKey`, the certificate
//! generators, `encryptAES`/`decryptAES`, `bcrypt`, `htpasswd`, `randBytes`). The `sha*sum`
//! hashes live with the encoding group.
//!
//! Outputs are random except `derivePassword`; error texts follow sprig, including Go runtime
//! panics that Helm reports (`runtime error: slice bounds out of range [:16] with capacity 3`).

use super::certs::{build_custom, gen_ca, gen_self_signed, gen_signed, CertObj};
use super::keys::PrivKey;
use crate::template::{FuncMap, Param, Runtime, Value};
use aes::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use base64::alphabet::STANDARD as STD_ALPHABET;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use base64::engine::DecodePaddingMode;
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::rngs::OsRng;
use rand::RngCore;
use sha2::Sha256;

const CERT: Param = Param::Object("sprig.certificate");

/// Largest `randBytes` count accepted (see `random::MAX_RANDOM_LEN`).
const MAX_RAND_BYTES: i64 = 16 << 20;

/// Master Password templates per password type (sprig's `passwordTypeTemplates`).
fn templates(kind: &str) -> Option<&'static [&'static str]> {
    Some(match kind {
        "maximum" => &["anoxxxxxxxxxxxxxxxxx", "axxxxxxxxxxxxxxxxxno"],
        "long" => &[
            "CvcvnoCvcvCvcv",
            "CvcvCvcvnoCvcv",
            "CvcvCvcvCvcvno",
            "CvccnoCvcvCvcv",
            "CvccCvcvnoCvcv",
            "CvccCvcvCvcvno",
            "CvcvnoCvccCvcv",
            "CvcvCvccnoCvcv",
            "CvcvCvccCvcvno",
            "CvcvnoCvcvCvcc",
            "CvcvCvcvnoCvcc",
            "CvcvCvcvCvccno",
            "CvccnoCvccCvcv",
            "CvccCvccnoCvcv",
            "CvccCvccCvcvno",
            "CvcvnoCvccCvcc",
            "CvcvCvccnoCvcc",
            "CvcvCvccCvccno",
            "CvccnoCvcvCvcc",
            "CvccCvcvnoCvcc",
            "CvccCvcvCvccno",
        ],
        "medium" => &["CvcnoCvc", "CvcCvcno"],
        "short" => &["Cvcn"],
        "basic" => &["aaanaaan", "aannaaan", "aaannaaa"],
        "pin" => &["nnnn"],
        _ => return None,
    })
}

/// The characters each template letter draws from.
fn template_chars(c: u8) -> &'static [u8] {
    match c {
        b'V' => b"AEIOU",
        b'C' => b"BCDFGHJKLMNPQRSTVWXYZ",
        b'v' => b"aeiou",
        b'c' => b"bcdfghjklmnpqrstvwxyz",
        b'A' => b"AEIOUBCDFGHJKLMNPQRSTVWXYZ",
        b'a' => b"AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz",
        b'n' => b"0123456789",
        b'o' => b"@&%?,=[]_:-+*$#!'^~;()/.",
        _ => b"AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()",
    }
}

/// sprig's `derivePassword` (Master Password algorithm v3: scrypt N=32768 r=8 p=2 → 64-byte
/// key; HMAC-SHA256 over the site seed picks a template and its characters).
pub fn derive_password(counter: u32, kind: &str, password: &str, user: &str, site: &str) -> String {
    let Some(tpls) = templates(kind) else {
        return format!("cannot find password template {kind}");
    };
    const SEED: &[u8] = b"com.lyndir.masterpassword";
    let mut salt = SEED.to_vec();
    salt.extend_from_slice(&(user.len() as u32).to_be_bytes());
    salt.extend_from_slice(user.as_bytes());
    let mut key = [0u8; 64];
    let params = match scrypt::Params::new(15, 8, 2, 64) {
        Ok(p) => p,
        Err(e) => return format!("failed to derive password: {e}"),
    };
    if let Err(e) = scrypt::scrypt(password.as_bytes(), &salt, &params, &mut key) {
        return format!("failed to derive password: {e}");
    }
    let mut msg = SEED.to_vec();
    msg.extend_from_slice(&(site.len() as u32).to_be_bytes());
    msg.extend_from_slice(site.as_bytes());
    msg.extend_from_slice(&counter.to_be_bytes());
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&key) else {
        return "failed to derive password: hmac".into();
    };
    mac.update(&msg);
    let seed = mac.finalize().into_bytes();
    let tpl = tpls[usize::from(seed[0]) % tpls.len()].as_bytes();
    tpl.iter()
        .enumerate()
        .map(|(i, &c)| {
            let chars = template_chars(c);
            let s = seed.get(i + 1).copied().unwrap_or(0);
            char::from(chars[usize::from(s) % chars.len()])
        })
        .collect()
}

/// sprig's `bcrypt`: a `$2a$10$` hash; failures come back as text, as in sprig.
pub fn bcrypt_hash(input: &str) -> String {
    if input.len() > 72 {
        return "failed to encrypt string with bcrypt: bcrypt: password length exceeds 72 bytes"
            .into();
    }
    match bcrypt::hash_with_result(input, 10) {
        Ok(h) => h.format_for_version(bcrypt::Version::TwoA),
        Err(e) => format!("failed to encrypt string with bcrypt: {e}"),
    }
}

/// sprig's `htpasswd`.
pub fn htpasswd(user: &str, password: &str) -> String {
    if user.contains(':') {
        return format!("invalid username: {user}");
    }
    format!("{user}:{}", bcrypt_hash(password))
}

type Aes256CbcEnc = cbc::Encryptor<aes::Aes256>;
type Aes256CbcDec = cbc::Decryptor<aes::Aes256>;

/// sprig's key derivation: the password's bytes, zero-padded or truncated to 32.
fn aes_key(password: &str) -> [u8; 32] {
    let mut key = [0u8; 32];
    let n = password.len().min(32);
    key[..n].copy_from_slice(&password.as_bytes()[..n]);
    key
}

/// sprig's `encryptAES`: AES-256-CBC, PKCS#7 padding, random IV prepended, base64.
pub fn encrypt_aes(password: &str, plaintext: &str) -> String {
    if plaintext.is_empty() {
        return String::new();
    }
    let mut iv = [0u8; 16];
    OsRng.fill_bytes(&mut iv);
    let enc = Aes256CbcEnc::new(&aes_key(password).into(), &iv.into());
    let ct = enc.encrypt_padded_vec_mut::<cbc::cipher::block_padding::Pkcs7>(plaintext.as_bytes());
    let mut out = iv.to_vec();
    out.extend(ct);
    STANDARD.encode(out)
}

/// Go's `base64.StdEncoding.DecodeString`: ignores CR/LF, tolerates non-zero trailing bits,
/// reports the offending position like Go (approximately, for malformed padding).
pub fn go_b64_decode(s: &str) -> Result<Vec<u8>, String> {
    let cleaned: String = s.chars().filter(|c| *c != '\r' && *c != '\n').collect();
    let cfg = GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::RequireCanonical);
    let engine = GeneralPurpose::new(&STD_ALPHABET, cfg);
    engine.decode(cleaned.as_bytes()).map_err(|e| {
        let at = match e {
            base64::DecodeError::InvalidByte(i, _)
            | base64::DecodeError::InvalidLastSymbol(i, _) => i,
            base64::DecodeError::InvalidLength(_) | base64::DecodeError::InvalidPadding => {
                cleaned.len() / 4 * 4
            }
        };
        format!("illegal base64 data at input byte {at}")
    })
}

/// sprig's `decryptAES`, including the Go runtime panics Helm reports for short or badly
/// padded input.
pub fn decrypt_aes(password: &str, crypt64: &str) -> Result<String, String> {
    if crypt64.is_empty() {
        return Ok(String::new());
    }
    let data = go_b64_decode(crypt64)?;
    if data.len() < 16 {
        return Err(format!(
            "runtime error: slice bounds out of range [:16] with capacity {}",
            data.len()
        ));
    }
    let (iv, ct) = data.split_at(16);
    if ct.len() % 16 != 0 {
        return Err("crypto/cipher: input not full blocks".into());
    }
    if ct.is_empty() {
        return Err("runtime error: index out of range [-1]".into());
    }
    let mut iv16 = [0u8; 16];
    iv16.copy_from_slice(iv);
    let dec = Aes256CbcDec::new(&aes_key(password).into(), &iv16.into());
    let plain = dec
        .decrypt_padded_vec_mut::<cbc::cipher::block_padding::NoPadding>(ct)
        .map_err(|_| "crypto/cipher: input not full blocks".to_string())?;
    let pad = usize::from(plain.last().copied().unwrap_or(0));
    if pad > plain.len() {
        return Err(format!(
            "runtime error: slice bounds out of range [:{}]",
            plain.len() as i64 - pad as i64
        ));
    }
    // Go returns the bytes as a string even when they are not UTF-8; Rust strings must be.
    Ok(String::from_utf8_lossy(&plain[..plain.len() - pad]).into_owned())
}

/// sprig's `randBytes`: base64 of `count` random bytes.
pub fn rand_bytes(count: i64) -> Result<String, String> {
    if count < 0 {
        return Err("runtime error: makeslice: len out of range".into());
    }
    if count > MAX_RAND_BYTES {
        return Err(format!("randBytes: count {count} exceeds {MAX_RAND_BYTES}"));
    }
    let mut buf = vec![0u8; count as usize];
    OsRng.fill_bytes(&mut buf);
    Ok(STANDARD.encode(buf))
}

/// sprig's `genPrivateKey`: PEM text, or the error as text.
pub fn gen_private_key(kind: &str) -> String {
    match PrivKey::generate(kind) {
        None => format!("Unknown type {kind}"),
        Some(Err(e)) => format!("failed to generate private key: {e}"),
        Some(Ok(k)) => k
            .to_pem()
            .unwrap_or_else(|e| format!("failed to generate private key: {e}")),
    }
}

fn s(a: &[Value], i: usize) -> &str {
    a.get(i).and_then(Value::as_str).unwrap_or("")
}

fn int(a: &[Value], i: usize) -> i64 {
    match a.get(i) {
        Some(Value::Int(n) | Value::Int64(n)) => *n,
        _ => 0,
    }
}

fn list(a: &[Value], i: usize) -> &[Value] {
    a.get(i).and_then(Value::as_list).unwrap_or(&[])
}

fn cert(a: &[Value], i: usize) -> Result<CertObj, String> {
    a.get(i)
        .and_then(CertObj::from_value)
        .unwrap_or_else(|| Err("expected sprig.certificate".into()))
}

/// Registers this group's functions.
pub fn register(m: &mut FuncMap) {
    use Param::{Int, List, String as Str};
    m.add(
        "derivePassword",
        &[Int, Str, Str, Str, Str],
        |_: &mut dyn Runtime, a| {
            // Go's parameter is uint32; template constants are converted, so truncate likewise.
            let counter = int(a, 0) as u32;
            Ok(Value::string(derive_password(
                counter,
                s(a, 1),
                s(a, 2),
                s(a, 3),
                s(a, 4),
            )))
        },
    );
    m.add("genPrivateKey", &[Str], |_: &mut dyn Runtime, a| {
        Ok(Value::string(gen_private_key(s(a, 0))))
    });
    m.add("bcrypt", &[Str], |_: &mut dyn Runtime, a| {
        Ok(Value::string(bcrypt_hash(s(a, 0))))
    });
    m.add("htpasswd", &[Str, Str], |_: &mut dyn Runtime, a| {
        Ok(Value::string(htpasswd(s(a, 0), s(a, 1))))
    });
    m.add("randBytes", &[Int], |_: &mut dyn Runtime, a| {
        rand_bytes(int(a, 0)).map(Value::string)
    });
    m.add("encryptAES", &[Str, Str], |_: &mut dyn Runtime, a| {
        Ok(Value::string(encrypt_aes(s(a, 0), s(a, 1))))
    });
    m.add("decryptAES", &[Str, Str], |_: &mut dyn Runtime, a| {
        decrypt_aes(s(a, 0), s(a, 1)).map(Value::string)
    });
    m.add("buildCustomCert", &[Str, Str], |_: &mut dyn Runtime, a| {
        build_custom(s(a, 0), s(a, 1)).map(CertObj::into_value)
    });
    m.add("genCA", &[Str, Int], |_: &mut dyn Runtime, a| {
        gen_ca(s(a, 0), int(a, 1), None)
    });
    m.add(
        "genCAWithKey",
        &[Str, Int, Str],
        |_: &mut dyn Runtime, a| gen_ca(s(a, 0), int(a, 1), Some(s(a, 2))),
    );
    m.add(
        "genSelfSignedCert",
        &[Str, List, List, Int],
        |_: &mut dyn Runtime, a| gen_self_signed(s(a, 0), list(a, 1), list(a, 2), int(a, 3), None),
    );
    m.add(
        "genSelfSignedCertWithKey",
        &[Str, List, List, Int, Str],
        |_: &mut dyn Runtime, a| {
            gen_self_signed(s(a, 0), list(a, 1), list(a, 2), int(a, 3), Some(s(a, 4)))
        },
    );
    m.add(
        "genSignedCert",
        &[Str, List, List, Int, CERT],
        |_: &mut dyn Runtime, a| {
            gen_signed(
                s(a, 0),
                list(a, 1),
                list(a, 2),
                int(a, 3),
                &cert(a, 4)?,
                None,
            )
        },
    );
    m.add(
        "genSignedCertWithKey",
        &[Str, List, List, Int, CERT, Str],
        |_: &mut dyn Runtime, a| {
            let ca = cert(a, 4)?;
            gen_signed(
                s(a, 0),
                list(a, 1),
                list(a, 2),
                int(a, 3),
                &ca,
                Some(s(a, 5)),
            )
        },
    );
}
