//! The audit trail: read it, check its chain, export it, apply its retention
//! (`crate::audit`).

use std::path::Path;

use super::{ApiResult, Satu};
use crate::dto::{AuditCheck, AuditQuery, AuditRecord};

fn filter_of(query: &AuditQuery) -> ApiResult<satu_store::AuditFilter> {
    crate::audit::filter(
        query.from.as_deref(),
        query.to.as_deref(),
        query.account,
        &query.kinds,
        query.limit,
    )
}

impl Satu {
    /// The entries of the audit trail `query` asks for.
    pub fn audit(&self, query: &AuditQuery) -> ApiResult<Vec<AuditRecord>> {
        let entries = self.ctx.store().audit_entries(&filter_of(query)?)?;
        Ok(entries
            .into_iter()
            .map(|e| AuditRecord {
                id: e.id,
                at: crate::audit::time(e.at_ms),
                detail: crate::audit::detail(&e),
                actor: e.actor,
                origin: e.origin,
                account: e.account_id,
                item: e.item_id,
                kind: e.kind,
                hash: e.hash,
            })
            .collect())
    }

    /// Checks the trail's whole chain; with `head` (a hash written outside Satu earlier), also
    /// that the trail still holds that entry (nothing was removed from its end since).
    pub fn audit_verify(&self, head: Option<&str>) -> ApiResult<AuditCheck> {
        let store = self.ctx.store();
        let (last, entries) = store.audit_head()?;
        let mut check = AuditCheck {
            intact: true,
            entries,
            head: last,
            broken_at: None,
            reason: String::new(),
        };
        if let Some((id, reason)) = store.audit_verify()? {
            check.intact = false;
            check.broken_at = Some(id);
            check.reason = reason;
        } else if let Some(head) = head.map(str::trim).filter(|h| !h.is_empty()) {
            if !crate::audit::holds(store, head)? {
                check.intact = false;
                check.reason = format!(
                    "it no longer holds the entry {head} kept outside: entries were removed from its end"
                );
            }
        }
        Ok(check)
    }

    /// Applies the retention (`audit.keep_days`) now: whole days older than it go; returns how
    /// many entries.
    pub fn audit_prune(&self) -> ApiResult<u64> {
        crate::audit::apply_retention(self.ctx.store())
    }

    /// Writes the entries `query` asks for into the Downloads folder (as attachments are
    /// saved) as `csv` or `jsonl`, under a new name; returns the file's path (the window's
    /// export).
    pub fn audit_export_to_downloads(&self, query: &AuditQuery, format: &str) -> ApiResult<String> {
        let dir = crate::attachments::download_dir();
        std::fs::create_dir_all(&dir).map_err(|e| {
            crate::error::ApiError::invalid(
                "out",
                format!("Cannot make the folder {}: {e}", dir.display()),
            )
        })?;
        let stamp = chrono::Utc::now().format("%Y%m%d-%H%M%S");
        let mut path = dir.join(format!("satu-audit-{stamp}.{format}"));
        let mut n = 2;
        while path.exists() {
            path = dir.join(format!("satu-audit-{stamp} ({n}).{format}"));
            n += 1;
        }
        self.audit_export(query, format, &path)?;
        Ok(path.display().to_string())
    }

    /// Writes the entries `query` asks for to the new file `out` as `csv` or `jsonl`; returns
    /// how many.
    pub fn audit_export(&self, query: &AuditQuery, format: &str, out: &Path) -> ApiResult<u64> {
        crate::audit::export(self.ctx.store(), &filter_of(query)?, format, out)
    }
}
