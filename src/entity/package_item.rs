//! Entity of table `package_item`.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "package_item")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub package_code: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub position: i32,
    pub analyte_id: Uuid,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
