//! `egret bench intake`: registers one work order of N samples × M analyses over HTTP against an
//! Egret started in this process on a fresh database, then inserts the same rows plainly (multi-row
//! INSERTs in one transaction, no Egret service code, see [`super::plain`]) on another fresh
//! database of the same backend, and prints both times and their ratio.
use super::plain::plain_insert;
use super::{Egret, Http, Run};
use crate::service::intake::registration::MAX_SAMPLES;
use chrono::{DateTime, Duration as Hours, SecondsFormat, Utc};
use serde_json::{json, Value as JsonValue};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use uuid::Uuid;

/// The matrix whose catalogue method_analytes are ordered (GB/T 14848 groundwater has 43).
pub const MATRIX: &str = "groundwater";

/// What `egret bench intake` was asked to do.
#[derive(Clone, Debug)]
pub struct IntakeOptions {
    pub samples: usize,
    pub analyses: usize,
    /// A PostgreSQL server URL; `None` = a temporary SQLite file.
    pub database_url: Option<String>,
}

/// The measured figures.
#[derive(Clone, Debug)]
pub struct IntakeReport {
    pub backend: &'static str,
    pub samples: usize,
    pub analyses_per_sample: usize,
    pub containers: usize,
    pub request_bytes: usize,
    pub response_bytes: usize,
    pub end_to_end: Duration,
    pub plain: Duration,
    pub audit_events_checked: u64,
}

impl IntakeReport {
    pub fn samples_per_second(&self, d: Duration) -> f64 {
        self.samples as f64 / d.as_secs_f64().max(1e-9)
    }

    pub fn ratio(&self) -> f64 {
        self.end_to_end.as_secs_f64() / self.plain.as_secs_f64().max(1e-9)
    }

    /// The short table `egret bench intake` prints.
    pub fn table(&self) -> String {
        let mib = |b: usize| b as f64 / (1024.0 * 1024.0);
        let mut out = String::new();
        out.push_str(&format!(
            "egret bench intake: {} — {} samples × {} analyses ({MATRIX}): {} analyses, {} containers\n",
            self.backend,
            self.samples,
            self.analyses_per_sample,
            self.samples * self.analyses_per_sample,
            self.containers
        ));
        out.push_str(&format!(
            "  request {:.1} MiB, response {:.1} MiB; audit chain verified afterwards: {} events\n\n",
            mib(self.request_bytes),
            mib(self.response_bytes),
            self.audit_events_checked
        ));
        out.push_str(&format!(
            "  {:<44} {:>9} {:>11}\n",
            "", "seconds", "samples/s"
        ));
        out.push_str(&format!(
            "  {:<44} {:>9.3} {:>11.0}\n",
            "end to end: POST /api/v1/work-orders (HTTP)",
            self.end_to_end.as_secs_f64(),
            self.samples_per_second(self.end_to_end)
        ));
        out.push_str(&format!(
            "  {:<44} {:>9.3} {:>11.0}\n",
            "plain insert, one transaction",
            self.plain.as_secs_f64(),
            self.samples_per_second(self.plain)
        ));
        out.push_str(&format!(
            "  {:<44} {:>9.2}×\n",
            "ratio end to end ÷ plain",
            self.ratio()
        ));
        if self.backend == "SQLite" && self.samples == 10_000 && self.analyses_per_sample == 10 {
            let met = self.end_to_end < Duration::from_secs(5) && self.ratio() <= 3.0;
            out.push_str(&format!(
                "  target (issue 3): under 5 s end to end and within 3× of the plain insert: {}\n",
                if met { "met" } else { "NOT met" }
            ));
        } else if self.backend != "SQLite" {
            out.push_str(
                "  (the 5 s / 3× target is for SQLite; this figure is recorded beside it)\n",
            );
        }
        out.push_str(
            "\n  plain insert = sample rows, their containers, the analysis rows and one audit_event row\n  \
             per sample, as multi-row INSERTs in one transaction (no validation, numbering, custody\n  \
             events, audit chaining or HTTP).\n",
        );
        if self.backend == "SQLite" {
            out.push_str(
                "  Both SQLite databases use Egret's connection settings: WAL, synchronous=NORMAL,\n  \
                 foreign keys on.\n",
            );
        }
        out
    }
}
/// Runs the intake benchmark; the fresh databases are removed whatever the outcome.
pub async fn intake(opts: &IntakeOptions) -> Result<IntakeReport, String> {
    if opts.samples == 0 || opts.samples > MAX_SAMPLES {
        return Err(format!("--samples must be from 1 to {MAX_SAMPLES}"));
    }
    if opts.analyses == 0 {
        return Err("--analyses must be at least 1".into());
    }
    let mut run = Run::new(opts.database_url.as_deref())?;
    let result = run_intake(opts, &mut run).await;
    run.finish().await;
    result
}

/// The samples' data, shared by the HTTP request and the plain insert.
pub(super) struct SampleSpec {
    pub(super) client_sample_id: String,
    pub(super) collected_at: DateTime<Utc>,
    pub(super) field: BTreeMap<String, String>,
}

fn sample_specs(n: usize) -> Vec<SampleSpec> {
    let base = Utc::now() - Hours::days(2);
    (0..n)
        .map(|i| {
            let mut field = BTreeMap::new();
            let mut put = |k: &str, v: String| {
                field.insert(k.to_string(), v);
            };
            put("water_level_m", format!("{}.{}", 2 + i % 30, i % 10));
            put("water_temp_c", format!("1{}.{}", i % 10, (i / 10) % 10));
            put("ph", format!("7.{}", i % 10));
            put("do_mg_l", format!("{}.{}", 3 + i % 5, i % 10));
            put("conductivity_us_cm", format!("{}", 300 + i % 700));
            put("orp_mv", format!("{}", 100 + i % 200));
            put("turbidity_ntu", format!("{}.{}", i % 20, i % 10));
            put("odour", "无".to_string());
            put("visible_matter", "无".to_string());
            SampleSpec {
                client_sample_id: format!("BENCH-{:05}", i + 1),
                collected_at: base - Hours::minutes(i as i64),
                field,
            }
        })
        .collect()
}

/// One catalogue method_analyte as the API lists it.
#[derive(Clone, Debug)]
pub(super) struct Orderable {
    pub(super) id: Uuid,
    pub(super) method_code: String,
    pub(super) analyte_code: String,
}

async fn run_intake(opts: &IntakeOptions, run: &mut Run) -> Result<IntakeReport, String> {
    let backend = run.fresh.backend();
    let egret_name = run.fresh.name(&run.id, "egret");
    let plain_name = run.fresh.name(&run.id, "plain");
    let specs = sample_specs(opts.samples);

    // ---- End to end: Egret in this process, one POST over loopback HTTP. ----
    let egret_url = run.fresh.create(&egret_name).await?;
    let egret = Egret::start(&egret_url, &run.data_dir).await?;
    let measured = drive_egret(&egret, opts, &specs).await;
    egret.stop().await;
    let measured = measured?;

    // ---- Baseline: the same rows, plain multi-row INSERTs in one transaction. ----
    let plain_url = run.fresh.create(&plain_name).await?;
    eprintln!(
        "egret bench: plain insert on {} …",
        crate::db::redact(&plain_url)
    );
    let plain = plain_insert(&plain_url, &specs, &measured.orderables).await?;

    Ok(IntakeReport {
        backend,
        samples: opts.samples,
        analyses_per_sample: opts.analyses,
        containers: measured.containers,
        request_bytes: measured.request_bytes,
        response_bytes: measured.response_bytes,
        end_to_end: measured.elapsed,
        plain,
        audit_events_checked: measured.audit_events_checked,
    })
}

struct Measured {
    elapsed: Duration,
    containers: usize,
    request_bytes: usize,
    response_bytes: usize,
    orderables: Vec<Orderable>,
    audit_events_checked: u64,
}

/// Sets up a technician, client and project, then times one `POST /api/v1/work-orders`.
async fn drive_egret(
    egret: &Egret,
    opts: &IntakeOptions,
    specs: &[SampleSpec],
) -> Result<Measured, String> {
    use reqwest::Method;
    let http: &Http = &egret.http;
    let (admin, tech, _) = egret.users(false).await?;
    let (client_id, project_id) = http
        .client_and_project(&tech, "BENCH-GW", "Benchmark groundwater survey")
        .await?;

    // The first `analyses` method_analytes of the matrix, in catalogue order.
    let list = http
        .expect(
            200,
            Method::GET,
            &format!("/api/v1/method-analytes?matrix={MATRIX}&limit=1000"),
            Some(&tech),
            None,
        )
        .await?;
    let all: Vec<Orderable> = list["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|i| {
                    Some(Orderable {
                        id: i["id"].as_str()?.parse().ok()?,
                        method_code: i["method_code"].as_str()?.to_string(),
                        analyte_code: i["analyte_code"].as_str()?.to_string(),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    if all.len() < opts.analyses {
        return Err(format!(
            "the catalogue has {} {MATRIX} method_analytes; --analyses must not exceed that",
            all.len()
        ));
    }
    let orderables: Vec<Orderable> = all.into_iter().take(opts.analyses).collect();
    let ids: Vec<String> = orderables.iter().map(|o| o.id.to_string()).collect();

    let samples: Vec<JsonValue> = specs
        .iter()
        .map(|s| {
            json!({
                "client_sample_id": s.client_sample_id,
                "matrix": MATRIX,
                "collected_at": s.collected_at.to_rfc3339_opts(SecondsFormat::Secs, true),
                "collected_by": "张工",
                "field": s.field,
                "analyses": ids,
            })
        })
        .collect();
    let body = serde_json::to_vec(&json!({
        "client_id": client_id,
        "project_id": project_id,
        "note": "egret bench intake",
        "samples": samples,
    }))
    .map_err(|e| e.to_string())?;
    let request_bytes = body.len();

    eprintln!(
        "egret bench: POST /api/v1/work-orders with {} samples × {} analyses ({:.1} MiB) …",
        specs.len(),
        opts.analyses,
        request_bytes as f64 / 1048576.0
    );
    let started = Instant::now();
    let res = http
        .post_raw("/api/v1/work-orders", &tech, "application/json", body)
        .await?;
    let status = res.status().as_u16();
    let bytes = res
        .bytes()
        .await
        .map_err(|e| format!("POST /api/v1/work-orders: {e}"))?;
    let elapsed = started.elapsed();

    if status != 201 {
        let text = String::from_utf8_lossy(&bytes);
        let cut: String = text.chars().take(2000).collect();
        return Err(format!("POST /api/v1/work-orders answered {status}: {cut}"));
    }
    let created: JsonValue =
        serde_json::from_slice(&bytes).map_err(|e| format!("the answer is not JSON: {e}"))?;
    let got = created["samples"].as_array().map(Vec::len).unwrap_or(0);
    if got != specs.len() {
        return Err(format!(
            "the answer lists {got} samples, not {}",
            specs.len()
        ));
    }
    let mut containers = 0;
    for s in created["samples"].as_array().into_iter().flatten() {
        let a = s["analyses"].as_array().map(Vec::len).unwrap_or(0);
        if a != opts.analyses {
            return Err(format!(
                "sample {} has {a} analyses, not {}",
                s["lab_id"], opts.analyses
            ));
        }
        containers += s["containers"].as_array().map(Vec::len).unwrap_or(0);
    }
    // The chain must hold every event (untimed): one per sample, the work order and the set-up.
    let audit_events_checked = http.verify_audit(&admin).await?;
    if audit_events_checked < specs.len() as u64 {
        return Err(format!(
            "only {audit_events_checked} audit events for {} samples",
            specs.len()
        ));
    }
    Ok(Measured {
        elapsed,
        containers,
        request_bytes,
        response_bytes: bytes.len(),
        orderables,
        audit_events_checked,
    })
}
