//! Database connection: SQLite (WAL, one queued writer) or PostgreSQL, chosen by URL.
use crate::error::AppResult;
use sea_orm::{
    ActiveModelTrait, ConnectOptions, ConnectionTrait, Database, DatabaseConnection,
    DatabaseTransaction, DbBackend, DbErr, EntityTrait, Iterable, TransactionTrait,
};
use std::ops::Deref;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Mutex, OwnedMutexGuard};

/// The shared connection pool and, on SQLite, the process-wide write queue.
#[derive(Clone, Debug)]
pub struct Db {
    pub conn: DatabaseConnection,
    write_lock: Option<Arc<Mutex<()>>>,
}

impl Db {
    /// Connects; SQLite files get WAL, foreign keys, a busy timeout and their folder created.
    pub async fn connect(url: &str) -> Result<Db, String> {
        let sqlite = url.starts_with("sqlite:");
        if sqlite {
            if let Some(dir) = sqlite_dir(url) {
                std::fs::create_dir_all(&dir).map_err(|e| {
                    format!("cannot create the database folder {}: {e}", dir.display())
                })?;
            }
        }
        let mut opts = ConnectOptions::new(url.to_string());
        opts.sqlx_logging(false)
            .connect_timeout(Duration::from_secs(10))
            .acquire_timeout(Duration::from_secs(30));
        if sqlite {
            let memory = url.contains(":memory:") || url.contains("mode=memory");
            opts.max_connections(if memory { 1 } else { 8 });
            opts.map_sqlx_sqlite_opts(|o| {
                o.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                    .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(30))
            });
        } else {
            opts.max_connections(16);
        }
        let conn = Database::connect(opts)
            .await
            .map_err(|e| format!("cannot open the database {}: {e}", redact(url)))?;
        Ok(Db {
            conn,
            write_lock: sqlite.then(|| Arc::new(Mutex::new(()))),
        })
    }

    pub fn backend(&self) -> DbBackend {
        self.conn.get_database_backend()
    }

    /// Starts a write transaction. On SQLite writers queue on one lock, so a second
    /// writer waits instead of failing with SQLITE_BUSY.
    pub async fn begin(&self) -> AppResult<WriteTx> {
        let guard = match &self.write_lock {
            Some(lock) => Some(lock.clone().lock_owned().await),
            None => None,
        };
        let txn = self.conn.begin().await?;
        Ok(WriteTx {
            txn,
            guard,
            db: self.clone(),
            audited: AtomicBool::new(false),
        })
    }

    /// Holds the SQLite write queue (no-op on PostgreSQL) for work outside a transaction.
    pub async fn write_guard(&self) -> Option<OwnedMutexGuard<()>> {
        match &self.write_lock {
            Some(lock) => Some(lock.clone().lock_owned().await),
            None => None,
        }
    }
}

/// A write transaction; committing it seals the audit events it wrote.
pub struct WriteTx {
    txn: DatabaseTransaction,
    guard: Option<OwnedMutexGuard<()>>,
    db: Db,
    audited: AtomicBool,
}

impl WriteTx {
    pub(crate) fn mark_audited(&self) {
        self.audited.store(true, Ordering::Relaxed);
    }

    /// Commits, then chains the committed audit events (on SQLite still inside the write queue).
    pub async fn commit(self) -> AppResult<()> {
        let WriteTx {
            txn,
            guard,
            db,
            audited,
        } = self;
        txn.commit().await?;
        if audited.load(Ordering::Relaxed) {
            if let Err(e) = crate::service::audit::seal_locked(&db, guard.is_some()).await {
                // The events are committed; the next seal (next write or start-up) chains them.
                tracing::warn!(error = ?e, "audit sealing deferred");
            }
        }
        drop(guard);
        Ok(())
    }
}

impl Deref for WriteTx {
    type Target = DatabaseTransaction;
    fn deref(&self) -> &DatabaseTransaction {
        &self.txn
    }
}

/// Most bind parameters one statement may carry: SQLite's SQLITE_MAX_VARIABLE_NUMBER (32766 since
/// 3.32) and PostgreSQL's protocol limit (65535).
pub fn max_bind_params(backend: DbBackend) -> usize {
    match backend {
        DbBackend::Postgres => 65_535,
        _ => 32_766,
    }
}

/// Inserts `rows` (every column set, keys chosen by the caller) as multi-row INSERTs as large as the
/// backend's bind-parameter limit allows, moving the rows rather than copying them, and without
/// `RETURNING`.
pub async fn insert_all<A, C>(conn: &C, rows: Vec<A>) -> Result<(), DbErr>
where
    A: ActiveModelTrait + Send,
    C: ConnectionTrait,
{
    let columns = <A::Entity as EntityTrait>::Column::iter().count().max(1);
    let per_statement = (max_bind_params(conn.get_database_backend()) / columns).max(1);
    let mut rows = rows.into_iter();
    loop {
        let chunk: Vec<A> = rows.by_ref().take(per_statement).collect();
        if chunk.is_empty() {
            return Ok(());
        }
        <A::Entity as EntityTrait>::insert_many(chunk)
            .exec_without_returning(conn)
            .await?;
    }
}

fn sqlite_dir(url: &str) -> Option<std::path::PathBuf> {
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = path.split('?').next()?;
    if path.is_empty() || path.contains(":memory:") {
        return None;
    }
    std::path::Path::new(path)
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map(|p| p.to_path_buf())
}

/// The URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..s + 3], user, &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}
