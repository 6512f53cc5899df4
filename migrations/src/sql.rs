//! Portable DDL: one SQL text with type placeholders, rendered for SQLite or PostgreSQL.
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, DbErr};
use sea_orm_migration::SchemaManager;

/// Replace the type placeholders of `sql` for `backend`.
///
/// `{uuid}` UUID column, `{ts}` timestamp with time zone, `{bool}` boolean,
/// `{seq_pk}` auto-increasing 64-bit primary key, `{bigint}` 64-bit integer, `{blob}` bytes.
pub fn render(sql: &str, backend: DbBackend) -> String {
    let pg = matches!(backend, DbBackend::Postgres);
    sql.replace("{uuid}", if pg { "UUID" } else { "BLOB" })
        .replace("{ts}", if pg { "TIMESTAMPTZ" } else { "TEXT" })
        .replace("{bool}", if pg { "BOOLEAN" } else { "INTEGER" })
        .replace(
            "{seq_pk}",
            if pg {
                "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"
            } else {
                "INTEGER PRIMARY KEY AUTOINCREMENT"
            },
        )
        .replace("{bigint}", if pg { "BIGINT" } else { "INTEGER" })
        .replace("{blob}", if pg { "BYTEA" } else { "BLOB" })
}

/// Run each `;`-terminated statement of `sql` (rendered for the backend) in order.
/// Statements are split on lines that are exactly `--;` so trigger bodies may hold semicolons.
pub async fn run(manager: &SchemaManager<'_>, sql: &str) -> Result<(), DbErr> {
    let backend = manager.get_database_backend();
    let conn = manager.get_connection();
    for stmt in render(sql, backend).split("\n--;\n") {
        let stmt = stmt.trim();
        if !stmt.is_empty() {
            conn.execute_unprepared(stmt).await?;
        }
    }
    Ok(())
}

/// SQL that makes `table` append-only: UPDATE and DELETE are refused by a trigger.
pub fn append_only(table: &str, backend: DbBackend) -> Vec<String> {
    match backend {
        DbBackend::Postgres => vec![
            format!(
                "CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ \
                 BEGIN RAISE EXCEPTION '{table} is append-only: % refused', TG_OP; END $$"
            ),
            format!(
                "CREATE TRIGGER {table}_no_update BEFORE UPDATE OR DELETE ON {table} \
                 FOR EACH ROW EXECUTE FUNCTION {table}_append_only()"
            ),
            format!(
                "CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} \
                 FOR EACH STATEMENT EXECUTE FUNCTION {table}_append_only()"
            ),
        ],
        _ => vec![
            format!(
                "CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} \
                 BEGIN SELECT RAISE(ABORT, '{table} is append-only: UPDATE refused'); END"
            ),
            format!(
                "CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} \
                 BEGIN SELECT RAISE(ABORT, '{table} is append-only: DELETE refused'); END"
            ),
        ],
    }
}
