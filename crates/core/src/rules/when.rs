//! A rule's conditions (`satu rule add --when '…'`): parsed from words, matched against what a
//! mail is. Pure; every condition must hold.
//!
//! - `from:ADDR`, `to:ADDR`, `cc:ADDR`: an address, or a domain (`example.com`, `@example.com`,
//!   which also covers its subdomains).
//! - `subject:WORDS`, `body:WORDS`, or bare words: every word appears (case aside); quotes keep
//!   words together (`subject:"weekly report"`).
//! - `has:attachment`, `has:attachment:pdf` (a file type by extension or MIME subtype).
//! - `list:ID` (List-Id contains it), `account:ID`, `folder:NAME`.
//! - `sender:verified|unverified|failed` (the sender check, see `crate::trust`).
//! - `larger:2M`, `smaller:100K` (size in bytes, K, M); `older:30d`, `newer:2d`.
//! - `is:reply` (a reply to mail the user sent).
//! - A leading `-` negates a condition.

/// One condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Cond {
    From(String),
    To(String),
    Cc(String),
    Subject(Vec<String>),
    Body(Vec<String>),
    /// Bare words: in the subject or the body.
    Words(Vec<String>),
    HasAttachment(Option<String>),
    List(String),
    Account(i64),
    Folder(String),
    Sender(String),
    Larger(u64),
    Smaller(u64),
    OlderDays(u32),
    NewerDays(u32),
    ReplyToMine,
    Not(Box<Cond>),
}

/// What a mail is, as the conditions read it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Facts {
    /// From's address (lower case).
    pub from: String,
    /// To's and Cc's addresses (lower case).
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub subject: String,
    pub body: String,
    /// Attachments: (file name, MIME type).
    pub attachments: Vec<(String, String)>,
    pub list_id: Option<String>,
    pub account: i64,
    pub folders: Vec<String>,
    /// The sender check's verdict, when it was checked.
    pub sender: Option<String>,
    pub size: u64,
    /// Days since its date.
    pub age_days: u32,
    /// It answers mail the user sent.
    pub reply_to_mine: bool,
}

/// Splits `text` into words, quotes keeping words together (`subject:"a b"` is one word).
fn words(text: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => {
                if !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                }
            }
            c => current.push(c),
        }
    }
    if quoted {
        return Err("a quote is not closed".into());
    }
    if !current.is_empty() {
        out.push(current);
    }
    Ok(out)
}

fn size(text: &str) -> Result<u64, String> {
    let text = text.trim().to_ascii_uppercase();
    let (number, unit) = match text.strip_suffix('M') {
        Some(n) => (n, 1024 * 1024),
        None => match text.strip_suffix('K') {
            Some(n) => (n, 1024),
            None => (text.as_str(), 1),
        },
    };
    number
        .parse::<u64>()
        .map(|n| n * unit)
        .map_err(|_| format!("{text:?} is not a size (2M, 100K, 5000)"))
}

fn days(text: &str) -> Result<u32, String> {
    text.trim()
        .strip_suffix('d')
        .unwrap_or(text.trim())
        .parse()
        .map_err(|_| format!("{text:?} is not a number of days (30d)"))
}

fn lower_words(text: &str) -> Vec<String> {
    text.split_whitespace().map(str::to_lowercase).collect()
}

/// The conditions of `text` (see the module); an error names the word it could not read.
pub(crate) fn parse(text: &str) -> Result<Vec<Cond>, String> {
    let mut conds = Vec::new();
    let mut bare = Vec::new();
    for word in words(text)? {
        let (negate, word) = match word.strip_prefix('-') {
            Some(rest) if !rest.is_empty() => (true, rest.to_owned()),
            _ => (false, word),
        };
        let cond = match word.split_once(':') {
            None => {
                if negate {
                    Cond::Words(vec![word.to_lowercase()])
                } else {
                    bare.push(word.to_lowercase());
                    continue;
                }
            }
            Some((key, value)) => {
                let value = value.trim();
                if value.is_empty() {
                    return Err(format!("{key}: needs a value"));
                }
                match key.to_ascii_lowercase().as_str() {
                    "from" => Cond::From(value.to_lowercase()),
                    "to" => Cond::To(value.to_lowercase()),
                    "cc" => Cond::Cc(value.to_lowercase()),
                    "subject" => Cond::Subject(lower_words(value)),
                    "body" => Cond::Body(lower_words(value)),
                    "has" => match value.to_ascii_lowercase().as_str() {
                        "attachment" => Cond::HasAttachment(None),
                        other => match other.strip_prefix("attachment:") {
                            Some(kind) if !kind.is_empty() => {
                                Cond::HasAttachment(Some(kind.trim_start_matches('.').to_owned()))
                            }
                            _ => return Err(format!("has:{value} is not known (has:attachment, has:attachment:pdf)")),
                        },
                    },
                    "list" => Cond::List(value.to_lowercase()),
                    "account" => Cond::Account(
                        value
                            .parse()
                            .map_err(|_| format!("account:{value} is not an account number"))?,
                    ),
                    "folder" => Cond::Folder(value.to_owned()),
                    "sender" => match value.to_ascii_lowercase().as_str() {
                        v @ ("verified" | "unverified" | "failed") => Cond::Sender(v.to_owned()),
                        _ => return Err(format!("sender:{value} is not verified, unverified or failed")),
                    },
                    "larger" => Cond::Larger(size(value)?),
                    "smaller" => Cond::Smaller(size(value)?),
                    "older" => Cond::OlderDays(days(value)?),
                    "newer" => Cond::NewerDays(days(value)?),
                    "is" if value.eq_ignore_ascii_case("reply") => Cond::ReplyToMine,
                    other => {
                        return Err(format!(
                            "{other}: is not a condition (from, to, cc, subject, body, has, list, account, folder, sender, larger, smaller, older, newer, is:reply)"
                        ))
                    }
                }
            }
        };
        conds.push(if negate {
            Cond::Not(Box::new(cond))
        } else {
            cond
        });
    }
    if !bare.is_empty() {
        conds.push(Cond::Words(bare));
    }
    if conds.is_empty() {
        return Err("say when the rule applies (from:…, subject:…, has:attachment, …)".into());
    }
    Ok(conds)
}

/// Whether `address` is `wanted`: the address itself, or an address of the domain (and its
/// subdomains) when `wanted` is a domain.
fn address_is(address: &str, wanted: &str) -> bool {
    match wanted.strip_prefix('@') {
        Some(domain) => domain_of_is(address, domain),
        None if wanted.contains('@') => address == wanted,
        None => domain_of_is(address, wanted),
    }
}

fn domain_of_is(address: &str, domain: &str) -> bool {
    address
        .rsplit_once('@')
        .is_some_and(|(_, d)| d == domain || d.ends_with(&format!(".{domain}")))
}

fn all_in(words: &[String], text: &str) -> bool {
    let text = text.to_lowercase();
    words.iter().all(|w| text.contains(w.as_str()))
}

/// Whether one condition holds for `f`.
fn holds(cond: &Cond, f: &Facts) -> bool {
    match cond {
        Cond::From(a) => address_is(&f.from, a),
        Cond::To(a) => f.to.iter().any(|t| address_is(t, a)),
        Cond::Cc(a) => f.cc.iter().any(|t| address_is(t, a)),
        Cond::Subject(w) => all_in(w, &f.subject),
        Cond::Body(w) => all_in(w, &f.body),
        Cond::Words(w) => {
            let both = format!("{}\n{}", f.subject, f.body);
            all_in(w, &both)
        }
        Cond::HasAttachment(None) => !f.attachments.is_empty(),
        Cond::HasAttachment(Some(kind)) => f.attachments.iter().any(|(name, mime)| {
            let kind = kind.to_lowercase();
            name.to_lowercase().ends_with(&format!(".{kind}"))
                || mime.to_lowercase().rsplit('/').next() == Some(kind.as_str())
        }),
        Cond::List(id) => f
            .list_id
            .as_deref()
            .is_some_and(|l| l.to_lowercase().contains(id.as_str())),
        Cond::Account(a) => f.account == *a,
        Cond::Folder(name) => f.folders.iter().any(|n| n.eq_ignore_ascii_case(name)),
        Cond::Sender(v) => f.sender.as_deref() == Some(v.as_str()),
        Cond::Larger(n) => f.size > *n,
        Cond::Smaller(n) => f.size < *n,
        Cond::OlderDays(d) => f.age_days > *d,
        Cond::NewerDays(d) => f.age_days <= *d,
        Cond::ReplyToMine => f.reply_to_mine,
        Cond::Not(inner) => !holds(inner, f),
    }
}

/// Whether every condition holds for `f`.
pub(crate) fn matches(conds: &[Cond], f: &Facts) -> bool {
    conds.iter().all(|c| holds(c, f))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> Facts {
        Facts {
            from: "ceo@example.com".into(),
            to: vec!["me@company.test".into()],
            cc: vec!["ops@sub.vendor.test".into()],
            subject: "Weekly report: Q4 budget".into(),
            body: "Please review the attached numbers before Friday.".into(),
            attachments: vec![("numbers.PDF".into(), "application/pdf".into())],
            list_id: Some("<news.lists.example.org>".into()),
            account: 1,
            folders: vec!["INBOX".into()],
            sender: Some("verified".into()),
            size: 3 * 1024 * 1024,
            age_days: 1,
            reply_to_mine: false,
        }
    }

    fn yes(text: &str) -> bool {
        matches(&parse(text).expect(text), &facts())
    }

    #[test]
    fn the_issues_example_matches() {
        assert!(yes("from:ceo@example.com has:attachment"));
        assert!(!yes("from:cfo@example.com has:attachment"));
    }

    #[test]
    fn addresses_domains_and_subdomains() {
        assert!(yes("from:example.com"));
        assert!(yes("from:@example.com"));
        assert!(yes("from:CEO@Example.com"));
        assert!(!yes("from:ample.com"));
        assert!(yes("cc:vendor.test"));
        assert!(yes("to:me@company.test"));
        assert!(!yes("to:company.org"));
    }

    #[test]
    fn words_quotes_and_negation() {
        assert!(yes("subject:\"weekly report\""));
        assert!(yes("budget friday"));
        assert!(!yes("budget holiday"));
        assert!(yes("-subject:invoice"));
        assert!(!yes("-from:example.com"));
        assert!(yes("body:review"));
        assert_eq!(
            parse("subject:\"open").expect_err("an error"),
            "a quote is not closed"
        );
    }

    #[test]
    fn attachments_lists_sizes_ages_and_the_sender_check() {
        assert!(yes("has:attachment:pdf"));
        assert!(yes("has:attachment:.pdf"));
        assert!(!yes("has:attachment:docx"));
        assert!(yes("list:news.lists"));
        assert!(yes("larger:2M smaller:4M"));
        assert!(!yes("larger:5M"));
        assert!(yes("newer:2d"));
        assert!(yes("older:0d"));
        assert!(!yes("older:7d"));
        assert!(yes("sender:verified"));
        assert!(!yes("sender:failed"));
        assert!(yes("account:1 folder:inbox"));
        assert!(!yes("is:reply"));
    }

    #[test]
    fn what_cannot_be_read_is_named() {
        assert!(parse("").expect_err("an error").contains("say when"));
        assert!(parse("colour:red")
            .expect_err("an error")
            .starts_with("colour:"));
        assert!(parse("larger:huge")
            .expect_err("an error")
            .contains("not a size"));
        assert!(parse("sender:maybe")
            .expect_err("an error")
            .contains("verified"));
        assert!(parse("from:")
            .expect_err("an error")
            .contains("needs a value"));
        assert!(parse("has:photos")
            .expect_err("an error")
            .contains("has:attachment"));
    }
}
