//! Use cases: each one a transaction over entities, domain rules and its audit events.
pub mod analysis;
pub mod audit;
pub mod auth;
pub mod catalogue;
pub mod check;
pub mod clients;
pub mod counter;
pub mod dashboard;
pub mod input;
pub mod intake;
pub mod lab;
pub mod method_analytes;
pub mod methods;
pub mod page;
pub mod patch;
pub mod points;
pub mod users;
