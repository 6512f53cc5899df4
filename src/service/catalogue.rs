//! The reference catalogue read side (matrices, analytes, standards and limits, packages) and matrix settings.
use crate::db::Db;
use crate::entity::{
    analyte, matrix, method, method_analyte, package, package_item, standard, standard_limit,
};
use crate::error::{AppError, AppResult};
use crate::service::audit::{self, Actor, Change};
use crate::service::page::{self, Page};
use sea_orm::sea_query::{Expr, ExprTrait, Func};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::HashMap;
use uuid::Uuid;

/// The analyte of every method analyte, by method-analyte id (the catalogue is small: a few hundred rows).
pub async fn analytes_by_method_analyte(
    conn: &impl sea_orm::ConnectionTrait,
) -> AppResult<HashMap<Uuid, analyte::Model>> {
    let analytes: HashMap<Uuid, analyte::Model> = analyte::Entity::find()
        .all(conn)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    Ok(method_analyte::Entity::find()
        .all(conn)
        .await?
        .into_iter()
        .filter_map(|m| Some((m.id, analytes.get(&m.analyte_id)?.clone())))
        .collect())
}

/// How results below the detection limit are written: `0.01L` or `ND`.
pub const BELOW_MDL_STYLES: [&str; 2] = ["mdl_l", "nd"];

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct MatrixView {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub lab_id_prefix: String,
    /// Overrides the lab's default when set.
    pub below_mdl_style: Option<String>,
    pub version: i32,
}

impl From<matrix::Model> for MatrixView {
    fn from(m: matrix::Model) -> MatrixView {
        MatrixView {
            code: m.code,
            name_zh: m.name_zh,
            name_en: m.name_en,
            lab_id_prefix: m.lab_id_prefix,
            below_mdl_style: m.below_mdl_style,
            version: m.version,
        }
    }
}

pub async fn matrices(db: &Db) -> AppResult<Page<MatrixView>> {
    let rows = matrix::Entity::find()
        .order_by_asc(matrix::Column::SortOrder)
        .all(&db.conn)
        .await?;
    Ok(Page {
        items: rows.into_iter().map(MatrixView::from).collect(),
        next_cursor: None,
    })
}

/// `PATCH /matrices/{code}`: `below_mdl_style` (`mdl_l`, `nd`, or null for the lab's default).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MatrixPatch {
    #[serde(default, deserialize_with = "crate::service::patch::present")]
    #[schema(value_type = Option<String>)]
    pub below_mdl_style: Option<Option<String>>,
}

pub async fn patch_matrix(
    db: &Db,
    actor: &Actor,
    code: &str,
    patch: MatrixPatch,
) -> AppResult<MatrixView> {
    if let Some(Some(style)) = &patch.below_mdl_style {
        if !BELOW_MDL_STYLES.contains(&style.as_str()) {
            return Err(AppError::field(
                "below_mdl_style",
                "must be mdl_l (e.g. 0.01L), nd, or null",
            ));
        }
    }
    let tx = db.begin().await?;
    let m = matrix::Entity::find_by_id(code)
        .lock_exclusive()
        .one(&*tx)
        .await?
        .ok_or(AppError::NotFound("matrix".into()))?;
    let Some(style) = patch.below_mdl_style else {
        tx.commit().await?;
        return Ok(m.into());
    };
    let before = json!({"below_mdl_style": m.below_mdl_style});
    let version = m.version;
    let mut am = m.into_active_model();
    am.below_mdl_style = Set(style.clone());
    am.version = Set(version + 1);
    let m = am.update(&*tx).await?;
    audit::record(
        &tx,
        actor,
        Change {
            action: "matrix.update",
            entity: "matrix",
            entity_id: code.to_string(),
            before: Some(before),
            after: Some(json!({"below_mdl_style": style})),
            reason: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(m.into())
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct AnalyteView {
    pub id: Uuid,
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub cas: Option<String>,
    pub default_unit: Option<String>,
}

impl From<analyte::Model> for AnalyteView {
    fn from(a: analyte::Model) -> AnalyteView {
        AnalyteView {
            id: a.id,
            code: a.code,
            name_zh: a.name_zh,
            name_en: a.name_en,
            cas: a.cas,
            default_unit: a.default_unit,
        }
    }
}

/// Analytes by code; `q` matches code, either name or CAS.
pub async fn analytes(
    db: &Db,
    q: Option<&str>,
    cursor: Option<&str>,
    limit: u64,
) -> AppResult<Page<AnalyteView>> {
    let mut query = analyte::Entity::find()
        .order_by_asc(analyte::Column::Code)
        .limit(limit + 1);
    if let Some(q) = q.map(str::trim).filter(|q| !q.is_empty()) {
        let pattern = format!("%{}%", q.to_lowercase());
        query = query.filter(
            Condition::any()
                .add(
                    Expr::expr(Func::lower(Expr::col(analyte::Column::Code))).like(pattern.clone()),
                )
                .add(
                    Expr::expr(Func::lower(Expr::col(analyte::Column::NameEn)))
                        .like(pattern.clone()),
                )
                .add(analyte::Column::NameZh.contains(q))
                .add(analyte::Column::Cas.contains(q)),
        );
    }
    if let Some(after) = page::decode(cursor)? {
        query = query.filter(analyte::Column::Code.gt(after));
    }
    let rows = query
        .all(&db.conn)
        .await?
        .into_iter()
        .map(AnalyteView::from)
        .collect();
    Ok(page::build(rows, limit, |a: &AnalyteView| a.code.clone()))
}

/// Finds an analyte by code or id.
pub async fn find_analyte(db: &Db, key: &str) -> AppResult<Option<analyte::Model>> {
    let by_id = Uuid::parse_str(key).ok();
    let mut cond = Condition::any().add(analyte::Column::Code.eq(key));
    if let Some(id) = by_id {
        cond = cond.add(analyte::Column::Id.eq(id));
    }
    Ok(analyte::Entity::find().filter(cond).one(&db.conn).await?)
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct StandardView {
    pub code: String,
    pub title: String,
    pub title_en: String,
    pub matrix: String,
}

pub async fn standards(db: &Db) -> AppResult<Page<StandardView>> {
    let rows = standard::Entity::find()
        .order_by_asc(standard::Column::Code)
        .all(&db.conn)
        .await?;
    Ok(Page {
        items: rows
            .into_iter()
            .map(|s| StandardView {
                code: s.code,
                title: s.title,
                title_en: s.title_en,
                matrix: s.matrix,
            })
            .collect(),
        next_cursor: None,
    })
}

pub async fn standard(db: &Db, code: &str) -> AppResult<StandardView> {
    let s = standard::Entity::find_by_id(code)
        .one(&db.conn)
        .await?
        .ok_or(AppError::NotFound("standard".into()))?;
    Ok(StandardView {
        code: s.code,
        title: s.title,
        title_en: s.title_en,
        matrix: s.matrix,
    })
}

/// The pH band a GB 15618 limit applies in: `ph_min` exclusive, `ph_max` inclusive.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct LimitConditions {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ph_min: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ph_max: Option<String>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct LimitView {
    pub analyte_code: String,
    pub analyte_name_zh: String,
    pub analyte_name_en: String,
    pub category: String,
    pub kind: String,
    pub unit: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lower: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upper: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lower_inclusive: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upper_inclusive: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conditions: Option<LimitConditions>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub source: String,
    #[serde(skip)]
    pub sort_order: i32,
}

/// A standard's limits in the standard's order, optionally for one analyte (code or id).
pub async fn limits(
    db: &Db,
    code: &str,
    analyte_key: Option<&str>,
    cursor: Option<&str>,
    limit: u64,
) -> AppResult<Page<LimitView>> {
    standard(db, code).await?;
    let mut q = standard_limit::Entity::find()
        .filter(standard_limit::Column::StandardCode.eq(code))
        .order_by_asc(standard_limit::Column::SortOrder)
        .limit(limit + 1);
    if let Some(key) = analyte_key.filter(|k| !k.is_empty()) {
        let Some(a) = find_analyte(db, key).await? else {
            return Ok(Page {
                items: vec![],
                next_cursor: None,
            });
        };
        q = q.filter(standard_limit::Column::AnalyteId.eq(a.id));
    }
    if let Some(after) = page::decode_int(cursor)? {
        q = q.filter(standard_limit::Column::SortOrder.gt(after));
    }
    let rows = q.all(&db.conn).await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.analyte_id).collect();
    let names = analyte_map(db, ids).await?;
    let items = rows
        .into_iter()
        .map(|l| {
            let a = names.get(&l.analyte_id);
            let conditions = (l.ph_min.is_some() || l.ph_max.is_some()).then(|| LimitConditions {
                ph_min: l.ph_min.clone(),
                ph_max: l.ph_max.clone(),
            });
            LimitView {
                analyte_code: a.map(|a| a.code.clone()).unwrap_or_default(),
                analyte_name_zh: a.map(|a| a.name_zh.clone()).unwrap_or_default(),
                analyte_name_en: a.map(|a| a.name_en.clone()).unwrap_or_default(),
                category: l.category,
                kind: l.kind,
                unit: l.unit,
                value: l.value,
                lower: l.lower,
                upper: l.upper,
                lower_inclusive: l.lower_inclusive,
                upper_inclusive: l.upper_inclusive,
                text: l.text,
                conditions,
                note: l.note,
                source: l.source,
                sort_order: l.sort_order,
            }
        })
        .collect();
    Ok(page::build(items, limit, |l: &LimitView| {
        l.sort_order.to_string()
    }))
}

pub async fn analyte_map(db: &Db, ids: Vec<Uuid>) -> AppResult<HashMap<Uuid, analyte::Model>> {
    let mut ids = ids;
    ids.sort();
    ids.dedup();
    let mut out = HashMap::new();
    for chunk in ids.chunks(500) {
        for a in analyte::Entity::find()
            .filter(analyte::Column::Id.is_in(chunk.to_vec()))
            .all(&db.conn)
            .await?
        {
            out.insert(a.id, a);
        }
    }
    Ok(out)
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PackageView {
    pub code: String,
    pub name: String,
    pub matrix: String,
    /// The orderable analysis for each of the package's analytes that has one, in the package's order.
    pub method_analyte_ids: Vec<Uuid>,
    /// Analytes of the package that have no method yet (until the lab adds one).
    pub missing: Vec<String>,
}

/// Packages with their current method_analytes: for each analyte the first candidate method
/// of the package's matrix (catalogue order); the others stay orderable on their own.
pub async fn packages(db: &Db) -> AppResult<Page<PackageView>> {
    let pkgs = package::Entity::find()
        .order_by_asc(package::Column::Code)
        .all(&db.conn)
        .await?;
    let mut items = Vec::new();
    for p in pkgs {
        items.push(resolve_package(db, p).await?);
    }
    Ok(Page {
        items,
        next_cursor: None,
    })
}

pub async fn package(db: &Db, code: &str) -> AppResult<PackageView> {
    let p = package::Entity::find_by_id(code)
        .one(&db.conn)
        .await?
        .ok_or(AppError::NotFound("package".into()))?;
    resolve_package(db, p).await
}

async fn resolve_package(db: &Db, p: package::Model) -> AppResult<PackageView> {
    let items = package_item::Entity::find()
        .filter(package_item::Column::PackageCode.eq(&p.code))
        .order_by_asc(package_item::Column::Position)
        .all(&db.conn)
        .await?;
    let analyte_ids: Vec<Uuid> = items.iter().map(|i| i.analyte_id).collect();
    let methods: HashMap<Uuid, method::Model> = method::Entity::find()
        .filter(method::Column::Matrix.eq(&p.matrix))
        .all(&db.conn)
        .await?
        .into_iter()
        .map(|m| (m.id, m))
        .collect();
    let mut mas: Vec<method_analyte::Model> = method_analyte::Entity::find()
        .filter(method_analyte::Column::AnalyteId.is_in(analyte_ids.clone()))
        .filter(method_analyte::Column::MethodId.is_in(methods.keys().copied().collect::<Vec<_>>()))
        .all(&db.conn)
        .await?;
    mas.sort_by_key(|ma| {
        (
            methods
                .get(&ma.method_id)
                .map(|m| m.sort_order)
                .unwrap_or(i32::MAX),
            ma.sort_order,
        )
    });
    let names = analyte_map(db, analyte_ids).await?;
    let mut ids = Vec::new();
    let mut missing = Vec::new();
    for item in &items {
        match mas.iter().find(|ma| ma.analyte_id == item.analyte_id) {
            Some(ma) => ids.push(ma.id),
            None => missing.push(
                names
                    .get(&item.analyte_id)
                    .map(|a| a.code.clone())
                    .unwrap_or_default(),
            ),
        }
    }
    Ok(PackageView {
        code: p.code,
        name: p.name,
        matrix: p.matrix,
        method_analyte_ids: ids,
        missing,
    })
}
