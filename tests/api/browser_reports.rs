//! Test reports in a real browser. Set up over the API ([`Rep`]): a work order of two soil samples
//! whose cadmium results are approved, and a client user of its client. Then in the browser: the
//! analyst opens the work order, signs the "prepare" form with a wrong password (the error beside
//! the box, nothing prepared), then the right one — the draft's page, and the draft listed on the
//! work order; the signatory issues it from the report page; anybody (signed out) opens the
//! verification page from the report's link and sees "authentic", and with a wrong code only "not
//! authentic". The report is then amended and the amendment issued (over the API): the old code's
//! page says "superseded by" the new number. The client user lands on the portal, sees the order
//! with both revisions (the old one marked superseded), the PDF link, and the PDF downloads with
//! that browser session; the old report's page shows the superseded notice. Full-page screenshots
//! (report, verification, portal, work order pages) go to the temp folder as `egret-*.png`.
//! Skipped without Chromium (except in CI).
use crate::browser::{browser_installed, click, drive, find, type_into, wait_for};
use crate::browser_analysis::{js, wait_contains};
use crate::intake::id;
use crate::reports::Rep;
use crate::support::PASSWORD;
use fantoccini::{Client, Locator};
use reqwest::StatusCode;
use sha2::{Digest, Sha256};
use std::path::PathBuf;

/// What the browser steps need to know.
struct Ids {
    work_order: String,
    work_order_number: String,
    labs: Vec<String>,
    /// Plain HTTP to the app (downloads with the browser's cookie, the amendment over the API).
    api: reqwest::Client,
    base: String,
    analyst: String,
    signatory: String,
}

#[tokio::test]
async fn a_report_is_prepared_issued_verified_and_downloaded_in_the_browser() {
    if !browser_installed() {
        return;
    }
    let r = Rep::new().await;
    let (wo, samples) = r.approved_order(&["0.123", "0.004"], 2).await;
    let cid = uuid::Uuid::parse_str(&r.lab.client_id).expect("uuid");
    r.app
        .create_user(&r.lab.admin, "client-a", &["client"], Some(cid))
        .await;
    let ids = Ids {
        work_order: id(&wo),
        work_order_number: wo["number"].as_str().expect("number").to_string(),
        labs: samples.iter().map(crate::analysis::lab_id).collect(),
        api: r.app.client.clone(),
        base: r.app.base.clone(),
        analyst: r.analyst.token.clone(),
        signatory: r.signatory.token.clone(),
    };
    drive(r.app.base.clone(), |b, base| async move {
        steps(&b, &base, &ids).await
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

async fn sign_out(b: &Client) {
    click(b, "#logout").await;
    wait_for(b, "form[action='/login']").await;
}

/// A Chrome DevTools command through chromedriver (`goog/cdp/execute`).
#[derive(Debug)]
struct Cdp(serde_json::Value);

impl fantoccini::wd::WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base: &reqwest::Url,
        session: Option<&str>,
    ) -> Result<reqwest::Url, <reqwest::Url as std::str::FromStr>::Err> {
        base.join(&format!(
            "session/{}/goog/cdp/execute",
            session.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &reqwest::Url) -> (reqwest::Method, Option<String>) {
        (reqwest::Method::POST, Some(self.0.to_string()))
    }
}

/// A full-page PNG in the temp folder (`egret-<name>`); returns its path. The whole page, not
/// just the window, through DevTools' `captureBeyondViewport`.
async fn shot(b: &Client, name: &str) -> PathBuf {
    use base64::Engine;
    let size = js(
        b,
        "return [document.documentElement.scrollWidth, \
         Math.max(document.body.scrollHeight, document.documentElement.scrollHeight)];",
    )
    .await;
    let (w, h) = (
        size[0].as_u64().unwrap_or(1400),
        size[1].as_u64().unwrap_or(900).min(12_000),
    );
    let cmd = Cdp(
        serde_json::json!({"cmd": "Page.captureScreenshot", "params": {
        "format": "png", "captureBeyondViewport": true,
        "clip": {"x": 0, "y": 0, "width": w, "height": h, "scale": 1}}}),
    );
    let png = match b.issue_cmd(cmd).await {
        Ok(v) => base64::engine::general_purpose::STANDARD
            .decode(v["data"].as_str().unwrap_or_default())
            .expect("a base64 PNG"),
        Err(_) => b.screenshot().await.expect("a screenshot"),
    };
    let path = std::env::temp_dir().join(format!("egret-{name}"));
    std::fs::write(&path, png).expect("screenshot written");
    path
}

async fn href(b: &Client, css: &str) -> String {
    find(b, css)
        .await
        .attr("href")
        .await
        .ok()
        .flatten()
        .unwrap_or_default()
}

async fn text(b: &Client, css: &str) -> String {
    find(b, css).await.text().await.unwrap_or_default()
}

async fn steps(b: &Client, base: &str, ids: &Ids) {
    let wo_url = format!("{base}/work-orders/{}", ids.work_order);

    // The analyst: no report yet; a wrong password is refused beside the box, nothing prepared.
    sign_in(b, base, "analyst").await;
    b.goto(&wo_url).await.expect("the work order page");
    wait_contains(b, "#reports", "尚无检测报告").await;
    wait_contains(b, "#prepare", "全部样品已完成").await;
    type_into(b, "#prepare-password", "not-my-password").await;
    click(b, "#prepare-button").await;
    let error = wait_contains(b, "#prepare-password-error", "密码错误").await;
    assert!(error.contains("未签名"), "{error}");
    let beside = js(
        b,
        "return document.getElementById('prepare-password-error').parentElement \
         === document.getElementById('prepare-password').parentElement;",
    )
    .await;
    assert_eq!(
        beside,
        serde_json::json!(true),
        "the error is beside the box"
    );
    assert!(
        b.find(Locator::Css("#wo-reports")).await.is_err(),
        "nothing prepared"
    );
    shot(b, "work-order-refused.png").await;

    // The right password: the draft's page, a watermarked preview, no issue form for an analyst.
    type_into(b, "#prepare-password", PASSWORD).await;
    click(b, "#prepare-button").await;
    wait_contains(b, ".flash", "已编制报告草稿").await;
    wait_contains(b, "#report-status", "草稿").await;
    let samples = text(b, "#report-samples").await;
    for lab in &ids.labs {
        assert!(samples.contains(lab.as_str()), "{samples}");
    }
    assert!(text(b, "#report-pdf").await.contains("草稿水印"));
    wait_contains(b, "#issue-waiting", "等待授权签字人签发").await;
    assert!(b.find(Locator::Css("#issue-form")).await.is_err());
    let path = b.current_url().await.expect("url").path().to_string();
    let report_id = path.rsplit('/').next().unwrap_or_default().to_string();
    let report_url = format!("{base}/reports/{report_id}");
    shot(b, "report-draft.png").await;
    b.goto(&wo_url).await.expect("the work order page");
    let row = wait_contains(b, "#wo-reports tr[data-status=draft]", "草稿").await;
    assert!(row.contains("预览 PDF"), "{row}");
    sign_out(b).await;

    // The signatory issues it from the report page.
    sign_in(b, base, "signatory").await;
    b.goto(&report_url).await.expect("the report page");
    wait_contains(b, "#issuer-name", "赵批准").await;
    type_into(b, "#issue-password", PASSWORD).await;
    click(b, "#issue-button").await;
    wait_contains(b, ".flash", "已签发").await;
    wait_contains(b, "#report-status", "已签发").await;
    let number = text(b, "#report-number").await;
    assert!(number.starts_with("EGR-"), "{number}");
    let code = text(b, "#report-code").await;
    let sha = text(b, "#report-sha256").await;
    assert_eq!(sha.len(), 64, "{sha}");
    let verify = href(b, "#report-verify").await;
    assert_eq!(verify, format!("/verify/{number}?code={code}"));
    assert!(text(b, "#sig-issued").await.contains("赵批准"));
    assert!(text(b, "#sig-prepared").await.contains("analyst"));
    let page = shot(b, "report-issued.png").await;
    println!("report page: {}", page.display());
    b.goto(&wo_url).await.expect("the work order page");
    let row = wait_contains(b, "#wo-reports tr[data-status=issued]", &number).await;
    assert!(row.contains("现行有效"), "{row}");
    shot(b, "work-order-issued.png").await;
    sign_out(b).await;

    // Anybody: the verification page from the report's link says authentic; a wrong code, only not.
    b.goto(&format!("{base}{verify}"))
        .await
        .expect("verify page");
    let verdict = wait_contains(b, "#verdict", "真实有效").await;
    assert!(verdict.contains("Authentic"), "{verdict}");
    assert_eq!(text(b, "#verify-number").await, number);
    assert_eq!(text(b, "#verify-sha256").await, sha);
    assert!(text(b, "#verify-status").await.contains("现行有效"));
    let page = shot(b, "verify-authentic.png").await;
    println!("verify page: {}", page.display());
    b.goto(&format!("{base}/verify/{number}?code=WRONG{code}"))
        .await
        .expect("verify page");
    let verdict = wait_contains(b, "#verdict", "不是本中心签发的有效报告").await;
    assert!(verdict.contains("Not authentic"), "{verdict}");
    let main = text(b, "main").await;
    assert!(!main.contains(&number), "{main}");
    shot(b, "verify-not-authentic.png").await;

    // An amendment, issued (over the API): the old code's page says which number replaced it.
    let amendment = api_post(
        ids,
        &ids.analyst,
        &format!("/api/v1/reports/{report_id}/amend"),
        serde_json::json!({"password": PASSWORD, "reason": "更正采样点位坐标"}),
    )
    .await;
    let new_id = amendment["id"].as_str().expect("id").to_string();
    let issued = api_post(
        ids,
        &ids.signatory,
        &format!("/api/v1/reports/{new_id}/issue"),
        serde_json::json!({"password": PASSWORD}),
    )
    .await;
    let number2 = issued["number"].as_str().expect("number").to_string();
    assert_eq!(number2, format!("{number}-R1"));
    b.goto(&format!("{base}{verify}"))
        .await
        .expect("verify page");
    let status = wait_contains(b, "#verify-status", "已被替代").await;
    assert!(status.contains(&number2), "{status}");
    shot(b, "verify-superseded.png").await;

    // The client user lands on the portal: the order, its progress and both revisions.
    sign_in(b, base, "client-a").await;
    let url = b.current_url().await.expect("url");
    assert_eq!(url.path(), "/portal");
    let card = format!(
        "#portal-orders section[data-number='{}']",
        ids.work_order_number
    );
    let line = wait_contains(b, &card, &number2).await;
    assert!(line.contains("现行有效"), "{line}");
    assert!(line.contains("已出报告"), "{line}");
    let old = text(b, &format!("{card} tr[data-number='{number}']")).await;
    assert!(old.contains(&format!("已被 {number2} 替代")), "{old}");
    assert_eq!(
        js(
            b,
            &format!("return document.querySelector(\"{card}\").dataset.stage;")
        )
        .await,
        serde_json::json!("reported")
    );
    let pdf = href(b, &format!("{card} tr[data-number='{number}'] a.pdf-link")).await;
    assert_eq!(pdf, format!("/reports/{report_id}/report.pdf"));
    assert!(!href(b, &format!("{card} a.results-csv")).await.is_empty());
    let nav = text(b, "nav[aria-label=main]").await;
    assert!(nav.contains("委托与报告"), "{nav}");
    let page = shot(b, "portal.png").await;
    println!("portal page: {}", page.display());

    // The old PDF over HTTP with this browser's session cookie: the bytes issued, marked superseded.
    let cookie = b
        .get_named_cookie("egret_session")
        .await
        .expect("the session cookie");
    let res = ids
        .api
        .get(format!("{}{pdf}", ids.base))
        .header("Cookie", format!("egret_session={}", cookie.value()))
        .send()
        .await
        .expect("answered");
    assert_eq!(res.status(), StatusCode::OK);
    let header = |name: &str| {
        res.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(String::from)
    };
    assert_eq!(header("Content-Type").as_deref(), Some("application/pdf"));
    assert_eq!(
        header("X-Egret-Report-Status").as_deref(),
        Some("superseded")
    );
    let bytes = res.bytes().await.expect("pdf");
    assert_eq!(hex::encode(Sha256::digest(&bytes)), sha);

    // The old report's page (the client may read it): the notice names the amendment.
    click(
        b,
        &format!("{card} tr[data-number='{number}'] a.report-link"),
    )
    .await;
    let notice = wait_contains(b, "#superseded-notice", &number2).await;
    assert!(notice.contains("已被替代"), "{notice}");
    assert!(
        b.find(Locator::Css("#amend-form")).await.is_err(),
        "no forms for a client"
    );
    shot(b, "report-superseded.png").await;

    // English for the client.
    b.goto(&format!("{base}/portal")).await.expect("portal");
    click(b, "#lang-switch").await;
    let line = wait_contains(b, &card, "superseded by").await;
    assert!(line.contains("current"), "{line}");
    shot(b, "portal-en.png").await;
}

/// `POST path` with `body` as `token` over the API; must succeed.
async fn api_post(
    ids: &Ids,
    token: &str,
    path: &str,
    body: serde_json::Value,
) -> serde_json::Value {
    let res = ids
        .api
        .post(format!("{}{path}", ids.base))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .expect("answered");
    let status = res.status();
    let v: serde_json::Value = res.json().await.unwrap_or_default();
    assert!(status.is_success(), "{path}: {status} {v}");
    v
}
