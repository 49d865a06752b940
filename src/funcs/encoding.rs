//! Sprig/Helm functions: encodings and checksums (`b64enc`, `b64dec`, `b32enc`, `b32dec`,
//! `sha1sum`, `sha256sum`, `sha512sum`, `adler32sum`) and `hello`.
//!
//! Decoding errors are returned as the function's *result* (sprig returns `err.Error()`), with
//! Go's wording (`illegal base64 data at input byte 4`).

use super::cast::str_arg;
use crate::template::{FuncMap, Param, Value};
use base64::Engine;
use sha1::Digest;

use Param::String as Str;

/// Registers this group's functions.
pub fn register(m: &mut FuncMap) {
    m.add("hello", &[], |_, _| Ok(Value::str("Hello!")));
    m.add("b64enc", &[Str], |_, a| {
        Ok(Value::string(
            base64::engine::general_purpose::STANDARD.encode(str_arg(a, 0)),
        ))
    });
    m.add("b64dec", &[Str], |_, a| {
        Ok(Value::string(b64dec(str_arg(a, 0))))
    });
    m.add("b32enc", &[Str], |_, a| {
        Ok(Value::string(
            data_encoding::BASE32.encode(str_arg(a, 0).as_bytes()),
        ))
    });
    m.add("b32dec", &[Str], |_, a| {
        Ok(Value::string(b32dec(str_arg(a, 0))))
    });
    m.add("sha1sum", &[Str], |_, a| {
        Ok(Value::string(hex(&sha1::Sha1::digest(str_arg(a, 0)))))
    });
    m.add("sha256sum", &[Str], |_, a| {
        Ok(Value::string(hex(&sha2::Sha256::digest(str_arg(a, 0)))))
    });
    m.add("sha512sum", &[Str], |_, a| {
        Ok(Value::string(hex(&sha2::Sha512::digest(str_arg(a, 0)))))
    });
    m.add("adler32sum", &[Str], |_, a| {
        Ok(Value::string(adler32(str_arg(a, 0).as_bytes()).to_string()))
    });
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `hash/adler32.Checksum`.
fn adler32(data: &[u8]) -> u32 {
    const MOD: u32 = 65521;
    let (mut a, mut b) = (1u32, 0u32);
    for chunk in data.chunks(5552) {
        for &x in chunk {
            a += u32::from(x);
            b += a;
        }
        a %= MOD;
        b %= MOD;
    }
    (b << 16) | a
}

/// Go's `base64.StdEncoding.DecodeString`, returning the error text on failure. Go skips `\r`
/// and `\n` anywhere in the input and reports the offending byte offset of the original text.
fn b64dec(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut clean = Vec::with_capacity(bytes.len());
    let mut positions = Vec::with_capacity(bytes.len());
    for (i, &c) in bytes.iter().enumerate() {
        if c != b'\r' && c != b'\n' {
            clean.push(c);
            positions.push(i);
        }
    }
    match base64::engine::general_purpose::STANDARD.decode(&clean) {
        Ok(out) => String::from_utf8_lossy(&out).into_owned(),
        Err(_) => {
            let at = go_b64_error_offset(&clean);
            let orig = positions.get(at).copied().unwrap_or(bytes.len());
            format!("illegal base64 data at input byte {orig}")
        }
    }
}

/// The offset Go's decoder reports for invalid padded standard base64 (in the cleaned input).
fn go_b64_error_offset(s: &[u8]) -> usize {
    let valid = |c: u8| c.is_ascii_alphanumeric() || c == b'+' || c == b'/';
    let mut i = 0;
    while i < s.len() {
        let quantum = &s[i..s.len().min(i + 4)];
        for (j, &c) in quantum.iter().enumerate() {
            if c == b'=' {
                // Padding is only valid in the last two places of the final quantum.
                if j < 2 {
                    return i + j;
                }
                if j == 2 && quantum.get(3) != Some(&b'=') {
                    // "=" must be followed by a second "=": Go blames the first one, or the
                    // end of input when nothing follows.
                    return if quantum.len() == 3 { s.len() } else { i + j };
                }
                if i + 4 < s.len() {
                    return i + 4;
                }
                return s.len();
            }
            if !valid(c) {
                return i + j;
            }
        }
        if quantum.len() < 4 {
            // A truncated final quantum is reported at its first character.
            return i;
        }
        i += 4;
    }
    s.len()
}

/// Go's `base32.StdEncoding.DecodeString`, returning the error text on failure.
fn b32dec(s: &str) -> String {
    let clean: Vec<u8> = s.bytes().filter(|&c| c != b'\r' && c != b'\n').collect();
    match data_encoding::BASE32.decode(&clean) {
        Ok(out) => String::from_utf8_lossy(&out).into_owned(),
        Err(e) => format!("illegal base32 data at input byte {}", e.position),
    }
}
