//! # What Satu's network protocols share
//!
//! Every protocol (IMAP, SMTP, CalDAV, Matrix) allows plain text only to loopback
//! ([`is_loopback`]). CalDAV (`satu-caldav`) and Matrix (`satu-matrix`) also reach their servers
//! with `reqwest` under the same rules (feature `http`): the platform's roots plus an optional
//! CA file of the account, and transport failures told apart as certificate problems or an
//! unreachable server. Each protocol crate turns these into its own error type.

#[cfg(feature = "http")]
use std::path::Path;

pub mod auth;
#[cfg(feature = "dns")]
pub mod dns;

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

/// Why an answer's body could not be read whole.
#[cfg(feature = "http")]
#[derive(Debug)]
pub enum BodyError {
    /// Longer than the caller allows (the limit in bytes).
    TooLarge(usize),
    /// The transfer failed.
    Transport(reqwest::Error),
}

/// The body of `response` as text (invalid UTF-8 replaced), refused once it grows past
/// `limit` bytes: a server cannot make Satu hold more than that in memory for one answer.
#[cfg(feature = "http")]
pub async fn text_within(
    mut response: reqwest::Response,
    limit: usize,
) -> Result<String, BodyError> {
    if response.content_length().is_some_and(|n| n > limit as u64) {
        return Err(BodyError::TooLarge(limit));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(BodyError::Transport)? {
        if body.len() + chunk.len() > limit {
            return Err(BodyError::TooLarge(limit));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(match String::from_utf8(body) {
        Ok(text) => text,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    })
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

    #[cfg(feature = "http")]
    #[tokio::test]
    async fn an_answer_past_its_limit_is_refused_with_or_without_a_length() {
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("http://{}/", listener.local_addr().expect("addr"));
        tokio::spawn(async move {
            for with_length in [true, false, false] {
                let Ok((mut stream, _)) = listener.accept().await else {
                    return;
                };
                let mut request = [0u8; 1024];
                let _ = stream.read(&mut request).await;
                let head = if with_length {
                    "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"
                } else {
                    "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n"
                };
                let _ = stream.write_all(head.as_bytes()).await;
                let _ = stream.write_all(&[b'x'; 100]).await;
                let _ = stream.shutdown().await;
            }
        });
        let client = reqwest::Client::new();
        for limit in [10, 10, 1000] {
            let response = client.get(&url).send().await.expect("answer");
            let read = text_within(response, limit).await;
            match limit {
                10 => assert!(matches!(read, Err(BodyError::TooLarge(10))), "{read:?}"),
                _ => assert_eq!(read.expect("read").len(), 100),
            }
        }
    }
}
