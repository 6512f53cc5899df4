//! Lenient input shapes shared by the API and forms: decimals as JSON strings (or numbers), field maps.
use serde::{Deserialize, Deserializer};
use std::collections::BTreeMap;

/// A decimal quantity as sent: a JSON string (preferred) or number, kept as its text.
#[derive(Clone, Debug, PartialEq, Eq, utoipa::ToSchema)]
#[schema(value_type = String)]
pub struct DecText(pub String);

impl<'de> Deserialize<'de> for DecText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<DecText, D::Error> {
        match serde_json::Value::deserialize(d)? {
            serde_json::Value::String(s) => Ok(DecText(s)),
            serde_json::Value::Number(n) => Ok(DecText(n.to_string())),
            other => Err(serde::de::Error::custom(format!(
                "expected a decimal as a string such as \"1.5\", got {other}"
            ))),
        }
    }
}

/// Field data as sent: names to strings or numbers; `null` means not recorded.
pub fn field_map(
    raw: &BTreeMap<String, serde_json::Value>,
) -> Result<BTreeMap<String, String>, Vec<(String, String)>> {
    let mut out = BTreeMap::new();
    let mut errors = Vec::new();
    for (k, v) in raw {
        match v {
            serde_json::Value::Null => {}
            serde_json::Value::String(s) => {
                out.insert(k.clone(), s.clone());
            }
            serde_json::Value::Number(n) => {
                out.insert(k.clone(), n.to_string());
            }
            other => errors.push((k.clone(), format!("expected text or a number, got {other}"))),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}
