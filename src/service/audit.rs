//! The audit trail: events written inside each change's transaction, chained by a sealer in commit order.
use crate::db::{max_bind_params, Db, WriteTx};
use crate::domain::audit::{self as chain, EventText};
use crate::entity::{audit_event, audit_pending, audit_seal};
use crate::error::{AppError, AppResult};
use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveValue::{self, NotSet, Set},
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, Iterable, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Statement, TransactionTrait,
};
use serde::Serialize;
use uuid::Uuid;

/// Who did something: a user, or the system itself (start-up, migrations).
#[derive(Clone, Debug)]
pub struct Actor {
    pub user_id: Option<Uuid>,
    pub username: Option<String>,
}

impl Actor {
    pub fn system() -> Actor {
        Actor {
            user_id: None,
            username: Some("system".into()),
        }
    }
}

/// One change to record.
pub struct Change<'a> {
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub reason: Option<String>,
}

/// One change whose `before`/`after` are already JSON text: bulk writers serialise their own
/// structs straight to text instead of building a `serde_json::Value` per event.
pub struct ChangeText<'a> {
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub reason: Option<String>,
}

impl<'a> From<Change<'a>> for ChangeText<'a> {
    fn from(c: Change<'a>) -> ChangeText<'a> {
        ChangeText {
            action: c.action,
            entity: c.entity,
            entity_id: c.entity_id,
            before: c.before.map(|v| v.to_string()),
            after: c.after.map(|v| v.to_string()),
            reason: c.reason,
        }
    }
}

fn event_row(actor: &Actor, change: ChangeText<'_>) -> audit_event::ActiveModel {
    let id = Uuid::now_v7();
    let id_text = id.to_string();
    let at = chain::format_at(chrono::Utc::now());
    let user_id = actor.user_id.map(|u| u.to_string());
    let canonical = chain::canonical(&EventText {
        id: &id_text,
        at: &at,
        user_id: user_id.as_deref(),
        username: actor.username.as_deref(),
        action: change.action,
        entity: change.entity,
        entity_id: &change.entity_id,
        reason: change.reason.as_deref(),
        before: change.before.as_deref(),
        after: change.after.as_deref(),
    });
    audit_event::ActiveModel {
        seq: NotSet,
        id: Set(id),
        at: Set(at),
        user_id: Set(user_id),
        username: Set(actor.username.clone()),
        action: Set(change.action.to_string()),
        entity: Set(change.entity.to_string()),
        entity_id: Set(change.entity_id),
        before_json: Set(change.before),
        after_json: Set(change.after),
        reason: Set(change.reason),
        canonical: Set(canonical),
    }
}

/// Writes many audit events (a bulk registration) in the caller's transaction, in bulk statements.
pub async fn record_many(tx: &WriteTx, actor: &Actor, changes: Vec<Change<'_>>) -> AppResult<()> {
    record_many_text(
        tx,
        actor,
        changes.into_iter().map(ChangeText::from).collect(),
    )
    .await
}

/// As [`record_many`], for changes already serialised to JSON text.
pub async fn record_many_text(
    tx: &WriteTx,
    actor: &Actor,
    changes: Vec<ChangeText<'_>>,
) -> AppResult<()> {
    let backend = tx.get_database_backend();
    // As many events per INSERT as the bind-parameter limit allows (seq is left to the database).
    let per_statement = max_bind_params(backend) / audit_event::Column::iter().count();
    let mut rows = changes.into_iter().map(|c| event_row(actor, c));
    loop {
        let chunk: Vec<audit_event::ActiveModel> = rows.by_ref().take(per_statement).collect();
        if chunk.is_empty() {
            break;
        }
        let ids: Vec<Uuid> = chunk
            .iter()
            .filter_map(|r| match &r.id {
                ActiveValue::Set(u) => Some(*u),
                _ => None,
            })
            .collect();
        audit_event::Entity::insert_many(chunk)
            .exec_without_returning(&**tx)
            .await?;
        // Queue them for the sealer in one statement: their seqs never leave the database.
        let queue = Query::insert()
            .into_table(audit_pending::Entity)
            .columns([audit_pending::Column::EventSeq])
            .select_from(
                Query::select()
                    .column(audit_event::Column::Seq)
                    .from(audit_event::Entity)
                    .and_where(audit_event::Column::Id.is_in(ids))
                    .to_owned(),
            )
            .map_err(|e| AppError::Internal(format!("audit queue statement: {e}")))?
            .to_owned();
        tx.execute(&queue).await?;
    }
    tx.mark_audited();
    Ok(())
}

/// Records the creation of a record (no before, no reason).
pub async fn created(
    tx: &WriteTx,
    actor: &Actor,
    action: &str,
    entity: &str,
    id: String,
    after: serde_json::Value,
) -> AppResult<i64> {
    record(
        tx,
        actor,
        Change {
            action,
            entity,
            entity_id: id,
            before: None,
            after: Some(after),
            reason: None,
        },
    )
    .await
}

/// Records a change of a record from `before` to `after`.
pub async fn changed(
    tx: &WriteTx,
    actor: &Actor,
    action: &str,
    entity: &str,
    id: String,
    before: serde_json::Value,
    after: serde_json::Value,
) -> AppResult<i64> {
    record(
        tx,
        actor,
        Change {
            action,
            entity,
            entity_id: id,
            before: Some(before),
            after: Some(after),
            reason: None,
        },
    )
    .await
}

/// Writes one audit event in the change's own transaction; it is chained when the transaction commits.
pub async fn record(tx: &WriteTx, actor: &Actor, change: Change<'_>) -> AppResult<i64> {
    let row = event_row(actor, change.into());
    let seq = audit_event::Entity::insert(row)
        .exec(&**tx)
        .await?
        .last_insert_id;
    audit_pending::Entity::insert(audit_pending::ActiveModel {
        event_seq: Set(seq),
    })
    .exec(&**tx)
    .await?;
    tx.mark_audited();
    Ok(seq)
}

const SEAL_LOCK_KEY: i64 = 0x4547_5245_5441_5544; // "EGRETAUD"

/// Chains every committed, unsealed event, in the order the sealer sees them committed.
/// One sealer at a time: the SQLite write queue, or a PostgreSQL advisory lock.
pub async fn seal(db: &Db) -> AppResult<u64> {
    let guard = db.write_guard().await;
    let n = seal_locked(db, guard.is_some()).await?;
    drop(guard);
    Ok(n)
}

/// Events chained per sealing transaction.
const SEAL_BATCH: usize = 5_000;

/// As [`seal`], for a caller that already holds the SQLite write queue (`sqlite_locked`).
pub(crate) async fn seal_locked(db: &Db, _sqlite_locked: bool) -> AppResult<u64> {
    let backend = db.backend();
    let mut total = 0;
    loop {
        let txn = db.conn.begin().await?;
        if backend == DbBackend::Postgres {
            txn.execute_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT pg_advisory_xact_lock($1)",
                [SEAL_LOCK_KEY.into()],
            ))
            .await?;
        }
        // The oldest pending events, with only what the chain needs (not their before/after).
        let events: Vec<(i64, String)> = txn
            .query_all_raw(Statement::from_string(
                backend,
                format!(
                    "SELECT e.seq AS seq, e.canonical AS canonical FROM audit_pending p \
                     JOIN audit_event e ON e.seq = p.event_seq ORDER BY p.event_seq LIMIT {SEAL_BATCH}"
                ),
            ))
            .await?
            .iter()
            .map(|r| Ok((r.try_get("", "seq")?, r.try_get("", "canonical")?)))
            .collect::<Result<_, sea_orm::DbErr>>()?;
        if events.is_empty() {
            txn.commit().await?;
            return Ok(total);
        }
        let last = audit_seal::Entity::find()
            .order_by_desc(audit_seal::Column::Pos)
            .one(&txn)
            .await?;
        let (mut pos, mut prev) = match last {
            Some(s) => (s.pos, s.hash),
            None => (0, chain::GENESIS.to_string()),
        };
        let sealed_at = chain::format_at(chrono::Utc::now());
        let mut seals = Vec::with_capacity(events.len());
        let mut seqs = Vec::with_capacity(events.len());
        for (seq, canonical) in &events {
            pos += 1;
            let hash = chain::chain_hash(&prev, canonical);
            seals.push(audit_seal::ActiveModel {
                pos: Set(pos),
                event_seq: Set(*seq),
                prev_hash: Set(std::mem::replace(&mut prev, hash.clone())),
                hash: Set(hash),
                sealed_at: Set(sealed_at.clone()),
            });
            seqs.push(*seq);
        }
        crate::db::insert_all(&txn, seals).await?;
        audit_pending::Entity::delete_many()
            .filter(audit_pending::Column::EventSeq.is_in(seqs))
            .exec(&txn)
            .await?;
        txn.commit().await?;
        total += events.len() as u64;
    }
}

/// The result of recomputing the chain.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Verification {
    pub ok: bool,
    pub events_checked: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_broken_seq: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
    /// Events committed but not yet chained (the sealer chains them right after commit).
    pub unsealed: u64,
}

/// Recomputes the whole chain from the stored columns and names the first broken link.
pub async fn verify(db: &Db) -> AppResult<Verification> {
    seal(db).await?;
    let mut checked = 0u64;
    let mut prev = chain::GENESIS.to_string();
    let mut after_pos = 0i64;
    let broken = |seq: i64, checked: u64, why: String| Verification {
        ok: false,
        events_checked: checked,
        first_broken_seq: Some(seq),
        problem: Some(why),
        unsealed: 0,
    };
    loop {
        let seals = audit_seal::Entity::find()
            .filter(audit_seal::Column::Pos.gt(after_pos))
            .order_by_asc(audit_seal::Column::Pos)
            .limit(1000)
            .all(&db.conn)
            .await?;
        if seals.is_empty() {
            break;
        }
        let seqs: Vec<i64> = seals.iter().map(|s| s.event_seq).collect();
        let events: std::collections::HashMap<i64, audit_event::Model> =
            audit_event::Entity::find()
                .filter(audit_event::Column::Seq.is_in(seqs))
                .all(&db.conn)
                .await?
                .into_iter()
                .map(|e| (e.seq, e))
                .collect();
        for s in &seals {
            checked += 1;
            if s.pos != after_pos + 1 {
                return Ok(broken(
                    s.event_seq,
                    checked,
                    format!("chain position {} is missing", after_pos + 1),
                ));
            }
            after_pos = s.pos;
            let Some(e) = events.get(&s.event_seq) else {
                return Ok(broken(s.event_seq, checked, "event row is missing".into()));
            };
            if s.prev_hash != prev {
                return Ok(broken(
                    e.seq,
                    checked,
                    "previous-hash link does not match".into(),
                ));
            }
            let rebuilt = rebuild(e);
            if rebuilt != e.canonical {
                return Ok(broken(
                    e.seq,
                    checked,
                    "stored fields differ from the hashed text".into(),
                ));
            }
            if chain::chain_hash(&prev, &e.canonical) != s.hash {
                return Ok(broken(
                    e.seq,
                    checked,
                    "hash does not match the hashed text".into(),
                ));
            }
            prev = s.hash.clone();
        }
    }
    let events = audit_event::Entity::find().count(&db.conn).await?;
    Ok(Verification {
        ok: true,
        events_checked: checked,
        first_broken_seq: None,
        problem: None,
        unsealed: events.saturating_sub(checked),
    })
}

/// The canonical text as the stored columns say it should be.
fn rebuild(e: &audit_event::Model) -> String {
    let id = e.id.to_string();
    chain::canonical(&EventText {
        id: &id,
        at: &e.at,
        user_id: e.user_id.as_deref(),
        username: e.username.as_deref(),
        action: &e.action,
        entity: &e.entity,
        entity_id: &e.entity_id,
        reason: e.reason.as_deref(),
        before: e.before_json.as_deref(),
        after: e.after_json.as_deref(),
    })
}

/// One event as the API shows it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EventView {
    pub seq: i64,
    pub at: String,
    pub user_id: Option<String>,
    pub username: Option<String>,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    #[schema(value_type = Object)]
    pub before: Option<serde_json::Value>,
    #[schema(value_type = Object)]
    pub after: Option<serde_json::Value>,
    pub reason: Option<String>,
    pub hash: Option<String>,
    pub prev_hash: Option<String>,
}

/// Events in sequence order, optionally for one entity, after a cursor (the last seq seen).
/// The events of a sample's life: the sample's own, its analyses', and its batches'.
async fn sample_life(db: &Db, id: &str) -> AppResult<sea_orm::Condition> {
    use crate::entity::analysis;
    use sea_orm::Condition;
    let mut analyses = Vec::new();
    let mut batches = Vec::new();
    if let Ok(sid) = Uuid::parse_str(id) {
        for a in analysis::Entity::find()
            .filter(analysis::Column::SampleId.eq(sid))
            .all(&db.conn)
            .await?
        {
            analyses.push(a.id.to_string());
            if let Some(b) = a.batch_id {
                let b = b.to_string();
                if !batches.contains(&b) {
                    batches.push(b);
                }
            }
        }
    }
    let of = |entity: &str, ids: Vec<String>| {
        Condition::all()
            .add(audit_event::Column::Entity.eq(entity))
            .add(audit_event::Column::EntityId.is_in(ids))
    };
    Ok(Condition::any()
        .add(of("sample", vec![id.to_string()]))
        .add(of("analysis", analyses))
        .add(of("batch", batches)))
}

pub async fn list(
    db: &Db,
    entity: Option<&str>,
    entity_id: Option<&str>,
    after_seq: Option<i64>,
    limit: u64,
) -> AppResult<Vec<EventView>> {
    let mut q = audit_event::Entity::find()
        .order_by_asc(audit_event::Column::Seq)
        .limit(limit);
    match (entity, entity_id) {
        // A sample's life includes its analyses and the batches they were in.
        (Some("sample"), Some(id)) => q = q.filter(sample_life(db, id).await?),
        _ => {
            if let Some(e) = entity {
                q = q.filter(audit_event::Column::Entity.eq(e));
            }
            if let Some(id) = entity_id {
                q = q.filter(audit_event::Column::EntityId.eq(id));
            }
        }
    }
    if let Some(s) = after_seq {
        q = q.filter(audit_event::Column::Seq.gt(s));
    }
    let events = q.all(&db.conn).await?;
    let seqs: Vec<i64> = events.iter().map(|e| e.seq).collect();
    let seals: std::collections::HashMap<i64, audit_seal::Model> = audit_seal::Entity::find()
        .filter(audit_seal::Column::EventSeq.is_in(seqs))
        .all(&db.conn)
        .await?
        .into_iter()
        .map(|s| (s.event_seq, s))
        .collect();
    let parse = |t: &Option<String>| t.as_deref().and_then(|t| serde_json::from_str(t).ok());
    Ok(events
        .into_iter()
        .map(|e| {
            let seal = seals.get(&e.seq);
            EventView {
                seq: e.seq,
                before: parse(&e.before_json),
                after: parse(&e.after_json),
                at: e.at,
                user_id: e.user_id,
                username: e.username,
                action: e.action,
                entity: e.entity,
                entity_id: e.entity_id,
                reason: e.reason,
                hash: seal.map(|s| s.hash.clone()),
                prev_hash: seal.map(|s| s.prev_hash.clone()),
            }
        })
        .collect())
}
