//! `mailto:` links (RFC 6068), as the desktop hands them to Satu: the addresses and the fields a
//! link may fill (`to`, `cc`, `bcc`, `subject`, `body`). Anything else a link says (other
//! headers, `attach=` and the like) is ignored: a link on a web page must not attach a file or
//! set headers behind the user's back. Pure.

/// What a link asks to write.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Mailto {
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub bcc: Vec<String>,
    pub subject: String,
    pub body: String,
}

/// Most characters taken from a link's subject and body.
const MAX_SUBJECT: usize = 998;
const MAX_BODY: usize = 64 * 1024;

/// The link's fields, or `None` when it is not a `mailto:` link.
pub(crate) fn parse(url: &str) -> Option<Mailto> {
    let url = url.trim();
    let rest = url
        .get(..7)
        .filter(|scheme| scheme.eq_ignore_ascii_case("mailto:"))
        .map(|_| &url[7..])?;
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let mut mail = Mailto {
        to: addresses(path),
        ..Mailto::default()
    };
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match decode(key).to_ascii_lowercase().as_str() {
            "to" => mail.to.extend(addresses(value)),
            "cc" => mail.cc.extend(addresses(value)),
            "bcc" => mail.bcc.extend(addresses(value)),
            "subject" if mail.subject.is_empty() => {
                mail.subject = one_line(&decode(value)).chars().take(MAX_SUBJECT).collect();
            }
            "body" if mail.body.is_empty() => {
                mail.body = decode(value)
                    .chars()
                    .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
                    .take(MAX_BODY)
                    .collect();
            }
            _ => {}
        }
    }
    Some(mail)
}

/// Comma-separated addresses, decoded; empty ones and ones with spaces or control characters
/// (not an address) left out.
fn addresses(text: &str) -> Vec<String> {
    decode(text)
        .split(',')
        .map(str::trim)
        .filter(|a| !a.is_empty() && a.contains('@'))
        .filter(|a| !a.chars().any(|c| c.is_control() || c.is_whitespace()))
        .map(str::to_owned)
        .collect()
}

fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c == '\r' || c == '\n' { ' ' } else { c })
        .filter(|c| !c.is_control())
        .collect()
}

/// Percent-decoding (UTF-8; invalid sequences kept as they are). `+` stays `+` (RFC 6068).
fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(byte) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fields_of_a_link() {
        let m = parse("mailto:ana@example.com,bo%40example.org?cc=c@example.net&subject=Hello%20there%2C%20%E2%9C%93&body=Line%201%0D%0ALine%202&bcc=d@example.com").expect("mailto");
        assert_eq!(m.to, ["ana@example.com", "bo@example.org"]);
        assert_eq!(m.cc, ["c@example.net"]);
        assert_eq!(m.bcc, ["d@example.com"]);
        assert_eq!(m.subject, "Hello there, ✓");
        assert_eq!(m.body, "Line 1\nLine 2");
        assert_eq!(
            parse("MAILTO:x@example.com").expect("case").to,
            ["x@example.com"]
        );
        assert_eq!(
            parse("mailto:?to=x@example.com&subject=a+b")
                .expect("query")
                .subject,
            "a+b"
        );
    }

    #[test]
    fn nothing_but_the_fields_is_taken() {
        let m = parse("mailto:x@example.com?attach=/etc/passwd&in-reply-to=%3Cx%3E&subject=a%0D%0ABcc:%20evil@example.net&to=not%20an%20address").expect("mailto");
        assert_eq!(m.to, ["x@example.com"]);
        assert_eq!(
            m.subject, "a  Bcc: evil@example.net",
            "one line: no header can be added"
        );
        assert!(m.bcc.is_empty());
        assert_eq!(parse("https://example.com"), None);
        assert_eq!(parse("mailto"), None);
        assert_eq!(
            parse("mailto:%E2%9C%zz@x.example?subject=%")
                .expect("bad escapes")
                .subject,
            "%"
        );
        let long = format!("mailto:x@example.com?body={}", "a".repeat(100_000));
        assert_eq!(parse(&long).expect("long").body.len(), MAX_BODY);
    }
}
