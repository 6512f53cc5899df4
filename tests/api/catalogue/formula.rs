//! A method's formula, totals (`sum_of`) and scientific notation: set and read back over the API,
//! refused with the field named and nothing changed, audited; and the same through the pages.
use crate::support::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// The method_analyte of `analyte` in the soil method `method_code` (e.g. "HJ 605-2011").
async fn ma_of(app: &TestApp, token: &str, method_code: &str, analyte: &str) -> Value {
    let (status, found) = app
        .get(
            &format!("/api/v1/method-analytes?matrix=soil&analyte={analyte}"),
            token,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{found}");
    found["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["method_code"] == method_code)
        .unwrap_or_else(|| panic!("{analyte} of {method_code}: {found}"))
        .clone()
}

fn id(v: &Value) -> String {
    v["id"].as_str().expect("id").to_string()
}

/// The events of `action` in `events`.
fn of<'a>(events: &'a [Value], action: &str) -> Vec<&'a Value> {
    events.iter().filter(|e| e["action"] == action).collect()
}

#[tokio::test]
async fn a_method_formula_is_set_read_back_refused_and_audited() {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    let method_id = ma_of(&app, &token, "HJ 605-2011", "benzene").await["method_id"]
        .as_str()
        .unwrap()
        .to_string();
    let path = format!("/api/v1/methods/{method_id}");
    let (_, before) = app.get(&path, &token).await;
    assert!(before["formula"].is_null(), "{before}");

    let formula = json!({
        "expression": " (reading - blank) × volume ÷ mass * dilution / dry_matter ",
        "inputs": [
            {"name": "reading", "unit": "µg/L"},
            {"name": "blank", "unit": "µg/L"},
            {"name": "volume", "unit": "mL"},
            {"name": "mass"},
        ]
    });
    let (status, m) = app
        .patch(&path, &token, json!({ "formula": formula }))
        .await;
    assert_eq!(status, StatusCode::OK, "{m}");
    let stored = json!({
        "expression": "(reading - blank) × volume ÷ mass * dilution / dry_matter",
        "inputs": [
            {"name": "reading", "unit": "\u{03bc}g/L"},
            {"name": "blank", "unit": "\u{03bc}g/L"},
            {"name": "volume", "unit": "mL"},
            {"name": "mass", "unit": null},
        ]
    });
    assert_eq!(m["formula"], stored);
    let (_, read) = app.get(&path, &token).await;
    assert_eq!(read["formula"], stored, "read back as stored");
    assert_eq!(read["qc_insertion"], before["qc_insertion"]);
    assert_eq!(read["version"], before["version"].as_i64().unwrap() + 1);
    let (_, listed) = app
        .get("/api/v1/methods?matrix=soil&limit=1000", &token)
        .await;
    let in_list = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == method_id.as_str())
        .unwrap();
    assert_eq!(in_list["formula"], stored, "the list shows it too");

    // Refused formulas name their field and change nothing.
    let input = |n: &str| json!({"name": n});
    for (formula, field) in [
        (
            json!({"expression": "(reading - blank", "inputs": [input("reading"), input("blank")]}),
            "formula.expression",
        ),
        (
            json!({"expression": "reading */ 2", "inputs": [input("reading")]}),
            "formula.expression",
        ),
        (
            json!({"expression": "reading * factor", "inputs": [input("reading")]}),
            "formula.expression",
        ),
        (
            json!({"expression": "reading * 2", "inputs": [input("reading"), input("blank")]}),
            "formula.inputs[1].name",
        ),
        (
            json!({"expression": "reading * dilution", "inputs": [input("reading"), input("dilution")]}),
            "formula.inputs[1].name",
        ),
        (
            json!({"expression": "reading * dry_matter", "inputs": [input("dry_matter"), input("reading")]}),
            "formula.inputs[0].name",
        ),
        (
            json!({"expression": "reading", "inputs": [input("reading"), input("reading")]}),
            "formula.inputs[1].name",
        ),
        (
            json!({"expression": "reading", "inputs": [input("reading"), input("2nd")]}),
            "formula.inputs[1].name",
        ),
        (
            json!({"expression": "  ", "inputs": [input("reading")]}),
            "formula.expression",
        ),
        (
            json!({"expression": format!("reading{}", " + 1".repeat(130)), "inputs": [input("reading")]}),
            "formula.expression",
        ),
        (
            json!({"expression": "reading", "inputs": [{"name": "reading", "unit": "x".repeat(21)}]}),
            "formula.inputs[0].unit",
        ),
    ] {
        app.answer(
            Method::PATCH,
            &path,
            Some(&token),
            Some(&json!({ "formula": formula, "blanks_per_batch": 3 })),
        )
        .await
        .assert_invalid(field);
    }
    app.answer(
        Method::PATCH,
        &path,
        Some(&token),
        Some(&json!({"formula": {"expression": "a", "inputs": [{"name": "a", "units": "g"}]}})),
    )
    .await
    .assert_problem(422);
    let (_, unchanged) = app.get(&path, &token).await;
    assert_eq!(unchanged, read, "refused formulas change nothing");

    // Absent leaves it; the same formula again is no change; null clears it.
    let (status, m) = app
        .patch(&path, &token, json!({"blanks_per_batch": 1}))
        .await;
    assert_eq!(status, StatusCode::OK, "{m}");
    assert_eq!(m["formula"], stored, "an absent formula is left alone");
    let (status, m) = app
        .patch(&path, &token, json!({"formula": stored.clone()}))
        .await;
    assert_eq!(status, StatusCode::OK, "{m}");
    assert_eq!(m["version"], read["version"].as_i64().unwrap() + 1);
    let (status, m) = app.patch(&path, &token, json!({"formula": null})).await;
    assert_eq!(status, StatusCode::OK, "{m}");
    assert!(m["formula"].is_null(), "{m}");
    let (_, m) = app.get(&path, &token).await;
    assert!(m["formula"].is_null(), "{m}");

    // Each change is in the audit trail, with the formula before and after.
    let events = app.audit_of(&token, "method", &method_id).await;
    let updates = of(&events, "method.update");
    assert_eq!(updates.len(), 3, "set, QC rule, cleared: {events:?}");
    assert!(updates[0]["before"]["formula"].is_null(), "{}", updates[0]);
    assert_eq!(updates[0]["after"]["formula"], stored);
    assert_eq!(updates[1]["before"]["formula"], stored);
    assert_eq!(updates[1]["after"]["blanks_per_batch"], 1);
    assert_eq!(updates[2]["before"]["formula"], stored);
    assert!(updates[2]["after"]["formula"].is_null());
    let v = app.verify_audit(&token).await;
    assert_eq!(v["ok"], true, "{v}");
}

#[tokio::test]
async fn totals_and_scientific_notation_are_checked_and_audited() {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    let mp = ma_of(&app, &token, "HJ 605-2011", "m_p_xylene").await;
    let o = ma_of(&app, &token, "HJ 605-2011", "o_xylene").await;
    let benzene = ma_of(&app, &token, "HJ 605-2011", "benzene").await;
    let toluene = ma_of(&app, &token, "HJ 605-2011", "toluene").await;
    let other_method = ma_of(&app, &token, "HJ 642-2013", "o_xylene").await;
    assert_ne!(other_method["method_id"], mp["method_id"]);
    let method_id = mp["method_id"].as_str().unwrap().to_string();
    assert!(mp["sum_of"].is_null() && mp["scientific"] == false, "{mp}");

    // A new total: xylenes = m/p-xylene + o-xylene, reported in scientific notation.
    let new = json!({"method_id": method_id, "analyte": "xylenes_total", "unit": "µg/kg",
        "significant_figures": 2, "scientific": true, "sum_of": [id(&mp), id(&o)]});
    let (status, total) = app.post("/api/v1/method-analytes", &token, new).await;
    assert_eq!(status, StatusCode::CREATED, "{total}");
    assert_eq!(total["sum_of"], json!([id(&mp), id(&o)]));
    assert_eq!(total["scientific"], true);
    let total_path = format!("/api/v1/method-analytes/{}", id(&total));
    let (_, read) = app.get(&total_path, &token).await;
    assert_eq!(read, total, "read back");

    // Refused totals name the part (or sum_of) and change nothing.
    let patch = |path: String, body: Value| {
        let (app, token) = (&app, &token);
        async move {
            app.answer(Method::PATCH, &path, Some(token), Some(&body))
                .await
        }
    };
    let benzene_path = format!("/api/v1/method-analytes/{}", id(&benzene));
    let mp_path = format!("/api/v1/method-analytes/{}", id(&mp));
    for (path, body, field) in [
        // a part of another method
        (
            total_path.clone(),
            json!({"sum_of": [id(&mp), id(&other_method)]}),
            "sum_of[1]",
        ),
        // no such method_analyte
        (
            total_path.clone(),
            json!({"sum_of": [id(&mp), uuid::Uuid::now_v7()]}),
            "sum_of[1]",
        ),
        // itself
        (
            total_path.clone(),
            json!({"sum_of": [id(&total), id(&mp)]}),
            "sum_of[0]",
        ),
        // twice
        (
            total_path.clone(),
            json!({"sum_of": [id(&mp), id(&o), id(&mp)]}),
            "sum_of[2]",
        ),
        // one part, none
        (total_path.clone(), json!({"sum_of": [id(&mp)]}), "sum_of"),
        (total_path.clone(), json!({"sum_of": []}), "sum_of"),
        // nesting: a total as a part …
        (
            benzene_path.clone(),
            json!({"sum_of": [id(&total), id(&toluene)]}),
            "sum_of[0]",
        ),
        // … or a part made a total
        (
            mp_path.clone(),
            json!({"sum_of": [id(&benzene), id(&toluene)]}),
            "sum_of",
        ),
        // scientific notation without significant figures
        (
            benzene_path.clone(),
            json!({"scientific": true}),
            "scientific",
        ),
        (
            total_path.clone(),
            json!({"significant_figures": null, "decimals": 1}),
            "scientific",
        ),
    ] {
        patch(path, body).await.assert_invalid(field);
    }
    for (body, field) in [
        (
            json!({"method_id": method_id, "analyte": "ddt_total_4", "unit": "µg/kg",
                "sum_of": [id(&total), id(&benzene)]}),
            "sum_of[0]",
        ),
        (
            json!({"method_id": method_id, "analyte": "ddt_total_4", "unit": "µg/kg",
                "sum_of": [id(&benzene), id(&other_method)]}),
            "sum_of[1]",
        ),
        (
            json!({"method_id": method_id, "analyte": "ddt_total_4", "unit": "µg/kg",
                "scientific": true, "decimals": 2}),
            "scientific",
        ),
    ] {
        app.answer(
            Method::POST,
            "/api/v1/method-analytes",
            Some(&token),
            Some(&body),
        )
        .await
        .assert_invalid(field);
    }
    let (_, listed) = app
        .get(
            &format!("/api/v1/method-analytes?method_id={method_id}&analyte=ddt_total_4"),
            &token,
        )
        .await;
    assert!(listed["items"].as_array().unwrap().is_empty(), "{listed}");
    for (path, was) in [
        (&total_path, &total),
        (&benzene_path, &benzene),
        (&mp_path, &mp),
    ] {
        let (_, now) = app.get(path, &token).await;
        assert_eq!(&now, was, "refused edits change nothing");
    }

    // Accepted edits: another part, scientific with its significant figures, then cleared.
    let a = patch(
        total_path.clone(),
        json!({"sum_of": [id(&mp), id(&o), id(&benzene)]}),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{a:?}");
    assert_eq!(a.body["sum_of"].as_array().unwrap().len(), 3);
    let a = patch(
        benzene_path.clone(),
        json!({"significant_figures": 3, "scientific": true}),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{a:?}");
    assert_eq!(a.body["scientific"], true);
    let a = patch(
        total_path.clone(),
        json!({"sum_of": null, "scientific": false}),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{a:?}");
    assert!(
        a.body["sum_of"].is_null() && a.body["scientific"] == false,
        "{a:?}"
    );

    // Each change is in the audit trail.
    let events = app.audit_of(&token, "method_analyte", &id(&total)).await;
    let created = of(&events, "method_analyte.create");
    assert_eq!(created.len(), 1, "{events:?}");
    assert_eq!(created[0]["after"]["sum_of"], json!([id(&mp), id(&o)]));
    assert_eq!(created[0]["after"]["scientific"], true);
    let updates = of(&events, "method_analyte.update");
    assert_eq!(updates.len(), 2, "{events:?}");
    assert_eq!(updates[0]["before"]["sum_of"], json!([id(&mp), id(&o)]));
    assert_eq!(
        updates[0]["after"]["sum_of"],
        json!([id(&mp), id(&o), id(&benzene)])
    );
    assert!(updates[1]["after"]["sum_of"].is_null());
    assert_eq!(updates[1]["before"]["scientific"], true);
    assert_eq!(updates[1]["after"]["scientific"], false);
    let events = app.audit_of(&token, "method_analyte", &id(&benzene)).await;
    let updates = of(&events, "method_analyte.update");
    assert_eq!(updates.len(), 1, "{events:?}");
    assert_eq!(updates[0]["before"]["scientific"], false);
    assert_eq!(updates[0]["after"]["scientific"], true);
    let v = app.verify_audit(&token).await;
    assert_eq!(v["ok"], true, "{v}");
}

/// A browser-like client: cookies kept, redirects not followed.
fn web_client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The value of the hidden `_csrf` field of a page.
fn csrf_of(html: &str) -> String {
    let at = html.find("name=\"_csrf\" value=\"").expect("a CSRF field") + 20;
    html[at..].split('"').next().unwrap().to_string()
}

async fn page(web: &reqwest::Client, app: &TestApp, path: &str) -> (StatusCode, String) {
    let r = web.get(app.url(path)).send().await.unwrap();
    (r.status(), r.text().await.unwrap())
}

async fn post_form(
    web: &reqwest::Client,
    app: &TestApp,
    path: &str,
    form: &[(&str, String)],
) -> (StatusCode, String) {
    let r = web.post(app.url(path)).form(form).send().await.unwrap();
    (r.status(), r.text().await.unwrap())
}

#[tokio::test]
async fn the_pages_edit_the_formula_and_totals() {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    let mp = ma_of(&app, &token, "HJ 605-2011", "m_p_xylene").await;
    let o = ma_of(&app, &token, "HJ 605-2011", "o_xylene").await;
    let benzene = ma_of(&app, &token, "HJ 605-2011", "benzene").await;
    let method_id = mp["method_id"].as_str().unwrap().to_string();

    let web = web_client();
    let (_, login) = page(&web, &app, "/login").await;
    let (status, _) = post_form(
        &web,
        &app,
        "/login",
        &[
            ("username", "admin".into()),
            ("password", ADMIN_PASSWORD.into()),
            ("_csrf", csrf_of(&login)),
        ],
    )
    .await;
    assert!(status.is_redirection(), "signed in: {status}");

    // The method form: an unused input is refused beside the inputs box, with its line; what was
    // typed is kept.
    let method_page = format!("/catalogue/methods/{method_id}");
    let (status, html) = page(&web, &app, &method_page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("name=\"formula.expression\""), "{html}");
    let csrf = csrf_of(&html);
    let form = |expression: &str, inputs: &str| {
        vec![
            ("_csrf", csrf.clone()),
            ("version", "1".to_string()),
            ("formula.expression", expression.to_string()),
            ("formula.inputs", inputs.to_string()),
        ]
    };
    let (status, html) = post_form(
        &web,
        &app,
        &method_page,
        &form("reading * volume", "reading mg/L\n\nvolume mL\nunused g"),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(html.contains("id=\"formula.inputs-error\""), "{html}");
    assert!(html.contains("第 4 行"), "the error names the line: {html}");
    assert!(
        html.contains("value=\"reading * volume\""),
        "typed text kept"
    );
    assert!(html.contains("unused g</textarea>"), "typed inputs kept");
    let (_, m) = app
        .get(&format!("/api/v1/methods/{method_id}"), &token)
        .await;
    assert!(m["formula"].is_null(), "{m}");
    let (status, html) = post_form(
        &web,
        &app,
        &method_page,
        &form("(reading - blank", "reading\nblank"),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(html.contains("id=\"formula.expression-error\""), "{html}");
    let (status, _) = post_form(
        &web,
        &app,
        &method_page,
        &form("reading * volume / 1000", "reading mg/L\nvolume mL"),
    )
    .await;
    assert!(status.is_redirection(), "saved: {status}");
    let (_, m) = app
        .get(&format!("/api/v1/methods/{method_id}"), &token)
        .await;
    assert_eq!(
        m["formula"],
        json!({"expression": "reading * volume / 1000",
            "inputs": [{"name": "reading", "unit": "mg/L"}, {"name": "volume", "unit": "mL"}]})
    );
    let (_, html) = page(&web, &app, &method_page).await;
    assert!(
        html.contains("reading mg/L\nvolume mL</textarea>"),
        "{html}"
    );

    // The method-analyte form: benzene as a total of one part is refused beside the parts, the
    // ticked box stays ticked; scientific without significant figures is refused beside its box.
    let ma_page = format!("/catalogue/method-analytes/{}", id(&benzene));
    let (status, html) = page(&web, &app, &ma_page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&format!("value=\"{}\"", id(&mp))), "{html}");
    assert!(
        !html.contains(&format!("name=\"sum_of\" value=\"{}\"", id(&benzene))),
        "not offered as its own part"
    );
    let csrf = csrf_of(&html);
    let base = |extra: &[(&'static str, String)]| {
        let mut f = vec![
            ("_csrf", csrf.clone()),
            ("version", benzene["version"].to_string()),
            ("unit", benzene["unit"].as_str().unwrap().to_string()),
            ("mdl", benzene["mdl"].as_str().unwrap_or("").to_string()),
        ];
        f.extend(extra.iter().cloned());
        f
    };
    let (status, html) = post_form(&web, &app, &ma_page, &base(&[("sum_of", id(&mp))])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(html.contains("id=\"sum_of-error\""), "{html}");
    assert!(
        html.contains(&format!("value=\"{}\" checked", id(&mp))),
        "the ticked part stays ticked"
    );
    let (status, html) = post_form(
        &web,
        &app,
        &ma_page,
        &base(&[("scientific", "true".into())]),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(html.contains("id=\"scientific-error\""), "{html}");
    assert!(
        html.contains("id=\"scientific\" checked"),
        "the box stays ticked"
    );
    let (_, still) = app
        .get(&format!("/api/v1/method-analytes/{}", id(&benzene)), &token)
        .await;
    assert_eq!(still, benzene, "refused forms change nothing");
    let (status, html) = post_form(
        &web,
        &app,
        &ma_page,
        &base(&[
            ("sum_of", id(&mp)),
            ("sum_of", id(&o)),
            ("significant_figures", "2".into()),
            ("scientific", "true".into()),
        ]),
    )
    .await;
    assert!(status.is_redirection(), "saved: {status} {html}");
    let (_, saved) = app
        .get(&format!("/api/v1/method-analytes/{}", id(&benzene)), &token)
        .await;
    assert_eq!(saved["sum_of"], json!([id(&mp), id(&o)]));
    assert_eq!(saved["scientific"], true);
    let (_, html) = page(&web, &app, &method_page).await;
    assert!(html.contains("total-of"), "the method page shows the total");
}
