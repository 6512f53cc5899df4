//! Entity of table `method_analyte`.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "method_analyte")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub method_id: Uuid,
    pub analyte_id: Uuid,
    pub unit: String,
    pub mdl: Option<String>,
    pub decimals: Option<i32>,
    pub significant_figures: Option<i32>,
    pub result_type: String,
    pub text_options: Option<String>,
    pub holding_time_hours: Option<i32>,
    pub holding_time_unpreserved_hours: Option<i32>,
    pub container: Option<String>,
    pub preservative: Option<String>,
    pub qc_rules: String,
    pub mdl_source: Option<String>,
    pub sort_order: i32,
    pub version: i32,
    pub sum_of: Option<String>,
    pub scientific: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
