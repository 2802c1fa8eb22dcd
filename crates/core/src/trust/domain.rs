//! `satu domain check`: what a domain's DNS and mail exchangers say about its mail, against the
//! advice administrators are given. [`gather`] asks (DNS through the core's resolver, each MX
//! host on port 25, the MTA-STS policy over HTTPS); [`findings`] is pure: each finding has a
//! severity and, where something is to be published, the exact record.
//!
//! - MX: present, each host resolvable and reachable, offering STARTTLS with a certificate valid
//!   for its name; TTL ≤ 3600 s (< 600 s when a change is planned, `--mx-change`).
//! - SPF: one record, parsed, ≤ 10 DNS lookups (includes followed), ending `-all` (`~all` is
//!   fine while rolling out; `?all`/`+all` let anyone send).
//! - DKIM: a key at each selector asked (and the common ones), its size (RSA ≥ 1024, better
//!   2048; Ed25519 fine), revoked keys (`p=` empty) named.
//! - DMARC: policy (`none` only monitors), `rua` (reports), `pct` below 100.
//! - MTA-STS (TXT `_mta-sts` + the policy file) and TLS-RPT (TXT `_smtp._tls`).
//! - A provider's verification TXT when asked (`--verify-txt`), DNSSEC (DNSKEY published).

use std::path::Path;
use std::time::Duration;

use crate::dto;

use crate::health::diagnose::{DKIM_SELECTORS, MX_TTL_FOR_CHANGES, TTL_MAX};

/// How long each step of an MX probe may take.
const MX_TIMEOUT: Duration = Duration::from_secs(10);

/// The most DNS lookups an SPF check may make (RFC 7208 4.6.4).
const SPF_LOOKUP_LIMIT: u32 = 10;

/// What the check asks for.
#[derive(Debug, Clone, Default)]
pub(crate) struct Ask {
    pub domain: String,
    /// Selectors to look for besides the common ones.
    pub selectors: Vec<String>,
    /// A provider's verification TXT that must be published (`MS=ms12345`).
    pub verify_txt: Option<String>,
    /// An MX change is planned: MX TTLs should be under 600 s.
    pub mx_change: bool,
}

/// One MX host as probed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MxHost {
    pub host: String,
    pub ttl: u32,
    /// `Err`: it does not resolve, or the probe failed (why).
    pub probe: Result<satu_mail::mx::MxProbe, String>,
}

/// What [`gather`] found; a lookup that failed is `Err` with why.
#[derive(Debug, Clone)]
pub(crate) struct Records {
    pub mx: Result<Vec<MxHost>, String>,
    pub root_txt: Result<Vec<(String, u32)>, String>,
    /// SPF's DNS lookups counted through includes and redirects (when there is one record).
    pub spf_lookups: Option<Result<u32, String>>,
    /// Per selector: its TXT records.
    pub dkim: Vec<(String, Vec<(String, u32)>)>,
    pub dmarc_txt: Result<Vec<(String, u32)>, String>,
    pub mta_sts_txt: Result<Vec<(String, u32)>, String>,
    /// The policy file, when the TXT says there is one.
    pub mta_sts_policy: Option<Result<String, String>>,
    pub tls_rpt_txt: Result<Vec<(String, u32)>, String>,
    /// DNSKEY records published at the domain.
    pub dnssec: Result<bool, String>,
}

fn finding(
    area: &str,
    severity: &str,
    title: String,
    fix: &str,
    record: Option<String>,
    ttl: Option<u32>,
) -> dto::DomainFinding {
    dto::DomainFinding {
        area: area.to_owned(),
        severity: severity.to_owned(),
        title,
        fix: fix.to_owned(),
        record,
        ttl,
    }
}

/// The TXT records that start with `prefix` (case aside).
fn starting<'a>(txt: &'a [(String, u32)], prefix: &str) -> Vec<&'a (String, u32)> {
    txt.iter()
        .filter(|(t, _)| t.trim_start().to_ascii_lowercase().starts_with(prefix))
        .collect()
}

/// The value of `tag=` in a `;`-separated record (DMARC, DKIM, MTA-STS).
pub(crate) fn tag<'a>(record: &'a str, name: &str) -> Option<&'a str> {
    record.split(';').find_map(|part| {
        let (k, v) = part.split_once('=')?;
        k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

/// The size in bits of an RSA public key given as DER (SubjectPublicKeyInfo or PKCS#1).
pub(crate) fn rsa_bits(der: &[u8]) -> Option<u32> {
    /// One DER element at the start of `input`: (tag, content, rest).
    fn element(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
        let (&tag, rest) = input.split_first()?;
        let (&first, rest) = rest.split_first()?;
        let (len, rest) = if first < 0x80 {
            (usize::from(first), rest)
        } else {
            let n = usize::from(first & 0x7f);
            if n == 0 || n > 4 || rest.len() < n {
                return None;
            }
            let len = rest[..n]
                .iter()
                .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
            (len, &rest[n..])
        };
        (rest.len() >= len).then(|| (tag, &rest[..len], &rest[len..]))
    }
    fn modulus_bits(rsa_public_key: &[u8]) -> Option<u32> {
        let (0x30, body, _) = element(rsa_public_key)? else {
            return None;
        };
        let (0x02, n, _) = element(body)? else {
            return None;
        };
        let n: Vec<u8> = n.iter().copied().skip_while(|b| *b == 0).collect();
        let first = *n.first()?;
        Some((n.len() as u32 - 1) * 8 + (8 - first.leading_zeros()))
    }
    let (0x30, body, _) = element(der)? else {
        return None;
    };
    match element(body)? {
        // SubjectPublicKeyInfo: the algorithm, then the key in a BIT STRING.
        (0x30, _, rest) => {
            let (0x03, bits, _) = element(rest)? else {
                return None;
            };
            modulus_bits(bits.get(1..)?)
        }
        // PKCS#1 RSAPublicKey: the modulus first.
        (0x02, _, _) => modulus_bits(der),
        _ => None,
    }
}

/// The findings (see the module), in the order MX, SPF, DKIM, DMARC, MTA-STS, TLS-RPT,
/// verification, DNSSEC.
pub(crate) fn findings(ask: &Ask, r: &Records) -> Vec<dto::DomainFinding> {
    let domain = ask.domain.as_str();
    let mut out = Vec::new();
    let ttl_advice = |ttl: u32, what: &str| -> Option<String> {
        (ttl > TTL_MAX).then(|| format!("Lower the {what} TTL to 3600 s or less, so that a change takes effect within the hour."))
    };
    // MX.
    match &r.mx {
        Err(e) => out.push(finding(
            "mx",
            "bad",
            format!("The MX records of {domain} cannot be read: {e}"),
            "Check the domain's DNS servers.",
            None,
            None,
        )),
        Ok(hosts) if hosts.is_empty() => out.push(finding(
            "mx",
            "bad",
            format!("{domain} has no MX record: mail to it has nowhere to go."),
            "Publish the MX records the mail provider gives.",
            Some(format!("{domain}. 3600 IN MX 10 mx.<your provider>.")),
            None,
        )),
        Ok(hosts) => {
            for mx in hosts {
                let host = &mx.host;
                let (severity, title, fix) = match &mx.probe {
                    Err(e) => ("bad", format!("MX {host} cannot be reached: {e}."), "Check the host name in the MX record, and that the server takes connections on port 25 from the internet. Many home and office networks block outgoing port 25: if the other checks pass, try again from another network.".to_owned()),
                    Ok(p) if !p.starttls => ("warning", format!("MX {host} answers ({}) but offers no STARTTLS: mail to it travels unencrypted.", p.greeting), "Turn on STARTTLS on the mail server with a certificate for its name.".to_owned()),
                    Ok(satu_mail::mx::MxProbe { tls: Some(Err(e)), .. }) => ("warning", format!("MX {host} offers STARTTLS, but its TLS fails: {e}."), format!("Give the server a valid certificate for {host} (senders enforcing MTA-STS or DANE will refuse it).")),
                    Ok(_) => ("good", format!("MX {host} answers, with STARTTLS and a valid certificate for its name."), String::new()),
                };
                out.push(finding("mx", severity, title, &fix, None, Some(mx.ttl)));
            }
            let ttl = hosts.iter().map(|h| h.ttl).max().unwrap_or(0);
            if ask.mx_change && ttl >= MX_TTL_FOR_CHANGES {
                out.push(finding("mx", "warning", format!("The MX TTL is {ttl} s: a change would take that long to reach every cache."), "Lower the MX TTL under 600 s now, wait one old TTL, then change the records.", Some(format!("{domain}. 300 IN MX …")), Some(ttl)));
            } else if let Some(fix) = ttl_advice(ttl, "MX records'") {
                out.push(finding(
                    "mx",
                    "warning",
                    format!("The MX TTL is {ttl} s."),
                    &fix,
                    None,
                    Some(ttl),
                ));
            }
        }
    }
    // SPF.
    match &r.root_txt {
        Err(e) => out.push(finding(
            "spf",
            "bad",
            format!("The TXT records of {domain} cannot be read: {e}"),
            "Check the domain's DNS servers.",
            None,
            None,
        )),
        Ok(txt) => {
            let spf = starting(txt, "v=spf1");
            let publish = format!(
                "{domain}. 3600 IN TXT \"v=spf1 include:<your provider's SPF domain> -all\""
            );
            match spf.as_slice() {
                [] => out.push(finding("spf", "warning", format!("{domain} publishes no SPF record: receivers cannot tell which servers may send its mail."), "Publish one SPF record naming the servers that send the domain's mail, ending -all.", Some(publish), None)),
                [(text, ttl)] => {
                    let all = text.split_whitespace().last().unwrap_or("").to_ascii_lowercase();
                    let parsed = <mail_auth::spf::Spf as mail_auth::common::parse::TxtRecordParser>::parse(text.as_bytes());
                    if let Err(e) = parsed {
                        out.push(finding("spf", "bad", format!("The SPF record does not parse ({e}): {text}"), "Fix its syntax (RFC 7208); receivers treat it as a permanent error.", Some(publish), Some(*ttl)));
                    } else {
                        let (severity, fix) = match all.as_str() {
                            "-all" => ("good", ""),
                            "~all" => ("info", "~all (softfail) is right while rolling out; move to -all once every sending server is listed."),
                            "?all" | "+all" | "all" => ("bad", "End the record with -all: ?all and +all let anyone send as the domain."),
                            _ if all.starts_with("redirect=") => ("good", ""),
                            _ => ("warning", "End the record with -all (or ~all while rolling out)."),
                        };
                        out.push(finding("spf", severity, format!("SPF: {text}"), fix, None, Some(*ttl)));
                        match &r.spf_lookups {
                            Some(Ok(n)) if *n > SPF_LOOKUP_LIMIT => out.push(finding("spf", "bad", format!("SPF needs {n} DNS lookups; receivers stop at {SPF_LOOKUP_LIMIT} and fail it (permerror)."), "Flatten includes or drop unused ones until it needs 10 or fewer.", None, None)),
                            Some(Ok(n)) => out.push(finding("spf", "good", format!("SPF needs {n} DNS lookups (at most {SPF_LOOKUP_LIMIT})."), "", None, None)),
                            Some(Err(e)) => out.push(finding("spf", "warning", format!("SPF's includes cannot all be followed: {e}"), "Check every include: and redirect= names an SPF record.", None, None)),
                            None => {}
                        }
                        if let Some(fix) = ttl_advice(*ttl, "SPF record's") {
                            out.push(finding("spf", "warning", format!("The SPF TTL is {ttl} s."), &fix, None, Some(*ttl)));
                        }
                    }
                }
                many => out.push(finding("spf", "bad", format!("{domain} publishes {} SPF records: receivers treat that as an error (permerror).", many.len()), "Merge them into one TXT record starting with v=spf1.", Some(publish), None)),
            }
        }
    }
    // DKIM.
    let mut any_key = false;
    for (selector, txt) in &r.dkim {
        let name = format!("{selector}._domainkey.{domain}");
        let Some((text, ttl)) = txt.iter().find(|(t, _)| tag(t, "p").is_some()) else {
            if ask.selectors.contains(selector) {
                out.push(finding(
                    "dkim",
                    "bad",
                    format!("No DKIM key at {name}."),
                    "Publish the key the mail provider gives for this selector.",
                    Some(format!(
                        "{name}. 3600 IN TXT \"v=DKIM1; k=rsa; p=<public key>\""
                    )),
                    None,
                ));
            }
            continue;
        };
        any_key = true;
        let key = tag(text, "p").unwrap_or("");
        let kind = tag(text, "k").unwrap_or("rsa").to_ascii_lowercase();
        if key.is_empty() {
            out.push(finding(
                "dkim",
                "info",
                format!("The DKIM key {selector} is revoked (empty p=)."),
                "",
                None,
                Some(*ttl),
            ));
            continue;
        }
        let (severity, title, fix) = if kind == "ed25519" {
            (
                "good",
                format!("DKIM key {selector}: Ed25519."),
                String::new(),
            )
        } else {
            use base64::Engine as _;
            let der =
                base64::engine::general_purpose::STANDARD.decode(key.replace([' ', '\t'], ""));
            match der.ok().as_deref().and_then(rsa_bits) {
                None => ("bad", format!("The DKIM key {selector} cannot be read (p= is not an RSA key)."), "Publish the key again exactly as the provider gives it.".to_owned()),
                Some(bits) if bits < 1024 => ("bad", format!("DKIM key {selector}: RSA {bits} bits, which receivers refuse."), "Make a 2048-bit key and publish it under a new selector.".to_owned()),
                Some(bits) if bits < 2048 => ("warning", format!("DKIM key {selector}: RSA {bits} bits."), "Prefer 2048 bits: make a new key under a new selector, sign with it, then revoke this one.".to_owned()),
                Some(bits) => ("good", format!("DKIM key {selector}: RSA {bits} bits."), String::new()),
            }
        };
        out.push(finding("dkim", severity, title, &fix, None, Some(*ttl)));
        if let Some(fix) = ttl_advice(*ttl, "DKIM record's") {
            out.push(finding(
                "dkim",
                "warning",
                format!("The DKIM {selector} TTL is {ttl} s."),
                &fix,
                None,
                Some(*ttl),
            ));
        }
    }
    if !any_key && ask.selectors.is_empty() {
        out.push(finding("dkim", "warning", format!("No DKIM key found for {domain} at the common selectors ({}).", DKIM_SELECTORS.join(", ")), "Turn on DKIM signing at the mail provider and publish its key; if it uses its own selector, ask with --dkim-selector (a sent mail's DKIM-Signature s= tag names it).", None, None));
    }
    // DMARC.
    let dmarc_name = format!("_dmarc.{domain}");
    match &r.dmarc_txt {
        Err(e) => out.push(finding("dmarc", "bad", format!("The DMARC record cannot be read: {e}"), "Check the domain's DNS servers.", None, None)),
        Ok(txt) => match starting(txt, "v=dmarc1").first() {
            None => out.push(finding("dmarc", "warning", format!("{domain} publishes no DMARC policy: mail forged in its name is not refused."), "Publish a DMARC record with p=none and rua reports, read them, then move to p=quarantine or p=reject.", Some(format!("{dmarc_name}. 3600 IN TXT \"v=DMARC1; p=none; rua=mailto:dmarc@{domain}\"")), None)),
            Some((text, ttl)) => {
                let policy = tag(text, "p").unwrap_or("").to_ascii_lowercase();
                let (severity, fix) = match policy.as_str() {
                    "reject" | "quarantine" => ("good", ""),
                    "none" => ("warning", "p=none only watches: once the reports show all the domain's mail passes, move to p=quarantine, then p=reject."),
                    _ => ("bad", "The record has no valid p= policy: write p=none, p=quarantine or p=reject."),
                };
                out.push(finding("dmarc", severity, format!("DMARC: {text}"), fix, None, Some(*ttl)));
                if tag(text, "rua").is_none_or(str::is_empty) {
                    out.push(finding("dmarc", "warning", "DMARC asks for no reports (no rua=): nobody learns who sends in the domain's name.".into(), "Add rua=mailto: an address that collects the aggregate reports.", Some(format!("{dmarc_name}. 3600 IN TXT \"{}; rua=mailto:dmarc@{domain}\"", text.trim_end_matches(';'))), Some(*ttl)));
                }
                if let Some(pct) = tag(text, "pct").and_then(|p| p.parse::<u32>().ok()).filter(|p| *p < 100) {
                    out.push(finding("dmarc", "info", format!("DMARC applies its policy to {pct} % of failing mail."), "Raise pct to 100 once the reports are clean.", None, Some(*ttl)));
                }
                if let Some(fix) = ttl_advice(*ttl, "DMARC record's") {
                    out.push(finding("dmarc", "warning", format!("The DMARC TTL is {ttl} s."), &fix, None, Some(*ttl)));
                }
            }
        },
    }
    // MTA-STS.
    let sts_name = format!("_mta-sts.{domain}");
    match &r.mta_sts_txt {
        Err(e) => out.push(finding("mta-sts", "warning", format!("The MTA-STS record cannot be read: {e}"), "", None, None)),
        Ok(txt) => match starting(txt, "v=stsv1").first() {
            None => out.push(finding("mta-sts", "info", format!("{domain} publishes no MTA-STS policy: senders may deliver to it without TLS when an attacker strips it."), "Publish a policy file at https://mta-sts.DOMAIN/.well-known/mta-sts.txt (mode: testing, then enforce) and this TXT record.", Some(format!("{sts_name}. 3600 IN TXT \"v=STSv1; id=20260101000000\"")), None)),
            Some((_, ttl)) => match &r.mta_sts_policy {
                Some(Ok(policy)) => {
                    let field = |name: &str| -> Vec<String> {
                        policy.lines().filter_map(|l| l.split_once(':')).filter(|(k, _)| k.trim().eq_ignore_ascii_case(name)).map(|(_, v)| v.trim().to_owned()).collect()
                    };
                    let mode = field("mode").first().cloned().unwrap_or_default().to_ascii_lowercase();
                    let patterns = field("mx");
                    let uncovered: Vec<&str> = match &r.mx {
                        Ok(hosts) => hosts.iter().map(|h| h.host.as_str()).filter(|h| !patterns.iter().any(|p| mx_matches(p, h))).collect(),
                        Err(_) => Vec::new(),
                    };
                    if field("version").first().map(String::as_str) != Some("STSv1") {
                        out.push(finding("mta-sts", "bad", "The MTA-STS policy file does not start with version: STSv1.".into(), "Write the policy as RFC 8461 section 3.2 says.", None, Some(*ttl)));
                    } else if !uncovered.is_empty() {
                        out.push(finding("mta-sts", "bad", format!("The MTA-STS policy does not name the MX {}: senders enforcing it will refuse to deliver there.", uncovered.join(", ")), "Add an mx: line for each MX host to the policy file, and change the id in the TXT record.", None, Some(*ttl)));
                    } else if mode == "enforce" {
                        out.push(finding("mta-sts", "good", "MTA-STS is enforced for every MX.".into(), "", None, Some(*ttl)));
                    } else {
                        out.push(finding("mta-sts", "info", format!("MTA-STS is published in mode {mode}."), "Move to mode: enforce once the TLS reports are clean.", None, Some(*ttl)));
                    }
                }
                Some(Err(e)) => out.push(finding("mta-sts", "bad", format!("The MTA-STS record is published, but its policy file cannot be fetched: {e}."), "Serve the policy at https://mta-sts.DOMAIN/.well-known/mta-sts.txt with a valid certificate, or remove the TXT record.", None, Some(*ttl))),
                None => {}
            },
        },
    }
    // TLS-RPT.
    match &r.tls_rpt_txt {
        Ok(txt) if !starting(txt, "v=tlsrptv1").is_empty() => out.push(finding(
            "tls-rpt",
            "good",
            "TLS reports are asked for (TLS-RPT).".into(),
            "",
            None,
            starting(txt, "v=tlsrptv1").first().map(|(_, t)| *t),
        )),
        Ok(_) => out.push(finding(
            "tls-rpt",
            "info",
            "No TLS-RPT record: senders do not report failed TLS deliveries.".into(),
            "Publish a TLS-RPT record with an address that collects the reports.",
            Some(format!(
                "_smtp._tls.{domain}. 3600 IN TXT \"v=TLSRPTv1; rua=mailto:tls-reports@{domain}\""
            )),
            None,
        )),
        Err(e) => out.push(finding(
            "tls-rpt",
            "warning",
            format!("The TLS-RPT record cannot be read: {e}"),
            "",
            None,
            None,
        )),
    }
    // A provider's verification record.
    if let (Some(wanted), Ok(txt)) = (&ask.verify_txt, &r.root_txt) {
        match txt.iter().find(|(t, _)| t.trim() == wanted.trim()) {
            Some((_, ttl)) => out.push(finding(
                "verification",
                "good",
                format!("The verification record {wanted} is published."),
                "",
                None,
                Some(*ttl),
            )),
            None => out.push(finding(
                "verification",
                "bad",
                format!("The verification record {wanted} is not published."),
                "Publish it exactly as the provider gives it.",
                Some(format!("{domain}. 3600 IN TXT \"{wanted}\"")),
                None,
            )),
        }
    }
    // DNSSEC.
    match &r.dnssec {
        Ok(true) => out.push(finding(
            "dnssec",
            "good",
            format!("{domain} is signed (DNSSEC keys published)."),
            "",
            None,
            None,
        )),
        Ok(false) => out.push(finding(
            "dnssec",
            "info",
            format!(
                "{domain} is not signed (no DNSSEC keys): its records could be forged on the way."
            ),
            "Turn on DNSSEC at the DNS provider and publish the DS record at the registrar.",
            None,
            None,
        )),
        Err(e) => out.push(finding(
            "dnssec",
            "info",
            format!("Whether {domain} is signed cannot be told: {e}"),
            "",
            None,
            None,
        )),
    }
    out
}

/// Whether an MTA-STS `mx:` pattern (`mail.example.com`, `*.example.com`) covers `host`.
pub(crate) fn mx_matches(pattern: &str, host: &str) -> bool {
    let (pattern, host) = (
        pattern.trim().trim_end_matches('.').to_ascii_lowercase(),
        host.trim_end_matches('.').to_ascii_lowercase(),
    );
    match pattern.strip_prefix("*.") {
        // A wildcard covers exactly one label.
        Some(base) => host.split_once('.').is_some_and(|(_, rest)| rest == base),
        None => pattern == host,
    }
}

/// The DNS lookups an SPF check of `domain` makes (RFC 7208 4.6.4: include, a, mx, ptr,
/// exists, redirect), includes and redirects followed; stops counting past the limit.
async fn spf_lookups(domain: &str) -> Result<u32, String> {
    let mut count = 0u32;
    let mut queue = vec![domain.to_owned()];
    let mut seen = Vec::new();
    while let Some(name) = queue.pop() {
        if count > SPF_LOOKUP_LIMIT || seen.contains(&name) {
            break;
        }
        seen.push(name.clone());
        let txt = satu_net::dns::txt(&name).await?;
        let Some(record) = txt
            .iter()
            .find(|t| t.trim_start().to_ascii_lowercase().starts_with("v=spf1"))
        else {
            if name != domain {
                return Err(format!("{name} publishes no SPF record"));
            }
            continue;
        };
        for term in record.split_whitespace().skip(1) {
            let term = term
                .trim_start_matches(['+', '-', '~', '?'])
                .to_ascii_lowercase();
            let (mechanism, target) = match term.split_once([':', '=']) {
                Some((m, t)) => (m.to_owned(), Some(t.to_owned())),
                None => (term.split('/').next().unwrap_or("").to_owned(), None),
            };
            match mechanism.as_str() {
                "include" | "redirect" => {
                    count += 1;
                    if let Some(target) = target {
                        queue.push(target);
                    }
                }
                "a" | "mx" | "ptr" | "exists" => count += 1,
                _ => {}
            }
        }
    }
    Ok(count)
}

/// The port MX hosts are probed on: 25, or the tests' (`SATU_MX_PORT`).
fn mx_port() -> u16 {
    std::env::var("SATU_MX_PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(25)
}

/// Asks everything [`findings`] reads (see the module). `ca_file`: an extra CA to trust for the
/// MX certificates and the MTA-STS policy (tests).
pub(crate) async fn gather(ask: &Ask, ca_file: Option<&Path>) -> Result<Records, String> {
    let domain = ask.domain.as_str();
    let mx = match satu_net::dns::mx_with_ttl(domain).await {
        Err(e) => Err(e),
        Ok(hosts) => {
            let mut probed = Vec::new();
            for (host, ttl) in hosts {
                let probe = satu_mail::mx::probe(&host, mx_port(), ca_file, MX_TIMEOUT).await;
                probed.push(MxHost { host, ttl, probe });
            }
            Ok(probed)
        }
    };
    let root_txt = satu_net::dns::txt_with_ttl(domain).await;
    let spf_lookups = match &root_txt {
        Ok(txt) if starting(txt, "v=spf1").len() == 1 => Some(spf_lookups(domain).await),
        _ => None,
    };
    let mut selectors: Vec<String> = ask.selectors.clone();
    for s in DKIM_SELECTORS {
        if !selectors.iter().any(|x| x == s) {
            selectors.push(s.to_owned());
        }
    }
    let mut dkim = Vec::new();
    for selector in selectors {
        let txt = satu_net::dns::txt_with_ttl(&format!("{selector}._domainkey.{domain}"))
            .await
            .unwrap_or_default();
        dkim.push((selector, txt));
    }
    let dmarc_txt = satu_net::dns::txt_with_ttl(&format!("_dmarc.{domain}")).await;
    let mta_sts_txt = satu_net::dns::txt_with_ttl(&format!("_mta-sts.{domain}")).await;
    let mta_sts_policy = match &mta_sts_txt {
        Ok(txt) if !starting(txt, "v=stsv1").is_empty() => {
            Some(match crate::discover::Web::new(ca_file) {
                Ok(web) => {
                    web.get(&web.url(&format!("mta-sts.{domain}"), "/.well-known/mta-sts.txt"))
                        .await
                }
                Err(e) => Err(e.message),
            })
        }
        _ => None,
    };
    let tls_rpt_txt = satu_net::dns::txt_with_ttl(&format!("_smtp._tls.{domain}")).await;
    let dnssec = satu_net::dns::dnskey_published(domain).await;
    Ok(Records {
        mx,
        root_txt,
        spf_lookups,
        dkim,
        dmarc_txt,
        mta_sts_txt,
        mta_sts_policy,
        tls_rpt_txt,
        dnssec,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ask(domain: &str) -> Ask {
        Ask {
            domain: domain.into(),
            ..Ask::default()
        }
    }

    fn good_probe() -> Result<satu_mail::mx::MxProbe, String> {
        Ok(satu_mail::mx::MxProbe {
            greeting: "mx.good.test ESMTP".into(),
            starttls: true,
            tls: Some(Ok(())),
        })
    }

    /// A domain with everything right.
    fn good() -> Records {
        Records {
            mx: Ok(vec![MxHost {
                host: "mx.good.test".into(),
                ttl: 300,
                probe: good_probe(),
            }]),
            root_txt: Ok(vec![(
                "v=spf1 ip4:192.0.2.10 include:_spf.provider.test -all".into(),
                300,
            )]),
            spf_lookups: Some(Ok(2)),
            dkim: vec![(
                "s1".into(),
                vec![(
                    "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=".into(),
                    300,
                )],
            )],
            dmarc_txt: Ok(vec![(
                "v=DMARC1; p=reject; rua=mailto:d@good.test".into(),
                300,
            )]),
            mta_sts_txt: Ok(vec![("v=STSv1; id=1".into(), 300)]),
            mta_sts_policy: Some(Ok(
                "version: STSv1\nmode: enforce\nmx: *.good.test\nmax_age: 86400\n".into(),
            )),
            tls_rpt_txt: Ok(vec![("v=TLSRPTv1; rua=mailto:tls@good.test".into(), 300)]),
            dnssec: Ok(true),
        }
    }

    fn severities(found: &[dto::DomainFinding]) -> Vec<(String, String)> {
        found
            .iter()
            .map(|f| (f.area.clone(), f.severity.clone()))
            .collect()
    }

    #[test]
    fn a_good_domain_is_good_everywhere() {
        let found = findings(&ask("good.test"), &good());
        assert!(
            found.iter().all(|f| f.severity == "good"),
            "{:#?}",
            severities(&found)
        );
        let areas: Vec<&str> = found.iter().map(|f| f.area.as_str()).collect();
        for area in ["mx", "spf", "dkim", "dmarc", "mta-sts", "tls-rpt", "dnssec"] {
            assert!(areas.contains(&area), "{area} missing: {areas:?}");
        }
    }

    #[test]
    fn a_weak_domain_gets_warnings_with_the_record_to_publish() {
        let mut r = good();
        r.mx = Ok(vec![MxHost {
            host: "mx.weak.test".into(),
            ttl: 86_400,
            probe: Ok(satu_mail::mx::MxProbe {
                greeting: "mx ESMTP".into(),
                starttls: false,
                tls: None,
            }),
        }]);
        r.root_txt = Ok(vec![("v=spf1 a mx ~all".into(), 300)]);
        r.dmarc_txt = Ok(vec![("v=DMARC1; p=none".into(), 7200)]);
        r.mta_sts_txt = Ok(vec![]);
        r.mta_sts_policy = None;
        r.tls_rpt_txt = Ok(vec![]);
        r.dnssec = Ok(false);
        let found = findings(&ask("weak.test"), &r);
        let has = |area: &str, severity: &str, words: &str| {
            found.iter().any(|f| {
                f.area == area
                    && f.severity == severity
                    && (f.title.contains(words) || f.fix.contains(words))
            })
        };
        assert!(has("mx", "warning", "no STARTTLS"), "{found:#?}");
        assert!(has("mx", "warning", "3600 s or less"), "{found:#?}");
        assert!(has("spf", "info", "~all"), "{found:#?}");
        assert!(has("dmarc", "warning", "p=none only watches"), "{found:#?}");
        let rua = found
            .iter()
            .find(|f| f.area == "dmarc" && f.title.contains("rua"))
            .expect("rua");
        assert_eq!(
            rua.record.as_deref(),
            Some("_dmarc.weak.test. 3600 IN TXT \"v=DMARC1; p=none; rua=mailto:dmarc@weak.test\"")
        );
        assert!(has("dmarc", "warning", "TTL is 7200"), "{found:#?}");
        assert!(has("mta-sts", "info", "no MTA-STS"), "{found:#?}");
        assert!(found.iter().any(|f| f.area == "tls-rpt"
            && f.record
                .as_deref()
                .is_some_and(|r| r.starts_with("_smtp._tls.weak.test."))));
        assert!(has("dnssec", "info", "not signed"), "{found:#?}");
        // An MX change planned: the TTL is named as too long for it.
        let found = findings(
            &Ask {
                mx_change: true,
                ..ask("weak.test")
            },
            &r,
        );
        assert!(
            found
                .iter()
                .any(|f| f.area == "mx" && f.title.contains("86400 s")),
            "{found:#?}"
        );
    }

    #[test]
    fn a_broken_domain_is_bad_where_it_is_broken() {
        let mut r = good();
        r.mx = Ok(vec![MxHost {
            host: "mx.broken.test".into(),
            ttl: 300,
            probe: Err("cannot connect to mx.broken.test:25: connection refused".into()),
        }]);
        r.root_txt = Ok(vec![
            ("v=spf1 +all".into(), 300),
            ("v=spf1 -all".into(), 300),
        ]);
        r.spf_lookups = None;
        r.dkim = vec![("s1".into(), vec![])];
        r.dmarc_txt = Ok(vec![("v=DMARC1; rua=mailto:x@broken.test".into(), 300)]);
        r.mta_sts_policy = Some(Ok(
            "version: STSv1\nmode: enforce\nmx: mail.other.test\n".into()
        ));
        let found = findings(
            &Ask {
                selectors: vec!["s1".into()],
                verify_txt: Some("MS=ms12345".into()),
                ..ask("broken.test")
            },
            &r,
        );
        let bad: Vec<&str> = found
            .iter()
            .filter(|f| f.severity == "bad")
            .map(|f| f.area.as_str())
            .collect();
        assert_eq!(
            bad,
            ["mx", "spf", "dkim", "dmarc", "mta-sts", "verification"],
            "{found:#?}"
        );
        let verify = found
            .iter()
            .find(|f| f.area == "verification")
            .expect("verification");
        assert_eq!(
            verify.record.as_deref(),
            Some("broken.test. 3600 IN TXT \"MS=ms12345\"")
        );
    }

    #[test]
    fn spf_over_ten_lookups_and_bad_syntax_are_bad() {
        let mut r = good();
        r.spf_lookups = Some(Ok(12));
        let found = findings(&ask("good.test"), &r);
        assert!(found
            .iter()
            .any(|f| f.area == "spf" && f.severity == "bad" && f.title.contains("12 DNS lookups")));
        r.root_txt = Ok(vec![("v=spf1 ip4:not-an-address -all".into(), 300)]);
        let found = findings(&ask("good.test"), &r);
        assert!(
            found.iter().any(|f| f.area == "spf"
                && f.severity == "bad"
                && f.title.contains("does not parse")),
            "{found:#?}"
        );
    }

    #[test]
    fn rsa_key_sizes_are_read_from_spki_and_pkcs1() {
        use base64::Engine as _;
        // A 1024-bit key (SubjectPublicKeyInfo), as DKIM publishes them.
        let spki_1024 = "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDDhJk/Ui54WsXi3/DzfQAnJ+3p7vRfZVDtsfIPL2eozgX06qHEoCrwTocuWoa1Wj7DUiEBqX/5OlkY2Rv7d9DfoYCGbJfg9uSG3ATw9YixtEoPDfXDYVOVugnT9ToHwAordevN3uKcNvfwq4eKi14k8CM6H79/UeU8n4mUTpc0FwIDAQAB";
        let der = base64::engine::general_purpose::STANDARD
            .decode(spki_1024)
            .expect("base64");
        assert_eq!(rsa_bits(&der), Some(1024));
        // The same key as PKCS#1 (the BIT STRING's content).
        assert_eq!(rsa_bits(&der[22..]), Some(1024));
        assert_eq!(rsa_bits(b"not a key"), None);
        let mut r = good();
        r.dkim = vec![(
            "old".into(),
            vec![(format!("v=DKIM1; k=rsa; p={spki_1024}"), 300)],
        )];
        let found = findings(&ask("good.test"), &r);
        let dkim = found.iter().find(|f| f.area == "dkim").expect("dkim");
        assert_eq!(dkim.severity, "warning");
        assert!(dkim.title.contains("1024 bits"), "{dkim:?}");
    }

    #[test]
    fn mta_sts_patterns_cover_one_label() {
        assert!(mx_matches("*.good.test", "mx1.good.test"));
        assert!(!mx_matches("*.good.test", "a.b.good.test"));
        assert!(!mx_matches("*.good.test", "good.test"));
        assert!(mx_matches("MX.Good.Test.", "mx.good.test"));
    }
}
