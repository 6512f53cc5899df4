//! Audit events: the canonical text that is hashed, and the SHA-256 chain over it.
use chrono::{DateTime, SecondsFormat, Utc};
use sha2::{Digest, Sha256};

/// The hash that the first sealed event chains from.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One event's fields as stored (every field is text, so the canonical form can be rebuilt
/// from the stored columns exactly, on any database).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventText<'a> {
    pub id: &'a str,
    pub at: &'a str,
    pub user_id: Option<&'a str>,
    pub username: Option<&'a str>,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: &'a str,
    pub reason: Option<&'a str>,
    /// JSON text, embedded verbatim.
    pub before: Option<&'a str>,
    /// JSON text, embedded verbatim.
    pub after: Option<&'a str>,
}

fn quoted(s: Option<&str>) -> String {
    match s {
        Some(s) => serde_json::to_string(s).unwrap_or_else(|_| "null".into()),
        None => "null".into(),
    }
}

/// The exact text that is stored and hashed: fixed key order, strings JSON-escaped,
/// before/after embedded as the JSON text that was stored.
pub fn canonical(e: &EventText<'_>) -> String {
    format!(
        "{{\"v\":1,\"id\":{},\"at\":{},\"user_id\":{},\"username\":{},\"action\":{},\"entity\":{},\"entity_id\":{},\"reason\":{},\"before\":{},\"after\":{}}}",
        quoted(Some(e.id)),
        quoted(Some(e.at)),
        quoted(e.user_id),
        quoted(e.username),
        quoted(Some(e.action)),
        quoted(Some(e.entity)),
        quoted(Some(e.entity_id)),
        quoted(e.reason),
        e.before.unwrap_or("null"),
        e.after.unwrap_or("null"),
    )
}

/// The chain link: SHA-256 over the previous hash and the canonical text.
pub fn chain_hash(prev_hash: &str, canonical: &str) -> String {
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(b"\n");
    h.update(canonical.as_bytes());
    hex::encode(h.finalize())
}

/// Event times as text, truncated to microseconds, UTC, RFC 3339.
pub fn format_at(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev<'a>(after: Option<&'a str>) -> EventText<'a> {
        EventText {
            id: "0193",
            at: "2026-11-28T01:02:03.000004Z",
            user_id: None,
            username: Some("admin"),
            action: "user.create",
            entity: "user",
            entity_id: "u1",
            reason: Some("line \"one\"\nline two"),
            before: None,
            after,
        }
    }

    #[test]
    fn canonical_text_is_stable_json() {
        let c = canonical(&ev(Some("{\"a\":1}")));
        let v: serde_json::Value = serde_json::from_str(&c).unwrap();
        assert_eq!(v["after"]["a"], 1);
        assert_eq!(v["reason"], "line \"one\"\nline two");
        assert_eq!(c, canonical(&ev(Some("{\"a\":1}"))));
    }

    #[test]
    fn any_change_changes_the_hash() {
        let a = chain_hash(GENESIS, &canonical(&ev(Some("{\"a\":1}"))));
        let b = chain_hash(GENESIS, &canonical(&ev(Some("{\"a\":2}"))));
        assert_ne!(a, b);
        assert_ne!(a, chain_hash(&b, &canonical(&ev(Some("{\"a\":1}")))));
        assert_eq!(a.len(), 64);
    }
}
