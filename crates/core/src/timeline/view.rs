//! Live views of the timeline: a query that a window (or `satu watch --view`) keeps open. After
//! every change to the store the core reads each open view's rows again and sends the diffs
//! ([`super::diff`]) that turn the rows the window has into the rows it should have, so the
//! window never decides which item belongs to which view.
//!
//! A view keeps its *window*: how many rows are loaded (the first page, grown by
//! [`Views::more`]). Reading it again costs one indexed query of that many rows, a few
//! milliseconds for a few hundred rows at 100k items. Every batch of diffs carries the view's
//! version after it; a window applies a batch only on top of the version before it.

use std::collections::BTreeMap;

use satu_store::Store;

use super::diff::diff;
use crate::dto::{self, Diff, ViewDiffs, ViewPage, ViewQuery};
use crate::error::{ApiError, ApiResult, ErrorCode};

/// The most rows a view keeps loaded.
pub(crate) const MAX_WINDOW: u32 = 10_000;

/// The open views of one data directory.
#[derive(Debug, Default)]
pub(crate) struct Views {
    next: u64,
    open: BTreeMap<u64, View>,
}

#[derive(Debug)]
struct View {
    query: ViewQuery,
    window: u32,
    version: u64,
    rows: Vec<dto::Item>,
}

impl View {
    /// The view's rows as the store has them now.
    fn read(&self, store: &Store) -> ApiResult<Vec<dto::Item>> {
        match &self.query.search {
            Some(text) => super::search(
                store,
                &dto::SearchQuery {
                    text: text.clone(),
                    limit: Some(self.window),
                },
            ),
            None => super::page_of(
                store,
                &dto::TimelineQuery {
                    before: None,
                    ..self.query.timeline.clone()
                },
                self.window,
            ),
        }
    }

    /// Reads the rows again; the diffs from the rows before, when there are any (or `always`:
    /// a batch even without a diff, which says whether the view is complete now).
    fn refresh(&mut self, id: u64, store: &Store, always: bool) -> ApiResult<Option<ViewDiffs>> {
        let rows = self.read(store)?;
        let diffs: Vec<Diff<dto::Item>> = diff(&self.rows, &rows, |item| item.id);
        self.rows = rows;
        if diffs.is_empty() && !always {
            return Ok(None);
        }
        self.version += 1;
        Ok(Some(ViewDiffs {
            view: id,
            version: self.version,
            diffs,
            complete: self.complete(),
        }))
    }

    /// No older row is left out.
    fn complete(&self) -> bool {
        (self.rows.len() as u32) < self.window
    }
}

impl Views {
    /// Opens a view: its first page (and its id and version, 0).
    pub(crate) fn open(&mut self, store: &Store, query: ViewQuery) -> ApiResult<ViewPage> {
        if query.search.as_deref().is_some_and(|t| t.trim().is_empty()) {
            return Err(ApiError::invalid("search", "Say what to search for"));
        }
        let window = super::limit(query.timeline.limit);
        let mut view = View {
            query,
            window,
            version: 0,
            rows: Vec::new(),
        };
        view.rows = view.read(store)?;
        self.next += 1;
        let id = self.next;
        let page = ViewPage {
            view: id,
            version: 0,
            items: view.rows.clone(),
            complete: view.complete(),
        };
        self.open.insert(id, view);
        Ok(page)
    }

    /// Loads `rows` more of view `id` (older ones, at its end): a batch of diffs, always (it
    /// says whether the view is complete now).
    pub(crate) fn more(
        &mut self,
        store: &Store,
        id: u64,
        rows: u32,
    ) -> ApiResult<Option<ViewDiffs>> {
        let view = self.open.get_mut(&id).ok_or_else(|| no_view(id))?;
        view.window = view.window.saturating_add(rows.max(1)).min(MAX_WINDOW);
        view.refresh(id, store, true)
    }

    /// Closes view `id` (a view already closed is no error).
    pub(crate) fn close(&mut self, id: u64) {
        self.open.remove(&id);
    }

    /// Reads every open view again: the diffs of those that changed. A view that cannot be read
    /// is left as it was (and said in the log).
    pub(crate) fn refresh(&mut self, store: &Store) -> Vec<ViewDiffs> {
        let mut out = Vec::new();
        for (id, view) in &mut self.open {
            match view.refresh(*id, store, false) {
                Ok(Some(diffs)) => out.push(diffs),
                Ok(None) => {}
                Err(e) => {
                    tracing::warn!(view = id, error = %e.message, "A view cannot be read again.")
                }
            }
        }
        out
    }
}

fn no_view(id: u64) -> ApiError {
    ApiError::new(
        ErrorCode::NotFound,
        format!("No open view {id} (it was closed)"),
    )
    .with_field("view")
}
