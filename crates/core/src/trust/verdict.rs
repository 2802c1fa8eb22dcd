//! The verdict on a mail's sender: a pure decision from what DKIM, SPF, DMARC and ARC said
//! (checked here, or by the user's provider when it wrote them).
//!
//! - **verified**: DMARC passed (an aligned DKIM signature or an aligned SPF pass); without a
//!   DMARC record, an aligned DKIM pass or an aligned SPF pass.
//! - **failed**: DMARC failed, or (without DMARC) a signature does not verify.
//! - **unverified**: the rest: no policy and no signature, a DMARC failure that an ARC chain
//!   explains as forwarding (the forwarder vouches the original passed: a forwarder's word is
//!   not proof, so not "verified"), or DNS trouble (then the check is temporary: not stored, done
//!   again later).
//!
//! A failure under `p=quarantine` or `p=reject` *guards* the mail: the reading pane shows a
//! warning bar and keeps remote content and links off until the user insists.

/// `pass`, `fail`, `softfail`, `neutral`, `none`, `temperror`, `permerror` (RFC 8601 words).
pub(crate) type Word = &'static str;

/// One DKIM signature's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Dkim {
    pub domain: String,
    pub selector: String,
    pub result: Word,
}

/// SPF for the entry hop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Spf {
    pub result: Word,
    /// The domain checked (MAIL FROM's, or HELO's).
    pub domain: String,
    /// The address checked ('' when the provider checked and did not say).
    pub ip: String,
}

/// DMARC: present only when the From domain (or its organisation) publishes a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Dmarc {
    pub result: Word,
    /// `none`, `quarantine`, `reject` ('' when unknown).
    pub policy: String,
    /// Whether an aligned identifier passed.
    pub aligned: bool,
}

/// ARC (RFC 8617), when the mail carries a chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Arc {
    pub result: Word,
    /// The domain of the newest seal.
    pub sealer: String,
    /// The first forwarder's results say DKIM or DMARC passed for the From domain.
    pub original_passed: bool,
}

/// Everything the verdict is made from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Facts {
    /// From's domain (lower case).
    pub from_domain: String,
    pub dkim: Vec<Dkim>,
    pub spf: Option<Spf>,
    pub dmarc: Option<Dmarc>,
    pub arc: Option<Arc>,
}

/// The three verdicts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    Verified,
    Unverified,
    Failed,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Verified => "verified",
            Verdict::Unverified => "unverified",
            Verdict::Failed => "failed",
        }
    }
}

/// The decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Decision {
    pub verdict: Verdict,
    /// Why, in plain words, most important first.
    pub reasons: Vec<String>,
    /// Warning bar; remote content and links off until the user insists.
    pub guard: bool,
    /// DNS trouble decided it: do not keep it, check again later.
    pub temporary: bool,
}

/// Relaxed alignment without the public suffix list: the same domain, or one the parent of the
/// other (`news.good.test` and `good.test`).
pub(crate) fn aligned(a: &str, b: &str) -> bool {
    let (a, b) = (a.to_ascii_lowercase(), b.to_ascii_lowercase());
    !a.is_empty()
        && !b.is_empty()
        && (a == b || a.ends_with(&format!(".{b}")) || b.ends_with(&format!(".{a}")))
}

/// The verdict on `facts` (see the module).
pub(crate) fn decide(facts: &Facts) -> Decision {
    let from = facts.from_domain.as_str();
    let mut reasons = Vec::new();
    let temporary = facts.dkim.iter().any(|d| d.result == "temperror")
        || facts.spf.as_ref().is_some_and(|s| s.result == "temperror")
        || facts
            .dmarc
            .as_ref()
            .is_some_and(|d| d.result == "temperror");
    let aligned_dkim = facts
        .dkim
        .iter()
        .find(|d| d.result == "pass" && aligned(&d.domain, from));
    let aligned_spf = facts
        .spf
        .as_ref()
        .filter(|s| s.result == "pass" && aligned(&s.domain, from));
    let broken: Vec<&Dkim> = facts.dkim.iter().filter(|d| d.result == "fail").collect();
    let say_passes = |reasons: &mut Vec<String>| {
        if let Some(d) = aligned_dkim {
            reasons.push(format!("signed by {} (DKIM), the domain in From", d.domain));
        }
        if let Some(s) = aligned_spf {
            let from_ip = if s.ip.is_empty() {
                String::new()
            } else {
                format!(" ({})", s.ip)
            };
            reasons.push(format!(
                "sent from a server{from_ip} that {} allows (SPF)",
                s.domain
            ));
        }
    };
    let say_broken = |reasons: &mut Vec<String>| {
        for d in &broken {
            reasons.push(format!(
                "a signature of {} does not verify: changed after signing, or not signed with its key",
                d.domain
            ));
        }
    };
    let verdict = match &facts.dmarc {
        Some(dmarc) if dmarc.result == "pass" => {
            say_passes(&mut reasons);
            if reasons.is_empty() {
                reasons.push(format!("{from} passed its DMARC check"));
            }
            say_broken(&mut reasons);
            Verdict::Verified
        }
        Some(dmarc) if dmarc.result == "fail" => {
            let forwarded = facts
                .arc
                .as_ref()
                .filter(|a| a.result == "pass" && a.original_passed);
            if let Some(arc) = forwarded {
                reasons.push(format!(
                    "forwarded by {}, which says it passed there (ARC); the check broke on the way",
                    arc.sealer
                ));
                say_broken(&mut reasons);
                Verdict::Unverified
            } else {
                reasons.push(format!(
                    "{from} says mail from it is signed or sent by its servers (DMARC), and this one is neither"
                ));
                say_broken(&mut reasons);
                Verdict::Failed
            }
        }
        Some(_) if temporary => {
            reasons.push("the check could not reach DNS; it is done again later".into());
            Verdict::Unverified
        }
        _ => {
            if !broken.is_empty() {
                say_broken(&mut reasons);
                Verdict::Failed
            } else if aligned_dkim.is_some() || aligned_spf.is_some() {
                say_passes(&mut reasons);
                Verdict::Verified
            } else if temporary {
                reasons.push("the check could not reach DNS; it is done again later".into());
                Verdict::Unverified
            } else {
                let signed_by: Vec<&str> = facts
                    .dkim
                    .iter()
                    .filter(|d| d.result == "pass")
                    .map(|d| d.domain.as_str())
                    .collect();
                if signed_by.is_empty() {
                    reasons.push(format!(
                        "{from} publishes no DMARC policy and the mail carries no signature of it"
                    ));
                } else {
                    reasons.push(format!(
                        "signed by {}, not by {from}; {from} publishes no DMARC policy",
                        signed_by.join(", ")
                    ));
                }
                Verdict::Unverified
            }
        }
    };
    let guard = verdict == Verdict::Failed
        && facts
            .dmarc
            .as_ref()
            .is_some_and(|d| matches!(d.policy.as_str(), "quarantine" | "reject"));
    Decision {
        verdict,
        reasons,
        guard,
        temporary: temporary && verdict != Verdict::Verified && verdict != Verdict::Failed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dkim(domain: &str, result: Word) -> Dkim {
        Dkim {
            domain: domain.into(),
            selector: "s1".into(),
            result,
        }
    }

    fn spf(domain: &str, result: Word) -> Option<Spf> {
        Some(Spf {
            result,
            domain: domain.into(),
            ip: "192.0.2.10".into(),
        })
    }

    fn dmarc(result: Word, policy: &str) -> Option<Dmarc> {
        Some(Dmarc {
            result,
            policy: policy.into(),
            aligned: result == "pass",
        })
    }

    fn facts(from: &str) -> Facts {
        Facts {
            from_domain: from.into(),
            ..Facts::default()
        }
    }

    #[test]
    fn an_aligned_signature_under_dmarc_is_verified() {
        let f = Facts {
            dkim: vec![dkim("good.test", "pass")],
            spf: spf("good.test", "pass"),
            dmarc: dmarc("pass", "reject"),
            ..facts("good.test")
        };
        let d = decide(&f);
        assert_eq!(d.verdict, Verdict::Verified);
        assert!(!d.guard && !d.temporary);
        assert!(d.reasons[0].contains("signed by good.test"), "{d:?}");
        assert!(d.reasons[1].contains("192.0.2.10"), "{d:?}");
    }

    #[test]
    fn a_subdomain_aligns_with_its_organisation() {
        assert!(aligned("news.good.test", "good.test"));
        assert!(aligned("good.test", "mail.good.test"));
        assert!(!aligned("evilgood.test", "good.test"));
        assert!(!aligned("", "good.test"));
        let f = Facts {
            dkim: vec![dkim("good.test", "pass")],
            ..facts("news.good.test")
        };
        assert_eq!(decide(&f).verdict, Verdict::Verified);
    }

    #[test]
    fn dmarc_failing_under_reject_fails_and_guards() {
        let f = Facts {
            dkim: vec![],
            spf: spf("strict.test", "fail"),
            dmarc: dmarc("fail", "reject"),
            ..facts("strict.test")
        };
        let d = decide(&f);
        assert_eq!(d.verdict, Verdict::Failed);
        assert!(d.guard);
        assert!(d.reasons[0].contains("DMARC"), "{d:?}");
        // Under p=none it fails too, but does not guard.
        let d = decide(&Facts {
            dmarc: dmarc("fail", "none"),
            ..f
        });
        assert_eq!(d.verdict, Verdict::Failed);
        assert!(!d.guard);
    }

    #[test]
    fn a_broken_signature_without_dmarc_fails() {
        let f = Facts {
            dkim: vec![dkim("nopolicy.test", "fail")],
            ..facts("nopolicy.test")
        };
        let d = decide(&f);
        assert_eq!(d.verdict, Verdict::Failed);
        assert!(!d.guard);
        assert!(d.reasons[0].contains("does not verify"), "{d:?}");
    }

    #[test]
    fn no_policy_and_no_signature_is_unverified() {
        let d = decide(&facts("plain.test"));
        assert_eq!(d.verdict, Verdict::Unverified);
        assert!(d.reasons[0].contains("no DMARC policy"), "{d:?}");
        // Signed by someone else (a mailing service) only.
        let d = decide(&Facts {
            dkim: vec![dkim("mailer.test", "pass")],
            ..facts("plain.test")
        });
        assert_eq!(d.verdict, Verdict::Unverified);
        assert!(d.reasons[0].contains("signed by mailer.test"), "{d:?}");
    }

    #[test]
    fn forwarding_explained_by_arc_is_unverified_not_failed() {
        let f = Facts {
            dkim: vec![dkim("good.test", "fail")],
            dmarc: dmarc("fail", "reject"),
            arc: Some(Arc {
                result: "pass",
                sealer: "lists.forwarder.test".into(),
                original_passed: true,
            }),
            ..facts("good.test")
        };
        let d = decide(&f);
        assert_eq!(d.verdict, Verdict::Unverified);
        assert!(!d.guard);
        assert!(d.reasons[0].contains("lists.forwarder.test"), "{d:?}");
        // A chain that does not validate explains nothing.
        let d = decide(&Facts {
            arc: Some(Arc {
                result: "fail",
                sealer: "x.test".into(),
                original_passed: true,
            }),
            ..f
        });
        assert_eq!(d.verdict, Verdict::Failed);
        assert!(d.guard);
    }

    #[test]
    fn dns_trouble_is_temporary() {
        let d = decide(&Facts {
            dkim: vec![dkim("good.test", "temperror")],
            dmarc: dmarc("temperror", ""),
            ..facts("good.test")
        });
        assert_eq!(d.verdict, Verdict::Unverified);
        assert!(d.temporary);
        // A clear answer despite a trouble elsewhere is kept.
        let d = decide(&Facts {
            dkim: vec![dkim("good.test", "pass"), dkim("other.test", "temperror")],
            ..facts("good.test")
        });
        assert_eq!(d.verdict, Verdict::Verified);
        assert!(!d.temporary);
    }
}
