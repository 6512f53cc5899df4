//! The posted grid: which cells changed (and so go to the service), what was typed (kept on a
//! refusal), the service's errors placed beside their cells, a stale write's current values.
//!
//! A cell with formula inputs sends `inputs` instead of `value` when its input boxes were typed in
//! (or are filled and the value box was left as it was): the inputs win over a changed value box.
//! Changing only the value box of a computed result enters that value instead.
use super::{sig, word, Cell, Extra, Grid, InputBox};
use crate::error::AppError;
use crate::service::analysis::results::ResultRow;
use crate::service::input::DecText;
use crate::web::i18n::Tr;
use rocket::FromForm;
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

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
    /// Formula inputs: `inp[<cell key>][<input name>]`.
    pub inp: HashMap<String, HashMap<String, String>>,
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

    /// The cell's input boxes with what was posted in them (what the page showed when not posted).
    fn inputs_of(&self, cell: &Cell) -> Vec<InputBox> {
        let posted = self.inp.get(&cell.key);
        cell.inputs
            .iter()
            .map(|i| InputBox {
                name: i.name.clone(),
                label: String::new(),
                value: posted
                    .and_then(|p| p.get(&i.name))
                    .unwrap_or(&i.orig)
                    .clone(),
                orig: i.orig.clone(),
                error: false,
            })
            .collect()
    }
}

/// What a changed cell sends: its value, or its formula inputs, or nothing (all boxes empty).
fn entry(typed: &str, orig: &str, inputs: &[InputBox]) -> Option<Entry> {
    let any = inputs.iter().any(|i| !i.value.trim().is_empty());
    let inputs_changed = inputs.iter().any(|i| i.value.trim() != i.orig.trim());
    let value_changed = typed != orig.trim();
    if any && (inputs_changed || !value_changed || typed.is_empty()) {
        let map = inputs
            .iter()
            .filter(|i| !i.value.trim().is_empty())
            .map(|i| (i.name.clone(), DecText(i.value.trim().to_string())))
            .collect();
        return Some(Entry::Inputs(map));
    }
    (!typed.is_empty()).then(|| Entry::Value(DecText(typed.to_string())))
}

enum Entry {
    Value(DecText),
    Inputs(BTreeMap<String, DecText>),
}

impl Grid {
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
                let inputs = form.inputs_of(cell);
                let Some(entry) = entry(typed, &cell.orig, &inputs) else {
                    continue;
                };
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
                let now = sig(typed, dil, at, &extras, &inputs, true);
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
                let (value, inputs) = match entry {
                    Entry::Value(v) => (Some(v), None),
                    Entry::Inputs(m) => (None, Some(m)),
                };
                let mut r = ResultRow {
                    value,
                    inputs,
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
                if let Some(posted) = form.inp.get(&cell.key) {
                    for i in &mut cell.inputs {
                        if let Some(v) = posted.get(&i.name) {
                            i.value = v.clone();
                        }
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
            if name == "inputs" {
                let cell = &mut self.rows[ri].cells[ci];
                cell.inputs_error = true;
                let text = match field.strip_prefix("inputs.") {
                    Some(input) => match cell.inputs.iter_mut().find(|i| i.name == input) {
                        Some(b) => {
                            b.error = true;
                            format!("{}: {}", b.label, fe.message)
                        }
                        None => format!("{label} {input}: {}", fe.message),
                    },
                    None => format!("{label}: {}", fe.message),
                };
                add(&mut cell.error, text);
                continue;
            }
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
            add(slot, text);
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

/// Adds an error to a cell's or row's text, once.
fn add(slot: &mut String, text: String) {
    if !slot.split("; ").any(|s| s == text) {
        if !slot.is_empty() {
            slot.push_str("; ");
        }
        slot.push_str(&text);
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

    fn boxes(pairs: &[(&str, &str)]) -> Vec<InputBox> {
        pairs
            .iter()
            .map(|(value, orig)| InputBox {
                name: format!("x{}", value.len()),
                label: String::new(),
                value: value.to_string(),
                orig: orig.to_string(),
                error: false,
            })
            .collect()
    }

    #[test]
    fn typed_inputs_win_over_the_value_box() {
        let value = |e: Option<Entry>| match e {
            Some(Entry::Value(v)) => v.0,
            Some(Entry::Inputs(m)) => format!("inputs {}", m.len()),
            None => "nothing".into(),
        };
        // Inputs typed in a fresh cell; also when the value box changed too.
        assert_eq!(
            value(entry("", "", &boxes(&[("1", ""), ("22", "")]))),
            "inputs 2"
        );
        assert_eq!(
            value(entry("5", "", &boxes(&[("1", ""), ("22", "")]))),
            "inputs 2"
        );
        // A partly filled set still goes (the service names the missing input).
        assert_eq!(
            value(entry("", "", &boxes(&[("1", ""), ("", "")]))),
            "inputs 1"
        );
        // Only the value box of a computed result changed: that value is entered.
        assert_eq!(
            value(entry("7", "4", &boxes(&[("1", "1"), ("22", "22")]))),
            "7"
        );
        // Nothing in the inputs: the value.
        assert_eq!(value(entry("7", "", &boxes(&[("", ""), ("", "")]))), "7");
        assert_eq!(
            value(entry("", "", &boxes(&[("", ""), ("", "")]))),
            "nothing"
        );
        // The row's dilution changed on a computed result: its inputs are sent again.
        assert_eq!(
            value(entry("4", "4", &boxes(&[("1", "1"), ("22", "22")]))),
            "inputs 2"
        );
    }
}
