//! The analyst's day in a real browser. Set up over the API: the soil cadmium/lead method's MDL and
//! reporting precision (`PATCH /method-analytes`), one blank per batch, a duplicate rule for
//! cadmium, and three soil samples registered and received. Then, signed in as the analyst: the
//! home panel and the worklist; a batch refused (a duplicate of a sample not chosen; the ticks
//! kept) then created with a chosen duplicate; values typed down the grid with Enter, a typo marked
//! as typed, a negative value refused beside its cell (everything typed kept); saved, the reported
//! text and flags beside the cells; the submission refused until the failed blank has a reason,
//! then submitted and read-only; the printable sheet with its positions in order.
//! Skipped without Chromium (except in CI).
use crate::analysis::{analysis_of, lab_id, Ana};
use crate::browser::{
    browser_installed, click, drive, find, screenshot, type_into, value, wait_for, WAIT,
};
use crate::intake::id;
use crate::support::PASSWORD;
use fantoccini::{Client, Locator};
use serde_json::{json, Value};
use std::time::Duration;

#[tokio::test]
async fn analyst_batches_enters_and_submits() {
    if !browser_installed() {
        return;
    }
    let a = Ana::ready().await;
    a.set_method(&a.method, json!({"blanks_per_batch": 1}))
        .await;
    a.set_ma(
        &a.cd,
        json!({"qc_rules": [{"applies_to": "duplicate", "max": "20"}]}),
    )
    .await;
    let samples = a.soil(3, &[&a.cd, &a.pb]).await;
    let ids = Ids {
        method: a.method.clone(),
        labs: samples.iter().map(lab_id).collect(),
        samples: samples.iter().map(id).collect(),
        cd: samples.iter().map(|s| analysis_of(s, &a.cd)).collect(),
    };
    drive(a.app.base.clone(), |b, base| async move {
        steps(&b, &base, &ids).await
    })
    .await;
}

struct Ids {
    method: String,
    labs: Vec<String>,
    samples: Vec<String>,
    cd: Vec<String>,
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

async fn js(b: &Client, script: &str) -> Value {
    b.execute(script, vec![])
        .await
        .unwrap_or_else(|e| panic!("script {script}: {e}"))
}

/// The grid's input of `label`'s row in column `col`.
fn cell(label: &str, col: i64) -> String {
    format!("#result-grid tr[data-label='{label}'] input[data-col='{col}']")
}

/// The label of the row holding the focused box.
async fn focused_row(b: &Client) -> String {
    js(
        b,
        "return document.activeElement.closest('tr').dataset.label;",
    )
    .await
    .as_str()
    .unwrap_or_default()
    .to_string()
}

/// Types each value into the focused box and presses Enter, checking the focus moved down.
async fn type_down(b: &Client, rows: &[&str], values: &[&str]) {
    for (i, v) in values.iter().enumerate() {
        assert_eq!(focused_row(b).await, rows[i], "Enter moves down the column");
        let el = b.active_element().await.expect("a focused box");
        el.send_keys(&format!("{v}\u{E007}"))
            .await
            .expect("typing into the grid");
    }
}

async fn steps(b: &Client, base: &str, ids: &Ids) {
    b.goto(&format!("{base}/login")).await.expect("login page");
    type_into(b, "#username", "analyst").await;
    type_into(b, "#password", PASSWORD).await;
    click(b, "form[action='/login'] button[type=submit]").await;

    // Home: the worklist summary (3 samples × Cd, Pb = 6 pending analyses).
    let home = wait_contains(b, "main", "GB/T 17141-1997").await;
    assert!(home.contains("6 项待检"), "{home}");
    wait_contains(b, "nav[aria-label=main]", "批次").await;

    // The worklist: methods, then the method's samples.
    click(b, "nav[aria-label=main] a[href='/worklist']").await;
    click(
        b,
        &format!(
            "#worklist-methods a[href='/worklist?method_id={}']",
            ids.method
        ),
    )
    .await;
    let table = wait_contains(b, "#worklist", &ids.labs[2]).await;
    for l in &ids.labs {
        assert!(table.contains(l.as_str()), "{l} listed: {table}");
    }
    // A duplicate of a sample that is not in the batch: refused above the table, ticks kept.
    click(b, &format!("#pick-{}", ids.samples[1])).await;
    click(b, &format!("#pick-{}", ids.samples[2])).await;
    click(
        b,
        &format!("input[name=duplicate_of][value='{}']", ids.samples[0]),
    )
    .await;
    click(b, "#create-batch").await;
    let alert = wait_contains(b, "#batch-errors", &ids.labs[0]).await;
    assert!(alert.contains("not a sample of this batch"), "{alert}");
    for (i, want) in [(0, false), (1, true), (2, true)] {
        let checked = find(b, &format!("#pick-{}", ids.samples[i]))
            .await
            .prop("checked")
            .await
            .ok()
            .flatten();
        assert_eq!(
            checked.as_deref(),
            Some(if want { "true" } else { "false" }),
            "tick {i} kept"
        );
    }
    screenshot(b, "worklist-refused.png").await;
    click(b, &format!("#pick-{}", ids.samples[0])).await;
    click(b, "#create-batch").await;
    wait_contains(b, ".flash", "已建批次").await;
    wait_contains(b, "#batch-status", "进行中").await;

    // The grid: BLK-1 first, each sample followed by its duplicate.
    let dup = format!("DUP-{}", ids.labs[0]);
    let order = js(
        b,
        "return Array.from(document.querySelectorAll('#result-grid tbody tr')).map(r => r.dataset.label);",
    )
    .await;
    let want = json!(["BLK-1", ids.labs[0], dup, ids.labs[1], ids.labs[2]]);
    assert_eq!(order, want, "positions in order");
    let col = |code: &str| {
        format!(
            "return Array.from(document.querySelectorAll('#result-grid thead th.analyte-col')).findIndex(t => t.title === '{code}');"
        )
    };
    let cd = js(b, &col("cd")).await.as_i64().expect("a Cd column");
    let pb = js(b, &col("pb")).await.as_i64().expect("a Pb column");
    assert!(cd >= 0 && pb >= 0 && cd != pb);
    let rows = ["BLK-1", &ids.labs[0], &dup, &ids.labs[1], &ids.labs[2]];

    // Down the Cd column with Enter; the blank is above the MDL (it will fail).
    click(b, &cell("BLK-1", cd)).await;
    type_down(b, &rows, &["0.05", "0.250", "0.270", "0.005", "1.20"]).await;
    // Down the Pb column; a typo is marked as typed, then a negative value goes to the server.
    click(b, &cell("BLK-1", pb)).await;
    type_down(b, &rows[..4], &["ND", "35.64", "36.1", "12.0"]).await;
    let last = cell(&ids.labs[2], pb);
    type_into(b, &last, "1.2.3").await;
    let typo = js(
        b,
        &format!("const e = document.querySelector(\"{last}\"); return [e.closest('td').classList.contains('typo'), e.title];"),
    )
    .await;
    assert_eq!(typo[0], true, "a typo is marked while typing: {typo}");
    assert!(
        typo[1].as_str().unwrap_or_default().contains("数值"),
        "{typo}"
    );
    type_into(b, &last, "-1").await;
    let changed = wait_contains(b, "#changed-count", "10").await;
    assert!(changed.contains("未保存"), "{changed}");
    click(b, "#save-grid").await;
    let error = wait_contains(b, "#result-grid td.invalid .cell-error", "negative").await;
    assert!(!error.is_empty());
    assert_eq!(value(b, &last).await, "-1", "the refused value stays");
    assert_eq!(
        value(b, &cell(&ids.labs[0], cd)).await,
        "0.250",
        "typed values stay"
    );
    assert_eq!(value(b, &cell(&dup, pb)).await, "36.1");
    wait_contains(b, "#grid-errors", "未保存").await;

    // Corrected and saved: reported text and flags beside the cells.
    type_into(b, &last, "20.15").await;
    click(b, "#save-grid").await;
    wait_contains(b, ".flash", "已保存 10 个结果").await;
    let s0_pb = format!(
        "#result-grid tr[data-label='{}'] td.cell:nth-of-type({}) .reported",
        ids.labs[0],
        pb + 1
    );
    wait_contains(b, &s0_pb, "35.6").await;
    let s1_cd = format!(
        "#result-grid tr[data-label='{}'] td.cell:nth-of-type({})",
        ids.labs[1],
        cd + 1
    );
    wait_contains(b, &s1_cd, "低于检出限").await;
    let dup_cd = format!(
        "#result-grid tr[data-label='{dup}'] td.cell:nth-of-type({}) .eval",
        cd + 1
    );
    let eval = wait_contains(b, &dup_cd, "合格").await;
    assert!(eval.contains("相对偏差"), "{eval}");
    let blank = format!(
        "#result-grid tr[data-label='BLK-1'] td.cell:nth-of-type({}) .eval",
        cd + 1
    );
    wait_contains(b, &blank, "不合格").await;
    assert_eq!(
        find(b, &format!("input[name='v[a_{}]']", ids.cd[0]))
            .await
            .prop("value")
            .await
            .ok()
            .flatten()
            .as_deref(),
        Some("0.250")
    );
    screenshot(b, "batch-grid.png").await;

    // Submit: the failed blank needs a reason.
    click(b, "#submit-batch").await;
    wait_contains(b, "#submit .field-error", "required").await;
    type_into(
        b,
        "#reason-0",
        "空白污染：试剂批号 R-2211，已更换后复测同批样品",
    )
    .await;
    click(b, "#submit-batch").await;
    wait_contains(b, ".flash", "已提交审核").await;
    wait_contains(b, "#batch-status", "已提交").await;
    wait_contains(b, "#reasons", "R-2211").await;
    let inputs = js(
        b,
        "return document.querySelectorAll('#result-grid input').length;",
    )
    .await;
    assert_eq!(inputs, 0, "read-only once submitted");
    wait_contains(b, &s0_pb, "35.6").await;
    screenshot(b, "batch-submitted.png").await;

    // The printable sheet: positions in order, empty boxes.
    click(b, "#sheet-link").await;
    wait_for(b, "#sheet").await;
    let sheet = js(
        b,
        "return Array.from(document.querySelectorAll('#sheet tbody tr td:nth-child(2)')).map(t => t.textContent.trim());",
    )
    .await;
    assert_eq!(sheet, want, "the sheet lists the positions in order");
    let boxes = js(
        b,
        "return document.querySelectorAll('#sheet td.box').length;",
    )
    .await;
    assert_eq!(
        boxes,
        json!(5 * 4),
        "two analytes, dilution and remark for 5 positions"
    );
    screenshot(b, "batch-sheet.png").await;
}
