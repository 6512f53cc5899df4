//! Egret's integration tests: each test spawns the app on a fresh database and drives it over HTTP.
//! Set `EGRET_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres` to run them on PostgreSQL.
mod support;

mod analysis;
mod audit;
mod auth;
mod browser;
mod browser_analysis;
mod browser_analysis_more;
mod browser_intake;
mod browser_reports;
mod browser_review;
mod catalogue;
mod demo;
mod health;
mod intake;
mod reports;
mod review;
mod robustness;
mod roles;
