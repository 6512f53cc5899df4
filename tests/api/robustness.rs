//! Bad input (DESIGN.md invariant 7): garbage to every write route, unknown and malformed ids, fields
//! named in errors, and the OpenAPI document itself.
use crate::roles::{openapi_set, table, table_set, Access, Fixture};
use crate::support::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// Every value of a JSON object replaced by a value of the wrong type.
fn wrong_types(body: &Value) -> Value {
    match body {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| {
                    let wrong = match v {
                        Value::String(_) => json!({"nested": [true]}),
                        Value::Array(_) => json!("not a list"),
                        _ => json!(["not", "a", "scalar"]),
                    };
                    (k.clone(), wrong)
                })
                .collect(),
        ),
        _ => json!([]),
    }
}

/// The values of a JSON object as an array (serde would read a struct from it by position).
fn positional(body: &Value) -> Value {
    match body {
        Value::Object(m) => Value::Array(m.values().cloned().collect()),
        other => json!([other]),
    }
}

fn garbage(body: &Value) -> Vec<(&'static str, Vec<u8>)> {
    let depth = 100_000;
    let nested = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    let big = format!("{{\"x\": \"{}\"}}", "a".repeat(2 * 1024 * 1024));
    let mut utf8 = b"{\"username\": \"".to_vec();
    utf8.extend_from_slice(&[0xff, 0xfe, 0xc3, 0x28]);
    utf8.extend_from_slice(b"\", \"name_zh\": \"\x80\"}");
    vec![
        ("not JSON", b"this is not JSON".to_vec()),
        ("truncated JSON", b"{\"username\": \"adm".to_vec()),
        ("empty body", Vec::new()),
        ("only spaces", b"   \n ".to_vec()),
        ("a number", b"42".to_vec()),
        ("null", b"null".to_vec()),
        ("a string", b"\"hello\"".to_vec()),
        ("an array", b"[1, 2, 3]".to_vec()),
        ("wrong types", wrong_types(body).to_string().into_bytes()),
        (
            "its values as an array",
            positional(body).to_string().into_bytes(),
        ),
        ("2 MiB body", big.into_bytes()),
        ("deeply nested arrays", nested.into_bytes()),
        ("invalid UTF-8", utf8),
        ("NUL bytes", b"{\"a\x00\": \"\x00\"}".to_vec()),
    ]
}

#[tokio::test]
async fn garbage_to_every_write_route_is_a_4xx_problem_and_the_server_survives() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let fixture = Fixture::new(&app, &admin).await;
    let client = uuid::Uuid::parse_str(&fixture.client_id).unwrap();
    let tokens = RoleTokens::create_for_client(&app, &admin, client).await;
    let before = crate::intake::counts(&app).await;
    let (_, lab_before) = app.get("/api/v1/lab", &admin).await;
    let mut sent = 0;
    let mut failures = Vec::new();
    for row in table(&fixture) {
        if ![Method::POST, Method::PUT, Method::PATCH].contains(&row.method) {
            continue;
        }
        // The garbage comes from a user allowed to call the route, so it reaches the body parser.
        let allowed = match row.access {
            Access::Roles(roles) => tokens.get(roles[0]),
            Access::Public => admin.as_str(),
        };
        let content_type = row.raw.as_ref().map_or("application/json", |(ct, _)| ct);
        let body = row.body.clone().unwrap_or(json!({}));
        for (what, bytes) in garbage(&body) {
            for token in [Some(allowed), None] {
                let a = app
                    .raw(
                        row.method.clone(),
                        &row.path,
                        token,
                        content_type,
                        bytes.clone(),
                    )
                    .await;
                let problem = a.content_type.starts_with("application/problem+json")
                    && a.body["status"].as_u64() == Some(a.status.as_u16() as u64)
                    && a.body["detail"].is_string();
                if !a.status.is_client_error() || !problem {
                    let who = if token.is_some() {
                        "allowed user"
                    } else {
                        "no token"
                    };
                    let text: String = a.text.chars().take(300).collect();
                    failures.push(format!(
                        "{} {} with {what} ({who}): {} {text}",
                        row.method, row.path, a.status
                    ));
                }
                sent += 1;
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} answers were not 4xx problems:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(sent >= 8 * 14 * 2, "{sent}");
    let health = app.client.get(app.url("/health")).send().await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    // Nothing was changed by the garbage: the admin still signs in and the lab profile is untouched.
    let (_, lab) = app.get("/api/v1/lab", &admin).await;
    assert_eq!(lab, lab_before);
    assert_eq!(
        crate::intake::counts(&app).await,
        before,
        "garbage wrote intake records"
    );
}

#[tokio::test]
async fn unknown_ids_are_404_problems() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let nobody = uuid::Uuid::now_v7();
    let cases = [
        (Method::GET, format!("/api/v1/users/{nobody}"), None),
        (
            Method::PATCH,
            format!("/api/v1/users/{nobody}"),
            Some(json!({"display_name": "X"})),
        ),
        (Method::GET, format!("/api/v1/methods/{nobody}"), None),
        (
            Method::PATCH,
            format!("/api/v1/methods/{nobody}"),
            Some(json!({"blanks_per_batch": 1})),
        ),
        (
            Method::GET,
            format!("/api/v1/method-analytes/{nobody}"),
            None,
        ),
        (
            Method::PATCH,
            format!("/api/v1/method-analytes/{nobody}"),
            Some(json!({"mdl": "1"})),
        ),
        (
            Method::PATCH,
            "/api/v1/matrices/lava".into(),
            Some(json!({"below_mdl_style": "nd"})),
        ),
        (Method::GET, "/api/v1/packages/NO-SUCH-PACKAGE".into(), None),
        (
            Method::GET,
            "/api/v1/standards/GB0-0000/limits".into(),
            None,
        ),
        (Method::GET, "/api/v1/no-such-route".into(), None),
        (Method::GET, "/api/v2/users".into(), None),
    ];
    for (method, path, body) in cases {
        let a = app
            .answer(method.clone(), &path, Some(&admin), body.as_ref())
            .await;
        assert_eq!(a.status, StatusCode::NOT_FOUND, "{method} {path}: {a:?}");
        a.assert_problem_shape();
    }
}

#[tokio::test]
async fn malformed_ids_in_paths_are_problems_not_html() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    for (method, path) in [
        (Method::GET, "/api/v1/users/not-a-uuid"),
        (Method::PATCH, "/api/v1/users/123"),
        (Method::GET, "/api/v1/methods/%00%ff"),
        (Method::PATCH, "/api/v1/methods/0000-0000"),
        (Method::GET, "/api/v1/method-analytes/zzz"),
        (Method::PATCH, "/api/v1/method-analytes/%E9%93%85"),
    ] {
        let a = app
            .answer(method.clone(), path, Some(&admin), Some(&json!({})))
            .await;
        assert!(
            a.status == StatusCode::NOT_FOUND || a.status == StatusCode::UNPROCESSABLE_ENTITY,
            "{method} {path}: {a:?}"
        );
        a.assert_problem_shape();
    }
}

#[tokio::test]
async fn a_field_of_the_wrong_type_is_named() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let (_, mas) = app.get("/api/v1/method-analytes?limit=1", &admin).await;
    let ma = format!(
        "/api/v1/method-analytes/{}",
        mas["items"][0]["id"].as_str().unwrap()
    );
    let (_, me) = app.get("/api/v1/me", &admin).await;
    let me = format!("/api/v1/users/{}", me["id"].as_str().unwrap());
    let user = |over: Value| {
        let mut u = json!({"username": "typed", "display_name": "T", "password": PASSWORD, "roles": ["analyst"]});
        u.as_object_mut()
            .unwrap()
            .extend(over.as_object().unwrap().clone());
        u
    };
    let cases = [
        (
            Method::POST,
            "/api/v1/users".to_string(),
            user(json!({"roles": ["wizard"]})),
            "roles[0]",
        ),
        (
            Method::POST,
            "/api/v1/users".into(),
            user(json!({"roles": ["analyst", 7]})),
            "roles[1]",
        ),
        (
            Method::POST,
            "/api/v1/users".into(),
            user(json!({"roles": "admin"})),
            "roles",
        ),
        (
            Method::POST,
            "/api/v1/users".into(),
            user(json!({"display_name": 5})),
            "display_name",
        ),
        (
            Method::POST,
            "/api/v1/users".into(),
            user(json!({"client_id": "not-a-uuid"})),
            "client_id",
        ),
        (
            Method::POST,
            "/api/v1/users".into(),
            json!({"username": "x", "password": PASSWORD, "roles": []}),
            "display_name",
        ),
        (
            Method::PATCH,
            me.clone(),
            json!({"active": "yes"}),
            "active",
        ),
        (Method::PATCH, me, json!({"version": "3"}), "version"),
        (
            Method::PATCH,
            ma.clone(),
            json!({"decimals": "2"}),
            "decimals",
        ),
        (
            Method::PATCH,
            ma.clone(),
            json!({"qc_rules": [{"applies_to": "lcs", "min": 80}]}),
            "qc_rules[0].min",
        ),
        (
            Method::PATCH,
            ma,
            json!({"qc_rules": {"applies_to": "lcs"}}),
            "qc_rules",
        ),
        (
            Method::POST,
            "/api/v1/auth/token".into(),
            json!({"username": ["admin"], "password": "x"}),
            "username",
        ),
        (
            Method::PUT,
            "/api/v1/lab".into(),
            json!({"below_mdl_style": "nd", "timezone": "UTC"}),
            "name_zh",
        ),
    ];
    for (method, path, body, field) in cases {
        let a = app
            .answer(method.clone(), &path, Some(&admin), Some(&body))
            .await;
        a.assert_problem(422);
        assert_eq!(
            a.fields().first().map(String::as_str),
            Some(field),
            "{method} {path} {body}: {a:?}"
        );
    }
}

#[tokio::test]
async fn an_unknown_field_is_named() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let fixture = Fixture::new(&app, &admin).await;
    let user = format!("/api/v1/users/{}", fixture.user_id);
    let ma = format!("/api/v1/method-analytes/{}", fixture.method_analyte_id);
    let method = format!("/api/v1/methods/{}", fixture.method_id);
    let cases = [
        (
            Method::PATCH,
            user.clone(),
            json!({"displayname": "typo"}),
            "displayname",
        ),
        (
            Method::PATCH,
            user,
            json!({"display_name": "ok", "is_admin": true}),
            "is_admin",
        ),
        (
            Method::PATCH,
            ma.clone(),
            json!({"mdl_value": "1"}),
            "mdl_value",
        ),
        (
            Method::PATCH,
            ma,
            json!({"qc_rules": [{"applies_to": "lcs", "maximum": "120"}]}),
            "qc_rules[0].maximum",
        ),
        (Method::PATCH, method, json!({"blanks": 1}), "blanks"),
        (
            Method::PATCH,
            "/api/v1/matrices/soil".into(),
            json!({"style": "nd"}),
            "style",
        ),
        (
            Method::POST,
            "/api/v1/users".into(),
            json!({"username": "u1", "display_name": "U", "password": PASSWORD, "roles": ["analyst"], "superuser": true}),
            "superuser",
        ),
    ];
    for (m, path, body, field) in cases {
        let a = app
            .answer(m.clone(), &path, Some(&admin), Some(&body))
            .await;
        a.assert_problem(422);
        assert_eq!(
            a.fields().first().map(String::as_str),
            Some(field),
            "{m} {path} {body}: {a:?}"
        );
        assert!(
            a.body["detail"]
                .as_str()
                .unwrap()
                .contains(field.rsplit('.').next().unwrap()),
            "{a:?}"
        );
    }
}

#[tokio::test]
async fn the_openapi_document_is_valid_openapi_3_and_covers_the_api() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let a = app
        .answer(Method::GET, "/api/v1/openapi.json", None, None)
        .await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(
        a.content_type.starts_with("application/json"),
        "{}",
        a.content_type
    );
    let doc = a.body;
    assert!(
        doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")),
        "{}",
        doc["openapi"]
    );
    assert!(doc["info"]["title"].is_string() && doc["info"]["version"].is_string());
    let fixture = Fixture::new(&app, &admin).await;
    assert_eq!(
        openapi_set(&doc),
        table_set(&table(&fixture)),
        "paths cover every route of the table"
    );
    let schemas = doc["components"]["schemas"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let mut refs = Vec::new();
    collect_refs(&doc, &mut refs);
    for r in refs {
        let name = r
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("odd $ref {r}"));
        assert!(schemas.contains_key(name), "$ref {r} resolves");
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            assert!(
                op["responses"].as_object().is_some_and(|r| !r.is_empty()),
                "{method} {path}: responses"
            );
            // Every `{param}` of the path is declared as a path parameter.
            for seg in path.split('/').filter(|s| s.starts_with('{')) {
                let name = seg.trim_matches(['{', '}']);
                let declared = op["parameters"].as_array().is_some_and(|ps| {
                    ps.iter()
                        .any(|p| p["name"] == name && p["in"] == "path" && p["required"] == true)
                });
                assert!(declared, "{method} {path}: path parameter {name}");
            }
        }
    }
}

fn collect_refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                match (k.as_str(), v) {
                    ("$ref", Value::String(r)) => out.push(r.clone()),
                    _ => collect_refs(v, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}
