//! Authentication: password hashing (argon2id), tokens and sessions, request guards, CSRF.
pub mod csrf;
pub mod guard;
pub mod password;
pub mod token;

pub use guard::{ApiUser, CurrentUser, WebUser};
