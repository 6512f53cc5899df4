//! Entity of table `method`.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "method")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub key: String,
    pub code: String,
    pub title: String,
    pub matrix: String,
    pub technique: Option<String>,
    pub status: String,
    pub source: String,
    pub formula_json: Option<String>,
    pub batch_max_samples: Option<i32>,
    pub blanks_per_batch: Option<i32>,
    pub lcs_per_batch: Option<i32>,
    pub duplicate_rate_pct: Option<String>,
    pub spike_rate_pct: Option<String>,
    pub sort_order: i32,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
