//! Look-alike and impersonation warnings: pure decisions from a mail's sender and what the
//! store knows about the people the user corresponds with.
//!
//! - **Look-alike domain**: the sender's domain is not one the user writes to, but its Unicode
//!   skeleton (UTS #39: `rn` → `m`, `1` → `l`, Cyrillic `а` → `a`) equals one that is.
//! - **Mixed scripts**: a label of the domain mixes scripts no language mixes (Latin with
//!   Cyrillic, say); Chinese, Japanese and Korean mixes and plain ASCII are fine.
//! - **Display name**: the display name is a known contact's name, but the address is none of
//!   that name's addresses.
//! - **Reply-To elsewhere**: a first-time sender asks for replies on another domain.

use std::collections::BTreeSet;

use unicode_security::{skeleton, RestrictionLevel, RestrictionLevelDetection};

/// A warning about the sender (`satu show`'s `authentication.warnings`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Warning {
    /// `lookalike`, `mixed-script`, `display-name` or `reply-to`.
    pub kind: &'static str,
    /// In plain words.
    pub text: String,
}

/// The sender of one mail.
#[derive(Debug, Clone, Default)]
pub(crate) struct Sender<'a> {
    /// From's address.
    pub address: &'a str,
    /// From's display name ('' when none).
    pub name: &'a str,
    /// Reply-To's address, when there is one.
    pub reply_to: Option<&'a str>,
}

/// What the store knows (see `Store::sender_knowledge`).
#[derive(Debug, Clone, Default)]
pub(crate) struct Known {
    /// The domains of the addresses the user has written to (lower case, Unicode form).
    pub domains: BTreeSet<String>,
    /// The addresses known under the sender's display name (contacts the user wrote to, or
    /// that wrote often), lower case.
    pub same_name: Vec<String>,
    /// Whether this sender wrote before this mail or the user wrote to them.
    pub known_sender: bool,
}

/// The warnings for `sender`.
pub(crate) fn warnings(sender: &Sender<'_>, known: &Known) -> Vec<Warning> {
    let mut out = Vec::new();
    let address = sender.address.trim().to_lowercase();
    let Some(domain) = domain_of(&address) else {
        return out;
    };
    if !known.domains.contains(&domain) {
        let own = skeleton_of(&domain);
        if let Some(like) = known
            .domains
            .iter()
            .find(|d| **d != domain && skeleton_of(d) == own)
        {
            out.push(Warning {
                kind: "lookalike",
                text: format!("{domain} looks like {like}, a domain you write to, but is not it"),
            });
        }
    }
    if let Some(label) = domain.split('.').find(|label| mixes_scripts(label)) {
        out.push(Warning {
            kind: "mixed-script",
            text: format!("{domain} mixes letters of different scripts ({label})"),
        });
    }
    let name = sender.name.trim();
    if !name.is_empty() && !known.same_name.is_empty() && !known.same_name.contains(&address) {
        out.push(Warning {
            kind: "display-name",
            text: format!(
                "the name {name} is a contact of yours at {}, not at {address}",
                known.same_name.join(", ")
            ),
        });
    }
    if let Some(reply_domain) = sender
        .reply_to
        .and_then(|r| domain_of(&r.trim().to_lowercase()))
    {
        if !known.known_sender && reply_domain != domain {
            out.push(Warning {
                kind: "reply-to",
                text: format!("a first-time sender at {domain} asks for replies at {reply_domain}"),
            });
        }
    }
    out
}

/// The domain of `address` in Unicode form (an `xn--` label decoded), lower case.
pub(crate) fn domain_of(address: &str) -> Option<String> {
    let (_, domain) = address.rsplit_once('@')?;
    let domain = domain.trim().trim_end_matches('>').trim_end_matches('.');
    if domain.is_empty() {
        return None;
    }
    let (unicode, result) = idna::domain_to_unicode(domain);
    Some(if result.is_ok() {
        unicode
    } else {
        domain.to_lowercase()
    })
}

/// The UTS #39 skeleton of a domain.
fn skeleton_of(domain: &str) -> String {
    skeleton(&domain.to_lowercase()).collect()
}

/// Whether a label mixes scripts more than a language does: above "highly restrictive"
/// (Latin with Han and Kana, Hangul, or Bopomofo is still fine; Latin with Cyrillic is not).
fn mixes_scripts(label: &str) -> bool {
    if label.is_ascii() {
        return false;
    }
    let letters: String = label.chars().filter(|c| c.is_alphabetic()).collect();
    !letters.is_empty()
        && letters.as_str().detect_restriction_level() > RestrictionLevel::HighlyRestrictive
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(domains: &[&str]) -> Known {
        Known {
            domains: domains.iter().map(|d| d.to_string()).collect(),
            ..Known::default()
        }
    }

    fn kinds(warnings: &[Warning]) -> Vec<&'static str> {
        warnings.iter().map(|w| w.kind).collect()
    }

    fn from(address: &str) -> Sender<'_> {
        Sender {
            address,
            ..Sender::default()
        }
    }

    #[test]
    fn a_domain_that_only_looks_like_a_correspondent_is_named() {
        let k = known(&["paypal.com", "example.com"]);
        // Digit one for l, "rn" for m, Cyrillic а (U+0430) for a.
        for address in [
            "billing@paypa1.com",
            "it@exarnple.com",
            "service@p\u{0430}ypal.com",
        ] {
            let w = warnings(&from(address), &k);
            assert!(kinds(&w).contains(&"lookalike"), "{address}: {w:?}");
        }
        let w = warnings(&from("billing@paypa1.com"), &k);
        assert!(w[0].text.contains("paypal.com"), "{w:?}");
        // The real ones, and unrelated ones, are quiet.
        assert!(warnings(&from("Billing@PayPal.com"), &k).is_empty());
        assert!(warnings(&from("a@contoh.my"), &k).is_empty());
    }

    #[test]
    fn punycode_is_read_as_what_it_shows() {
        // xn--pypal-4ve.com is "pаypal.com" with a Cyrillic а.
        let w = warnings(&from("a@xn--pypal-4ve.com"), &known(&["paypal.com"]));
        assert_eq!(kinds(&w), ["lookalike", "mixed-script"], "{w:?}");
    }

    #[test]
    fn mixed_scripts_are_warned_but_languages_that_mix_are_not() {
        let k = Known::default();
        assert_eq!(
            kinds(&warnings(&from("a@g\u{043e}ogle.test"), &k)),
            ["mixed-script"]
        );
        for fine in [
            "a@例子.test",
            "a@テスト例.test",
            "a@bücher.example",
            "a@ตัวอย่าง.test",
            "a@مثال.test",
        ] {
            assert!(warnings(&from(fine), &k).is_empty(), "{fine}");
        }
    }

    #[test]
    fn a_contacts_name_on_another_address_is_impersonation() {
        let k = Known {
            same_name: vec!["aminah@company.test".into()],
            known_sender: false,
            ..Known::default()
        };
        let sender = Sender {
            address: "aminah.ceo@freemail.test",
            name: "Aminah Rahman",
            reply_to: None,
        };
        let w = warnings(&sender, &k);
        assert_eq!(kinds(&w), ["display-name"]);
        assert!(w[0].text.contains("aminah@company.test"), "{w:?}");
        let real = Sender {
            address: "Aminah@Company.test",
            ..sender
        };
        assert!(warnings(&real, &k).is_empty());
    }

    #[test]
    fn reply_to_elsewhere_is_warned_for_first_time_senders_only() {
        let sender = Sender {
            address: "invoices@supplier.test",
            name: "",
            reply_to: Some("pay-here@elsewhere.test"),
        };
        let first = Known::default();
        assert_eq!(kinds(&warnings(&sender, &first)), ["reply-to"]);
        let known_sender = Known {
            known_sender: true,
            ..Known::default()
        };
        assert!(warnings(&sender, &known_sender).is_empty());
        let same = Sender {
            reply_to: Some("support@supplier.test"),
            ..sender
        };
        assert!(warnings(&same, &first).is_empty());
    }

    #[test]
    fn no_address_no_warning() {
        assert!(warnings(&from("undisclosed-recipients:;"), &Known::default()).is_empty());
        assert_eq!(domain_of("a@Example.COM."), Some("example.com".into()));
    }
}
