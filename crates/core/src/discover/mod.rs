//! Discovery: the settings of an email address from the address alone. The sources are asked
//! in this order, and the first that names an IMAP server wins (its SMTP server too, else the
//! next source's):
//!
//! 1. the domain's autoconfig file (`https://autoconfig.DOMAIN/mail/config-v1.1.xml`, then
//!    `https://DOMAIN/.well-known/autoconfig/mail/config-v1.1.xml`; Thunderbird's format,
//!    [`autoconfig`]);
//! 2. the ISPDB by the domain, then by the domain of its MX host (how a hosted domain is
//!    recognised as Google's or Microsoft's);
//! 3. RFC 6186 SRV records ([`srv`]);
//! 4. Microsoft's Autodiscover v2, only for a domain whose MX is Microsoft's ([`autodiscover`]);
//! 5. a guess ([`plan::guesses`]) confirmed by connecting.
//!
//! The calendar and task server is looked for in the same search ([`caldav`], RFC 6764).
//! Successful answers are kept for [`CACHE_FOR`] per domain (within the process).
//!
//! What to propose among what was found is [`plan`]'s (implicit TLS first, plain text never
//! but to loopback). Every place looked is a [`dto::DiscoveryStep`], reported as it is done.
//! DNS goes through `satu_net::dns` (`SATU_DNS_SERVER` points it elsewhere); the web lookups
//! use the same resolver, HTTPS only, and the whole search is bounded by [`DEADLINE`].

pub(crate) mod autoconfig;
pub(crate) mod autodiscover;
pub(crate) mod caldav;
pub(crate) mod plan;
pub(crate) mod srv;

use std::path::Path;
use std::time::Duration;

use crate::dto::{self, DiscoverySource, Security};
use crate::error::{ApiError, ApiResult};

/// The whole search, whatever the network does.
pub(crate) const DEADLINE: Duration = Duration::from_secs(10);
/// One web request.
const HTTP_TIMEOUT: Duration = Duration::from_secs(4);
/// One connection that confirms a guess.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// How long a domain's answer is reused.
const CACHE_FOR: Duration = Duration::from_secs(10 * 60);
/// The ISPDB (Thunderbird's database of providers); `SATU_ISPDB_URL` replaces it.
const ISPDB: &str = "https://autoconfig.thunderbird.net/v1.1/";

/// A mail protocol discovery looks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Protocol {
    Imap,
    Smtp,
}

/// A way to sign in that a server offers (and Satu speaks).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Auth {
    Password,
    OAuth2,
}

/// A server a source names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ServerOffer {
    pub protocol: Protocol,
    pub host: String,
    pub port: u16,
    pub security: Security,
    /// The login name, when the source says (placeholders filled in).
    pub username: Option<String>,
    pub auth: Vec<Auth>,
}

impl ServerOffer {
    fn settings(&self) -> dto::ServerSettings {
        dto::ServerSettings {
            host: self.host.clone(),
            port: self.port,
            security: self.security,
        }
    }
}

/// Whether `name` is a DNS hostname (letters, digits, hyphens and dots; labels of 1–63, at most
/// 253 in all) or an IP address.
pub(crate) fn is_hostname(name: &str) -> bool {
    if name.parse::<std::net::IpAddr>().is_ok() {
        return true;
    }
    let name = name.strip_suffix('.').unwrap_or(name);
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

/// The domain of an email address, checked.
pub(crate) fn domain_of(email: &str) -> ApiResult<String> {
    let email = email.trim();
    match email.rsplit_once('@') {
        Some((local, domain)) if !local.is_empty() && is_hostname(domain) => {
            Ok(domain.to_ascii_lowercase())
        }
        _ => Err(ApiError::invalid(
            "email",
            format!("{email:?} is not an email address"),
        )),
    }
}

/// The registrable part of an MX host, roughly: its last two labels (`aspmx.l.google.com` →
/// `google.com`), the last three under a two-letter second level (`mx.example.co.uk`).
pub(crate) fn mx_domain(host: &str) -> Option<String> {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let labels: Vec<&str> = host.split('.').collect();
    let keep = if labels.len() >= 3
        && labels[labels.len() - 2].len() <= 3
        && labels[labels.len() - 1].len() == 2
    {
        3
    } else {
        2
    };
    (labels.len() >= keep).then(|| labels[labels.len() - keep..].join("."))
}

/// What the search has found so far, and where it looked.
struct Search {
    email: String,
    domain: String,
    steps: Vec<dto::DiscoveryStep>,
    imap: Option<(ServerOffer, DiscoverySource, Option<String>)>,
    smtp: Option<ServerOffer>,
    caldav: Option<String>,
    /// The OAuth2 issuer an autoconfig file named.
    issuer: Option<String>,
}

impl Search {
    fn step(
        &mut self,
        source: DiscoverySource,
        asked: String,
        result: String,
        progress: &dyn Fn(&dto::DiscoveryStep),
    ) {
        let step = dto::DiscoveryStep {
            source,
            asked,
            result,
        };
        tracing::debug!(source = %step.source, asked = %step.asked, result = %step.result, "Discovery step.");
        progress(&step);
        self.steps.push(step);
    }

    /// Takes what `offers` propose that is still missing; says what was taken.
    fn take(
        &mut self,
        offers: &[ServerOffer],
        source: DiscoverySource,
        provider: Option<String>,
    ) -> String {
        let mut took = Vec::new();
        if self.imap.is_none() {
            if let Some(imap) = plan::best(offers, Protocol::Imap) {
                took.push(format!(
                    "IMAP {}:{} ({})",
                    imap.host, imap.port, imap.security
                ));
                self.imap = Some((imap.clone(), source, provider));
            }
        }
        if self.smtp.is_none() {
            if let Some(smtp) = plan::best(offers, Protocol::Smtp) {
                took.push(format!(
                    "SMTP {}:{} ({})",
                    smtp.host, smtp.port, smtp.security
                ));
                self.smtp = Some(smtp.clone());
            }
        }
        if took.is_empty() {
            if offers.iter().any(|o| o.security == Security::Plain) {
                "only plain-text servers, which Satu does not use".to_owned()
            } else {
                "nothing new".to_owned()
            }
        } else {
            format!("found {}", took.join(", "))
        }
    }

    fn done(&self) -> bool {
        self.imap.is_some() && self.smtp.is_some()
    }
}

/// How the web lookups reach their servers (discovery's, and the domain check's MTA-STS policy).
pub(crate) struct Web {
    client: reqwest::Client,
    /// The port the web lookups use instead of 443 (`SATU_DISCOVERY_PORT`; tests only).
    port: Option<u16>,
}

impl Web {
    pub(crate) fn new(ca_file: Option<&Path>) -> ApiResult<Web> {
        let mut builder = reqwest::Client::builder()
            .timeout(HTTP_TIMEOUT)
            .connect_timeout(CONNECT_TIMEOUT)
            .https_only(true)
            .dns_resolver(satu_net::dns::for_http())
            .redirect(reqwest::redirect::Policy::limited(3))
            .user_agent(concat!("Satu/", env!("CARGO_PKG_VERSION")));
        if let Some(path) = ca_file {
            for cert in satu_net::load_ca(path).map_err(|e| ApiError::invalid("ca_file", e))? {
                builder = builder.add_root_certificate(cert);
            }
        }
        let client = builder
            .build()
            .map_err(|e| ApiError::internal(format!("Cannot make the web client: {e}")))?;
        let port = std::env::var("SATU_DISCOVERY_PORT")
            .ok()
            .and_then(|p| p.parse().ok());
        Ok(Web { client, port })
    }

    /// `https://HOST/PATH` (on the test port when one is set).
    pub(crate) fn url(&self, host: &str, path: &str) -> String {
        match self.port {
            Some(port) => format!("https://{host}:{port}{path}"),
            None => format!("https://{host}{path}"),
        }
    }

    /// The body of a 200 answer at `url` (at most `autoconfig::MAX_BYTES`), or why not.
    pub(crate) async fn get(&self, url: &str) -> Result<String, String> {
        let response = self.client.get(url).send().await.map_err(|e| {
            if e.is_timeout() {
                "no answer in time".to_owned()
            } else if e.is_connect() {
                format!("no server ({})", root_cause(&e))
            } else {
                format!("failed: {}", root_cause(&e))
            }
        })?;
        if !response.status().is_success() {
            return Err(format!("HTTP {}", response.status().as_u16()));
        }
        satu_net::text_within(response, autoconfig::MAX_BYTES)
            .await
            .map_err(|e| match e {
                satu_net::BodyError::TooLarge(limit) => {
                    format!("the answer is longer than {} KiB", limit / 1024)
                }
                satu_net::BodyError::Transport(e) => format!("failed: {e}"),
            })
    }
}

/// The innermost cause of an error, in words (a refused connection, a certificate problem).
fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = error;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

/// Finds the settings of `email`; `progress` hears of every place looked as it is done.
pub(crate) async fn discover(
    email: &str,
    ca_file: Option<&Path>,
    progress: &(dyn Fn(&dto::DiscoveryStep) + Sync),
) -> ApiResult<dto::Discovered> {
    let domain = domain_of(email)?;
    if let Some(found) = cached(&domain, email.trim()) {
        return Ok(found);
    }
    let mut search = Search {
        email: email.trim().to_owned(),
        domain: domain.clone(),
        steps: Vec::new(),
        imap: None,
        smtp: None,
        caldav: None,
        issuer: None,
    };
    let web = Web::new(ca_file)?;
    let finished = tokio::time::timeout(DEADLINE, run(&mut search, &web, progress)).await;
    if finished.is_err() {
        search.step(
            DiscoverySource::Guess,
            domain.clone(),
            format!("stopped after {} s", DEADLINE.as_secs()),
            progress,
        );
    }
    let Some((imap, source, provider)) = search.imap.clone() else {
        let tried: Vec<String> = search
            .steps
            .iter()
            .map(|s| format!("{} {}: {}", s.source, s.asked, s.result))
            .collect();
        return Err(ApiError::not_found(
            "email",
            format!(
                "Could not find the mail servers of {domain}; enter them by hand. Looked at: {}",
                tried.join("; ")
            ),
        ));
    };
    let mut auth: Vec<dto::AuthMethod> = Vec::new();
    for method in &imap.auth {
        let method = match method {
            Auth::Password => dto::AuthMethod::Password,
            Auth::OAuth2 => dto::AuthMethod::OAuth2,
        };
        if !auth.contains(&method) {
            auth.push(method);
        }
    }
    // Password first: OAuth2 needs a registered client the build may not have.
    auth.sort_by_key(|m| *m != dto::AuthMethod::Password);
    let found = dto::Discovered {
        email: search.email.clone(),
        username: imap
            .username
            .clone()
            .unwrap_or_else(|| search.email.clone()),
        imap: imap.settings(),
        smtp: search.smtp.as_ref().map(ServerOffer::settings),
        caldav: search.caldav.clone().map(|url| dto::CaldavFound { url }),
        auth,
        source,
        provider,
        issuer: search.issuer.clone(),
        steps: search.steps,
    };
    keep(&domain, &found);
    Ok(found)
}

type Cache =
    std::sync::Mutex<std::collections::HashMap<String, (std::time::Instant, dto::Discovered)>>;

fn cache() -> &'static Cache {
    static CACHE: std::sync::OnceLock<Cache> = std::sync::OnceLock::new();
    CACHE.get_or_init(Default::default)
}

/// A recent answer for `domain`, made again for `email` (the login name follows the address).
fn cached(domain: &str, email: &str) -> Option<dto::Discovered> {
    let cache = cache().lock().ok()?;
    let (at, found) = cache.get(domain)?;
    if at.elapsed() > CACHE_FOR {
        return None;
    }
    let mut found = found.clone();
    let local = |address: &str| address.split('@').next().unwrap_or(address).to_owned();
    if found.username == found.email {
        found.username = email.to_owned();
    } else if found.username == local(&found.email) {
        // `%EMAILLOCALPART%`: the new address's local part.
        found.username = local(email);
    }
    found.email = email.to_owned();
    Some(found)
}

fn keep(domain: &str, found: &dto::Discovered) {
    if let Ok(mut cache) = cache().lock() {
        cache.insert(
            domain.to_owned(),
            (std::time::Instant::now(), found.clone()),
        );
    }
}

async fn run(search: &mut Search, web: &Web, progress: &(dyn Fn(&dto::DiscoveryStep) + Sync)) {
    let domain = search.domain.clone();
    let email = search.email.clone();
    let query = format!("?emailaddress={}", percent_encode(&email));
    // 1. The domain's own file.
    for url in [
        web.url(
            &format!("autoconfig.{domain}"),
            &format!("/mail/config-v1.1.xml{query}"),
        ),
        web.url(
            &domain,
            &format!("/.well-known/autoconfig/mail/config-v1.1.xml{query}"),
        ),
    ] {
        autoconfig_at(search, web, &url, DiscoverySource::Autoconfig, progress).await;
        if search.imap.is_some() {
            break;
        }
    }
    // 2. The ISPDB, by the domain and then by its mail exchanger's.
    let mut microsoft = false;
    if !search.done() {
        let ispdb = std::env::var("SATU_ISPDB_URL").unwrap_or_else(|_| ISPDB.to_owned());
        let base = ispdb.trim_end_matches('/').to_owned();
        autoconfig_at(
            search,
            web,
            &format!("{base}/{domain}"),
            DiscoverySource::Ispdb,
            progress,
        )
        .await;
        if !search.done() {
            match satu_net::dns::mx(&domain).await {
                Ok(hosts) => {
                    microsoft = hosts
                        .first()
                        .is_some_and(|h| autodiscover::is_microsoft_mx(h));
                    let first = hosts.first().and_then(|h| mx_domain(h));
                    let result = match (&first, hosts.first()) {
                        (Some(mx), Some(host)) if *mx != domain => format!("MX {host}"),
                        (_, Some(host)) => format!("MX {host}, the domain itself"),
                        _ => "no MX".to_owned(),
                    };
                    search.step(
                        DiscoverySource::Ispdb,
                        format!("MX {domain}"),
                        result,
                        progress,
                    );
                    if let Some(mx) = first.filter(|mx| *mx != domain) {
                        autoconfig_at(
                            search,
                            web,
                            &format!("{base}/{mx}"),
                            DiscoverySource::Ispdb,
                            progress,
                        )
                        .await;
                    }
                }
                Err(e) => search.step(DiscoverySource::Ispdb, format!("MX {domain}"), e, progress),
            }
        }
    }
    // 3. SRV records.
    for protocol in [Protocol::Imap, Protocol::Smtp] {
        if (protocol == Protocol::Imap && search.imap.is_some())
            || (protocol == Protocol::Smtp && search.smtp.is_some())
        {
            continue;
        }
        for (service, security) in srv::services(protocol) {
            let name = format!("{service}.{domain}");
            let records = match satu_net::dns::srv(&name).await {
                Ok(records) => records,
                Err(e) => {
                    search.step(DiscoverySource::Srv, name, e, progress);
                    continue;
                }
            };
            let offers: Vec<ServerOffer> = srv::choose(&records, protocol, security)
                .into_iter()
                .collect();
            let result = if records.is_empty() {
                "none".to_owned()
            } else if offers.is_empty() {
                "the domain says it offers no such service".to_owned()
            } else {
                search.take(&offers, DiscoverySource::Srv, None)
            };
            search.step(DiscoverySource::Srv, name, result, progress);
            if !offers.is_empty() {
                break;
            }
        }
    }
    // 4. Microsoft's Autodiscover, for a domain whose mail Microsoft hosts (and only then).
    if search.imap.is_none() && microsoft {
        let base =
            std::env::var("SATU_AUTODISCOVER_URL").unwrap_or_else(|_| autodiscover::URL.to_owned());
        let url = format!(
            "{base}{}?Protocol=AutodiscoverV1",
            percent_encode(&email).replace("%40", "@")
        );
        let result = match web.get(&url).await {
            Ok(text) => match autodiscover::microsoft_365(&text, &email) {
                Some(offers) => search.take(
                    &offers,
                    DiscoverySource::Autodiscover,
                    Some("Microsoft 365".to_owned()),
                ),
                None => "not a Microsoft 365 mailbox".to_owned(),
            },
            Err(why) => why,
        };
        search.step(DiscoverySource::Autodiscover, url, result, progress);
    }
    // 5. The usual names, confirmed by connecting.
    for protocol in [Protocol::Imap, Protocol::Smtp] {
        let missing = match protocol {
            Protocol::Imap => search.imap.is_none(),
            Protocol::Smtp => search.smtp.is_none(),
        };
        if !missing {
            continue;
        }
        for guess in plan::guesses(&domain, protocol) {
            let port = guess_port(guess.port);
            let asked = format!("{}:{}", guess.host, guess.port);
            let answered =
                tokio::time::timeout(CONNECT_TIMEOUT, satu_net::dns::connect(&guess.host, port))
                    .await;
            let result = match answered {
                Ok(Ok(_)) => {
                    search.take(std::slice::from_ref(&guess), DiscoverySource::Guess, None)
                }
                Ok(Err(e)) => format!("no server ({e})"),
                Err(_) => "no answer in time".to_owned(),
            };
            let found = result.starts_with("found");
            search.step(DiscoverySource::Guess, asked, result, progress);
            if found {
                break;
            }
        }
    }
    // 5. Calendars and tasks, offered beside the mail (only when there is mail to offer).
    if search.imap.is_some() {
        find_caldav(search, web, progress).await;
    }
}

/// The calendar server: `_caldavs._tcp` SRV (and TXT path), else the domain's well-known URL.
async fn find_caldav(
    search: &mut Search,
    web: &Web,
    progress: &(dyn Fn(&dto::DiscoveryStep) + Sync),
) {
    let domain = search.domain.clone();
    let name = format!("{}.{domain}", caldav::SERVICE);
    match satu_net::dns::srv(&name).await {
        Ok(records) if !records.is_empty() => {
            let txt = satu_net::dns::txt(&name).await.unwrap_or_default();
            let url = caldav::url_from_srv(&records, &txt);
            let result = match &url {
                Some(url) => format!("found CalDAV {url}"),
                None => "the domain says it offers no such service".to_owned(),
            };
            search.step(DiscoverySource::Srv, name, result, progress);
            if url.is_some() {
                search.caldav = url;
                return;
            }
        }
        Ok(_) => search.step(DiscoverySource::Srv, name, "none".into(), progress),
        Err(e) => search.step(DiscoverySource::Srv, name, e, progress),
    }
    let url = web.url(&domain, "/.well-known/caldav");
    let result = match web.client.get(&url).send().await {
        Ok(response)
            if response.status().is_success()
                || response.status().as_u16() == 401
                || response.status().as_u16() == 207 =>
        {
            let found = response.url().to_string();
            search.caldav = Some(found.clone());
            format!("found CalDAV {found}")
        }
        Ok(response) => format!("HTTP {}", response.status().as_u16()),
        Err(e) if e.is_connect() => "no server".to_owned(),
        Err(e) if e.is_timeout() => "no answer in time".to_owned(),
        Err(e) => format!("failed: {e}"),
    };
    search.step(DiscoverySource::WellKnown, url, result, progress);
}

/// The port a guess connects to: the usual one, or the test's (`SATU_DISCOVERY_PORTS`, e.g.
/// `993=10993,465=10465`; tests only, the usual ports need root).
fn guess_port(port: u16) -> u16 {
    std::env::var("SATU_DISCOVERY_PORTS")
        .ok()
        .and_then(|map| {
            map.split(',').find_map(|pair| {
                let (from, to) = pair.split_once('=')?;
                (from.trim().parse::<u16>().ok()? == port).then(|| to.trim().parse().ok())?
            })
        })
        .unwrap_or(port)
}

async fn autoconfig_at(
    search: &mut Search,
    web: &Web,
    url: &str,
    source: DiscoverySource,
    progress: &(dyn Fn(&dto::DiscoveryStep) + Sync),
) {
    let result = match web.get(url).await {
        Ok(text) => match autoconfig::parse(&text, &search.email) {
            Ok(offer) => {
                let provider = offer.provider.clone();
                let took = search.take(&offer.servers, source, provider);
                if search.issuer.is_none() {
                    search.issuer = offer.issuer;
                }
                took
            }
            Err(autoconfig::NotAConfig(why)) => format!("not a configuration: {why}"),
        },
        Err(why) => why,
    };
    search.step(source, url.to_owned(), result, progress);
}

/// `text` for a URL query value.
fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostnames_and_domains() {
        for yes in [
            "example.org",
            "a-b.example.org.",
            "127.0.0.1",
            "::1",
            "xn--bcher-kva.example",
        ] {
            assert!(is_hostname(yes), "{yes}");
        }
        for no in [
            "",
            "-a.example",
            "a..b",
            "a b",
            "a@b",
            &"a".repeat(64),
            "é.example",
        ] {
            assert!(!is_hostname(no), "{no}");
        }
        assert_eq!(domain_of(" Ana@Example.ORG ").expect("ok"), "example.org");
        assert_eq!(
            domain_of("ana").expect_err("no @").field.as_deref(),
            Some("email")
        );
        assert!(domain_of("@example.org").is_err());
    }

    #[test]
    fn mx_hosts_name_their_provider() {
        assert_eq!(
            mx_domain("aspmx.l.google.com.").as_deref(),
            Some("google.com")
        );
        assert_eq!(
            mx_domain("example-org.mail.protection.outlook.com").as_deref(),
            Some("outlook.com")
        );
        assert_eq!(
            mx_domain("mx1.example.co.uk").as_deref(),
            Some("example.co.uk")
        );
        assert_eq!(mx_domain("localhost"), None);
    }

    #[test]
    fn query_values_are_encoded() {
        assert_eq!(percent_encode("a+b@example.org"), "a%2Bb%40example.org");
    }
}
