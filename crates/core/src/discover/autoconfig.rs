//! Thunderbird's autoconfig format (`config-v1.1.xml`), as domains serve it
//! (`autoconfig.DOMAIN/mail/config-v1.1.xml`, `DOMAIN/.well-known/autoconfig/...`) and as the
//! ISPDB holds it: parsed into [`Offer`]s without trusting any of it. A hostname must be a
//! hostname, a port a port; `%EMAILADDRESS%`, `%EMAILLOCALPART%` and `%EMAILDOMAIN%` are filled
//! in; POP3 and unknown server types are left out; at most [`MAX_SERVERS`] servers are read.
//! What to pick among the offers is [`super::plan`]'s.

use quick_xml::events::Event;
use quick_xml::Reader;

use super::{Auth, Protocol, ServerOffer};
use crate::dto::Security;

/// A file longer than this is not a configuration (the largest ISPDB file is ~10 KiB).
pub(crate) const MAX_BYTES: usize = 256 * 1024;
/// Servers read from one file at most.
pub(crate) const MAX_SERVERS: usize = 32;

/// What one autoconfig file offers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Offer {
    /// The provider's name (`displayName`, else the `emailProvider` id).
    pub provider: Option<String>,
    /// IMAP and SMTP servers, in the file's order.
    pub servers: Vec<ServerOffer>,
    /// Who signs in for OAuth2 (`<oAuth2><issuer>`: a host name or an https URL).
    pub issuer: Option<String>,
}

/// Why a file is not a configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NotAConfig(pub String);

/// An OAuth2 issuer as the file names it: a host name (Thunderbird's files) or an https URL;
/// anything else is left out.
fn issuer(value: &str) -> Option<String> {
    let value = value.trim();
    if let Some(rest) = value.strip_prefix("https://") {
        let host = rest.split(['/', ':']).next().unwrap_or_default();
        return (super::is_hostname(host)
            && !value.chars().any(|c| c.is_control() || c.is_whitespace()))
        .then(|| value.trim_end_matches('/').to_owned());
    }
    super::is_hostname(value).then(|| value.to_ascii_lowercase())
}

/// Parses an autoconfig file for the address `email` (`local@domain`).
pub(crate) fn parse(text: &str, email: &str) -> Result<Offer, NotAConfig> {
    if text.len() > MAX_BYTES {
        return Err(NotAConfig(format!(
            "the file is {} KiB, more than a configuration ever is",
            text.len() / 1024
        )));
    }
    let mut reader = Reader::from_str(text);
    reader.config_mut().trim_text(true);
    let mut path: Vec<String> = Vec::new();
    let mut text_now = String::new();
    let mut offer = Offer::default();
    let mut provider_id = None;
    let mut saw_root = false;
    // The server being read: its type attribute, then its fields.
    let mut server: Option<(Option<Protocol>, Fields)> = None;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| NotAConfig(format!("the XML is broken: {e}")))?;
        match event {
            Event::Start(e) => {
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                if path.is_empty() {
                    if name != "clientConfig" {
                        return Err(NotAConfig(format!(
                            "the root element is <{name}>, not <clientConfig>"
                        )));
                    }
                    saw_root = true;
                }
                if path.len() > 16 {
                    return Err(NotAConfig("the XML nests too deep".into()));
                }
                if name == "emailProvider" {
                    provider_id = attribute(&e, "id");
                }
                if matches!(name.as_str(), "incomingServer" | "outgoingServer") {
                    let kind = attribute(&e, "type").unwrap_or_default();
                    let protocol = match (name.as_str(), kind.as_str()) {
                        ("incomingServer", "imap") => Some(Protocol::Imap),
                        ("outgoingServer", "smtp") => Some(Protocol::Smtp),
                        _ => None,
                    };
                    server = Some((protocol, Fields::default()));
                }
                path.push(name);
                text_now.clear();
            }
            Event::Text(t) => {
                let value = t
                    .unescape()
                    .map_err(|e| NotAConfig(format!("the XML is broken: {e}")))?;
                text_now.push_str(&value);
            }
            Event::CData(t) => text_now.push_str(&String::from_utf8_lossy(&t)),
            Event::End(_) => {
                let Some(name) = path.pop() else {
                    return Err(NotAConfig("the XML is unbalanced".into()));
                };
                let value = std::mem::take(&mut text_now).trim().to_owned();
                let parent = path.last().map(String::as_str).unwrap_or_default();
                match (name.as_str(), parent) {
                    ("displayName", "emailProvider") if !value.is_empty() => {
                        offer.provider = Some(shown(&value));
                    }
                    ("issuer", "oAuth2") => offer.issuer = issuer(&value),
                    ("hostname", _) => {
                        if let Some((_, fields)) = &mut server {
                            fields.host = Some(value);
                        }
                    }
                    ("port", _) => {
                        if let Some((_, fields)) = &mut server {
                            fields.port = Some(value);
                        }
                    }
                    ("socketType", _) => {
                        if let Some((_, fields)) = &mut server {
                            fields.socket = Some(value);
                        }
                    }
                    ("username", _) => {
                        if let Some((_, fields)) = &mut server {
                            fields.username = Some(value);
                        }
                    }
                    ("authentication", _) => {
                        if let Some((_, fields)) = &mut server {
                            fields.auth.push(value);
                        }
                    }
                    ("incomingServer" | "outgoingServer", _) => {
                        if let Some((Some(protocol), fields)) = server.take() {
                            if offer.servers.len() < MAX_SERVERS {
                                if let Some(found) = fields.offer(protocol, email) {
                                    offer.servers.push(found);
                                }
                            }
                        }
                        server = None;
                    }
                    _ => {}
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !saw_root {
        return Err(NotAConfig("there is no <clientConfig>".into()));
    }
    if offer.provider.is_none() {
        offer.provider = provider_id.map(|id| shown(&id));
    }
    if offer.servers.is_empty() {
        return Err(NotAConfig(
            "it offers no IMAP or SMTP server that can be used".into(),
        ));
    }
    Ok(offer)
}

/// A name from the file as it may be shown: no control or bidi characters, at most 100.
fn shown(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_control() && !satu_mail::is_bidi_control(*c))
        .take(100)
        .collect()
}

fn attribute(e: &quick_xml::events::BytesStart<'_>, name: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == name.as_bytes())
        .map(|a| String::from_utf8_lossy(&a.value).trim().to_owned())
}

/// A server's fields as written, before they are checked.
#[derive(Debug, Default)]
struct Fields {
    host: Option<String>,
    port: Option<String>,
    socket: Option<String>,
    username: Option<String>,
    auth: Vec<String>,
}

impl Fields {
    /// The server, or nothing when a field is missing or not what it claims to be.
    fn offer(self, protocol: Protocol, email: &str) -> Option<ServerOffer> {
        let host = fill(&self.host?, email).to_ascii_lowercase();
        if !super::is_hostname(&host) {
            return None;
        }
        let port: u16 = self.port?.parse().ok().filter(|p| *p > 0)?;
        let security = match self.socket?.to_ascii_uppercase().as_str() {
            "SSL" | "TLS" => Security::Tls,
            "STARTTLS" => Security::StartTls,
            "PLAIN" => Security::Plain,
            _ => return None,
        };
        let mut auth = Vec::new();
        for method in &self.auth {
            let method = match method.to_ascii_lowercase().as_str() {
                "password-cleartext" | "password-encrypted" | "plain" | "secure" => Auth::Password,
                "oauth2" => Auth::OAuth2,
                _ => continue,
            };
            if !auth.contains(&method) {
                auth.push(method);
            }
        }
        if auth.is_empty() && self.auth.is_empty() {
            auth.push(Auth::Password);
        }
        if auth.is_empty() {
            // Only methods Satu does not speak (NTLM, GSSAPI, client certificates).
            return None;
        }
        let username = self
            .username
            .map(|u| fill(&u, email))
            .filter(|u| !u.is_empty() && u.len() <= 320 && !u.chars().any(char::is_control));
        Some(ServerOffer {
            protocol,
            host,
            port,
            security,
            username,
            auth,
        })
    }
}

/// `text` with the placeholders for `email` filled in.
fn fill(text: &str, email: &str) -> String {
    let (local, domain) = email.rsplit_once('@').unwrap_or((email, ""));
    text.replace("%EMAILADDRESS%", email)
        .replace("%EMAILLOCALPART%", local)
        .replace("%EMAILDOMAIN%", domain)
}

#[cfg(test)]
mod tests {
    use super::*;

    const EMAIL: &str = "ana@example.org";

    fn server(
        protocol: Protocol,
        host: &str,
        port: u16,
        security: Security,
        auth: &[Auth],
    ) -> ServerOffer {
        ServerOffer {
            protocol,
            host: host.into(),
            port,
            security,
            username: Some(EMAIL.into()),
            auth: auth.to_vec(),
        }
    }

    /// Shaped like the ISPDB's file for a large provider: several servers, OAuth2 and
    /// password, a POP3 server to leave out, and the oAuth2 block.
    const PROVIDER: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="example.org">
    <domain>example.org</domain>
    <domain>example.net</domain>
    <displayName>Example Mail</displayName>
    <displayShortName>Example</displayShortName>
    <incomingServer type="imap">
      <hostname>imap.%EMAILDOMAIN%</hostname>
      <port>993</port>
      <socketType>SSL</socketType>
      <authentication>OAuth2</authentication>
      <authentication>password-cleartext</authentication>
      <username>%EMAILADDRESS%</username>
    </incomingServer>
    <incomingServer type="imap">
      <hostname>imap.example.org</hostname>
      <port>143</port>
      <socketType>STARTTLS</socketType>
      <authentication>password-cleartext</authentication>
      <username>%EMAILADDRESS%</username>
    </incomingServer>
    <incomingServer type="pop3">
      <hostname>pop.example.org</hostname>
      <port>995</port>
      <socketType>SSL</socketType>
      <username>%EMAILADDRESS%</username>
    </incomingServer>
    <outgoingServer type="smtp">
      <hostname>smtp.example.org</hostname>
      <port>465</port>
      <socketType>SSL</socketType>
      <authentication>OAuth2</authentication>
      <authentication>password-cleartext</authentication>
      <username>%EMAILADDRESS%</username>
    </outgoingServer>
    <documentation url="https://example.org/help"><descr lang="en">Help</descr></documentation>
  </emailProvider>
  <oAuth2>
    <issuer>accounts.example.org</issuer>
    <scope>https://mail.example.org/</scope>
    <authURL>https://accounts.example.org/o/oauth2/auth</authURL>
    <tokenURL>https://www.example.org/oauth2/token</tokenURL>
  </oAuth2>
</clientConfig>"#;

    #[test]
    fn a_providers_file_gives_its_imap_and_smtp_servers_with_placeholders_filled() {
        let offer = parse(PROVIDER, EMAIL).expect("parses");
        assert_eq!(offer.provider.as_deref(), Some("Example Mail"));
        assert_eq!(offer.issuer.as_deref(), Some("accounts.example.org"));
        assert_eq!(
            offer.servers,
            [
                server(
                    Protocol::Imap,
                    "imap.example.org",
                    993,
                    Security::Tls,
                    &[Auth::OAuth2, Auth::Password]
                ),
                server(
                    Protocol::Imap,
                    "imap.example.org",
                    143,
                    Security::StartTls,
                    &[Auth::Password]
                ),
                server(
                    Protocol::Smtp,
                    "smtp.example.org",
                    465,
                    Security::Tls,
                    &[Auth::OAuth2, Auth::Password]
                ),
            ]
        );
    }

    #[test]
    fn the_local_part_is_filled_in_too_and_the_id_names_a_provider_without_a_display_name() {
        let text = r#"<clientConfig><emailProvider id="corp.example">
            <incomingServer type="imap"><hostname>mx.corp.example</hostname><port>993</port>
            <socketType>SSL</socketType><username>%EMAILLOCALPART%</username></incomingServer>
            </emailProvider></clientConfig>"#;
        let offer = parse(text, EMAIL).expect("parses");
        assert_eq!(offer.provider.as_deref(), Some("corp.example"));
        let hostile = text.replace(
            "<emailProvider id=\"corp.example\">",
            "<emailProvider id=\"x\"><displayName>Evil\u{1b}]52;c;Zm9v\u{7}\u{202e}Mail</displayName>",
        );
        assert_eq!(
            parse(&hostile, EMAIL).expect("parses").provider.as_deref(),
            Some("Evil]52;c;Zm9vMail"),
            "no terminal or bidi controls in a name that is shown"
        );
        assert_eq!(offer.servers[0].username.as_deref(), Some("ana"));
        assert_eq!(
            offer.servers[0].auth,
            [Auth::Password],
            "none said: password"
        );
    }

    #[test]
    fn hostile_and_broken_files_are_refused_or_their_bad_servers_left_out() {
        // Not XML, the wrong root, no usable server, too large.
        for (text, why) in [
            ("<html><body>Not here</body></html>", "root element"),
            ("{\"imap\": 1}", "no <clientConfig>"),
            ("<clientConfig><emailProvider/></clientConfig>", "no IMAP"),
            ("<clientConfig><a></b></clientConfig>", "broken"),
        ] {
            let error = parse(text, EMAIL).expect_err(text);
            assert!(error.0.contains(why), "{text}: {}", error.0);
        }
        let huge = format!("<clientConfig>{}</clientConfig>", " ".repeat(MAX_BYTES));
        assert!(parse(&huge, EMAIL).is_err());
        let deep = format!(
            "<clientConfig>{}{}</clientConfig>",
            "<a>".repeat(40),
            "</a>".repeat(40)
        );
        assert!(parse(&deep, EMAIL).expect_err("deep").0.contains("deep"));

        // Each of these servers is wrong in one way; the good one stays.
        let text = r#"<clientConfig><emailProvider id="x">
          <incomingServer type="imap"><hostname>%EMAILADDRESS%</hostname><port>993</port><socketType>SSL</socketType></incomingServer>
          <incomingServer type="imap"><hostname>evil host;rm</hostname><port>993</port><socketType>SSL</socketType></incomingServer>
          <incomingServer type="imap"><hostname>imap.example.org</hostname><port>99999</port><socketType>SSL</socketType></incomingServer>
          <incomingServer type="imap"><hostname>imap.example.org</hostname><port>nine</port><socketType>SSL</socketType></incomingServer>
          <incomingServer type="imap"><hostname>imap.example.org</hostname><port>993</port><socketType>magic</socketType></incomingServer>
          <incomingServer type="imap"><hostname>imap.example.org</hostname><port>993</port><socketType>SSL</socketType><authentication>NTLM</authentication></incomingServer>
          <incomingServer type="imap"><port>993</port><socketType>SSL</socketType></incomingServer>
          <incomingServer type="exchange"><hostname>ews.example.org</hostname><port>443</port><socketType>SSL</socketType></incomingServer>
          <outgoingServer type="imap"><hostname>odd.example.org</hostname><port>993</port><socketType>SSL</socketType></outgoingServer>
          <incomingServer type="imap"><hostname>IMAP.Example.ORG</hostname><port>993</port><socketType>ssl</socketType></incomingServer>
        </emailProvider></clientConfig>"#;
        let offer = parse(text, EMAIL).expect("one good server");
        assert_eq!(offer.servers.len(), 1, "{:?}", offer.servers);
        assert_eq!(offer.servers[0].host, "imap.example.org");

        // Many servers: only the first MAX_SERVERS are read.
        let many = format!(
            "<clientConfig><emailProvider>{}</emailProvider></clientConfig>",
            "<incomingServer type=\"imap\"><hostname>a.example.org</hostname><port>993</port><socketType>SSL</socketType></incomingServer>".repeat(500)
        );
        assert_eq!(
            parse(&many, EMAIL).expect("parses").servers.len(),
            MAX_SERVERS
        );
    }

    #[test]
    fn plain_text_offers_are_read_as_plain_for_the_plan_to_refuse() {
        let text = r#"<clientConfig><emailProvider>
          <incomingServer type="imap"><hostname>mail.example.org</hostname><port>143</port><socketType>plain</socketType></incomingServer>
        </emailProvider></clientConfig>"#;
        assert_eq!(
            parse(text, EMAIL).expect("parses").servers[0].security,
            Security::Plain
        );
    }

    #[test]
    fn an_issuer_is_a_host_or_an_https_url_and_nothing_else() {
        assert_eq!(
            issuer("Accounts.Google.com").as_deref(),
            Some("accounts.google.com")
        );
        assert_eq!(
            issuer("https://id.example.com/realms/staff/").as_deref(),
            Some("https://id.example.com/realms/staff")
        );
        for bad in [
            "http://id.example.com",
            "javascript:alert(1)",
            "a b",
            "https://x y",
            "",
            "https://",
        ] {
            assert_eq!(issuer(bad), None, "{bad}");
        }
    }
}
