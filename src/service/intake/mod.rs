//! Sample intake: registration (JSON and CSV), receipt, custody, lists and holding-time clocks.
pub mod catalogue_cache;
pub mod csv_import;
pub mod edit;
pub mod labels;
pub mod receipt;
pub mod registration;
pub mod samples;
pub mod views;

use crate::auth::CurrentUser;
use crate::domain::role::Role;
use crate::error::{AppError, AppResult};
use uuid::Uuid;

/// The client a user may see, if the user is a client user: every intake query filters by it.
pub fn client_scope(user: &CurrentUser) -> AppResult<Option<Uuid>> {
    if user.has(Role::Client) {
        return user
            .client_id
            .map(Some)
            .ok_or_else(|| AppError::Forbidden("this client user has no client".into()));
    }
    Ok(None)
}
