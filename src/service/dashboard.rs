//! Figures for the home pages.
use crate::db::Db;
use crate::entity::{app_user, audit_pending, audit_seal, method_analyte};
use crate::error::AppResult;
use sea_orm::{ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter};

pub struct AdminSummary {
    pub users: u64,
    /// Numeric method_analytes still missing an MDL, reporting precision or holding time.
    pub method_settings_to_set: u64,
    pub audit_sealed: u64,
    pub audit_pending: u64,
}

pub async fn admin_summary(db: &Db) -> AppResult<AdminSummary> {
    let users = app_user::Entity::find().count(&db.conn).await?;
    let method_settings_to_set = method_analyte::Entity::find()
        .filter(
            Condition::any()
                .add(
                    Condition::all()
                        .add(method_analyte::Column::ResultType.eq("numeric"))
                        .add(
                            Condition::any()
                                .add(method_analyte::Column::Mdl.is_null())
                                .add(
                                    Condition::all()
                                        .add(method_analyte::Column::Decimals.is_null())
                                        .add(method_analyte::Column::SignificantFigures.is_null()),
                                ),
                        ),
                )
                .add(method_analyte::Column::HoldingTimeHours.is_null()),
        )
        .count(&db.conn)
        .await?;
    let audit_sealed = audit_seal::Entity::find().count(&db.conn).await?;
    let audit_pending = audit_pending::Entity::find().count(&db.conn).await?;
    Ok(AdminSummary {
        users,
        method_settings_to_set,
        audit_sealed,
        audit_pending,
    })
}
