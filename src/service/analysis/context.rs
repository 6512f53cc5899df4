//! Everything one batch's rules need, loaded in one go: method, analytes, analyses, samples, QC, results.
use crate::domain::qc_rule::QcRule;
use crate::domain::result_value::BelowStyle;
use crate::entity::{
    analysis, analyte, app_user, batch, lab_profile, matrix, method, method_analyte, qc_reason,
    qc_sample, result, sample, signature,
};
use crate::error::{AppError, AppResult};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::HashMap;
use uuid::Uuid;

/// A batch and everything around it.
#[derive(Clone, Debug)]
pub struct BatchCtx {
    pub batch: batch::Model,
    pub method: method::Model,
    pub analyst: Option<String>,
    /// The method analytes the batch's analyses use, in the method's order.
    pub mas: Vec<method_analyte::Model>,
    pub analytes: HashMap<Uuid, analyte::Model>,
    /// The batch's analyses, in batch order.
    pub analyses: Vec<analysis::Model>,
    pub samples: HashMap<Uuid, sample::Model>,
    pub qcs: Vec<qc_sample::Model>,
    pub results: Vec<result::Model>,
    pub reasons: Vec<qc_reason::Model>,
    /// The batch's electronic signatures, oldest first.
    pub signatures: Vec<signature::Model>,
    pub below_style: BelowStyle,
    index: Index,
}

/// Lookups by key into the vectors of a [`BatchCtx`]; rebuilt by [`BatchCtx::reindex`].
#[derive(Clone, Debug, Default)]
struct Index {
    analysis: HashMap<Uuid, usize>,
    by_sample_ma: HashMap<(Uuid, Uuid), usize>,
    result_of_analysis: HashMap<Uuid, usize>,
    result_of_qc: HashMap<(Uuid, Uuid), usize>,
}

pub fn not_found() -> AppError {
    AppError::NotFound("batch".into())
}

/// Loads a batch; `lock` takes its row lock first (PostgreSQL; SQLite writers already queue).
pub async fn load(conn: &impl ConnectionTrait, id: Uuid, lock: bool) -> AppResult<BatchCtx> {
    let mut q = batch::Entity::find_by_id(id);
    if lock {
        q = q.lock_exclusive();
    }
    let b = q.one(conn).await?.ok_or_else(not_found)?;
    let method = method::Entity::find_by_id(b.method_id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::Internal("batch without method".into()))?;
    let analyses = analysis::Entity::find()
        .filter(analysis::Column::BatchId.eq(b.id))
        .order_by_asc(analysis::Column::BatchPosition)
        .order_by_asc(analysis::Column::Id)
        .all(conn)
        .await?;
    let ma_ids: Vec<Uuid> = {
        let mut v: Vec<Uuid> = analyses.iter().map(|a| a.method_analyte_id).collect();
        v.sort();
        v.dedup();
        v
    };
    let mas = method_analyte::Entity::find()
        .filter(method_analyte::Column::Id.is_in(ma_ids))
        .order_by_asc(method_analyte::Column::SortOrder)
        .order_by_asc(method_analyte::Column::Id)
        .all(conn)
        .await?;
    let analytes = analyte::Entity::find()
        .filter(analyte::Column::Id.is_in(mas.iter().map(|m| m.analyte_id).collect::<Vec<_>>()))
        .all(conn)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    let mut sample_ids: Vec<Uuid> = analyses.iter().map(|a| a.sample_id).collect();
    let qcs = qc_sample::Entity::find()
        .filter(qc_sample::Column::BatchId.eq(b.id))
        .order_by_asc(qc_sample::Column::Position)
        .all(conn)
        .await?;
    sample_ids.extend(qcs.iter().filter_map(|q| q.of_sample_id));
    sample_ids.sort();
    sample_ids.dedup();
    let samples = sample::Entity::find()
        .filter(sample::Column::Id.is_in(sample_ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let results = result::Entity::find()
        .filter(result::Column::BatchId.eq(b.id))
        .all(conn)
        .await?;
    let reasons = qc_reason::Entity::find()
        .filter(qc_reason::Column::BatchId.eq(b.id))
        .order_by_asc(qc_reason::Column::GivenAt)
        .all(conn)
        .await?;
    let signatures = signature::Entity::find()
        .filter(signature::Column::Entity.eq("batch"))
        .filter(signature::Column::EntityId.eq(b.id))
        .order_by_asc(signature::Column::SignedAt)
        .all(conn)
        .await?;
    let analyst = app_user::Entity::find_by_id(b.analyst_id)
        .one(conn)
        .await?
        .map(|u| u.display_name);
    let below_style = below_style(conn, &method.matrix).await?;
    let mut ctx = BatchCtx {
        batch: b,
        method,
        analyst,
        mas,
        analytes,
        analyses,
        samples,
        qcs,
        results,
        reasons,
        signatures,
        below_style,
        index: Index::default(),
    };
    ctx.reindex();
    Ok(ctx)
}

/// How results below the detection limit are reported: the matrix's setting, else the lab's.
pub async fn below_style(conn: &impl ConnectionTrait, matrix_code: &str) -> AppResult<BelowStyle> {
    let m = matrix::Entity::find_by_id(matrix_code.to_string())
        .one(conn)
        .await?
        .and_then(|m| m.below_mdl_style);
    let style = match m {
        Some(s) => s,
        None => lab_profile::Entity::find()
            .one(conn)
            .await?
            .map(|l| l.below_mdl_style)
            .unwrap_or_else(|| "mdl_l".into()),
    };
    Ok(if style == "nd" {
        BelowStyle::Nd
    } else {
        BelowStyle::MdlL
    })
}

/// The setting's word for a below-MDL style, as results store it.
pub fn style_word(s: BelowStyle) -> &'static str {
    match s {
        BelowStyle::Nd => "nd",
        BelowStyle::MdlL => "mdl_l",
    }
}

impl BatchCtx {
    /// Rebuilds the lookups after `analyses` or `results` changed.
    pub fn reindex(&mut self) {
        let mut ix = Index::default();
        for (i, a) in self.analyses.iter().enumerate() {
            ix.analysis.insert(a.id, i);
            ix.by_sample_ma
                .insert((a.sample_id, a.method_analyte_id), i);
        }
        for (i, r) in self.results.iter().enumerate() {
            match (r.analysis_id, r.qc_id) {
                (Some(a), _) => {
                    ix.result_of_analysis.insert(a, i);
                }
                (None, Some(q)) => {
                    ix.result_of_qc.insert((q, r.method_analyte_id), i);
                }
                _ => {}
            }
        }
        self.index = ix;
    }

    /// Puts a written result in place of the one with its id (or adds it), keeping the lookups.
    pub fn merge(&mut self, m: result::Model) {
        let at = match (m.analysis_id, m.qc_id) {
            (Some(a), _) => self.index.result_of_analysis.get(&a).copied(),
            (None, Some(q)) => self
                .index
                .result_of_qc
                .get(&(q, m.method_analyte_id))
                .copied(),
            _ => None,
        };
        match at {
            Some(i) => self.results[i] = m,
            None => {
                let i = self.results.len();
                match (m.analysis_id, m.qc_id) {
                    (Some(a), _) => {
                        self.index.result_of_analysis.insert(a, i);
                    }
                    (None, Some(q)) => {
                        self.index.result_of_qc.insert((q, m.method_analyte_id), i);
                    }
                    _ => {}
                }
                self.results.push(m);
            }
        }
    }

    pub fn analysis(&self, id: Uuid) -> Option<&analysis::Model> {
        self.index.analysis.get(&id).map(|i| &self.analyses[*i])
    }

    pub fn analysis_mut(&mut self, id: Uuid) -> Option<&mut analysis::Model> {
        self.index.analysis.get(&id).map(|i| &mut self.analyses[*i])
    }

    pub fn ma(&self, id: Uuid) -> Option<&method_analyte::Model> {
        self.mas.iter().find(|m| m.id == id)
    }

    pub fn analyte_code(&self, ma_id: Uuid) -> String {
        self.ma(ma_id)
            .and_then(|m| self.analytes.get(&m.analyte_id))
            .map(|a| a.code.clone())
            .unwrap_or_default()
    }

    pub fn rules(&self, ma_id: Uuid) -> Vec<QcRule> {
        self.ma(ma_id)
            .and_then(|m| serde_json::from_str(&m.qc_rules).ok())
            .unwrap_or_default()
    }

    pub fn result_of_analysis(&self, analysis_id: Uuid) -> Option<&result::Model> {
        self.index
            .result_of_analysis
            .get(&analysis_id)
            .map(|i| &self.results[*i])
    }

    pub fn result_of_qc(&self, qc_id: Uuid, ma_id: Uuid) -> Option<&result::Model> {
        self.index
            .result_of_qc
            .get(&(qc_id, ma_id))
            .map(|i| &self.results[*i])
    }

    /// The analysis of `sample_id` for `ma_id` in this batch.
    pub fn analysis_of(&self, sample_id: Uuid, ma_id: Uuid) -> Option<&analysis::Model> {
        self.index
            .by_sample_ma
            .get(&(sample_id, ma_id))
            .map(|i| &self.analyses[*i])
    }

    pub fn lab_id(&self, sample_id: Uuid) -> String {
        self.samples
            .get(&sample_id)
            .map(|s| s.lab_id.clone())
            .unwrap_or_default()
    }

    /// The distinct samples of the batch, in batch order.
    pub fn sample_ids(&self) -> Vec<Uuid> {
        let mut out: Vec<Uuid> = Vec::new();
        for a in &self.analyses {
            if !out.contains(&a.sample_id) {
                out.push(a.sample_id);
            }
        }
        out
    }

    pub fn is_open(&self) -> bool {
        self.batch.status == "open"
    }
}
