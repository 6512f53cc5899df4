//! Test helpers: limit rows written as they stand in migrations/seed/standard_limits.csv.
use super::{Input, LimitRow, Measured};
use rust_decimal::Decimal;

pub fn d(s: &str) -> Decimal {
    Decimal::from_str_exact(s).unwrap()
}

fn s(t: &str) -> Option<String> {
    (!t.is_empty()).then(|| t.to_string())
}

fn row(category: &str, kind: &str, unit: &str) -> LimitRow {
    LimitRow {
        category: category.to_string(),
        kind: kind.to_string(),
        unit: unit.to_string(),
        value: None,
        lower: None,
        upper: None,
        lower_inclusive: None,
        upper_inclusive: None,
        text: None,
        ph_min: None,
        ph_max: None,
        note: None,
    }
}

/// A screening/intervention row: `value`, with its pH band (`ph_min`, `ph_max`; "" = none).
pub fn soil(category: &str, kind: &str, value: &str, ph_min: &str, ph_max: &str) -> LimitRow {
    LimitRow {
        value: s(value),
        ph_min: s(ph_min),
        ph_max: s(ph_max),
        ..row(category, kind, "mg/kg")
    }
}

/// A class row "≤x".
pub fn le(class: &str, unit: &str, x: &str) -> LimitRow {
    LimitRow {
        upper: s(x),
        upper_inclusive: Some(true),
        ..row(class, "class_limit", unit)
    }
}

/// A class row ">x".
pub fn gt(class: &str, unit: &str, x: &str) -> LimitRow {
    LimitRow {
        lower: s(x),
        lower_inclusive: Some(false),
        ..row(class, "class_limit", unit)
    }
}

/// A class row "≥x".
pub fn ge(class: &str, unit: &str, x: &str) -> LimitRow {
    LimitRow {
        lower: s(x),
        lower_inclusive: Some(true),
        ..row(class, "class_limit", unit)
    }
}

/// A class row with both bounds (`lower`, `upper`; "" = none) and their inclusiveness.
pub fn range(class: &str, unit: &str, lower: (&str, bool), upper: (&str, bool)) -> LimitRow {
    LimitRow {
        lower: s(lower.0),
        upper: s(upper.0),
        lower_inclusive: s(lower.0).map(|_| lower.1),
        upper_inclusive: s(upper.0).map(|_| upper.1),
        ..row(class, "class_limit", unit)
    }
}

/// A class row with text only (无, 有, 不得检出, …).
pub fn text(class: &str, unit: &str, t: &str) -> LimitRow {
    LimitRow {
        text: s(t),
        ..row(class, "class_limit", unit)
    }
}

pub fn with_note(mut r: LimitRow, note: &str) -> LimitRow {
    r.note = s(note);
    r
}

/// The five class rows "≤x" for classes I–V (GB 3838 and GB/T 14848 classes I–IV).
pub fn classes_le(unit: &str, xs: [&str; 5]) -> Vec<LimitRow> {
    CLASSES
        .iter()
        .zip(xs)
        .map(|(c, x)| le(c, unit, x))
        .collect()
}

/// GB/T 14848: "≤x" for classes I–IV and ">IV" for class V.
pub fn groundwater(unit: &str, xs: [&str; 4]) -> Vec<LimitRow> {
    let mut rows: Vec<LimitRow> = CLASSES
        .iter()
        .zip(xs)
        .map(|(c, x)| le(c, unit, x))
        .collect();
    rows.push(gt("class_V", unit, xs[3]));
    rows
}

pub const CLASSES: [&str; 5] = ["class_I", "class_II", "class_III", "class_IV", "class_V"];

pub fn value<'a>(analyte: &'a str, v: &str, unit: &'a str) -> Input<'a> {
    Input {
        analyte,
        measured: Measured::Value(d(v)),
        unit,
    }
}

pub fn nd<'a>(analyte: &'a str, dl: &str, unit: &'a str) -> Input<'a> {
    Input {
        analyte,
        measured: Measured::NotDetected { limit: d(dl) },
        unit,
    }
}

pub fn text_result<'a>(analyte: &'a str, t: &str) -> Input<'a> {
    Input {
        analyte,
        measured: Measured::Text(t.to_string()),
        unit: "",
    }
}
