//! `List-Unsubscribe` (RFC 2369) and `List-Unsubscribe-Post` (RFC 8058): how a mailing list
//! says it can be left. Parsing only; whether a one-click request may be sent (the DKIM
//! signature must cover both headers) is decided by the caller.

use mail_parser::MessageParser;

/// Longest URL kept.
const MAX_URL: usize = 2048;

/// The ways a message offers to leave its list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListUnsubscribe {
    /// The first `https:` URL (a web page, or the one-click endpoint with [`Self::one_click`]).
    pub https: Option<String>,
    /// The first `mailto:` URL.
    pub mailto: Option<String>,
    /// `List-Unsubscribe-Post: List-Unsubscribe=One-Click` is present (RFC 8058).
    pub one_click: bool,
}

impl ListUnsubscribe {
    /// Whether the message offers any way out.
    pub fn any(&self) -> bool {
        self.https.is_some() || self.mailto.is_some()
    }
}

/// The URLs of a `List-Unsubscribe` value: each in angle brackets, comma separated (folding
/// and comments tolerated; anything but `https:` and `mailto:` ignored, `http:` too).
pub fn urls(value: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = value;
    while let Some(open) = rest.find('<') {
        let Some(close) = rest[open..].find('>') else {
            break;
        };
        let url: String = rest[open + 1..open + close]
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        rest = &rest[open + close + 1..];
        let lower = url.to_ascii_lowercase();
        if url.len() <= MAX_URL && (lower.starts_with("https://") || lower.starts_with("mailto:")) {
            found.push(url);
        }
    }
    found
}

/// What the message's headers offer (`None` when it has no `List-Unsubscribe`).
pub fn list_unsubscribe(raw: &[u8]) -> Option<ListUnsubscribe> {
    let message = MessageParser::default().parse_headers(raw)?;
    let value = message.header_raw("List-Unsubscribe")?;
    let urls = urls(value);
    let post = message
        .header_raw("List-Unsubscribe-Post")
        .map(|v| v.trim().eq_ignore_ascii_case("List-Unsubscribe=One-Click"))
        .unwrap_or(false);
    let https = urls
        .iter()
        .find(|u| u.to_ascii_lowercase().starts_with("https://"))
        .cloned();
    let found = ListUnsubscribe {
        one_click: post && https.is_some(),
        https,
        mailto: urls
            .iter()
            .find(|u| u.to_ascii_lowercase().starts_with("mailto:"))
            .cloned(),
    };
    found.any().then_some(found)
}

#[cfg(test)]
mod tests {
    use super::{list_unsubscribe, urls, ListUnsubscribe};

    #[test]
    fn the_header_gives_its_https_and_mailto_urls() {
        assert_eq!(
            urls("<mailto:leave@lists.example.org?subject=unsubscribe>,\r\n <https://example.org/u/123>"),
            ["mailto:leave@lists.example.org?subject=unsubscribe", "https://example.org/u/123"]
        );
        // Other schemes (plain http included) and broken brackets are ignored.
        assert_eq!(
            urls("<http://example.org/u>, <javascript:x>, <ftp://x>, <https://a.example/"),
            Vec::<String>::new()
        );
        assert_eq!(
            urls("(comment) <https://a.example/u?x=1&y=2>"),
            ["https://a.example/u?x=1&y=2"]
        );
        assert_eq!(
            urls(&format!("<https://a.example/{}>", "x".repeat(3000))),
            Vec::<String>::new()
        );
    }

    #[test]
    fn one_click_needs_the_post_header_and_an_https_url() {
        let mail =
            |headers: &str| format!("From: a@example.org\r\n{headers}Subject: s\r\n\r\nbody\r\n");
        assert_eq!(
            list_unsubscribe(mail("List-Unsubscribe: <https://e.example/u>, <mailto:u@e.example>\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n").as_bytes()),
            Some(ListUnsubscribe {
                https: Some("https://e.example/u".into()),
                mailto: Some("mailto:u@e.example".into()),
                one_click: true
            })
        );
        let no_post =
            list_unsubscribe(mail("List-Unsubscribe: <https://e.example/u>\r\n").as_bytes());
        assert_eq!(no_post.map(|l| l.one_click), Some(false));
        let mailto_only = list_unsubscribe(
            mail("List-Unsubscribe: <mailto:u@e.example>\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n").as_bytes(),
        );
        assert_eq!(mailto_only.map(|l| l.one_click), Some(false));
        assert_eq!(list_unsubscribe(mail("").as_bytes()), None);
        assert_eq!(
            list_unsubscribe(mail("List-Unsubscribe: <http://e.example/u>\r\n").as_bytes()),
            None
        );
    }
}
