//! Entity of table `custody_event`.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "custody_event")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub sample_id: Uuid,
    pub action: String,
    pub from_person: Option<String>,
    pub to_person: Option<String>,
    pub location: Option<String>,
    pub temperature_c: Option<String>,
    pub note: Option<String>,
    pub at: DateTimeUtc,
    pub recorded_by: Option<Uuid>,
    pub recorded_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
