//! Entity of table `signature` (append-only).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "signature")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub entity: String,
    pub entity_id: Uuid,
    pub meaning: String,
    pub user_id: Uuid,
    pub username: String,
    pub printed_name: String,
    pub content_hash: String,
    pub record_version: i32,
    pub note: Option<String>,
    pub signed_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
