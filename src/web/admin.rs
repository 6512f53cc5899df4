//! Admin pages: users (create, roles, disable, reset password, unlock) and the lab profile.
use rocket::Route;

pub fn routes() -> Vec<Route> {
    Vec::new()
}
