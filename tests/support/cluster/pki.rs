//! Certificates and keys for the test control plane, generated fresh for every server.

use std::fs;
use std::path::{Path, PathBuf};

use rcgen14::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};

/// Paths of the PEM files written by [`write_pki`].
pub struct Pki {
    /// CA that signs the serving and client certificates; trusted by both sides.
    pub ca_cert: PathBuf,
    /// kube-apiserver's serving certificate (127.0.0.1 and localhost).
    pub serving_cert: PathBuf,
    /// Key of the serving certificate.
    pub serving_key: PathBuf,
    /// Admin client certificate: user `rudder-test-admin` in group `system:masters`.
    pub admin_cert: PathBuf,
    /// Key of the admin client certificate.
    pub admin_key: PathBuf,
    /// Service-account token signing key.
    pub service_account_key: PathBuf,
    /// Public half of the service-account key, which verifies the tokens.
    pub service_account_pub: PathBuf,
}

fn write(path: &Path, contents: &str) -> Result<(), String> {
    fs::write(path, contents).map_err(|e| format!("write {}: {e}", path.display()))
}

/// Generates a CA, a serving certificate, an admin client certificate and a service-account
/// key into `dir`.
pub fn write_pki(dir: &Path) -> Result<Pki, String> {
    fn err(what: &'static str) -> impl Fn(rcgen14::Error) -> String {
        move |e| format!("generate {what}: {e}")
    }

    let ca_key = KeyPair::generate().map_err(err("CA key"))?;
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(err("CA"))?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "rudder-test-ca");
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_cert = ca_params.self_signed(&ca_key).map_err(err("CA"))?;
    let ca = Issuer::new(ca_params, ca_key);

    let serving_key = KeyPair::generate().map_err(err("serving key"))?;
    let mut serving = CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".into()])
        .map_err(err("serving certificate"))?;
    serving
        .distinguished_name
        .push(DnType::CommonName, "kube-apiserver");
    serving.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let serving_cert = serving
        .signed_by(&serving_key, &ca)
        .map_err(err("serving certificate"))?;

    // Kubernetes reads the user from CN and the groups from O of a client certificate.
    let admin_key = KeyPair::generate().map_err(err("admin key"))?;
    let mut admin = CertificateParams::new(Vec::<String>::new()).map_err(err("admin cert"))?;
    admin
        .distinguished_name
        .push(DnType::CommonName, "rudder-test-admin");
    admin
        .distinguished_name
        .push(DnType::OrganizationName, "system:masters");
    admin.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    let admin_cert = admin
        .signed_by(&admin_key, &ca)
        .map_err(err("admin certificate"))?;

    let sa_key = KeyPair::generate().map_err(err("service-account key"))?;

    let pki = Pki {
        ca_cert: dir.join("ca.crt"),
        serving_cert: dir.join("apiserver.crt"),
        serving_key: dir.join("apiserver.key"),
        admin_cert: dir.join("admin.crt"),
        admin_key: dir.join("admin.key"),
        service_account_key: dir.join("sa.key"),
        service_account_pub: dir.join("sa.pub"),
    };
    write(&pki.ca_cert, &ca_cert.pem())?;
    write(&pki.serving_cert, &serving_cert.pem())?;
    write(&pki.serving_key, &serving_key.serialize_pem())?;
    write(&pki.admin_cert, &admin_cert.pem())?;
    write(&pki.admin_key, &admin_key.serialize_pem())?;
    write(&pki.service_account_key, &sa_key.serialize_pem())?;
    write(&pki.service_account_pub, &sa_key.public_key_pem())?;
    Ok(pki)
}
