//! PATCH semantics: a field may be absent (leave it), `null` (clear it) or a value (set it).
use serde::{Deserialize, Deserializer};

/// Deserialises a present field (even `null`) as `Some(..)`, so `#[serde(default)]` leaves absent ones `None`.
pub fn present<'de, T, D>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}
