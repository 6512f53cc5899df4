//! Judging results against environmental quality standards: GB 36600, GB 15618, GB/T 14848, GB 3838.
use classes::Scheme;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::str::FromStr;

mod classes;
mod farmland;
mod groundwater;
mod soil;
mod summary;
mod surface;
#[cfg(test)]
mod test_rows;
mod units;

const GB36600: &str = "GB36600-2018";
const GB15618: &str = "GB15618-2018";
const GBT14848: &str = "GBT14848-2017";
const GB3838: &str = "GB3838-2002";

/// One row of `standard_limit`, as it stood when a result was judged (kept with the report).
/// Numbers are exact decimal text as printed in the standard.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LimitRow {
    /// `first_class`/`second_class` (GB 36600), `paddy`/`orchard`/`other`/`all` (GB 15618),
    /// `class_I`…`class_V` (GB/T 14848, GB 3838).
    pub category: String,
    /// `screening`, `intervention` or `class_limit`.
    pub kind: String,
    pub unit: String,
    pub value: Option<String>,
    pub lower: Option<String>,
    pub upper: Option<String>,
    pub lower_inclusive: Option<bool>,
    pub upper_inclusive: Option<bool>,
    pub text: Option<String>,
    pub ph_min: Option<String>,
    pub ph_max: Option<String>,
    pub note: Option<String>,
}

/// A result as judged: its exact final value, a non-detect with its effective detection limit
/// (MDL × dilution), or a text option such as 无/有.
#[derive(Clone, Debug, PartialEq)]
pub enum Measured {
    Value(Decimal),
    NotDetected { limit: Decimal },
    Text(String),
}

/// One result to judge.
#[derive(Clone, Debug)]
pub struct Input<'a> {
    pub analyte: &'a str,
    pub measured: Measured,
    pub unit: &'a str,
}

/// What of the project and sample decides which limits apply.
#[derive(Clone, Debug, Default)]
pub struct Context {
    /// GB 36600: `first_class` / `second_class`; unknown → first class (5.3.1), with a note.
    pub land_use: Option<String>,
    /// GB 15618: `paddy` / `orchard` / `other`.
    pub farmland_type: Option<String>,
    /// GB 15618: the sample's measured soil pH.
    pub soil_ph: Option<Decimal>,
    /// GB 3838: a lake or reservoir (total P has its own limits; total N applies only there).
    pub lake_reservoir: bool,
}

/// How a result stands against one standard.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    LeScreening,
    GtScreening,
    GtIntervention,
    /// A class (GB/T 14848, GB 3838), in `Verdict::class`.
    Class,
    /// A non-detect whose detection limit is above the class I limit: "≤ class X".
    AtBest,
    /// No judgement: no applicable limit, missing pH, unit mismatch … (`note` says why).
    NotJudged,
}

/// The judgement of one result against one standard.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    pub standard: String,
    pub outcome: Outcome,
    /// 1–5 for classes I–V; 6 for GB 3838's 劣V类.
    pub class: Option<u8>,
    /// Printed highlighted: above a screening value, or (for classes) worse than class III.
    pub exceeds: bool,
    /// Whether this verdict may set the sample's overall class.
    pub classifiable: bool,
    pub label_zh: String,
    pub label_en: String,
    /// The limit rows the result was judged against.
    pub limits: Vec<LimitRow>,
    pub note: Option<String>,
}

/// An analyte as a summary names it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Named {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
}

/// A sample's judgement against one standard.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub standard: String,
    pub label_zh: String,
    pub label_en: String,
    /// Overall class (GB/T 14848, GB 3838): the worst classifiable indicator.
    pub class: Option<u8>,
    /// The indicators that set the overall class.
    pub setting: Vec<Named>,
    pub exceed_screening: Vec<Named>,
    pub exceed_intervention: Vec<Named>,
    pub not_classifiable: Vec<Named>,
    pub notes: Vec<String>,
}

/// Judges one result against `standard`'s limit rows for its analyte (every row of that
/// standard × analyte; the function picks the applicable ones). `None` when there are no rows.
pub fn evaluate(
    standard: &str,
    input: &Input<'_>,
    limits: &[LimitRow],
    ctx: &Context,
) -> Option<Verdict> {
    if limits.is_empty() {
        return None;
    }
    match standard {
        GB36600 => Some(soil::gb36600(input, limits, ctx)),
        GB15618 => Some(farmland::gb15618(input, limits, ctx)),
        GBT14848 => Some(classes::evaluate(Scheme::Groundwater, input, limits, ctx)),
        GB3838 => Some(classes::evaluate(Scheme::Surface, input, limits, ctx)),
        _ => None,
    }
}

/// Sums up one sample's verdicts against `standard`. `None` when nothing was judged.
pub fn summarise(standard: &str, judged: &[(Named, &Verdict)]) -> Option<Summary> {
    summary::summarise(standard, judged)
}

/// A limit number as printed (`"0.3"`, `"1.50"`); empty → `None`; anything else is a note.
fn limit_number(text: Option<&str>, what: &str) -> Result<Option<Decimal>, String> {
    match text.map(str::trim) {
        None | Some("") => Ok(None),
        Some(t) => Decimal::from_str(t)
            .map(Some)
            .map_err(|_| format!("{what} '{t}' in the limit table is not a number: not compared")),
    }
}

/// `notes` joined for `Verdict::note`, or `None` when there are none.
fn join_notes(notes: Vec<String>) -> Option<String> {
    if notes.is_empty() {
        None
    } else {
        Some(notes.join("; "))
    }
}

/// A verdict that judges nothing; `note` says why.
fn not_judged(
    standard: &str,
    limits: Vec<LimitRow>,
    mut notes: Vec<String>,
    why: String,
) -> Verdict {
    notes.push(why);
    Verdict {
        standard: standard.to_string(),
        outcome: Outcome::NotJudged,
        class: None,
        exceeds: false,
        classifiable: false,
        label_zh: "未评价".to_string(),
        label_en: "not judged".to_string(),
        limits,
        note: join_notes(notes),
    }
}
