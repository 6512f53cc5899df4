//! Field data recorded at sampling: which items exist per matrix, which HJ 164-2020 makes mandatory
//! for groundwater, and the plausible ranges that catch typing errors (not regulatory limits).
use crate::domain::decimal;
use std::collections::BTreeMap;

/// What kind of value a field item takes.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A decimal within a plausible range (inclusive), in `unit`.
    Number {
        min: &'static str,
        max: &'static str,
        unit: &'static str,
    },
    /// Free text (at most 200 characters).
    Text,
}

/// One field item.
#[derive(Copy, Clone, Debug)]
pub struct Item {
    pub name: &'static str,
    pub label_zh: &'static str,
    pub label_en: &'static str,
    pub kind: Kind,
    /// Matrices the item belongs to.
    pub matrices: &'static [&'static str],
    /// Matrices for which HJ 164-2020 makes it mandatory.
    pub mandatory: &'static [&'static str],
}

const WATER: &[&str] = &["groundwater", "surface_water", "seawater", "wastewater"];
const GW: &[&str] = &["groundwater"];
const SOIL: &[&str] = &["soil", "sediment"];

/// Every field item Egret knows.
pub const ITEMS: &[Item] = &[
    Item {
        name: "water_level_m",
        label_zh: "水位埋深",
        label_en: "Depth to water",
        kind: Kind::Number {
            min: "0",
            max: "1000",
            unit: "m",
        },
        matrices: GW,
        mandatory: GW,
    },
    Item {
        name: "water_temp_c",
        label_zh: "水温",
        label_en: "Water temperature",
        kind: Kind::Number {
            min: "-5",
            max: "100",
            unit: "℃",
        },
        matrices: WATER,
        mandatory: GW,
    },
    Item {
        name: "ph",
        label_zh: "pH",
        label_en: "pH",
        kind: Kind::Number {
            min: "0",
            max: "14",
            unit: "无量纲",
        },
        matrices: WATER,
        mandatory: GW,
    },
    Item {
        name: "do_mg_l",
        label_zh: "溶解氧",
        label_en: "Dissolved oxygen",
        kind: Kind::Number {
            min: "0",
            max: "50",
            unit: "mg/L",
        },
        matrices: WATER,
        mandatory: GW,
    },
    Item {
        name: "conductivity_us_cm",
        label_zh: "电导率",
        label_en: "Conductivity",
        kind: Kind::Number {
            min: "0",
            max: "200000",
            unit: "μS/cm",
        },
        matrices: WATER,
        mandatory: GW,
    },
    Item {
        name: "orp_mv",
        label_zh: "氧化还原电位",
        label_en: "ORP",
        kind: Kind::Number {
            min: "-2000",
            max: "2000",
            unit: "mV",
        },
        matrices: WATER,
        mandatory: GW,
    },
    Item {
        name: "turbidity_ntu",
        label_zh: "浊度",
        label_en: "Turbidity",
        kind: Kind::Number {
            min: "0",
            max: "100000",
            unit: "NTU",
        },
        matrices: WATER,
        mandatory: GW,
    },
    Item {
        name: "odour",
        label_zh: "嗅和味",
        label_en: "Odour",
        kind: Kind::Text,
        matrices: WATER,
        mandatory: GW,
    },
    Item {
        name: "visible_matter",
        label_zh: "肉眼可见物",
        label_en: "Visible matter",
        kind: Kind::Text,
        matrices: WATER,
        mandatory: GW,
    },
    Item {
        name: "texture",
        label_zh: "质地",
        label_en: "Texture",
        kind: Kind::Text,
        matrices: SOIL,
        mandatory: &[],
    },
    Item {
        name: "colour",
        label_zh: "颜色",
        label_en: "Colour",
        kind: Kind::Text,
        matrices: SOIL,
        mandatory: &[],
    },
    Item {
        name: "moisture",
        label_zh: "湿度",
        label_en: "Moisture",
        kind: Kind::Text,
        matrices: SOIL,
        mandatory: &[],
    },
    Item {
        name: "note",
        label_zh: "现场描述",
        label_en: "Field note",
        kind: Kind::Text,
        matrices: &[
            "soil",
            "sediment",
            "groundwater",
            "surface_water",
            "seawater",
            "wastewater",
        ],
        mandatory: &[],
    },
];

pub fn item(name: &str) -> Option<&'static Item> {
    ITEMS.iter().find(|i| i.name == name)
}

/// The items of a matrix.
pub fn items_for(matrix: &str) -> impl Iterator<Item = &'static Item> + '_ {
    ITEMS.iter().filter(move |i| i.matrices.contains(&matrix))
}

/// Checked field data: canonical values, and the mandatory items still missing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Checked {
    pub values: BTreeMap<String, String>,
    pub missing: Vec<String>,
}

/// Checks field data of a sample of `matrix`; values come as text (JSON numbers are passed as their text).
/// Errors are `(item name, message)`. Missing mandatory items are not errors: they are listed in `missing`.
pub fn check(
    matrix: &str,
    input: &BTreeMap<String, String>,
) -> Result<Checked, Vec<(String, String)>> {
    let mut errors = Vec::new();
    let mut values = BTreeMap::new();
    for (name, raw) in input {
        let raw = raw.trim();
        if raw.is_empty() {
            continue;
        }
        let Some(it) = item(name).filter(|i| i.matrices.contains(&matrix)) else {
            let known: Vec<&str> = items_for(matrix).map(|i| i.name).collect();
            errors.push((
                name.clone(),
                format!(
                    "is not a field item of {matrix} (known: {})",
                    known.join(", ")
                ),
            ));
            continue;
        };
        match it.kind {
            Kind::Number { min, max, unit } => match decimal::parse(raw) {
                Ok(c) => {
                    let v = decimal::value(&c);
                    if v < decimal::value(min) || v > decimal::value(max) {
                        errors.push((
                            name.clone(),
                            format!("{raw} is outside the plausible range {min} to {max} {unit}"),
                        ));
                    } else {
                        values.insert(name.clone(), c);
                    }
                }
                Err(e) => errors.push((name.clone(), e)),
            },
            Kind::Text => {
                if raw.chars().count() > 200 {
                    errors.push((name.clone(), "must be at most 200 characters".into()));
                } else {
                    values.insert(name.clone(), raw.to_string());
                }
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let missing = ITEMS
        .iter()
        .filter(|i| i.mandatory.contains(&matrix) && !values.contains_key(i.name))
        .map(|i| i.name.to_string())
        .collect();
    Ok(Checked { values, missing })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn groundwater_lists_missing_mandatory_items() {
        let c = check("groundwater", &map(&[("ph", "7.20"), ("odour", "无")])).unwrap();
        assert_eq!(c.values["ph"], "7.20");
        assert!(c.missing.contains(&"water_level_m".to_string()));
        assert!(!c.missing.contains(&"ph".to_string()));
    }

    #[test]
    fn ranges_and_unknown_items_are_errors() {
        assert!(check("groundwater", &map(&[("ph", "15")])).is_err());
        assert!(check("groundwater", &map(&[("ph", "abc")])).is_err());
        assert!(check("groundwater", &map(&[("colour", "brown")])).is_err());
        assert!(check("soil", &map(&[("texture", "壤土")]))
            .unwrap()
            .missing
            .is_empty());
    }
}
