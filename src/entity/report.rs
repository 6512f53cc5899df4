//! Entity of table `report` (frozen once issued: a trigger refuses any change but superseding).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "report")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub work_order_id: Uuid,
    pub client_id: Uuid,
    /// The revision-0 report of an amendment chain (`None` on the original itself).
    pub original_id: Option<Uuid>,
    /// The issued report an amendment replaces.
    pub amends_id: Option<Uuid>,
    pub revision: i32,
    pub number: Option<String>,
    pub status: String,
    pub interim: bool,
    pub content_json: String,
    pub content_sha256: String,
    pub pdf: Option<Vec<u8>>,
    pub pdf_sha256: Option<String>,
    pub pdf_size: Option<i32>,
    pub verification_code: Option<String>,
    pub prepared_by: Uuid,
    pub prepared_at: DateTimeUtc,
    pub issued_by: Option<Uuid>,
    pub issued_at: Option<DateTimeUtc>,
    pub superseded_by_id: Option<Uuid>,
    pub amendment_reason: Option<String>,
    pub version: i32,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
