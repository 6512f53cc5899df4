//! The baseline of `egret bench intake`: the rows Egret writes for a work order (samples,
//! containers, analyses, one audit event per sample), inserted plainly as multi-row INSERTs in one
//! transaction on another fresh database of the same backend, with none of Egret's service code.
use super::intake::{Orderable, SampleSpec, MATRIX};
use chrono::{DateTime, Duration as Hours, SecondsFormat, Utc};
use migrations::MigratorTrait;
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement,
    TransactionTrait, Value,
};
use serde_json::json;
use std::time::{Duration, Instant};
use uuid::Uuid;

/// SQLite's default SQLITE_MAX_VARIABLE_NUMBER (3.32+) and PostgreSQL's bind-parameter limit.
const SQLITE_MAX_PARAMS: usize = 32_766;
const PG_MAX_PARAMS: usize = 65_535;

/// Connects the way Egret does (SQLite: WAL, synchronous NORMAL, foreign keys on) and migrates.
async fn connect_plain(url: &str) -> Result<DatabaseConnection, String> {
    let mut opts = ConnectOptions::new(url.to_string());
    opts.sqlx_logging(false).max_connections(1);
    if url.starts_with("sqlite:") {
        opts.map_sqlx_sqlite_opts(|o| {
            o.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(30))
        });
    }
    let conn = Database::connect(opts)
        .await
        .map_err(|e| format!("cannot open {}: {e}", crate::db::redact(url)))?;
    migrations::Migrator::up(&conn, None)
        .await
        .map_err(|e| format!("migrations: {e}"))?;
    Ok(conn)
}

/// A table's rows as bind values, inserted as multi-row INSERTs of as many rows as the backend's
/// bind-parameter limit allows.
struct Rows {
    table: &'static str,
    columns: &'static [&'static str],
    values: Vec<Value>,
}

impl Rows {
    fn new(table: &'static str, columns: &'static [&'static str]) -> Rows {
        Rows {
            table,
            columns,
            values: Vec::new(),
        }
    }

    fn push(&mut self, row: Vec<Value>) {
        debug_assert_eq!(row.len(), self.columns.len());
        self.values.extend(row);
    }

    fn statements(self, backend: DbBackend) -> Vec<Statement> {
        let width = self.columns.len();
        let max = match backend {
            DbBackend::Postgres => PG_MAX_PARAMS,
            _ => SQLITE_MAX_PARAMS,
        };
        let per_stmt = (max / width).max(1);
        let head = format!(
            "INSERT INTO {} ({}) VALUES ",
            self.table,
            self.columns.join(", ")
        );
        let mut out = Vec::new();
        let mut values = self.values.into_iter().peekable();
        let mut n = 0usize;
        while values.peek().is_some() {
            let chunk: Vec<Value> = values.by_ref().take(per_stmt * width).collect();
            let rows = chunk.len() / width;
            let mut sql = String::with_capacity(head.len() + rows * width * 6);
            sql.push_str(&head);
            for r in 0..rows {
                if r > 0 {
                    sql.push(',');
                }
                sql.push('(');
                for c in 0..width {
                    if c > 0 {
                        sql.push(',');
                    }
                    match backend {
                        DbBackend::Postgres => {
                            sql.push_str(&format!("${}", r * width + c + 1));
                        }
                        _ => sql.push('?'),
                    }
                }
                sql.push(')');
            }
            n += rows;
            out.push(Statement::from_sql_and_values(backend, sql, chunk));
        }
        debug_assert!(n > 0);
        out
    }
}

fn uuid(u: Uuid) -> Value {
    Value::Uuid(Some(u))
}
fn text(s: impl Into<String>) -> Value {
    Value::String(Some(s.into()))
}
fn null_text() -> Value {
    Value::String(None)
}
fn null_uuid() -> Value {
    Value::Uuid(None)
}
fn time(t: DateTime<Utc>) -> Value {
    Value::ChronoDateTimeUtc(Some(t))
}
fn null_time() -> Value {
    Value::ChronoDateTimeUtc(None)
}
fn int(i: i32) -> Value {
    Value::Int(Some(i))
}
fn null_bool() -> Value {
    Value::Bool(None)
}

const SAMPLE_COLS: &[&str] = &[
    "id",
    "lab_id",
    "work_order_id",
    "client_id",
    "project_id",
    "client_sample_id",
    "matrix",
    "sampling_point_id",
    "collected_at",
    "collected_by",
    "depth_top_m",
    "depth_bottom_m",
    "field_json",
    "field_missing",
    "status",
    "received_at",
    "received_by",
    "receipt_temperature_c",
    "receipt_condition_ok",
    "receipt_note",
    "rejected_reason",
    "created_at",
    "version",
];
const CONTAINER_COLS: &[&str] = &[
    "id",
    "sample_id",
    "label",
    "position",
    "container",
    "preservative",
    "condition_ok",
    "preserved",
    "received_at",
];
const ANALYSIS_COLS: &[&str] = &[
    "id",
    "sample_id",
    "method_analyte_id",
    "method_id",
    "container_id",
    "status",
    "due_at",
    "holding_exceeded",
    "attempt",
    "retest_of",
    "created_at",
    "version",
];
const AUDIT_COLS: &[&str] = &[
    "id",
    "at",
    "user_id",
    "username",
    "action",
    "entity",
    "entity_id",
    "before_json",
    "after_json",
    "reason",
    "canonical",
];

/// One orderable as the plain database knows it.
struct PlainMa {
    id: Uuid,
    method_id: Uuid,
    container: Option<String>,
    preservative: Option<String>,
    holding_time_hours: Option<i32>,
}

/// Inserts the same rows Egret wrote for the samples, plainly, and times the transaction.
pub(super) async fn plain_insert(
    url: &str,
    specs: &[SampleSpec],
    orderables: &[Orderable],
) -> Result<Duration, String> {
    let conn = connect_plain(url).await?;
    let backend = conn.get_database_backend();
    let db_err = |e: sea_orm::DbErr| format!("plain insert: {e}");
    let p = |i: usize| match backend {
        DbBackend::Postgres => format!("${i}"),
        _ => "?".to_string(),
    };

    // The same catalogue entries (ids differ between databases: match by method code and analyte).
    let mut mas = Vec::with_capacity(orderables.len());
    for o in orderables {
        let sql = format!(
            "SELECT ma.id, ma.method_id, ma.container, ma.preservative, ma.holding_time_hours \
             FROM method_analyte ma JOIN method m ON m.id = ma.method_id JOIN analyte a ON a.id = ma.analyte_id \
             WHERE m.matrix = {} AND m.code = {} AND a.code = {}",
            p(1),
            p(2),
            p(3)
        );
        let row = conn
            .query_one_raw(Statement::from_sql_and_values(
                backend,
                sql,
                [
                    MATRIX.into(),
                    o.method_code.clone().into(),
                    o.analyte_code.clone().into(),
                ],
            ))
            .await
            .map_err(db_err)?
            .ok_or_else(|| {
                format!(
                    "{} / {} not in the catalogue",
                    o.method_code, o.analyte_code
                )
            })?;
        mas.push(PlainMa {
            id: row.try_get("", "id").map_err(db_err)?,
            method_id: row.try_get("", "method_id").map_err(db_err)?,
            container: row.try_get("", "container").map_err(db_err)?,
            preservative: row.try_get("", "preservative").map_err(db_err)?,
            holding_time_hours: row.try_get("", "holding_time_hours").map_err(db_err)?,
        });
    }

    // The parent rows (set-up, not timed).
    let now = Utc::now();
    let user_id = Uuid::now_v7();
    let client_id = Uuid::now_v7();
    let project_id = Uuid::now_v7();
    let wo_id = Uuid::now_v7();
    let setup = [
        (
            "INSERT INTO client (id, code, name, version, created_at, updated_at) VALUES ",
            vec![
                uuid(client_id),
                text("BENCH"),
                text("Benchmark client"),
                int(1),
                time(now),
                time(now),
            ],
        ),
        (
            "INSERT INTO project (id, client_id, code, name, standards, version, created_at, updated_at) VALUES ",
            vec![
                uuid(project_id),
                uuid(client_id),
                text("BENCH-GW"),
                text("Benchmark groundwater survey"),
                text("[]"),
                int(1),
                time(now),
                time(now),
            ],
        ),
        (
            "INSERT INTO work_order (id, number, client_id, project_id, note, created_by, created_at, version) VALUES ",
            vec![
                uuid(wo_id),
                text("WO-BENCH-00001"),
                uuid(client_id),
                uuid(project_id),
                text("egret bench intake"),
                uuid(user_id),
                time(now),
                int(1),
            ],
        ),
    ];
    for (head, values) in setup {
        let marks: Vec<String> = (1..=values.len()).map(p).collect();
        let sql = format!("{head}({})", marks.join(", "));
        conn.execute_raw(Statement::from_sql_and_values(backend, sql, values))
            .await
            .map_err(db_err)?;
    }

    // The rows, built before the clock starts.
    let mut samples = Rows::new("sample", SAMPLE_COLS);
    let mut containers = Rows::new("sample_container", CONTAINER_COLS);
    let mut analyses = Rows::new("analysis", ANALYSIS_COLS);
    let mut audit = Rows::new("audit_event", AUDIT_COLS);
    let month = now.format("%Y%m").to_string();
    let user_text = user_id.to_string();
    for (i, s) in specs.iter().enumerate() {
        let sample_id = Uuid::now_v7();
        let lab_id = format!("GW-{month}-{:05}", i + 1);
        let field_json = serde_json::to_string(&s.field).map_err(|e| e.to_string())?;
        samples.push(vec![
            uuid(sample_id),
            text(lab_id.clone()),
            uuid(wo_id),
            uuid(client_id),
            uuid(project_id),
            text(s.client_sample_id.clone()),
            text(MATRIX),
            null_uuid(),
            time(s.collected_at),
            text("张工"),
            null_text(),
            null_text(),
            text(field_json),
            text(""),
            text("registered"),
            null_time(),
            null_uuid(),
            null_text(),
            null_bool(),
            null_text(),
            null_text(),
            time(now),
            int(1),
        ]);
        type ContainerKey = (Option<String>, Option<String>);
        let mut groups: Vec<(ContainerKey, Uuid)> = Vec::new();
        let mut labels = Vec::new();
        for ma in &mas {
            let key = (ma.container.clone(), ma.preservative.clone());
            let container_id = match groups.iter().find(|(k, _)| *k == key) {
                Some((_, id)) => *id,
                None => {
                    let id = Uuid::now_v7();
                    let position = groups.len() as i32 + 1;
                    let label = format!("{lab_id}-{position}");
                    containers.push(vec![
                        uuid(id),
                        uuid(sample_id),
                        text(label.clone()),
                        int(position),
                        Value::String(key.0.clone()),
                        Value::String(key.1.clone()),
                        null_bool(),
                        null_bool(),
                        null_time(),
                    ]);
                    labels.push(label);
                    groups.push((key, id));
                    id
                }
            };
            let due = ma
                .holding_time_hours
                .map(|h| s.collected_at + Hours::hours(h as i64));
            analyses.push(vec![
                uuid(Uuid::now_v7()),
                uuid(sample_id),
                uuid(ma.id),
                uuid(ma.method_id),
                uuid(container_id),
                text("pending"),
                Value::ChronoDateTimeUtc(due),
                Value::Bool(Some(false)),
                int(1),
                null_uuid(),
                time(now),
                int(1),
            ]);
        }
        let event_id = Uuid::now_v7();
        let at = now.to_rfc3339_opts(SecondsFormat::Micros, true);
        let after = json!({
            "lab_id": lab_id, "work_order": "WO-BENCH-00001", "client_sample_id": s.client_sample_id,
            "matrix": MATRIX, "sampling_point_id": null, "collected_at": s.collected_at.to_rfc3339(),
            "collected_by": "张工", "depth_top_m": null, "depth_bottom_m": null, "field": s.field,
            "method_analyte_ids": mas.iter().map(|m| m.id).collect::<Vec<_>>(), "containers": labels,
        })
        .to_string();
        let canonical = format!(
            "{{\"v\":1,\"id\":\"{event_id}\",\"at\":\"{at}\",\"user_id\":\"{user_text}\",\"username\":\"bench-technician\",\
             \"action\":\"sample.register\",\"entity\":\"sample\",\"entity_id\":\"{sample_id}\",\"reason\":null,\"before\":null,\"after\":{after}}}"
        );
        audit.push(vec![
            uuid(event_id),
            text(at),
            text(user_text.clone()),
            text("bench-technician"),
            text("sample.register"),
            text("sample"),
            text(sample_id.to_string()),
            null_text(),
            text(after),
            null_text(),
            text(canonical),
        ]);
    }
    let statements: Vec<Statement> = [samples, containers, analyses, audit]
        .into_iter()
        .flat_map(|r| r.statements(backend))
        .collect();

    let started = Instant::now();
    let txn = conn.begin().await.map_err(db_err)?;
    for st in statements {
        txn.execute_raw(st).await.map_err(db_err)?;
    }
    txn.commit().await.map_err(db_err)?;
    let elapsed = started.elapsed();
    conn.close().await.ok();
    Ok(elapsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_respect_the_bind_limits() {
        let mut rows = Rows::new("analysis", ANALYSIS_COLS);
        for _ in 0..10_000 {
            rows.push((0..ANALYSIS_COLS.len()).map(|_| int(1)).collect());
        }
        for (backend, max) in [
            (DbBackend::Sqlite, SQLITE_MAX_PARAMS),
            (DbBackend::Postgres, PG_MAX_PARAMS),
        ] {
            let mut rows2 = Rows::new("analysis", ANALYSIS_COLS);
            rows2.values = rows.values.clone();
            let st = rows2.statements(backend);
            let total: usize = st
                .iter()
                .map(|s| s.values.as_ref().map(|v| v.0.len()).unwrap_or(0))
                .sum();
            assert_eq!(total, 10_000 * ANALYSIS_COLS.len());
            assert!(st
                .iter()
                .all(|s| s.values.as_ref().map(|v| v.0.len()).unwrap_or(0) <= max));
        }
    }
}
