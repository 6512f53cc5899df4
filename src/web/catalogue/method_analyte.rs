//! One method_analyte's lab settings (admin): MDL, unit, precision, holding times, container,
//! preservative, QC rules, the parts of a total and scientific notation. An empty box clears the
//! setting.
use super::{word, WRITE};
use crate::auth::csrf::Csrf;
use crate::auth::WebUser;
use crate::domain::qc_rule::QcRule;
use crate::error::{AppError, FieldError};
use crate::service::method_analytes::{self, MaFilter, MaPatch, MethodAnalyteView};
use crate::state::AppState;
use crate::web::admin::form::{opt_int, opt_text, place};
use crate::web::i18n::Tr;
use crate::web::{check_csrf, with_user, FormErrors, Layout, PageResult};
use askama::Template;
use askama_web::WebTemplate;
use rocket::form::Form;
use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::{get, post, routes, FromForm, Route, State};
use uuid::Uuid;

pub fn routes() -> Vec<Route> {
    routes![ma_page, ma_save]
}

/// The settings as typed in the form.
#[derive(FromForm, Default)]
pub struct MaForm {
    #[field(default = "")]
    pub mdl: String,
    #[field(default = "")]
    pub unit: String,
    #[field(default = "")]
    pub decimals: String,
    #[field(default = "")]
    pub significant_figures: String,
    #[field(default = "")]
    pub holding_time_hours: String,
    #[field(default = "")]
    pub holding_time_unpreserved_hours: String,
    #[field(default = "")]
    pub container: String,
    #[field(default = "")]
    pub preservative: String,
    #[field(default = "")]
    pub qc_rules: String,
    /// The ids of the parts when this is a total (checkboxes).
    pub sum_of: Vec<String>,
    pub scientific: bool,
    pub version: Option<i32>,
    #[field(name = "_csrf", default = "")]
    pub csrf: String,
}

/// The text boxes of the form, in order (the QC rules have their own text area).
const TEXT_FIELDS: &[&str] = &[
    "mdl",
    "unit",
    "decimals",
    "significant_figures",
    "holding_time_hours",
    "holding_time_unpreserved_hours",
    "container",
    "preservative",
];

impl MaForm {
    fn of(ma: &MethodAnalyteView) -> MaForm {
        let n = |v: Option<i32>| v.map(|v| v.to_string()).unwrap_or_default();
        MaForm {
            mdl: ma.mdl.clone().unwrap_or_default(),
            unit: ma.unit.clone(),
            decimals: n(ma.decimals),
            significant_figures: n(ma.significant_figures),
            holding_time_hours: n(ma.holding_time_hours),
            holding_time_unpreserved_hours: n(ma.holding_time_unpreserved_hours),
            container: ma.container.clone().unwrap_or_default(),
            preservative: ma.preservative.clone().unwrap_or_default(),
            qc_rules: if ma.qc_rules.is_empty() {
                String::new()
            } else {
                serde_json::to_string_pretty(&ma.qc_rules).unwrap_or_default()
            },
            sum_of: ma.sum_of.iter().flatten().map(Uuid::to_string).collect(),
            scientific: ma.scientific,
            version: Some(ma.version),
            csrf: String::new(),
        }
    }

    fn value(&self, field: &str) -> String {
        match field {
            "mdl" => &self.mdl,
            "unit" => &self.unit,
            "decimals" => &self.decimals,
            "significant_figures" => &self.significant_figures,
            "holding_time_hours" => &self.holding_time_hours,
            "holding_time_unpreserved_hours" => &self.holding_time_unpreserved_hours,
            "container" => &self.container,
            "preservative" => &self.preservative,
            _ => "",
        }
        .to_string()
    }
}

/// Another analysis of the method, offered as a part of a total.
pub struct PartChoice {
    pub id: Uuid,
    pub label: String,
    pub checked: bool,
    /// It is a total itself (cannot be a part).
    pub total: bool,
}

/// A text box of the page.
pub struct TextField {
    pub name: &'static str,
    pub label: String,
    pub value: String,
    /// "to be set by the lab" when a lab setting is empty.
    pub placeholder: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "catalogue/method_analyte.html")]
pub struct MaPage {
    pub layout: Layout,
    pub ma: MethodAnalyteView,
    pub analyte: String,
    /// The settings the lab still has to make, in words.
    pub todo: String,
    pub fields: Vec<TextField>,
    pub qc_rules: String,
    pub parts: Vec<PartChoice>,
    pub scientific: bool,
    pub version: i32,
    pub errors: FormErrors,
}

impl MaPage {
    fn new(
        layout: Layout,
        ma: MethodAnalyteView,
        siblings: &[MethodAnalyteView],
        form: &MaForm,
    ) -> MaPage {
        let tr = layout.tr;
        let no_precision =
            form.decimals.trim().is_empty() && form.significant_figures.trim().is_empty();
        let fields = TEXT_FIELDS
            .iter()
            .map(|name| {
                let value = form.value(name);
                let lab_setting = match *name {
                    "mdl" | "holding_time_hours" | "container" | "preservative" => {
                        value.trim().is_empty()
                    }
                    "decimals" | "significant_figures" => no_precision,
                    _ => false,
                };
                TextField {
                    name,
                    label: layout.t(&format!("ma.{name}")).to_string(),
                    value,
                    placeholder: if lab_setting {
                        tr.t("common.to_be_set").to_string()
                    } else {
                        String::new()
                    },
                }
            })
            .collect();
        let todo = ma
            .to_be_set_by_lab
            .iter()
            .map(|code| match code.as_str() {
                "decimals_or_significant_figures" => word(tr, "ma", "precision"),
                other => word(tr, "ma", other),
            })
            .collect::<Vec<_>>()
            .join(if tr.en { ", " } else { "、" });
        let analyte = layout
            .tr
            .pick(&ma.analyte_name_zh, &ma.analyte_name_en)
            .to_string();
        let parts = part_choices(tr, &ma, siblings, &form.sum_of);
        let mut layout = layout;
        layout.title = format!("{analyte} · {}", ma.method_code);
        MaPage {
            layout,
            analyte,
            todo,
            fields,
            qc_rules: form.qc_rules.clone(),
            parts,
            scientific: form.scientific,
            version: form.version.unwrap_or(ma.version),
            errors: FormErrors::default(),
            ma,
        }
    }
}

/// The other analyses of the method as checkboxes, those in `checked` ticked.
fn part_choices(
    tr: Tr,
    ma: &MethodAnalyteView,
    siblings: &[MethodAnalyteView],
    checked: &[String],
) -> Vec<PartChoice> {
    siblings
        .iter()
        .filter(|s| s.id != ma.id)
        .map(|s| PartChoice {
            id: s.id,
            label: format!(
                "{} ({})",
                tr.pick(&s.analyte_name_zh, &s.analyte_name_en),
                s.analyte_code
            ),
            checked: checked.iter().any(|c| c.trim() == s.id.to_string()),
            total: s.sum_of.is_some(),
        })
        .collect()
}

/// Every analysis of the method (the candidates of a total).
async fn siblings(state: &AppState, method_id: Uuid) -> Result<Vec<MethodAnalyteView>, AppError> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let filter = MaFilter {
            method_id: Some(method_id),
            ..MaFilter::default()
        };
        let page =
            method_analytes::method_analytes(&state.db, filter, cursor.as_deref(), 1000).await?;
        out.extend(page.items);
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => return Ok(out),
        }
    }
}

/// The ticked parts: none is "not a total"; a box that is not a UUID is an error of `sum_of`.
fn sum_of_patch(tr: Tr, errors: &mut Vec<FieldError>, ids: &[String]) -> Option<Option<Vec<Uuid>>> {
    let mut out = Vec::new();
    for id in ids.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        match Uuid::parse_str(id) {
            Ok(u) => out.push(u),
            Err(_) => {
                errors.push(FieldError::new("sum_of", tr.t("ma.sum_of_bad")));
                return None;
            }
        }
    }
    Some((!out.is_empty()).then_some(out))
}

/// An error of `sum_of[i]` shown beside the parts with the name of the part it is about.
fn name_parts(
    tr: Tr,
    mut errors: FormErrors,
    ticked: &[String],
    siblings: &[MethodAnalyteView],
) -> FormErrors {
    let ticked: Vec<&str> = ticked
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect();
    let mut keys: Vec<String> = errors
        .by_field
        .keys()
        .filter(|k| k.starts_with("sum_of["))
        .cloned()
        .collect();
    keys.sort();
    let mut text = Vec::new();
    for key in keys {
        let Some(message) = errors.by_field.remove(&key) else {
            continue;
        };
        let part = key["sum_of[".len()..]
            .split(']')
            .next()
            .and_then(|i| i.parse::<usize>().ok())
            .and_then(|i| ticked.get(i))
            .and_then(|id| siblings.iter().find(|s| s.id.to_string() == *id));
        match part {
            Some(p) => text.push(format!(
                "{}: {message}",
                tr.pick(&p.analyte_name_zh, &p.analyte_name_en)
            )),
            None => text.push(format!("{key}: {message}")),
        }
    }
    if !text.is_empty() {
        let slot = errors.by_field.entry("sum_of".into()).or_default();
        if !slot.is_empty() {
            slot.push_str("; ");
        }
        slot.push_str(&text.join("; "));
    }
    errors
}

fn parse_id(s: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(s).map_err(|_| AppError::NotFound("method_analyte".into()))
}

#[get("/catalogue/method-analytes/<id>")]
async fn ma_page(
    state: &State<AppState>,
    user: WebUser,
    csrf: Csrf,
    id: &str,
) -> PageResult<MaPage> {
    user.require(WRITE).map_err(with_user(&user))?;
    let id = parse_id(id).map_err(with_user(&user))?;
    let ma = method_analytes::method_analyte(&state.db, id)
        .await
        .map_err(with_user(&user))?;
    let all = siblings(state, ma.method_id)
        .await
        .map_err(with_user(&user))?;
    let layout = Layout::new(Some(&user), &csrf, "ma.edit_title", "methods");
    let form = MaForm::of(&ma);
    Ok(MaPage::new(layout, ma, &all, &form))
}

#[post("/catalogue/method-analytes/<id>", data = "<form>")]
async fn ma_save(
    state: &State<AppState>,
    user: WebUser,
    csrf: Csrf,
    id: &str,
    form: Form<MaForm>,
) -> PageResult<Result<Flash<Redirect>, (Status, MaPage)>> {
    user.require(WRITE).map_err(with_user(&user))?;
    check_csrf(&csrf, &form.csrf)?;
    let id = parse_id(id).map_err(with_user(&user))?;
    let layout = Layout::new(Some(&user), &csrf, "ma.edit_title", "methods");
    let tr = layout.tr;
    let mut errors = Vec::new();
    let qc_rules = if form.qc_rules.trim().is_empty() {
        Some(Vec::new())
    } else {
        match serde_json::from_str::<Vec<QcRule>>(&form.qc_rules) {
            Ok(rules) => Some(rules),
            Err(e) => {
                errors.push(FieldError::new(
                    "qc_rules",
                    format!("{} ({e})", tr.t("ma.json_error")),
                ));
                None
            }
        }
    };
    let patch = MaPatch {
        mdl: Some(opt_text(&form.mdl)),
        unit: Some(form.unit.clone()),
        decimals: opt_int(tr, &mut errors, "decimals", &form.decimals),
        significant_figures: opt_int(
            tr,
            &mut errors,
            "significant_figures",
            &form.significant_figures,
        ),
        holding_time_hours: opt_int(
            tr,
            &mut errors,
            "holding_time_hours",
            &form.holding_time_hours,
        ),
        holding_time_unpreserved_hours: opt_int(
            tr,
            &mut errors,
            "holding_time_unpreserved_hours",
            &form.holding_time_unpreserved_hours,
        ),
        container: Some(opt_text(&form.container)),
        preservative: Some(opt_text(&form.preservative)),
        qc_rules,
        sum_of: sum_of_patch(tr, &mut errors, &form.sum_of),
        scientific: Some(form.scientific),
        version: form.version,
    };
    let result = if errors.is_empty() {
        method_analytes::patch_method_analyte(&state.db, &user.actor(), id, patch).await
    } else {
        Err(AppError::Invalid(errors))
    };
    match result {
        Ok(ma) => Ok(Ok(Flash::success(
            Redirect::to(format!("/catalogue/methods/{}", ma.method_id)),
            format!(
                "{} {} · {}",
                tr.t("ma.flash_saved"),
                tr.pick(&ma.analyte_name_zh, &ma.analyte_name_en),
                ma.method_code
            ),
        ))),
        Err(e) => {
            let ma = method_analytes::method_analyte(&state.db, id)
                .await
                .map_err(with_user(&user))?;
            let all = siblings(state, ma.method_id)
                .await
                .map_err(with_user(&user))?;
            let mut page = MaPage::new(layout, ma, &all, &form);
            let mut known = TEXT_FIELDS.to_vec();
            known.extend(["qc_rules", "sum_of", "scientific"]);
            let errors = name_parts(tr, FormErrors::from_error(&e), &form.sum_of, &all);
            page.errors = place(errors, &known);
            Ok(Err((e.status(), page)))
        }
    }
}
