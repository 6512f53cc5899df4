//! Entity of table `analysis`.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "analysis")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub sample_id: Uuid,
    pub method_analyte_id: Uuid,
    pub method_id: Uuid,
    pub container_id: Option<Uuid>,
    pub status: String,
    pub due_at: Option<DateTimeUtc>,
    pub holding_exceeded: bool,
    pub attempt: i32,
    pub retest_of: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub version: i32,
    pub batch_id: Option<Uuid>,
    pub batch_position: Option<i32>,
    pub qc_failed: bool,
    pub questioned: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
