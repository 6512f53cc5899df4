//! More of the analyst's pages: instrument profiles, formula inputs in the grid, and the batch as a
//! reviewer reads it.
//!
//! In a real browser (skipped without Chromium, except in CI): the analyst creates an instrument
//! profile on its page (a first try refused beside the boxes, what was typed kept), imports a file
//! in the instrument's own columns through it on the batch page; the method has a formula (set over
//! the API), so the analyst types its inputs under the cells — a partly filled set is refused beside
//! its cell with everything typed kept, inputs win over a changed value box — and sees the computed
//! reported values. A reviewer then opens the batch: the results, no forms.
//!
//! Over plain HTTP: the profile forms' refusals (beside the boxes, typed text kept, a stale version
//! answered 409 with the message and then saved), and who may see and post what.
use crate::analysis::{analysis_of, assert_near, item, lab_id, Ana};
use crate::browser::{
    browser_installed, click, drive, find, screenshot, type_into, value, wait_for,
};
use crate::browser_analysis::{cell, js, wait_contains};
use crate::intake::id;
use crate::support::{TestApp, PASSWORD};
use fantoccini::{Client, Locator};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// The formula of the brief: no `dry_matter`, so no HJ 613 result is needed.
fn formula() -> Value {
    json!({"formula": {"expression": "(reading - blank) * volume / mass", "inputs": [
        {"name": "reading", "unit": "mg/L"}, {"name": "blank", "unit": "mg/L"},
        {"name": "volume", "unit": "mL"}, {"name": "mass", "unit": "g"}]}})
}

struct Setup {
    batch: String,
    labs: Vec<String>,
    /// The analyses of lab 1's cadmium (for the API read-back).
    cd1: String,
    api: reqwest::Client,
    base: String,
    analyst: String,
}

#[tokio::test]
async fn profiles_formula_inputs_and_a_reviewer_reading_the_batch() {
    if !browser_installed() {
        return;
    }
    let a = Ana::ready().await;
    a.app
        .user_with_roles(&a.lab.admin, "reviewer", &["reviewer"])
        .await;
    let samples = a.soil(2, &[&a.cd, &a.pb]).await;
    let mut analyses = Vec::new();
    for s in &samples {
        analyses.push(analysis_of(s, &a.cd));
        analyses.push(analysis_of(s, &a.pb));
    }
    let batch = a.batch(&analyses).await;
    a.set_method(&a.method, formula()).await;
    let setup = Setup {
        batch: id(&batch),
        labs: samples.iter().map(lab_id).collect(),
        cd1: analysis_of(&samples[1], &a.cd),
        api: a.app.client.clone(),
        base: a.app.base.clone(),
        analyst: a.analyst.clone(),
    };
    drive(a.app.base.clone(), |b, base| async move {
        steps(&b, &base, &setup).await
    })
    .await;
}

async fn sign_in(b: &Client, base: &str, username: &str) {
    b.goto(&format!("{base}/login")).await.expect("login page");
    type_into(b, "#username", username).await;
    type_into(b, "#password", PASSWORD).await;
    click(b, "form[action='/login'] button[type=submit]").await;
    wait_for(b, "#logout").await;
}

/// The cell `td` of `label`'s row in grid column `col`.
fn td(label: &str, col: i64) -> String {
    format!(
        "#result-grid tr[data-label='{label}'] td.cell:nth-of-type({})",
        col + 1
    )
}

/// Types the formula inputs of a cell (its toggle opened first), in the formula's order.
async fn type_inputs(b: &Client, td: &str, values: &[(&str, &str)]) {
    let open = js(
        b,
        &format!("return document.querySelector(\"{td} details.formula-inputs\").open;"),
    )
    .await;
    if open != json!(true) {
        click(b, &format!("{td} details.formula-inputs summary")).await;
    }
    for (name, v) in values {
        type_into(b, &format!("{td} input[data-input='{name}']"), v).await;
    }
}

async fn steps(b: &Client, base: &str, s: &Setup) {
    sign_in(b, base, "analyst").await;

    // The profiles page from the analyst's navigation: none yet.
    click(b, "nav[aria-label=main] a[href='/instrument-profiles']").await;
    wait_for(b, "#no-profiles").await;
    // No name, and two of Egret's columns on one file column: refused beside the boxes, kept.
    type_into(b, "#new-sample", "Sample Name").await;
    type_into(b, "#new-analyte", "sample name").await;
    type_into(b, "#new-value", "Conc").await;
    click(b, "#create-profile").await;
    wait_contains(b, "#new-mapping-error", "same file column").await;
    wait_for(b, "#new-name-error").await;
    assert_eq!(
        value(b, "#new-sample").await,
        "Sample Name",
        "typed text kept"
    );
    assert_eq!(value(b, "#new-value").await, "Conc");
    screenshot(b, "instrument-profiles-refused.png").await;
    // Corrected: created and listed as "sample ← Sample Name, …".
    type_into(b, "#new-name", "ICP-MS 7900").await;
    type_into(b, "#new-analyte", "Element").await;
    click(b, "#create-profile").await;
    wait_contains(b, ".flash", "ICP-MS 7900").await;
    let listed = wait_contains(b, "#profiles", "ICP-MS 7900").await;
    assert!(
        listed.contains("sample ← Sample Name, analyte ← Element, value ← Conc"),
        "{listed}"
    );
    screenshot(b, "instrument-profiles.png").await;

    // The batch page links to the profiles from its import box; the file in the instrument's
    // columns goes in through the profile.
    b.goto(&format!("{base}/batches/{}", s.batch))
        .await
        .expect("the batch page");
    let link = find(b, "#manage-profiles").await;
    assert_eq!(
        link.attr("href").await.ok().flatten().as_deref(),
        Some("/instrument-profiles")
    );
    wait_for(b, "#import-profile")
        .await
        .select_by_label("ICP-MS 7900")
        .await
        .expect("the profile chosen");
    let csv = std::env::temp_dir().join(format!("egret-icp-{}.csv", uuid::Uuid::now_v7()));
    std::fs::write(
        &csv,
        format!("Sample Name,Element,Conc\n{},cd,0.0450\n", s.labs[0]),
    )
    .expect("a CSV file");
    wait_for(b, "#import-file")
        .await
        .send_keys(&csv.display().to_string())
        .await
        .expect("a file chosen");
    click(b, "#upload-results").await;
    wait_contains(b, ".flash", "已导入").await;
    let _ = std::fs::remove_file(&csv);
    let col = |code: &str| {
        format!(
            "return Array.from(document.querySelectorAll('#result-grid thead th.analyte-col')).findIndex(t => t.title === '{code}');"
        )
    };
    let cd = js(b, &col("cd")).await.as_i64().expect("a Cd column");
    let pb = js(b, &col("pb")).await.as_i64().expect("a Pb column");
    // 0.0450 mg/kg, 3 decimals → 0.045.
    wait_contains(b, &format!("{} .reported", td(&s.labs[0], cd)), "0.045").await;

    // The formula once above the grid; an inputs toggle under each numeric cell.
    let shown = wait_contains(b, "#grid-formula", "(reading - blank) * volume / mass").await;
    assert!(shown.contains("reading (mg/L)"), "{shown}");
    assert!(shown.contains("mass (g)"), "{shown}");
    let toggles = js(
        b,
        "return document.querySelectorAll('#result-grid details.formula-inputs').length;",
    )
    .await;
    assert_eq!(toggles, json!(4), "two samples × two analytes");

    // Lab 1 Cd by its inputs; lab 0 Pb: a value typed and inputs typed, the inputs win;
    // lab 1 Pb: only one input, refused.
    let l0 = &s.labs[0];
    let l1 = &s.labs[1];
    type_inputs(
        b,
        &td(l1, cd),
        &[
            ("reading", "0.0873"),
            ("blank", "0.0021"),
            ("volume", "50"),
            ("mass", "0.4987"),
        ],
    )
    .await;
    type_into(b, &cell(l0, pb), "99").await;
    type_inputs(
        b,
        &td(l0, pb),
        &[
            ("reading", "1.20"),
            ("blank", "0.20"),
            ("volume", "25"),
            ("mass", "0.5"),
        ],
    )
    .await;
    type_inputs(b, &td(l1, pb), &[("reading", "0.5")]).await;
    wait_contains(b, "#changed-count", "3").await;
    click(b, "#save-grid").await;
    let error = wait_contains(b, &format!("{} .cell-error", td(l1, pb)), "blank (mg/L)").await;
    assert!(error.contains("missing"), "{error}");
    assert!(error.contains("mass (g)"), "{error}");
    wait_contains(b, "#grid-errors", "未保存").await;
    let open = js(
        b,
        &format!(
            "return document.querySelector(\"{} details.formula-inputs\").open;",
            td(l1, pb)
        ),
    )
    .await;
    assert_eq!(open, json!(true), "the refused inputs show");
    let flagged = js(
        b,
        &format!(
            "return Array.from(document.querySelectorAll(\"{} input.formula-input[aria-invalid='true']\")).map(i => i.dataset.input);",
            td(l1, pb)
        ),
    )
    .await;
    assert_eq!(flagged, json!(["blank", "volume", "mass"]));
    assert_eq!(
        value(b, &format!("{} input[data-input='mass']", td(l1, cd))).await,
        "0.4987",
        "typed inputs kept"
    );
    assert_eq!(
        value(b, &format!("{} input[data-input='reading']", td(l1, pb))).await,
        "0.5"
    );
    assert_eq!(value(b, &cell(l0, pb)).await, "99");
    screenshot(b, "batch-formula-refused.png").await;

    // Completed and saved.
    type_inputs(
        b,
        &td(l1, pb),
        &[("blank", "0.1"), ("volume", "25"), ("mass", "0.5")],
    )
    .await;
    click(b, "#save-grid").await;
    wait_contains(b, ".flash", "已保存 3 个结果").await;
    // (0.0873 − 0.0021) × 50 / 0.4987 = 4.26 / 0.4987 = 8.54221 → 3 decimals: 8.542 mg/kg.
    wait_contains(b, &format!("{} .reported", td(l1, cd)), "8.542").await;
    // (1.20 − 0.20) × 25 / 0.5 = 50 → 3 significant figures: 50.0 (the 99 typed is ignored).
    wait_contains(b, &format!("{} .reported", td(l0, pb)), "50.0").await;
    // (0.5 − 0.1) × 25 / 0.5 = 20 → 20.0.
    wait_contains(b, &format!("{} .reported", td(l1, pb)), "20.0").await;
    // The inputs are kept with the result and fill the boxes again; the value box of a computed
    // result starts empty (the exact value in its title): a value typed there is entered instead.
    assert_eq!(value(b, &cell(l1, cd)).await, "");
    let exact = find(b, &cell(l1, cd))
        .await
        .attr("title")
        .await
        .ok()
        .flatten()
        .unwrap_or_default();
    assert!(exact.starts_with("8.542209745"), "{exact}");
    assert_eq!(
        value(b, &format!("{} input[data-input='reading']", td(l1, cd))).await,
        "0.0873"
    );
    let res = s
        .api
        .get(format!("{}/api/v1/batches/{}", s.base, s.batch))
        .bearer_auth(&s.analyst)
        .send()
        .await
        .expect("the API answers");
    let body: Value = res.json().await.expect("JSON");
    let it = item(&body, &s.cd1);
    assert_eq!(it["computed"], true, "{it}");
    assert_eq!(it["inputs"]["mass"], "0.4987", "{it}");
    assert_near(&it["final"], "8.542209745", "0.000000001");
    js(
        b,
        &format!(
            "document.querySelector(\"{} details.formula-inputs\").open = true; return 0;",
            td(l1, cd)
        ),
    )
    .await;
    screenshot(b, "batch-formula.png").await;
    // Nothing changed: nothing sent.
    click(b, "#save-grid").await;
    wait_contains(b, ".flash", "没有修改的结果").await;

    // A reviewer: the batches in the navigation, the batch's results, no forms.
    click(b, "#logout").await;
    wait_for(b, "#username").await;
    sign_in(b, base, "reviewer").await;
    click(b, "nav[aria-label=main] a[href='/batches']").await;
    click(b, &format!("#batches a[href='/batches/{}']", s.batch)).await;
    wait_contains(b, &format!("{} .reported", td(l1, cd)), "8.542").await;
    wait_contains(b, "#grid-readonly", "分析员").await;
    wait_contains(
        b,
        &format!("{} .inputs-shown", td(l1, cd)),
        "reading 0.0873",
    )
    .await;
    for absent in [
        "#save-grid",
        "#grid-form",
        "#import-form",
        "#submit-batch",
        "#add-qc",
        "#result-grid input",
    ] {
        assert!(
            b.find(Locator::Css(absent)).await.is_err(),
            "a reviewer has no {absent}"
        );
    }
    screenshot(b, "batch-reviewer.png").await;
}

/// A browser-like client: cookies kept, redirects not followed.
fn web_client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The value of the first hidden `_csrf` field of a page.
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

/// A signed-in web session of `username` and its CSRF token.
async fn session(app: &TestApp, username: &str, password: &str) -> (reqwest::Client, String) {
    let web = web_client();
    let (_, login) = page(&web, app, "/login").await;
    let (status, _) = post_form(
        &web,
        app,
        "/login",
        &[
            ("username", username.into()),
            ("password", password.into()),
            ("_csrf", csrf_of(&login)),
        ],
    )
    .await;
    assert!(status.is_redirection(), "{username} signed in: {status}");
    let (_, home) = page(&web, app, "/").await;
    let csrf = csrf_of(&home);
    (web, csrf)
}

#[tokio::test]
async fn browser_less_profile_forms_refuse_beside_the_boxes_and_roles_hold() {
    let a = Ana::ready().await;
    a.app
        .user_with_roles(&a.lab.admin, "reviewer", &["reviewer"])
        .await;
    let (web, csrf) = session(&a.app, "analyst", PASSWORD).await;
    let (status, html) = page(&web, &a.app, "/instrument-profiles").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("id=\"new-form\""), "{html}");
    assert!(html.contains("name=\"mapping[sample]\""), "{html}");

    // No name, and "S" / "s" is one file column: both beside their boxes, the typed text kept.
    let (status, html) = post_form(
        &web,
        &a.app,
        "/instrument-profiles",
        &[
            ("_csrf", csrf.clone()),
            ("name", " ".into()),
            ("mapping[sample]", "S".into()),
            ("mapping[analyte]", "s".into()),
            ("mapping[unit]", "".into()),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(html.contains("id=\"new-name-error\""), "{html}");
    assert!(html.contains("id=\"new-mapping-error\""), "{html}");
    assert!(
        html.contains("id=\"new-sample\" name=\"mapping[sample]\" value=\"S\""),
        "{html}"
    );
    // A column Egret does not have (a hand-made post) is named under the boxes.
    let (status, html) = post_form(
        &web,
        &a.app,
        "/instrument-profiles",
        &[
            ("_csrf", csrf.clone()),
            ("name", "AAS".into()),
            ("mapping[nope]", "x".into()),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(
        html.contains("id=\"new-mapping-error\">mapping.nope:"),
        "{html}"
    );
    assert!(html.contains("value=\"AAS\""), "{html}");
    // Without the form's token: refused.
    let (status, _) = post_form(
        &web,
        &a.app,
        "/instrument-profiles",
        &[("_csrf", "forged".into()), ("name", "AAS".into())],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, listed) = a.app.get("/api/v1/instrument-profiles", &a.analyst).await;
    assert_eq!(listed["items"], json!([]), "nothing was created");

    // Created (empty boxes keep Egret's names).
    let (status, _) = post_form(
        &web,
        &a.app,
        "/instrument-profiles",
        &[
            ("_csrf", csrf.clone()),
            ("name", "AAS".into()),
            ("mapping[sample]", " Sample ID ".into()),
            ("mapping[value]", "Conc".into()),
            ("mapping[unit]", "".into()),
        ],
    )
    .await;
    assert!(status.is_redirection(), "created: {status}");
    let (_, listed) = a.app.get("/api/v1/instrument-profiles", &a.analyst).await;
    let p = listed["items"][0].clone();
    assert_eq!(
        p["mapping"],
        json!({"sample": "Sample ID", "value": "Conc"})
    );
    let path = format!("/instrument-profiles/{}", id(&p));
    let (_, html) = page(&web, &a.app, "/instrument-profiles").await;
    assert!(html.contains("sample ← Sample ID, value ← Conc"), "{html}");

    // A file column name too long: beside its box, in that profile's form (opened).
    let long = "x".repeat(101);
    let (status, html) = post_form(
        &web,
        &a.app,
        &path,
        &[
            ("_csrf", csrf.clone()),
            ("version", "1".into()),
            ("mapping[value]", long.clone()),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(html.contains("id=\"p0-value-error\""), "{html}");
    assert!(
        html.contains(&format!("value=\"{long}\"")),
        "typed text kept"
    );
    assert!(
        html.contains(&format!("id=\"edit-{}\" open", id(&p))),
        "{html}"
    );

    // Saved; then the same version again is stale: 409 with the message, typed text kept, and
    // the form now holds the current version, so saving again (having seen it) replaces it.
    let edit = |version: &str, value: &str| {
        vec![
            ("_csrf", csrf.clone()),
            ("version", version.to_string()),
            ("mapping[sample]", "Sample ID".to_string()),
            ("mapping[value]", value.to_string()),
        ]
    };
    let (status, _) = post_form(&web, &a.app, &path, &edit("1", "Result")).await;
    assert!(status.is_redirection(), "saved: {status}");
    let (status, html) = post_form(&web, &a.app, &path, &edit("1", "Reading")).await;
    assert_eq!(status, StatusCode::CONFLICT, "{html}");
    assert!(html.contains("id=\"p0-stale\""), "{html}");
    assert!(html.contains("version 2 now"), "{html}");
    assert!(html.contains("value=\"Reading\""), "typed text kept");
    assert!(html.contains("name=\"version\" value=\"2\""), "{html}");
    assert!(
        html.contains("value ← Result"),
        "the list shows the current columns"
    );
    let (status, _) = post_form(&web, &a.app, &path, &edit("2", "Reading")).await;
    assert!(status.is_redirection(), "saved over: {status}");
    let (_, listed) = a.app.get("/api/v1/instrument-profiles", &a.analyst).await;
    assert_eq!(listed["items"][0]["mapping"]["value"], "Reading");
    assert_eq!(listed["items"][0]["version"], 3);

    // Who sees what: the admin reads (no forms); a reviewer neither sees nor posts.
    let (admin, admin_csrf) = session(&a.app, "admin", crate::support::ADMIN_PASSWORD).await;
    let (status, html) = page(&admin, &a.app, "/instrument-profiles").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("id=\"profiles-readonly\""), "{html}");
    assert!(!html.contains("id=\"new-form\""), "{html}");
    assert!(
        html.contains("href=\"/batches\""),
        "the admin has the batches: {html}"
    );
    let (status, _) = post_form(
        &admin,
        &a.app,
        "/instrument-profiles",
        &[("_csrf", admin_csrf), ("name", "X".into())],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (reviewer, _) = session(&a.app, "reviewer", PASSWORD).await;
    let (status, _) = page(&reviewer, &a.app, "/instrument-profiles").await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // A reviewer reads an open batch: the grid without its forms.
    let samples = a.soil(1, &[&a.cd]).await;
    let batch = a.batch(&[analysis_of(&samples[0], &a.cd)]).await;
    let (status, html) = page(&reviewer, &a.app, "/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("href=\"/batches\""), "{html}");
    let (status, html) = page(&reviewer, &a.app, &format!("/batches/{}", id(&batch))).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("id=\"result-grid\""), "{html}");
    for absent in [
        "grid-form",
        "save-grid",
        "import-form",
        "submit-form",
        "qc-add",
    ] {
        assert!(
            !html.contains(&format!("id=\"{absent}\"")),
            "{absent}: {html}"
        );
    }
    assert!(!html.contains("manage-profiles"), "{html}");
}
