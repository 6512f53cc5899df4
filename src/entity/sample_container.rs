//! Entity of table `sample_container`.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sample_container")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub sample_id: Uuid,
    pub label: String,
    pub position: i32,
    pub container: Option<String>,
    pub preservative: Option<String>,
    pub condition_ok: Option<bool>,
    pub preserved: Option<bool>,
    pub received_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
