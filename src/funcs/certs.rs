//! sprig's certificate functions: `genCA`, `genCAWithKey`, `genSelfSignedCert`,
//! `genSelfSignedCertWithKey`, `genSignedCert`, `genSignedCertWithKey`, `buildCustomCert`.
//!
//! Certificates follow sprig's template: a random 128-bit serial, subject `CN=<cn>`, validity
//! from now for `days` days, KeyUsage KeyEncipherment|DigitalSignature (+CertSign for CAs),
//! ExtKeyUsage ServerAuth+ClientAuth, basic constraints (CA:TRUE for CAs), SANs from the IP and
//! DNS lists; RSA keys are 2048 bits; signatures SHA256-RSA / ECDSA-SHA256 / Ed25519 as Go picks.

use super::crypto::go_b64_decode;
use super::keys::{parse_private_key_pem, PemBlock, PrivKey};
use crate::template::{Map, Member, Object, Value};
use rand::rngs::OsRng;
use rand::RngCore;
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, DnValue,
    ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose, SanType, SerialNumber,
};
use std::any::Any;
use std::net::IpAddr;
use std::sync::Arc;

/// sprig's `certificate` struct: PEM `Cert` and `Key`.
#[derive(Debug, Clone, Default)]
pub struct CertObj {
    /// PEM certificate.
    pub cert: String,
    /// PEM private key.
    pub key: String,
}

impl CertObj {
    /// Wraps into a template value.
    pub fn into_value(self) -> Value {
        Value::Object(Arc::new(self))
    }

    /// Extracts a certificate object from a template value.
    pub fn from_value(v: &Value) -> Option<CertObj> {
        match v {
            Value::Object(o) => o.as_any().downcast_ref::<CertObj>().cloned(),
            _ => None,
        }
    }
}

impl Object for CertObj {
    fn type_name(&self) -> &str {
        "sprig.certificate"
    }
    fn member(&self, name: &str) -> Option<Member> {
        match name {
            "Cert" => Some(Member::Field(Value::str(&self.cert))),
            "Key" => Some(Member::Field(Value::str(&self.key))),
            _ => None,
        }
    }
    fn format(&self) -> String {
        format!("{{{} {}}}", self.cert, self.key)
    }
    fn to_data(&self) -> Value {
        let mut m = Map::new();
        m.insert("Cert".into(), Value::str(&self.cert));
        m.insert("Key".into(), Value::str(&self.key));
        Value::map(m)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// sprig's `getNetIPs`.
fn net_ips(ips: &[Value]) -> Result<Vec<IpAddr>, String> {
    ips.iter()
        .map(|ip| match ip {
            Value::String(s) => s
                .parse::<IpAddr>()
                .map_err(|_| format!("error parsing ip: {s}")),
            other => Err(format!(
                "error parsing ip: {} is not a string",
                crate::template::format::fmt_v(other)
            )),
        })
        .collect()
}

/// sprig's `getAlternateDNSStrs`.
fn dns_names(names: &[Value]) -> Result<Vec<String>, String> {
    names
        .iter()
        .map(|n| match n {
            Value::String(s) => Ok(s.to_string()),
            other => Err(format!(
                "error processing alternate dns name: {} is not a string",
                crate::template::format::fmt_v(other)
            )),
        })
        .collect()
}

/// Go's `asn1` picks PrintableString when every character allows it, else UTF8String.
fn dn_value(s: &str) -> DnValue {
    let printable = s
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b" '()+,-./:=?".contains(&b));
    match (printable, rcgen::PrintableString::try_from(s)) {
        (true, Ok(p)) => DnValue::PrintableString(p),
        _ => DnValue::Utf8String(s.to_string()),
    }
}

/// sprig's `getBaseCertTemplate`.
fn base_template(
    cn: &str,
    ips: &[Value],
    dns: &[Value],
    days: i64,
) -> Result<CertificateParams, String> {
    let ips = net_ips(ips)?;
    let dns = dns_names(dns)?;
    let mut p = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    if !cn.is_empty() {
        dn.push(DnType::CommonName, dn_value(cn));
    }
    p.distinguished_name = dn;
    let mut serial = [0u8; 16];
    OsRng.fill_bytes(&mut serial);
    let trimmed: Vec<u8> = serial.iter().copied().skip_while(|b| *b == 0).collect();
    // A DER INTEGER is signed; keep the serial positive as Go's big.Int encoding does.
    let mut bytes = if trimmed.first().is_some_and(|b| b & 0x80 != 0) {
        vec![0]
    } else {
        Vec::new()
    };
    bytes.extend(if trimmed.is_empty() { vec![0] } else { trimmed });
    p.serial_number = Some(SerialNumber::from_slice(&bytes));
    let now = time::OffsetDateTime::now_utc();
    p.not_before = now;
    let secs = days.saturating_mul(86_400).clamp(-(1 << 40), 1 << 40);
    p.not_after = now
        .checked_add(time::Duration::seconds(secs))
        .unwrap_or(now);
    p.key_usages = vec![
        KeyUsagePurpose::KeyEncipherment,
        KeyUsagePurpose::DigitalSignature,
    ];
    p.extended_key_usages = vec![
        ExtendedKeyUsagePurpose::ServerAuth,
        ExtendedKeyUsagePurpose::ClientAuth,
    ];
    p.is_ca = IsCa::ExplicitNoCa;
    for ip in ips {
        p.subject_alt_names.push(SanType::IpAddress(ip));
    }
    for d in dns {
        let ia5 = rcgen::Ia5String::try_from(d.as_str()).map_err(|_| {
            format!("error creating certificate: x509: {d:?} cannot be encoded as an IA5String")
        })?;
        p.subject_alt_names.push(SanType::DnsName(ia5));
    }
    Ok(p)
}

/// An RSA signer for rcgen backed by the `rsa` crate (ring refuses keys under 2048 bits, which
/// Go accepts), signing SHA256-RSA PKCS#1 v1.5 as Go does for RSA keys.
struct RsaSigner {
    key: rsa::pkcs1v15::SigningKey<sha2::Sha256>,
    public: Vec<u8>,
}

impl rcgen::RemoteKeyPair for RsaSigner {
    fn public_key(&self) -> &[u8] {
        &self.public
    }
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, rcgen::Error> {
        use rsa::signature::{SignatureEncoding, Signer};
        self.key
            .try_sign(msg)
            .map(|s| s.to_vec())
            .map_err(|_| rcgen::Error::RemoteKeyError)
    }
    fn algorithm(&self) -> &'static rcgen::SignatureAlgorithm {
        &rcgen::PKCS_RSA_SHA256
    }
}

fn key_pair(k: &PrivKey) -> Result<KeyPair, String> {
    let err = |e: &dyn std::fmt::Display| format!("error creating certificate: {e}");
    if let PrivKey::Rsa(rsa_key) = k {
        use rsa::pkcs1::EncodeRsaPublicKey;
        let public = rsa_key
            .to_public_key()
            .to_pkcs1_der()
            .map_err(|e| err(&e))?
            .into_vec();
        let key = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new((**rsa_key).clone());
        return KeyPair::from_remote(Box::new(RsaSigner { key, public })).map_err(|e| err(&e));
    }
    let der = k.to_pkcs8_der().map_err(|e| err(&e))?;
    let alg = match k {
        PrivKey::Ec384(_) => &rcgen::PKCS_ECDSA_P384_SHA384,
        PrivKey::Ed(_) => &rcgen::PKCS_ED25519,
        _ => &rcgen::PKCS_ECDSA_P256_SHA256,
    };
    let der = rustls_pki_types::PrivatePkcs8KeyDer::from(der);
    KeyPair::from_pkcs8_der_and_sign_algo(&der, alg).map_err(|e| err(&e))
}

/// Signs `params` for `subject_key` with the issuer (itself when `issuer` is `None`).
fn sign(
    params: CertificateParams,
    subject_key: &PrivKey,
    issuer: Option<(&str, &PrivKey)>,
) -> Result<CertObj, String> {
    let key_pem = subject_key.to_pem()?;
    let cert_pem = match issuer {
        None => {
            let kp = key_pair(subject_key)?;
            params
                .self_signed(&kp)
                .map_err(|e| format!("error creating certificate: {e}"))?
                .pem()
        }
        Some((ca_pem, ca_key)) => {
            let ca_kp = key_pair(ca_key)?;
            if matches!(subject_key, PrivKey::Dsa(_)) {
                return Err(
                    "error creating certificate: x509: unsupported public key type: *dsa.PublicKey"
                        .into(),
                );
            }
            let subject_kp = key_pair(subject_key)?;
            let mut ca_params = CertificateParams::from_ca_cert_pem(ca_pem)
                .map_err(|e| format!("error parsing certificate: {e}"))?;
            // Rebuild the issuer with the CA's own key so its name and key id are reused.
            ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
            let issuer_cert = ca_params
                .self_signed(&ca_kp)
                .map_err(|e| format!("error creating certificate: {e}"))?;
            let mut params = params;
            params.use_authority_key_identifier_extension = true;
            params
                .signed_by(&subject_kp, &issuer_cert, &ca_kp)
                .map_err(|e| format!("error creating certificate: {e}"))?
                .pem()
        }
    };
    Ok(CertObj {
        cert: normalise_pem(&cert_pem),
        key: key_pem,
    })
}

/// Go's PEM encoder writes `\n` line ends and a trailing newline; keep that exact shape.
fn normalise_pem(s: &str) -> String {
    let mut out = s.replace("\r\n", "\n");
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// `genCA` / `genCAWithKey`.
pub fn gen_ca(cn: &str, days: i64, key: Option<&str>) -> Result<CertObj, String> {
    let k = match key {
        Some(pem) => parse_private_key_pem(pem).map_err(|e| format!("parsing private key: {e}"))?,
        None => PrivKey::generate_rsa(2048)?,
    };
    let mut p = base_template(cn, &[], &[], days)?;
    p.key_usages.push(KeyUsagePurpose::KeyCertSign);
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    sign(p, &k, None)
}

/// `genSelfSignedCert` / `genSelfSignedCertWithKey`.
pub fn gen_self_signed(
    cn: &str,
    ips: &[Value],
    dns: &[Value],
    days: i64,
    key: Option<&str>,
) -> Result<CertObj, String> {
    let k = match key {
        Some(pem) => parse_private_key_pem(pem).map_err(|e| format!("parsing private key: {e}"))?,
        None => PrivKey::generate_rsa(2048)?,
    };
    let p = base_template(cn, ips, dns, days)?;
    sign(p, &k, None)
}

/// Checks a CA certificate PEM the way sprig does (decode, parse) and guards rcgen's parser
/// against names it would panic on.
fn check_ca_cert(pem: &str) -> Result<(), String> {
    let block: PemBlock = super::keys::pem_decode(pem).ok_or("unable to decode certificate")?;
    let (_, cert) = x509_parser::parse_x509_certificate(&block.der)
        .map_err(|e| format!("error parsing certificate: decodedSignerCert.Bytes: x509: {e}"))?;
    if cert.subject().iter().any(|rdn| rdn.iter().count() != 1) {
        return Err("error parsing certificate: unsupported multi-valued or empty RDN".into());
    }
    Ok(())
}

/// `genSignedCert` / `genSignedCertWithKey`.
pub fn gen_signed(
    cn: &str,
    ips: &[Value],
    dns: &[Value],
    days: i64,
    ca: &CertObj,
    key: Option<&str>,
) -> Result<CertObj, String> {
    let k = match key {
        Some(pem) => parse_private_key_pem(pem).map_err(|e| format!("parsing private key: {e}"))?,
        None => PrivKey::generate_rsa(2048)?,
    };
    check_ca_cert(&ca.cert)?;
    let ca_key =
        parse_private_key_pem(&ca.key).map_err(|e| format!("error parsing private key: {e}"))?;
    let p = base_template(cn, ips, dns, days)?;
    sign(p, &k, Some((&ca.cert, &ca_key)))
}

/// `buildCustomCert b64cert b64key`.
pub fn build_custom(b64cert: &str, b64key: &str) -> Result<CertObj, String> {
    let cert = go_b64_decode(b64cert).map_err(|_| "unable to decode base64 certificate")?;
    let key = go_b64_decode(b64key).map_err(|_| "unable to decode base64 private key")?;
    let cert = String::from_utf8_lossy(&cert).into_owned();
    let key = String::from_utf8_lossy(&key).into_owned();
    let block = super::keys::pem_decode(&cert).ok_or("unable to decode certificate")?;
    x509_parser::parse_x509_certificate(&block.der)
        .map_err(|e| format!("error parsing certificate: decodedCert.Bytes: x509: {e}"))?;
    parse_private_key_pem(&key).map_err(|e| format!("error parsing private key: {e}"))?;
    Ok(CertObj { cert, key })
}
