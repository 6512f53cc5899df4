//! Review and sign-off in a real browser. Set up over the API: the soil cadmium/lead method's MDL
//! and reporting precision (`PATCH /method-analytes`, as [`Ana::ready`]), two soil samples
//! registered and received, and a batch of their cadmium and lead made, entered and submitted by a
//! user who is analyst *and* reviewer. Then in the browser: that user finds the batch in the review
//! queue with the reason beside it, and on the batch page the verify button disabled with the
//! reason (separation of duties); a separate reviewer opens the queue, the batch, signs with a wrong
//! password (the error beside the password box, nothing signed), then the right one — verified, the
//! signature listed; the signatory sends the batch back with one result questioned (an empty reason
//! first refused beside its box); the analyst sees the banner and the "questioned" badge on the
//! cell, changes the value and submits again; the reviewer opens it again but a second reviewer
//! verifies first (over the API), so the reviewer's signature is refused with the conflict shown;
//! the signatory approves. The sample page then shows the sample completed and its history (verify
//! and approve entries), and the analysis's history page its attempt with who signed; a retest of
//! approved data (a reason needed) reopens the sample and adds an attempt; the batch in English.
//! Skipped without Chromium (except in CI).
use crate::analysis::{analysis_of, lab_id, Ana};
use crate::browser::{browser_installed, click, drive, find, screenshot, type_into, wait_for};
use crate::browser_analysis::{js, wait_contains};
use crate::intake::id;
use crate::support::PASSWORD;
use fantoccini::Client;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// What the browser steps need to know.
struct Ids {
    batch: String,
    number: String,
    samples: Vec<String>,
    labs: Vec<String>,
    /// Cadmium analyses of the two samples.
    cd: Vec<String>,
    /// Lead analyses of the two samples.
    pb: Vec<String>,
    /// A second reviewer's API session (someone faster than the reviewer in the browser).
    http: reqwest::Client,
    api: String,
    reviewer2: String,
}

/// Creates a user with a printed name (password [`PASSWORD`]) and returns a token for them.
async fn person(a: &Ana, username: &str, display: &str, roles: &[&str]) -> String {
    let (status, user) = a
        .app
        .post(
            "/api/v1/users",
            &a.lab.admin,
            json!({"username": username, "display_name": display, "password": PASSWORD, "roles": roles}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "create {username}: {user}");
    a.app.login(username, PASSWORD).await
}

/// `method path` with `body` as `token`; must succeed.
async fn call(a: &Ana, token: &str, method: Method, path: &str, body: Value) -> Value {
    let r = a.app.answer(method, path, Some(token), Some(&body)).await;
    assert!(r.status.is_success(), "{path}: {r:?}");
    r.body
}

#[tokio::test]
async fn reviewer_and_signatory_sign_off_a_batch_in_the_browser() {
    if !browser_installed() {
        return;
    }
    let a = Ana::ready().await;
    let anarev = person(&a, "anarev", "李分析", &["analyst", "reviewer"]).await;
    person(&a, "reviewer", "王审核", &["reviewer"]).await;
    let reviewer2 = person(&a, "reviewer2", "孙复核", &["reviewer"]).await;
    person(&a, "signatory", "赵批准", &["signatory"]).await;
    let samples = a.soil(2, &[&a.cd, &a.pb]).await;
    let cd: Vec<String> = samples.iter().map(|s| analysis_of(s, &a.cd)).collect();
    let pb: Vec<String> = samples.iter().map(|s| analysis_of(s, &a.pb)).collect();
    let all: Vec<String> = cd.iter().chain(pb.iter()).cloned().collect();
    // The analyst-reviewer batches, enters and submits.
    let b = call(
        &a,
        &anarev,
        Method::POST,
        "/api/v1/batches",
        json!({"method_id": a.method, "analysis_ids": all}),
    )
    .await;
    let batch = id(&b);
    let rows = json!([
        {"analysis_id": cd[0], "value": "0.250"},
        {"analysis_id": cd[1], "value": "0.310"},
        {"analysis_id": pb[0], "value": "35.6"},
        {"analysis_id": pb[1], "value": "40.2"},
    ]);
    call(
        &a,
        &anarev,
        Method::PUT,
        &format!("/api/v1/batches/{batch}/results"),
        rows,
    )
    .await;
    let submitted = call(
        &a,
        &anarev,
        Method::POST,
        &format!("/api/v1/batches/{batch}/submit"),
        json!({}),
    )
    .await;
    assert_eq!(submitted["status"], "submitted", "{submitted}");
    let ids = Ids {
        batch,
        number: b["number"].as_str().expect("number").to_string(),
        samples: samples.iter().map(id).collect(),
        labs: samples.iter().map(lab_id).collect(),
        cd,
        pb,
        http: a.app.client.clone(),
        api: a.app.base.clone(),
        reviewer2,
    };
    drive(a.app.base.clone(), |b, base| async move {
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

/// Whether the element `css` is disabled.
async fn disabled(b: &Client, css: &str) -> bool {
    js(
        b,
        &format!("return document.querySelector(\"{css}\").disabled;"),
    )
    .await
        == json!(true)
}

/// Signs the batch page's sign-off form with `password` (and a note).
async fn sign(b: &Client, password: &str, note: &str) {
    type_into(b, "#sign-password", password).await;
    if !note.is_empty() {
        type_into(b, "#sign-note", note).await;
    }
    click(b, "#sign-button").await;
}

async fn steps(b: &Client, base: &str, ids: &Ids) {
    let batch_url = format!("{base}/batches/{}", ids.batch);
    let row = format!("#review-queue tr[data-number='{}']", ids.number);

    // The analyst-reviewer: the batch is in the queue, with the reason beside it instead of a link;
    // on the batch page the verify button is disabled with the reason.
    sign_in(b, base, "anarev").await;
    click(b, "nav[aria-label=main] a[href='/review']").await;
    let line = wait_contains(b, &row, "待审核").await;
    assert!(line.contains("须由他人审核"), "{line}");
    assert!(
        b.find(fantoccini::Locator::Css(&format!("{row} a.sign-link")))
            .await
            .is_err(),
        "no sign link for whoever entered the results"
    );
    b.goto(&batch_url).await.expect("the batch page");
    wait_contains(b, "#signoff", "审核（电子签名）").await;
    assert!(disabled(b, "#sign-button").await, "the button is disabled");
    assert!(disabled(b, "#sign-password").await);
    let why = wait_contains(b, "#sign-why", "您录入或修改过本批次的结果").await;
    assert!(why.contains("须由他人审核"), "{why}");
    wait_contains(b, "#signer-name", "李分析").await;
    screenshot(b, "review-signoff-disabled.png").await;
    sign_out(b).await;

    // The reviewer: home panel, queue, batch; a wrong password is refused beside the box.
    sign_in(b, base, "reviewer").await;
    let home = wait_contains(b, "main", "审核与批准").await;
    assert!(home.contains(&ids.number), "{home}");
    screenshot(b, "review-home.png").await;
    click(b, "nav[aria-label=main] a[href='/review']").await;
    wait_contains(b, &row, "待审核").await;
    wait_contains(b, &row, "李分析").await;
    screenshot(b, "review-queue.png").await;
    click(b, &format!("{row} a.sign-link")).await;
    wait_contains(b, "#signer-name", "王审核").await;
    assert!(!disabled(b, "#sign-button").await, "the button is enabled");
    screenshot(b, "review-signoff.png").await;
    sign(b, "not-my-password", "").await;
    let error = wait_contains(b, "#sign-password-error", "密码错误").await;
    assert!(error.contains("未签名"), "{error}");
    let beside = js(
        b,
        "return document.getElementById('sign-password-error').parentElement \
         === document.getElementById('sign-password').parentElement;",
    )
    .await;
    assert_eq!(beside, json!(true), "the error is beside the password box");
    wait_contains(b, "#batch-status", "已提交").await;
    assert_eq!(
        find(b, "#sign-password")
            .await
            .prop("value")
            .await
            .ok()
            .flatten()
            .unwrap_or_default(),
        "",
        "a password is never sent back"
    );
    screenshot(b, "review-signoff-wrong-password.png").await;
    sign(b, PASSWORD, "复核无误").await;
    wait_contains(b, ".flash", "已审核").await;
    wait_contains(b, "#batch-status", "已审核").await;
    let sigs = wait_contains(b, "#signature-list", "王审核").await;
    assert!(sigs.contains("审核") && sigs.contains("复核无误"), "{sigs}");
    let hash_title = js(
        b,
        "return document.querySelector('#signature-list .hash').title;",
    )
    .await;
    let hash_title = hash_title.as_str().unwrap_or_default().to_string();
    assert_eq!(hash_title.len(), "SHA-256 ".len() + 64, "{hash_title}");
    sign_out(b).await;

    // The signatory sends the batch back with one result questioned; an empty reason first.
    sign_in(b, base, "signatory").await;
    click(b, "nav[aria-label=main] a[href='/review']").await;
    wait_contains(b, &row, "待批准").await;
    click(b, &format!("{row} a.sign-link")).await;
    wait_contains(b, "#signoff", "批准（电子签名）").await;
    click(b, &format!("#q-{}", ids.cd[0])).await;
    click(b, "#send-back").await;
    wait_contains(b, "#sendback-reason-error", "required").await;
    let kept = find(b, &format!("#q-{}", ids.cd[0]))
        .await
        .prop("checked")
        .await
        .ok()
        .flatten();
    assert_eq!(kept.as_deref(), Some("true"), "the tick is kept");
    type_into(
        b,
        "#sendback-reason",
        "镉结果偏高，请核对稀释倍数后重新测定",
    )
    .await;
    click(b, "#send-back").await;
    wait_contains(b, ".flash", "已退回").await;
    wait_contains(b, "#batch-status", "进行中").await;
    sign_out(b).await;

    // The analyst: the banner, the questioned cell marked with a word; corrected and resubmitted.
    sign_in(b, base, "anarev").await;
    b.goto(&batch_url).await.expect("the batch page");
    let banner = wait_contains(b, "#sendback-banner", "镉结果偏高").await;
    assert!(banner.contains("赵批准"), "who sent it back: {banner}");
    let box_ = format!("input[name='v[a_{}]']", ids.cd[0]);
    let marked = js(
        b,
        &format!(
            "const td = document.querySelector(\"{box_}\").closest('td'); \
             return [td.classList.contains('questioned'), td.textContent.includes('被质疑')];"
        ),
    )
    .await;
    assert_eq!(marked, json!([true, true]), "the questioned cell is marked");
    let others = js(
        b,
        "return document.querySelectorAll('#result-grid td.questioned').length;",
    )
    .await;
    assert_eq!(others, json!(1), "only the questioned result is marked");
    screenshot(b, "review-sent-back.png").await;
    type_into(b, &box_, "0.205").await;
    click(b, "#save-grid").await;
    wait_contains(b, ".flash", "已保存 1 个结果").await;
    click(b, "#submit-batch").await;
    wait_contains(b, ".flash", "已提交审核").await;
    wait_contains(b, "#batch-status", "已提交").await;
    assert!(
        b.find(fantoccini::Locator::Css("#sendback-banner"))
            .await
            .is_err(),
        "the banner goes once submitted again"
    );
    sign_out(b).await;

    // The reviewer opens the batch again, but a second reviewer verifies it first (over the API):
    // the reviewer's signature is refused with what happened.
    sign_in(b, base, "reviewer").await;
    b.goto(&batch_url).await.expect("the batch page");
    wait_contains(b, "#signer-name", "王审核").await;
    let faster = ids
        .http
        .post(format!("{}/api/v1/batches/{}/verify", ids.api, ids.batch))
        .bearer_auth(&ids.reviewer2)
        .json(&json!({"password": PASSWORD}))
        .send()
        .await
        .expect("the API answers");
    assert_eq!(
        faster.status(),
        StatusCode::OK,
        "the second reviewer verifies"
    );
    sign(b, PASSWORD, "").await;
    let conflict = wait_contains(b, "#signoff-error", "已被他人处理").await;
    assert!(conflict.contains("verified"), "what happened: {conflict}");
    wait_contains(b, "#batch-status", "已审核").await;
    screenshot(b, "review-signoff-conflict.png").await;
    sign_out(b).await;
    sign_in(b, base, "signatory").await;
    b.goto(&batch_url).await.expect("the batch page");
    wait_contains(b, "#signer-name", "赵批准").await;
    sign(b, PASSWORD, "同意发布").await;
    wait_contains(b, ".flash", "已批准").await;
    wait_contains(b, "#batch-status", "已批准").await;
    let sigs = wait_contains(b, "#signature-list", "赵批准").await;
    assert!(sigs.contains("批准") && sigs.contains("同意发布"), "{sigs}");
    let meanings = js(
        b,
        "return Array.from(document.querySelectorAll('#signature-list tbody tr td:first-child .badge')).map(t => t.textContent.trim());",
    )
    .await;
    assert_eq!(
        meanings,
        json!(["审核", "审核", "批准"]),
        "both rounds kept"
    );
    screenshot(b, "review-approved.png").await;

    // The sample: completed, and its history from registration to approval.
    b.goto(&format!("{base}/samples/{}", ids.samples[0]))
        .await
        .expect("the sample page");
    wait_contains(b, "#sample-status", "已完成").await;
    // Approved results show with the sample, as reported.
    let analyses = wait_contains(b, "#analyses", "35.6").await;
    assert!(analyses.contains("0.205"), "{analyses}");
    let life = wait_contains(b, "#life", "批准").await;
    for phrase in [
        "登记",
        "接收",
        "建批",
        "提交审核",
        "审核通过",
        "退回",
        "检测完成",
    ] {
        assert!(life.contains(phrase), "{phrase} in the history: {life}");
    }
    assert!(life.contains("王审核") && life.contains("赵批准"), "{life}");
    assert!(
        life.contains("镉结果偏高"),
        "the send-back's reason: {life}"
    );
    let actions = js(
        b,
        "return Array.from(document.querySelectorAll('#life tbody tr')).map(r => r.dataset.action);",
    )
    .await;
    let actions: Vec<String> = actions
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect();
    let pos = |a: &str| {
        actions
            .iter()
            .position(|x| x == a)
            .unwrap_or_else(|| panic!("{a} in {actions:?}"))
    };
    assert!(pos("sample.register") < pos("sample.receive"));
    assert!(pos("batch.create") < pos("batch.submit"));
    assert!(pos("batch.send_back") < pos("batch.approve"));
    assert_eq!(
        actions.last().map(String::as_str),
        Some("sample.complete"),
        "{actions:?}"
    );
    screenshot(b, "sample-history.png").await;

    // The analysis's history: its attempt, the batch and who signed.
    click(
        b,
        &format!("a.history-link[href='/analyses/{}/history']", ids.cd[0]),
    )
    .await;
    let attempts = wait_contains(b, "#attempts", &ids.number).await;
    assert!(
        attempts.contains("0.205"),
        "the value as entered: {attempts}"
    );
    assert!(
        attempts.contains("孙复核") && attempts.contains("赵批准"),
        "{attempts}"
    );
    wait_contains(b, "h1", &ids.labs[0]).await;
    screenshot(b, "analysis-history.png").await;

    // A retest of approved data, by the signatory: a reason is needed; then the sample is back in
    // analysis and the history lists both attempts.
    let pb1 = &ids.pb[1];
    b.goto(&batch_url).await.expect("the batch page");
    click(b, &format!("#retest-open-{pb1}")).await;
    click(b, &format!("#retest-{pb1}")).await;
    wait_contains(b, &format!("#rt-{pb1}-error"), "required").await;
    type_into(b, &format!("#rt-{pb1}"), "铅结果与历史数据不符，留样复测").await;
    click(b, &format!("#retest-{pb1}")).await;
    wait_contains(b, ".flash", "第 2 次").await;
    b.goto(&format!("{base}/samples/{}", ids.samples[1]))
        .await
        .expect("the sample page");
    wait_contains(b, "#sample-status", "检测中").await;
    wait_contains(b, "#analyses", "第 2 次").await;
    let life = wait_contains(b, "#life", "安排复测").await;
    assert!(life.contains("留样复测"), "the retest's reason: {life}");
    assert!(life.contains("重新检测"), "the sample reopened: {life}");
    b.goto(&format!("{base}/analyses/{pb1}/history"))
        .await
        .expect("the history page");
    let attempts = wait_contains(b, "#attempts", "待检").await;
    assert!(attempts.contains("已被替代"), "{attempts}");
    let n = js(
        b,
        "return document.querySelectorAll('#attempts tbody tr').length;",
    )
    .await;
    assert_eq!(n, json!(2), "two attempts");
    screenshot(b, "analysis-history-retest.png").await;

    // In English: the batch's signatures and review box.
    b.goto(&batch_url).await.expect("the batch page");
    click(b, "#lang-switch").await;
    wait_contains(b, "#signatures", "Electronic signatures").await;
    wait_contains(b, "#signature-list", "earlier round").await;
    wait_contains(b, "#review", "Retest…").await;
    screenshot(b, "review-batch-en.png").await;
}
