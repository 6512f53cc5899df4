//! The client portal: a client's work orders with their progress and report revisions.
use super::read::{list, ReportView};
use crate::db::Db;
use crate::error::AppResult;
use crate::service::intake::samples::work_orders;
use crate::service::intake::views::WorkOrderView;
use serde::Serialize;
use uuid::Uuid;

/// One work order as its client follows it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PortalOrder {
    pub work_order: WorkOrderView,
    /// `registered`, `received`, `in_analysis` or `reported`.
    pub stage: &'static str,
    /// Issued and superseded reports, newest first.
    pub reports: Vec<ReportView>,
}

/// Where a work order stands, from its sample counts.
pub fn stage(w: &WorkOrderView) -> &'static str {
    let n = |k: &str| w.sample_counts.get(k).copied().unwrap_or(0);
    let live = w.samples_total - n("rejected");
    if live > 0 && n("reported") == live {
        "reported"
    } else if n("in_analysis") + n("completed") + n("reported") > 0 {
        "in_analysis"
    } else if live > 0 && n("registered") == 0 {
        "received"
    } else {
        "registered"
    }
}

/// The newest 100 work orders of `client`, each with its stage and reports.
pub async fn orders(db: &Db, client: Uuid) -> AppResult<Vec<PortalOrder>> {
    let page = work_orders(db, Some(client), None, None, None, 100).await?;
    let mut out = Vec::new();
    for w in page.items {
        let reports = list(db, w.id, Some(client)).await?;
        out.push(PortalOrder {
            stage: stage(&w),
            work_order: w,
            reports,
        });
    }
    Ok(out)
}
