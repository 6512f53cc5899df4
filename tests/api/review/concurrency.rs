//! Two reviewers (then two signatories) signing the same batch at the same moment: exactly one
//! signature is given, the other is told 409; on SQLite and on PostgreSQL alike.
use super::*;

/// The winner of two simultaneous answers: asserts one 200 and one 409, returns 0 or 1.
#[track_caller]
fn one_wins(what: &str, x: &Answer, y: &Answer) -> usize {
    let statuses = (x.status, y.status);
    match statuses {
        (StatusCode::OK, StatusCode::CONFLICT) => {
            y.assert_problem_shape();
            0
        }
        (StatusCode::CONFLICT, StatusCode::OK) => {
            x.assert_problem_shape();
            1
        }
        _ => panic!("{what}: expected one 200 and one 409:\n{x:?}\n{y:?}"),
    }
}

#[tokio::test]
async fn two_reviewers_verifying_at_once_give_exactly_one_signature() {
    let r = Rev::new().await;
    let reviewer2 = r.person("reviewer2", "钱复核", &["reviewer"]).await;
    let signatory2 = r.person("signatory2", "孙签发", &["signatory"]).await;
    let (_, s) = r.order(4, &[&r.cd]).await;
    for (round, a) in r.cd_of(&s).iter().enumerate() {
        let b = r.submitted(std::slice::from_ref(a)).await;
        let (x, y) = tokio::join!(
            r.verify(&r.reviewer, &b, PASSWORD),
            r.verify(&reviewer2, &b, PASSWORD),
        );
        let winner = [&r.reviewer, &reviewer2][one_wins("verify", &x, &y)];
        let v = r.view(&b).await;
        assert_eq!(v["status"], "verified", "round {round}: {v}");
        let sigs = signed(&v, "verified");
        assert_eq!(sigs.len(), 1, "round {round}: one signature: {v}");
        assert_eq!(sigs[0]["user_id"], json!(winner.id), "round {round}: {v}");

        let (x, y) = tokio::join!(
            r.approve(&r.signatory, &b, PASSWORD),
            r.approve(&signatory2, &b, PASSWORD),
        );
        let winner = [&r.signatory, &signatory2][one_wins("approve", &x, &y)];
        let v = r.view(&b).await;
        assert_eq!(v["status"], "approved", "round {round}: {v}");
        let sigs = signed(&v, "approved");
        assert_eq!(sigs.len(), 1, "round {round}: one approval: {v}");
        assert_eq!(sigs[0]["user_id"], json!(winner.id), "round {round}: {v}");
        assert_eq!(signatures(&v).len(), 2, "round {round}: {v}");
        assert_eq!(r.analysis_status(&s[round], a).await, "approved");
        assert_eq!(r.sample_status(&s[round]).await, "completed");

        // One verification and one approval in the batch's audit trail.
        let events = r.app.audit_of(&r.lab.admin, "batch", &id(&b)).await;
        let count = |word: &str| {
            events
                .iter()
                .filter(|e| e["action"].as_str().is_some_and(|x| x.contains(word)))
                .count()
        };
        assert_eq!(count("verif"), 1, "round {round}: {events:?}");
        assert_eq!(count("approv"), 1, "round {round}: {events:?}");
    }
    assert_eq!(
        r.app.raw_count("SELECT COUNT(*) AS n FROM signature").await,
        8
    );
    assert_eq!(r.app.verify_audit(&r.lab.admin).await["ok"], true);
}
