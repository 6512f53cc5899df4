//! Instrument export import: CSV (UTF-8 or GBK) mapped by an instrument profile onto the batch's
//! samples, QC samples and analytes, then written like typed results, all or nothing.
use super::context::{self, BatchCtx};
use super::profiles::{self, Mapping};
use super::results::{apply, ResultRow, RowRef};
use super::views::{batch_view, BatchView};
use crate::config::Config;
use crate::db::Db;
use crate::domain::decimal::normalise_unit;
use crate::error::{AppError, AppResult, FieldError};
use crate::service::audit::Actor;
use crate::service::input::DecText;
use crate::service::intake::csv_import::decode;
use std::collections::HashMap;
use uuid::Uuid;

/// Egret's columns of an instrument file.
pub const COLUMNS: [&str; 6] = [
    "sample",
    "analyte",
    "value",
    "unit",
    "dilution_factor",
    "analysed_at",
];

/// Where a result of the batch goes, by sample (or QC label) and analyte.
enum Place {
    Analysis(Uuid),
    Qc(Uuid, Uuid),
}

fn resolve(
    ctx: &BatchCtx,
    by_code: &HashMap<String, Uuid>,
    row: usize,
    sample: &str,
    analyte: &str,
    errors: &mut Vec<FieldError>,
) -> Option<(Place, Uuid)> {
    let cell = |c: &str| RowRef::Csv(row).field(c);
    let ma = by_code.get(&analyte.trim().to_lowercase()).copied();
    if ma.is_none() {
        errors.push(FieldError::new(
            cell("analyte"),
            format!(
                "'{analyte}' is not an analyte of batch {} ({})",
                ctx.batch.number, ctx.method.code
            ),
        ));
    }
    let sample = sample.trim();
    let place = if let Some(s) = ctx.samples.values().find(|s| s.lab_id == sample) {
        let ma = ma?;
        match ctx.analysis_of(s.id, ma) {
            Some(a) => Place::Analysis(a.id),
            None => {
                errors.push(FieldError::new(
                    cell("analyte"),
                    format!("sample {sample} has no {analyte} analysis in this batch"),
                ));
                return None;
            }
        }
    } else if let Some(q) = ctx.qcs.iter().find(|q| q.label == sample) {
        Place::Qc(q.id, ma?)
    } else {
        errors.push(FieldError::new(
            cell("sample"),
            format!(
                "'{sample}' is neither a sample nor a QC label of batch {}",
                ctx.batch.number
            ),
        ));
        return None;
    };
    Some((place, ma?))
}

/// Reads the file's rows into result rows, with the errors of the rows that could not be placed
/// (row and column named).
pub fn parse(
    ctx: &BatchCtx,
    text: &str,
    mapping: &Mapping,
) -> (Vec<(RowRef, ResultRow)>, Vec<FieldError>) {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|c| c.trim().to_lowercase()).collect(),
        Err(e) => {
            return (
                Vec::new(),
                vec![FieldError::new(
                    "file",
                    format!("the header row cannot be read: {e}"),
                )],
            )
        }
    };
    let mut col: HashMap<&str, usize> = HashMap::new();
    let mut errors = Vec::new();
    for c in COLUMNS {
        let name = mapping.column(c).to_lowercase();
        match headers.iter().position(|h| *h == name) {
            Some(i) => {
                col.insert(c, i);
            }
            None if matches!(c, "sample" | "analyte" | "value") => errors.push(FieldError::new(
                format!("row 1, column {name}"),
                format!(
                    "the file has no '{name}' column (Egret's '{c}'); its columns are: {}",
                    headers.join(", ")
                ),
            )),
            None => {}
        }
    }
    if !errors.is_empty() {
        return (Vec::new(), errors);
    }
    // Analytes by code, Chinese name or English name.
    let mut by_code: HashMap<String, Uuid> = HashMap::new();
    for ma in &ctx.mas {
        if let Some(a) = ctx.analytes.get(&ma.analyte_id) {
            for k in [&a.code, &a.name_zh, &a.name_en] {
                by_code.entry(k.trim().to_lowercase()).or_insert(ma.id);
            }
        }
    }
    let mut out = Vec::new();
    for (i, rec) in reader.records().enumerate() {
        let line = i + 2;
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                errors.push(FieldError::new(
                    format!("row {line}"),
                    format!("cannot be read: {e}"),
                ));
                continue;
            }
        };
        if rec.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let get = |c: &str| {
            col.get(c)
                .and_then(|i| rec.get(*i))
                .map(str::trim)
                .filter(|v| !v.is_empty())
        };
        let sample = get("sample").unwrap_or_default();
        let analyte = get("analyte").unwrap_or_default();
        let Some((place, ma_id)) = resolve(ctx, &by_code, line, sample, analyte, &mut errors)
        else {
            continue;
        };
        if let (Some(u), Some(ma)) = (get("unit"), ctx.ma(ma_id)) {
            if normalise_unit(u) != normalise_unit(&ma.unit) {
                errors.push(FieldError::new(
                    RowRef::Csv(line).field("unit"),
                    format!(
                        "is '{u}' but {analyte} is reported in {} by {}",
                        ma.unit, ctx.method.code
                    ),
                ));
                continue;
            }
        }
        let mut row = ResultRow {
            value: Some(DecText(get("value").unwrap_or_default().to_string())),
            dilution_factor: get("dilution_factor").map(|v| DecText(v.to_string())),
            analysed_at: get("analysed_at").map(str::to_string),
            ..ResultRow::default()
        };
        match place {
            Place::Analysis(a) => row.analysis_id = Some(a),
            Place::Qc(q, m) => {
                row.qc_id = Some(q);
                row.method_analyte_id = Some(m);
            }
        }
        out.push((RowRef::Csv(line), row));
    }
    if out.is_empty() && errors.is_empty() {
        errors.push(FieldError::new("file", "the file has no result rows"));
    }
    (out, errors)
}

/// The row number an error names (`row 12, column value` → 12), for listing errors in file order.
fn row_of(e: &FieldError) -> usize {
    e.field
        .strip_prefix("row ")
        .and_then(|r| r.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// `POST /batches/{id}/results.csv`.
pub async fn import(
    db: &Db,
    cfg: &Config,
    actor: &Actor,
    id: Uuid,
    profile: Option<&str>,
    bytes: &[u8],
) -> AppResult<BatchView> {
    let text = decode(bytes).map_err(|e| AppError::field("file", e))?;
    let mapping = match profile {
        Some(p) => profiles::find(db, p).await?.mapping()?,
        None => Mapping::default(),
    };
    let tx = db.begin().await?;
    let ctx = context::load(&*tx, id, true).await?;
    super::results::check_open(&ctx)?;
    let (rows, mut errors) = parse(&ctx, &text, &mapping);
    if !errors.is_empty() {
        // List the value errors of the rows that could be placed too, so one round fixes the file.
        // Nothing is committed: the transaction is dropped.
        if !rows.is_empty() {
            match apply(&tx, cfg, actor, ctx, rows, false, "batch.import").await {
                Err(AppError::Invalid(more)) => errors.extend(more),
                Err(other) => return Err(other),
                Ok(_) => {}
            }
        }
        errors.sort_by_key(row_of);
        return Err(AppError::Invalid(errors));
    }
    let ctx = apply(&tx, cfg, actor, ctx, rows, false, "batch.import").await?;
    tx.commit().await?;
    Ok(batch_view(&ctx))
}
