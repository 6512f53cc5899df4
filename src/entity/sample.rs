//! Entity of table `sample`.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sample")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub lab_id: String,
    pub work_order_id: Uuid,
    pub client_id: Uuid,
    pub project_id: Uuid,
    pub client_sample_id: String,
    pub matrix: String,
    pub sampling_point_id: Option<Uuid>,
    pub collected_at: DateTimeUtc,
    pub collected_by: String,
    pub depth_top_m: Option<String>,
    pub depth_bottom_m: Option<String>,
    pub field_json: String,
    pub field_missing: String,
    pub status: String,
    pub received_at: Option<DateTimeUtc>,
    pub received_by: Option<Uuid>,
    pub receipt_temperature_c: Option<String>,
    pub receipt_condition_ok: Option<bool>,
    pub receipt_note: Option<String>,
    pub rejected_reason: Option<String>,
    pub created_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
