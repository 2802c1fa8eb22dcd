//! Address completion: the addresses that start with what the user typed (the address, or a
//! word of the name): first those the user has written to, by how often and how lately; then
//! those mail only came from, the same way. The ranking is a pure function of the counts and
//! the time.

use satu_store::{Contact, Store};

use crate::dto;
use crate::error::ApiResult;

/// Candidates read from the store before ranking (the store's order is by counts alone).
const CANDIDATES: u32 = 400;

/// How a count fades with age: halved after `HALF_LIFE_DAYS`.
const HALF_LIFE_DAYS: f64 = 45.0;

fn fade(last_ms: i64, now_ms: i64) -> f64 {
    if last_ms <= 0 {
        return 0.0;
    }
    let days = (now_ms - last_ms).max(0) as f64 / 86_400_000.0;
    0.5_f64.powf(days / HALF_LIFE_DAYS)
}

/// The score of a contact at `now_ms`: whether the user ever wrote to it, then the messages
/// written to it (fading with the age of the latest), then the messages from it (the same).
fn score(contact: &Contact, now_ms: i64) -> (bool, f64, f64) {
    (
        contact.written > 0,
        contact.written as f64 * fade(contact.last_written_ms, now_ms),
        contact.seen as f64 * fade(contact.last_seen_ms, now_ms),
    )
}

/// `contacts` best first (ties: the address).
pub(crate) fn rank(mut contacts: Vec<Contact>, now_ms: i64) -> Vec<Contact> {
    contacts.sort_by(|a, b| {
        let (a_wrote, a_written, a_seen) = score(a, now_ms);
        let (b_wrote, b_written, b_seen) = score(b, now_ms);
        b_wrote
            .cmp(&a_wrote)
            .then_with(|| b_written.total_cmp(&a_written))
            .then_with(|| b_seen.total_cmp(&a_seen))
            .then_with(|| a.address.cmp(&b.address))
    });
    contacts
}

/// At most `limit` addresses completing `text`, best first.
pub(crate) fn complete(store: &Store, text: &str, limit: u32) -> ApiResult<Vec<dto::Contact>> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(Vec::new());
    }
    let found = store.contacts_matching(text, CANDIDATES)?;
    let now_ms = chrono::Utc::now().timestamp_millis();
    Ok(rank(found, now_ms)
        .into_iter()
        .take(limit.clamp(1, 50) as usize)
        .map(|c| dto::Contact {
            address: c.address,
            name: c.name,
            written: c.written,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::rank;
    use satu_store::Contact;

    const DAY: i64 = 86_400_000;
    const NOW: i64 = 1_800_000_000_000;

    fn contact(
        address: &str,
        written: i64,
        written_days_ago: i64,
        seen: i64,
        seen_days_ago: i64,
    ) -> Contact {
        Contact {
            address: address.into(),
            name: String::new(),
            written,
            last_written_ms: if written > 0 {
                NOW - written_days_ago * DAY
            } else {
                0
            },
            seen,
            last_seen_ms: if seen > 0 {
                NOW - seen_days_ago * DAY
            } else {
                0
            },
        }
    }

    fn order(contacts: Vec<Contact>) -> Vec<String> {
        rank(contacts, NOW).into_iter().map(|c| c.address).collect()
    }

    #[test]
    fn who_the_user_writes_to_comes_before_who_only_writes_to_the_user() {
        assert_eq!(
            order(vec![
                contact("newsletter@shop.example", 0, 0, 40, 1),
                contact("boss@work.example", 3, 2, 5, 2),
            ]),
            ["boss@work.example", "newsletter@shop.example"]
        );
    }

    #[test]
    fn recent_writing_beats_old_writing_of_the_same_amount_and_a_little_more() {
        assert_eq!(
            order(vec![
                contact("old-friend@example.org", 6, 400, 0, 0),
                contact("new-colleague@example.org", 4, 3, 0, 0),
            ]),
            ["new-colleague@example.org", "old-friend@example.org"]
        );
    }

    #[test]
    fn equal_scores_keep_a_stable_order() {
        assert_eq!(
            order(vec![
                contact("b@x.org", 1, 1, 0, 0),
                contact("a@x.org", 1, 1, 0, 0)
            ]),
            ["a@x.org", "b@x.org"]
        );
    }
}
