//! The results a work order's issued reports carry, as CSV (UTF-8 with BOM, for Excel) and XLSX:
//! taken from the current revisions' content snapshots, so nothing unreported can leak out.
use crate::db::Db;
use crate::domain::report::{ReportContent, ReportStatus};
use crate::entity::{report, work_order};
use crate::error::{AppError, AppResult};
use rust_xlsxwriter::{Format, Workbook};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use std::collections::HashSet;
use uuid::Uuid;

/// Column headings, bilingual.
const HEADINGS: [&str; 14] = [
    "报告编号 report_number",
    "样品编号 lab_id",
    "客户样品编号 client_sample_id",
    "点位 point",
    "样品类型 matrix",
    "采样时间 collected_at",
    "项目代码 analyte_code",
    "检测项目 analyte",
    "analyte_en",
    "CAS",
    "方法 method",
    "单位 unit",
    "检出限 mdl",
    "结果 result",
];

/// One row per sample × analyte of the work order's current issued reports; a sample in several
/// current reports (an interim, then the final one) is taken from the latest issued.
pub async fn rows(
    db: &Db,
    work_order_id: Uuid,
    scope: Option<Uuid>,
) -> AppResult<(String, Vec<Vec<String>>)> {
    let wo = work_order::Entity::find_by_id(work_order_id)
        .one(&db.conn)
        .await?
        .ok_or_else(|| AppError::NotFound("work order".into()))?;
    if scope.is_some_and(|c| c != wo.client_id) {
        return Err(AppError::NotFound("work order".into()));
    }
    let reports = report::Entity::find()
        .filter(report::Column::WorkOrderId.eq(work_order_id))
        .filter(report::Column::Status.eq(ReportStatus::Issued.as_str()))
        .order_by_desc(report::Column::IssuedAt)
        .all(&db.conn)
        .await?;
    let mut seen: HashSet<String> = HashSet::new();
    let mut out = Vec::new();
    for r in reports {
        let content: ReportContent = serde_json::from_str(&r.content_json)
            .map_err(|e| AppError::Internal(format!("report content: {e}")))?;
        let number = r.number.clone().unwrap_or_default();
        for s in &content.samples {
            if !seen.insert(s.lab_id.clone()) {
                continue;
            }
            for l in &s.results {
                let mut row = vec![
                    number.clone(),
                    s.lab_id.clone(),
                    s.client_sample_id.clone(),
                    s.point_code.clone().unwrap_or_default(),
                    s.matrix_zh.clone(),
                    s.collected_at.clone(),
                    l.analyte_code.clone(),
                    l.analyte_zh.clone(),
                    l.analyte_en.clone(),
                    l.cas.clone().unwrap_or_default(),
                    l.method_code.clone(),
                    l.unit.clone(),
                    l.mdl.clone().unwrap_or_default(),
                    l.reported.clone(),
                ];
                row.push(
                    l.verdicts
                        .iter()
                        .map(|v| format!("{}: {}", v.standard, v.label_zh))
                        .collect::<Vec<_>>()
                        .join("; "),
                );
                out.push(row);
            }
        }
    }
    out.sort_by(|a, b| (&a[1], &a[0]).cmp(&(&b[1], &b[0])));
    Ok((wo.number, out))
}

fn headings() -> Vec<&'static str> {
    let mut h = HEADINGS.to_vec();
    h.push("评价 evaluation");
    h
}

/// CSV bytes, UTF-8 with a byte-order mark so Excel reads the Chinese text.
pub fn csv(rows: &[Vec<String>]) -> AppResult<Vec<u8>> {
    let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    w.write_record(headings())
        .map_err(|e| AppError::Internal(e.to_string()))?;
    for r in rows {
        w.write_record(r)
            .map_err(|e| AppError::Internal(e.to_string()))?;
    }
    w.into_inner()
        .map_err(|e| AppError::Internal(e.to_string()))
}

/// An XLSX workbook with one sheet of the same rows; every cell is text (results such as
/// `0.01L` or `ND` and exact decimals stay exactly as reported).
pub fn xlsx(work_order: &str, rows: &[Vec<String>]) -> AppResult<Vec<u8>> {
    let err = |e: rust_xlsxwriter::XlsxError| AppError::Internal(format!("xlsx: {e}"));
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let sheet = book.add_worksheet();
    sheet.set_name("results").map_err(err)?;
    for (c, h) in headings().iter().enumerate() {
        sheet
            .write_string_with_format(0, c as u16, *h, &bold)
            .map_err(err)?;
    }
    for (i, r) in rows.iter().enumerate() {
        for (c, v) in r.iter().enumerate() {
            sheet.write_string(i as u32 + 1, c as u16, v).map_err(err)?;
        }
    }
    sheet.set_freeze_panes(1, 0).map_err(err)?;
    book.set_properties(&rust_xlsxwriter::DocProperties::new().set_title(work_order));
    book.save_to_buffer().map_err(err)
}
