//! Entity of table `sampling_point`.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sampling_point")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub project_id: Uuid,
    pub code: String,
    pub kind: String,
    pub latitude: Option<String>,
    pub longitude: Option<String>,
    pub well_depth_m: Option<String>,
    pub screen_top_m: Option<String>,
    pub screen_bottom_m: Option<String>,
    pub note: Option<String>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
