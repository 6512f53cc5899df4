//! `egret bench results`: imports instrument CSV files into batches over HTTP against an Egret
//! started in this process on a fresh database, and times the imports.
//!
//! Set-up (untimed): users, a soil method (else groundwater) with enough method_analytes, their MDL
//! and decimals, the method's batch size and a QC rule of none; the samples registered in work
//! orders of at most 10,000, received (concurrently, bounded), put into batches; one CSV per batch
//! built in memory. Timed: every `POST /api/v1/batches/{id}/results.csv`, one after the other, from
//! the first request sent to the last answer read. Checked afterwards: every analysis of every
//! batch has a result, the rows add up, and the audit chain verifies with nothing unsealed.
use super::{Egret, Http, Run};
use chrono::{Duration as Hours, SecondsFormat, Utc};
use reqwest::Method;
use serde_json::{json, Value as JsonValue};
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Samples per work order (the registration limit is higher; labs send smaller ones).
const WORK_ORDER_SAMPLES: usize = 10_000;
/// Receipts in flight at once.
const RECEIVE_CONCURRENCY: usize = 8;
/// The matrices searched for a method, in order of preference.
const MATRICES: [&str; 2] = ["soil", "groundwater"];
/// The target of issue 4, point 10: 100,000 rows in under 5 s.
const TARGET_ROWS: usize = 100_000;
const TARGET: Duration = Duration::from_secs(5);

/// What `egret bench results` was asked to do.
#[derive(Clone, Debug)]
pub struct ResultsOptions {
    pub rows: usize,
    pub analytes: usize,
    pub batch_samples: usize,
    /// A PostgreSQL server URL; `None` = a temporary SQLite file.
    pub database_url: Option<String>,
}

/// The rows of the CSV files by kind of value.
#[derive(Clone, Debug, Default)]
pub struct Mix {
    pub nd: usize,
    pub below_mdl: usize,
    pub less_than: usize,
    pub diluted: usize,
}

/// The measured figures.
#[derive(Clone, Debug)]
pub struct ResultsReport {
    pub backend: &'static str,
    pub method: String,
    pub matrix: String,
    pub analytes: usize,
    pub samples: usize,
    pub batches: usize,
    pub rows: usize,
    pub csv_bytes: usize,
    pub mix: Mix,
    /// First request sent to last answer read.
    pub total: Duration,
    /// Each import, in batch order.
    pub imports: Vec<Duration>,
    pub slowest_batch: String,
    /// Untimed set-up: registration, receipt, batches.
    pub setup: [Duration; 3],
    pub audit_events_checked: u64,
}

impl ResultsReport {
    pub fn rows_per_second(&self) -> f64 {
        self.rows as f64 / self.total.as_secs_f64().max(1e-9)
    }

    fn sorted(&self) -> Vec<Duration> {
        let mut v = self.imports.clone();
        v.sort();
        v
    }

    pub fn slowest(&self) -> Duration {
        self.imports.iter().max().copied().unwrap_or_default()
    }

    /// The short table `egret bench results` prints.
    pub fn table(&self) -> String {
        let s = self.sorted();
        let at = |q: f64| s[((s.len() - 1) as f64 * q).round() as usize].as_secs_f64();
        let pct = |n: usize| 100.0 * n as f64 / self.rows.max(1) as f64;
        let mut out = format!(
            "egret bench results: {} — {} ({}), {} analytes × {} samples = {} rows in {} batches\n",
            self.backend,
            self.method,
            self.matrix,
            self.analytes,
            self.samples,
            self.rows,
            self.batches
        );
        out.push_str(&format!(
            "  CSV {:.1} MiB in all; values: {:.0} % ND, {:.0} % below the MDL, {:.0} % \"<MDL\", \
             {:.0} % with a dilution factor; audit chain verified afterwards: {} events\n\n",
            self.csv_bytes as f64 / 1048576.0,
            pct(self.mix.nd),
            pct(self.mix.below_mdl),
            pct(self.mix.less_than),
            pct(self.mix.diluted),
            self.audit_events_checked
        ));
        out.push_str(&format!("  {:<48} {:>9} {:>9}\n", "", "seconds", "rows/s"));
        out.push_str(&format!(
            "  {:<48} {:>9.3} {:>9.0}\n",
            "all imports, sequential: POST …/results.csv",
            self.total.as_secs_f64(),
            self.rows_per_second()
        ));
        out.push_str(&format!(
            "  {:<48} {:>9.3}   (batch {})\n",
            "slowest single import",
            self.slowest().as_secs_f64(),
            self.slowest_batch
        ));
        out.push_str(&format!(
            "  {:<48} {:.3} / {:.3} / {:.3}\n",
            "one import: fastest / median / 90th percentile",
            at(0.0),
            at(0.5),
            at(0.9)
        ));
        let n = self.imports.len().min(5);
        let mean = |d: &[Duration]| {
            d.iter().map(Duration::as_secs_f64).sum::<f64>() / d.len().max(1) as f64
        };
        out.push_str(&format!(
            "  {:<48} {:.3} / {:.3}\n",
            format!("mean of the first {n} / the last {n} imports"),
            mean(&self.imports[..n]),
            mean(&self.imports[self.imports.len() - n..])
        ));
        if self.rows == TARGET_ROWS {
            out.push_str(&format!(
                "  target (issue 4): {TARGET_ROWS} rows under {} s: {}\n",
                TARGET.as_secs(),
                if self.total < TARGET {
                    "met"
                } else {
                    "NOT met"
                }
            ));
        }
        out.push_str(&format!(
            "\n  set-up, not timed: registration {:.1} s, receipt {:.1} s, batches {:.1} s\n",
            self.setup[0].as_secs_f64(),
            self.setup[1].as_secs_f64(),
            self.setup[2].as_secs_f64()
        ));
        out
    }
}

/// Runs the results benchmark; the fresh databases are removed whatever the outcome.
pub async fn results(opts: &ResultsOptions) -> Result<ResultsReport, String> {
    if opts.rows == 0 || opts.rows > 2_000_000 {
        return Err("--rows must be from 1 to 2000000".into());
    }
    if opts.analytes == 0 {
        return Err("--analytes must be at least 1".into());
    }
    if !(1..=1000).contains(&opts.batch_samples) {
        return Err("--batch-samples must be from 1 to 1000 (a method's batch_max_samples)".into());
    }
    let mut run = Run::new(opts.database_url.as_deref())?;
    let result = async {
        let name = run.fresh.name(&run.id, "egret");
        let url = run.fresh.create(&name).await?;
        let egret = Egret::start(&url, &run.data_dir).await?;
        let r = drive(&egret, opts, run.fresh.backend()).await;
        egret.stop().await;
        r
    }
    .await;
    run.finish().await;
    result
}

/// A method_analyte as the API lists it.
#[derive(Clone, Debug)]
struct Ma {
    id: String,
    method_id: String,
    method_code: String,
    mdl: Option<String>,
}

/// A batch as created, with its CSV.
struct Batch {
    id: String,
    number: String,
    analyses: usize,
    csv: Vec<u8>,
}

fn items(v: &JsonValue) -> &[JsonValue] {
    v["items"].as_array().map(Vec::as_slice).unwrap_or_default()
}

fn text(v: &JsonValue) -> String {
    v.as_str().unwrap_or_default().to_string()
}

/// The method with the most typed numeric method_analytes, soil first; and its first `want` of them.
async fn pick_method(http: &Http, token: &str, want: usize) -> Result<(String, Vec<Ma>), String> {
    let mut best: Option<(String, Vec<Ma>)> = None;
    for matrix in MATRICES {
        let list = http
            .expect(
                200,
                Method::GET,
                &format!("/api/v1/method-analytes?matrix={matrix}&limit=1000"),
                Some(token),
                None,
            )
            .await?;
        let mut by_method: Vec<(String, Vec<Ma>)> = Vec::new();
        for i in items(&list) {
            if i["result_type"] != "numeric" || !i["sum_of"].is_null() {
                continue;
            }
            let ma = Ma {
                id: text(&i["id"]),
                method_id: text(&i["method_id"]),
                method_code: text(&i["method_code"]),
                mdl: i["mdl"].as_str().map(str::to_string),
            };
            match by_method.iter_mut().find(|(m, _)| *m == ma.method_id) {
                Some((_, v)) => v.push(ma),
                None => by_method.push((ma.method_id.clone(), vec![ma])),
            }
        }
        for (_, mas) in by_method {
            if best.as_ref().is_none_or(|(_, b)| mas.len() > b.len()) {
                best = Some((matrix.to_string(), mas));
            }
        }
        if best.as_ref().is_some_and(|(_, b)| b.len() >= want) {
            break;
        }
    }
    let (matrix, mut mas) = best.ok_or("the catalogue has no soil or groundwater method")?;
    if mas.len() < want {
        eprintln!(
            "egret bench: {} has the most method_analytes ({}), fewer than --analytes {want}",
            mas[0].method_code,
            mas.len()
        );
    }
    mas.truncate(want);
    Ok((matrix, mas))
}

/// An instrument's row for one analysis: value and dilution factor as text, by a fixed pattern
/// (`k` is the row's number) with NDs, values below the MDL, "<MDL" and diluted samples.
fn reading(k: usize, mdl: f64, mix: &mut Mix) -> (String, String) {
    let h = (k as u64).wrapping_mul(2_654_435_761) % 1_000_003;
    match h % 100 {
        0..=7 => {
            mix.nd += 1;
            ("ND".into(), String::new())
        }
        8..=19 => {
            mix.below_mdl += 1;
            let v = (mdl * (0.1 + (h % 7) as f64 / 10.0)).max(0.001);
            (format!("{v:.3}"), String::new())
        }
        20..=22 => {
            mix.less_than += 1;
            (format!("<{mdl}"), String::new())
        }
        _ => {
            let v = mdl * (1.5 + (h % 40_000) as f64 / 100.0);
            let dilution = match h % 20 {
                0 | 1 => "10",
                2 => "5",
                3 => "2.5",
                4..=9 => "1",
                _ => "",
            };
            if !matches!(dilution, "" | "1") {
                mix.diluted += 1;
            }
            (format!("{v:.3}"), dilution.to_string())
        }
    }
}

/// Builds the CSV of one batch from its view (items and method_analytes).
fn batch_csv(
    view: &JsonValue,
    first_row: usize,
    mix: &mut Mix,
) -> Result<(Vec<u8>, usize), String> {
    let mut unit_mdl: HashMap<String, (String, f64)> = HashMap::new();
    for m in view["method_analytes"].as_array().into_iter().flatten() {
        let mdl = m["mdl"]
            .as_str()
            .and_then(|s| s.parse().ok())
            .unwrap_or(1.0);
        unit_mdl.insert(text(&m["id"]), (text(&m["unit"]), mdl));
    }
    // Analysed within the last two days (whatever the lab's time zone), after the receipt.
    let base = (Utc::now() - Hours::hours(40)).naive_utc();
    let mut csv = String::from("sample,analyte,value,unit,dilution_factor,analysed_at\n");
    let list = items(view);
    for (j, it) in list.iter().enumerate() {
        let k = first_row + j;
        let (unit, mdl) = unit_mdl
            .get(it["method_analyte_id"].as_str().unwrap_or_default())
            .ok_or_else(|| {
                format!(
                    "batch {}: an item without its method_analyte",
                    view["number"]
                )
            })?;
        let (value, dilution) = reading(k, *mdl, mix);
        let at = base + Hours::seconds((k % 86_400) as i64);
        csv.push_str(&format!(
            "{},{},{value},{unit},{dilution},{}\n",
            text(&it["lab_id"]),
            text(&it["analyte_code"]),
            at.format("%Y-%m-%d %H:%M:%S")
        ));
    }
    Ok((csv.into_bytes(), list.len()))
}

async fn drive(
    egret: &Egret,
    opts: &ResultsOptions,
    backend: &'static str,
) -> Result<ResultsReport, String> {
    let http = &egret.http;
    let (admin, tech, analyst) = egret.users(true).await?;
    let analyst = analyst.ok_or("no analyst")?;
    let (client_id, project_id) = http
        .client_and_project(&tech, "BENCH-RES", "Benchmark results survey")
        .await?;

    // ---- The method: MDL and decimals on its analytes, batch size, no QC samples. ----
    let (matrix, mas) = pick_method(http, &tech, opts.analytes).await?;
    let method_id = mas[0].method_id.clone();
    let method_code = mas[0].method_code.clone();
    for ma in &mas {
        let mdl = ma.mdl.clone().unwrap_or_else(|| "1.0".into());
        http.expect(
            200,
            Method::PATCH,
            &format!("/api/v1/method-analytes/{}", ma.id),
            Some(&admin),
            Some(&json!({"mdl": mdl, "decimals": 1})),
        )
        .await?;
    }
    http.expect(
        200,
        Method::PATCH,
        &format!("/api/v1/methods/{method_id}"),
        Some(&admin),
        Some(
            &json!({"batch_max_samples": opts.batch_samples, "blanks_per_batch": 0,
            "lcs_per_batch": 0, "duplicate_rate_pct": "0", "spike_rate_pct": "0"}),
        ),
    )
    .await?;
    let n_ma = mas.len();
    let samples = opts.rows.div_ceil(n_ma);
    let ids: Vec<&str> = mas.iter().map(|m| m.id.as_str()).collect();

    // ---- Registration: work orders of at most 10,000 samples. ----
    eprintln!(
        "egret bench: {method_code} ({matrix}), {n_ma} analytes: registering {samples} samples …"
    );
    let started = Instant::now();
    let collected = Utc::now() - Hours::days(4);
    let mut sample_ids: Vec<String> = Vec::with_capacity(samples);
    let mut analyses: Vec<Vec<String>> = Vec::with_capacity(samples);
    for first in (0..samples).step_by(WORK_ORDER_SAMPLES) {
        let last = (first + WORK_ORDER_SAMPLES).min(samples);
        let list: Vec<JsonValue> = (first..last)
            .map(|i| {
                let n = (opts.rows - i * n_ma).min(n_ma);
                json!({
                    "client_sample_id": format!("BENCH-R-{:06}", i + 1),
                    "matrix": matrix,
                    "collected_at": (collected - Hours::seconds(i as i64))
                        .to_rfc3339_opts(SecondsFormat::Secs, true),
                    "collected_by": "张工",
                    "depth_top_m": "0",
                    "depth_bottom_m": "0.2",
                    "field": {"texture": "壤土", "moisture": "潮"},
                    "analyses": ids[..n],
                })
            })
            .collect();
        let wo = http
            .expect(
                201,
                Method::POST,
                "/api/v1/work-orders",
                Some(&tech),
                Some(&json!({"client_id": client_id, "project_id": project_id,
                    "note": "egret bench results", "samples": list})),
            )
            .await?;
        for s in wo["samples"].as_array().into_iter().flatten() {
            sample_ids.push(text(&s["id"]));
            let a = s["analyses"].as_array().into_iter().flatten();
            analyses.push(a.map(|a| text(&a["id"])).collect());
        }
    }
    if sample_ids.len() != samples {
        return Err(format!(
            "{} samples registered, not {samples}",
            sample_ids.len()
        ));
    }
    let register = started.elapsed();

    // ---- Receipt, concurrently. ----
    eprintln!("egret bench: receiving {samples} samples ({RECEIVE_CONCURRENCY} at a time) …");
    let started = Instant::now();
    let received_at = (Utc::now() - Hours::days(3)).to_rfc3339_opts(SecondsFormat::Secs, true);
    http.receive_all(&tech, sample_ids, &received_at, RECEIVE_CONCURRENCY)
        .await?;
    let receive = started.elapsed();
    let work = http
        .expect(
            200,
            Method::GET,
            &format!("/api/v1/worklist?method_id={method_id}"),
            Some(&analyst),
            None,
        )
        .await?;
    if items(&work).len() != opts.rows.min(2000) {
        return Err(format!(
            "the worklist shows {} pending analyses, not {}",
            items(&work).len(),
            opts.rows.min(2000)
        ));
    }

    // ---- Batches and their CSV files. ----
    let started = Instant::now();
    let mut batches: Vec<Batch> = Vec::new();
    let mut mix = Mix::default();
    let mut rows = 0;
    for chunk in analyses.chunks(opts.batch_samples) {
        let ids: Vec<&String> = chunk.iter().flatten().collect();
        let view = http
            .expect(
                201,
                Method::POST,
                "/api/v1/batches",
                Some(&analyst),
                Some(&json!({"method_id": method_id, "analysis_ids": ids,
                    "note": "egret bench results"})),
            )
            .await?;
        if view["qc"].as_array().is_some_and(|q| !q.is_empty()) {
            return Err(format!(
                "batch {} has QC samples: {}",
                view["number"], view["qc"]
            ));
        }
        let (csv, n) = batch_csv(&view, rows, &mut mix)?;
        if n != ids.len() {
            return Err(format!(
                "batch {} holds {n} of {} analyses",
                view["number"],
                ids.len()
            ));
        }
        rows += n;
        batches.push(Batch {
            id: text(&view["id"]),
            number: text(&view["number"]),
            analyses: n,
            csv,
        });
    }
    let setup_batches = started.elapsed();
    if rows != opts.rows {
        return Err(format!("the CSV files hold {rows} rows, not {}", opts.rows));
    }
    let csv_bytes = batches.iter().map(|b| b.csv.len()).sum();

    // ---- Timed: every import, sequentially. ----
    eprintln!(
        "egret bench: importing {rows} rows in {} batches ({:.1} MiB of CSV) …",
        batches.len(),
        csv_bytes as f64 / 1048576.0
    );
    let mut requests: Vec<(String, Vec<u8>)> = batches
        .iter_mut()
        .map(|b| {
            (
                format!("/api/v1/batches/{}/results.csv", b.id),
                std::mem::take(&mut b.csv),
            )
        })
        .collect();
    let mut imports = Vec::with_capacity(batches.len());
    let mut answers = Vec::with_capacity(batches.len());
    let started = Instant::now();
    for (path, csv) in requests.drain(..) {
        let t = Instant::now();
        let res = http.post_raw(&path, &analyst, "text/csv", csv).await?;
        let status = res.status().as_u16();
        let bytes = res.bytes().await.map_err(|e| format!("POST {path}: {e}"))?;
        imports.push(t.elapsed());
        if status != 200 {
            let text = String::from_utf8_lossy(&bytes);
            let cut: String = text.chars().take(2000).collect();
            return Err(format!("POST {path} answered {status}: {cut}"));
        }
        answers.push(bytes);
    }
    let total = started.elapsed();
    eprintln!(
        "egret bench: imports done in {:.3} s; checking every batch …",
        total.as_secs_f64()
    );

    // ---- Checks (untimed). ----
    let mut stored = 0;
    for (b, answer) in batches.iter().zip(&answers) {
        let answered: JsonValue = serde_json::from_slice(answer)
            .map_err(|e| format!("batch {}: the answer is not JSON: {e}", b.number))?;
        let view = http
            .expect(
                200,
                Method::GET,
                &format!("/api/v1/batches/{}", b.id),
                Some(&analyst),
                None,
            )
            .await?;
        for v in [&answered, &view] {
            let with_value = items(v).iter().filter(|i| !i["value"].is_null()).count();
            if items(v).len() != b.analyses || with_value != b.analyses {
                return Err(format!(
                    "batch {}: {with_value} of {} analyses have a result",
                    b.number, b.analyses
                ));
            }
        }
        stored += b.analyses;
    }
    if stored != opts.rows {
        return Err(format!("{stored} results stored, not {}", opts.rows));
    }
    let audit_events_checked = http.verify_audit(&admin).await?;
    let slowest = (0..imports.len()).max_by_key(|i| imports[*i]).unwrap_or(0);
    Ok(ResultsReport {
        backend,
        method: method_code,
        matrix,
        analytes: n_ma,
        samples,
        batches: batches.len(),
        rows,
        csv_bytes,
        mix,
        total,
        imports,
        slowest_batch: batches[slowest].number.clone(),
        setup: [register, receive, setup_batches],
        audit_events_checked,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readings_mix_kinds_of_values() {
        let mut mix = Mix::default();
        let rows: Vec<(String, String)> = (0..10_000).map(|k| reading(k, 1.2, &mut mix)).collect();
        assert!(mix.nd > 500 && mix.nd < 1100, "{mix:?}");
        assert!(
            mix.below_mdl > 900 && mix.less_than > 100 && mix.diluted > 1000,
            "{mix:?}"
        );
        for (v, d) in &rows {
            if v != "ND" && !v.starts_with('<') {
                assert!(v.parse::<f64>().unwrap() > 0.0, "{v}");
            }
            assert!(d.is_empty() || d.parse::<f64>().unwrap() >= 1.0, "{d}");
        }
    }
}
