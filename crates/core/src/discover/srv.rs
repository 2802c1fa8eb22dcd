//! RFC 6186 SRV records for mail (with RFC 8314's preference for implicit TLS): which names to
//! ask, and the server a set of answers points at. Pure; the lookups are [`super::lookup`]'s.

use super::{Auth, Protocol, ServerOffer};
use crate::dto::Security;

/// One SRV answer, as the resolver gives it (`target` empty for `.`: "no such service").
pub(crate) use satu_net::dns::Srv as SrvRecord;

/// The SRV names for `protocol`, best first, with the security each one means.
pub(crate) fn services(protocol: Protocol) -> [(&'static str, Security); 2] {
    match protocol {
        Protocol::Imap => [
            ("_imaps._tcp", Security::Tls),
            ("_imap._tcp", Security::StartTls),
        ],
        Protocol::Smtp => [
            ("_submissions._tcp", Security::Tls),
            ("_submission._tcp", Security::StartTls),
        ],
    }
}

/// The server one service's answers point at: the lowest priority, then the highest weight
/// (one deterministic choice: the same domain configures the same way every time), or none when
/// the domain says it does not offer the service (a single target `.`) or no target is a
/// hostname.
pub(crate) fn choose(
    records: &[SrvRecord],
    protocol: Protocol,
    security: Security,
) -> Option<ServerOffer> {
    if records.len() == 1 && records[0].target.is_empty() {
        return None;
    }
    let mut usable: Vec<&SrvRecord> = records
        .iter()
        .filter(|r| r.port > 0 && super::is_hostname(&r.target))
        .collect();
    usable.sort_by_key(|r| (r.priority, std::cmp::Reverse(r.weight)));
    usable.first().map(|r| ServerOffer {
        protocol,
        host: r.target.to_ascii_lowercase(),
        port: r.port,
        security,
        username: None,
        auth: vec![Auth::Password],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn srv(priority: u16, weight: u16, port: u16, target: &str) -> SrvRecord {
        SrvRecord {
            priority,
            weight,
            port,
            target: target.into(),
        }
    }

    #[test]
    fn the_lowest_priority_then_the_heaviest_target_is_chosen() {
        let records = [
            srv(20, 100, 993, "backup.example.org"),
            srv(10, 5, 993, "light.example.org"),
            srv(10, 50, 993, "Heavy.Example.org"),
        ];
        let found = choose(&records, Protocol::Imap, Security::Tls).expect("a server");
        assert_eq!(
            (found.host.as_str(), found.port),
            ("heavy.example.org", 993)
        );
        assert_eq!(found.security, Security::Tls);
    }

    #[test]
    fn a_dot_says_no_service_and_bad_targets_are_skipped() {
        assert_eq!(
            choose(&[srv(0, 0, 0, "")], Protocol::Imap, Security::Tls),
            None
        );
        assert_eq!(choose(&[], Protocol::Imap, Security::Tls), None);
        let records = [
            srv(0, 0, 993, "bad host!"),
            srv(5, 0, 0, "zero.example.org"),
            srv(9, 0, 587, "ok.example.org"),
        ];
        let found = choose(&records, Protocol::Smtp, Security::StartTls).expect("the good one");
        assert_eq!(found.host, "ok.example.org");
    }

    #[test]
    fn implicit_tls_names_come_first() {
        assert_eq!(services(Protocol::Imap)[0], ("_imaps._tcp", Security::Tls));
        assert_eq!(
            services(Protocol::Smtp)[0],
            ("_submissions._tcp", Security::Tls)
        );
    }
}
