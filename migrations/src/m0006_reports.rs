//! Test reports: the report row (content snapshot, stored PDF bytes, SHA-256, verification code),
//! the samples each covers, and a trigger that keeps an issued report from ever changing.
use crate::sql;
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0006_reports"
    }
}

const SCHEMA: &str = r#"
CREATE TABLE report (
    id {uuid} PRIMARY KEY,
    work_order_id {uuid} NOT NULL REFERENCES work_order(id),
    client_id {uuid} NOT NULL REFERENCES client(id),
    original_id {uuid} NULL REFERENCES report(id),
    amends_id {uuid} NULL REFERENCES report(id),
    revision INTEGER NOT NULL,
    number TEXT NULL UNIQUE,
    status TEXT NOT NULL,
    interim {bool} NOT NULL,
    content_json TEXT NOT NULL,
    content_sha256 TEXT NOT NULL,
    pdf {blob} NULL,
    pdf_sha256 TEXT NULL,
    pdf_size INTEGER NULL,
    verification_code TEXT NULL,
    prepared_by {uuid} NOT NULL REFERENCES app_user(id),
    prepared_at {ts} NOT NULL,
    issued_by {uuid} NULL REFERENCES app_user(id),
    issued_at {ts} NULL,
    superseded_by_id {uuid} NULL REFERENCES report(id),
    amendment_reason TEXT NULL,
    version INTEGER NOT NULL,
    created_at {ts} NOT NULL
)
--;
CREATE INDEX report_work_order ON report(work_order_id, created_at)
--;
CREATE INDEX report_client ON report(client_id)
--;
CREATE INDEX report_pdf_sha256 ON report(pdf_sha256)
--;
CREATE TABLE report_sample (
    report_id {uuid} NOT NULL REFERENCES report(id),
    sample_id {uuid} NOT NULL REFERENCES sample(id),
    position INTEGER NOT NULL,
    PRIMARY KEY (report_id, sample_id)
)
--;
CREATE INDEX report_sample_sample ON report_sample(sample_id)
"#;

/// What may change once a report has left the draft state: nothing but `issued → superseded`
/// (with the report that supersedes it).
const FROZEN_SQLITE: &str = r#"
CREATE TRIGGER report_frozen BEFORE UPDATE ON report
WHEN OLD.status <> 'draft' AND (
    NEW.pdf IS NOT OLD.pdf OR NEW.pdf_sha256 IS NOT OLD.pdf_sha256 OR NEW.number IS NOT OLD.number
    OR NEW.verification_code IS NOT OLD.verification_code OR NEW.content_json IS NOT OLD.content_json
    OR NEW.issued_at IS NOT OLD.issued_at OR NEW.issued_by IS NOT OLD.issued_by
    OR NOT (NEW.status = OLD.status OR (OLD.status = 'issued' AND NEW.status = 'superseded')))
BEGIN SELECT RAISE(ABORT, 'an issued report never changes'); END
--;
CREATE TRIGGER report_no_delete BEFORE DELETE ON report
BEGIN SELECT RAISE(ABORT, 'reports are never deleted'); END
"#;

const FROZEN_POSTGRES: &str = r#"
CREATE OR REPLACE FUNCTION report_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN RAISE EXCEPTION 'reports are never deleted'; END IF;
    IF OLD.status <> 'draft' AND (
        NEW.pdf IS DISTINCT FROM OLD.pdf OR NEW.pdf_sha256 IS DISTINCT FROM OLD.pdf_sha256
        OR NEW.number IS DISTINCT FROM OLD.number
        OR NEW.verification_code IS DISTINCT FROM OLD.verification_code
        OR NEW.content_json IS DISTINCT FROM OLD.content_json
        OR NEW.issued_at IS DISTINCT FROM OLD.issued_at OR NEW.issued_by IS DISTINCT FROM OLD.issued_by
        OR NOT (NEW.status = OLD.status OR (OLD.status = 'issued' AND NEW.status = 'superseded')))
    THEN RAISE EXCEPTION 'an issued report never changes'; END IF;
    RETURN NEW;
END $$
--;
CREATE TRIGGER report_frozen BEFORE UPDATE OR DELETE ON report
FOR EACH ROW EXECUTE FUNCTION report_frozen()
"#;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        sql::run(manager, SCHEMA).await?;
        let frozen = match manager.get_database_backend() {
            DbBackend::Postgres => FROZEN_POSTGRES,
            _ => FROZEN_SQLITE,
        };
        sql::run(manager, frozen).await?;
        let backend = manager.get_database_backend();
        for stmt in sql::append_only("report_sample", backend) {
            manager.get_connection().execute_unprepared(&stmt).await?;
        }
        Ok(())
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
