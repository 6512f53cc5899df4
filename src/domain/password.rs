//! Password policy.

/// Minimum number of characters of a password.
pub const MIN_LEN: usize = 10;

/// Checks a new password against the policy; the message is shown beside the field.
pub fn check(password: &str) -> Result<(), String> {
    let n = password.chars().count();
    if n < MIN_LEN {
        return Err(format!("must be at least {MIN_LEN} characters (has {n})"));
    }
    if n > 1024 {
        return Err("must be at most 1024 characters".into());
    }
    if password.trim().is_empty() {
        return Err("must not be only spaces".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn length_is_counted_in_characters() {
        assert!(super::check("短密码").is_err());
        assert!(super::check("123456789").is_err());
        assert!(super::check("1234567890").is_ok());
        assert!(super::check("十个汉字的密码十个汉字").is_ok());
        assert!(super::check("          ").is_err());
    }
}
