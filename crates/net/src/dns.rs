//! One resolver for every lookup Satu makes: SRV and MX for discovery, and the addresses of the
//! servers it connects to (IMAP, SMTP, and HTTP through [`for_http`]). `SATU_DNS_SERVER=IP:PORT`
//! sends every question to that server (a company's split-horizon DNS; the tests' local one);
//! without it, SRV and MX go to the system's configured servers and addresses are resolved by
//! the operating system (so `/etc/hosts`, mDNS and VPN resolvers keep working).
//! `SATU_DNS_SERVER=none` turns DNS off: no question leaves the machine, every lookup of a
//! record fails at once and only addresses and `localhost` connect (the tests' default, so that
//! no test asks the world about the domains in its mail).
//!
//! Answers that say "no such record" are empty lists, not errors; an error is a server that
//! does not answer or answers wrongly, said in words for the user.

use std::net::{IpAddr, SocketAddr};
use std::sync::OnceLock;
use std::time::Duration;

use hickory_resolver::config::{NameServerConfig, ResolverConfig};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::proto::rr::{RData, RecordType};
use hickory_resolver::TokioResolver;
use tokio::net::TcpStream;

/// One question's time, retries included.
const TIMEOUT: Duration = Duration::from_secs(3);

/// An SRV answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Srv {
    pub priority: u16,
    pub weight: u16,
    pub port: u16,
    /// The target host without its final dot; empty for `.` ("no such service").
    pub target: String,
}

/// The resolver every lookup uses (for libraries that take one, as DKIM verification does).
pub fn shared() -> Result<TokioResolver, String> {
    resolver().cloned()
}

/// The resolver, made once: `None` inside when it could not be made (said at each use).
fn resolver() -> Result<&'static TokioResolver, String> {
    static RESOLVER: OnceLock<Result<TokioResolver, String>> = OnceLock::new();
    RESOLVER
        .get_or_init(|| {
            let provider = TokioRuntimeProvider::default();
            let mut builder = match chosen_server()? {
                Choice::Off => return Err(OFF.to_owned()),
                Choice::Server(server) => {
                    let mut ns = NameServerConfig::udp_and_tcp(server.ip());
                    for connection in &mut ns.connections {
                        connection.port = server.port();
                    }
                    let config = ResolverConfig::from_parts(None, Vec::new(), vec![ns]);
                    TokioResolver::builder_with_config(config, provider)
                }
                Choice::System => TokioResolver::builder(provider)
                    .map_err(|e| format!("cannot read the system's DNS settings: {e}"))?,
            };
            builder.options_mut().timeout = TIMEOUT;
            builder.options_mut().attempts = 1;
            builder
                .build()
                .map_err(|e| format!("cannot make the DNS resolver: {e}"))
        })
        .as_ref()
        .map_err(Clone::clone)
}

/// Where questions go (`SATU_DNS_SERVER`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Choice {
    /// The system's servers (unset).
    System,
    /// That server.
    Server(SocketAddr),
    /// Nowhere (`none`).
    Off,
}

/// Why a lookup failed when DNS is off.
const OFF: &str = "DNS is off (SATU_DNS_SERVER=none)";

/// `SATU_DNS_SERVER`, if set.
fn chosen_server() -> Result<Choice, String> {
    parse_choice(std::env::var("SATU_DNS_SERVER").ok().as_deref())
}

/// [`chosen_server`] from the variable's value.
fn parse_choice(value: Option<&str>) -> Result<Choice, String> {
    match value {
        Some(text) if text.trim().eq_ignore_ascii_case("none") => Ok(Choice::Off),
        Some(text) if !text.trim().is_empty() => text
            .trim()
            .parse::<SocketAddr>()
            .or_else(|_| {
                text.trim()
                    .parse::<IpAddr>()
                    .map(|ip| SocketAddr::new(ip, 53))
            })
            .map(Choice::Server)
            .map_err(|_| format!("SATU_DNS_SERVER={text:?} is not IP:PORT or none")),
        _ => Ok(Choice::System),
    }
}

/// Whether lookups may be made at all (false with `SATU_DNS_SERVER=none` or a bad value).
pub fn available() -> bool {
    matches!(chosen_server(), Ok(Choice::System | Choice::Server(_)))
}

fn failed(name: &str, error: impl std::fmt::Display) -> String {
    format!("the DNS lookup of {name} failed: {error}")
}

/// [`records`] with each answer's time to live (s).
async fn records_with_ttl(name: &str, kind: RecordType) -> Result<Vec<(RData, u32)>, String> {
    match resolver()?.lookup(name, kind).await {
        Ok(lookup) => Ok(lookup
            .answers()
            .iter()
            .map(|r| (r.data.clone(), r.ttl))
            .collect()),
        Err(e) if e.is_no_records_found() || e.is_nx_domain() => Ok(Vec::new()),
        Err(e) => Err(failed(name, e)),
    }
}

/// The answers of type `kind` for `name`: empty when there are none ("no such name" is an
/// answer, not an error).
async fn records(name: &str, kind: RecordType) -> Result<Vec<RData>, String> {
    match resolver()?.lookup(name, kind).await {
        Ok(lookup) => Ok(lookup.answers().iter().map(|r| r.data.clone()).collect()),
        Err(e) if e.is_no_records_found() || e.is_nx_domain() => Ok(Vec::new()),
        Err(e) => Err(failed(name, e)),
    }
}

/// The SRV answers for `name` (`_imaps._tcp.example.org`).
pub async fn srv(name: &str) -> Result<Vec<Srv>, String> {
    Ok(records(name, RecordType::SRV)
        .await?
        .iter()
        .filter_map(|data| match data {
            RData::SRV(srv) => Some(Srv {
                priority: srv.priority,
                weight: srv.weight,
                port: srv.port,
                target: srv.target.to_ascii().trim_end_matches('.').to_owned(),
            }),
            _ => None,
        })
        .collect())
}

/// The TXT strings of `name` (each record's strings joined).
pub async fn txt(name: &str) -> Result<Vec<String>, String> {
    Ok(records(name, RecordType::TXT)
        .await?
        .iter()
        .filter_map(|data| match data {
            RData::TXT(txt) => Some(
                txt.txt_data
                    .iter()
                    .map(|part| String::from_utf8_lossy(part).into_owned())
                    .collect::<String>(),
            ),
            _ => None,
        })
        .collect())
}

/// The TXT strings of `name` with each record's time to live (s): what the domain check reads.
pub async fn txt_with_ttl(name: &str) -> Result<Vec<(String, u32)>, String> {
    Ok(records_with_ttl(name, RecordType::TXT)
        .await?
        .into_iter()
        .filter_map(|(data, ttl)| match data {
            RData::TXT(txt) => Some((
                txt.txt_data
                    .iter()
                    .map(|part| String::from_utf8_lossy(part).into_owned())
                    .collect::<String>(),
                ttl,
            )),
            _ => None,
        })
        .collect())
}

/// The mail exchangers of `domain` with their time to live (s), most preferred first.
pub async fn mx_with_ttl(domain: &str) -> Result<Vec<(String, u32)>, String> {
    let mut hosts: Vec<(u16, String, u32)> = records_with_ttl(domain, RecordType::MX)
        .await?
        .into_iter()
        .filter_map(|(data, ttl)| match data {
            RData::MX(mx) => Some((
                mx.preference,
                mx.exchange.to_ascii().trim_end_matches('.').to_owned(),
                ttl,
            )),
            _ => None,
        })
        .collect();
    hosts.sort();
    Ok(hosts
        .into_iter()
        .map(|(_, host, ttl)| (host, ttl))
        .collect())
}

/// The mail exchangers of `domain`, most preferred first.
pub async fn mx(domain: &str) -> Result<Vec<String>, String> {
    let mut hosts: Vec<(u16, String)> = records(domain, RecordType::MX)
        .await?
        .iter()
        .filter_map(|data| match data {
            RData::MX(mx) => Some((
                mx.preference,
                mx.exchange.to_ascii().trim_end_matches('.').to_owned(),
            )),
            _ => None,
        })
        .collect();
    hosts.sort();
    Ok(hosts.into_iter().map(|(_, host)| host).collect())
}

/// Whether `domain` publishes DNSSEC keys (DNSKEY records): it is signed.
pub async fn dnskey_published(domain: &str) -> Result<bool, String> {
    Ok(!records(domain, RecordType::DNSKEY).await?.is_empty())
}

/// The addresses of `host`: itself when it is an address; else from `SATU_DNS_SERVER` when set,
/// from the operating system when not.
pub async fn addresses(host: &str, port: u16) -> Result<Vec<SocketAddr>, String> {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    let localhost = host.eq_ignore_ascii_case("localhost");
    let by_system = match chosen_server()? {
        Choice::Off if !localhost => return Err(failed(host, OFF)),
        Choice::Server(_) => localhost,
        Choice::System | Choice::Off => true,
    };
    if by_system {
        return tokio::net::lookup_host((host, port))
            .await
            .map(|found| found.collect())
            .map_err(|e| failed(host, e));
    }
    match resolver()?.lookup_ip(host).await {
        Ok(found) => Ok(found.iter().map(|ip| SocketAddr::new(ip, port)).collect()),
        Err(e) if e.is_no_records_found() || e.is_nx_domain() => {
            Err(format!("there is no host {host}"))
        }
        Err(e) => Err(failed(host, e)),
    }
}

/// A TCP connection to `host:port`, its addresses tried in turn.
pub async fn connect(host: &str, port: u16) -> std::io::Result<TcpStream> {
    let found = addresses(host, port)
        .await
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::NotFound, e))?;
    let mut last = std::io::Error::new(
        std::io::ErrorKind::NotFound,
        format!("there is no address for {host}"),
    );
    for address in found {
        match TcpStream::connect(address).await {
            Ok(stream) => return Ok(stream),
            Err(e) => last = e,
        }
    }
    Err(last)
}

/// The same resolver for `reqwest` (`ClientBuilder::dns_resolver(dns::for_http())`).
#[cfg(feature = "http")]
pub fn for_http() -> std::sync::Arc<HttpResolver> {
    std::sync::Arc::new(HttpResolver)
}

/// [`addresses`] as `reqwest` asks for them.
#[cfg(feature = "http")]
pub struct HttpResolver;

#[cfg(feature = "http")]
impl reqwest::dns::Resolve for HttpResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found = addresses(&host, 0)
                .await
                .map_err(|e| -> Box<dyn std::error::Error + Send + Sync> { e.into() })?;
            let found: reqwest::dns::Addrs = Box::new(found.into_iter());
            Ok(found)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn none_turns_dns_off_and_a_bad_value_is_named() {
        // The parser, not the variable: the process's resolver is made once.
        let parse = |text: &str| parse_choice(Some(text));
        assert_eq!(parse("none"), Ok(Choice::Off));
        assert_eq!(parse(" NONE "), Ok(Choice::Off));
        assert_eq!(
            parse("127.0.0.1:5353"),
            Ok(Choice::Server(SocketAddr::from(([127, 0, 0, 1], 5353))))
        );
        assert_eq!(
            parse("127.0.0.1"),
            Ok(Choice::Server(SocketAddr::from(([127, 0, 0, 1], 53))))
        );
        assert!(parse("nameserver").is_err_and(|e| e.contains("none")));
        assert_eq!(parse_choice(None), Ok(Choice::System));
        assert_eq!(parse_choice(Some("  ")), Ok(Choice::System));
    }

    #[tokio::test]
    async fn addresses_are_themselves_and_localhost_is_this_machine() {
        assert_eq!(
            addresses("127.0.0.1", 993).await.expect("an address"),
            [SocketAddr::from(([127, 0, 0, 1], 993))]
        );
        assert_eq!(
            addresses("[::1]", 5).await.expect("an address")[0].ip(),
            IpAddr::from([0u16, 0, 0, 0, 0, 0, 0, 1])
        );
        assert!(addresses("localhost", 1)
            .await
            .expect("localhost")
            .iter()
            .all(|a| a.ip().is_loopback()));
    }
}
