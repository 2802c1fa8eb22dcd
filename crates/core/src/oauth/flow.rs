//! The sign-in itself (RFC 6749 §4.1 with PKCE, RFC 8252 for native apps): the system browser
//! opens the provider's page, the provider sends the browser back to a one-time listener on
//! 127.0.0.1 with a code, and the code becomes tokens. Never an embedded login page: the
//! password is typed only into the provider's own page, in the browser the person trusts.
//!
//! `SATU_BROWSER=CMD` runs `CMD URL` instead of the desktop's browser (tests play the browser).

use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

use super::pkce;
use super::provider::Provider;
use super::token::{self, Refusal, Tokens};
use crate::error::{ApiError, ApiResult, ErrorCode};

/// How long the person has to finish in the browser.
const SIGN_IN_TIMEOUT: Duration = Duration::from_secs(300);
/// How long one request to the listener may take to arrive.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// Requests to a token endpoint.
const HTTP_TIMEOUT: Duration = Duration::from_secs(30);
/// Most bytes of a browser's request read.
const MAX_REQUEST: usize = 16 * 1024;

/// The web client for the provider's endpoints: the core's resolver, no redirects (a token
/// request is never sent elsewhere), `ca_file` trusted besides the system's roots.
pub(crate) fn http(ca_file: Option<&std::path::Path>) -> ApiResult<reqwest::Client> {
    let mut builder = reqwest::Client::builder()
        .timeout(HTTP_TIMEOUT)
        .connect_timeout(Duration::from_secs(10))
        .dns_resolver(satu_net::dns::for_http())
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("Satu/", env!("CARGO_PKG_VERSION")));
    if let Some(path) = ca_file {
        for cert in satu_net::load_ca(path).map_err(|e| ApiError::invalid("ca_file", e))? {
            builder = builder.add_root_certificate(cert);
        }
    }
    builder
        .build()
        .map_err(|e| ApiError::internal(format!("Cannot make the web client: {e}")))
}

/// POSTs `form` to the token endpoint and reads the answer.
pub(crate) async fn token_request(
    client: &reqwest::Client,
    provider: &Provider,
    form: &[(&str, &str)],
) -> Result<Tokens, Refusal> {
    let mut form: Vec<(&str, &str)> = form.to_vec();
    form.push(("client_id", &provider.client_id));
    if let Some(secret) = &provider.client_secret {
        form.push(("client_secret", secret));
    }
    let response = client
        .post(&provider.token_endpoint)
        .header("Accept", "application/json")
        .form(&form)
        .send()
        .await
        .map_err(|e| {
            Refusal::Other(format!(
                "cannot reach {}: {}",
                host_of(&provider.token_endpoint),
                match satu_net::transport(&e) {
                    satu_net::Transport::Certificate(r) | satu_net::Transport::Unreachable(r) => r,
                }
            ))
        })?;
    let status = response.status().as_u16();
    let body = satu_net::text_within(response, token::MAX_BYTES)
        .await
        .map_err(|e| match e {
            satu_net::BodyError::TooLarge(_) => {
                Refusal::Other("the provider's answer is too long".into())
            }
            satu_net::BodyError::Transport(e) => {
                Refusal::Other(format!("the answer broke off: {e}"))
            }
        })?;
    token::read(status, &body)
}

fn host_of(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_else(|| url.to_owned())
}

/// Signs in through the browser; `opened` hears the URL first (the CLI prints it, so a person
/// can open it by hand when no browser starts). Returns the tokens.
pub(crate) async fn sign_in(
    client: &reqwest::Client,
    provider: &Provider,
    login_hint: &str,
    opened: &(dyn Fn(&str) + Send + Sync),
) -> ApiResult<Tokens> {
    // RFC 8252 §7.3 and §8.3: the loopback IP literal, any free port.
    let listener = TcpListener::bind(("127.0.0.1", 0))
        .await
        .map_err(|e| ApiError::internal(format!("Cannot listen for the sign-in's answer: {e}")))?;
    let port = listener
        .local_addr()
        .map_err(|e| ApiError::internal(format!("Cannot listen for the sign-in's answer: {e}")))?
        .port();
    let redirect_uri = format!("http://127.0.0.1:{port}/");
    let state = pkce::random(16)?;
    let verifier = pkce::random(32)?;
    let url = authorization_url(provider, &redirect_uri, &state, &verifier, login_hint)?;
    opened(&url);
    open_browser(&url);
    let code = tokio::time::timeout(SIGN_IN_TIMEOUT, wait_for_code(&listener, &state))
        .await
        .map_err(|_| {
            ApiError::new(
                ErrorCode::AuthFailed,
                format!(
                    "The sign-in with {} was not finished within {} minutes; try again",
                    provider.kind.label(),
                    SIGN_IN_TIMEOUT.as_secs() / 60
                ),
            )
            .with_field("oauth")
        })??;
    drop(listener);
    token_request(
        client,
        provider,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", &redirect_uri),
            ("code_verifier", &verifier),
        ],
    )
    .await
    .map_err(|refusal| {
        let said = match refusal {
            Refusal::SignInAgain(s) | Refusal::Other(s) => s,
        };
        ApiError::new(
            ErrorCode::AuthFailed,
            format!(
                "{} did not give Satu a token: {said}",
                provider.kind.label()
            ),
        )
        .with_field("oauth")
    })
}

/// The authorization request (RFC 6749 §4.1.1, RFC 7636 §4.3).
pub(crate) fn authorization_url(
    provider: &Provider,
    redirect_uri: &str,
    state: &str,
    verifier: &str,
    login_hint: &str,
) -> ApiResult<String> {
    let mut url = url::Url::parse(&provider.authorization_endpoint).map_err(|e| {
        ApiError::invalid(
            "oauth",
            format!("The provider's sign-in address is not a URL: {e}"),
        )
    })?;
    {
        let mut query = url.query_pairs_mut();
        query
            .append_pair("response_type", "code")
            .append_pair("client_id", &provider.client_id)
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("scope", &provider.scopes)
            .append_pair("state", state)
            .append_pair("code_challenge", &pkce::challenge(verifier))
            .append_pair("code_challenge_method", "S256");
        if !login_hint.trim().is_empty() {
            query.append_pair("login_hint", login_hint.trim());
        }
        for (key, value) in &provider.extra {
            query.append_pair(key, value);
        }
    }
    Ok(url.into())
}

/// Starts the browser on `url` (`SATU_BROWSER`, else the desktop's). A failure is only logged:
/// the URL is shown, so the person can open it by hand.
fn open_browser(url: &str) {
    let mut command = match std::env::var("SATU_BROWSER") {
        Ok(cmd) if !cmd.trim().is_empty() => {
            let mut words = cmd.split_whitespace();
            let Some(program) = words.next() else { return };
            let mut command = std::process::Command::new(program);
            command.args(words);
            command
        }
        _ => desktop_opener(),
    };
    command
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null());
    match command.spawn() {
        // Reaped in the background so that it never stays a zombie.
        Ok(mut child) => {
            std::thread::spawn(move || child.wait());
        }
        Err(e) => {
            tracing::warn!(error = %e, "Could not start the browser; the address is shown instead.")
        }
    }
}

#[cfg(target_os = "macos")]
fn desktop_opener() -> std::process::Command {
    std::process::Command::new("open")
}

#[cfg(target_os = "windows")]
fn desktop_opener() -> std::process::Command {
    // Not `cmd /c start`: the URL's `&` would split the command.
    let mut command = std::process::Command::new("rundll32");
    command.arg("url.dll,FileProtocolHandler");
    command
}

#[cfg(not(any(target_os = "macos", target_os = "windows")))]
fn desktop_opener() -> std::process::Command {
    std::process::Command::new("xdg-open")
}

/// What the browser brought back.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Redirect {
    Code(String),
    /// The provider said no (`error`, with its description).
    Error(String),
    /// Not the answer (another path, a wrong state, a favicon request): ignored.
    Other,
}

/// Reads the redirect's request line `GET /?code=…&state=… HTTP/1.1`.
pub(crate) fn read_redirect(request_line: &str, state: &str) -> Redirect {
    let mut parts = request_line.split(' ');
    let (Some("GET"), Some(target)) = (parts.next(), parts.next()) else {
        return Redirect::Other;
    };
    let Ok(url) = url::Url::parse(&format!("http://127.0.0.1{target}")) else {
        return Redirect::Other;
    };
    if url.path() != "/" {
        return Redirect::Other;
    }
    let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    let get = |key: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    };
    // A request without our state is not the answer (RFC 6749 §10.12: cross-site requests).
    if get("state") != Some(state) {
        return Redirect::Other;
    }
    if let Some(error) = get("error") {
        let printable = |s: &str| {
            s.chars()
                .filter(|c| !c.is_control())
                .take(300)
                .collect::<String>()
        };
        return Redirect::Error(match get("error_description") {
            Some(d) if !d.is_empty() => format!("{} ({})", printable(error), printable(d)),
            _ => printable(error),
        });
    }
    match get("code") {
        Some(code) if !code.is_empty() => Redirect::Code(code.to_owned()),
        _ => Redirect::Other,
    }
}

/// Answers browsers on `listener` until one brings the code (or the provider's refusal).
async fn wait_for_code(listener: &TcpListener, state: &str) -> ApiResult<String> {
    loop {
        let (mut stream, _) = listener
            .accept()
            .await
            .map_err(|e| ApiError::internal(format!("The sign-in's listener failed: {e}")))?;
        let line = match tokio::time::timeout(REQUEST_TIMEOUT, request_line(&mut stream)).await {
            Ok(Some(line)) => line,
            _ => continue,
        };
        match read_redirect(&line, state) {
            Redirect::Code(code) => {
                reply(
                    &mut stream,
                    "200 OK",
                    "Signed in",
                    "You are signed in. You can close this tab and go back to Satu.",
                )
                .await;
                return Ok(code);
            }
            Redirect::Error(said) => {
                reply(
                    &mut stream,
                    "200 OK",
                    "Not signed in",
                    "The sign-in was not finished. Go back to Satu to try again.",
                )
                .await;
                return Err(ApiError::new(
                    ErrorCode::AuthFailed,
                    format!("The sign-in was refused or cancelled: {said}"),
                )
                .with_field("oauth"));
            }
            Redirect::Other => {
                reply(&mut stream, "404 Not Found", "Not found", "Nothing here.").await;
            }
        }
    }
}

/// The first line of an HTTP request (at most [`MAX_REQUEST`] bytes are read).
async fn request_line(stream: &mut TcpStream) -> Option<String> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 2048];
    while buf.len() < MAX_REQUEST {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
        if buf.windows(4).any(|w| w == b"\r\n\r\n") {
            break;
        }
    }
    let end = buf.iter().position(|&b| b == b'\r' || b == b'\n')?;
    String::from_utf8(buf[..end].to_vec()).ok()
}

async fn reply(stream: &mut TcpStream, status: &str, title: &str, text: &str) {
    let body = format!(
        "<!doctype html><meta charset=utf-8><title>{title}</title><p style=\"font:16px system-ui;margin:3em\">{text}</p>"
    );
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\nCache-Control: no-store\r\nReferrer-Policy: no-referrer\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oauth::provider::{Kind, Provider};

    fn provider() -> Provider {
        Provider {
            kind: Kind::Oidc,
            issuer: "https://id.example.com".into(),
            authorization_endpoint: "https://id.example.com/auth?tenant=x".into(),
            token_endpoint: "https://id.example.com/token".into(),
            client_id: "satu".into(),
            client_secret: None,
            scopes: "openid email offline_access".into(),
            extra: vec![("prompt", "consent")],
        }
    }

    #[test]
    fn the_authorization_request_carries_pkce_and_state() {
        let url = authorization_url(
            &provider(),
            "http://127.0.0.1:4711/",
            "st&ate",
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
            "me@example.com",
        )
        .expect("url");
        let parsed = url::Url::parse(&url).expect("parse");
        let pairs: std::collections::HashMap<String, String> =
            parsed.query_pairs().into_owned().collect();
        assert_eq!(pairs["tenant"], "x");
        assert_eq!(pairs["response_type"], "code");
        assert_eq!(pairs["redirect_uri"], "http://127.0.0.1:4711/");
        assert_eq!(pairs["state"], "st&ate");
        assert_eq!(
            pairs["code_challenge"],
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        assert_eq!(pairs["code_challenge_method"], "S256");
        assert_eq!(pairs["login_hint"], "me@example.com");
        assert_eq!(pairs["scope"], "openid email offline_access");
        assert_eq!(pairs["prompt"], "consent");
        assert!(!url.contains("dBjftJeZ"), "the verifier never leaves");
    }

    #[test]
    fn only_the_redirect_with_our_state_counts() {
        assert_eq!(
            read_redirect("GET /?code=abc&state=s1 HTTP/1.1", "s1"),
            Redirect::Code("abc".into())
        );
        assert_eq!(
            read_redirect(
                "GET /?state=s1&error=access_denied&error_description=no%0d HTTP/1.1",
                "s1"
            ),
            Redirect::Error("access_denied (no)".into())
        );
        for other in [
            "GET /?code=abc&state=s2 HTTP/1.1",
            "GET /?code=abc HTTP/1.1",
            "GET /favicon.ico HTTP/1.1",
            "POST /?code=abc&state=s1 HTTP/1.1",
            "GET /?code=&state=s1 HTTP/1.1",
            "garbage",
        ] {
            assert_eq!(read_redirect(other, "s1"), Redirect::Other, "{other}");
        }
    }
}
