//! The result grid of a batch: one row per sample and per QC sample (blanks and LCS first, each
//! sample followed by its duplicates and spikes), one column per method analyte. Cells post as
//! `v[a_<analysis_id>]` or `v[q_<qc_id>_<method_analyte_id>]` with their version (`ver[…]`) and
//! what they showed when the page was made (`o[…]`, a JSON list of the cell's boxes), so that only
//! changed cells reach the service, with or without JavaScript. The service's errors (`[3].value`)
//! come back beside the cell they name; a stale version shows the current value beside the typed one.
//! When the batch's method has a formula, each numeric cell also holds one box per formula input
//! (`inp[<key>][<name>]`, in a `<details>` under the value box): filled, they are sent instead of the
//! value (see `form.rs`).
use super::{flag_badge, word};
use crate::service::analysis::views::{BatchView, EvaluationView, ItemView, QcResultView};
use crate::service::methods::FormulaView;
use crate::web::i18n::Tr;
use crate::web::intake::Badge;
use chrono::{DateTime, Utc};
use uuid::Uuid;

mod form;

pub use form::GridForm;

/// Units of quantities that may be negative (as the service allows).
const SIGNED_UNITS: [&str; 3] = ["mV", "℃", "°C"];

/// A column: one method analyte.
pub struct Col {
    pub id: Uuid,
    pub name: String,
    pub code: String,
    pub unit: String,
    pub mdl: String,
    pub numeric: bool,
    pub signed: bool,
    /// The text options as a JSON list (for the as-you-type check).
    pub options: String,
    /// The parts of a total ("sum of"), if it is one.
    pub parts: Vec<Uuid>,
}

/// A QC quantity typed beside a QC value: spike amount, certified value and range.
pub struct Extra {
    /// The form map it posts in: `spike`, `cv`, `cmin`, `cmax`.
    pub name: &'static str,
    pub label: String,
    pub value: String,
    pub orig: String,
}

/// A box of one of the method's formula inputs, under a numeric cell.
pub struct InputBox {
    pub name: String,
    /// `reading (mg/L)`.
    pub label: String,
    pub value: String,
    /// What the saved result was computed from (empty when it was typed or there is none).
    pub orig: String,
    /// The service refused this input.
    pub error: bool,
}

/// A QC evaluation in words.
pub struct EvalLine {
    pub text: String,
    pub verdict: Badge,
    pub note: String,
}

pub struct Cell {
    /// `a_<analysis_id>` or `q_<qc_id>_<method_analyte_id>` (Rocket reads a `:` in a field name as
    /// an index, so `_` separates); empty when the sample has no analysis of this column's analyte.
    pub key: String,
    pub col: usize,
    /// A total computed from its parts: shown, never typed.
    pub computed: bool,
    pub value: String,
    pub orig: String,
    pub version: String,
    /// The JSON list of what the cell's boxes showed (value, dilution, time, extras).
    pub sig: String,
    pub reported: String,
    pub flags: Vec<Badge>,
    pub eval: Option<EvalLine>,
    pub extras: Vec<Extra>,
    pub error: String,
    /// After a 409: the value someone else saved meanwhile.
    pub current: String,
    pub has_result: bool,
    pub dilution: String,
    /// The formula's input boxes (none without a formula, for text results and totals).
    pub inputs: Vec<InputBox>,
    /// The service refused the inputs (the toggle opens).
    pub inputs_error: bool,
    /// The exact value the formula gave, for a result computed from its inputs (whose value box
    /// then starts empty: typing a value there enters it instead).
    pub exact: String,
}

impl Cell {
    pub fn id(&self, row: usize) -> String {
        format!("r{row}c{}", self.col)
    }

    /// The inputs' toggle shows open: they were refused or typed (after a refusal).
    pub fn inputs_open(&self) -> bool {
        self.inputs_error || self.inputs.iter().any(|i| i.value.trim() != i.orig.trim())
    }

    /// The saved result was computed by the formula from the inputs shown.
    pub fn by_formula(&self) -> bool {
        self.inputs.iter().any(|i| !i.orig.is_empty())
    }

    /// The saved inputs in one line (`reading 0.0873 · blank 0.0021`), for a read-only cell.
    pub fn inputs_text(&self) -> String {
        self.inputs
            .iter()
            .filter(|i| !i.orig.is_empty())
            .map(|i| format!("{} {}", i.name, i.orig))
            .collect::<Vec<_>>()
            .join(" · ")
    }
}

pub struct Row {
    /// `s_<sample_id>` or `q_<qc_id>`.
    pub key: String,
    pub label: String,
    pub sample_id: Option<Uuid>,
    pub qc_kind: String,
    pub kind_word: String,
    pub of_lab_id: String,
    pub dil: String,
    pub dil_orig: String,
    pub at: String,
    pub at_orig: String,
    pub error: String,
    pub cells: Vec<Cell>,
}

impl Row {
    pub fn is_qc(&self) -> bool {
        !self.qc_kind.is_empty()
    }

    /// The analysis time as read (the box's `T` a space).
    pub fn at_text(&self) -> String {
        self.at.replace('T', " ")
    }

    /// Whether any of the row's cells can be typed in.
    pub fn typable(&self) -> bool {
        self.cells.iter().any(|c| !c.key.is_empty() && !c.computed)
    }
}

pub struct Grid {
    pub cols: Vec<Col>,
    pub rows: Vec<Row>,
    /// Errors that name no cell.
    pub general: Vec<String>,
}

/// A datetime-local box's value: the lab's zone, to the minute.
pub fn local_input(t: DateTime<Utc>, tz: chrono_tz::Tz) -> String {
    t.with_timezone(&tz).format("%Y-%m-%dT%H:%M").to_string()
}

fn sig(
    value: &str,
    dil: &str,
    at: &str,
    extras: &[Extra],
    inputs: &[InputBox],
    typed: bool,
) -> String {
    let mut parts = vec![value.trim(), dil.trim(), at.trim()];
    parts.extend(
        extras
            .iter()
            .map(|e| if typed { e.value.trim() } else { e.orig.trim() }),
    );
    parts.extend(
        inputs
            .iter()
            .map(|i| if typed { i.value.trim() } else { i.orig.trim() }),
    );
    serde_json::to_string(&parts).unwrap_or_default()
}

/// The input boxes of a cell: one per input of the method's formula, for a numeric column that is
/// not a total; filled with what the saved result was computed from.
fn input_boxes(
    formula: Option<&FormulaView>,
    col: &Col,
    computed: bool,
    saved: Option<&serde_json::Value>,
) -> Vec<InputBox> {
    let Some(f) = formula.filter(|_| col.numeric && !computed) else {
        return vec![];
    };
    f.inputs
        .iter()
        .map(|i| {
            let v = saved
                .and_then(|s| s.get(&i.name))
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string();
            InputBox {
                name: i.name.clone(),
                label: input_label(&i.name, i.unit.as_deref()),
                orig: v.clone(),
                value: v,
                error: false,
            }
        })
        .collect()
}

/// (value box, exact value): a result computed from the inputs shown starts with an empty box.
fn split_exact(value: String, inputs: &[InputBox]) -> (String, String) {
    if inputs.iter().any(|i| !i.orig.is_empty()) {
        (String::new(), value)
    } else {
        (value, String::new())
    }
}

/// `reading (mg/L)`, or the name alone without a unit.
pub fn input_label(name: &str, unit: Option<&str>) -> String {
    match unit.map(str::trim).filter(|u| !u.is_empty()) {
        Some(u) => format!("{name} ({u})"),
        None => name.to_string(),
    }
}

pub(super) fn eval_line(tr: Tr, e: &EvaluationView, unit: &str) -> EvalLine {
    let u = if e.metric == "blank" {
        format!(" {unit}")
    } else {
        "%".to_string()
    };
    let limits = match (&e.min, &e.max) {
        (Some(a), Some(b)) => format!(" ({a}–{b}{u})"),
        (None, Some(b)) => format!(" (≤ {b}{u})"),
        (Some(a), None) => format!(" (≥ {a}{u})"),
        (None, None) => String::new(),
    };
    let value = e
        .value
        .as_ref()
        .map(|v| format!(" {v}{u}"))
        .unwrap_or_default();
    let verdict = match e.pass {
        Some(true) => Badge {
            class: "ok",
            word: tr.t("eval.pass").into(),
        },
        Some(false) => Badge {
            class: "bad",
            word: tr.t("eval.fail").into(),
        },
        None => Badge {
            class: "off",
            word: tr.t("eval.unjudged").into(),
        },
    };
    EvalLine {
        text: format!("{}{value}{limits}", word(tr, "eval", &e.metric)),
        verdict,
        note: e.note.clone().unwrap_or_default(),
    }
}

fn extras_of(tr: Tr, kind: &str, r: Option<&QcResultView>) -> Vec<Extra> {
    let get =
        |f: fn(&QcResultView) -> &Option<String>| r.and_then(|r| f(r).clone()).unwrap_or_default();
    let mk = |name: &'static str, v: String| Extra {
        name,
        label: tr.t(&format!("grid.{name}")).to_string(),
        orig: v.clone(),
        value: v,
    };
    match kind {
        "spike" => vec![mk("spike", get(|r| &r.spike_amount))],
        "lcs" => vec![
            mk("cv", get(|r| &r.certified_value)),
            mk("cmin", get(|r| &r.certified_min)),
            mk("cmax", get(|r| &r.certified_max)),
        ],
        _ => vec![],
    }
}

/// The dilution a row shows: the first result's, empty for 1 (the default).
fn row_dilution<'a>(dils: impl Iterator<Item = &'a str>) -> String {
    dils.map(str::trim)
        .find(|d| !d.is_empty())
        .filter(|d| *d != "1")
        .unwrap_or_default()
        .to_string()
}

impl Grid {
    pub fn from_view(b: &BatchView, tr: Tr, tz: chrono_tz::Tz) -> Grid {
        let cols: Vec<Col> = b
            .method_analytes
            .iter()
            .map(|m| Col {
                id: m.id,
                name: m.analyte_name.clone(),
                code: m.analyte_code.clone(),
                unit: m.unit.clone(),
                mdl: m.mdl.clone().unwrap_or_default(),
                numeric: m.result_type == "numeric",
                signed: SIGNED_UNITS.contains(&m.unit.as_str()),
                options: serde_json::to_string(&m.text_options).unwrap_or_default(),
                parts: m.sum_of.clone().unwrap_or_default(),
            })
            .collect();
        let mut rows = Vec::new();
        let qc_row = |q: &crate::service::analysis::views::QcView| {
            let results: Vec<Option<&QcResultView>> = cols
                .iter()
                .map(|c| q.results.iter().find(|r| r.method_analyte_id == c.id))
                .collect();
            let dil = row_dilution(results.iter().flatten().map(|r| r.dilution_factor.as_str()));
            let at = results
                .iter()
                .flatten()
                .map(|r| r.analysed_at)
                .max()
                .map(|t| local_input(t, tz))
                .unwrap_or_default();
            let cells = cols
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let r = results[i];
                    let value = r.map(|r| r.value.clone()).unwrap_or_default();
                    let extras = extras_of(tr, &q.kind, r);
                    let computed = !c.parts.is_empty()
                        && c.parts.iter().all(|p| cols.iter().any(|x| x.id == *p));
                    let inputs = input_boxes(
                        b.formula.as_ref(),
                        c,
                        computed,
                        r.and_then(|r| r.inputs.as_ref()),
                    );
                    let (value, exact) = split_exact(value, &inputs);
                    Cell {
                        key: format!("q_{}_{}", q.id, c.id),
                        col: i,
                        computed,
                        sig: sig(&value, &dil, &at, &extras, &inputs, false),
                        orig: value.clone(),
                        value,
                        version: r.map(|r| r.version.to_string()).unwrap_or_default(),
                        reported: r.map(|r| r.reported.clone()).unwrap_or_default(),
                        flags: r
                            .map(|r| r.flags.iter().map(|f| flag_badge(tr, f)).collect())
                            .unwrap_or_default(),
                        eval: r
                            .and_then(|r| r.evaluation.as_ref())
                            .map(|e| eval_line(tr, e, &c.unit)),
                        extras,
                        error: String::new(),
                        current: String::new(),
                        has_result: r.is_some(),
                        dilution: r.map(|r| r.dilution_factor.clone()).unwrap_or_default(),
                        inputs,
                        inputs_error: false,
                        exact,
                    }
                })
                .collect();
            Row {
                key: format!("q_{}", q.id),
                label: q.label.clone(),
                sample_id: None,
                qc_kind: q.kind.clone(),
                kind_word: word(tr, "qc_kind", &q.kind),
                of_lab_id: q.of_lab_id.clone().unwrap_or_default(),
                dil_orig: dil.clone(),
                dil,
                at_orig: at.clone(),
                at,
                error: String::new(),
                cells,
            }
        };
        for q in b.qc.iter().filter(|q| q.of_sample_id.is_none()) {
            rows.push(qc_row(q));
        }
        let mut samples: Vec<Uuid> = Vec::new();
        for i in &b.items {
            if !samples.contains(&i.sample_id) {
                samples.push(i.sample_id);
            }
        }
        for sid in &samples {
            let items: Vec<Option<&ItemView>> = cols
                .iter()
                .map(|c| {
                    b.items
                        .iter()
                        .find(|i| i.sample_id == *sid && i.method_analyte_id == c.id)
                })
                .collect();
            let dil = row_dilution(
                items
                    .iter()
                    .flatten()
                    .filter_map(|i| i.dilution_factor.as_deref()),
            );
            let at = items
                .iter()
                .flatten()
                .filter_map(|i| i.analysed_at)
                .max()
                .map(|t| local_input(t, tz))
                .unwrap_or_default();
            let has = |ma: &Uuid| items.iter().flatten().any(|i| i.method_analyte_id == *ma);
            let cells = cols
                .iter()
                .enumerate()
                .map(|(ci, c)| {
                    let it = items[ci];
                    let value = it.and_then(|i| i.value.clone()).unwrap_or_default();
                    let computed = !c.parts.is_empty() && c.parts.iter().all(has);
                    let inputs = if it.is_some() {
                        input_boxes(
                            b.formula.as_ref(),
                            c,
                            computed,
                            it.and_then(|i| i.inputs.as_ref()),
                        )
                    } else {
                        vec![]
                    };
                    let (value, exact) = split_exact(value, &inputs);
                    Cell {
                        key: it
                            .map(|i| format!("a_{}", i.analysis_id))
                            .unwrap_or_default(),
                        col: ci,
                        computed,
                        sig: sig(&value, &dil, &at, &[], &inputs, false),
                        orig: value.clone(),
                        value,
                        version: it
                            .and_then(|i| i.version)
                            .map(|v| v.to_string())
                            .unwrap_or_default(),
                        reported: it.and_then(|i| i.reported.clone()).unwrap_or_default(),
                        flags: it
                            .map(|i| i.flags.iter().map(|f| flag_badge(tr, f)).collect())
                            .unwrap_or_default(),
                        eval: None,
                        extras: vec![],
                        error: String::new(),
                        current: String::new(),
                        has_result: it.is_some_and(|i| i.version.is_some()),
                        dilution: it
                            .and_then(|i| i.dilution_factor.clone())
                            .unwrap_or_default(),
                        inputs,
                        inputs_error: false,
                        exact,
                    }
                })
                .collect();
            let lab_id = items
                .iter()
                .flatten()
                .next()
                .map(|i| i.lab_id.clone())
                .unwrap_or_default();
            rows.push(Row {
                key: format!("s_{sid}"),
                label: lab_id,
                sample_id: Some(*sid),
                qc_kind: String::new(),
                kind_word: String::new(),
                of_lab_id: String::new(),
                dil_orig: dil.clone(),
                dil,
                at_orig: at.clone(),
                at,
                error: String::new(),
                cells,
            });
            for q in b.qc.iter().filter(|q| q.of_sample_id == Some(*sid)) {
                rows.push(qc_row(q));
            }
        }
        // A QC sample whose parent is not (or no longer) in the batch still shows.
        for q in
            b.qc.iter()
                .filter(|q| q.of_sample_id.is_some_and(|s| !samples.contains(&s)))
        {
            rows.push(qc_row(q));
        }
        Grid {
            cols,
            rows,
            general: vec![],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dilution_of_one_shows_as_empty() {
        assert_eq!(row_dilution(["1", "5"].into_iter()), "");
        assert_eq!(row_dilution(["", "10"].into_iter()), "10");
        assert_eq!(row_dilution(std::iter::empty()), "");
    }
}
