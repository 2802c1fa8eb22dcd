//! Who signs a person in: Microsoft (personal and work accounts), Google, or any OpenID Connect
//! issuer (Keycloak, Authentik, a company's own), and which client id Satu uses with each.
//!
//! Client ids. A distributor registers Satu once with each provider (Microsoft Entra: a "public
//! client/native" app with the redirect URI `http://localhost`, API permissions
//! `IMAP.AccessAsUser.All`, `SMTP.Send`, `offline_access`; Google Cloud: an OAuth client of type
//! "Desktop app" with the Gmail scope) and builds with `SATU_OAUTH_MICROSOFT_CLIENT_ID`,
//! `SATU_OAUTH_GOOGLE_CLIENT_ID` and `SATU_OAUTH_GOOGLE_CLIENT_SECRET` (Google's desktop clients
//! have a "secret" that is not one) in the environment. The same variables at run time, or the
//! settings `oauth.microsoft.client_id` / `oauth.google.client_id`, override the built-in ones;
//! an OpenID Connect issuer uses `--client-id`, else the setting `oauth.oidc.client_id`, else
//! `satu` (the id an administrator registers for Satu on the company's provider). See
//! docs/oauth.md.

use satu_store::{OAuthGrant, Store, TextSetting};

use crate::error::{ApiError, ApiResult};

/// The kinds of provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Microsoft,
    Google,
    Oidc,
}

impl Kind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Kind::Microsoft => "microsoft",
            Kind::Google => "google",
            Kind::Oidc => "oidc",
        }
    }

    pub(crate) fn parse(text: &str) -> Option<Kind> {
        match text {
            "microsoft" => Some(Kind::Microsoft),
            "google" => Some(Kind::Google),
            "oidc" => Some(Kind::Oidc),
            _ => None,
        }
    }

    /// The name people know.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Kind::Microsoft => "Microsoft",
            Kind::Google => "Google",
            Kind::Oidc => "your organisation",
        }
    }
}

/// Everything a sign-in needs to know about the provider.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Provider {
    pub kind: Kind,
    /// The OpenID Connect issuer ('' for the built-in ones).
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub client_id: String,
    /// Google's desktop clients send their (public) secret.
    pub client_secret: Option<String>,
    pub scopes: String,
    /// Extra parameters of the authorization request.
    pub extra: Vec<(&'static str, &'static str)>,
}

impl std::fmt::Debug for Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Provider")
            .field("kind", &self.kind)
            .field("issuer", &self.issuer)
            .field("token_endpoint", &self.token_endpoint)
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

impl Provider {
    /// What the store keeps of it (no secret).
    pub(crate) fn grant(&self) -> OAuthGrant {
        OAuthGrant {
            provider: self.kind.as_str().to_owned(),
            issuer: self.issuer.clone(),
            authorization_endpoint: self.authorization_endpoint.clone(),
            token_endpoint: self.token_endpoint.clone(),
            client_id: self.client_id.clone(),
            scopes: self.scopes.clone(),
            sign_in_again: false,
            token_account: None,
        }
    }

    /// The provider again from what the store keeps (the Google secret is looked up anew).
    pub(crate) fn from_grant(grant: &OAuthGrant) -> Provider {
        let kind = Kind::parse(&grant.provider).unwrap_or(Kind::Oidc);
        Provider {
            kind,
            issuer: grant.issuer.clone(),
            authorization_endpoint: grant.authorization_endpoint.clone(),
            token_endpoint: grant.token_endpoint.clone(),
            client_id: grant.client_id.clone(),
            client_secret: (kind == Kind::Google).then(google_secret).flatten(),
            scopes: grant.scopes.clone(),
            extra: extra(kind),
        }
    }
}

fn extra(kind: Kind) -> Vec<(&'static str, &'static str)> {
    match kind {
        // Refresh tokens only with these.
        Kind::Google => vec![("access_type", "offline"), ("prompt", "consent")],
        // OpenID Connect Core §11: offline_access needs consent asked for.
        Kind::Oidc => vec![("prompt", "consent")],
        Kind::Microsoft => vec![],
    }
}

/// The provider that signs in for a mail server, from its host name: Microsoft's and Google's
/// servers are known; any other needs an issuer.
pub(crate) fn kind_for_host(imap_host: &str) -> Option<Kind> {
    let host = imap_host.trim().trim_end_matches('.').to_ascii_lowercase();
    let under = |domain: &str| host == domain || host.ends_with(&format!(".{domain}"));
    if under("office365.com") || under("outlook.com") || under("hotmail.com") {
        Some(Kind::Microsoft)
    } else if under("gmail.com") || under("googlemail.com") || under("google.com") {
        Some(Kind::Google)
    } else {
        None
    }
}

/// Microsoft or Google when `issuer` (a host or a URL, as an autoconfig file names it) is theirs.
pub(crate) fn kind_for_issuer(issuer: &str) -> Option<Kind> {
    let host = issuer
        .trim()
        .trim_start_matches("https://")
        .split(['/', ':'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    match host.as_str() {
        "login.microsoftonline.com" | "login.live.com" => Some(Kind::Microsoft),
        "accounts.google.com" => Some(Kind::Google),
        _ => None,
    }
}

/// A value from (in order) the setting `key`, the environment at run time, the build.
fn configured(
    store: &Store,
    key: TextSetting,
    env: &str,
    built: Option<&'static str>,
) -> Option<String> {
    store
        .text_setting(key)
        .ok()
        .flatten()
        .or_else(|| std::env::var(env).ok())
        .or(built.map(str::to_owned))
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

fn google_secret() -> Option<String> {
    std::env::var("SATU_OAUTH_GOOGLE_CLIENT_SECRET")
        .ok()
        .or(option_env!("SATU_OAUTH_GOOGLE_CLIENT_SECRET").map(str::to_owned))
        .filter(|v| !v.trim().is_empty())
}

/// Microsoft's or Google's profile, with the client id this build or these settings have.
pub(crate) fn builtin(store: &Store, kind: Kind) -> ApiResult<Provider> {
    let (key, env, built) = match kind {
        Kind::Microsoft => (
            TextSetting::MicrosoftClientId,
            "SATU_OAUTH_MICROSOFT_CLIENT_ID",
            option_env!("SATU_OAUTH_MICROSOFT_CLIENT_ID"),
        ),
        Kind::Google => (
            TextSetting::GoogleClientId,
            "SATU_OAUTH_GOOGLE_CLIENT_ID",
            option_env!("SATU_OAUTH_GOOGLE_CLIENT_ID"),
        ),
        Kind::Oidc => return Err(ApiError::internal("an issuer has no built-in profile")),
    };
    let client_id = configured(store, key, env, built).ok_or_else(|| {
        ApiError::invalid(
            "oauth",
            format!(
                "This build of Satu has no client id for signing in with {}: set {} in the settings (or {env}); docs/oauth.md says how to register one",
                kind.label(),
                key.key()
            ),
        )
    })?;
    Ok(match kind {
        Kind::Microsoft => Provider {
            kind,
            issuer: String::new(),
            // `common`: personal (Outlook.com) and work or school (Microsoft 365) accounts.
            authorization_endpoint: "https://login.microsoftonline.com/common/oauth2/v2.0/authorize"
                .into(),
            token_endpoint: "https://login.microsoftonline.com/common/oauth2/v2.0/token".into(),
            client_id,
            client_secret: None,
            scopes: "https://outlook.office.com/IMAP.AccessAsUser.All https://outlook.office.com/SMTP.Send offline_access"
                .into(),
            extra: extra(kind),
        },
        _ => Provider {
            kind,
            issuer: String::new(),
            authorization_endpoint: "https://accounts.google.com/o/oauth2/v2/auth".into(),
            token_endpoint: "https://oauth2.googleapis.com/token".into(),
            client_id,
            client_secret: google_secret(),
            scopes: "https://mail.google.com/".into(),
            extra: extra(kind),
        },
    })
}

/// The client id for an OpenID Connect issuer: the one given, else the setting, else `satu`.
pub(crate) fn oidc_client_id(store: &Store, given: Option<&str>) -> String {
    given
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty())
        .or_else(|| {
            configured(
                store,
                TextSetting::OidcClientId,
                "SATU_OAUTH_OIDC_CLIENT_ID",
                None,
            )
        })
        .unwrap_or_else(|| "satu".to_owned())
}

/// An issuer or endpoint URL Satu will talk to: https, or http on a loopback address.
pub(crate) fn check_url(field: &str, what: &str, url: &str) -> ApiResult<url::Url> {
    let parsed = url::Url::parse(url.trim())
        .map_err(|e| ApiError::invalid(field, format!("The {what} {url:?} is not a URL: {e}")))?;
    let host = parsed.host_str().unwrap_or_default();
    match parsed.scheme() {
        "https" => Ok(parsed),
        "http" if satu_net::is_loopback(host) => Ok(parsed),
        _ => Err(ApiError::invalid(
            field,
            format!(
                "The {what} {url:?} must be an https:// address (plain http only on this computer)"
            ),
        )),
    }
}

/// The parts of an OpenID Connect discovery document (OpenID Connect Discovery 1.0 §3) used.
#[derive(serde::Deserialize)]
struct Configuration {
    issuer: String,
    authorization_endpoint: String,
    token_endpoint: String,
}

/// Reads `issuer`'s discovery document (`body`), checking that it names the same issuer and
/// usable endpoints.
pub(crate) fn read_configuration(issuer: &str, body: &str) -> ApiResult<(String, String)> {
    let doc: Configuration = serde_json::from_str(body).map_err(|e| {
        ApiError::invalid(
            "issuer",
            format!("{issuer} has no usable OpenID Connect configuration ({e})"),
        )
    })?;
    if doc.issuer.trim_end_matches('/') != issuer.trim_end_matches('/') {
        return Err(ApiError::invalid(
            "issuer",
            format!(
                "The OpenID Connect configuration at {issuer} names another issuer ({:?}); refusing it",
                doc.issuer.chars().filter(|c| !c.is_control()).take(200).collect::<String>()
            ),
        ));
    }
    let auth = check_url(
        "issuer",
        "authorization endpoint",
        &doc.authorization_endpoint,
    )?;
    let token = check_url("issuer", "token endpoint", &doc.token_endpoint)?;
    Ok((auth.to_string(), token.to_string()))
}

/// An OpenID Connect issuer's profile; `configuration` is its discovery document.
pub(crate) fn oidc(issuer: &str, configuration: &str, client_id: String) -> ApiResult<Provider> {
    let (authorization_endpoint, token_endpoint) = read_configuration(issuer, configuration)?;
    Ok(Provider {
        kind: Kind::Oidc,
        issuer: issuer.trim_end_matches('/').to_owned(),
        authorization_endpoint,
        token_endpoint,
        client_id,
        client_secret: None,
        scopes: "openid email offline_access".into(),
        extra: extra(Kind::Oidc),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn microsoft_and_google_servers_are_known_by_name() {
        assert_eq!(
            kind_for_host("outlook.office365.com"),
            Some(Kind::Microsoft)
        );
        assert_eq!(
            kind_for_host("imap-mail.outlook.com"),
            Some(Kind::Microsoft)
        );
        assert_eq!(kind_for_host("IMAP.GMAIL.COM."), Some(Kind::Google));
        assert_eq!(kind_for_host("notgmail.com"), None);
        assert_eq!(kind_for_host("mail.example.com"), None);
        assert_eq!(kind_for_issuer("accounts.google.com"), Some(Kind::Google));
        assert_eq!(
            kind_for_issuer("https://login.microsoftonline.com/common/v2.0"),
            Some(Kind::Microsoft)
        );
        assert_eq!(kind_for_issuer("https://id.example.com"), None);
    }

    #[test]
    fn only_https_or_loopback_http_endpoints_are_used() {
        assert!(check_url("issuer", "issuer", "https://id.example.com").is_ok());
        assert!(check_url("issuer", "issuer", "http://127.0.0.1:8080").is_ok());
        assert!(check_url("issuer", "issuer", "http://localhost:8080/realms/x").is_ok());
        for bad in [
            "http://id.example.com",
            "ftp://x",
            "javascript:alert(1)",
            "not a url",
        ] {
            let e = check_url("issuer", "issuer", bad).expect_err(bad);
            assert_eq!(e.field.as_deref(), Some("issuer"));
        }
    }

    #[test]
    fn a_discovery_document_must_name_its_own_issuer() {
        let good = r#"{"issuer":"https://id.example.com/","authorization_endpoint":"https://id.example.com/auth","token_endpoint":"https://id.example.com/token","jwks_uri":"x"}"#;
        let p = oidc("https://id.example.com", good, "satu".into()).expect("provider");
        assert_eq!(p.token_endpoint, "https://id.example.com/token");
        assert_eq!(p.issuer, "https://id.example.com");
        assert!(p.scopes.contains("offline_access"));
        let other = good.replace("https://id.example.com/\"", "https://evil.example.net/\"");
        assert!(oidc("https://id.example.com", &other, "satu".into()).is_err());
        let plain = good.replace(
            "https://id.example.com/token",
            "http://id.example.com/token",
        );
        assert!(oidc("https://id.example.com", &plain, "satu".into()).is_err());
        assert!(oidc("https://id.example.com", "[]", "satu".into()).is_err());
    }

    #[test]
    fn a_stored_grant_gives_the_same_provider_back() {
        let p = oidc(
            "http://127.0.0.1:9",
            r#"{"issuer":"http://127.0.0.1:9","authorization_endpoint":"http://127.0.0.1:9/auth","token_endpoint":"http://127.0.0.1:9/token"}"#,
            "satu-test".into(),
        )
        .expect("provider");
        assert_eq!(Provider::from_grant(&p.grant()), p);
    }
}
