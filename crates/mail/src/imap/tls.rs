//! TLS for mail connections: rustls with the platform's trusted roots, plus an optional extra
//! certificate or CA per account. Certificates are always validated.

use std::path::Path;
use std::sync::Arc;

use tokio_rustls::rustls::{
    self, pki_types::pem::PemObject as _, pki_types::CertificateDer, RootCertStore,
};
use tokio_rustls::TlsConnector;

use super::ImapError;

/// A connector trusting the platform roots and, if given, the certificates in `ca_file`.
pub fn connector(host: &str, ca_file: Option<&Path>) -> Result<TlsConnector, ImapError> {
    let tls_err = |reason: String| ImapError::Tls {
        host: host.to_owned(),
        reason,
    };
    let mut roots = RootCertStore::empty();
    let native = rustls_native_certs::load_native_certs();
    for cert in native.certs {
        // A broken system certificate is skipped, as browsers do.
        let _ = roots.add(cert);
    }
    if let Some(path) = ca_file {
        let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path)
            .map_err(|e| {
                tls_err(format!(
                    "cannot read the certificate file {}: {e}",
                    path.display()
                ))
            })?
            .collect::<Result<_, _>>()
            .map_err(|e| {
                tls_err(format!(
                    "the certificate file {} is not valid PEM: {e}",
                    path.display()
                ))
            })?;
        if certs.is_empty() {
            return Err(tls_err(format!(
                "the certificate file {} holds no certificate",
                path.display()
            )));
        }
        for cert in certs {
            roots.add(cert).map_err(|e| {
                tls_err(format!(
                    "cannot trust the certificate in {}: {e}",
                    path.display()
                ))
            })?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| tls_err(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(TlsConnector::from(Arc::new(config)))
}

/// Turns a failed handshake into [`ImapError::BadCertificate`] or [`ImapError::Tls`].
pub fn classify(host: &str, error: &std::io::Error) -> ImapError {
    let rustls_error = error
        .get_ref()
        .and_then(|e| e.downcast_ref::<rustls::Error>());
    match rustls_error {
        Some(rustls::Error::InvalidCertificate(reason)) => ImapError::BadCertificate {
            host: host.to_owned(),
            reason: format!("{reason:?}"),
        },
        Some(other) => ImapError::Tls {
            host: host.to_owned(),
            reason: other.to_string(),
        },
        None => ImapError::Tls {
            host: host.to_owned(),
            reason: error.to_string(),
        },
    }
}
