//! Microsoft's Autodiscover v2 (JSON), asked only for a domain whose mail Microsoft hosts (its
//! MX is `*.mail.protection.outlook.com`): it says whether the mailbox is in Microsoft 365, and
//! then the servers are Microsoft's, with OAuth2 (Microsoft refuses passwords for IMAP/SMTP).
//! Pure; the lookup is `mod.rs`'s. Asking Microsoft about other domains would tell it of
//! addresses that are none of its business, so it never happens.

use super::{Auth, Protocol, ServerOffer};
use crate::dto::Security;

/// Where Autodiscover v2 is asked (`SATU_AUTODISCOVER_URL` replaces it; the address follows).
pub(crate) const URL: &str = "https://outlook.office365.com/autodiscover/autodiscover.json/v1.0/";

/// Whether an MX host is Microsoft's mail protection (a Microsoft 365 domain).
pub(crate) fn is_microsoft_mx(host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    host.ends_with(".mail.protection.outlook.com") || host.ends_with(".mail.eo.outlook.com")
}

/// Microsoft 365's servers when the answer says the mailbox is there (its `Url` on
/// `outlook.office365.com`), for the login `email`.
pub(crate) fn microsoft_365(answer: &str, email: &str) -> Option<Vec<ServerOffer>> {
    if answer.len() > 64 * 1024 {
        return None;
    }
    let json: serde_json::Value = serde_json::from_str(answer).ok()?;
    let url = url::Url::parse(json.get("Url")?.as_str()?).ok()?;
    if url.scheme() != "https" || url.host_str()? != "outlook.office365.com" {
        return None;
    }
    let server = |protocol, host: &str, port, security| ServerOffer {
        protocol,
        host: host.to_owned(),
        port,
        security,
        username: Some(email.to_owned()),
        auth: vec![Auth::OAuth2],
    };
    Some(vec![
        server(Protocol::Imap, "outlook.office365.com", 993, Security::Tls),
        server(
            Protocol::Smtp,
            "smtp.office365.com",
            587,
            Security::StartTls,
        ),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_microsoft_365_mailbox_gets_microsofts_servers_with_oauth2() {
        let answer = r#"{"Protocol":"AutodiscoverV1","Url":"https://outlook.office365.com/autodiscover/autodiscover.xml"}"#;
        let offers = microsoft_365(answer, "ana@contoso.example").expect("Microsoft 365");
        assert_eq!(offers[0].host, "outlook.office365.com");
        assert_eq!(
            (offers[1].port, offers[1].security),
            (587, Security::StartTls)
        );
        assert!(offers.iter().all(|o| o.auth == [Auth::OAuth2]));
        assert_eq!(offers[0].username.as_deref(), Some("ana@contoso.example"));
    }

    #[test]
    fn anything_else_is_not_an_answer() {
        for answer in [
            "",
            "<html>",
            "[]",
            r#"{"Protocol":"AutodiscoverV1"}"#,
            r#"{"Url": 5}"#,
            r#"{"Url":"https://mail.contoso.example/autodiscover/autodiscover.xml"}"#,
            r#"{"Url":"http://outlook.office365.com/autodiscover/autodiscover.xml"}"#,
            r#"{"Url":"https://outlook.office365.com.evil.example/x"}"#,
        ] {
            assert_eq!(microsoft_365(answer, "a@b.example"), None, "{answer}");
        }
        assert_eq!(microsoft_365(&" ".repeat(70_000), "a@b.example"), None);
    }

    #[test]
    fn microsoft_mx_hosts() {
        assert!(is_microsoft_mx(
            "contoso-example.mail.protection.outlook.com."
        ));
        assert!(!is_microsoft_mx("aspmx.l.google.com"));
        assert!(!is_microsoft_mx("mail.protection.outlook.com.evil.example"));
    }
}
