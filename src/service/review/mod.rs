//! Review and sign-off: verification and approval with e-signatures and separation of duties,
//! send-back, retests with their history, and the review queue.
pub mod queue;
pub mod retest;
pub mod sendback;
pub mod signoff;
