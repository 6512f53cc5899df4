//! Review and sign-off: electronic signatures (append-only), send-back and sign-off columns of a batch,
//! questioned analyses.
use crate::sql;
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0005_review"
    }
}

const SCHEMA: &str = r#"
CREATE TABLE signature (
    id {uuid} PRIMARY KEY,
    entity TEXT NOT NULL,
    entity_id {uuid} NOT NULL,
    meaning TEXT NOT NULL,
    user_id {uuid} NOT NULL REFERENCES app_user(id),
    username TEXT NOT NULL,
    printed_name TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    record_version INTEGER NOT NULL,
    note TEXT NULL,
    signed_at {ts} NOT NULL
)
--;
CREATE INDEX signature_entity ON signature(entity, entity_id)
--;
ALTER TABLE batch ADD COLUMN verified_by {uuid} NULL REFERENCES app_user(id)
--;
ALTER TABLE batch ADD COLUMN verified_at {ts} NULL
--;
ALTER TABLE batch ADD COLUMN approved_by {uuid} NULL REFERENCES app_user(id)
--;
ALTER TABLE batch ADD COLUMN approved_at {ts} NULL
--;
ALTER TABLE batch ADD COLUMN send_back_reason TEXT NULL
--;
ALTER TABLE batch ADD COLUMN send_back_by {uuid} NULL REFERENCES app_user(id)
--;
ALTER TABLE batch ADD COLUMN send_back_at {ts} NULL
--;
ALTER TABLE analysis ADD COLUMN questioned {bool} NOT NULL DEFAULT FALSE
--;
CREATE INDEX analysis_retest ON analysis(retest_of)
"#;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        sql::run(manager, SCHEMA).await?;
        let backend = manager.get_database_backend();
        for stmt in sql::append_only("signature", backend) {
            manager.get_connection().execute_unprepared(&stmt).await?;
        }
        if backend == sea_orm_migration::sea_orm::DbBackend::Postgres {
            // Large audit texts (a 2,000-row import's event) compress several times faster with lz4
            // than with the default pglz; a server built without lz4 keeps pglz.
            manager
                .get_connection()
                .execute_unprepared(
                    "DO $$ BEGIN \
                     ALTER TABLE audit_event ALTER COLUMN before_json SET COMPRESSION lz4; \
                     ALTER TABLE audit_event ALTER COLUMN after_json SET COMPRESSION lz4; \
                     ALTER TABLE audit_event ALTER COLUMN canonical SET COMPRESSION lz4; \
                     EXCEPTION WHEN OTHERS THEN NULL; END $$",
                )
                .await?;
        }
        Ok(())
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
