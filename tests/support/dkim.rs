//! DKIM keys and signatures made by the tests (mail-auth signs; openssl makes the keys).

use std::path::Path;
use std::process::Command;

/// A fresh Ed25519 key in `dir`: (PKCS#8 DER, the public key in base64 for a DKIM `p=`).
pub fn ed25519_key(dir: &Path, name: &str) -> (Vec<u8>, String) {
    let der = dir.join(format!("{name}.der"));
    let made = Command::new("openssl")
        .args([
            "genpkey",
            "-algorithm",
            "ed25519",
            "-outform",
            "DER",
            "-out",
        ])
        .arg(&der)
        .status()
        .expect("openssl");
    assert!(made.success(), "openssl genpkey");
    let key = std::fs::read(&der).expect("key");
    let public = {
        use base64::Engine as _;
        let signer = mail_auth::common::crypto::Ed25519Key::from_pkcs8_maybe_unchecked_der(&key)
            .expect("the key");
        base64::engine::general_purpose::STANDARD.encode(signer.public_key())
    };
    (key, public)
}

/// `raw` with a DKIM signature of `domain` (key `selector`) over `headers` on top.
pub fn signed(key: &[u8], domain: &str, selector: &str, headers: &[&str], raw: &str) -> String {
    use mail_auth::common::crypto::Ed25519Key;
    use mail_auth::common::headers::HeaderWriter as _;
    let key = Ed25519Key::from_pkcs8_maybe_unchecked_der(key).expect("the key");
    let signature = mail_auth::dkim::DkimSigner::from_key(key)
        .domain(domain)
        .selector(selector)
        .headers(headers.iter().copied())
        .sign(raw.as_bytes())
        .expect("a signature");
    format!("{}{raw}", signature.to_header())
}
