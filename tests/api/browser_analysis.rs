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
        api: Api {
            http: a.app.client.clone(),
            base: a.app.base.clone(),
            token: a.analyst.clone(),
        },
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
    api: Api,
    method: String,
    labs: Vec<String>,
    samples: Vec<String>,
    cd: Vec<String>,
}

/// The analyst's API session, for the changes "someone else" makes meanwhile.
struct Api {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Api {
    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.expect("the API answers");
        assert!(res.status().is_success(), "{path}: {}", res.status());
        res.json().await.expect("JSON")
    }
}

/// Waits until the element's text contains `part`.
pub(crate) async fn wait_contains(b: &Client, css: &str, part: &str) -> String {
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

pub(crate) async fn js(b: &Client, script: &str) -> Value {
    b.execute(script, vec![])
        .await
        .unwrap_or_else(|e| panic!("script {script}: {e}"))
}

/// The grid's input of `label`'s row in column `col`.
pub(crate) fn cell(label: &str, col: i64) -> String {
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
    screenshot(b, "analyst-home.png").await;
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

    // QC samples: a spike without its sample is refused beside the form; with it, added; removed.
    let spike = format!("SPK-{}", ids.labs[2]);
    wait_for(b, "#qc-kind")
        .await
        .select_by_value("spike")
        .await
        .expect("kind");
    click(b, "#add-qc").await;
    wait_contains(b, "#qc-errors", "names its sample").await;
    wait_for(b, "#qc-parent")
        .await
        .select_by_value(&ids.samples[2])
        .await
        .expect("parent");
    click(b, "#add-qc").await;
    wait_contains(b, ".flash", &spike).await;
    wait_contains(b, "#qc-list", &spike).await;
    click(b, &format!("#remove-{spike}")).await;
    wait_contains(b, ".flash", "已移除").await;
    let listed = wait_for(b, "#qc-list")
        .await
        .text()
        .await
        .unwrap_or_default();
    assert!(!listed.contains(&spike), "{listed}");
    // An LCS, kept: it joins the blank at the top of the grid.
    wait_for(b, "#qc-kind")
        .await
        .select_by_value("lcs")
        .await
        .expect("kind");
    click(b, "#add-qc").await;
    wait_contains(b, ".flash", "LCS-1").await;
    let order = js(
        b,
        "return Array.from(document.querySelectorAll('#result-grid tbody tr')).map(r => r.dataset.label);",
    )
    .await;
    let want = json!(["BLK-1", "LCS-1", ids.labs[0], dup, ids.labs[1], ids.labs[2]]);
    assert_eq!(order, want, "QC without a parent first");
    let rows = [
        "BLK-1",
        "LCS-1",
        &ids.labs[0],
        &dup,
        &ids.labs[1],
        &ids.labs[2],
    ];

    // An instrument file naming an unknown sample: nothing imported, the row named.
    let csv = std::env::temp_dir().join(format!("egret-import-{}.csv", uuid::Uuid::now_v7()));
    std::fs::write(&csv, "sample,analyte,value\nNO-SUCH-ID,cd,0.5\n").expect("a CSV file");
    wait_for(b, "#import-file")
        .await
        .send_keys(&csv.display().to_string())
        .await
        .expect("a file chosen");
    click(b, "#upload-results").await;
    let refused = wait_contains(b, "#import-errors", "第 2 行").await;
    assert!(refused.contains("NO-SUCH-ID"), "{refused}");
    let _ = std::fs::remove_file(&csv);

    // Down the Cd column with Enter; the blank is above the MDL (it will fail).
    click(b, &cell("BLK-1", cd)).await;
    type_down(
        b,
        &rows,
        &["0.05", "0.98", "0.250", "0.270", "0.005", "1.20"],
    )
    .await;
    // The LCS's certified value, a small box under its value.
    let lcs_cd = format!(
        "#result-grid tr[data-label='LCS-1'] td.cell:nth-of-type({})",
        cd + 1
    );
    type_into(b, &format!("{lcs_cd} input[name^='cv[']"), "1.00").await;
    // Right and left arrows move between the columns (all of the box selected, as on arrival).
    js(
        b,
        &format!(
            "const e = document.querySelector(\"{}\"); e.focus(); e.select(); return 0;",
            cell("BLK-1", cd)
        ),
    )
    .await;
    let el = b.active_element().await.expect("a focused box");
    el.send_keys("\u{E014}").await.expect("ArrowRight");
    let at = js(b, "return Number(document.activeElement.dataset.col);").await;
    assert_eq!(at.as_i64(), Some(cd + 1), "ArrowRight moves right");
    b.active_element()
        .await
        .expect("focus")
        .send_keys("\u{E012}")
        .await
        .expect("ArrowLeft");
    let at = js(b, "return Number(document.activeElement.dataset.col);").await;
    assert_eq!(at.as_i64(), Some(cd), "ArrowLeft moves back");
    // The Pb column pasted from a spreadsheet into its first cell; then a typo is marked as typed,
    // and a negative value goes to the server.
    let pasted = js(
        b,
        &format!(
            "const e = document.querySelector(\"{}\"); e.focus(); const d = new DataTransfer(); \
             d.setData('text/plain', 'ND\\n1.0\\n35.64\\n36.1\\n12.0\\n'); \
             e.dispatchEvent(new ClipboardEvent('paste', {{clipboardData: d, bubbles: true, cancelable: true}})); \
             return Array.from(document.querySelectorAll('#result-grid input[data-col=\"{pb}\"]')).map(i => i.value);",
            cell("BLK-1", pb)
        ),
    )
    .await;
    assert_eq!(
        pasted,
        json!(["ND", "1.0", "35.64", "36.1", "12.0", ""]),
        "the paste fills down"
    );
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
    let changed = wait_contains(b, "#changed-count", "12").await;
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
    wait_contains(b, ".flash", "已保存 12 个结果").await;
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
    wait_contains(b, &format!("{lcs_cd} .eval"), "回收率 98%").await;
    screenshot(b, "batch-grid.png").await;

    // Someone else changes a result meanwhile: saving over it is refused with their value shown
    // beside the typed one; saving again, having seen it, replaces it.
    let url = b.current_url().await.expect("the batch's address");
    let batch_id = url.path().trim_start_matches("/batches/").to_string();
    let path = format!("/api/v1/batches/{batch_id}");
    let now = ids.api.call(reqwest::Method::GET, &path, None).await;
    let version = now["items"]
        .as_array()
        .and_then(|items| items.iter().find(|i| i["analysis_id"] == ids.cd[1]))
        .map(|i| i["version"].clone())
        .expect("the item's version");
    let rows_body = json!([{"analysis_id": ids.cd[1], "value": "0.008", "version": version}]);
    ids.api
        .call(
            reqwest::Method::PUT,
            &format!("{path}/results"),
            Some(rows_body),
        )
        .await;
    let s1 = cell(&ids.labs[1], cd);
    type_into(b, &s1, "0.006").await;
    click(b, "#save-grid").await;
    wait_contains(b, "#grid-stale", "他人").await;
    wait_contains(b, &format!("{s1_cd} .current"), "0.008").await;
    assert_eq!(value(b, &s1).await, "0.006", "the typed value stays");
    screenshot(b, "batch-stale.png").await;
    click(b, "#save-grid").await;
    wait_contains(b, ".flash", "已保存 1 个结果").await;
    assert_eq!(value(b, &s1).await, "0.006");
    // Without JavaScript every box is posted; the server keeps only the changed cells (none).
    js(
        b,
        "document.getElementById('grid-form').submit(); return 0;",
    )
    .await;
    wait_contains(b, ".flash", "没有修改的结果").await;

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
        json!(6 * 4),
        "two analytes, dilution and remark for 6 positions"
    );
    screenshot(b, "batch-sheet.png").await;
}
