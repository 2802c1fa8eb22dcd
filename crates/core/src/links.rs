//! Links clicked in mail: which ones Satu follows, and how. Only `http`, `https` and `mailto`
//! are followed, always in the system's browser (or mail handler), never inside the app. A link
//! whose host is written in punycode (a look-alike such as `xn--pypal-4ve.com` for "pаypal.com"
//! with a Cyrillic "а") or that hides its host behind a user name (`https://bank.com@evil.example`)
//! is opened only after the user has seen the real host and confirmed.

use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ApiResult, ErrorCode};

/// What to do with a clicked link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum LinkDecision {
    /// Open it in the system's browser (or mail handler).
    Open {
        /// The link.
        url: String,
    },
    /// Ask first: the host is not what it seems.
    Confirm {
        /// The link.
        url: String,
        /// The host as it is in the link (punycode).
        host: String,
        /// The host as it reads (Unicode), when it differs.
        shown_host: String,
        /// Why: `punycode` or `userinfo`.
        #[ts(type = "'punycode' | 'userinfo'")]
        reason: String,
    },
    /// Never followed (`javascript:`, `file:`, `data:`, …).
    Refuse {
        /// The link.
        url: String,
        /// Its scheme.
        scheme: String,
    },
}

/// Decides what to do with `url` (pure).
pub fn classify(url: &str) -> LinkDecision {
    let refuse = |scheme: &str| LinkDecision::Refuse {
        url: url.to_owned(),
        scheme: scheme.to_owned(),
    };
    let Ok(parsed) = url::Url::parse(url.trim()) else {
        return refuse("");
    };
    match parsed.scheme() {
        "mailto" => {
            // A mail handler may attach a local file named in the link (`attach=`,
            // `attachment=`): those parameters never leave here.
            let mut parsed = parsed;
            let kept: Vec<(String, String)> = parsed
                .query_pairs()
                .filter(|(k, _)| !k.to_ascii_lowercase().starts_with("attach"))
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
            if kept.is_empty() {
                parsed.set_query(None);
            } else {
                parsed.query_pairs_mut().clear().extend_pairs(kept);
            }
            LinkDecision::Open {
                url: parsed.to_string(),
            }
        }
        "http" | "https" => {
            let host = parsed.host_str().unwrap_or_default().to_owned();
            let (shown_host, _) = idna::domain_to_unicode(&host);
            let reason = if host.split('.').any(|label| label.starts_with("xn--")) {
                Some("punycode")
            } else if !parsed.username().is_empty() || parsed.password().is_some() {
                Some("userinfo")
            } else {
                None
            };
            match reason {
                Some(reason) => LinkDecision::Confirm {
                    url: parsed.to_string(),
                    host,
                    shown_host,
                    reason: reason.to_owned(),
                },
                None => LinkDecision::Open {
                    url: parsed.to_string(),
                },
            }
        }
        other => refuse(other),
    }
}

/// File name endings of programs and scripts: an attachment like that is never opened from the
/// mail (it would run), only saved.
const PROGRAMS: &[&str] = &[
    "app", "apk", "appimage", "bash", "bat", "bin", "cmd", "com", "command", "cpl", "deb",
    "desktop", "dmg", "exe", "hta", "jar", "js", "jse", "lnk", "msc", "msi", "msp", "pif", "pkg",
    "pl", "ps1", "py", "reg", "rpm", "run", "scr", "sh", "vb", "vbe", "vbs", "ws", "wsf", "zsh",
];

/// Whether an attachment called `name` of type `mime_type` is a program or script.
pub fn is_program(name: &str, mime_type: &str) -> bool {
    let ext = name
        .rsplit_once('.')
        .map(|(_, ext)| ext.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let mime = mime_type.to_ascii_lowercase();
    PROGRAMS.contains(&ext.as_str())
        || mime.contains("executable")
        || mime.contains("x-msdownload")
        || mime.contains("x-sh")
        || mime.contains("java-archive")
        || mime == "application/x-desktop"
}

/// Hands `url` to the system (browser or mail handler). With `SATU_OPEN_LINKS_LOG` set (tests),
/// appends it to that file instead.
pub(crate) fn open_in_system(url: &str) -> Result<(), ApiError> {
    if let Some(log) = std::env::var_os("SATU_OPEN_LINKS_LOG") {
        use std::io::Write as _;
        let written = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .and_then(|mut f| writeln!(f, "{url}"));
        return written.map_err(|e| {
            ApiError::new(
                ErrorCode::Internal,
                format!("Cannot record the link in {}: {e}", log.to_string_lossy()),
            )
        });
    }
    open::that_detached(url).map_err(|e| {
        ApiError::new(
            ErrorCode::Internal,
            format!("Cannot open the link in the system's browser: {e}"),
        )
    })
}

/// A link clicked in mail: opened in the system's browser (or mail handler) when it is an
/// ordinary `http`, `https` or `mailto` link, or a look-alike one the user `confirmed`;
/// returned unopened when it needs confirming; refused when it is anything else. Never
/// opened inside the app.
pub(crate) fn open(url: &str, confirmed: bool) -> ApiResult<LinkDecision> {
    let decision = classify(url);
    match &decision {
        LinkDecision::Open { url } => open_in_system(url)?,
        LinkDecision::Confirm { url, .. } if confirmed => open_in_system(url)?,
        LinkDecision::Confirm { host, .. } => {
            tracing::info!(%host, "A look-alike link waits for the user's confirmation.");
        }
        LinkDecision::Refuse { scheme, .. } => {
            tracing::warn!(%scheme, "A link that Satu does not follow was clicked.");
        }
    }
    Ok(decision)
}

#[cfg(test)]
mod tests {
    use super::{classify, LinkDecision};

    fn action(url: &str) -> String {
        match classify(url) {
            LinkDecision::Open { .. } => "open".into(),
            LinkDecision::Confirm { reason, .. } => format!("confirm {reason}"),
            LinkDecision::Refuse { scheme, .. } => format!("refuse {scheme}"),
        }
    }

    #[test]
    fn programs_are_recognised_by_name_or_type() {
        use super::is_program;
        for (name, mime) in [
            ("setup.exe", "application/octet-stream"),
            ("Invoice.PDF.js", "text/plain"),
            ("run.sh", "text/plain"),
            ("thing", "application/x-msdownload"),
            ("x.desktop", "application/octet-stream"),
        ] {
            assert!(is_program(name, mime), "{name} {mime}");
        }
        for (name, mime) in [
            ("report.pdf", "application/pdf"),
            ("photo.jpg", "image/jpeg"),
            ("notes", "text/plain"),
        ] {
            assert!(!is_program(name, mime), "{name} {mime}");
        }
    }

    #[test]
    fn only_web_and_mail_links_are_followed() {
        assert_eq!(action("https://example.com/a?b=c#d"), "open");
        assert_eq!(action("HTTP://Example.com"), "open");
        assert_eq!(action("mailto:someone@example.com?subject=Hi"), "open");
        let opened = |url: &str| match classify(url) {
            LinkDecision::Open { url } => url,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            opened("mailto:a@example.com?subject=Hi&attach=/etc/passwd&Attachment=~/.ssh/id_rsa"),
            "mailto:a@example.com?subject=Hi"
        );
        assert_eq!(
            opened("mailto:a@example.com?attach=%2Fetc%2Fpasswd"),
            "mailto:a@example.com"
        );
        assert_eq!(action("javascript:alert(1)"), "refuse javascript");
        assert_eq!(action(" JavaScript:alert(1)"), "refuse javascript");
        assert_eq!(action("file:///etc/passwd"), "refuse file");
        assert_eq!(action("data:text/html,<script>1</script>"), "refuse data");
        assert_eq!(action("tauri://localhost/"), "refuse tauri");
        assert_eq!(action("ftp://example.com"), "refuse ftp");
        assert_eq!(action("not a url"), "refuse ");
    }

    #[test]
    fn look_alike_hosts_and_hidden_hosts_are_confirmed() {
        // "pаypal.com" with a Cyrillic а, written in punycode by the sender or by the parser.
        for url in [
            "https://xn--pypal-4ve.com/login",
            "https://pаypal.com/login",
        ] {
            match classify(url) {
                LinkDecision::Confirm {
                    host,
                    shown_host,
                    reason,
                    ..
                } => {
                    assert_eq!(host, "xn--pypal-4ve.com");
                    assert_eq!(shown_host, "pаypal.com");
                    assert_eq!(reason, "punycode");
                }
                other => panic!("{url}: {other:?}"),
            }
        }
        assert_eq!(
            action("https://www.bank.example@evil.example/"),
            "confirm userinfo"
        );
        assert_eq!(action("https://münchen.example/"), "confirm punycode");
    }
}
