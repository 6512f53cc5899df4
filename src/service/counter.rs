//! Number counters (DESIGN.md invariant 5): one row per counter, advanced inside the caller's
//! transaction with an upsert, so concurrent writers (even two processes on PostgreSQL) never share a number.
use crate::db::WriteTx;
use crate::error::{AppError, AppResult};
use sea_orm::{ConnectionTrait, DbBackend, Statement};

/// Reserves `n` consecutive numbers of counter `name`; returns the first.
pub async fn reserve(tx: &WriteTx, name: &str, n: u64) -> AppResult<u64> {
    if n == 0 {
        return Err(AppError::Internal("reserving zero numbers".into()));
    }
    let backend = tx.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => {
            "INSERT INTO counter (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = counter.value + EXCLUDED.value RETURNING value"
        }
        _ => {
            "INSERT INTO counter (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = counter.value + excluded.value RETURNING value"
        }
    };
    let row = tx
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [name.into(), (n as i64).into()],
        ))
        .await?
        .ok_or_else(|| AppError::Internal("counter upsert returned no row".into()))?;
    let last: i64 = row.try_get("", "value")?;
    Ok(last as u64 + 1 - n)
}
