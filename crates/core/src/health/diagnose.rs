//! The diagnostics behind the health indicators (`satu health diagnose`): for each account,
//! whether its folders are pushed or polled and why, whether its servers answer and how long
//! each step takes (DNS, TCP connect, the TLS handshake, login), how far an HTTP server's clock
//! is from ours (CalDAV and Matrix say it in `Date`; IMAP says no time), and what the DNS of
//! its mail domain says (MX, SPF, DKIM at the common selectors, DMARC, and their times to
//! live), each finding with the fix in plain words. What a finding says is decided by the pure functions here (tested
//! beside); [`diagnose`] only asks the servers and the resolver (`SATU_DNS_SERVER` honoured).

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use satu_mail::imap::ImapSession;
use satu_store::{Account, AccountKind};

use crate::context::Context;
use crate::dto::{self, Finding};
use crate::error::ApiResult;

/// DKIM selectors looked for: the common providers' and tools' defaults.
pub(crate) const DKIM_SELECTORS: [&str; 9] = [
    "default",
    "google",
    "selector1",
    "selector2",
    "k1",
    "mail",
    "dkim",
    "s1",
    "s2",
];
/// Times to live above this make a change wait too long in caches (advice: at most an hour).
pub(crate) const TTL_MAX: u32 = 3_600;
/// An MX about to change should be cached for less than this first.
pub(crate) const MX_TTL_FOR_CHANGES: u32 = 600;
/// How long one reachability step may take.
const STEP_TIMEOUT: Duration = Duration::from_secs(10);

fn finding(account: i64, area: &str, status: &str, title: String, fix: &str) -> Finding {
    Finding {
        account,
        area: area.to_owned(),
        status: status.to_owned(),
        title,
        fix: fix.to_owned(),
        value: None,
    }
}

/// Push or polling: what the live sync does with this account's folders, and how often its
/// connection dropped (`logins_24h`: a connection lasts until it drops).
pub(crate) fn push_findings(
    account: i64,
    has_idle: bool,
    pushed: &[String],
    folders: usize,
    poll_s: u64,
    full_pass_s: u64,
    logins_24h: u64,
) -> Vec<Finding> {
    let mut out = Vec::new();
    if has_idle {
        let others = folders.saturating_sub(pushed.len());
        let mut f = finding(
            account,
            "push",
            "good",
            format!(
                "New mail is pushed (IMAP IDLE) in {}; the {others} other folders are checked every {} minutes.",
                pushed.join(", "),
                full_pass_s / 60
            ),
            if others > 0 {
                "Folders where mail must arrive at once can be pushed too (satu folders --push NAME)."
            } else {
                ""
            },
        );
        f.value = Some(0);
        out.push(f);
    } else {
        let mut f = finding(
            account,
            "push",
            if poll_s > 3 { "warning" } else { "good" },
            format!(
                "Your account is polling every {poll_s} s because the server does not offer IDLE: new mail can take that long to show."
            ),
            "Ask the mail provider to enable IMAP IDLE (push); until then mail arrives at the next poll.",
        );
        f.value = Some(poll_s * 1000);
        out.push(f);
    }
    // The live sync logs in once per connection: more than a few a day is a connection that
    // keeps dropping.
    if logins_24h > 24 {
        let mut f = finding(
            account,
            "push",
            "warning",
            format!("The connection to the mail server dropped and was made again {logins_24h} times in 24 hours."),
            "A proxy, VPN or firewall that cuts idle connections does this: allow long-lived connections to the IMAP port, or check the network's stability.",
        );
        f.value = Some(logins_24h);
        out.push(f);
    }
    out
}

/// The time of each step of reaching a server, ms.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Steps {
    pub dns_ms: Option<u64>,
    pub connect_ms: Option<u64>,
    /// The TLS handshake alone (none on a plain loopback connection).
    pub tls_ms: Option<u64>,
    /// Connecting, TLS and logging in, together.
    pub login_ms: Option<u64>,
}

/// How reaching `what` (`IMAP` at `host:port`) went: its steps' times, or the step that failed
/// and why, with the likely fix.
pub(crate) fn reach_finding(
    account: i64,
    what: &str,
    host: &str,
    port: u16,
    steps: Steps,
    failure: Option<(&str, &str)>,
) -> Finding {
    let times = [
        steps.dns_ms.map(|ms| format!("DNS {ms} ms")),
        steps.connect_ms.map(|ms| format!("connect {ms} ms")),
        steps.tls_ms.map(|ms| format!("TLS handshake {ms} ms")),
        steps
            .login_ms
            .map(|ms| format!("connect, TLS and login {ms} ms")),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(", ");
    // The login step repeats the connection and the handshake: the total is DNS and it.
    let total = steps.dns_ms.unwrap_or(0)
        + steps
            .login_ms
            .or_else(|| Some(steps.connect_ms? + steps.tls_ms.unwrap_or(0)))
            .unwrap_or(0);
    let mut f = match failure {
        None => finding(
            account,
            "reachability",
            if total > 3_000 { "warning" } else { "good" },
            format!("{what} {host}:{port} answers ({times})."),
            if total > 3_000 {
                "Reaching the server takes long: a slow network or a distant server delays every sync."
            } else {
                ""
            },
        ),
        Some((step, reason)) => {
            let lower = reason.to_ascii_lowercase();
            let fix = match step {
                "dns" => "The server's name does not resolve: check its spelling in the account, or the network's DNS.",
                _ if lower.contains("refused") => "Nothing listens on that port: check the port in the account (IMAP 993 or 143, submission 465 or 587).",
                _ if lower.contains("timed out") || lower.contains("timeout") || lower.contains("no answer") => "No answer on that port: a firewall or proxy may block it; try from another network, or ask the network's administrator to allow it.",
                _ if lower.contains("certificate") => "The server's certificate is not trusted: check the server name, or add its CA to the account.",
                _ if lower.contains("password") || lower.contains("authentication") || lower.contains("login") => "The server refused the login: sign in again with the right password.",
                _ => "Check the server's name and port in the account, and the network.",
            };
            finding(
                account,
                "reachability",
                "bad",
                format!(
                    "{what} {host}:{port} cannot be reached at the {step} step: {reason}{}",
                    if times.is_empty() {
                        String::new()
                    } else {
                        format!(" (before it: {times})")
                    }
                ),
                fix,
            )
        }
    };
    f.value = Some(total);
    f
}

/// How far `server`'s clock is from this computer's (`offset_s`: the server's minus ours, from
/// its HTTP `Date`). TLS certificates, calendar times and the delivery delay all read clocks.
pub(crate) fn clock_finding(account: i64, server: &str, offset_s: i64) -> Finding {
    let off = offset_s.unsigned_abs();
    let (status, fix) = if off <= 60 {
        ("good", "")
    } else if off <= 300 {
        ("warning", "Set this computer to take its time from the network (NTP); the server's may be off too.")
    } else {
        ("bad", "This computer's clock (or the server's) is wrong by minutes: set it to take its time from the network (NTP). Calendar times, certificates and delays depend on it.")
    };
    let direction = if offset_s >= 0 { "ahead of" } else { "behind" };
    let mut f = finding(
        account,
        "clock",
        status,
        format!("{server}'s clock is {off} s {direction} this computer's."),
        fix,
    );
    f.value = Some(off);
    f
}

/// The offset (s) of the clock of the HTTP server at `url` from ours: its `Date` header against
/// the middle of the request.
async fn http_clock_offset(url: &str, ca_file: Option<&str>) -> Result<i64, String> {
    let mut builder = reqwest::Client::builder()
        .dns_resolver(satu_net::dns::for_http())
        .timeout(STEP_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none());
    if let Some(ca) = ca_file {
        for cert in satu_net::load_ca(std::path::Path::new(ca))? {
            builder = builder.add_root_certificate(cert);
        }
    }
    let client = builder.build().map_err(|e| e.to_string())?;
    let before = chrono::Utc::now();
    let answer = client.head(url).send().await.map_err(|e| e.to_string())?;
    let after = chrono::Utc::now();
    let date = answer
        .headers()
        .get(reqwest::header::DATE)
        .and_then(|d| d.to_str().ok())
        .ok_or("the server sent no Date")?;
    let theirs = chrono::DateTime::parse_from_rfc2822(date)
        .map_err(|e| format!("the server's Date {date:?} cannot be read: {e}"))?;
    let middle = before + (after - before) / 2;
    Ok((theirs.with_timezone(&chrono::Utc) - middle).num_seconds())
}

/// How far the clock of mail account `account`'s server is ahead of ours (s; negative:
/// behind), and whose clock was read. IMAP says no time, so it is read from an HTTP `Date`:
/// the IMAP host's own HTTPS server (most providers have one), else a calendar account of the
/// same host or mail domain. `None` when none answers.
pub(crate) async fn mail_server_clock(
    store: &satu_store::Store,
    account: &Account,
) -> Option<(String, i64)> {
    let accounts = store.accounts().unwrap_or_default();
    for (url, ca_file) in clock_sources(account, &accounts) {
        match http_clock_offset(&url, ca_file.as_deref()).await {
            Ok(offset) => {
                let server = url::Url::parse(&url)
                    .ok()
                    .and_then(|u| u.host_str().map(str::to_owned))
                    .unwrap_or(url);
                return Some((server, offset));
            }
            Err(e) => tracing::debug!(url, error = %e, "No clock from this server."),
        }
    }
    None
}

/// Where the clock of mail account `account`'s server can be read, best first: the IMAP host's
/// HTTPS server, then the calendar accounts (of `accounts`) on the same host or mail domain.
fn clock_sources(account: &Account, accounts: &[Account]) -> Vec<(String, Option<String>)> {
    let host = account.imap.0.to_ascii_lowercase();
    let domain = |email: &str| email.rsplit_once('@').map(|(_, d)| d.to_ascii_lowercase());
    let mut sources = vec![(format!("https://{host}/"), account.ca_file.clone())];
    sources.extend(
        accounts
            .iter()
            .filter(|a| a.kind == AccountKind::Caldav)
            .filter(|a| {
                let theirs = url::Url::parse(&a.url)
                    .ok()
                    .and_then(|u| u.host_str().map(str::to_ascii_lowercase));
                theirs.as_deref() == Some(host.as_str())
                    || (domain(&a.email).is_some() && domain(&a.email) == domain(&account.email))
            })
            .map(|a| (a.url.clone(), a.ca_file.clone())),
    );
    sources
}

/// Reads, in the background, how far account `account`'s server clock is ahead of ours (a
/// mail server's as [`mail_server_clock`] does, a chat server's from its own `Date`) into
/// `ahead_ms` as the correction its delivery delays take ([`super::clock_correction_ms`]). A
/// live sync calls it after each login.
pub(crate) fn measure_clock(ctx: &Context, account: &Account, ahead_ms: Arc<AtomicI64>) {
    let (store, account) = (ctx.store().clone(), account.clone());
    tokio::spawn(async move {
        let offset = match account.kind {
            AccountKind::Imap => mail_server_clock(&store, &account)
                .await
                .map(|(_, offset)| offset),
            _ => http_clock_offset(&account.url, account.ca_file.as_deref())
                .await
                .ok(),
        };
        tracing::info!(
            account = account.id,
            server_ahead_s = offset,
            "Read the server's clock for the delivery delay."
        );
        ahead_ms.store(super::clock_correction_ms(offset), Ordering::Relaxed);
    });
}

/// Whether the newest mail of INBOX is here: `waiting` messages the server has that the last
/// pass did not bring yet.
pub(crate) fn newest_finding(account: i64, waiting: u64) -> Finding {
    let mut f = if waiting == 0 {
        finding(
            account,
            "offline",
            "good",
            "The newest mail in INBOX is here.".into(),
            "",
        )
    } else {
        finding(
            account,
            "offline",
            "warning",
            format!("{waiting} new messages in INBOX on the server are not here yet."),
            "The live sync brings them within seconds while Satu runs; `satu sync` brings them now. If they stay, run the diagnostics again: the server may refuse the fetch.",
        )
    };
    f.value = Some(waiting);
    f
}

/// How many messages INBOX has on the server beyond what the last pass brought (`None` when
/// unknown: not synced yet, or another UIDVALIDITY).
async fn not_here_yet(
    store: &satu_store::Store,
    account: i64,
    session: &mut ImapSession,
) -> Option<u64> {
    let inbox = store
        .folders(account)
        .ok()?
        .into_iter()
        .find(|f| f.role == satu_store::FolderRole::Inbox)?;
    let cursor = store.imap_cursor(inbox.id).ok()??;
    let selected = session.select_folder(&inbox.name, None).await.ok()?;
    if selected.uidvalidity != cursor.uidvalidity {
        return None;
    }
    if selected.uid_next <= cursor.uid_next {
        return Some(0);
    }
    let newer = session.search_uids(Some(cursor.uid_next)).await.ok()?;
    Some(newer.len() as u64)
}

/// What the DNS of the mail domain says: MX, SPF (a TXT `v=spf1` at the domain), DKIM (keys
/// found at common selectors), DMARC (a TXT `v=DMARC1` at `_dmarc`), and times to live.
pub(crate) fn dns_findings(
    account: i64,
    domain: &str,
    mx: &[(String, u32)],
    root_txt: &[(String, u32)],
    dmarc_txt: &[(String, u32)],
    dkim: &[(String, u32)],
) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut with_ttl = |status: &str, title: String, fix: &str, ttl: Option<u32>| {
        let mut f = finding(account, "dns", status, title, fix);
        f.value = ttl.map(u64::from);
        out.push(f);
    };
    // MX.
    match mx.iter().map(|(_, ttl)| *ttl).max() {
        None => with_ttl(
            "bad",
            format!("{domain} has no MX record: mail to it has nowhere to go."),
            "Add MX records for the domain at its DNS provider, as the mail provider says.",
            None,
        ),
        Some(ttl) => {
            let hosts: Vec<&str> = mx.iter().map(|(h, _)| h.as_str()).collect();
            let (status, fix) = if ttl > TTL_MAX {
                ("warning", "Lower the MX records' TTL to 3600 s or less (and to under 600 s a day before changing them), so that a change takes effect quickly.")
            } else if ttl > MX_TTL_FOR_CHANGES {
                ("good", "Before changing the MX records, lower their TTL to under 600 s and wait one old TTL, so that caches follow quickly.")
            } else {
                ("good", "")
            };
            with_ttl(
                status,
                format!(
                    "{domain} receives mail at {} (TTL {ttl} s).",
                    hosts.join(", ")
                ),
                fix,
                Some(ttl),
            );
        }
    }
    // SPF.
    let spf: Vec<&(String, u32)> = root_txt
        .iter()
        .filter(|(t, _)| t.trim_start().to_ascii_lowercase().starts_with("v=spf1"))
        .collect();
    match spf.as_slice() {
        [] => with_ttl(
            "warning",
            format!("{domain} publishes no SPF record: receivers cannot tell which servers may send its mail."),
            "Add a TXT record \"v=spf1 include:… -all\" naming the provider's servers (the provider documents it).",
            None,
        ),
        [(text, ttl)] => {
            let soft = text.contains("+all") || text.contains("?all");
            let (status, fix) = if soft {
                ("warning", "End the SPF record with -all or ~all: +all and ?all let anyone send as the domain.")
            } else if *ttl > TTL_MAX {
                ("warning", "Lower the SPF record's TTL to 3600 s or less.")
            } else {
                ("good", "")
            };
            with_ttl(status, format!("SPF: {text} (TTL {ttl} s)."), fix, Some(*ttl));
        }
        _ => with_ttl(
            "bad",
            format!("{domain} publishes {} SPF records: receivers treat that as an error (permerror).", spf.len()),
            "Merge them into one TXT record starting with v=spf1.",
            spf.iter().map(|(_, ttl)| *ttl).max(),
        ),
    }
    // DKIM.
    if dkim.is_empty() {
        with_ttl(
            "warning",
            format!("No DKIM key found for {domain} at the common selectors ({}).", DKIM_SELECTORS.join(", ")),
            "Turn on DKIM signing at the mail provider and publish its key; a provider with its own selector may have one already (see a sent mail's DKIM-Signature s= tag).",
            None,
        );
    } else {
        let ttl = dkim.iter().map(|(_, t)| *t).max().unwrap_or(0);
        let selectors: Vec<&str> = dkim.iter().map(|(s, _)| s.as_str()).collect();
        with_ttl(
            if ttl > TTL_MAX { "warning" } else { "good" },
            format!(
                "DKIM keys published at the selectors {} (TTL {ttl} s).",
                selectors.join(", ")
            ),
            if ttl > TTL_MAX {
                "Lower the DKIM records' TTL to 3600 s or less, so that a key rotation takes effect quickly."
            } else {
                ""
            },
            Some(ttl),
        );
    }
    // DMARC.
    let dmarc: Vec<&(String, u32)> = dmarc_txt
        .iter()
        .filter(|(t, _)| t.trim_start().to_ascii_uppercase().starts_with("V=DMARC1"))
        .collect();
    match dmarc.first() {
        None => with_ttl(
            "warning",
            format!("{domain} publishes no DMARC policy: mail forged in its name is not refused."),
            "Add a TXT record at _dmarc with \"v=DMARC1; p=none; rua=mailto:…\", read the reports, then move to p=quarantine or p=reject.",
            None,
        ),
        Some((text, ttl)) => {
            let policy = text
                .split(';')
                .filter_map(|part| part.trim().strip_prefix("p="))
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            let (status, fix) = match policy.as_str() {
                "reject" | "quarantine" if *ttl <= TTL_MAX => ("good", ""),
                "reject" | "quarantine" => ("warning", "Lower the DMARC record's TTL to 3600 s or less."),
                "none" => ("warning", "p=none only monitors: once the reports show all the domain's mail passes, move to p=quarantine or p=reject."),
                _ => ("bad", "The DMARC record has no valid p= policy: write p=none, p=quarantine or p=reject."),
            };
            with_ttl(status, format!("DMARC: {text} (TTL {ttl} s)."), fix, Some(*ttl));
        }
    }
    out
}

/// How often the live sync looks, as the diagnostics report it: a watcher's poll on a server
/// without IDLE, and the full pass over every folder (s).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Pace {
    pub poll_s: u64,
    pub full_pass_s: u64,
}

/// The diagnostics of every account (or one).
pub(crate) async fn diagnose(
    ctx: &Context,
    only: Option<i64>,
    pace: Pace,
) -> ApiResult<dto::Diagnosis> {
    let store = ctx.store();
    let mut findings = Vec::new();
    let logins = {
        let since = chrono::Utc::now().timestamp_millis() - 24 * 3_600_000;
        store.health_hours(since)?
    };
    for account in store.accounts()? {
        if only.is_some_and(|id| id != account.id) {
            continue;
        }
        match account.kind {
            AccountKind::Imap => {
                findings.extend(diagnose_mail(ctx, &account, &logins, pace).await?)
            }
            AccountKind::Caldav | AccountKind::Matrix => {
                if let Ok(url) = url::Url::parse(&account.url) {
                    let host = url.host_str().unwrap_or_default().to_owned();
                    let port = url.port_or_known_default().unwrap_or(443);
                    let (steps, failure) = reach_tcp(&host, port).await;
                    let what = if account.kind == AccountKind::Caldav {
                        "CalDAV"
                    } else {
                        "Matrix"
                    };
                    let reached = failure.is_none();
                    let failure = failure.as_ref().map(|(s, r)| (*s, r.as_str()));
                    findings.push(reach_finding(account.id, what, &host, port, steps, failure));
                    if reached {
                        match http_clock_offset(&account.url, account.ca_file.as_deref()).await {
                            Ok(offset) => findings.push(clock_finding(account.id, &host, offset)),
                            Err(e) => tracing::debug!(error = %e, "No clock offset."),
                        }
                    }
                }
            }
            AccountKind::Local => {}
        }
    }
    Ok(dto::Diagnosis { findings })
}

fn ms(since: Instant) -> u64 {
    since.elapsed().as_millis() as u64
}

/// DNS and TCP connect to `host:port`: the steps' times, or the step that failed and why.
async fn reach_tcp(host: &str, port: u16) -> (Steps, Option<(&'static str, String)>) {
    let mut steps = Steps::default();
    let started = Instant::now();
    let addresses = match satu_net::dns::addresses(host, port).await {
        Ok(a) if !a.is_empty() => a,
        Ok(_) => return (steps, Some(("dns", format!("{host} has no address")))),
        Err(e) => return (steps, Some(("dns", e))),
    };
    steps.dns_ms = Some(ms(started));
    let started = Instant::now();
    match tokio::time::timeout(STEP_TIMEOUT, tokio::net::TcpStream::connect(addresses[0])).await {
        Ok(Ok(_)) => steps.connect_ms = Some(ms(started)),
        Ok(Err(e)) => return (steps, Some(("connect", e.to_string()))),
        Err(_) => {
            return (
                steps,
                Some((
                    "connect",
                    format!("no answer within {} s (timed out)", STEP_TIMEOUT.as_secs()),
                )),
            )
        }
    }
    (steps, None)
}

async fn diagnose_mail(
    ctx: &Context,
    account: &Account,
    hours: &[satu_store::HealthHour],
    pace: Pace,
) -> ApiResult<Vec<Finding>> {
    let store = ctx.store();
    let mut out = Vec::new();
    // IMAP: DNS, connect, then TLS and login (which also says whether IDLE is offered).
    let (host, port) = account.imap.clone();
    let (mut steps, mut failure) = reach_tcp(&host, port).await;
    let mut has_idle = None;
    let mut waiting = None;
    if failure.is_none() {
        let auth = crate::oauth::auth(ctx, account)?;
        let config = crate::accounts::imap_config(account, auth);
        match tokio::time::timeout(STEP_TIMEOUT, ImapSession::time_tls_handshake(&config)).await {
            Ok(Ok(took)) => steps.tls_ms = took.map(|t| t.as_millis() as u64),
            Ok(Err(e)) => failure = Some(("TLS", e.to_string())),
            Err(_) => {
                failure = Some((
                    "TLS",
                    format!("no answer within {} s (timed out)", STEP_TIMEOUT.as_secs()),
                ))
            }
        }
    }
    if failure.is_none() {
        let auth = crate::oauth::auth(ctx, account)?;
        let started = Instant::now();
        let config = crate::accounts::imap_config(account, auth);
        match tokio::time::timeout(STEP_TIMEOUT, ImapSession::connect(&config)).await {
            Ok(Ok(mut session)) => {
                steps.login_ms = Some(ms(started));
                has_idle = Some(session.has("IDLE"));
                waiting = not_here_yet(store, account.id, &mut session).await;
                session.logout().await;
            }
            Ok(Err(e)) => failure = Some(("login", e.to_string())),
            Err(_) => {
                failure = Some((
                    "login",
                    format!("no answer within {} s (timed out)", STEP_TIMEOUT.as_secs()),
                ))
            }
        }
    }
    let failed = failure.as_ref().map(|(s, r)| (*s, r.as_str()));
    out.push(reach_finding(
        account.id, "IMAP", &host, port, steps, failed,
    ));
    // SMTP: DNS and connect.
    let (smtp_host, smtp_port) = account.smtp.clone();
    if !smtp_host.is_empty() {
        let (steps, failure) = reach_tcp(&smtp_host, smtp_port).await;
        let failed = failure.as_ref().map(|(s, r)| (*s, r.as_str()));
        out.push(reach_finding(
            account.id, "SMTP", &smtp_host, smtp_port, steps, failed,
        ));
    }
    if let Some(waiting) = waiting {
        out.push(newest_finding(account.id, waiting));
    }
    if let Some((server, offset)) = mail_server_clock(store, account).await {
        out.push(clock_finding(account.id, &server, offset));
    }
    // Push or polling.
    if let Some(has_idle) = has_idle {
        let folders = store.folders(account.id)?;
        let selectable: Vec<_> = folders.iter().filter(|f| f.selectable).collect();
        let mut pushed: Vec<String> = selectable
            .iter()
            .filter(|f| f.pushed())
            .map(|f| f.name.clone())
            .collect();
        if pushed.is_empty() {
            pushed.push("INBOX".to_owned());
        }
        let logins: u64 = hours
            .iter()
            .filter(|h| h.account_id == account.id && h.metric.starts_with("login_"))
            .map(|h| h.count)
            .sum();
        out.extend(push_findings(
            account.id,
            has_idle,
            &pushed,
            selectable.len().max(1),
            pace.poll_s,
            pace.full_pass_s,
            logins,
        ));
    }
    // The mail domain's DNS.
    if let Some((_, domain)) = account.email.rsplit_once('@') {
        let domain = domain.trim().to_ascii_lowercase();
        let dns = async {
            let mx = satu_net::dns::mx_with_ttl(&domain).await?;
            let root = satu_net::dns::txt_with_ttl(&domain).await?;
            let dmarc = satu_net::dns::txt_with_ttl(&format!("_dmarc.{domain}")).await?;
            let mut dkim = Vec::new();
            for selector in DKIM_SELECTORS {
                let found =
                    satu_net::dns::txt_with_ttl(&format!("{selector}._domainkey.{domain}")).await?;
                if let Some((_, ttl)) = found.iter().find(|(t, _)| t.contains("p=")) {
                    dkim.push((selector.to_owned(), *ttl));
                }
            }
            Ok::<_, String>((mx, root, dmarc, dkim))
        };
        match dns.await {
            Ok((mx, root, dmarc, dkim)) => {
                out.extend(dns_findings(account.id, &domain, &mx, &root, &dmarc, &dkim))
            }
            Err(e) => out.push(finding(
                account.id,
                "dns",
                "bad",
                format!("The DNS of {domain} cannot be read: {e}"),
                "Check the network's DNS server (or SATU_DNS_SERVER).",
            )),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn statuses(found: &[Finding]) -> Vec<&str> {
        found.iter().map(|f| f.status.as_str()).collect()
    }

    #[test]
    fn polling_is_named_with_its_interval_and_a_dropping_connection_is_said() {
        let polled = push_findings(1, false, &["INBOX".into()], 4, 60, 300, 2);
        assert_eq!(statuses(&polled), ["warning"]);
        assert!(
            polled[0]
                .title
                .contains("polling every 60 s because the server does not offer IDLE"),
            "{}",
            polled[0].title
        );
        assert!(polled[0].fix.contains("IDLE"));
        let pushed = push_findings(1, true, &["INBOX".into(), "Work".into()], 5, 60, 300, 3);
        assert_eq!(statuses(&pushed), ["good"]);
        assert!(pushed[0]
            .title
            .contains("INBOX, Work; the 3 other folders are checked every 5 minutes"));
        let dropping = push_findings(1, true, &["INBOX".into()], 1, 60, 300, 40);
        assert_eq!(statuses(&dropping), ["good", "warning"]);
        assert!(dropping[1].title.contains("40 times"));
    }

    #[test]
    fn an_unreachable_server_names_the_step_and_the_likely_fix() {
        let ok = Steps {
            dns_ms: Some(2),
            connect_ms: Some(1),
            tls_ms: Some(9),
            login_ms: Some(30),
        };
        let good = reach_finding(1, "IMAP", "imap.x", 993, ok, None);
        assert_eq!(good.status, "good");
        assert_eq!(good.value, Some(32));
        assert!(
            good.title.contains(
                "DNS 2 ms, connect 1 ms, TLS handshake 9 ms, connect, TLS and login 30 ms"
            ),
            "{}",
            good.title
        );
        // Without a login step (an HTTP server): DNS and connect.
        let http = Steps {
            dns_ms: Some(2),
            connect_ms: Some(5),
            ..Steps::default()
        };
        assert_eq!(
            reach_finding(1, "CalDAV", "dav.x", 443, http, None).value,
            Some(7)
        );
        let refused = reach_finding(
            1,
            "IMAP",
            "imap.x",
            994,
            Steps {
                dns_ms: Some(2),
                ..Steps::default()
            },
            Some(("connect", "Connection refused (os error 111)")),
        );
        assert_eq!(refused.status, "bad");
        assert!(refused.fix.contains("Nothing listens"));
        let blocked = reach_finding(
            1,
            "SMTP",
            "smtp.x",
            587,
            Steps::default(),
            Some(("connect", "no answer within 10 s (timed out)")),
        );
        assert!(blocked.fix.contains("firewall or proxy"));
        let name = reach_finding(
            1,
            "IMAP",
            "imap.nowhere",
            993,
            Steps::default(),
            Some(("dns", "no such name")),
        );
        assert!(name.fix.contains("does not resolve"));
    }

    #[test]
    fn mail_on_the_server_not_here_yet_is_a_warning() {
        assert_eq!(newest_finding(1, 0).status, "good");
        let behind = newest_finding(1, 3);
        assert_eq!(behind.status, "warning");
        assert!(behind.title.contains("3 new messages"));
    }

    fn account(id: i64, kind: AccountKind, email: &str, imap: &str, url: &str) -> Account {
        Account {
            id,
            kind,
            name: String::new(),
            email: email.to_owned(),
            imap: (imap.to_owned(), 993),
            smtp: (String::new(), 465),
            security: satu_store::Security::Tls,
            username: String::new(),
            ca_file: None,
            notify: true,
            in_timeline: true,
            smtp_security: satu_store::Security::Tls,
            smtp_saves_sent: None,
            url: url.to_owned(),
            principal: String::new(),
            home: String::new(),
            device_id: String::new(),
            offline_days: None,
            offline_chosen: true,
        }
    }

    #[test]
    fn a_mail_servers_clock_is_read_from_its_host_or_a_calendar_of_the_same_provider() {
        let mail = account(
            1,
            AccountKind::Imap,
            "ana@Example.org",
            "IMAP.example.org",
            "",
        );
        let others = [
            account(
                2,
                AccountKind::Caldav,
                "ana@example.org",
                "",
                "https://dav.example.org/",
            ),
            account(
                3,
                AccountKind::Caldav,
                "bo@other.net",
                "",
                "https://imap.example.org/dav/",
            ),
            account(
                4,
                AccountKind::Caldav,
                "bo@other.net",
                "",
                "https://dav.other.net/",
            ),
            account(
                5,
                AccountKind::Matrix,
                "ana@example.org",
                "",
                "https://chat.example.org/",
            ),
            account(6, AccountKind::Caldav, "", "", "https://dav.nobody.net/"),
        ];
        let urls: Vec<String> = clock_sources(&mail, &others)
            .into_iter()
            .map(|(url, _)| url)
            .collect();
        assert_eq!(
            urls,
            [
                "https://imap.example.org/",
                "https://dav.example.org/",
                "https://imap.example.org/dav/"
            ]
        );
    }

    #[test]
    fn a_clock_minutes_off_is_bad() {
        assert_eq!(clock_finding(1, "dav.x", 3).status, "good");
        let off = clock_finding(1, "dav.x", -120);
        assert_eq!(off.status, "warning");
        assert!(off.title.contains("120 s behind"), "{}", off.title);
        let bad = clock_finding(1, "dav.x", 900);
        assert_eq!(bad.status, "bad");
        assert!(bad.fix.contains("NTP"));
        assert_eq!(bad.value, Some(900));
    }

    #[test]
    fn the_domains_dns_is_read_with_its_ttls() {
        let good = dns_findings(
            1,
            "good.test",
            &[("mx1.good.test".into(), 300)],
            &[("v=spf1 ip4:127.0.0.1 -all".into(), 300)],
            &[("v=DMARC1; p=reject; rua=mailto:d@good.test".into(), 300)],
            &[("selector1".into(), 300)],
        );
        assert_eq!(statuses(&good), ["good", "good", "good", "good"]);
        let bad = dns_findings(
            1,
            "bad.test",
            &[("mx.bad.test".into(), 86_400)],
            &[
                ("v=spf1 a -all".into(), 300),
                ("v=spf1 mx ~all".into(), 300),
            ],
            &[("v=DMARC1; p=none".into(), 7_200)],
            &[],
        );
        assert_eq!(statuses(&bad), ["warning", "bad", "warning", "warning"]);
        assert!(bad[0].fix.contains("3600 s"));
        assert!(bad[1].title.contains("2 SPF records"));
        assert!(bad[2].title.contains("No DKIM key"));
        assert!(bad[3].fix.contains("p=quarantine or p=reject"));
        let none = dns_findings(
            1,
            "none.test",
            &[],
            &[("google-site-verification=x".into(), 60)],
            &[],
            &[],
        );
        assert_eq!(statuses(&none), ["bad", "warning", "warning", "warning"]);
        let mid = dns_findings(
            1,
            "mid.test",
            &[("mx.mid.test".into(), 1_800)],
            &[("v=spf1 +all".into(), 60)],
            &[("v=DMARC1; p=quarantine".into(), 60)],
            &[("default".into(), 60)],
        );
        assert_eq!(statuses(&mid), ["good", "warning", "good", "good"]);
        assert!(mid[0].fix.contains("under 600 s"));
        assert!(mid[1].fix.contains("+all"));
    }
}
