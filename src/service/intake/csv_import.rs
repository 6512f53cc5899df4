//! Sample lists from spreadsheets: CSV in UTF-8 (with or without BOM) or GBK/GB18030, columns in any
//! order, errors by row and column, all or nothing.
use super::registration::{self, NewSample};
use super::views::SampleCreated;
use crate::config::Config;
use crate::db::Db;
use crate::entity::{sampling_point, work_order};
use crate::error::{AppError, AppResult, FieldError};
use crate::service::audit::Actor;
use crate::service::input::DecText;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

/// The columns a sample list may have, besides `field.<item>` columns.
pub const COLUMNS: [&str; 9] = [
    "client_sample_id",
    "matrix",
    "sampling_point",
    "collected_at",
    "collected_by",
    "depth_top_m",
    "depth_bottom_m",
    "packages",
    "analyses",
];

/// The downloadable template: the header and one example row.
pub fn template() -> String {
    let mut out = COLUMNS.join(",");
    out.push_str(",field.ph,field.water_level_m\n");
    out.push_str("MW-01,groundwater,,2026-11-28 09:30,张三,,,GBT14848-conventional39,,7.2,3.15\n");
    out
}

/// Decodes the bytes of an uploaded file: UTF-8 (BOM dropped) or, failing that, GB18030 (a superset of GBK).
pub fn decode(bytes: &[u8]) -> Result<String, String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Ok(s.to_string());
    }
    let (text, _, had_errors) = encoding_rs::GB18030.decode(bytes);
    if had_errors {
        return Err(
            "the file is neither UTF-8 nor GBK/GB18030 text: save it as CSV (UTF-8) and try again"
                .into(),
        );
    }
    Ok(text.into_owned())
}

fn cell_name(row: usize, column: &str) -> String {
    format!("row {row}, column {column}")
}

/// Reads the CSV into samples, each with the file's row it came from (the header is row 1; rows
/// are the file's lines, as a spreadsheet numbers them, blank ones included); errors name row and column.
pub fn parse(
    text: &str,
    points: &HashMap<String, Uuid>,
) -> Result<Vec<(usize, NewSample)>, Vec<FieldError>> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|c| c.trim().to_lowercase()).collect(),
        Err(e) => {
            return Err(vec![FieldError::new(
                "file",
                format!("the header row cannot be read: {e}"),
            )])
        }
    };
    let mut errors = Vec::new();
    for (i, h) in headers.iter().enumerate() {
        if !COLUMNS.contains(&h.as_str()) && !h.starts_with("field.") {
            errors.push(FieldError::new(
                cell_name(1, h),
                format!(
                    "unknown column '{h}' (known: {}, field.<item>)",
                    COLUMNS.join(", ")
                ),
            ));
        }
        if headers[..i].contains(h) {
            errors.push(FieldError::new(cell_name(1, h), "the column appears twice"));
        }
    }
    for required in ["client_sample_id", "matrix", "collected_at", "collected_by"] {
        if !headers.iter().any(|h| h == required) {
            errors.push(FieldError::new(
                cell_name(1, required),
                "this column is required",
            ));
        }
    }
    if !headers.iter().any(|h| h == "packages" || h == "analyses") {
        errors.push(FieldError::new(
            cell_name(1, "packages"),
            "a packages or analyses column is required",
        ));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut samples = Vec::new();
    // The csv reader skips blank lines (and a quoted cell may span lines): the row is the line
    // the record starts on, counted from its byte offset.
    let (mut seen_byte, mut seen_line) = (0usize, 1usize);
    for (i, record) in reader.records().enumerate() {
        let start = match &record {
            Ok(r) => r.position(),
            Err(e) => e.position(),
        };
        // A record's position is where the reader began, before the blank lines it skipped.
        let first_cell = start.map(|p| {
            let from = (p.byte() as usize).min(text.len());
            from + text.as_bytes()[from..]
                .iter()
                .take_while(|b| matches!(b, b'\n' | b'\r'))
                .count()
        });
        let row = match first_cell {
            Some(byte) if byte >= seen_byte => {
                seen_line += text.as_bytes()[seen_byte..byte]
                    .iter()
                    .filter(|b| **b == b'\n')
                    .count();
                seen_byte = byte;
                seen_line
            }
            _ => i + 2,
        };
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let msg = match e.kind() {
                    csv::ErrorKind::UnequalLengths {
                        len, expected_len, ..
                    } => {
                        format!("the row has {len} cells but the header has {expected_len}")
                    }
                    _ => e.to_string(),
                };
                errors.push(FieldError::new(format!("row {row}"), msg));
                continue;
            }
        };
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let get = |col: &str| {
            headers
                .iter()
                .position(|h| h == col)
                .and_then(|p| record.get(p))
                .unwrap_or("")
                .trim()
                .to_string()
        };
        let opt = |col: &str| Some(get(col)).filter(|v| !v.is_empty());
        let list = |col: &str| {
            get(col)
                .split(';')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect::<Vec<_>>()
        };
        let mut s = NewSample {
            client_sample_id: get("client_sample_id"),
            matrix: get("matrix"),
            collected_at: get("collected_at"),
            collected_by: get("collected_by"),
            depth_top_m: opt("depth_top_m").map(DecText),
            depth_bottom_m: opt("depth_bottom_m").map(DecText),
            packages: Some(list("packages")),
            ..NewSample::default()
        };
        if let Some(code) = opt("sampling_point") {
            match points.get(&code) {
                Some(id) => s.sampling_point_id = Some(*id),
                None => errors.push(FieldError::new(
                    cell_name(row, "sampling_point"),
                    format!("no sampling point '{code}' in this project"),
                )),
            }
        }
        let mut ids = Vec::new();
        for raw in list("analyses") {
            match Uuid::parse_str(&raw) {
                Ok(id) => ids.push(id),
                Err(_) => errors.push(FieldError::new(
                    cell_name(row, "analyses"),
                    format!("'{raw}' is not a method_analyte id"),
                )),
            }
        }
        s.analyses = Some(ids);
        let field: BTreeMap<String, serde_json::Value> = headers
            .iter()
            .zip(record.iter())
            .filter_map(|(h, v)| h.strip_prefix("field.").map(|n| (n.to_string(), v.trim())))
            .filter(|(_, v)| !v.is_empty())
            .map(|(n, v)| (n, serde_json::Value::String(v.to_string())))
            .collect();
        s.field = Some(field);
        samples.push((row, s));
    }
    if errors.is_empty() {
        Ok(samples)
    } else {
        Err(errors)
    }
}

/// Adds the samples of a CSV file to a work order.
pub async fn import(
    db: &Db,
    cfg: &Config,
    actor: &Actor,
    work_order_id: Uuid,
    bytes: &[u8],
) -> AppResult<Vec<SampleCreated>> {
    let wo = work_order::Entity::find_by_id(work_order_id)
        .one(&db.conn)
        .await?
        .ok_or(AppError::NotFound("work order".into()))?;
    let text = decode(bytes).map_err(|e| AppError::field("file", e))?;
    let points: HashMap<String, Uuid> = sampling_point::Entity::find()
        .filter(sampling_point::Column::ProjectId.eq(wo.project_id))
        .all(&db.conn)
        .await?
        .into_iter()
        .map(|p| (p.code, p.id))
        .collect();
    let (rows, samples): (Vec<usize>, Vec<NewSample>) = parse(&text, &points)
        .map_err(AppError::Invalid)?
        .into_iter()
        .unzip();
    let column = |f: &str| -> String {
        let base = f.split(['[', '.']).next().unwrap_or(f);
        match base {
            "field" => f.to_string(),
            "sampling_point_id" => "sampling_point".into(),
            other => other.to_string(),
        }
    };
    registration::add_samples(db, cfg, actor, wo.id, samples, &|i, f| {
        cell_name(rows.get(i).copied().unwrap_or(i + 2), &column(f))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_bom_and_gbk_decode() {
        assert_eq!(decode("\u{FEFF}a,b".as_bytes()).unwrap(), "a,b");
        let (gbk, _, _) = encoding_rs::GBK.encode("张三,土壤");
        assert_eq!(decode(&gbk).unwrap(), "张三,土壤");
        assert!(decode(&[0xFF, 0xFF, 0xFF]).is_err());
    }

    #[test]
    fn columns_in_any_order_and_errors_by_row() {
        let text = "matrix,client_sample_id,collected_by,collected_at,packages,field.ph\nsoil,S1,王,2026/11/28 9:30,GB36600-basic45,\n";
        let s = parse(text, &HashMap::new()).unwrap();
        assert_eq!(s[0].0, 2);
        let s = &s[0].1;
        assert_eq!(s.client_sample_id, "S1");
        assert_eq!(
            s.packages.as_deref(),
            Some(&["GB36600-basic45".to_string()][..])
        );
        let bad =
            "client_sample_id,matrix,collected_at,collected_by,packages,colour\nS1,soil,x,y,z,w\n";
        let e = parse(bad, &HashMap::new()).unwrap_err();
        assert_eq!(e[0].field, "row 1, column colour");
        let ragged = "client_sample_id,matrix,collected_at,collected_by,packages\nS1,soil,2026-11-28 09:30,王\n";
        let e = parse(ragged, &HashMap::new()).unwrap_err();
        assert_eq!(e[0].field, "row 2");
        let gap = "client_sample_id,matrix,collected_at,collected_by,packages\n\nS1,soil,2026-11-28 09:30,王,P\n";
        assert_eq!(parse(gap, &HashMap::new()).unwrap()[0].0, 3);
    }
}
