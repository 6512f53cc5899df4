//! The roles of DESIGN.md and a user's set of them.
use serde::{Deserialize, Serialize};
use std::fmt;

/// A role a user may hold; a user may hold several.
#[derive(
    Copy,
    Clone,
    Debug,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Technician,
    Analyst,
    Reviewer,
    Signatory,
    Client,
}

impl Role {
    /// Every staff role (all but the client).
    pub const STAFF: &'static [Role] = &[
        Role::Admin,
        Role::Technician,
        Role::Analyst,
        Role::Reviewer,
        Role::Signatory,
    ];

    pub const ALL: [Role; 6] = [
        Role::Admin,
        Role::Technician,
        Role::Analyst,
        Role::Reviewer,
        Role::Signatory,
        Role::Client,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Technician => "technician",
            Role::Analyst => "analyst",
            Role::Reviewer => "reviewer",
            Role::Signatory => "signatory",
            Role::Client => "client",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Staff roles may read all staff-facing records.
    pub fn is_staff(self) -> bool {
        self != Role::Client
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A sorted, duplicate-free set of roles, stored as comma-separated text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Roles(Vec<Role>);

impl Roles {
    pub fn new(mut roles: Vec<Role>) -> Roles {
        roles.sort();
        roles.dedup();
        Roles(roles)
    }

    /// Reads the stored form; unknown words are dropped.
    pub fn from_db(text: &str) -> Roles {
        Roles::new(
            text.split(',')
                .filter_map(|s| Role::parse(s.trim()))
                .collect(),
        )
    }

    pub fn to_db(&self) -> String {
        self.0
            .iter()
            .map(|r| r.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }

    pub fn has(&self, role: Role) -> bool {
        self.0.contains(&role)
    }

    pub fn any(&self, allowed: &[Role]) -> bool {
        allowed.iter().any(|r| self.has(*r))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = Role> + '_ {
        self.0.iter().copied()
    }

    pub fn to_vec(&self) -> Vec<Role> {
        self.0.clone()
    }

    /// A client user holds only the client role: mixing it with a staff role would
    /// let one login see every client's records.
    pub fn check(&self) -> Result<(), &'static str> {
        if self.0.is_empty() {
            return Err("at least one role is required");
        }
        if self.has(Role::Client) && self.0.len() > 1 {
            return Err("the client role cannot be combined with staff roles");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_sorted_and_unique() {
        let r = Roles::new(vec![Role::Reviewer, Role::Analyst, Role::Reviewer]);
        assert_eq!(r.to_db(), "analyst,reviewer");
        assert_eq!(Roles::from_db("reviewer,analyst,bogus"), r);
    }

    #[test]
    fn client_role_stands_alone() {
        assert!(Roles::new(vec![Role::Client, Role::Analyst])
            .check()
            .is_err());
        assert!(Roles::new(vec![]).check().is_err());
        assert!(Roles::new(vec![Role::Client]).check().is_ok());
    }
}
