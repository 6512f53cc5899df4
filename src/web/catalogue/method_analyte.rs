//! One method_analyte's lab settings (admin): MDL, unit, precision, holding times, container,
//! preservative and QC rules. An empty box clears the setting.
use super::{word, WRITE};
use crate::auth::csrf::Csrf;
use crate::auth::WebUser;
use crate::domain::qc_rule::QcRule;
use crate::error::{AppError, FieldError};
use crate::service::methods::{self, MaPatch, MethodAnalyteView};
use crate::state::AppState;
use crate::web::admin::form::{opt_int, opt_text, place};
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
    pub version: i32,
    pub errors: FormErrors,
}

impl MaPage {
    fn new(layout: Layout, ma: MethodAnalyteView, form: &MaForm) -> MaPage {
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
        let mut layout = layout;
        layout.title = format!("{analyte} · {}", ma.method_code);
        MaPage {
            layout,
            analyte,
            todo,
            fields,
            qc_rules: form.qc_rules.clone(),
            version: form.version.unwrap_or(ma.version),
            errors: FormErrors::default(),
            ma,
        }
    }
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
    let ma = methods::method_analyte(&state.db, id)
        .await
        .map_err(with_user(&user))?;
    let layout = Layout::new(Some(&user), &csrf, "ma.edit_title", "methods");
    let form = MaForm::of(&ma);
    Ok(MaPage::new(layout, ma, &form))
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
        version: form.version,
    };
    let result = if errors.is_empty() {
        methods::patch_method_analyte(&state.db, &user.actor(), id, patch).await
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
            let ma = methods::method_analyte(&state.db, id)
                .await
                .map_err(with_user(&user))?;
            let mut page = MaPage::new(layout, ma, &form);
            let mut known = TEXT_FIELDS.to_vec();
            known.push("qc_rules");
            page.errors = place(FormErrors::from_error(&e), &known);
            Ok(Err((e.status(), page)))
        }
    }
}
