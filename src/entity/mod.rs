//! sea-orm entities, one file per table, no logic.
pub mod analyte;
pub mod app_user;
pub mod audit_event;
pub mod audit_pending;
pub mod audit_seal;
pub mod auth_token;
pub mod lab_profile;
pub mod matrix;
pub mod method;
pub mod method_analyte;
pub mod package;
pub mod package_item;
pub mod standard;
pub mod standard_limit;
