//! Entity of table `matrix`.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "matrix")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub lab_id_prefix: String,
    pub below_mdl_style: Option<String>,
    pub sort_order: i32,
    pub version: i32,
    pub lab_id_pattern: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
