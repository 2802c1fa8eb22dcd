//! Identities: the addresses an account sends from (its own and its aliases), each with the
//! name shown and a signature. A message goes out from the identity it names (`from`), checked
//! here against the account's; a reply is written from the identity the mail was sent to.

use satu_store::{Account, AccountKind, Identity, Store};

use crate::dto;
use crate::error::{ApiError, ApiResult};

/// Longest signature kept.
const SIGNATURE_LIMIT: usize = 10_000;

/// Who a message is from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Sender {
    pub name: String,
    pub address: String,
}

impl Sender {
    /// The account's own address and name.
    pub(crate) fn of(account: &Account) -> Sender {
        Sender {
            name: account.name.clone(),
            address: account.email.clone(),
        }
    }
}

/// The account's identities: its own address first (with its signature, if one was set), then
/// its aliases in the order they were added.
pub(crate) fn list(store: &Store, account_id: i64) -> ApiResult<Vec<dto::Identity>> {
    let account = store.account(account_id)?;
    let rows = store.identities(account_id)?;
    let own = rows
        .iter()
        .find(|r| r.address.eq_ignore_ascii_case(&account.email));
    let mut all = vec![dto::Identity {
        account: account.id,
        address: account.email.clone(),
        name: own
            .map(|r| r.name.clone())
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| account.name.clone()),
        signature: own.map(|r| r.signature.clone()).unwrap_or_default(),
        primary: true,
    }];
    all.extend(
        rows.iter()
            .filter(|r| !r.address.eq_ignore_ascii_case(&account.email))
            .map(|r| dto::Identity {
                account: account.id,
                address: r.address.clone(),
                name: if r.name.is_empty() {
                    account.name.clone()
                } else {
                    r.name.clone()
                },
                signature: r.signature.clone(),
                primary: false,
            }),
    );
    Ok(all)
}

/// Adds an alias (or changes an identity's name and signature; the account's own address takes
/// a name and a signature too). Returns every identity.
pub(crate) fn set(
    store: &Store,
    account_id: i64,
    input: &dto::IdentityInput,
) -> ApiResult<Vec<dto::Identity>> {
    let account = store.account(account_id)?;
    if account.kind != AccountKind::Imap {
        return Err(ApiError::invalid(
            "account",
            format!("Account {account_id} does not send mail"),
        ));
    }
    let address = input.address.trim();
    if address.parse::<lettre::Address>().is_err() {
        return Err(ApiError::invalid(
            "address",
            format!("{address:?} is not an email address"),
        ));
    }
    let name = input.name.trim();
    if name.chars().count() > 200 || name.chars().any(char::is_control) {
        return Err(ApiError::invalid(
            "name",
            "The name must be one line of at most 200 characters",
        ));
    }
    let signature = input.signature.replace("\r\n", "\n");
    let signature = signature.trim_end();
    if signature.chars().count() > SIGNATURE_LIMIT
        || signature
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(ApiError::invalid(
            "signature",
            format!("The signature must be text of at most {SIGNATURE_LIMIT} characters"),
        ));
    }
    let row = Identity {
        account_id,
        address: address.to_owned(),
        name: name.to_owned(),
        signature: signature.to_owned(),
    };
    store.write(|tx| tx.set_identity(&row))?;
    tracing::info!(account_id, "Identity set.");
    list(store, account_id)
}

/// Removes an alias (the account's own address: its name and signature only). Returns every
/// identity.
pub(crate) fn remove(
    store: &Store,
    account_id: i64,
    address: &str,
) -> ApiResult<Vec<dto::Identity>> {
    let account = store.account(account_id)?;
    let address = address.trim();
    let removed = store.write(|tx| tx.remove_identity(account_id, address))?;
    if !removed && !address.eq_ignore_ascii_case(&account.email) {
        return Err(ApiError::new(
            crate::ErrorCode::NotFound,
            format!("{address:?} is not an identity of account {account_id}"),
        )
        .with_field("address"));
    }
    list(store, account_id)
}

/// Who a message of `account` written from `from` is from: the account itself when `from` is
/// empty or its own address, else the alias with that address (an error at `from` otherwise).
pub(crate) fn resolve(store: &Store, account: &Account, from: Option<&str>) -> ApiResult<Sender> {
    let from = from.map(str::trim).unwrap_or_default();
    let all = list(store, account.id)?;
    let found = if from.is_empty() {
        all.into_iter().next()
    } else {
        all.into_iter()
            .find(|i| i.address.eq_ignore_ascii_case(from))
    };
    let identity = found.ok_or_else(|| {
        ApiError::invalid(
            "from",
            format!(
                "{from:?} is not an address of this account: add it as an identity first \
                 (satu account identity add)"
            ),
        )
    })?;
    Ok(Sender {
        name: identity.name,
        address: identity.address,
    })
}

/// The identity a reply is written from: the first of the account's addresses the mail was
/// sent to (To, then Cc), `None` for the account's own.
pub(crate) fn for_reply(
    identities: &[dto::Identity],
    to: &[(Option<String>, String)],
    cc: &[(Option<String>, String)],
) -> Option<String> {
    to.iter()
        .chain(cc)
        .find_map(|(_, address)| {
            identities
                .iter()
                .find(|i| i.address.eq_ignore_ascii_case(address))
        })
        .filter(|i| !i.primary)
        .map(|i| i.address.clone())
}

#[cfg(test)]
mod tests {
    use super::for_reply;
    use crate::dto::Identity;

    fn identity(address: &str, primary: bool) -> Identity {
        Identity {
            account: 1,
            address: address.into(),
            name: String::new(),
            signature: String::new(),
            primary,
        }
    }

    #[test]
    fn a_reply_is_written_from_the_address_the_mail_was_sent_to() {
        let ids = [
            identity("me@example.com", true),
            identity("sales@example.com", false),
            identity("help@example.com", false),
        ];
        let to = |a: &str| vec![(None, a.to_owned())];
        assert_eq!(
            for_reply(&ids, &to("Help@Example.com"), &[]),
            Some("help@example.com".to_owned())
        );
        // Cc counts when To has none of them; To first.
        assert_eq!(
            for_reply(&ids, &to("other@x.org"), &to("sales@example.com")),
            Some("sales@example.com".to_owned())
        );
        assert_eq!(
            for_reply(&ids, &to("sales@example.com"), &to("help@example.com")),
            Some("sales@example.com".to_owned())
        );
        // The account's own address, or none of them: the account's own.
        assert_eq!(for_reply(&ids, &to("me@example.com"), &[]), None);
        assert_eq!(for_reply(&ids, &to("list@lists.example.org"), &[]), None);
    }
}
