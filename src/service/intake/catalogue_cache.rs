//! The catalogue facts registration needs, loaded once per request: matrices, orderable analyses, packages.
use crate::db::Db;
use crate::entity::{matrix, method, method_analyte};
use crate::error::AppResult;
use crate::service::catalogue;
use sea_orm::EntityTrait;
use std::collections::HashMap;
use uuid::Uuid;

/// One orderable analysis with its method.
#[derive(Clone, Debug)]
pub struct Orderable {
    pub ma: method_analyte::Model,
    pub method: method::Model,
}

pub struct CatalogueCache {
    pub matrices: HashMap<String, matrix::Model>,
    pub orderables: HashMap<Uuid, Orderable>,
    /// package code → (matrix, method_analyte ids)
    pub packages: HashMap<String, (String, Vec<Uuid>)>,
}

impl CatalogueCache {
    pub async fn load(db: &Db) -> AppResult<CatalogueCache> {
        let matrices = matrix::Entity::find()
            .all(&db.conn)
            .await?
            .into_iter()
            .map(|m| (m.code.clone(), m))
            .collect();
        let methods: HashMap<Uuid, method::Model> = method::Entity::find()
            .all(&db.conn)
            .await?
            .into_iter()
            .map(|m| (m.id, m))
            .collect();
        let orderables = method_analyte::Entity::find()
            .all(&db.conn)
            .await?
            .into_iter()
            .filter_map(|ma| {
                methods
                    .get(&ma.method_id)
                    .cloned()
                    .map(|method| (ma.id, Orderable { ma, method }))
            })
            .collect();
        let packages = catalogue::packages(db)
            .await?
            .items
            .into_iter()
            .map(|p| (p.code, (p.matrix, p.method_analyte_ids)))
            .collect();
        Ok(CatalogueCache {
            matrices,
            orderables,
            packages,
        })
    }
}
