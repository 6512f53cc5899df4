//! What every request can reach: the database and the settings.
use crate::config::Config;
use crate::db::Db;

/// Managed Rocket state.
pub struct AppState {
    pub db: Db,
    pub config: Config,
}
