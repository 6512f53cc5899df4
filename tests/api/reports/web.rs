//! The report pages over plain HTTP (no browser): the public verification page and its JSON twin,
//! the PDF upload (HTML, or JSON when `Accept` prefers it), a refused issue form (the wrong password
//! beside the password box, nothing changed), separation of duties shown on the page, and the
//! downloads of a client's web session scoped to its own client.
use super::*;
use crate::intake::{id, new_client, new_project};

/// A browser-like client: cookies kept, redirects not followed.
fn web_client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a web client")
}

/// The value of the first hidden `_csrf` field of a page.
fn csrf_of(html: &str) -> String {
    let at = html.find("name=\"_csrf\" value=\"").expect("a CSRF field") + 20;
    html[at..].split('"').next().unwrap_or_default().to_string()
}

/// A page as a browser asks for it: status and HTML.
async fn page(web: &reqwest::Client, app: &TestApp, path: &str) -> (StatusCode, String) {
    let r = web
        .get(app.url(path))
        .header("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
        .send()
        .await
        .expect("answered");
    (r.status(), r.text().await.unwrap_or_default())
}

async fn post_form(
    web: &reqwest::Client,
    app: &TestApp,
    path: &str,
    form: &[(&str, String)],
) -> (StatusCode, String) {
    let r = web
        .post(app.url(path))
        .form(form)
        .send()
        .await
        .expect("answered");
    (r.status(), r.text().await.unwrap_or_default())
}

/// A signed-in web session of `username` and its CSRF token.
async fn session(app: &TestApp, username: &str) -> (reqwest::Client, String) {
    let web = web_client();
    let (_, login) = page(&web, app, "/login").await;
    let (status, _) = post_form(
        &web,
        app,
        "/login",
        &[
            ("username", username.into()),
            ("password", PASSWORD.into()),
            ("_csrf", csrf_of(&login)),
        ],
    )
    .await;
    assert!(status.is_redirection(), "{username} signed in: {status}");
    let (_, html) = page(&web, app, "/work-orders").await;
    let csrf = csrf_of(&html);
    (web, csrf)
}

/// A multipart body with `_csrf` (when given) and the file field `file`.
fn multipart(csrf: Option<&str>, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "egret-test-boundary-7d3f";
    let mut body = Vec::new();
    if let Some(token) = csrf {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{token}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"report.pdf\"\r\nContent-Type: application/pdf\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn upload(
    web: &reqwest::Client,
    app: &TestApp,
    accept: &str,
    csrf: Option<&str>,
    bytes: &[u8],
) -> (StatusCode, String, String) {
    let (content_type, body) = multipart(csrf, bytes);
    let r = web
        .post(app.url("/verify"))
        .header("Content-Type", content_type)
        .header("Accept", accept)
        .body(body)
        .send()
        .await
        .expect("answered");
    let status = r.status();
    let ct = r
        .headers()
        .get("Content-Type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (status, ct, r.text().await.unwrap_or_default())
}

const BROWSER: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

#[tokio::test]
async fn the_public_pages_verify_by_code_and_by_uploaded_pdf() {
    let r = Rep::new().await;
    let (wo, _) = r.approved_order(&["0.123"], 1).await;
    let issued = r.issue(&r.draft(&wo).await).await;
    let number = issued["number"].as_str().expect("number").to_string();
    let code = issued["verification_code"]
        .as_str()
        .expect("code")
        .to_string();
    let pdf = r.pdf(&issued, &r.lab.admin).await;

    // The QR code's URL: HTML for a browser, JSON for an API client — no sign-in either way.
    let web = web_client();
    let (status, html) = page(&web, &r.app, &format!("/verify/{number}?code={code}")).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("data-authentic=\"true\""), "{html}");
    assert!(
        html.contains("真实有效") && html.contains("Authentic"),
        "{html}"
    );
    assert!(
        html.contains(&number) && html.contains(&pdf.sha256()),
        "{html}"
    );
    assert!(
        !html.contains("id=\"logout\""),
        "a public page needs no session"
    );
    let json = r.verify_code(&number, &code).await;
    assert_eq!(json["authentic"], true, "{json}");
    // A wrong code says "not authentic" and nothing else.
    let (status, html) = page(&web, &r.app, &format!("/verify/{number}?code=WRONGCODE")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("data-authentic=\"false\""), "{html}");
    assert!(html.contains("不是本中心签发的有效报告"), "{html}");
    assert!(
        !html.contains(&number),
        "a wrong code reveals nothing: {html}"
    );
    // A typed number and code go to the QR code's page.
    let res = web
        .get(r.app.url(&format!("/verify?number={number}&code={code}")))
        .send()
        .await
        .expect("answered");
    assert!(res.status().is_redirection());
    let to = res.headers().get("Location").and_then(|v| v.to_str().ok());
    assert_eq!(to, Some(format!("/verify/{number}?code={code}").as_str()));

    // The upload form: the right PDF is authentic, shown as a page (with the form's CSRF token).
    let (status, form) = page(&web, &r.app, "/verify").await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("enctype=\"multipart/form-data\""), "{form}");
    let token = csrf_of(&form);
    let (status, ct, html) = upload(&web, &r.app, BROWSER, Some(&token), &pdf.bytes).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(ct.starts_with("text/html"), "{ct}");
    assert!(html.contains("data-authentic=\"true\""), "{html}");
    assert!(html.contains(&number), "{html}");
    // One byte changed: not authentic.
    let mut changed = pdf.bytes.clone();
    let last = changed.len() - 1;
    changed[last] ^= 1;
    let (status, _, html) = upload(&web, &r.app, BROWSER, Some(&token), &changed).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("data-authentic=\"false\""), "{html}");
    assert!(!html.contains(&number), "{html}");
    // No file: the error beside the file box.
    let (status, _, html) = upload(&web, &r.app, BROWSER, Some(&token), b"").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(html.contains("id=\"file-error\""), "{html}");
    // A form without the session's token is not answered as a page.
    let (status, _, html) =
        upload(&web_client(), &r.app, BROWSER, Some("forged"), &pdf.bytes).await;
    assert_ne!(status, StatusCode::OK, "{html}");
    assert!(!html.contains(&number), "{html}");

    // JSON when Accept prefers it (an integration: no session, no token), as the API's shape.
    let (status, ct, body) =
        upload(&web_client(), &r.app, "application/json", None, &pdf.bytes).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(ct.starts_with("application/json"), "{ct}");
    let v: Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(v["authentic"], true, "{v}");
    assert_eq!(v["number"], json!(number));
    assert_eq!(v["status"], "issued");
    assert_eq!(v["sha256"], json!(pdf.sha256()));
    let raw = r.verify_bytes(pdf.bytes.clone()).await;
    assert_eq!(raw.body, v, "the multipart and raw answers agree");
    let (_, _, body) = upload(&web_client(), &r.app, "application/json", None, &changed).await;
    assert_eq!(
        serde_json::from_str::<Value>(&body).ok(),
        Some(json!({"authentic": false}))
    );
    let (status, ct, _) = upload(&web_client(), &r.app, "application/json", None, b"").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(ct.starts_with("application/problem+json"), "{ct}");
}

#[tokio::test]
async fn a_refused_issue_form_shows_why_beside_the_box_and_changes_nothing() {
    let r = Rep::new().await;
    let (wo, _) = r.approved_order(&["0.123"], 1).await;
    let d = r.draft(&wo).await;
    let report = format!("/reports/{}", id(&d));

    // The signatory types a wrong password: 401, the error beside the password box.
    let (web, csrf) = session(&r.app, "signatory").await;
    let (status, html) = page(&web, &r.app, &report).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("id=\"issue-form\""), "{html}");
    let (status, html) = post_form(
        &web,
        &r.app,
        &format!("{report}/issue"),
        &[
            ("_csrf", csrf.clone()),
            ("password", "not-the-password".into()),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{html}");
    let field = html
        .split("<div class=\"field sign-field\">")
        .find(|f| f.contains("id=\"issue-password\""))
        .expect("the password field");
    assert!(field.contains("aria-invalid=\"true\""), "{field}");
    assert!(field.contains("id=\"issue-password-error\""), "{field}");
    assert!(field.contains("密码错误"), "{field}");
    assert!(
        !html.contains("not-the-password"),
        "a password is never sent back"
    );
    let (_, now) = r
        .app
        .get(&format!("/api/v1/reports/{}", id(&d)), &r.lab.admin)
        .await;
    assert_eq!(now["status"], "draft", "{now}");
    assert_eq!(now["number"], Value::Null, "{now}");
    // A form without the session's token is refused.
    let (status, _) = post_form(
        &web,
        &r.app,
        &format!("{report}/issue"),
        &[("_csrf", "forged".into()), ("password", PASSWORD.into())],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Whoever prepared a draft sees the issue button disabled, with the reason.
    r.person("anasig", "钱双岗", &["analyst", "signatory"])
        .await;
    let (web2, csrf2) = session(&r.app, "anasig").await;
    let (status, html) = page(&web2, &r.app, &format!("/work-orders/{}", id(&wo))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("id=\"prepare-form\""), "{html}");
    let res = web2
        .post(r.app.url(&format!("/work-orders/{}/reports", id(&wo))))
        .form(&[("_csrf", csrf2.clone()), ("password", PASSWORD.into())])
        .send()
        .await
        .expect("answered");
    assert!(res.status().is_redirection(), "{}", res.status());
    let own = res
        .headers()
        .get("Location")
        .and_then(|v| v.to_str().ok())
        .expect("to the draft")
        .to_string();
    let (_, html) = page(&web2, &r.app, &own).await;
    assert!(html.contains("id=\"issue-button\" disabled"), "{html}");
    assert!(html.contains("职责分离"), "{html}");

    // The other signatory issues it; the page then offers the amendment, and the draft's list shows it.
    let (status, html) = post_form(
        &web,
        &r.app,
        &format!("{report}/issue"),
        &[("_csrf", csrf.clone()), ("password", PASSWORD.into())],
    )
    .await;
    assert!(status.is_redirection(), "{status}: {html}");
    let (_, html) = page(&web, &r.app, &report).await;
    assert!(html.contains("id=\"report-number\""), "{html}");
    assert!(html.contains("id=\"amend-form\""), "{html}");
    // An amendment without a reason is refused beside the reason box; the typed password is not kept.
    let (status, html) = post_form(
        &web,
        &r.app,
        &format!("{report}/amend"),
        &[
            ("_csrf", csrf.clone()),
            ("password", PASSWORD.into()),
            ("reason", " ".into()),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(html.contains("id=\"amend-reason-error\""), "{html}");
}

#[tokio::test]
async fn a_client_session_downloads_its_own_reports_and_results_only() {
    let r = Rep::new().await;
    let (wo, _) = r.approved_order(&["0.123"], 1).await;
    let issued = r.issue(&r.draft(&wo).await).await;
    let c = new_client(&r.app, &r.lab.tech, "GAMMA").await;
    let p = new_project(&r.app, &r.lab.tech, &id(&c), "PG").await;
    let (wo_b, _) = r.approved_order_for(&id(&c), &id(&p), 1).await;
    let other = r.issue(&r.draft(&wo_b).await).await;
    let cid = uuid::Uuid::parse_str(&r.lab.client_id).expect("uuid");
    r.app
        .create_user(&r.lab.admin, "client-web", &["client"], Some(cid))
        .await;
    let (web, _) = session(&r.app, "client-web").await;

    // Home is the portal.
    let res = web.get(r.app.url("/")).send().await.expect("answered");
    assert_eq!(
        res.headers().get("Location").and_then(|v| v.to_str().ok()),
        Some("/portal")
    );
    let (status, html) = page(&web, &r.app, "/portal").await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(
        html.contains(issued["number"].as_str().unwrap_or("?")),
        "{html}"
    );
    assert!(
        !html.contains(other["number"].as_str().unwrap_or("?")),
        "{html}"
    );

    let res = web
        .get(r.app.url(&format!("/reports/{}/report.pdf", id(&issued))))
        .send()
        .await
        .expect("answered");
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers()
            .get("X-Egret-Report-Status")
            .and_then(|v| v.to_str().ok()),
        Some("issued")
    );
    let bytes = res.bytes().await.expect("pdf");
    assert_eq!(
        hex::encode(Sha256::digest(&bytes)),
        issued["sha256"].as_str().unwrap_or_default()
    );
    for (path, want) in [
        (
            format!("/work-orders/{}/results.csv", id(&wo)),
            StatusCode::OK,
        ),
        (
            format!("/work-orders/{}/results.xlsx", id(&wo)),
            StatusCode::OK,
        ),
        (format!("/reports/{}", id(&issued)), StatusCode::OK),
        (
            format!("/reports/{}/report.pdf", id(&other)),
            StatusCode::NOT_FOUND,
        ),
        (format!("/reports/{}", id(&other)), StatusCode::NOT_FOUND),
        (
            format!("/work-orders/{}/results.csv", id(&wo_b)),
            StatusCode::NOT_FOUND,
        ),
        (
            format!("/work-orders/{}/results.xlsx", id(&wo_b)),
            StatusCode::NOT_FOUND,
        ),
    ] {
        let res = web.get(r.app.url(&path)).send().await.expect("answered");
        assert_eq!(res.status(), want, "{path}");
    }
    // Signed out, the downloads send the browser to the sign-in page.
    let res = web_client()
        .get(r.app.url(&format!("/reports/{}/report.pdf", id(&issued))))
        .send()
        .await
        .expect("answered");
    assert!(res.status().is_redirection(), "{}", res.status());
}
