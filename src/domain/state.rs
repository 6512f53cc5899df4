//! The state machines of DESIGN.md as enums, each with one `transition` function.
use serde::{Deserialize, Serialize};

macro_rules! words {
    ($name:ident { $($variant:ident => $word:literal),+ $(,)? }) => {
        impl $name {
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $word),+ }
            }
            pub fn parse(s: &str) -> Option<$name> {
                match s { $($word => Some($name::$variant),)+ _ => None }
            }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

/// A sample's life: `registered → received → in_analysis → completed → reported`,
/// `rejected` from `registered`, `disposed` at the end.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SampleStatus {
    Registered,
    Received,
    InAnalysis,
    Completed,
    Reported,
    Rejected,
    Disposed,
}

words!(SampleStatus {
    Registered => "registered",
    Received => "received",
    InAnalysis => "in_analysis",
    Completed => "completed",
    Reported => "reported",
    Rejected => "rejected",
    Disposed => "disposed",
});

/// What happens to a sample.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum SampleEvent {
    Receive,
    Reject,
    StartAnalysis,
    Complete,
    /// A retest reopens a completed or reported sample.
    Reopen,
    Report,
    Dispose,
}

impl SampleStatus {
    /// The state after `event`, or why it cannot happen.
    pub fn transition(self, event: SampleEvent) -> Result<SampleStatus, String> {
        use SampleEvent as E;
        use SampleStatus as S;
        let next = match (self, event) {
            (S::Registered, E::Receive) => S::Received,
            (S::Registered, E::Reject) => S::Rejected,
            (S::Received, E::StartAnalysis) => S::InAnalysis,
            (S::InAnalysis, E::Complete) => S::Completed,
            (S::Completed | S::Reported, E::Reopen) => S::InAnalysis,
            (S::Completed, E::Report) => S::Reported,
            (S::Disposed, _) => return Err("the sample has been disposed of".into()),
            (_, E::Dispose) => S::Disposed,
            (from, ev) => return Err(format!("a {from} sample cannot be {}", event_word(ev))),
        };
        Ok(next)
    }
}

fn event_word(e: SampleEvent) -> &'static str {
    match e {
        SampleEvent::Receive => "received",
        SampleEvent::Reject => "rejected",
        SampleEvent::StartAnalysis => "put into analysis",
        SampleEvent::Complete => "completed",
        SampleEvent::Reopen => "reopened",
        SampleEvent::Report => "reported",
        SampleEvent::Dispose => "disposed of",
    }
}

/// An analysis: `pending → in_batch → entered → submitted → verified → approved`;
/// `cancelled` when its sample is rejected; `superseded` when a retest replaces it.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AnalysisStatus {
    Pending,
    InBatch,
    Entered,
    Submitted,
    Verified,
    Approved,
    Cancelled,
    Superseded,
}

words!(AnalysisStatus {
    Pending => "pending",
    InBatch => "in_batch",
    Entered => "entered",
    Submitted => "submitted",
    Verified => "verified",
    Approved => "approved",
    Cancelled => "cancelled",
    Superseded => "superseded",
});

/// What happens to an analysis.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum AnalysisEvent {
    AddToBatch,
    RemoveFromBatch,
    Enter,
    Submit,
    Verify,
    Approve,
    SendBack,
    Cancel,
    Supersede,
}

impl AnalysisStatus {
    pub fn transition(self, event: AnalysisEvent) -> Result<AnalysisStatus, String> {
        use AnalysisEvent as E;
        use AnalysisStatus as S;
        let next = match (self, event) {
            (S::Pending, E::AddToBatch) => S::InBatch,
            (S::InBatch, E::RemoveFromBatch) => S::Pending,
            (S::InBatch | S::Entered, E::Enter) => S::Entered,
            (S::Entered, E::Submit) => S::Submitted,
            (S::Submitted, E::Verify) => S::Verified,
            (S::Verified, E::Approve) => S::Approved,
            (S::Submitted | S::Verified, E::SendBack) => S::Entered,
            (S::Pending | S::InBatch, E::Cancel) => S::Cancelled,
            (S::Cancelled | S::Superseded, E::Supersede) => {
                return Err(format!("a {self} analysis cannot be retested"))
            }
            (_, E::Supersede) => S::Superseded,
            (from, ev) => return Err(format!("a {from} analysis cannot take the step {ev:?}")),
        };
        Ok(next)
    }

    /// Done for the purpose of completing a sample.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            AnalysisStatus::Approved | AnalysisStatus::Cancelled | AnalysisStatus::Superseded
        )
    }
}

/// A batch: `open → submitted → verified → approved`; a send-back returns it to `open`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BatchStatus {
    Open,
    Submitted,
    Verified,
    Approved,
}

words!(BatchStatus {
    Open => "open",
    Submitted => "submitted",
    Verified => "verified",
    Approved => "approved",
});

/// What happens to a batch.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum BatchEvent {
    Submit,
    Verify,
    Approve,
    SendBack,
}

impl BatchStatus {
    pub fn transition(self, event: BatchEvent) -> Result<BatchStatus, String> {
        use BatchEvent as E;
        use BatchStatus as S;
        Ok(match (self, event) {
            (S::Open, E::Submit) => S::Submitted,
            (S::Submitted, E::Verify) => S::Verified,
            (S::Verified, E::Approve) => S::Approved,
            (S::Submitted | S::Verified, E::SendBack) => S::Open,
            (S::Open, _) => return Err("the batch is still open: it has not been submitted".into()),
            (S::Submitted, _) => {
                return Err("the batch has been submitted and waits for verification".into())
            }
            (S::Verified, _) => {
                return Err("the batch has been verified and waits for approval".into())
            }
            (S::Approved, _) => return Err("the batch has been approved".into()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_paths() {
        use SampleEvent as E;
        use SampleStatus as S;
        assert_eq!(S::Registered.transition(E::Receive), Ok(S::Received));
        assert_eq!(S::Registered.transition(E::Reject), Ok(S::Rejected));
        assert!(S::Received.transition(E::Reject).is_err());
        assert!(S::Received.transition(E::Receive).is_err());
        assert_eq!(S::Reported.transition(E::Reopen), Ok(S::InAnalysis));
        assert_eq!(S::Rejected.transition(E::Dispose), Ok(S::Disposed));
        assert!(S::Disposed.transition(E::Receive).is_err());
        for s in [
            S::Registered,
            S::Received,
            S::InAnalysis,
            S::Completed,
            S::Reported,
            S::Rejected,
            S::Disposed,
        ] {
            assert_eq!(S::parse(s.as_str()), Some(s));
        }
    }

    #[test]
    fn analysis_paths() {
        use AnalysisEvent as E;
        use AnalysisStatus as S;
        let mut s = S::Pending;
        for e in [E::AddToBatch, E::Enter, E::Submit, E::Verify, E::Approve] {
            s = s.transition(e).unwrap();
        }
        assert_eq!(s, S::Approved);
        assert!(S::Approved.transition(E::Enter).is_err());
        assert_eq!(S::Verified.transition(E::SendBack), Ok(S::Entered));
        assert_eq!(S::Pending.transition(E::Cancel), Ok(S::Cancelled));
        assert!(S::Submitted.transition(E::Cancel).is_err());
        assert_eq!(S::Approved.transition(E::Supersede), Ok(S::Superseded));
        assert!(S::Cancelled.transition(E::Supersede).is_err());
        assert!(S::Approved.is_final() && !S::Entered.is_final());
    }

    #[test]
    fn a_batch_is_submitted_verified_approved_and_sent_back() {
        use BatchEvent as E;
        use BatchStatus as S;
        assert_eq!(S::Open.transition(E::Submit), Ok(S::Submitted));
        assert_eq!(S::Submitted.transition(E::Verify), Ok(S::Verified));
        assert_eq!(S::Verified.transition(E::Approve), Ok(S::Approved));
        assert_eq!(S::Submitted.transition(E::SendBack), Ok(S::Open));
        assert_eq!(S::Verified.transition(E::SendBack), Ok(S::Open));
        assert!(S::Open.transition(E::Verify).is_err());
        assert!(S::Submitted.transition(E::Submit).is_err());
        assert!(S::Approved.transition(E::SendBack).is_err());
        assert_eq!(S::parse("verified"), Some(S::Verified));
    }
}
