//! Server error text made safe to keep: bounded in size, with token-like strings blanked.
//!
//! Error bodies go into the journal and the summary, which are kept and shared; a server that
//! echoes the request (a debugging proxy, a verbose SCIM server) would put our bearer token there.

/// Longest error text kept from a server, in characters.
pub const MAX_ERROR_CHARS: usize = 2000;

const BLANK: &str = "[redacted]";

/// Caps `text` and replaces what looks like a credential: the value after `Bearer`/`Basic`, the
/// rest of an `Authorization` header, `access_token`/`client_secret`-style fields, and JWTs.
pub fn redact(text: &str) -> String {
    let cut: String = text.chars().take(MAX_ERROR_CHARS).collect();
    let truncated = cut.len() < text.len();
    let mut out = String::with_capacity(cut.len());
    let mut rest = cut.as_str();
    while !rest.is_empty() {
        if let Some((len, scheme)) = credential_prefix(rest).filter(|_| at_word_start(&out)) {
            out.push_str(&rest[..len]);
            rest = &rest[len..];
            let value = value_len(rest, scheme);
            if value > 0 {
                out.push_str(BLANK);
                rest = &rest[value..];
            }
            continue;
        }
        if at_word_start(&out) {
            if let Some(len) = jwt_len(rest) {
                out.push_str(BLANK);
                rest = &rest[len..];
                continue;
            }
        }
        let ch = rest.chars().next().unwrap_or(' ');
        out.push(ch);
        rest = &rest[ch.len_utf8()..];
    }
    if truncated {
        out.push_str(" …");
    }
    out
}

/// Authorization schemes: the next word is the credential when it looks like one.
const SCHEMES: &[&str] = &["bearer", "basic"];

/// Field or header names whose value (after `:` or `=`) is a credential.
const KEYS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "access_token",
    "accesstoken",
    "refresh_token",
    "id_token",
    "client_secret",
    "client_assertion",
    "x-identity-header",
    "api-key",
    "apikey",
    "password",
];

fn starts_with_word(s: &str, word: &str) -> bool {
    s.len() >= word.len()
        && s.is_char_boundary(word.len())
        && s[..word.len()].eq_ignore_ascii_case(word)
        && !s[word.len()..].starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
}

/// When `s` starts with a scheme or key and its separator: that length, and whether a scheme.
fn credential_prefix(s: &str) -> Option<(usize, bool)> {
    let (word, scheme) = SCHEMES
        .iter()
        .map(|w| (*w, true))
        .chain(KEYS.iter().map(|w| (*w, false)))
        .find(|(w, _)| starts_with_word(s, w))?;
    let after = &s[word.len()..];
    let sep = after
        .find(|c: char| !matches!(c, ' ' | '\t' | ':' | '=' | '"' | '\''))
        .unwrap_or(after.len());
    // A key names a value only with ':' or '=' ("password must be ..." is prose); a scheme is
    // followed by a space.
    let ok = if scheme { sep > 0 } else { after[..sep].contains([':', '=']) };
    ok.then_some((word.len() + sep, scheme))
}

/// The secret value: up to a quote, comma, brace, or whitespace. A scheme word after a key
/// ("Authorization: Bearer x") is left for the next round; after a scheme, only a word that looks
/// like a credential (8+ characters, not only letters) is one ("the bearer token was refused").
fn value_len(s: &str, after_scheme: bool) -> usize {
    let end = s
        .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | ',' | '}' | ']' | ';' | '&'))
        .unwrap_or(s.len());
    let v = &s[..end];
    if SCHEMES.iter().any(|w| v.eq_ignore_ascii_case(w)) {
        return 0;
    }
    if after_scheme && (v.chars().count() < 8 || v.chars().all(|c| c.is_alphabetic())) {
        return 0;
    }
    end
}

fn at_word_start(done: &str) -> bool {
    !done.ends_with(|c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// A JWT: `eyJ` then three base64url parts separated by dots.
fn jwt_len(s: &str) -> Option<usize> {
    if !s.starts_with("eyJ") {
        return None;
    }
    let len = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '=')))
        .unwrap_or(s.len());
    (s[..len].matches('.').count() >= 2 && len >= 20).then_some(len)
}

#[cfg(test)]
mod tests {
    use super::*;

    const JWT: &str =
        "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwcyJ9.c2lnbmF0dXJlLXZhbHVl";

    #[test]
    fn bearer_tokens_and_authorization_echoes_are_blanked() {
        let echo = format!("bad request; headers were: Authorization: Bearer {JWT}\nHost: x");
        let r = redact(&echo);
        assert!(!r.contains(JWT) && !r.contains("eyJ0eXAi"), "{r}");
        assert!(r.contains("Authorization: Bearer [redacted]") && r.contains("Host: x"), "{r}");
        let opaque = redact("got authorization=Bearer opaque-token-123, denied");
        assert!(!opaque.contains("opaque-token-123") && opaque.ends_with(", denied"), "{opaque}");
        let json = redact(
            r#"{"detail":"echo","access_token":"tok-9","Authorization":"Basic dXNlcjpwdw=="}"#,
        );
        assert!(!json.contains("tok-9") && !json.contains("dXNlcjpwdw=="), "{json}");
        let bare = redact(&format!("token {JWT} expired"));
        assert_eq!(bare, "token [redacted] expired");
    }

    #[test]
    fn ordinary_messages_are_kept() {
        for m in [
            "Authorization_RequestDenied: Insufficient privileges to complete the operation.",
            "The bearer token was refused",
            "userName must be unique",
            "(empty response body)",
        ] {
            assert_eq!(redact(m), m);
        }
    }

    #[test]
    fn long_bodies_are_capped() {
        let r = redact(&"é".repeat(10_000));
        assert_eq!(r.chars().count(), MAX_ERROR_CHARS + 2);
        assert!(r.ends_with(" …"));
    }
}
