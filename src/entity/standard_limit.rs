//! Entity of table `standard_limit`.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "standard_limit")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub standard_code: String,
    pub analyte_id: Uuid,
    pub category: String,
    pub kind: String,
    pub unit: String,
    pub value: Option<String>,
    pub lower: Option<String>,
    pub upper: Option<String>,
    pub lower_inclusive: Option<bool>,
    pub upper_inclusive: Option<bool>,
    pub text: Option<String>,
    pub ph_min: Option<String>,
    pub ph_max: Option<String>,
    pub note: Option<String>,
    pub source: String,
    pub sort_order: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
