//! Platform schema: users, tokens, audit trail (append-only, hash-chained), lab profile and catalogue tables.
use crate::sql;
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0001_platform"
    }
}

const SCHEMA: &str = r#"
CREATE TABLE app_user (
    id {uuid} PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    roles TEXT NOT NULL,
    client_id {uuid} NULL,
    active {bool} NOT NULL,
    lang TEXT NOT NULL,
    failed_logins INTEGER NOT NULL,
    locked_until {ts} NULL,
    version INTEGER NOT NULL,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL
)
--;
CREATE TABLE auth_token (
    id {uuid} PRIMARY KEY,
    user_id {uuid} NOT NULL REFERENCES app_user(id),
    token_hash TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    created_at {ts} NOT NULL,
    expires_at {ts} NOT NULL,
    revoked_at {ts} NULL
)
--;
CREATE INDEX auth_token_user ON auth_token(user_id)
--;
CREATE TABLE audit_event (
    seq {seq_pk},
    id {uuid} NOT NULL UNIQUE,
    at TEXT NOT NULL,
    user_id TEXT NULL,
    username TEXT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    before_json TEXT NULL,
    after_json TEXT NULL,
    reason TEXT NULL,
    canonical TEXT NOT NULL
)
--;
CREATE INDEX audit_event_entity ON audit_event(entity, entity_id, seq)
--;
CREATE TABLE audit_seal (
    pos {bigint} PRIMARY KEY,
    event_seq {bigint} NOT NULL UNIQUE REFERENCES audit_event(seq),
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    sealed_at TEXT NOT NULL
)
--;
CREATE TABLE audit_pending (
    event_seq {bigint} PRIMARY KEY REFERENCES audit_event(seq)
)
--;
CREATE TABLE lab_profile (
    id INTEGER PRIMARY KEY,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL,
    address TEXT NOT NULL,
    phone TEXT NOT NULL,
    cma_number TEXT NOT NULL,
    below_mdl_style TEXT NOT NULL,
    timezone TEXT NOT NULL,
    version INTEGER NOT NULL,
    updated_at {ts} NOT NULL
)
--;
CREATE TABLE matrix (
    code TEXT PRIMARY KEY,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL,
    lab_id_prefix TEXT NOT NULL,
    below_mdl_style TEXT NULL,
    sort_order INTEGER NOT NULL,
    version INTEGER NOT NULL
)
--;
CREATE TABLE analyte (
    id {uuid} PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL,
    cas TEXT NULL,
    default_unit TEXT NULL
)
--;
CREATE TABLE method (
    id {uuid} PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    code TEXT NOT NULL,
    title TEXT NOT NULL,
    matrix TEXT NOT NULL REFERENCES matrix(code),
    technique TEXT NULL,
    status TEXT NOT NULL,
    source TEXT NOT NULL,
    formula_json TEXT NULL,
    batch_max_samples INTEGER NULL,
    blanks_per_batch INTEGER NULL,
    lcs_per_batch INTEGER NULL,
    duplicate_rate_pct TEXT NULL,
    spike_rate_pct TEXT NULL,
    sort_order INTEGER NOT NULL,
    version INTEGER NOT NULL,
    UNIQUE (code, matrix)
)
--;
CREATE TABLE method_analyte (
    id {uuid} PRIMARY KEY,
    method_id {uuid} NOT NULL REFERENCES method(id),
    analyte_id {uuid} NOT NULL REFERENCES analyte(id),
    unit TEXT NOT NULL,
    mdl TEXT NULL,
    decimals INTEGER NULL,
    significant_figures INTEGER NULL,
    result_type TEXT NOT NULL,
    text_options TEXT NULL,
    holding_time_hours INTEGER NULL,
    holding_time_unpreserved_hours INTEGER NULL,
    container TEXT NULL,
    preservative TEXT NULL,
    qc_rules TEXT NOT NULL,
    mdl_source TEXT NULL,
    sort_order INTEGER NOT NULL,
    version INTEGER NOT NULL,
    UNIQUE (method_id, analyte_id)
)
--;
CREATE INDEX method_analyte_analyte ON method_analyte(analyte_id)
--;
CREATE TABLE package (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    matrix TEXT NOT NULL REFERENCES matrix(code)
)
--;
CREATE TABLE package_item (
    package_code TEXT NOT NULL REFERENCES package(code),
    position INTEGER NOT NULL,
    analyte_id {uuid} NOT NULL REFERENCES analyte(id),
    PRIMARY KEY (package_code, position)
)
--;
CREATE TABLE standard (
    code TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    title_en TEXT NOT NULL,
    matrix TEXT NOT NULL REFERENCES matrix(code)
)
--;
CREATE TABLE standard_limit (
    id {uuid} PRIMARY KEY,
    standard_code TEXT NOT NULL REFERENCES standard(code),
    analyte_id {uuid} NOT NULL REFERENCES analyte(id),
    category TEXT NOT NULL,
    kind TEXT NOT NULL,
    unit TEXT NOT NULL,
    value TEXT NULL,
    lower TEXT NULL,
    upper TEXT NULL,
    lower_inclusive {bool} NULL,
    upper_inclusive {bool} NULL,
    text TEXT NULL,
    ph_min TEXT NULL,
    ph_max TEXT NULL,
    note TEXT NULL,
    source TEXT NOT NULL,
    sort_order INTEGER NOT NULL
)
--;
CREATE INDEX standard_limit_std ON standard_limit(standard_code, sort_order)
"#;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        sql::run(manager, SCHEMA).await?;
        let backend = manager.get_database_backend();
        for table in ["audit_event", "audit_seal"] {
            for stmt in sql::append_only(table, backend) {
                manager.get_connection().execute_unprepared(&stmt).await?;
            }
        }
        Ok(())
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
