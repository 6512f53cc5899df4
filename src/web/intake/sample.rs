//! One sample's page: header, field data, containers with their receipt checks, analyses with the
//! time left of their holding time, the custody timeline, and the receive / reject / custody forms.
//! Thin twin of `/api/v1/samples/{id}` and its receive, reject and custody routes.
use super::{
    analysis_badge, layout, now_local, parse_id, sample_badge, time_left, word, Badge, Choice,
    READ, WRITE,
};
use crate::auth::csrf::Csrf;
use crate::auth::WebUser;
use crate::domain::field_data;
use crate::domain::role::Role;
use crate::domain::state::{AnalysisStatus, SampleStatus};
use crate::error::{AppError, AppResult};
use crate::service::clients;
use crate::service::input::DecText;
use crate::service::intake::client_scope;
use crate::service::intake::receipt::{
    self, ContainerCheck, NewCustody, Receive, Reject, CUSTODY_ACTIONS,
};
use crate::service::intake::samples as reads;
use crate::service::intake::views::{SampleDetail, SampleSummary};
use crate::state::AppState;
use crate::web::admin::form::{local_time, opt_text, place};
use crate::web::i18n::Tr;
use crate::web::{check_csrf, with_user, FormErrors, Layout, PageResult};
use askama::Template;
use askama_web::WebTemplate;
use chrono::Utc;
use rocket::form::Form;
use rocket::http::Status;
use rocket::request::FlashMessage;
use rocket::response::{Flash, Redirect};
use rocket::{get, post, routes, FromForm, Route, State};
use uuid::Uuid;

pub fn routes() -> Vec<Route> {
    routes![page, receive, reject, custody, field_data_post]
}

type FormResult<T> = PageResult<Result<Flash<Redirect>, (Status, T)>>;

pub struct FieldRow {
    pub name: &'static str,
    pub label: String,
    pub value: String,
    pub unit: &'static str,
    pub missing: bool,
}

pub struct ContainerRow {
    pub label: String,
    pub container: String,
    pub preservative: String,
    pub condition: Option<bool>,
    pub preserved: Option<bool>,
}

pub struct AnalysisRow {
    pub id: Uuid,
    pub attempt: i32,
    pub method_code: String,
    pub analyte: String,
    pub unit: String,
    pub container: String,
    pub status: Badge,
    pub due: String,
    pub left: Option<Badge>,
    pub exceeded: bool,
    /// The reported text of an approved result (empty before approval).
    pub reported: String,
}

pub struct EventRow {
    pub at: String,
    pub action: String,
    pub from: String,
    pub to: String,
    pub location: String,
    pub temperature: String,
    pub note: String,
}

/// The receive form as typed: the conditions and each container's checks.
#[derive(FromForm, Default, Clone)]
pub struct ReceiveForm {
    #[field(default = "")]
    pub received_at: String,
    #[field(default = "")]
    pub temperature_c: String,
    pub condition_ok: bool,
    #[field(default = "")]
    pub note: String,
    pub containers: Vec<ContainerForm>,
    #[field(name = "_csrf", default = "")]
    pub csrf: String,
}

#[derive(FromForm, Default, Clone)]
pub struct ContainerForm {
    #[field(default = "")]
    pub label: String,
    pub condition_ok: bool,
    pub preserved: bool,
}

#[derive(FromForm, Default, Clone)]
pub struct RejectForm {
    #[field(default = "")]
    pub reason: String,
    #[field(name = "_csrf", default = "")]
    pub csrf: String,
}

#[derive(FromForm, Default, Clone)]
pub struct CustodyForm {
    #[field(default = "")]
    pub action: String,
    #[field(default = "")]
    pub to_person: String,
    #[field(default = "")]
    pub location: String,
    #[field(default = "")]
    pub temperature_c: String,
    #[field(default = "")]
    pub note: String,
    #[field(name = "_csrf", default = "")]
    pub csrf: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "intake/sample.html")]
pub struct SamplePage {
    pub layout: Layout,
    pub s: SampleSummary,
    pub work_order_number: String,
    pub status: Badge,
    pub matrix: String,
    pub point: String,
    pub collected: String,
    pub received: String,
    pub fields: Vec<FieldRow>,
    pub missing: String,
    pub containers: Vec<ContainerRow>,
    pub analyses: Vec<AnalysisRow>,
    pub timeline: Vec<EventRow>,
    pub can_receive: bool,
    pub can_reject: bool,
    pub can_custody: bool,
    pub rcv: ReceiveForm,
    pub receive_errors: FormErrors,
    pub rej: RejectForm,
    pub reject_errors: FormErrors,
    pub cus: CustodyForm,
    pub actions: Vec<Choice>,
    pub custody_errors: FormErrors,
    pub can_edit_field: bool,
    pub field_errors: FormErrors,
    pub field_reason: String,
    /// Staff link each analysis to the history of its attempts.
    pub history_links: bool,
    /// The sample's life from the audit trail, for the roles that read it.
    pub life: Option<Vec<crate::web::review::LifeRow>>,
}

impl SamplePage {
    pub fn yes_no(&self, v: &Option<bool>) -> &'static str {
        self.layout.tr.t(match v {
            Some(true) => "common.yes",
            Some(false) => "common.no",
            None => "common.none",
        })
    }
}

async fn build(
    state: &AppState,
    user: &WebUser,
    layout: Layout,
    id: Uuid,
) -> AppResult<SamplePage> {
    let scope = client_scope(user)?;
    let d: SampleDetail = reads::sample_detail(&state.db, id, scope).await?;
    let tr = layout.tr;
    let tz = state.config.tz();
    let now = Utc::now();
    let s = d.sample;
    let matrix = super::matrix_choices(state, tr, "")
        .await?
        .into_iter()
        .find(|m| m.value == s.matrix)
        .map(|m| m.label)
        .unwrap_or_else(|| s.matrix.clone());
    let point = match s.sampling_point_id {
        Some(p) => clients::point(&state.db, p, scope)
            .await
            .map(|p| format!("{} · {}", p.code, word(tr, "point_kind", &p.kind)))
            .unwrap_or_default(),
        None => String::new(),
    };
    let fields = field_data::items_for(&s.matrix)
        .map(|it| FieldRow {
            name: it.name,
            label: tr.pick(it.label_zh, it.label_en).to_string(),
            value: s.field.get(it.name).cloned().unwrap_or_default(),
            unit: match it.kind {
                field_data::Kind::Number { unit, .. } => unit,
                field_data::Kind::Text => "",
            },
            missing: s.field_missing.iter().any(|m| m == it.name),
        })
        .collect::<Vec<_>>();
    let missing = fields
        .iter()
        .filter(|f| f.missing)
        .map(|f| f.label.clone())
        .collect::<Vec<_>>()
        .join(tr.t("common.list_sep"));
    let label_of = |cid: Option<Uuid>| {
        d.containers
            .iter()
            .find(|c| Some(c.id) == cid)
            .map(|c| c.label.clone())
            .unwrap_or_default()
    };
    let analyses = d
        .analyses
        .iter()
        .map(|a| {
            let running = matches!(a.status, AnalysisStatus::Pending | AnalysisStatus::InBatch);
            AnalysisRow {
                id: a.id,
                attempt: a.attempt,
                method_code: a.method_code.clone(),
                analyte: tr.pick(&a.analyte_name_zh, &a.analyte_name_en).to_string(),
                unit: a.unit.clone(),
                container: label_of(a.container_id),
                status: analysis_badge(tr, a.status),
                due: a.due_at.map(|t| local_time(t, tz)).unwrap_or_default(),
                left: a.due_at.filter(|_| running).map(|t| time_left(tr, t, now)),
                exceeded: a.holding_exceeded,
                reported: a
                    .result
                    .as_ref()
                    .map(|r| r.reported.clone())
                    .unwrap_or_default(),
            }
        })
        .collect();
    let containers: Vec<ContainerRow> = d
        .containers
        .iter()
        .map(|c| ContainerRow {
            label: c.label.clone(),
            container: c.container.clone().unwrap_or_default(),
            preservative: c.preservative.clone().unwrap_or_default(),
            condition: c.condition_ok,
            preserved: c.preserved,
        })
        .collect();
    let timeline = d
        .custody
        .iter()
        .map(|e| EventRow {
            at: local_time(e.at, tz),
            action: word(tr, "custody", &e.action),
            from: e.from_person.clone().unwrap_or_default(),
            to: e.to_person.clone().unwrap_or_default(),
            location: e.location.clone().unwrap_or_default(),
            temperature: e.temperature_c.clone().unwrap_or_default(),
            note: e.note.clone().unwrap_or_default(),
        })
        .collect();
    let write = user.has(Role::Technician);
    let rcv = ReceiveForm {
        received_at: now_local(tz),
        condition_ok: true,
        containers: containers
            .iter()
            .map(|c| ContainerForm {
                label: c.label.clone(),
                condition_ok: true,
                preserved: true,
            })
            .collect(),
        ..ReceiveForm::default()
    };
    let life = if user.roles.any(crate::web::review::LIFE_READ) {
        let names = d
            .analyses
            .iter()
            .map(|a| {
                let name = tr.pick(&a.analyte_name_zh, &a.analyte_name_en);
                (a.id.to_string(), format!("{name} ({})", a.method_code))
            })
            .collect();
        Some(crate::web::review::sample_life(state, tr, id, &names).await?)
    } else {
        None
    };
    let mut layout = layout;
    layout.title = s.lab_id.clone();
    let s_status = s.status;
    Ok(SamplePage {
        status: sample_badge(tr, s.status),
        collected: local_time(s.collected_at, tz),
        received: s.received_at.map(|t| local_time(t, tz)).unwrap_or_default(),
        can_receive: write && s.status == SampleStatus::Registered,
        can_reject: write && s.status == SampleStatus::Registered,
        can_custody: write && s.status != SampleStatus::Disposed,
        actions: actions(tr, ""),
        layout,
        work_order_number: d.work_order_number,
        matrix,
        point,
        fields,
        missing,
        containers,
        analyses,
        timeline,
        s,
        rcv,
        receive_errors: FormErrors::default(),
        rej: RejectForm::default(),
        reject_errors: FormErrors::default(),
        cus: CustodyForm::default(),
        custody_errors: FormErrors::default(),
        can_edit_field: write
            && matches!(
                s_status,
                SampleStatus::Registered | SampleStatus::Received | SampleStatus::InAnalysis
            ),
        field_errors: FormErrors::default(),
        field_reason: String::new(),
        history_links: user.roles.any(crate::domain::role::Role::STAFF),
        life,
    })
}

fn actions(tr: Tr, selected: &str) -> Vec<Choice> {
    CUSTODY_ACTIONS
        .iter()
        .map(|a| Choice::new(*a, word(tr, "custody", a), selected))
        .collect()
}

#[get("/samples/<id>")]
async fn page(
    state: &State<AppState>,
    user: WebUser,
    csrf: Csrf,
    flash: Option<FlashMessage<'_>>,
    id: &str,
) -> PageResult<SamplePage> {
    user.require(READ).map_err(with_user(&user))?;
    let id = parse_id("sample", id).map_err(with_user(&user))?;
    let layout = layout(&user, &csrf, "samples.title", "samples", flash);
    build(state, &user, layout, id)
        .await
        .map_err(with_user(&user))
}

/// The page again after a refused form (the caller fills in that form's values and errors).
async fn again(state: &AppState, user: &WebUser, csrf: &Csrf, id: Uuid) -> PageResult<SamplePage> {
    let layout = layout(user, csrf, "samples.title", "samples", None);
    build(state, user, layout, id)
        .await
        .map_err(with_user(user))
}

fn dec(s: &str) -> Option<DecText> {
    opt_text(s).map(DecText)
}

#[post("/samples/<id>/receive", data = "<form>")]
async fn receive(
    state: &State<AppState>,
    user: WebUser,
    csrf: Csrf,
    id: &str,
    form: Form<ReceiveForm>,
) -> FormResult<SamplePage> {
    user.require(WRITE).map_err(with_user(&user))?;
    check_csrf(&csrf, &form.csrf)?;
    let id = parse_id("sample", id).map_err(with_user(&user))?;
    let input = Receive {
        received_at: form.received_at.clone(),
        temperature_c: dec(&form.temperature_c),
        condition_ok: form.condition_ok,
        note: opt_text(&form.note),
        containers: Some(
            form.containers
                .iter()
                .map(|c| ContainerCheck {
                    label: c.label.clone(),
                    condition_ok: Some(c.condition_ok),
                    preserved: Some(c.preserved),
                })
                .collect(),
        ),
    };
    let tr = Tr::new(&user.lang);
    match receipt::receive(&state.db, &state.config, &user.actor(), id, input).await {
        Ok(d) => {
            let mut msg = tr.t("receipt.received").to_string();
            if !d.warnings.is_empty() {
                msg = format!(
                    "{msg} — {}: {}",
                    tr.t("receipt.warn"),
                    d.warnings.join("; ")
                );
            }
            Ok(Ok(Flash::success(
                Redirect::to(format!("/samples/{id}")),
                msg,
            )))
        }
        Err(e) => {
            let mut page = again(state, &user, &csrf, id).await?;
            page.rcv = form.clone();
            page.receive_errors = place(
                FormErrors::from_error(&e),
                &["received_at", "temperature_c", "note", "containers"],
            );
            Ok(Err((e.status(), page)))
        }
    }
}

#[post("/samples/<id>/reject", data = "<form>")]
async fn reject(
    state: &State<AppState>,
    user: WebUser,
    csrf: Csrf,
    id: &str,
    form: Form<RejectForm>,
) -> FormResult<SamplePage> {
    user.require(WRITE).map_err(with_user(&user))?;
    check_csrf(&csrf, &form.csrf)?;
    let id = parse_id("sample", id).map_err(with_user(&user))?;
    let input = Reject {
        reason: form.reason.clone(),
    };
    match receipt::reject(&state.db, &user.actor(), id, input).await {
        Ok(_) => Ok(Ok(Flash::success(
            Redirect::to(format!("/samples/{id}")),
            Tr::new(&user.lang).t("sample.flash_rejected").to_string(),
        ))),
        Err(e) => {
            let mut page = again(state, &user, &csrf, id).await?;
            page.rej = form.clone();
            page.reject_errors = place(FormErrors::from_error(&e), &["reason"]);
            Ok(Err((e.status(), page)))
        }
    }
}

#[post("/samples/<id>/custody", data = "<form>")]
async fn custody(
    state: &State<AppState>,
    user: WebUser,
    csrf: Csrf,
    id: &str,
    form: Form<CustodyForm>,
) -> FormResult<SamplePage> {
    user.require(WRITE).map_err(with_user(&user))?;
    check_csrf(&csrf, &form.csrf)?;
    let id = parse_id("sample", id).map_err(with_user(&user))?;
    let input = NewCustody {
        action: form.action.clone(),
        to_person: form.to_person.clone(),
        from_person: None,
        location: opt_text(&form.location),
        temperature_c: dec(&form.temperature_c),
        note: opt_text(&form.note),
        at: None,
    };
    match receipt::custody(&state.db, &state.config, &user.actor(), id, input).await {
        Ok(_) => Ok(Ok(Flash::success(
            Redirect::to(format!("/samples/{id}#timeline")),
            Tr::new(&user.lang).t("sample.flash_custody").to_string(),
        ))),
        Err(AppError::NotFound(w)) => Err(with_user(&user)(AppError::NotFound(w))),
        Err(e) => {
            let mut page = again(state, &user, &csrf, id).await?;
            page.actions = actions(page.layout.tr, &form.action);
            page.cus = form.clone();
            page.custody_errors = place(
                FormErrors::from_error(&e),
                &["action", "to_person", "location", "temperature_c", "note"],
            );
            Ok(Err((e.status(), page)))
        }
    }
}

/// Field data typed in later (from the field sheet); an emptied box removes the item.
#[derive(FromForm, Clone, Default)]
pub struct FieldDataForm {
    #[field(default = std::collections::HashMap::new())]
    pub field: std::collections::HashMap<String, String>,
    #[field(default = "")]
    pub reason: String,
    #[field(default = 0)]
    pub version: i32,
    #[field(name = "_csrf", default = "")]
    pub csrf: String,
}

#[post("/samples/<id>/field", data = "<form>")]
async fn field_data_post(
    state: &State<AppState>,
    user: WebUser,
    csrf: Csrf,
    id: &str,
    form: Form<FieldDataForm>,
) -> FormResult<SamplePage> {
    user.require(WRITE).map_err(with_user(&user))?;
    check_csrf(&csrf, &form.csrf)?;
    let id = parse_id("sample", id).map_err(with_user(&user))?;
    let field = form
        .field
        .iter()
        .map(|(k, v)| {
            let v = v.trim();
            (
                k.clone(),
                if v.is_empty() {
                    serde_json::Value::Null
                } else {
                    serde_json::Value::String(v.to_string())
                },
            )
        })
        .collect();
    let patch = crate::service::intake::edit::SamplePatch {
        field: Some(field),
        reason: opt_text(&form.reason),
        version: (form.version > 0).then_some(form.version),
        ..Default::default()
    };
    match crate::service::intake::edit::update_sample(&state.db, &user.actor(), id, patch).await {
        Ok(_) => Ok(Ok(Flash::success(
            Redirect::to(format!("/samples/{id}#field-data")),
            Tr::new(&user.lang).t("common.saved").to_string(),
        ))),
        Err(AppError::NotFound(w)) => Err(with_user(&user)(AppError::NotFound(w))),
        Err(e) => {
            let mut page = again(state, &user, &csrf, id).await?;
            for fr in page.fields.iter_mut() {
                if let Some(v) = form.field.get(fr.name) {
                    fr.value = v.clone();
                }
            }
            page.field_reason = form.reason.clone();
            page.field_errors = FormErrors::from_error(&e);
            Ok(Err((e.status(), page)))
        }
    }
}
