//! Proof Key for Code Exchange (RFC 7636) and the `state` of an authorization request: random
//! values from the OS's secure generator, and the S256 challenge.

use base64::Engine as _;
use sha2::{Digest as _, Sha256};

use crate::error::{ApiError, ApiResult};

/// `bytes` random bytes from the OS, base64url without padding (32 bytes: 43 characters, the
/// shortest verifier RFC 7636 allows).
pub(crate) fn random(bytes: usize) -> ApiResult<String> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).map_err(|e| {
        ApiError::internal(format!(
            "The OS gave no random numbers for the sign-in: {e}"
        ))
    })?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf))
}

/// The S256 challenge of `verifier`: base64url(SHA-256(verifier)).
pub(crate) fn challenge(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_challenge_matches_rfc_7636s_example() {
        // RFC 7636, appendix B.
        assert_eq!(
            super::challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn verifiers_are_long_enough_and_differ() {
        let a = super::random(32).expect("random");
        let b = super::random(32).expect("random");
        assert_eq!(a.len(), 43);
        assert_ne!(a, b);
        assert!(a
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
    }
}
