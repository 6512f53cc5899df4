//! Analysis: worklist, batches with QC, result entry and import, calculations, QC evaluation, submit.
pub mod batches;
pub mod context;
mod derived;
pub mod evaluate;
pub mod import;
pub mod profiles;
pub mod results;
mod row;
mod store;
pub mod submit;
pub mod views;
pub mod worklist;

pub use context::BatchCtx;
pub use views::BatchView;
