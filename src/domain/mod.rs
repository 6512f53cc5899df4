//! Pure domain logic: no I/O, no Rocket, no sea-orm.
pub mod audit;
pub mod decimal;
pub mod field_data;
pub mod numbering;
pub mod password;
pub mod qc_rule;
pub mod role;
pub mod state;
pub mod time;
