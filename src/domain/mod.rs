//! Pure domain logic: no I/O, no Rocket, no sea-orm.
pub mod audit;
pub mod decimal;
pub mod password;
pub mod qc_rule;
pub mod role;
