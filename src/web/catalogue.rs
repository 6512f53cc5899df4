//! Catalogue pages: standards with their limits, methods with their parameters (editable by admin).
use rocket::Route;

pub fn routes() -> Vec<Route> {
    Vec::new()
}
