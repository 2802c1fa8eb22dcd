-- 0017: accounts that sign in with OAuth2 instead of a password. One row per such account: where
-- its tokens come from (the provider's endpoints, the client id and the scopes asked for). The
-- refresh token is the account's secret in the OS keyring; access tokens live in memory only, so
-- no token is ever in this database. `sign_in_again` is 1 once the provider refused the refresh
-- token (revoked, expired): the account waits for the user to sign in again.
CREATE TABLE oauth_grants (
    account_id INTEGER PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    -- 'microsoft', 'google' or 'oidc' (any OpenID Connect issuer).
    provider TEXT NOT NULL CHECK (provider IN ('microsoft', 'google', 'oidc')),
    -- The issuer for 'oidc' (its discovery document named the endpoints); '' otherwise.
    issuer TEXT NOT NULL DEFAULT '',
    authorization_endpoint TEXT NOT NULL,
    token_endpoint TEXT NOT NULL,
    client_id TEXT NOT NULL,
    -- Space separated, as sent.
    scopes TEXT NOT NULL,
    sign_in_again INTEGER NOT NULL DEFAULT 0 CHECK (sign_in_again IN (0, 1)),
    -- The account whose refresh token signs this one in, when not itself: a CalDAV account found
    -- beside a mail account uses the mail account's sign-in (one refresh token per sign-in, as
    -- providers that rotate them require). NULL: itself.
    token_account INTEGER
) STRICT;
