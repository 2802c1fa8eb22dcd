//! Where the calendar and task server of a domain is (RFC 6764): the `_caldavs._tcp` SRV record
//! with the context path its TXT record names, else `https://DOMAIN/.well-known/caldav`. Pure;
//! the lookups are `mod.rs`'s. Plain-text `_caldav._tcp` is never proposed.

use super::srv::SrvRecord;

/// The SRV (and TXT) name for CalDAV over TLS.
pub(crate) const SERVICE: &str = "_caldavs._tcp";

/// The context path a TXT record's `path=` names, if a usable one (absolute, printable).
pub(crate) fn context_path(txt: &[String]) -> Option<String> {
    txt.iter()
        .find_map(|t| t.strip_prefix("path="))
        .map(str::trim)
        .filter(|p| {
            p.starts_with('/') && p.len() <= 1024 && p.chars().all(|c| c.is_ascii_graphic())
        })
        .map(str::to_owned)
}

/// The URL the SRV answers (and TXT path) give, if any: lowest priority, heaviest weight, as for
/// mail; `.` says there is no such service.
pub(crate) fn url_from_srv(records: &[SrvRecord], txt: &[String]) -> Option<String> {
    let server = super::srv::choose(records, super::Protocol::Imap, crate::dto::Security::Tls)?;
    let path = context_path(txt).unwrap_or_else(|| "/.well-known/caldav".to_owned());
    Some(if server.port == 443 {
        format!("https://{}{path}", server.host)
    } else {
        format!("https://{}:{}{path}", server.host, server.port)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn srv(port: u16, target: &str) -> SrvRecord {
        SrvRecord {
            priority: 0,
            weight: 0,
            port,
            target: target.into(),
        }
    }

    #[test]
    fn the_srv_target_and_txt_path_make_the_url() {
        assert_eq!(
            url_from_srv(&[srv(443, "dav.example.org")], &["path=/dav/".into()]).as_deref(),
            Some("https://dav.example.org/dav/")
        );
        assert_eq!(
            url_from_srv(&[srv(8443, "dav.example.org")], &[]).as_deref(),
            Some("https://dav.example.org:8443/.well-known/caldav")
        );
        assert_eq!(url_from_srv(&[srv(0, "")], &[]), None, "a dot: no service");
    }

    #[test]
    fn only_absolute_printable_paths_are_taken() {
        assert_eq!(
            context_path(&["other=1".into(), "path=/cal".into()]).as_deref(),
            Some("/cal")
        );
        assert_eq!(context_path(&["path=relative".into()]), None);
        assert_eq!(context_path(&["path=/a b".into()]), None);
        assert_eq!(context_path(&[]), None);
    }
}
