//! Where a mail entered the user's provider, and which `Authentication-Results` the provider
//! itself wrote: pure readings of the header block, top (newest) first.
//!
//! A sender can write any header, but only *below* the ones the receiving provider adds on
//! top. So the provider's own hops are read from the top down: a `Received` header without a
//! `from` address, or one whose `from` is a private or loopback address or one of the
//! provider's own hosts, is a hop inside the provider; the first one from anywhere else is where
//! the mail entered, and its address is what SPF is checked for. The provider's hosts are those
//! sharing the base domain (the last two labels, three under a two-letter country's `co.`,
//! `com.` … zone) of the top hop's `by` host or of the account's server.
//!
//! An `Authentication-Results` header is trusted only when it sits above that entry hop (so
//! the provider wrote it) and its `authserv-id` is one of the provider's hosts.

use std::net::IpAddr;

/// The hop where the mail entered the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    /// The connecting client's address.
    pub ip: IpAddr,
    /// The name it greeted with (`HELO`/`EHLO`), '' when the header does not say.
    pub helo: String,
    /// The provider's host that took it.
    pub by: String,
    /// Its place among the headers (0 = top).
    pub index: usize,
}

/// One result of a trusted `Authentication-Results` header (`dkim=pass header.d=…`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ProviderResult {
    /// `dkim`, `spf`, `dmarc`, `arc`.
    pub method: String,
    /// `pass`, `fail`, `softfail`, `none`, …
    pub result: String,
    /// The properties (`header.d`, `header.s`, `smtp.mailfrom`, `header.from`, `policy.…`),
    /// and a `p=…` comment as `policy`.
    pub props: Vec<(String, String)>,
}

impl ProviderResult {
    pub fn prop(&self, name: &str) -> Option<&str> {
        self.props
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What the provider said, with its `authserv-id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ProviderResults {
    pub authserv_id: String,
    pub results: Vec<ProviderResult>,
}

/// The base domain of a host name (see the module).
pub(crate) fn base_domain(host: &str) -> String {
    let host = host.trim().trim_end_matches('.').to_ascii_lowercase();
    let labels: Vec<&str> = host.split('.').filter(|l| !l.is_empty()).collect();
    let n = labels.len();
    let keep = if n >= 3
        && labels[n - 1].len() == 2
        && matches!(
            labels[n - 2],
            "co" | "com" | "net" | "org" | "gov" | "edu" | "ac" | "or" | "ne" | "go" | "in"
        ) {
        3
    } else {
        2
    };
    labels[n.saturating_sub(keep)..].join(".")
}

/// Whether `host` is one of the provider's (shares a base domain in `bases`).
fn provider_host(host: &str, bases: &[String]) -> bool {
    !host.is_empty() && bases.iter().any(|b| base_domain(host) == *b)
}

/// The parts of a `Received` header: the `from` name, the address in its comment, the `by`
/// host.
fn parse_received(value: &str) -> (String, Option<IpAddr>, String) {
    let text = value.split(';').next().unwrap_or_default();
    let words: Vec<&str> = text.split_whitespace().collect();
    let after = |keyword: &str| {
        words
            .iter()
            .position(|w| w.eq_ignore_ascii_case(keyword))
            .and_then(|i| words.get(i + 1))
            .map(|w| w.trim_matches(|c| c == '(' || c == ')').to_owned())
    };
    let by = after("by").unwrap_or_default();
    let from = after("from").unwrap_or_default();
    // The address: the first bracketed literal in the `from` clause (up to `by`), else a bare
    // address there.
    let from_clause = match (
        text.to_ascii_lowercase().find("from "),
        text.to_ascii_lowercase().find(" by "),
    ) {
        (Some(f), Some(b)) if b > f => &text[f..b],
        (Some(f), None) => &text[f..],
        _ => "",
    };
    let ip = from_clause
        .split(['[', ']', '(', ')', ' '])
        .filter(|w| !w.is_empty())
        .map(|w| w.trim_start_matches("IPv6:").trim_start_matches("ipv6:"))
        .find_map(|w| w.parse::<IpAddr>().ok());
    let helo = from.trim_matches(|c| c == '[' || c == ']').to_owned();
    (helo, ip, by.trim_end_matches('.').to_owned())
}

/// Whether an address is inside a network, not on the internet.
fn internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || (o[0] == 100 && (64..128).contains(&o[1]))
        }
        IpAddr::V6(v6) => {
            let s = v6.segments();
            v6.is_loopback()
                || v6.is_unspecified()
                || (s[0] & 0xfe00) == 0xfc00
                || (s[0] & 0xffc0) == 0xfe80
        }
    }
}

/// The provider's base domains: the account's server's, and the `by` hosts of the hops down to
/// the first one from a public address (the provider wrote those; anything below could be the
/// sender's).
pub(crate) fn provider_bases(headers: &[(String, String)], server_host: &str) -> Vec<String> {
    let mut bases = Vec::new();
    let mut add = |host: &str| {
        if !host.is_empty() && host.parse::<IpAddr>().is_err() {
            let base = base_domain(host);
            if !bases.contains(&base) {
                bases.push(base);
            }
        }
    };
    for (name, value) in headers {
        if !name.eq_ignore_ascii_case("Received") {
            continue;
        }
        let (_, ip, by) = parse_received(value);
        add(&by);
        if ip.is_some_and(|ip| !internal(ip)) {
            break;
        }
    }
    add(server_host);
    bases
}

/// The entry hop (see the module); `None` when no hop came from outside.
pub(crate) fn entry(headers: &[(String, String)], bases: &[String]) -> Option<Entry> {
    for (index, (name, value)) in headers.iter().enumerate() {
        if !name.eq_ignore_ascii_case("Received") {
            continue;
        }
        let (helo, ip, by) = parse_received(value);
        let Some(ip) = ip else { continue };
        if internal(ip) || provider_host(&helo, bases) {
            continue;
        }
        return Some(Entry {
            ip,
            helo,
            by,
            index,
        });
    }
    None
}

/// The `Authentication-Results` the provider wrote: above `entry` (or anywhere above the first
/// `Received` when there is no entry hop) and with one of its hosts as `authserv-id`.
pub(crate) fn provider_results(
    headers: &[(String, String)],
    bases: &[String],
    entry: Option<&Entry>,
) -> Option<ProviderResults> {
    let limit = entry.map(|e| e.index).unwrap_or_else(|| {
        headers
            .iter()
            .position(|(n, _)| n.eq_ignore_ascii_case("Received"))
            .unwrap_or(0)
    });
    headers[..limit.min(headers.len())]
        .iter()
        .filter(|(name, _)| name.eq_ignore_ascii_case("Authentication-Results"))
        .map(|(_, value)| parse_authentication_results(value))
        .find(|r| provider_host(&r.authserv_id, bases))
}

/// Drops RFC 5322 comments (nested), keeping a `p=…`/`policy=…` one's text apart.
fn strip_comments(value: &str) -> (String, Vec<String>) {
    let mut out = String::new();
    let mut comments = Vec::new();
    let mut depth = 0;
    let mut current = String::new();
    for c in value.chars() {
        match c {
            '(' => {
                depth += 1;
                if depth == 1 {
                    current.clear();
                }
            }
            ')' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    comments.push(current.clone());
                    out.push(' ');
                }
            }
            _ if depth > 0 => current.push(c),
            _ => out.push(c),
        }
    }
    (out, comments)
}

/// An `Authentication-Results` value (RFC 8601), read leniently.
pub(crate) fn parse_authentication_results(value: &str) -> ProviderResults {
    let mut parts = value.split(';');
    let (id, _) = strip_comments(parts.next().unwrap_or_default());
    let authserv_id = id.split_whitespace().next().unwrap_or_default().to_owned();
    let mut results = Vec::new();
    for part in parts {
        let (text, comments) = strip_comments(part);
        let mut words = text.split_whitespace();
        let Some((method, result)) = words.next().and_then(|w| w.split_once('=')) else {
            continue;
        };
        let mut props: Vec<(String, String)> = words
            .filter_map(|w| w.split_once('='))
            .map(|(k, v)| (k.to_ascii_lowercase(), v.trim_matches('"').to_owned()))
            .collect();
        for comment in comments {
            for word in comment.split_whitespace() {
                if let Some(p) = word.strip_prefix("p=").or_else(|| word.strip_prefix("P=")) {
                    props.push((
                        "policy".into(),
                        p.trim_end_matches(',').to_ascii_lowercase(),
                    ));
                }
            }
        }
        results.push(ProviderResult {
            method: method.trim().to_ascii_lowercase(),
            result: result.trim().to_ascii_lowercase(),
            props,
        });
    }
    ProviderResults {
        authserv_id,
        results,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(text: &str) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        for line in text.lines() {
            if line.starts_with([' ', '\t']) {
                if let Some(last) = out.last_mut() {
                    last.1.push(' ');
                    last.1.push_str(line.trim());
                }
            } else if let Some((n, v)) = line.split_once(':') {
                out.push((n.to_owned(), v.trim().to_owned()));
            }
        }
        out
    }

    const GMAIL: &str = "\
Received: by 2002:a05:7300:5c8f:b0:1a0:1234:5678 with SMTP id abc;
        Mon, 7 Dec 2026 01:02:03 -0800 (PST)
Authentication-Results: mx.google.com;
       dkim=pass header.i=@news.example header.s=s1 header.b=abc;
       spf=pass (google.com: domain of bounce@news.example designates 209.85.220.41 as permitted sender) smtp.mailfrom=bounce@news.example;
       dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=news.example
Received: from mail-sor-f41.news.example (mail-sor-f41.news.example. [209.85.220.41])
        by mx.google.com with SMTPS id x;
        Mon, 7 Dec 2026 01:02:03 -0800 (PST)
Authentication-Results: mx.google.com; dmarc=pass header.from=paypal.com
Received: from internal (10.0.0.5) by smtp.news.example; Mon, 7 Dec 2026
From: News <hello@news.example>
";

    #[test]
    fn the_entry_is_the_first_hop_from_outside_the_provider() {
        let h = headers(GMAIL);
        let bases = provider_bases(&h, "imap.gmail.com");
        assert_eq!(bases, ["google.com", "gmail.com"]);
        let entry = entry(&h, &bases).expect("an entry hop");
        assert_eq!(entry.ip, "209.85.220.41".parse::<IpAddr>().expect("ip"));
        assert_eq!(entry.helo, "mail-sor-f41.news.example");
        assert_eq!(entry.by, "mx.google.com");
        assert_eq!(entry.index, 2);
    }

    #[test]
    fn only_the_providers_own_results_above_the_entry_are_trusted() {
        let h = headers(GMAIL);
        let bases = provider_bases(&h, "imap.gmail.com");
        let e = entry(&h, &bases);
        let r = provider_results(&h, &bases, e.as_ref()).expect("trusted results");
        assert_eq!(r.authserv_id, "mx.google.com");
        let methods: Vec<_> = r
            .results
            .iter()
            .map(|x| (x.method.as_str(), x.result.as_str()))
            .collect();
        assert_eq!(
            methods,
            [("dkim", "pass"), ("spf", "pass"), ("dmarc", "pass")]
        );
        assert_eq!(r.results[2].prop("policy"), Some("reject"));
        assert_eq!(r.results[2].prop("header.from"), Some("news.example"));
        assert_eq!(r.results[0].prop("header.s"), Some("s1"));
        // The sender's own forged header below the entry ("dmarc=pass header.from=paypal.com")
        // is never read, nor one at the top from another authserv-id.
        let forged = headers(
            "Authentication-Results: evil.example; dmarc=pass header.from=paypal.com\n\
             Received: from a.example (a.example [192.0.2.1]) by mx.provider.test; x\n",
        );
        let bases = provider_bases(&forged, "imap.provider.test");
        assert!(provider_results(&forged, &bases, entry(&forged, &bases).as_ref()).is_none());
    }

    #[test]
    fn internal_hops_and_the_providers_own_machines_are_skipped() {
        // Microsoft 365: hops between its own machines (public IPv6), then the sender.
        let h = headers(
            "Received: from DM6PR11MB1234.namprd11.prod.outlook.com (2603:10b6:5:1::1) by BN8PR11MB5678.namprd11.prod.outlook.com with HTTPS; x\n\
             Received: from mail.sender.test (192.0.2.77) by BN8NAM11FT.mail.protection.outlook.com (10.13.177.1) with ESMTPS; x\n",
        );
        let bases = provider_bases(&h, "outlook.office365.com");
        let e = entry(&h, &bases).expect("entry");
        assert_eq!(e.ip.to_string(), "192.0.2.77");
        assert_eq!(e.helo, "mail.sender.test");
        // A local hop first (the test SMTP server on loopback), then the crafted outside hop.
        let h = headers(
            "Received: from [127.0.0.1] (localhost [127.0.0.1]) by satu-test-smtp; x\n\
             Received: from mail.good.test (mail.good.test [IPv6:2001:db8::10]) by mx.satu.test; x\n",
        );
        let e = entry(&h, &provider_bases(&h, "127.0.0.1")).expect("entry");
        assert_eq!(e.ip.to_string(), "2001:db8::10");
        // Nothing from outside: no entry.
        let h = headers("Received: from [127.0.0.1] by localhost; x\n");
        assert!(entry(&h, &provider_bases(&h, "")).is_none());
    }

    #[test]
    fn base_domains_keep_country_zones() {
        assert_eq!(base_domain("mx1.mail.example.com."), "example.com");
        assert_eq!(base_domain("smtp.syarikat.com.my"), "syarikat.com.my");
        assert_eq!(base_domain("mx.example.co.uk"), "example.co.uk");
        assert_eq!(base_domain("localhost"), "localhost");
        assert_eq!(base_domain("mx.example.de"), "example.de");
    }
}
