//! Keyset pagination: opaque cursors and the `{items, next_cursor}` shape of every list.
use crate::error::{AppError, AppResult};
use base64::Engine;
use serde::Serialize;

/// One page of a list.
#[derive(Debug, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

pub const DEFAULT_LIMIT: u64 = 50;
pub const MAX_LIMIT: u64 = 1000;

/// Checks the `limit` query parameter (1 to 1000, default 50).
pub fn limit(limit: Option<&str>) -> AppResult<u64> {
    match limit.map(|l| l.trim().parse::<i64>()) {
        None => Ok(DEFAULT_LIMIT),
        Some(Ok(n)) if (1..=MAX_LIMIT as i64).contains(&n) => Ok(n as u64),
        Some(_) => Err(AppError::field(
            "limit",
            format!("must be a whole number from 1 to {MAX_LIMIT}"),
        )),
    }
}

/// Encodes the sort key of the last item of a page.
pub fn encode(key: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(key.as_bytes())
}

/// Decodes a cursor back into the sort key it was made from.
pub fn decode(cursor: Option<&str>) -> AppResult<Option<String>> {
    let Some(c) = cursor else { return Ok(None) };
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(c.as_bytes())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .map(Some)
        .ok_or_else(|| AppError::field("cursor", "is not a cursor this server handed out"))
}

/// A cursor holding an integer key.
pub fn decode_int(cursor: Option<&str>) -> AppResult<Option<i64>> {
    match decode(cursor)? {
        None => Ok(None),
        Some(s) => s
            .parse()
            .map(Some)
            .map_err(|_| AppError::field("cursor", "is not a cursor this server handed out")),
    }
}

/// Builds a page from `limit + 1` fetched rows: the extra row only tells that there is more.
pub fn build<T, K: Fn(&T) -> String>(mut rows: Vec<T>, limit: u64, key: K) -> Page<T> {
    let more = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    let next_cursor = if more {
        rows.last().map(|r| encode(&key(r)))
    } else {
        None
    };
    Page {
        items: rows,
        next_cursor,
    }
}
