//! Egret's database migrations: schema, append-only audit triggers and the reference-catalogue seed.
pub use sea_orm_migration::prelude::*;

mod m0001_platform;
mod m0002_catalogue_seed;
mod m0003_intake;
mod m0004_analysis;
mod m0005_review;
mod m0006_reports;
pub mod sql;

/// Every migration of Egret, in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_platform::Migration),
            Box::new(m0002_catalogue_seed::Migration),
            Box::new(m0003_intake::Migration),
            Box::new(m0004_analysis::Migration),
            Box::new(m0005_review::Migration),
            Box::new(m0006_reports::Migration),
        ]
    }
}
