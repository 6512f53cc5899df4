//! Instrument profiles: the list (each profile's column mapping in one line), a form to create
//! one and a form per profile to change its columns (with its version: a stale one is refused with
//! the 409 message and what was typed kept). Thin twin of `/api/v1/instrument-profiles`; analysts
//! keep them, the admin may read them.
use super::{layout, local, parse_id, PROFILES};
use crate::auth::csrf::Csrf;
use crate::auth::{CurrentUser, WebUser};
use crate::domain::role::Role;
use crate::error::AppError;
use crate::service::analysis::import::COLUMNS;
use crate::service::analysis::profiles::{self as service, Mapping, NewProfile, ProfileUpdate};
use crate::state::AppState;
use crate::web::admin::form::place;
use crate::web::i18n::Tr;
use crate::web::{check_csrf, with_user, FormErrors, Layout, PageResult};
use askama::Template;
use askama_web::WebTemplate;
use rocket::form::Form;
use rocket::http::Status;
use rocket::request::FlashMessage;
use rocket::response::{Flash, Redirect};
use rocket::{get, post, routes, FromForm, Route, State};
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

pub fn routes() -> Vec<Route> {
    routes![list, create, update]
}

/// Who sees the profiles: the analysts who keep them, and the admin.
pub const PROFILE_READ: &[Role] = &[Role::Analyst, Role::Admin];

/// One of Egret's columns and the instrument file's name for it.
pub struct MapBox {
    pub col: &'static str,
    /// The box's id (unique on the page).
    pub id: String,
    pub hint: String,
    pub value: String,
    pub error: String,
}

/// A profile form: the create form (`prefix` "new") or one profile's edit form.
pub struct ProfileForm {
    pub prefix: String,
    pub name: String,
    pub boxes: Vec<MapBox>,
    pub version: i32,
    pub errors: FormErrors,
    /// After a 409: what happened.
    pub stale: String,
}

impl ProfileForm {
    fn new(tr: Tr, prefix: String, name: String, mapping: &Mapping, version: i32) -> ProfileForm {
        let boxes = COLUMNS
            .iter()
            .map(|c| MapBox {
                col: c,
                id: format!("{prefix}-{c}"),
                hint: tr.t(&format!("prof.col.{c}")).to_string(),
                value: mapping.0.get(*c).cloned().unwrap_or_default(),
                error: String::new(),
            })
            .collect();
        ProfileForm {
            prefix,
            name,
            boxes,
            version,
            errors: FormErrors::default(),
            stale: String::new(),
        }
    }

    /// The form as posted: what was typed, and the errors beside the boxes they name.
    fn refused(&mut self, posted: &PostedProfile, e: &AppError) {
        self.name = posted.name.clone();
        for b in &mut self.boxes {
            b.value = posted.mapping.get(b.col).cloned().unwrap_or_default();
        }
        let mut fields: Vec<String> = COLUMNS.iter().map(|c| format!("mapping.{c}")).collect();
        fields.push("mapping".into());
        fields.push("name".into());
        let fields: Vec<&str> = fields.iter().map(String::as_str).collect();
        let mut errors = place(FormErrors::from_error(e), &fields);
        for b in &mut self.boxes {
            if let Some(m) = errors.by_field.remove(&format!("mapping.{}", b.col)) {
                b.error = m;
            }
        }
        self.errors = errors;
    }

    pub fn any_error(&self) -> bool {
        self.errors.any()
            || !self.stale.is_empty()
            || self.boxes.iter().any(|b| !b.error.is_empty())
    }
}

/// A profile of the list, with its edit form.
pub struct ProfileRow {
    pub id: Uuid,
    pub name: String,
    /// `sample ← Sample Name, analyte ← Element`; empty when every column keeps its name.
    pub mapping: String,
    pub version: i32,
    pub created: String,
    pub form: ProfileForm,
}

#[derive(Template, WebTemplate)]
#[template(path = "analysis/profiles.html")]
pub struct ProfilesPage {
    pub layout: Layout,
    pub can_edit: bool,
    pub rows: Vec<ProfileRow>,
    pub new: ProfileForm,
}

/// The boxes of a posted profile form (the create form and the edit forms alike).
#[derive(FromForm, Default)]
pub struct PostedProfile {
    #[field(default = "")]
    name: String,
    /// Egret column → the file's column name, as typed.
    mapping: HashMap<String, String>,
    version: Option<i32>,
    #[field(name = "_csrf", default = "")]
    csrf: String,
}

impl PostedProfile {
    /// The mapping for the service: the boxes typed in (an empty box keeps Egret's name).
    fn mapping(&self) -> Mapping {
        Mapping(
            self.mapping
                .iter()
                .filter(|(_, v)| !v.trim().is_empty())
                .map(|(k, v)| (k.clone(), v.trim().to_string()))
                .collect::<BTreeMap<_, _>>(),
        )
    }
}

/// `sample ← Sample Name, analyte ← Element` in Egret's column order.
fn mapping_text(m: &Mapping) -> String {
    COLUMNS
        .iter()
        .filter_map(|c| m.0.get(*c).map(|v| format!("{c} ← {v}")))
        .collect::<Vec<_>>()
        .join(", ")
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    csrf: &Csrf,
    flash: Option<FlashMessage<'_>>,
) -> PageResult<ProfilesPage> {
    let layout = layout(user, csrf, "prof.title", "profiles", flash);
    let tr = layout.tr;
    let tz = state.config.tz();
    let rows = service::list(&state.db)
        .await
        .map_err(with_user(user))?
        .into_iter()
        .enumerate()
        .map(|(i, p)| ProfileRow {
            form: ProfileForm::new(tr, format!("p{i}"), p.name.clone(), &p.mapping, p.version),
            id: p.id,
            mapping: mapping_text(&p.mapping),
            version: p.version,
            created: local(Some(p.created_at), tz),
            name: p.name,
        })
        .collect();
    Ok(ProfilesPage {
        can_edit: user.roles.any(PROFILES),
        rows,
        new: ProfileForm::new(tr, "new".into(), String::new(), &Mapping::default(), 0),
        layout,
    })
}

#[get("/instrument-profiles")]
async fn list(
    state: &State<AppState>,
    user: WebUser,
    csrf: Csrf,
    flash: Option<FlashMessage<'_>>,
) -> PageResult<ProfilesPage> {
    user.require(PROFILE_READ).map_err(with_user(&user))?;
    page(state, &user, &csrf, flash).await
}

type Answer = PageResult<Result<Flash<Redirect>, (Status, ProfilesPage)>>;

fn guard(user: &CurrentUser, csrf: &Csrf, token: &str) -> PageResult<()> {
    user.require(PROFILES).map_err(with_user(user))?;
    check_csrf(csrf, token)
}

#[post("/instrument-profiles", data = "<form>")]
async fn create(
    state: &State<AppState>,
    user: WebUser,
    csrf: Csrf,
    form: Form<PostedProfile>,
) -> Answer {
    guard(&user, &csrf, &form.csrf)?;
    let tr = Tr::new(&user.lang);
    let input = NewProfile {
        name: form.name.clone(),
        mapping: form.mapping(),
    };
    match service::create(&state.db, &user.actor(), input).await {
        Ok(p) => Ok(Ok(Flash::success(
            Redirect::to(format!("/instrument-profiles#profile-{}", p.id)),
            tr.t("prof.flash_created").replace("{}", &p.name),
        ))),
        Err(e) => {
            let mut page = page(state, &user, &csrf, None).await?;
            page.new.refused(&form, &e);
            Ok(Err((e.status(), page)))
        }
    }
}

#[post("/instrument-profiles/<id>", data = "<form>")]
async fn update(
    state: &State<AppState>,
    user: WebUser,
    csrf: Csrf,
    id: &str,
    form: Form<PostedProfile>,
) -> Answer {
    guard(&user, &csrf, &form.csrf)?;
    let id = parse_id("instrument profile", id).map_err(with_user(&user))?;
    let tr = Tr::new(&user.lang);
    let input = ProfileUpdate {
        mapping: form.mapping(),
        // No version read (a hand-made post) is never the current one.
        version: form.version.unwrap_or(0),
    };
    match service::update(&state.db, &user.actor(), id, input).await {
        Ok(p) => Ok(Ok(Flash::success(
            Redirect::to(format!("/instrument-profiles#profile-{}", p.id)),
            tr.t("prof.flash_saved").replace("{}", &p.name),
        ))),
        Err(e @ AppError::NotFound(_)) => Err(with_user(&user)(e)),
        Err(e) => {
            let mut page = page(state, &user, &csrf, None).await?;
            let Some(row) = page.rows.iter_mut().find(|r| r.id == id) else {
                return Err(with_user(&user)(e));
            };
            let name = row.name.clone();
            let current = row.version;
            row.form.refused(&form, &e);
            row.form.name = name;
            if matches!(e, AppError::Conflict(_)) {
                // Seen now: saving again replaces the other change.
                row.form.errors.general = None;
                row.form.stale = format!("{} {}", tr.t("prof.stale"), e.detail());
                row.form.version = current;
            }
            Ok(Err((e.status(), page)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mapping_in_one_line_in_egret_order() {
        let m = Mapping(
            [("value", "Conc"), ("sample", "Sample Name")]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        );
        assert_eq!(mapping_text(&m), "sample ← Sample Name, value ← Conc");
        assert_eq!(mapping_text(&Mapping::default()), "");
    }
}
