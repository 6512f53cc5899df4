//! Methods: the list by matrix, one method with its analyses, its QC insertion rule and its
//! formula (admin).
use super::{matrix_names, word, PAGE, READ, WRITE};
use crate::auth::csrf::Csrf;
use crate::auth::{CurrentUser, WebUser};
use crate::domain::qc_rule::{AppliesTo, QcRule};
use crate::domain::role::Role;
use crate::error::{AppError, AppResult};
use crate::service::method_analytes::{self, MaFilter, MethodAnalyteView};
use crate::service::methods::{self, FormulaInput, FormulaView, MethodPatch, MethodView};
use crate::state::AppState;
use crate::web::admin::form::{opt_int, opt_text, place};
use crate::web::i18n::Tr;
use crate::web::{check_csrf, with_user, FormErrors, Layout, PageResult};
use askama::Template;
use askama_web::WebTemplate;
use rocket::form::Form;
use rocket::http::Status;
use rocket::request::FlashMessage;
use rocket::response::{Flash, Redirect};
use rocket::{get, post, routes, FromForm, Route, State};
use std::collections::HashMap;
use uuid::Uuid;

pub fn routes() -> Vec<Route> {
    routes![methods_list, method_page, method_save]
}

/// A matrix of the filter.
pub struct MatrixChoice {
    pub code: String,
    pub name: String,
    pub selected: bool,
}

pub struct MethodRow {
    pub id: Uuid,
    pub code: String,
    pub title: String,
    pub matrix: String,
    pub technique: String,
    pub status: String,
    /// The lab still has to confirm or set it.
    pub pending: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "catalogue/methods.html")]
pub struct MethodsPage {
    pub layout: Layout,
    pub matrices: Vec<MatrixChoice>,
    pub matrix: String,
    pub rows: Vec<MethodRow>,
    pub next: Option<String>,
}

/// A method's status in the page's language ("candidate — lab to confirm").
fn status_text(tr: Tr, status: &str) -> String {
    let code = match status {
        "candidate — lab to confirm" => "candidate",
        "placeholder — lab to set the method standard" => "placeholder",
        other => other,
    };
    word(tr, "methods.status", code)
}

#[get("/catalogue/methods?<matrix>&<cursor>")]
async fn methods_list(
    state: &State<AppState>,
    user: WebUser,
    csrf: Csrf,
    matrix: Option<&str>,
    cursor: Option<&str>,
) -> PageResult<MethodsPage> {
    user.require(READ).map_err(with_user(&user))?;
    let layout = Layout::new(Some(&user), &csrf, "methods.title", "methods");
    let tr = layout.tr;
    let matrix = matrix.map(str::trim).unwrap_or_default().to_string();
    let names = matrix_names(state, tr).await.map_err(with_user(&user))?;
    let matrices = crate::service::catalogue::matrices(&state.db)
        .await
        .map_err(with_user(&user))?
        .items
        .into_iter()
        .map(|m| MatrixChoice {
            name: tr.pick(&m.name_zh, &m.name_en).to_string(),
            selected: m.code == matrix,
            code: m.code,
        })
        .collect();
    let filter = (!matrix.is_empty()).then_some(matrix.as_str());
    let page = methods::methods(&state.db, filter, cursor, PAGE)
        .await
        .map_err(with_user(&user))?;
    let rows = page
        .items
        .into_iter()
        .map(|m| MethodRow {
            pending: m.status.contains("lab to"),
            status: status_text(tr, &m.status),
            matrix: names.get(&m.matrix).cloned().unwrap_or(m.matrix),
            technique: m.technique.unwrap_or_default(),
            id: m.id,
            code: m.code,
            title: m.title,
        })
        .collect();
    Ok(MethodsPage {
        layout,
        matrices,
        matrix,
        rows,
        next: page.next_cursor,
    })
}

/// A table cell of a lab setting: its value, or "to be set by the lab" when empty.
pub struct Cell {
    pub text: String,
    pub todo: bool,
}

impl Cell {
    fn of(tr: Tr, v: Option<String>) -> Cell {
        match v {
            Some(text) => Cell { text, todo: false },
            None => Cell {
                text: tr.t("common.to_be_set").to_string(),
                todo: true,
            },
        }
    }

    fn none(tr: Tr) -> Cell {
        Cell {
            text: tr.t("common.none").to_string(),
            todo: false,
        }
    }
}

/// One analysis of the method.
pub struct MaRow {
    pub id: Uuid,
    pub analyte: String,
    /// "total of: a + b" for a total (`sum_of`); empty for a measured analysis.
    pub total_of: String,
    pub scientific: bool,
    pub analyte_code: String,
    pub unit: String,
    pub mdl: Cell,
    pub precision: Cell,
    pub holding: Cell,
    pub holding_unpreserved: Cell,
    pub container: Cell,
    pub preservative: Cell,
    pub qc_rules: Vec<String>,
    pub qc_todo: Cell,
    pub mdl_source: String,
}

/// A QC acceptance rule in words: "Duplicate RD ≤ 20 %", "Blank < MDL".
pub fn qc_rule_text(tr: Tr, r: &QcRule, unit: &str) -> String {
    let (what, suffix) = match r.applies_to {
        AppliesTo::Blank => (tr.t("qc.blank"), format!(" {unit}")),
        AppliesTo::Duplicate => (tr.t("qc.duplicate"), " %".to_string()),
        AppliesTo::Spike => (tr.t("qc.spike"), " %".to_string()),
        AppliesTo::Lcs => (tr.t("qc.lcs"), " %".to_string()),
    };
    let bounds = match (&r.min, &r.max) {
        (Some(lo), Some(hi)) => format!("{lo}–{hi}{suffix}"),
        (None, Some(hi)) => format!("≤ {hi}{suffix}"),
        (Some(lo), None) => format!("≥ {lo}{suffix}"),
        (None, None) if r.applies_to == AppliesTo::Blank => tr.t("qc.below_mdl").to_string(),
        (None, None) => tr.t("qc.not_judged").to_string(),
    };
    let band = match (&r.conc_min, &r.conc_max) {
        (Some(lo), Some(hi)) => format!(" ({} {lo}–{hi} {unit})", tr.t("qc.conc")),
        (Some(lo), None) => format!(" ({} ≥ {lo} {unit})", tr.t("qc.conc")),
        (None, Some(hi)) => format!(" ({} ≤ {hi} {unit})", tr.t("qc.conc")),
        (None, None) => String::new(),
    };
    format!("{what} {bounds}{band}")
}

/// "Σ a + b + c" of a total, the parts by code (their id when not of this method).
fn total_text(tr: Tr, ma: &MethodAnalyteView, codes: &HashMap<Uuid, String>) -> String {
    match &ma.sum_of {
        Some(parts) => format!(
            "{} {}",
            tr.t("ma.total_of"),
            parts
                .iter()
                .map(|p| codes.get(p).cloned().unwrap_or_else(|| p.to_string()))
                .collect::<Vec<_>>()
                .join(" + ")
        ),
        None => String::new(),
    }
}

fn ma_row(tr: Tr, ma: MethodAnalyteView, codes: &HashMap<Uuid, String>) -> MaRow {
    let numeric = ma.result_type == "numeric";
    let hours = |h: Option<i32>| h.map(|h| format!("{h} {}", tr.t("ma.hours")));
    let precision = match (ma.decimals, ma.significant_figures) {
        (Some(d), _) => Some(format!("{d} {}", tr.t("ma.n_decimals"))),
        (None, Some(s)) => Some(format!("{s} {}", tr.t("ma.n_sf"))),
        (None, None) => None,
    };
    let qc_rules: Vec<String> = ma
        .qc_rules
        .iter()
        .map(|r| qc_rule_text(tr, r, &ma.unit))
        .collect();
    MaRow {
        total_of: total_text(tr, &ma, codes),
        scientific: ma.scientific,
        id: ma.id,
        analyte: tr
            .pick(&ma.analyte_name_zh, &ma.analyte_name_en)
            .to_string(),
        analyte_code: ma.analyte_code,
        mdl: if numeric {
            Cell::of(tr, ma.mdl)
        } else {
            Cell {
                text: format!(
                    "{}: {}",
                    tr.t("ma.text_result"),
                    ma.text_options.join(" / ")
                ),
                todo: false,
            }
        },
        precision: if numeric {
            Cell::of(tr, precision)
        } else {
            Cell::none(tr)
        },
        holding: Cell::of(tr, hours(ma.holding_time_hours)),
        holding_unpreserved: hours(ma.holding_time_unpreserved_hours)
            .map(|text| Cell { text, todo: false })
            .unwrap_or_else(|| Cell::none(tr)),
        container: Cell::of(tr, ma.container),
        preservative: Cell::of(tr, ma.preservative),
        qc_todo: Cell::of(tr, None),
        qc_rules,
        unit: ma.unit,
        mdl_source: ma.mdl_source.unwrap_or_default(),
    }
}

/// The formula as typed: the expression, and its inputs one a line (`name unit`).
#[derive(FromForm, Default)]
pub struct FormulaForm {
    #[field(default = "")]
    pub expression: String,
    #[field(default = "")]
    pub inputs: String,
}

impl FormulaForm {
    fn of(f: Option<&FormulaView>) -> FormulaForm {
        let Some(f) = f else {
            return FormulaForm::default();
        };
        FormulaForm {
            expression: f.expression.clone(),
            inputs: f
                .inputs
                .iter()
                .map(|i| match &i.unit {
                    Some(u) => format!("{} {u}", i.name),
                    None => i.name.clone(),
                })
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }

    /// The formula for the service (both boxes empty: none) and the line of each input.
    fn patch(&self) -> (Option<FormulaView>, Vec<usize>) {
        let mut inputs = Vec::new();
        let mut lines = Vec::new();
        for (n, line) in self.inputs.lines().enumerate() {
            let mut words = line.split_whitespace();
            let Some(name) = words.next() else {
                continue;
            };
            let unit = words.collect::<Vec<_>>().join(" ");
            inputs.push(FormulaInput {
                name: name.to_string(),
                unit: (!unit.is_empty()).then_some(unit),
            });
            lines.push(n + 1);
        }
        if self.expression.trim().is_empty() && inputs.is_empty() {
            return (None, lines);
        }
        let f = FormulaView {
            expression: self.expression.clone(),
            inputs,
        };
        (Some(f), lines)
    }
}

/// The method's settings as typed in its form: the QC insertion rule and the formula.
#[derive(FromForm, Default)]
pub struct MethodForm {
    #[field(default = "")]
    pub batch_max_samples: String,
    #[field(default = "")]
    pub blanks_per_batch: String,
    #[field(default = "")]
    pub lcs_per_batch: String,
    #[field(default = "")]
    pub duplicate_rate_pct: String,
    #[field(default = "")]
    pub spike_rate_pct: String,
    pub formula: FormulaForm,
    pub version: Option<i32>,
    #[field(name = "_csrf", default = "")]
    pub csrf: String,
}

/// The fields of the form errors are placed beside.
const FORM_FIELDS: &[&str] = &[
    "batch_max_samples",
    "blanks_per_batch",
    "lcs_per_batch",
    "duplicate_rate_pct",
    "spike_rate_pct",
    "formula.expression",
    "formula.inputs",
];

impl MethodForm {
    fn of(m: &MethodView) -> MethodForm {
        let q = &m.qc_insertion;
        let n = |v: Option<i32>| v.map(|v| v.to_string()).unwrap_or_default();
        MethodForm {
            batch_max_samples: n(q.batch_max_samples),
            blanks_per_batch: n(q.blanks_per_batch),
            lcs_per_batch: n(q.lcs_per_batch),
            duplicate_rate_pct: q.duplicate_rate_pct.clone().unwrap_or_default(),
            spike_rate_pct: q.spike_rate_pct.clone().unwrap_or_default(),
            formula: FormulaForm::of(m.formula.as_ref()),
            version: Some(m.version),
            csrf: String::new(),
        }
    }

    /// The five QC insertion values as (field, typed value) for the page.
    pub fn fields(&self) -> Vec<(&'static str, String)> {
        vec![
            ("batch_max_samples", self.batch_max_samples.clone()),
            ("blanks_per_batch", self.blanks_per_batch.clone()),
            ("lcs_per_batch", self.lcs_per_batch.clone()),
            ("duplicate_rate_pct", self.duplicate_rate_pct.clone()),
            ("spike_rate_pct", self.spike_rate_pct.clone()),
        ]
    }
}

/// An error of `formula.inputs[i].name` shown beside the inputs box with the line it is on.
fn name_input_lines(tr: Tr, mut errors: FormErrors, lines: &[usize]) -> FormErrors {
    let mut keys: Vec<String> = errors
        .by_field
        .keys()
        .filter(|k| k.starts_with("formula.inputs["))
        .cloned()
        .collect();
    keys.sort();
    let mut text = Vec::new();
    for key in keys {
        let Some(message) = errors.by_field.remove(&key) else {
            continue;
        };
        let index = key["formula.inputs[".len()..]
            .split(']')
            .next()
            .and_then(|i| i.parse::<usize>().ok());
        match index.and_then(|i| lines.get(i)) {
            Some(line) => text.push(format!(
                "{}: {message}",
                tr.t("methods.formula_line")
                    .replace("{n}", &line.to_string())
            )),
            None => text.push(format!("{key}: {message}")),
        }
    }
    if !text.is_empty() {
        let slot = errors.by_field.entry("formula.inputs".into()).or_default();
        if !slot.is_empty() {
            slot.push_str("; ");
        }
        slot.push_str(&text.join("; "));
    }
    errors
}

#[derive(Template, WebTemplate)]
#[template(path = "catalogue/method.html")]
pub struct MethodPage {
    pub layout: Layout,
    pub method: MethodView,
    pub matrix: String,
    pub status: String,
    pub can_edit: bool,
    pub form: MethodForm,
    pub errors: FormErrors,
    pub analytes: Vec<MaRow>,
}

impl MethodPage {
    /// The label of a QC insertion field.
    pub fn qc_label(&self, field: &str) -> String {
        self.layout.t(&format!("methods.{field}")).to_string()
    }
}

fn parse_id(s: &str, what: &str) -> AppResult<Uuid> {
    Uuid::parse_str(s).map_err(|_| AppError::NotFound(what.into()))
}

async fn method_page_for(
    state: &AppState,
    user: &CurrentUser,
    layout: Layout,
    method: MethodView,
) -> AppResult<MethodPage> {
    let tr = layout.tr;
    let names = matrix_names(state, tr).await?;
    let mut views = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let filter = MaFilter {
            method_id: Some(method.id),
            ..MaFilter::default()
        };
        let page =
            method_analytes::method_analytes(&state.db, filter, cursor.as_deref(), 1000).await?;
        views.extend(page.items);
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    let codes: HashMap<Uuid, String> = views
        .iter()
        .map(|v| (v.id, v.analyte_code.clone()))
        .collect();
    let analytes = views.into_iter().map(|ma| ma_row(tr, ma, &codes)).collect();
    let mut layout = layout;
    layout.title = method.code.clone();
    Ok(MethodPage {
        matrix: names.get(&method.matrix).cloned().unwrap_or_default(),
        status: status_text(tr, &method.status),
        can_edit: user.roles.any(WRITE),
        form: MethodForm::of(&method),
        errors: FormErrors::default(),
        analytes,
        method,
        layout,
    })
}

#[get("/catalogue/methods/<id>")]
async fn method_page(
    state: &State<AppState>,
    user: WebUser,
    csrf: Csrf,
    flash: Option<FlashMessage<'_>>,
    id: &str,
) -> PageResult<MethodPage> {
    user.require(READ).map_err(with_user(&user))?;
    let id = parse_id(id, "method").map_err(with_user(&user))?;
    let method = methods::method(&state.db, id)
        .await
        .map_err(with_user(&user))?;
    let mut layout = Layout::new(Some(&user), &csrf, "methods.title", "methods");
    layout.flash = flash.map(|f| f.message().to_string());
    method_page_for(state, &user, layout, method)
        .await
        .map_err(with_user(&user))
}

#[post("/catalogue/methods/<id>", data = "<form>")]
async fn method_save(
    state: &State<AppState>,
    user: WebUser,
    csrf: Csrf,
    id: &str,
    form: Form<MethodForm>,
) -> PageResult<Result<Flash<Redirect>, (Status, MethodPage)>> {
    user.require(&[Role::Admin]).map_err(with_user(&user))?;
    check_csrf(&csrf, &form.csrf)?;
    let id = parse_id(id, "method").map_err(with_user(&user))?;
    let layout = Layout::new(Some(&user), &csrf, "methods.title", "methods");
    let tr = layout.tr;
    let mut parse_errors = Vec::new();
    let (formula, lines) = form.formula.patch();
    let patch = MethodPatch {
        batch_max_samples: opt_int(
            tr,
            &mut parse_errors,
            "batch_max_samples",
            &form.batch_max_samples,
        ),
        blanks_per_batch: opt_int(
            tr,
            &mut parse_errors,
            "blanks_per_batch",
            &form.blanks_per_batch,
        ),
        lcs_per_batch: opt_int(tr, &mut parse_errors, "lcs_per_batch", &form.lcs_per_batch),
        duplicate_rate_pct: Some(opt_text(&form.duplicate_rate_pct)),
        spike_rate_pct: Some(opt_text(&form.spike_rate_pct)),
        formula: Some(formula),
        version: form.version,
    };
    let result = if parse_errors.is_empty() {
        methods::patch_method(&state.db, &user.actor(), id, patch).await
    } else {
        Err(AppError::Invalid(parse_errors))
    };
    match result {
        Ok(m) => Ok(Ok(Flash::success(
            Redirect::to(format!("/catalogue/methods/{}", m.id)),
            tr.t("common.saved").to_string(),
        ))),
        Err(e) => {
            let method = methods::method(&state.db, id)
                .await
                .map_err(with_user(&user))?;
            let mut page = method_page_for(state, &user, layout, method)
                .await
                .map_err(with_user(&user))?;
            let f = form.into_inner();
            page.form = MethodForm {
                csrf: String::new(),
                ..f
            };
            let errors = name_input_lines(tr, FormErrors::from_error(&e), &lines);
            page.errors = place(errors, FORM_FIELDS);
            Ok(Err((e.status(), page)))
        }
    }
}
