//! The result grid of a batch: one row per sample and per QC sample (blanks and LCS first, each
//! sample followed by its duplicates and spikes), one column per method analyte. Cells post as
//! `v[a_<analysis_id>]` or `v[q_<qc_id>_<method_analyte_id>]` with their version (`ver[…]`) and
//! what they showed when the page was made (`o[…]`, a JSON list of the cell's boxes), so that only
//! changed cells reach the service, with or without JavaScript. The service's errors (`[3].value`)
//! come back beside the cell they name; a stale version shows the current value beside the typed one.
use super::{flag_badge, word};
use crate::error::AppError;
use crate::service::analysis::results::ResultRow;
use crate::service::analysis::views::{BatchView, EvaluationView, ItemView, QcResultView};
use crate::service::input::DecText;
use crate::web::i18n::Tr;
use crate::web::intake::Badge;
use chrono::{DateTime, Utc};
use rocket::FromForm;
use std::collections::HashMap;
use uuid::Uuid;

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
}

impl Cell {
    pub fn id(&self, row: usize) -> String {
        format!("r{row}c{}", self.col)
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

/// The boxes of the posted grid.
#[derive(FromForm, Default)]
pub struct GridForm {
    #[field(name = "_csrf", default = "")]
    pub csrf: String,
    pub v: HashMap<String, String>,
    pub ver: HashMap<String, String>,
    pub o: HashMap<String, String>,
    pub dil: HashMap<String, String>,
    pub at: HashMap<String, String>,
    pub spike: HashMap<String, String>,
    pub cv: HashMap<String, String>,
    pub cmin: HashMap<String, String>,
    pub cmax: HashMap<String, String>,
}

impl GridForm {
    fn extra(&self, name: &str, key: &str) -> Option<&String> {
        match name {
            "spike" => &self.spike,
            "cv" => &self.cv,
            "cmin" => &self.cmin,
            _ => &self.cmax,
        }
        .get(key)
    }
}

/// A datetime-local box's value: the lab's zone, to the minute.
pub fn local_input(t: DateTime<Utc>, tz: chrono_tz::Tz) -> String {
    t.with_timezone(&tz).format("%Y-%m-%dT%H:%M").to_string()
}

fn sig(value: &str, dil: &str, at: &str, extras: &[Extra], typed: bool) -> String {
    let mut parts = vec![value.trim(), dil.trim(), at.trim()];
    parts.extend(
        extras
            .iter()
            .map(|e| if typed { e.value.trim() } else { e.orig.trim() }),
    );
    serde_json::to_string(&parts).unwrap_or_default()
}

pub(super) fn eval_line(tr: Tr, e: &EvaluationView, unit: &str) -> EvalLine {
    let pct = e.metric != "blank";
    let u = if pct { "%" } else { unit };
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
                    Cell {
                        key: format!("q_{}_{}", q.id, c.id),
                        col: i,
                        computed: !c.parts.is_empty()
                            && c.parts.iter().all(|p| cols.iter().any(|x| x.id == *p)),
                        sig: sig(&value, &dil, &at, &extras, false),
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
                    Cell {
                        key: it
                            .map(|i| format!("a_{}", i.analysis_id))
                            .unwrap_or_default(),
                        col: ci,
                        computed: !c.parts.is_empty() && c.parts.iter().all(has),
                        sig: sig(&value, &dil, &at, &[], false),
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

    /// The rows for the service: every typed, non-empty cell that differs from what the page
    /// showed; with the key of each row sent, in order (to place the service's errors).
    pub fn changes(&self, form: &GridForm) -> (Vec<ResultRow>, Vec<String>) {
        let mut out = Vec::new();
        let mut keys = Vec::new();
        for row in &self.rows {
            let dil = form.dil.get(&row.key).unwrap_or(&row.dil_orig).trim();
            let at = form.at.get(&row.key).unwrap_or(&row.at_orig).trim();
            for cell in row
                .cells
                .iter()
                .filter(|c| !c.key.is_empty() && !c.computed)
            {
                let Some(typed) = form.v.get(&cell.key).map(|v| v.trim()) else {
                    continue;
                };
                if typed.is_empty() {
                    continue;
                }
                let extras: Vec<Extra> = cell
                    .extras
                    .iter()
                    .map(|e| Extra {
                        name: e.name,
                        label: String::new(),
                        value: form.extra(e.name, &cell.key).unwrap_or(&e.orig).clone(),
                        orig: e.orig.clone(),
                    })
                    .collect();
                let now = sig(typed, dil, at, &extras, true);
                let was = form.o.get(&cell.key).unwrap_or(&cell.sig);
                if now == *was {
                    continue;
                }
                let extra = |name: &str| {
                    extras
                        .iter()
                        .find(|e| e.name == name)
                        .map(|e| e.value.trim())
                        .filter(|v| !v.is_empty())
                        .map(|v| DecText(v.to_string()))
                };
                let dilution_factor = if !dil.is_empty() {
                    Some(DecText(dil.to_string()))
                } else if cell.has_result && cell.dilution.trim() != "1" {
                    Some(DecText("1".into()))
                } else {
                    None
                };
                let mut r = ResultRow {
                    value: Some(DecText(typed.to_string())),
                    dilution_factor,
                    analysed_at: (!at.is_empty()).then(|| at.to_string()),
                    version: form.ver.get(&cell.key).and_then(|v| v.trim().parse().ok()),
                    spike_amount: extra("spike"),
                    certified_value: extra("cv"),
                    certified_min: extra("cmin"),
                    certified_max: extra("cmax"),
                    ..ResultRow::default()
                };
                match target(&cell.key) {
                    Some(Target::Analysis(a)) => r.analysis_id = Some(a),
                    Some(Target::Qc(q, m)) => {
                        r.qc_id = Some(q);
                        r.method_analyte_id = Some(m);
                    }
                    None => continue,
                }
                out.push(r);
                keys.push(cell.key.clone());
            }
        }
        (out, keys)
    }

    /// Puts what was typed back into the boxes (the page after a refusal).
    pub fn keep_typed(&mut self, form: &GridForm) {
        for row in &mut self.rows {
            if let Some(d) = form.dil.get(&row.key) {
                row.dil = d.clone();
            }
            if let Some(t) = form.at.get(&row.key) {
                row.at = t.clone();
            }
            for cell in &mut row.cells {
                if let Some(v) = form.v.get(&cell.key) {
                    cell.value = v.clone();
                }
                if let Some(v) = form.ver.get(&cell.key) {
                    cell.version = v.clone();
                }
                if let Some(o) = form.o.get(&cell.key) {
                    cell.sig = o.clone();
                }
                for e in &mut cell.extras {
                    if let Some(v) = form.extra(e.name, &cell.key) {
                        e.value = v.clone();
                    }
                }
            }
        }
    }

    fn find(&mut self, key: &str) -> Option<(usize, usize)> {
        self.rows
            .iter()
            .enumerate()
            .find_map(|(ri, r)| r.cells.iter().position(|c| c.key == key).map(|ci| (ri, ci)))
    }

    /// Places the service's errors: `[i].value` beside the cell sent i-th, a dilution or time
    /// error beside the row's box, anything else above the grid.
    pub fn place_errors(&mut self, tr: Tr, e: &AppError, sent: &[String]) {
        if !matches!(e, AppError::Invalid(_)) {
            self.general.push(e.detail());
            return;
        }
        for fe in e.fields() {
            let spot = fe
                .field
                .strip_prefix('[')
                .and_then(|r| r.split_once("]."))
                .and_then(|(i, f)| Some((i.parse::<usize>().ok()?, f)));
            let Some((i, field)) = spot else {
                self.general.push(format!("{}: {}", fe.field, fe.message));
                continue;
            };
            let Some((ri, ci)) = sent.get(i).and_then(|k| self.find(k)) else {
                self.general.push(format!("{}: {}", fe.field, fe.message));
                continue;
            };
            let name = field.split('.').next().unwrap_or(field);
            let label = word(tr, "grid.field", name);
            let (slot, text) = match name {
                "dilution_factor" | "analysed_at" => {
                    (&mut self.rows[ri].error, format!("{label}: {}", fe.message))
                }
                "value" | "analysis_id" | "method_analyte_id" | "qc_id" => {
                    (&mut self.rows[ri].cells[ci].error, fe.message.clone())
                }
                _ => (
                    &mut self.rows[ri].cells[ci].error,
                    format!("{label}: {}", fe.message),
                ),
            };
            if !slot.split("; ").any(|s| s == text) {
                if !slot.is_empty() {
                    slot.push_str("; ");
                }
                slot.push_str(&text);
            }
        }
    }

    /// After a 409: beside each stale cell, the value saved meanwhile; its version becomes the
    /// current one (saving again, having seen it, replaces it).
    pub fn mark_stale(&mut self, tr: Tr, current: &serde_json::Value) {
        let Some(list) = current.as_array() else {
            return;
        };
        for c in list {
            let s = |k: &str| c[k].as_str().unwrap_or_default().to_string();
            let key = if c["analysis_id"].is_string() {
                format!("a_{}", s("analysis_id"))
            } else {
                format!("q_{}_{}", s("qc_id"), s("method_analyte_id"))
            };
            let Some((ri, ci)) = self.find(&key) else {
                continue;
            };
            let cell = &mut self.rows[ri].cells[ci];
            let value = if c["value"].is_string() {
                s("value")
            } else {
                "—".into()
            };
            cell.current = tr
                .t("grid.current")
                .replace("{value}", &value)
                .replace("{reported}", &s("reported"));
            cell.version = c["version"]
                .as_i64()
                .map(|v| v.to_string())
                .unwrap_or_default();
        }
    }
}

enum Target {
    Analysis(Uuid),
    Qc(Uuid, Uuid),
}

fn target(key: &str) -> Option<Target> {
    if let Some(a) = key.strip_prefix("a_") {
        return Uuid::parse_str(a).ok().map(Target::Analysis);
    }
    let (q, m) = key.strip_prefix("q_")?.split_once('_')?;
    Some(Target::Qc(
        Uuid::parse_str(q).ok()?,
        Uuid::parse_str(m).ok()?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_name_their_target() {
        let a = Uuid::now_v7();
        let q = Uuid::now_v7();
        assert!(matches!(target(&format!("a_{a}")), Some(Target::Analysis(x)) if x == a));
        assert!(
            matches!(target(&format!("q_{q}_{a}")), Some(Target::Qc(x, y)) if x == q && y == a)
        );
        assert!(target("a_nope").is_none());
        assert!(target("x").is_none());
    }

    #[test]
    fn a_dilution_of_one_shows_as_empty() {
        assert_eq!(row_dilution(["1", "5"].into_iter()), "");
        assert_eq!(row_dilution(["", "10"].into_iter()), "10");
        assert_eq!(row_dilution(std::iter::empty()), "");
    }
}
