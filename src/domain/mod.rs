//! Pure domain logic: no I/O, no Rocket, no sea-orm.
pub mod audit;
pub mod decimal;
pub mod duties;
pub mod evaluation;
pub mod field_data;
pub mod formula;
pub mod numbering;
pub mod password;
pub mod qc;
pub mod qc_rule;
pub mod report;
pub mod result_value;
pub mod role;
pub mod rounding;
pub mod state;
pub mod time;
