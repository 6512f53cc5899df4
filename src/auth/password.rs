//! argon2id password hashes (PHC strings), computed off the async runtime.
use crate::error::{AppError, AppResult};
use argon2::password_hash::{phc::PasswordHash, PasswordHasher, PasswordVerifier};
use argon2::Argon2;
use std::sync::OnceLock;

/// Hashes a password with argon2id and a random salt.
pub async fn hash(password: &str) -> AppResult<String> {
    let pw = password.to_string();
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(pw.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| AppError::Internal(format!("password hashing failed: {e}")))
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
}

/// Checks a password against a stored hash. A missing hash still costs one hash computation,
/// so an unknown username takes as long as a wrong password.
pub async fn verify(password: &str, stored: Option<&str>) -> bool {
    let pw = password.to_string();
    let stored = stored.map(str::to_string);
    tokio::task::spawn_blocking(move || {
        let target = stored.unwrap_or_else(|| dummy_hash().to_string());
        let Ok(parsed) = PasswordHash::new(&target) else {
            return false;
        };
        Argon2::default()
            .verify_password(pw.as_bytes(), &parsed)
            .is_ok()
    })
    .await
    .unwrap_or(false)
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        Argon2::default()
            .hash_password(b"egret-dummy-password")
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
}
