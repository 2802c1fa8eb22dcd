//! Sender trust: who really sent a mail (`crate::trust`), and the company domain's check.

use std::path::Path;

use super::{ApiResult, CancellationToken, Satu};
use crate::dto;
use crate::error::ApiError;
use crate::trust;

impl Satu {
    /// Who really sent mail `id` (DKIM, SPF, DMARC, ARC; look-alike warnings): the check kept
    /// from when it arrived, else checked now and kept; `again` checks anew.
    pub async fn authenticate(&self, id: i64, again: bool) -> ApiResult<dto::Authentication> {
        trust::authenticate(self.ctx.store(), id, again).await
    }

    /// Checks the senders of recent mail not checked yet, as the live sync does beside it (for
    /// `satu sync`): how many were checked.
    pub async fn check_senders(&self, cancel: CancellationToken) -> ApiResult<u64> {
        let mut deferred = std::collections::HashSet::new();
        let mut checked = 0;
        loop {
            let pass = trust::check_new(self.ctx.store(), &cancel, &mut deferred).await?;
            checked += pass.kept as u64;
            if !pass.more || cancel.is_cancelled() {
                return Ok(checked);
            }
        }
    }

    /// What `domain`'s DNS and mail exchangers say about its mail (MX, SPF, DKIM at the common
    /// selectors and `selectors`, DMARC, MTA-STS, TLS-RPT, `verify_txt`, DNSSEC), each finding
    /// with its severity and the record to publish. `mx_change`: an MX change is planned.
    /// `ca_file`: an extra CA for the MX certificates and the MTA-STS policy.
    pub async fn domain_check(
        &self,
        domain: &str,
        selectors: &[String],
        verify_txt: Option<&str>,
        mx_change: bool,
        ca_file: Option<&Path>,
    ) -> ApiResult<dto::DomainReport> {
        let domain = domain.trim().trim_end_matches('.').to_ascii_lowercase();
        if !crate::discover::is_hostname(&domain) || !domain.contains('.') {
            return Err(ApiError::invalid(
                "domain",
                format!("{domain:?} is not a domain name (example.com)"),
            ));
        }
        let ask = trust::domain::Ask {
            domain: domain.clone(),
            selectors: selectors
                .iter()
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect(),
            verify_txt: verify_txt.map(str::to_owned),
            mx_change,
        };
        let records = trust::domain::gather(&ask, ca_file)
            .await
            .map_err(|e| ApiError::internal(format!("The check of {domain} failed: {e}")))?;
        let findings = trust::domain::findings(&ask, &records);
        Ok(dto::DomainReport {
            worst: worst(&findings).to_owned(),
            domain,
            findings,
            checked_at: dto::rfc3339(chrono::Utc::now().timestamp_millis()),
        })
    }
}

impl Satu {
    /// The external delivery test: a test mail from account `account` to itself (or `to`),
    /// watched by push until it is in the INBOX (at most `timeout`); what the receiving
    /// provider judged (SPF, DKIM, DMARC) and the delay.
    pub async fn domain_test(
        &self,
        account: i64,
        to: Option<&str>,
        timeout: std::time::Duration,
    ) -> ApiResult<dto::DeliveryTest> {
        trust::delivery::test(&self.ctx, account, to, timeout).await
    }
}

/// The most severe finding's severity (`good` when there are none).
fn worst(findings: &[dto::DomainFinding]) -> &'static str {
    const ORDER: [&str; 4] = ["good", "info", "warning", "bad"];
    findings
        .iter()
        .filter_map(|f| ORDER.iter().position(|s| *s == f.severity))
        .max()
        .map_or("good", |i| ORDER[i])
}
