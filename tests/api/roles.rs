//! The authorization matrix: every `/api/v1` route, with no token and with each of the six roles.
//! The table below is the list of routes: the test also checks that the OpenAPI document and the
//! mounted routes name exactly these, so a new route cannot be added without a row here.
use crate::support::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// Who may call a route.
#[derive(Clone, Copy, Debug)]
pub enum Access {
    /// Needs no token (sign-in, the OpenAPI document).
    Public,
    /// Needs a token of a user holding one of these roles.
    Roles(&'static [&'static str]),
}

const ALL: &[&str] = &ROLES;
const STAFF: &[&str] = &["admin", "technician", "analyst", "reviewer", "signatory"];
const ADMIN: &[&str] = &["admin"];
const AUDIT: &[&str] = &["admin", "reviewer", "signatory"];

/// One route of the API.
#[derive(Clone, Debug)]
pub struct Row {
    pub method: Method,
    /// The path as the OpenAPI document writes it.
    pub template: &'static str,
    /// The path with real ids.
    pub path: String,
    pub body: Option<Value>,
    pub access: Access,
    /// The call spends the token (logout): use a fresh one.
    pub fresh_token: bool,
}

/// Real ids of the seeded catalogue and a user to change.
pub struct Fixture {
    pub user_id: String,
    pub method_id: String,
    pub method_analyte_id: String,
}

impl Fixture {
    pub async fn new(app: &TestApp, admin: &str) -> Fixture {
        let user = app
            .create_user(admin, "matrix-target", &["analyst"], None)
            .await;
        let (_, methods) = app.get("/api/v1/methods?matrix=soil&limit=1", admin).await;
        let (_, mas) = app.get("/api/v1/method-analytes?limit=1", admin).await;
        Fixture {
            user_id: user["id"].as_str().unwrap().to_string(),
            method_id: methods["items"][0]["id"].as_str().unwrap().to_string(),
            method_analyte_id: mas["items"][0]["id"].as_str().unwrap().to_string(),
        }
    }
}

fn row(method: Method, template: &'static str, access: Access) -> Row {
    Row {
        method,
        template,
        path: template.to_string(),
        body: None,
        access,
        fresh_token: false,
    }
}

impl Row {
    fn path(mut self, path: String) -> Row {
        self.path = path;
        self
    }
    fn body(mut self, body: Value) -> Row {
        self.body = Some(body);
        self
    }
}

/// EVERY `/api/v1` route.
pub fn table(f: &Fixture) -> Vec<Row> {
    use Access::*;
    use Method as M;
    let lab = json!({"name_zh": "厦门市生态环境监测站", "name_en": "Xiamen Monitoring Centre",
        "address": "厦门", "phone": "0592", "cma_number": "CMA-1", "below_mdl_style": "mdl_l",
        "timezone": "Asia/Shanghai"});
    vec![
        row(M::POST, "/api/v1/auth/token", Public)
            .body(json!({"username": "admin", "password": ADMIN_PASSWORD})),
        Row {
            fresh_token: true,
            ..row(M::DELETE, "/api/v1/auth/token", Roles(ALL))
        },
        row(M::GET, "/api/v1/me", Roles(ALL)),
        row(M::GET, "/api/v1/users", Roles(ADMIN)),
        row(M::POST, "/api/v1/users", Roles(ADMIN)).body(json!({"username": "matrix-new",
            "display_name": "New", "password": PASSWORD, "roles": ["analyst"]})),
        row(M::GET, "/api/v1/users/{id}", Roles(ADMIN))
            .path(format!("/api/v1/users/{}", f.user_id)),
        row(M::PATCH, "/api/v1/users/{id}", Roles(ADMIN))
            .path(format!("/api/v1/users/{}", f.user_id))
            .body(json!({"display_name": "Target"})),
        row(M::GET, "/api/v1/matrices", Roles(STAFF)),
        row(M::PATCH, "/api/v1/matrices/{code}", Roles(ADMIN))
            .path("/api/v1/matrices/soil".into())
            .body(json!({"below_mdl_style": "nd"})),
        row(M::GET, "/api/v1/analytes", Roles(STAFF)).path("/api/v1/analytes?q=pb".into()),
        row(M::GET, "/api/v1/methods", Roles(STAFF)),
        row(M::GET, "/api/v1/methods/{id}", Roles(STAFF))
            .path(format!("/api/v1/methods/{}", f.method_id)),
        row(M::PATCH, "/api/v1/methods/{id}", Roles(ADMIN))
            .path(format!("/api/v1/methods/{}", f.method_id))
            .body(json!({"blanks_per_batch": 1})),
        row(M::GET, "/api/v1/method-analytes", Roles(STAFF))
            .path("/api/v1/method-analytes?analyte=pb".into()),
        row(M::GET, "/api/v1/method-analytes/{id}", Roles(STAFF))
            .path(format!("/api/v1/method-analytes/{}", f.method_analyte_id)),
        row(M::POST, "/api/v1/method-analytes", Roles(ADMIN))
            .body(json!({"method_id": f.method_id, "analyte": "ddt_total_4", "unit": "mg/kg"})),
        row(M::PATCH, "/api/v1/method-analytes/{id}", Roles(ADMIN))
            .path(format!("/api/v1/method-analytes/{}", f.method_analyte_id))
            .body(json!({"container": "glass jar"})),
        row(M::GET, "/api/v1/packages", Roles(STAFF)),
        row(M::GET, "/api/v1/packages/{code}", Roles(STAFF))
            .path("/api/v1/packages/GB36600-basic45".into()),
        row(M::GET, "/api/v1/standards", Roles(STAFF)),
        row(M::GET, "/api/v1/standards/{code}/limits", Roles(STAFF))
            .path("/api/v1/standards/GB36600-2018/limits?analyte=pb".into()),
        row(M::GET, "/api/v1/lab", Roles(ALL)),
        row(M::PUT, "/api/v1/lab", Roles(ADMIN)).body(lab),
        row(M::GET, "/api/v1/audit", Roles(AUDIT)),
        row(M::GET, "/api/v1/audit/verify", Roles(AUDIT)),
        row(M::GET, "/api/v1/openapi.json", Public),
    ]
}

/// (METHOD, path template) of the table.
pub fn table_set(rows: &[Row]) -> BTreeSet<(String, String)> {
    rows.iter()
        .map(|r| (r.method.as_str().to_string(), r.template.to_string()))
        .collect()
}

/// (METHOD, path template) of an OpenAPI document's `paths`.
pub fn openapi_set(doc: &Value) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for (path, ops) in doc["paths"].as_object().expect("paths") {
        for method in ops.as_object().expect("path item").keys() {
            if ["get", "put", "post", "delete", "patch", "head", "options"]
                .contains(&method.as_str())
            {
                out.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    out
}

/// (METHOD, path template) of the routes Egret mounts under `/api/v1`.
fn mounted_set() -> BTreeSet<(String, String)> {
    egret::api::routes()
        .iter()
        .map(|r| {
            let path = r.uri.path().replace('<', "{").replace('>', "}");
            let path = path.trim_end_matches('/');
            (r.method.as_str().to_string(), format!("/api/v1{path}"))
        })
        .collect()
}

#[tokio::test]
async fn every_route_refuses_who_it_must_and_serves_who_it_may() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let tokens = RoleTokens::create(&app, &admin).await;
    let fixture = Fixture::new(&app, &admin).await;
    let rows = table(&fixture);
    let mut checked = 0;
    for r in &rows {
        let what = format!("{} {}", r.method, r.path);
        let anon = app
            .answer(r.method.clone(), &r.path, None, r.body.as_ref())
            .await;
        match r.access {
            Access::Public => assert_eq!(anon.status, StatusCode::OK, "{what}: {anon:?}"),
            Access::Roles(_) => {
                assert_eq!(anon.status, StatusCode::UNAUTHORIZED, "{what}: {anon:?}");
                anon.assert_problem_shape();
            }
        }
        for role in ROLES {
            let token = if r.fresh_token {
                let name = if role == "admin" {
                    "admin".to_string()
                } else {
                    format!("role-{role}")
                };
                let pw = if role == "admin" {
                    ADMIN_PASSWORD
                } else {
                    PASSWORD
                };
                app.login(&name, pw).await
            } else {
                tokens.get(role).to_string()
            };
            let a = app
                .answer(r.method.clone(), &r.path, Some(&token), r.body.as_ref())
                .await;
            let allowed = match r.access {
                Access::Public => true,
                Access::Roles(roles) => roles.contains(&role),
            };
            if allowed {
                // Every body of the table is valid, so an allowed call succeeds.
                assert!(
                    a.status.is_success(),
                    "{what} as {role} should be allowed: {a:?}"
                );
            } else {
                assert_eq!(
                    a.status,
                    StatusCode::FORBIDDEN,
                    "{what} as {role} should be refused: {a:?}"
                );
                a.assert_problem_shape();
            }
            checked += 1;
        }
    }
    assert_eq!(checked, rows.len() * ROLES.len());
    // The role tokens still work: no row spent them.
    for role in ROLES {
        let (status, _) = app.get("/api/v1/me", tokens.get(role)).await;
        assert_eq!(status, StatusCode::OK, "{role}");
    }
}

#[tokio::test]
async fn the_table_openapi_and_mounted_routes_name_the_same_routes() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let fixture = Fixture::new(&app, &admin).await;
    let rows = table(&fixture);
    let in_table = table_set(&rows);
    assert_eq!(in_table.len(), rows.len(), "no route twice in the table");
    // The OpenAPI document is the one public GET.
    let doc = app
        .answer(Method::GET, "/api/v1/openapi.json", None, None)
        .await;
    assert_eq!(doc.status, StatusCode::OK);
    let documented = openapi_set(&doc.body);
    assert_eq!(
        documented.difference(&in_table).collect::<Vec<_>>(),
        Vec::<&(String, String)>::new(),
        "routes in openapi.json without a row in the table"
    );
    assert_eq!(
        in_table.difference(&documented).collect::<Vec<_>>(),
        Vec::<&(String, String)>::new(),
        "rows of the table missing from openapi.json"
    );
    let mounted = mounted_set();
    assert_eq!(
        mounted.symmetric_difference(&in_table).collect::<Vec<_>>(),
        Vec::<&(String, String)>::new(),
        "mounted /api/v1 routes and the table differ"
    );
}
