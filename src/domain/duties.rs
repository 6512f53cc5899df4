//! Separation of duties (DESIGN.md invariant 3): who may sign which step of a batch.
use std::collections::HashSet;
use uuid::Uuid;

/// A signing step of a batch.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Step {
    Verify,
    Approve,
}

/// Whether `user` may sign `step`, given who entered or changed results of the batch and who
/// verified it; the error says why not, in words a person understands.
pub fn may_sign(
    step: Step,
    user: Uuid,
    enterers: &HashSet<Uuid>,
    verifiers: &HashSet<Uuid>,
) -> Result<(), String> {
    if enterers.contains(&user) {
        return Err(match step {
            Step::Verify => {
                "you entered or changed results of this batch: someone else must verify it"
            }
            Step::Approve => {
                "you entered or changed results of this batch: someone else must approve it"
            }
        }
        .into());
    }
    if step == Step::Approve && verifiers.contains(&user) {
        return Err("you verified this batch: another signatory must approve it".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whoever_entered_cannot_sign_and_whoever_verified_cannot_approve() {
        let (a, b, c) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let entered: HashSet<Uuid> = [a].into();
        let verified: HashSet<Uuid> = [b].into();
        assert!(may_sign(Step::Verify, a, &entered, &verified).is_err());
        assert!(may_sign(Step::Approve, a, &entered, &verified).is_err());
        assert!(may_sign(Step::Verify, b, &entered, &verified).is_ok());
        assert!(may_sign(Step::Approve, b, &entered, &verified)
            .unwrap_err()
            .contains("verified"));
        assert!(may_sign(Step::Approve, c, &entered, &verified).is_ok());
        assert!(may_sign(Step::Verify, c, &entered, &verified).is_ok());
    }
}
