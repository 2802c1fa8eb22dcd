//! What to propose among the servers found: pure, so every case is a test.
//!
//! - Implicit TLS before STARTTLS (RFC 8314), the source's order otherwise.
//! - Plain text never, unless the host is this machine (tests, a local bridge).
//! - The guesses when nothing else said: the usual names and ports, tried in this order.

use super::{Auth, Protocol, ServerOffer};
use crate::dto::Security;

/// The best of `offers` for `protocol`, if any may be used.
pub(crate) fn best(offers: &[ServerOffer], protocol: Protocol) -> Option<&ServerOffer> {
    offers
        .iter()
        .filter(|o| o.protocol == protocol)
        .filter(|o| o.security != Security::Plain || satu_net::is_loopback(&o.host))
        .min_by_key(|o| rank(o.security))
}

fn rank(security: Security) -> u8 {
    match security {
        Security::Tls => 0,
        Security::StartTls => 1,
        Security::Plain => 2,
    }
}

/// The servers to try when no source said anything, most likely first.
pub(crate) fn guesses(domain: &str, protocol: Protocol) -> Vec<ServerOffer> {
    let (names, ports): (&[&str], [(u16, Security); 2]) = match protocol {
        Protocol::Imap => (
            &["imap", "mail"],
            [(993, Security::Tls), (143, Security::StartTls)],
        ),
        Protocol::Smtp => (
            &["smtp", "mail"],
            [(465, Security::Tls), (587, Security::StartTls)],
        ),
    };
    let mut out = Vec::new();
    for (port, security) in ports {
        for name in names {
            out.push(ServerOffer {
                protocol,
                host: format!("{name}.{domain}"),
                port,
                security,
                username: None,
                auth: vec![Auth::Password],
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offer(protocol: Protocol, host: &str, security: Security) -> ServerOffer {
        ServerOffer {
            protocol,
            host: host.into(),
            port: 1,
            security,
            username: None,
            auth: vec![Auth::Password],
        }
    }

    #[test]
    fn implicit_tls_wins_and_plain_text_only_on_loopback() {
        let offers = [
            offer(Protocol::Imap, "plain.example.org", Security::Plain),
            offer(Protocol::Imap, "starttls.example.org", Security::StartTls),
            offer(Protocol::Smtp, "smtp.example.org", Security::Tls),
            offer(Protocol::Imap, "tls.example.org", Security::Tls),
        ];
        assert_eq!(
            best(&offers, Protocol::Imap).map(|o| o.host.as_str()),
            Some("tls.example.org")
        );
        assert_eq!(
            best(&offers[..1], Protocol::Imap),
            None,
            "never plain text to another host"
        );
        let local = [offer(Protocol::Imap, "127.0.0.1", Security::Plain)];
        assert!(best(&local, Protocol::Imap).is_some());
        assert_eq!(best(&offers[..2], Protocol::Smtp), None);
    }

    #[test]
    fn the_first_of_equals_is_kept() {
        let offers = [
            offer(Protocol::Imap, "first.example.org", Security::StartTls),
            offer(Protocol::Imap, "second.example.org", Security::StartTls),
        ];
        assert_eq!(
            best(&offers, Protocol::Imap).map(|o| o.host.as_str()),
            Some("first.example.org")
        );
    }

    #[test]
    fn guesses_try_implicit_tls_on_the_usual_names_first() {
        let imap: Vec<(String, u16)> = guesses("example.org", Protocol::Imap)
            .into_iter()
            .map(|o| (o.host, o.port))
            .collect();
        assert_eq!(
            imap,
            [
                ("imap.example.org".into(), 993),
                ("mail.example.org".into(), 993),
                ("imap.example.org".into(), 143),
                ("mail.example.org".into(), 143)
            ]
        );
        assert_eq!(guesses("example.org", Protocol::Smtp)[0].port, 465);
    }
}
