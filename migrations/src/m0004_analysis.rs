//! Analysis schema: batches, QC samples, results, QC-failure reasons and instrument profiles;
//! "sum of" and scientific notation on method_analytes; the HJ 613 dry-matter method.
use crate::sql;
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, Statement, Value};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0004_analysis"
    }
}

const SCHEMA: &str = r#"
ALTER TABLE method_analyte ADD COLUMN sum_of TEXT NULL
--;
ALTER TABLE method_analyte ADD COLUMN scientific {bool} NOT NULL DEFAULT FALSE
--;
CREATE TABLE batch (
    id {uuid} PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    method_id {uuid} NOT NULL REFERENCES method(id),
    analyst_id {uuid} NOT NULL REFERENCES app_user(id),
    status TEXT NOT NULL,
    qc_failed {bool} NOT NULL,
    note TEXT NULL,
    created_at {ts} NOT NULL,
    submitted_at {ts} NULL,
    submitted_by {uuid} NULL REFERENCES app_user(id),
    version INTEGER NOT NULL
)
--;
CREATE INDEX batch_status ON batch(status, method_id)
--;
ALTER TABLE analysis ADD COLUMN batch_id {uuid} NULL REFERENCES batch(id)
--;
ALTER TABLE analysis ADD COLUMN batch_position INTEGER NULL
--;
ALTER TABLE analysis ADD COLUMN qc_failed {bool} NOT NULL DEFAULT FALSE
--;
CREATE INDEX analysis_batch ON analysis(batch_id)
--;
CREATE TABLE qc_sample (
    id {uuid} PRIMARY KEY,
    batch_id {uuid} NOT NULL REFERENCES batch(id),
    kind TEXT NOT NULL,
    label TEXT NOT NULL,
    of_sample_id {uuid} NULL REFERENCES sample(id),
    position INTEGER NOT NULL,
    created_at {ts} NOT NULL,
    UNIQUE (batch_id, label)
)
--;
CREATE TABLE result (
    id {uuid} PRIMARY KEY,
    batch_id {uuid} NOT NULL REFERENCES batch(id),
    analysis_id {uuid} NULL UNIQUE REFERENCES analysis(id),
    qc_id {uuid} NULL REFERENCES qc_sample(id),
    method_analyte_id {uuid} NOT NULL REFERENCES method_analyte(id),
    value TEXT NOT NULL,
    inputs_json TEXT NULL,
    dilution_factor TEXT NOT NULL,
    final_value TEXT NULL,
    below_mdl {bool} NOT NULL,
    reported TEXT NOT NULL,
    computed {bool} NOT NULL,
    unit TEXT NOT NULL,
    mdl TEXT NULL,
    decimals INTEGER NULL,
    significant_figures INTEGER NULL,
    scientific {bool} NOT NULL,
    below_style TEXT NOT NULL,
    analysed_at {ts} NOT NULL,
    qualifier TEXT NULL,
    comment TEXT NULL,
    spike_amount TEXT NULL,
    certified_value TEXT NULL,
    certified_min TEXT NULL,
    certified_max TEXT NULL,
    entered_by {uuid} NULL REFERENCES app_user(id),
    entered_at {ts} NOT NULL,
    version INTEGER NOT NULL,
    UNIQUE (qc_id, method_analyte_id)
)
--;
CREATE INDEX result_batch ON result(batch_id)
--;
CREATE TABLE qc_reason (
    id {uuid} PRIMARY KEY,
    batch_id {uuid} NOT NULL REFERENCES batch(id),
    qc_id {uuid} NOT NULL REFERENCES qc_sample(id),
    method_analyte_id {uuid} NOT NULL REFERENCES method_analyte(id),
    metric TEXT NOT NULL,
    value TEXT NULL,
    reason TEXT NOT NULL,
    given_by {uuid} NULL REFERENCES app_user(id),
    given_at {ts} NOT NULL
)
--;
CREATE INDEX qc_reason_batch ON qc_reason(batch_id)
--;
CREATE TABLE instrument_profile (
    id {uuid} PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    mapping TEXT NOT NULL,
    created_by {uuid} NULL REFERENCES app_user(id),
    created_at {ts} NOT NULL,
    version INTEGER NOT NULL
)
"#;

/// Adds soil dry matter (HJ 613-2011, gravimetric) so digest formulas can use the sample's own
/// dry-matter result. Its reporting precision is left for the lab to set.
async fn seed_dry_matter(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    let conn = manager.get_connection();
    let backend = manager.get_database_backend();
    let analyte = uuid::Uuid::now_v7();
    let method = uuid::Uuid::now_v7();
    let ma = uuid::Uuid::now_v7();
    let sort: i32 = 10_000;
    let stmts: Vec<(&str, Vec<Value>)> = vec![
        (
            "INSERT INTO analyte (id, code, name_zh, name_en, cas, default_unit) VALUES ($1, 'dry_matter', '干物质', 'Dry matter', NULL, '%')",
            vec![analyte.into()],
        ),
        (
            "INSERT INTO method (id, key, code, title, matrix, technique, status, source, sort_order, version) \
             VALUES ($1, 'hj613-2011-soil', 'HJ 613-2011', '土壤 干物质和水分的测定 重量法', 'soil', 'gravimetric', \
             'candidate — lab to confirm', 'HJ 613-2011 (dry matter, distinct from water content); added for digest formulas', $2, 1)",
            vec![method.into(), sort.into()],
        ),
        (
            "INSERT INTO method_analyte (id, method_id, analyte_id, unit, result_type, qc_rules, sort_order, version) \
             VALUES ($1, $2, $3, '%', 'numeric', '[]', $4, 1)",
            vec![ma.into(), method.into(), analyte.into(), sort.into()],
        ),
    ];
    for (sql, values) in stmts {
        let sql = match backend {
            sea_orm_migration::sea_orm::DbBackend::Postgres => sql.to_string(),
            _ => sql.replace('$', "?"),
        };
        conn.execute_raw(Statement::from_sql_and_values(backend, sql, values))
            .await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        sql::run(manager, SCHEMA).await?;
        seed_dry_matter(manager).await
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
