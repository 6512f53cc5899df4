//! The technician's day in a real browser: a client, project and sampling point made through the
//! pages; a work order of two samples typed into the registration table (a future collection time
//! first: refused beside its cell, everything typed kept); the labels PDF; a sample received
//! through the scan box and shown `received` on its page. Skipped without Chromium (except in CI).
use crate::browser::{
    browser_installed, click, drive, find, screenshot, type_into, value, wait_for, WAIT,
};
use crate::support::{TestApp, PASSWORD};
use chrono::{Duration as Span, Utc};
use fantoccini::{Client, Locator};
use std::time::Duration;

#[tokio::test]
async fn technician_registers_and_receives() {
    if !browser_installed() {
        return;
    }
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    app.create_user(&admin, "tech1", &["technician"], None)
        .await;
    let http = app.client.clone();
    drive(app.base.clone(), |b, base| async move {
        steps(&b, &base, &http).await
    })
    .await;
}

/// A time `hours` ago as the lab types it (Asia/Shanghai, the default zone).
fn local_hours_ago(hours: i64) -> String {
    (Utc::now() - Span::hours(hours))
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

async fn select(b: &Client, css: &str, value: &str) {
    wait_for(b, css)
        .await
        .select_by_value(value)
        .await
        .unwrap_or_else(|e| panic!("cannot choose {value} in {css}: {e}"));
}

async fn text(b: &Client, css: &str) -> String {
    wait_for(b, css).await.text().await.unwrap_or_default()
}

/// Waits until the element's text contains `part`.
async fn wait_contains(b: &Client, css: &str, part: &str) -> String {
    let mut last = String::new();
    for _ in 0..(WAIT.as_millis() / 100) {
        if let Ok(e) = b.find(Locator::Css(css)).await {
            if let Ok(t) = e.text().await {
                if t.contains(part) {
                    return t;
                }
                last = t;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{css} should contain {part:?}, reads {last:?}");
}

async fn attr(b: &Client, css: &str, name: &str) -> Option<String> {
    find(b, css).await.attr(name).await.ok().flatten()
}

async fn steps(b: &Client, base: &str, http: &reqwest::Client) {
    b.goto(&format!("{base}/login")).await.expect("login page");
    type_into(b, "#username", "tech1").await;
    type_into(b, "#password", PASSWORD).await;
    click(b, "form[action='/login'] button[type=submit]").await;
    let clients_link = "nav[aria-label=main] a[href='/clients']";
    wait_contains(b, clients_link, "委托方").await;

    // A client, its project (land use, standards) and a monitoring well.
    click(b, clients_link).await;
    click(b, "#new-client").await;
    type_into(b, "#code", "XM-EEB").await;
    type_into(b, "#name", "厦门市生态环境局").await;
    type_into(b, "#contact", "李工").await;
    click(b, "#save-client").await;
    wait_contains(b, ".flash", "厦门市生态环境局").await;
    click(b, "#new-project").await;
    type_into(b, "#code", "HC-2026").await;
    type_into(b, "#name", "海沧工业区地下水监测").await;
    select(b, "#land_use", "second_class").await;
    click(b, "input[name=standards][value='GBT14848-2017']").await;
    click(b, "#save-project").await;
    wait_contains(b, ".flash", "海沧工业区地下水监测").await;
    type_into(b, "#pt-code", "MW-01").await;
    select(b, "#pt-kind", "monitoring_well").await;
    type_into(b, "#pt-latitude", "24.4798").await;
    type_into(b, "#pt-longitude", "118.0894").await;
    type_into(b, "#pt-well_depth_m", "15").await;
    type_into(b, "#pt-screen_top_m", "5").await;
    type_into(b, "#pt-screen_bottom_m", "14").await;
    click(b, "#add-point").await;
    wait_contains(b, "#point-list", "MW-01").await;

    // The registration table: two samples, the first collected "in the future".
    click(b, "#new-work-order").await;
    wait_for(b, "#samples-table").await;
    type_into(b, "#s0-client_sample_id", "MW-01-A").await;
    select(b, "#s0-matrix", "groundwater").await;
    select(b, "#s0-sampling_point_id", &point_value(b).await).await;
    type_into(b, "#s0-collected_at", "2099-01-01 10:00").await;
    type_into(b, "#s0-collected_by", "张三").await;
    select(b, "#s0-packages", "GBT14848-conventional39").await;
    type_into(b, "#s0-f-ph", "7.2").await;
    type_into(b, "#s1-client_sample_id", "S-01").await;
    select(b, "#s1-matrix", "soil").await;
    let soil_time = local_hours_ago(3);
    type_into(b, "#s1-collected_at", &soil_time).await;
    type_into(b, "#s1-collected_by", "李四").await;
    type_into(b, "#s1-depth_top_m", "0").await;
    type_into(b, "#s1-depth_bottom_m", "0.2").await;
    select(b, "#s1-packages", "GB36600-basic45").await;
    click(b, "#register-submit").await;
    let error = wait_for(b, "#s0-collected_at-error").await;
    let message = error.text().await.unwrap_or_default();
    assert!(message.contains("future"), "the cell says why: {message}");
    assert_eq!(
        attr(b, "#s0-collected_at", "aria-invalid").await.as_deref(),
        Some("true"),
        "the cell is marked invalid"
    );
    let beside: bool = b
        .execute(
            "return document.getElementById('s0-collected_at-error').parentElement \
             === document.getElementById('s0-collected_at').parentElement;",
            vec![],
        )
        .await
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(false);
    assert!(beside, "the error sits in the cell of its field");
    assert_eq!(value(b, "#s0-collected_at").await, "2099-01-01 10:00");
    assert_eq!(value(b, "#s0-client_sample_id").await, "MW-01-A");
    assert_eq!(value(b, "#s0-f-ph").await, "7.2");
    assert_eq!(value(b, "#s1-client_sample_id").await, "S-01");
    assert_eq!(value(b, "#s1-depth_bottom_m").await, "0.2");
    assert_eq!(value(b, "#s1-packages").await, "GB36600-basic45");
    assert_eq!(value(b, "#s1-matrix").await, "soil");
    assert!(
        find(b, "#s1-collected_at")
            .await
            .attr("aria-invalid")
            .await
            .ok()
            .flatten()
            .is_none(),
        "a good cell is not marked"
    );
    screenshot(b, "registration-error.png").await;

    // Corrected, the order is registered and its page lists both samples.
    type_into(b, "#s0-collected_at", &local_hours_ago(1)).await;
    click(b, "#register-submit").await;
    let flash = wait_contains(b, ".flash", "WO-").await;
    assert!(flash.contains("2"), "two samples registered: {flash}");
    let table = wait_contains(b, "#wo-samples", "S-01").await;
    assert!(table.contains("MW-01-A"), "{table}");
    assert!(table.contains("已登记"), "status as a word: {table}");
    screenshot(b, "work-order.png").await;

    // The labels PDF, fetched with the browser's session.
    let href = attr(b, "#labels-pdf", "href").await.expect("a labels link");
    let cookies = b
        .get_all_cookies()
        .await
        .expect("cookies")
        .iter()
        .map(|c| format!("{}={}", c.name(), c.value()))
        .collect::<Vec<_>>()
        .join("; ");
    let res = http
        .get(format!("{base}{href}"))
        .header("Cookie", cookies)
        .send()
        .await
        .expect("labels answered");
    assert_eq!(res.status().as_u16(), 200, "labels PDF");
    let ct = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    assert!(ct.starts_with("application/pdf"), "{ct}");
    let bytes = res.bytes().await.expect("PDF bytes");
    assert!(bytes.starts_with(b"%PDF"), "a PDF document");

    // The soil sample's lab ID, scanned at the receipt desk.
    let lab_id: String = b
        .execute(
            "return Array.from(document.querySelectorAll('#wo-samples tbody tr'))\
             .find(r => r.textContent.includes('S-01')).querySelector('a').textContent.trim();",
            vec![],
        )
        .await
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .expect("the soil sample's lab ID");
    assert!(lab_id.starts_with("SO-"), "{lab_id}");
    click(b, "nav[aria-label=main] a[href='/receipt']").await;
    let scan = wait_for(b, "#scan-code").await;
    let focused: bool = b
        .execute(
            "return document.activeElement === document.getElementById('scan-code');",
            vec![],
        )
        .await
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(false);
    assert!(focused, "the scan box has the focus");
    scan.send_keys(&format!("{lab_id}\u{E007}"))
        .await
        .expect("a scan");
    let log = wait_contains(b, "#scans", &lab_id).await;
    assert!(log.contains("已接收"), "received: {log}");
    scan_again(b, "NO-SUCH-ID").await;
    let log = wait_contains(b, "#scans", "NO-SUCH-ID").await;
    assert!(
        log.contains("未接收"),
        "an unknown ID is not received: {log}"
    );
    screenshot(b, "receipt.png").await;

    // Its page says so.
    click(b, "#scans a[href^='/samples/']").await;
    let status = text(b, "#sample-status").await;
    assert_eq!(status.trim(), "已接收");
    wait_contains(b, "#timeline", "接收").await;
    screenshot(b, "sample.png").await;

    // The same page in English.
    let here = b.current_url().await.expect("the sample page's address");
    click(b, "#lang-switch").await;
    wait_contains(b, "nav[aria-label=main]", "Samples").await;
    b.goto(here.as_str()).await.expect("the sample page again");
    wait_contains(b, "#sample-status", "received").await;
    screenshot(b, "sample-en.png").await;
}

/// The value of the first sampling point in row 0's select.
async fn point_value(b: &Client) -> String {
    b.execute(
        "return document.querySelector('#s0-sampling_point_id option[value]:not([value=\"\"])').value;",
        vec![],
    )
    .await
    .ok()
    .and_then(|v| v.as_str().map(str::to_string))
    .expect("a sampling point to choose")
}

async fn scan_again(b: &Client, code: &str) {
    let scan = wait_for(b, "#scan-code").await;
    scan.send_keys(&format!("{code}\u{E007}"))
        .await
        .expect("a scan");
}
