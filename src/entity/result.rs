//! Entity of table `result`.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "result")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub batch_id: Uuid,
    pub analysis_id: Option<Uuid>,
    pub qc_id: Option<Uuid>,
    pub method_analyte_id: Uuid,
    pub value: String,
    pub inputs_json: Option<String>,
    pub dilution_factor: String,
    pub final_value: Option<String>,
    pub below_mdl: bool,
    pub reported: String,
    pub computed: bool,
    pub unit: String,
    pub mdl: Option<String>,
    pub decimals: Option<i32>,
    pub significant_figures: Option<i32>,
    pub scientific: bool,
    pub below_style: String,
    pub analysed_at: DateTimeUtc,
    pub qualifier: Option<String>,
    pub comment: Option<String>,
    pub spike_amount: Option<String>,
    pub certified_value: Option<String>,
    pub certified_min: Option<String>,
    pub certified_max: Option<String>,
    pub entered_by: Option<Uuid>,
    pub entered_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
