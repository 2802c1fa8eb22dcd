//! Sender trust: who really sent a mail (DKIM, SPF, DMARC, ARC through `mail-auth`, on the
//! core's resolver), and look-alike and impersonation warnings.
//!
//! - The verdict is a pure decision ([`verdict`]) from what the checks said; where the mail
//!   entered the user's provider, and which `Authentication-Results` the provider itself wrote,
//!   are pure readings of the header block ([`received`]); the warnings too ([`lookalike`]).
//!   This module only gathers the facts (DNS through `mail-auth`, the store) and keeps the
//!   result in `sender_checks`.
//! - When the provider wrote trusted results, they are used (they were computed when the mail
//!   arrived, with the connecting address in hand: a key rotated since cannot fail old mail);
//!   otherwise Satu checks itself. A check troubled by DNS is not kept and is done again.
//! - Mail that arrived in the last [`AUTO_DAYS`] is checked in the background beside the live
//!   sync and after `satu sync` ([`run`], [`check_new`]: off the sync's writer path,
//!   [`PARALLEL`] at a time); older mail is checked when it is opened ([`authenticate`]). A stored check says when it was made: mail
//!   read offline shows the verdict of that moment.
//! - DNS answers are cached for their time to live, bounded ([`cache`]).

mod cache;
pub(crate) mod delivery;
pub(crate) mod domain;
pub(crate) mod lookalike;
pub(crate) mod received;
pub(crate) mod verdict;

use std::collections::HashSet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use anyhow::Context as _;
use mail_auth::dmarc::verify::DmarcParameters;
use mail_auth::dmarc::Policy;
use mail_auth::spf::verify::SpfParameters;
use mail_auth::{
    AuthenticatedMessage, DkimResult, DmarcResult, MessageAuthenticator, Parameters, RecordSet,
    SpfOutput, SpfResult, Txt, MX,
};
use satu_store::{SenderCheck, Store};
use tokio_util::sync::CancellationToken;

use crate::context::Context;
use crate::dto;
use crate::error::{ApiError, ApiResult};
use cache::Answers;
use received::ProviderResults;
use verdict::{Decision, Facts};

/// Mail newer than this many days is checked when it arrives; older mail when opened.
pub(crate) const AUTO_DAYS: i64 = 14;

/// Checks made at once by [`check_new`].
const PARALLEL: usize = 8;

/// Checks per [`check_new`] pass (the next pass goes on).
const PER_PASS: u32 = 500;

/// The DNS caches every check shares.
struct Caches {
    txt: Answers<Box<str>, Txt>,
    mx: Answers<Box<str>, RecordSet<MX>>,
    v4: Answers<Box<str>, RecordSet<Ipv4Addr>>,
    v6: Answers<Box<str>, RecordSet<Ipv6Addr>>,
    ptr: Answers<IpAddr, RecordSet<Box<str>>>,
}

type Cached<P> = Parameters<
    'static,
    P,
    Answers<Box<str>, Txt>,
    Answers<Box<str>, RecordSet<MX>>,
    Answers<Box<str>, RecordSet<Ipv4Addr>>,
    Answers<Box<str>, RecordSet<Ipv6Addr>>,
    Answers<IpAddr, RecordSet<Box<str>>>,
>;

/// `params` with the shared caches.
fn cached<P>(params: P) -> Cached<P> {
    static CACHES: OnceLock<Caches> = OnceLock::new();
    let c = CACHES.get_or_init(|| Caches {
        txt: Answers::default(),
        mx: Answers::default(),
        v4: Answers::default(),
        v6: Answers::default(),
        ptr: Answers::default(),
    });
    Parameters::new(params)
        .with_txt_cache(&c.txt)
        .with_mx_cache(&c.mx)
        .with_ipv4_cache(&c.v4)
        .with_ipv6_cache(&c.v6)
        .with_ptr_cache(&c.ptr)
}

/// The header block, top first, each value unfolded.
fn header_list(message: &AuthenticatedMessage<'_>) -> Vec<(String, String)> {
    message
        .headers
        .iter()
        .map(|(name, value)| {
            let value = String::from_utf8_lossy(value);
            let unfolded: String = value
                .split(['\r', '\n'])
                .map(str::trim)
                .filter(|part| !part.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            (String::from_utf8_lossy(name).trim().to_owned(), unfolded)
        })
        .collect()
}

/// From (address, display name), Reply-To's address and Return-Path's, read with the mail
/// parser (encoded words decoded).
fn senders(raw: &[u8]) -> (String, String, Option<String>, String) {
    let Some(parsed) = mail_parser::MessageParser::new().parse_headers(raw) else {
        return (String::new(), String::new(), None, String::new());
    };
    let first = |a: Option<&mail_parser::Address<'_>>| {
        a.and_then(|a| a.first()).map(|addr| {
            (
                addr.address().unwrap_or_default().to_owned(),
                addr.name().unwrap_or_default().to_owned(),
            )
        })
    };
    let (address, name) = first(parsed.from()).unwrap_or_default();
    let reply_to = first(parsed.reply_to()).map(|(a, _)| a);
    let return_path = parsed
        .return_path()
        .as_text()
        .map(|t| t.trim().trim_matches(['<', '>']).to_owned())
        .or_else(|| first(parsed.return_path().as_address()).map(|(a, _)| a))
        .unwrap_or_default();
    (address, name, reply_to, return_path)
}

fn dkim_word(result: &DkimResult) -> verdict::Word {
    match result {
        DkimResult::Pass => "pass",
        // The body changed after signing: a signature that does not verify (RFC 6376 6.1.3),
        // which mail-auth calls neutral.
        DkimResult::Neutral(mail_auth::Error::Dkim(
            mail_auth::dkim::DkimError::FailedBodyHashMatch,
        )) => "fail",
        DkimResult::Neutral(_) => "neutral",
        DkimResult::Fail(_) => "fail",
        DkimResult::PermError(_) => "permerror",
        DkimResult::TempError(_) => "temperror",
        DkimResult::None => "none",
    }
}

fn spf_word(result: SpfResult) -> verdict::Word {
    match result {
        SpfResult::Pass => "pass",
        SpfResult::Fail => "fail",
        SpfResult::SoftFail => "softfail",
        SpfResult::Neutral => "neutral",
        SpfResult::TempError => "temperror",
        SpfResult::PermError => "permerror",
        SpfResult::None => "none",
    }
}

fn dmarc_word(result: &DmarcResult) -> verdict::Word {
    match result {
        DmarcResult::Pass => "pass",
        DmarcResult::Fail(_) => "fail",
        DmarcResult::TempError(_) => "temperror",
        DmarcResult::PermError(_) => "permerror",
        DmarcResult::None => "none",
    }
}

/// An RFC 8601 result word as one of ours.
fn word(text: &str) -> verdict::Word {
    match text {
        "pass" => "pass",
        "fail" | "hardfail" => "fail",
        "softfail" => "softfail",
        "neutral" | "policy" => "neutral",
        "temperror" => "temperror",
        "permerror" => "permerror",
        _ => "none",
    }
}

/// The facts as the provider wrote them, when it said anything about DKIM or DMARC.
fn facts_from_provider(results: &ProviderResults, from_domain: &str) -> Option<Facts> {
    fn said<'a>(
        results: &'a ProviderResults,
        method: &'a str,
    ) -> impl Iterator<Item = &'a received::ProviderResult> + 'a {
        results.results.iter().filter(move |r| r.method == method)
    }
    let said = |m: &'static str| said(results, m);
    if said("dkim").next().is_none() && said("dmarc").next().is_none() {
        return None;
    }
    let dkim = said("dkim")
        .map(|r| verdict::Dkim {
            domain: r
                .prop("header.d")
                .or_else(|| {
                    r.prop("header.i")
                        .map(|i| i.rsplit('@').next().unwrap_or(i))
                })
                .unwrap_or_default()
                .to_ascii_lowercase(),
            selector: r.prop("header.s").unwrap_or_default().to_owned(),
            result: word(&r.result),
        })
        .filter(|d| d.result != "none")
        .collect();
    let spf = said("spf").next().map(|r| verdict::Spf {
        result: word(&r.result),
        domain: r
            .prop("smtp.mailfrom")
            .or_else(|| r.prop("smtp.helo"))
            .map(|v| v.rsplit('@').next().unwrap_or(v).to_ascii_lowercase())
            .unwrap_or_default(),
        ip: String::new(),
    });
    let dmarc = said("dmarc")
        .next()
        .filter(|r| r.result != "none")
        .map(|r| verdict::Dmarc {
            result: word(&r.result),
            policy: r.prop("policy").unwrap_or_default().to_owned(),
            aligned: r.result == "pass",
        });
    Some(Facts {
        from_domain: from_domain.to_owned(),
        dkim,
        spf,
        dmarc,
        arc: said("arc").next().map(|r| verdict::Arc {
            result: word(&r.result),
            sealer: String::new(),
            original_passed: false,
        }),
    })
}

/// Whether the first forwarder's ARC results (instance 1) say DKIM or DMARC passed for From.
fn arc_original_passed(headers: &[(String, String)], from_domain: &str) -> bool {
    headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("ARC-Authentication-Results"))
        .filter_map(|(_, v)| {
            let (instance, rest) = v.split_once(';')?;
            (instance.trim().replace(' ', "") == "i=1").then_some(rest)
        })
        .map(received::parse_authentication_results)
        .any(|r| {
            r.results.iter().any(|x| {
                x.result == "pass"
                    && match x.method.as_str() {
                        "dmarc" => x
                            .prop("header.from")
                            .is_some_and(|d| d.eq_ignore_ascii_case(from_domain)),
                        "dkim" => x
                            .prop("header.d")
                            .is_some_and(|d| verdict::aligned(d, from_domain)),
                        _ => false,
                    }
            })
        })
}

/// The facts as Satu checks them itself.
async fn facts_checked_here(
    message: &AuthenticatedMessage<'_>,
    headers: &[(String, String)],
    entry: Option<&received::Entry>,
    from_domain: &str,
    return_path: &str,
) -> Result<Facts, String> {
    let resolver = satu_net::dns::shared()?;
    let authenticator = MessageAuthenticator(resolver);
    let dkim_output = authenticator.verify_dkim(cached(message)).await;
    let dkim = dkim_output
        .iter()
        .filter_map(|o| {
            let signature = o.signature()?;
            Some(verdict::Dkim {
                domain: signature.d.to_ascii_lowercase(),
                selector: signature.s.clone(),
                result: dkim_word(o.result()),
            })
        })
        .collect();
    let arc = if message.as_headers.is_empty() {
        None
    } else {
        let output = authenticator.verify_arc(cached(message)).await;
        let sealer = output
            .sets()
            .last()
            .map(|set| set.seal.header.d.clone())
            .unwrap_or_default();
        Some(verdict::Arc {
            result: dkim_word(output.result()),
            sealer,
            original_passed: arc_original_passed(headers, from_domain),
        })
    };
    let mail_from_domain = return_path
        .rsplit_once('@')
        .map(|(_, d)| d.to_ascii_lowercase())
        .unwrap_or_default();
    let (spf_output, spf) = match entry {
        Some(entry) => {
            let helo = if entry.helo.is_empty() {
                entry.ip.to_string()
            } else {
                entry.helo.clone()
            };
            let params = if return_path.is_empty() {
                SpfParameters::verify_ehlo(entry.ip, &helo, &entry.by)
            } else {
                SpfParameters::verify_mail_from(entry.ip, &helo, &entry.by, return_path)
            };
            let output = authenticator.verify_spf(cached(params)).await;
            let spf = verdict::Spf {
                result: spf_word(output.result()),
                domain: output.domain().to_ascii_lowercase(),
                ip: entry.ip.to_string(),
            };
            (output, Some(spf))
        }
        None => (SpfOutput::new(mail_from_domain.clone()), None),
    };
    let dmarc_output = authenticator
        .verify_dmarc(cached(DmarcParameters::new(
            message,
            &dkim_output,
            if mail_from_domain.is_empty() {
                from_domain
            } else {
                &mail_from_domain
            },
            &spf_output,
        )))
        .await;
    let dmarc = dmarc_output.dmarc_record().map(|_| {
        let aligned = dmarc_output.dkim_result() == &DmarcResult::Pass
            || dmarc_output.spf_result() == &DmarcResult::Pass;
        verdict::Dmarc {
            result: if aligned {
                "pass"
            } else {
                dmarc_word(&dmarc_output.result())
            },
            policy: match dmarc_output.policy() {
                Policy::None => "none",
                Policy::Quarantine => "quarantine",
                Policy::Reject => "reject",
                Policy::Unspecified => "",
            }
            .to_owned(),
            aligned,
        }
    });
    let dmarc = match dmarc {
        Some(d) => Some(d),
        // No record: a lookup that failed says so (temporary), an absent one is no DMARC.
        None => match dmarc_output.result() {
            DmarcResult::TempError(_) => Some(verdict::Dmarc {
                result: "temperror",
                policy: String::new(),
                aligned: false,
            }),
            _ => None,
        },
    };
    Ok(Facts {
        from_domain: from_domain.to_owned(),
        dkim,
        spf,
        dmarc,
        arc,
    })
}

/// Checks one message (see the module): the result, and whether it is only temporary.
pub(crate) async fn check(
    raw: &[u8],
    server_host: &str,
    knowledge: impl FnOnce(&str, &str) -> anyhow::Result<lookalike::Known>,
    checked_at_ms: i64,
) -> anyhow::Result<(dto::Authentication, bool)> {
    let (address, name, reply_to, return_path) = senders(raw);
    let from_domain = address
        .rsplit_once('@')
        .map(|(_, d)| d.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let known = knowledge(&address, &name)?;
    let warnings = lookalike::warnings(
        &lookalike::Sender {
            address: &address,
            name: &name,
            reply_to: reply_to.as_deref(),
        },
        &known,
    );
    let (facts, source, trouble) = match AuthenticatedMessage::parse(raw) {
        None => (
            None,
            "satu",
            Some("the message's header could not be read".to_owned()),
        ),
        Some(message) => {
            let headers = header_list(&message);
            let bases = received::provider_bases(&headers, server_host);
            let entry = received::entry(&headers, &bases);
            match received::provider_results(&headers, &bases, entry.as_ref())
                .and_then(|r| facts_from_provider(&r, &from_domain))
            {
                Some(mut facts) => {
                    if let (Some(spf), Some(entry)) = (facts.spf.as_mut(), entry.as_ref()) {
                        spf.ip = entry.ip.to_string();
                    }
                    (Some(facts), "provider", None)
                }
                None if !satu_net::dns::available() => (
                    None,
                    "satu",
                    Some("DNS is off here; the sender is checked when it is back".to_owned()),
                ),
                None => {
                    match facts_checked_here(
                        &message,
                        &headers,
                        entry.as_ref(),
                        &from_domain,
                        &return_path,
                    )
                    .await
                    {
                        Ok(facts) => (Some(facts), "satu", None),
                        Err(e) => (None, "satu", Some(e)),
                    }
                }
            }
        }
    };
    let (decision, facts) = match facts {
        Some(facts) => (verdict::decide(&facts), facts),
        None => (
            Decision {
                verdict: verdict::Verdict::Unverified,
                reasons: trouble.into_iter().collect(),
                guard: false,
                temporary: true,
            },
            Facts::default(),
        ),
    };
    let temporary = decision.temporary;
    Ok((
        authentication(decision, facts, warnings, source, checked_at_ms),
        temporary,
    ))
}

fn authentication(
    decision: Decision,
    facts: Facts,
    warnings: Vec<lookalike::Warning>,
    source: &str,
    checked_at_ms: i64,
) -> dto::Authentication {
    dto::Authentication {
        verdict: decision.verdict.as_str().to_owned(),
        reasons: decision.reasons,
        dkim: facts
            .dkim
            .into_iter()
            .map(|d| dto::DkimCheck {
                domain: d.domain,
                selector: d.selector,
                result: d.result.to_owned(),
            })
            .collect(),
        spf: facts.spf.map(|s| dto::SpfCheck {
            result: s.result.to_owned(),
            ip: s.ip,
            domain: s.domain,
        }),
        dmarc: facts.dmarc.map(|d| dto::DmarcCheck {
            result: d.result.to_owned(),
            policy: d.policy,
            aligned: d.aligned,
        }),
        arc: facts.arc.map(|a| dto::ArcCheck {
            result: a.result.to_owned(),
            sealer: a.sealer,
        }),
        warnings: warnings
            .into_iter()
            .map(|w| dto::SenderWarning {
                kind: w.kind.to_owned(),
                text: w.text,
            })
            .collect(),
        guard: decision.guard,
        source: source.to_owned(),
        checked_at: dto::rfc3339(checked_at_ms),
    }
}

/// The knowledge of the store for a check, as the look-alike rules want it.
fn known(store: &Store, address: &str, name: &str) -> anyhow::Result<lookalike::Known> {
    let k = store.sender_knowledge(address, name)?;
    Ok(lookalike::Known {
        domains: k
            .domains
            .into_iter()
            .filter_map(|d| lookalike::domain_of(&format!("x@{d}")))
            .collect(),
        same_name: k.same_name,
        known_sender: k.known_sender,
    })
}

/// Checks mail `id` and keeps the result unless DNS trouble made it temporary (then `true`).
async fn check_and_keep(
    store: &Store,
    id: i64,
    account_id: i64,
) -> anyhow::Result<(dto::Authentication, bool)> {
    let raw = store.raw_message(id)?;
    let account = store.account(account_id)?;
    let now = chrono::Utc::now().timestamp_millis();
    let (auth, temporary) = check(&raw, &account.imap.0, |a, n| known(store, a, n), now).await?;
    if !temporary {
        let details = serde_json::to_string(&auth).context("Cannot write a sender check")?;
        let row = SenderCheck {
            item_id: id,
            verdict: auth.verdict.clone(),
            guard: auth.guard,
            warnings: auth.warnings.len() as i64,
            details,
            checked_at: now,
        };
        store.write(|tx| tx.put_sender_check(&row))?;
    }
    Ok((auth, temporary))
}

/// The check of mail `id`: the stored one, else checked now (and kept).
pub(crate) async fn authenticate(
    store: &Store,
    id: i64,
    again: bool,
) -> ApiResult<dto::Authentication> {
    let item = store.item_row(id)?;
    if item.kind != satu_store::ItemKind::Mail {
        return Err(ApiError::invalid(
            "id",
            format!("Item {id} is not a mail: only mail has a sender to check"),
        ));
    }
    if !again {
        if let Some(stored) = stored(store, id)? {
            return Ok(stored);
        }
    }
    Ok(check_and_keep(store, id, item.account_id).await?.0)
}

/// The stored check of mail `id`.
pub(crate) fn stored(store: &Store, id: i64) -> ApiResult<Option<dto::Authentication>> {
    Ok(store
        .sender_check(id)?
        .and_then(|c| serde_json::from_str(&c.details).ok()))
}

/// What one [`check_new`] pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Pass {
    /// Checks made and kept.
    pub kept: usize,
    /// Checks DNS troubled (not kept; deferred).
    pub troubled: usize,
    /// More mail waits (the pass stopped at [`PER_PASS`]).
    pub more: bool,
}

/// Checks the mail of the last [`AUTO_DAYS`] not checked yet and not in `deferred`, newest
/// first, [`PARALLEL`] at a time, at most [`PER_PASS`]. A check DNS troubled goes into
/// `deferred`; a round troubled whole ends the pass. Stops early when `cancel` fires.
pub(crate) async fn check_new(
    store: &Arc<Store>,
    cancel: &CancellationToken,
    deferred: &mut HashSet<i64>,
) -> anyhow::Result<Pass> {
    let mut pass = Pass::default();
    if !satu_net::dns::available() {
        return Ok(pass);
    }
    let since = chrono::Utc::now().timestamp_millis() - AUTO_DAYS * 24 * 3600 * 1000;
    let limit = PER_PASS.saturating_add(u32::try_from(deferred.len()).unwrap_or(u32::MAX));
    let waiting: Vec<_> = store
        .unchecked_mail(since, limit)?
        .into_iter()
        .filter(|u| !deferred.contains(&u.item_id))
        .take(PER_PASS as usize)
        .collect();
    pass.more = waiting.len() == PER_PASS as usize;
    for round in waiting.chunks(PARALLEL) {
        let mut checks = tokio::task::JoinSet::new();
        for u in round.iter().cloned() {
            let store = store.clone();
            checks.spawn(async move {
                let result = check_and_keep(&store, u.item_id, u.account_id).await;
                (u, result)
            });
        }
        let mut troubled = 0;
        loop {
            let next = tokio::select! {
                _ = cancel.cancelled() => {
                    checks.abort_all();
                    return Ok(pass);
                }
                next = checks.join_next() => next,
            };
            match next {
                None => break,
                Some(Ok((_, Ok((_, false))))) => pass.kept += 1,
                Some(Ok((u, Ok((_, true))))) => {
                    troubled += 1;
                    deferred.insert(u.item_id);
                }
                Some(Ok((u, Err(e)))) => {
                    deferred.insert(u.item_id);
                    tracing::warn!(
                        account_id = u.account_id,
                        item = u.item_id,
                        error = %format!("{e:#}"),
                        "Cannot check a sender."
                    );
                }
                Some(Err(e)) => tracing::warn!(error = %e, "A sender check's task failed."),
            }
        }
        pass.troubled += troubled;
        if troubled == round.len() {
            tracing::info!(troubled, "Sender checks wait for DNS.");
            pass.more = false;
            break;
        }
    }
    Ok(pass)
}

/// How long checks troubled by DNS wait before they are tried again.
const RETRY: Duration = Duration::from_secs(10 * 60);

/// Checks senders beside the live sync (see the module) until `cancel` fires: after each
/// change to the store (new mail among them, a second later so a batch settles), and every
/// [`RETRY`] for those DNS troubled.
pub(crate) async fn run(ctx: Context, cancel: CancellationToken) {
    let mut changes = ctx.store().subscribe();
    let mut deferred = HashSet::new();
    let mut deferred_since = tokio::time::Instant::now();
    loop {
        if deferred_since.elapsed() >= RETRY {
            deferred.clear();
            deferred_since = tokio::time::Instant::now();
        }
        let pass = match check_new(ctx.store(), &cancel, &mut deferred).await {
            Ok(pass) => pass,
            Err(e) => {
                tracing::warn!(error = %format!("{e:#}"), "Cannot check senders.");
                Pass::default()
            }
        };
        if pass.kept > 0 {
            tracing::debug!(
                kept = pass.kept,
                troubled = pass.troubled,
                "Checked senders."
            );
        }
        if cancel.is_cancelled() {
            return;
        }
        if pass.more {
            continue;
        }
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = changes.recv() => {
                tokio::select! {
                    _ = cancel.cancelled() => return,
                    _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                }
                // What came meanwhile is looked at by this pass.
                while changes.try_recv().is_ok() {}
            }
            _ = tokio::time::sleep(RETRY) => {}
        }
    }
}
