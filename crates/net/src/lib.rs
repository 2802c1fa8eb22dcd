//! # What Satu's network protocols share
//!
//! Every protocol (IMAP, SMTP, CalDAV, Matrix) allows plain text only to loopback
//! ([`is_loopback`]). CalDAV (`satu-caldav`) and Matrix (`satu-matrix`) also reach their servers
//! with `reqwest` under the same rules (feature `http`): the platform's roots plus an optional
//! CA file of the account, and transport failures told apart as certificate problems or an
//! unreachable server. Each protocol crate turns these into its own error type.

use std::path::Path;

/// Whether `host` is `localhost` or a loopback IP address (`[::1]` too): the only hosts plain
/// text is allowed to.
pub fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(feature = "http")]
/// The certificates of a PEM file, or why they cannot be used (to show the user).
pub fn load_ca(path: &Path) -> Result<Vec<reqwest::Certificate>, String> {
    let pem = std::fs::read(path)
        .map_err(|e| format!("cannot read the certificate file {}: {e}", path.display()))?;
    let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
        format!(
            "the certificate file {} is not valid PEM: {e}",
            path.display()
        )
    })?;
    if certs.is_empty() {
        return Err(format!(
            "the certificate file {} holds no certificate",
            path.display()
        ));
    }
    Ok(certs)
}

#[cfg(feature = "http")]
/// What went wrong below HTTP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transport {
    /// The certificate is not trusted or does not match (the reason, with its causes).
    Certificate(String),
    /// No connection or no answer in time (the reason, with its causes).
    Unreachable(String),
}

#[cfg(feature = "http")]
/// Classifies a `reqwest` failure, its whole chain of causes in the reason.
pub fn transport(e: &reqwest::Error) -> Transport {
    let mut reason = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        reason.push_str(": ");
        reason.push_str(&s.to_string());
        source = s.source();
    }
    if reason.contains("certificate")
        || reason.contains("UnknownIssuer")
        || reason.contains("NotValidForName")
    {
        Transport::Certificate(reason)
    } else {
        Transport::Unreachable(reason)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts() {
        for host in [
            "localhost",
            "LOCALHOST",
            "127.0.0.1",
            "127.3.4.5",
            "[::1]",
            "::1",
        ] {
            assert!(is_loopback(host), "{host}");
        }
        for host in [
            "example.org",
            "10.0.0.1",
            "192.168.1.1",
            "0.0.0.0",
            "localhost.example.org",
            "",
        ] {
            assert!(!is_loopback(host), "{host}");
        }
    }

    #[cfg(feature = "http")]
    #[test]
    fn a_missing_or_empty_ca_file_says_why() {
        let dir = std::env::temp_dir().join(format!("satu-net-{}", std::process::id()));
        std::fs::create_dir_all(&dir).ok();
        let missing = load_ca(&dir.join("nope.pem")).expect_err("missing");
        assert!(missing.contains("cannot read"), "{missing}");
        let empty = dir.join("empty.pem");
        std::fs::write(&empty, "").ok();
        assert!(load_ca(&empty)
            .expect_err("empty")
            .contains("no certificate"));
        std::fs::remove_dir_all(&dir).ok();
    }
}
