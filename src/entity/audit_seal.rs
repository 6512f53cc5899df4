//! Entity of table `audit_seal`.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_seal")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub pos: i64,
    pub event_seq: i64,
    pub prev_hash: String,
    pub hash: String,
    pub sealed_at: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
