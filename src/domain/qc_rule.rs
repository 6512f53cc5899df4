//! QC acceptance rules of a method_analyte (DESIGN.md "QC arithmetic"): shape and validation.
use crate::domain::decimal;
use serde::{Deserialize, Serialize};

/// What a rule judges.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum AppliesTo {
    Blank,
    Duplicate,
    Spike,
    Lcs,
}

/// One acceptance rule; bounds are decimal strings. Percentages for duplicates (RD %) and
/// recoveries, an absolute maximum in the result's unit for blanks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QcRule {
    pub applies_to: AppliesTo,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conc_min: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conc_max: Option<String>,
}

impl QcRule {
    /// Checks and canonicalises the bounds; errors name the field inside the rule.
    pub fn validated(&self) -> Result<QcRule, Vec<(String, String)>> {
        let mut errors = Vec::new();
        let mut canon = |name: &str, v: &Option<String>| -> Option<String> {
            let v = v.as_ref()?;
            match decimal::parse_non_negative(v) {
                Ok(c) => Some(c),
                Err(e) => {
                    errors.push((name.to_string(), e));
                    None
                }
            }
        };
        let rule = QcRule {
            applies_to: self.applies_to,
            min: canon("min", &self.min),
            max: canon("max", &self.max),
            conc_min: canon("conc_min", &self.conc_min),
            conc_max: canon("conc_max", &self.conc_max),
        };
        let lt = |a: &Option<String>, b: &Option<String>| match (a, b) {
            (Some(a), Some(b)) => decimal::value(a) > decimal::value(b),
            _ => false,
        };
        if lt(&rule.min, &rule.max) {
            errors.push(("min".into(), "min must not be above max".into()));
        }
        if lt(&rule.conc_min, &rule.conc_max) {
            errors.push((
                "conc_min".into(),
                "conc_min must not be above conc_max".into(),
            ));
        }
        if rule.applies_to == AppliesTo::Blank && rule.min.is_some() {
            errors.push((
                "min".into(),
                "a blank rule has only a max (in the result's unit)".into(),
            ));
        }
        if errors.is_empty() {
            Ok(rule)
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(applies_to: AppliesTo, min: Option<&str>, max: Option<&str>) -> QcRule {
        QcRule {
            applies_to,
            min: min.map(Into::into),
            max: max.map(Into::into),
            conc_min: None,
            conc_max: None,
        }
    }

    #[test]
    fn bounds_are_checked() {
        assert!(rule(AppliesTo::Spike, Some("70"), Some("130"))
            .validated()
            .is_ok());
        assert!(rule(AppliesTo::Spike, Some("130"), Some("70"))
            .validated()
            .is_err());
        assert!(rule(AppliesTo::Duplicate, None, Some("abc"))
            .validated()
            .is_err());
        assert!(rule(AppliesTo::Blank, Some("1"), None).validated().is_err());
    }
}
