//! Probing a domain's mail exchanger as a sending server would (`satu domain check`): connect,
//! read the greeting, `EHLO`, and when `STARTTLS` is offered, a TLS handshake that validates
//! the certificate for the exchanger's name. Nothing is sent: the session ends with `QUIT`.

use std::path::Path;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt as _, AsyncRead, AsyncWrite, AsyncWriteExt as _, BufReader};
use tokio_rustls::rustls::pki_types::ServerName;

/// What the exchanger answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MxProbe {
    /// Its greeting (the `220` line's text).
    pub greeting: String,
    /// It offers `STARTTLS`.
    pub starttls: bool,
    /// The TLS handshake after `STARTTLS`: `Ok` when the certificate is valid for the name,
    /// else why not; `None` when it offers no TLS.
    pub tls: Option<Result<(), String>>,
}

/// One SMTP reply: its code and its lines' texts.
async fn reply<S: AsyncRead + Unpin>(
    reader: &mut BufReader<S>,
) -> Result<(u16, Vec<String>), String> {
    let mut lines = Vec::new();
    loop {
        let mut line = String::new();
        let n = reader
            .read_line(&mut line)
            .await
            .map_err(|e| format!("the connection broke: {e}"))?;
        if n == 0 {
            return Err("the server closed the connection".into());
        }
        let line = line.trim_end();
        let code: u16 = line
            .get(..3)
            .and_then(|c| c.parse().ok())
            .ok_or_else(|| format!("not an SMTP reply: {line:?}"))?;
        lines.push(line.get(4..).unwrap_or_default().to_owned());
        if line.as_bytes().get(3) != Some(&b'-') {
            return Ok((code, lines));
        }
    }
}

async fn say<S: AsyncWrite + Unpin>(stream: &mut S, line: &str) -> Result<(), String> {
    stream
        .write_all(format!("{line}\r\n").as_bytes())
        .await
        .map_err(|e| format!("cannot write to the server: {e}"))
}

/// Probes `host` on `port` (25 for real exchangers), each step within `timeout`. `ca_file`: an
/// extra CA to trust (tests).
pub async fn probe(
    host: &str,
    port: u16,
    ca_file: Option<&Path>,
    timeout: Duration,
) -> Result<MxProbe, String> {
    let within =
        |what: &'static str| move |_| format!("{what} took longer than {} s", timeout.as_secs());
    let stream = tokio::time::timeout(timeout, satu_net::dns::connect(host, port))
        .await
        .map_err(within("connecting"))?
        .map_err(|e| format!("cannot connect to {host}:{port}: {e}"))?;
    let mut reader = BufReader::new(stream);
    let (code, greeting) = tokio::time::timeout(timeout, reply(&mut reader))
        .await
        .map_err(within("the greeting"))??;
    if code != 220 {
        return Err(format!("{host} greets with {code} {}", greeting.join(" ")));
    }
    say(reader.get_mut(), "EHLO satu.invalid").await?;
    let (code, ehlo) = tokio::time::timeout(timeout, reply(&mut reader))
        .await
        .map_err(within("EHLO"))??;
    if code != 250 {
        return Err(format!("{host} refuses EHLO: {code} {}", ehlo.join(" ")));
    }
    let starttls = ehlo.iter().any(|l| {
        l.split_whitespace()
            .next()
            .is_some_and(|w| w.eq_ignore_ascii_case("STARTTLS"))
    });
    let mut probe = MxProbe {
        greeting: greeting.join(" "),
        starttls,
        tls: None,
    };
    if !starttls {
        let _ = say(reader.get_mut(), "QUIT").await;
        return Ok(probe);
    }
    say(reader.get_mut(), "STARTTLS").await?;
    let (code, _) = tokio::time::timeout(timeout, reply(&mut reader))
        .await
        .map_err(within("STARTTLS"))??;
    if code != 220 {
        probe.tls = Some(Err(format!("STARTTLS is offered but answered {code}")));
        return Ok(probe);
    }
    let connector = crate::imap::tls::connector(host, ca_file).map_err(|e| e.to_string())?;
    let name = ServerName::try_from(host.to_owned())
        .map_err(|e| format!("{host} is not a name a certificate can hold: {e}"))?;
    let handshake =
        tokio::time::timeout(timeout, connector.connect(name, reader.into_inner())).await;
    probe.tls = Some(match handshake {
        Err(_) => Err(format!(
            "the TLS handshake took longer than {} s",
            timeout.as_secs()
        )),
        Ok(Err(e)) => Err(crate::imap::tls::classify(host, &e).to_string()),
        Ok(Ok(mut tls)) => {
            let _ = say(&mut tls, "QUIT").await;
            Ok(())
        }
    });
    Ok(probe)
}
