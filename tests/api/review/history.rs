//! The record history of a sample: `GET /audit?entity=sample&entity_id=…` tells its life in order —
//! registration, receipt, start of analysis in a batch, result saves, submission, verification and
//! approval — and nothing of batches it was never in; the chain verifies.
use super::*;

/// The position of the first event whose action satisfies `is`, after position `from`.
#[track_caller]
fn first(events: &[Value], from: usize, what: &str, is: impl Fn(&str) -> bool) -> usize {
    events
        .iter()
        .enumerate()
        .skip(from)
        .find(|(_, e)| e["action"].as_str().is_some_and(&is))
        .map(|(i, _)| i)
        .unwrap_or_else(|| {
            let actions: Vec<&Value> = events.iter().map(|e| &e["action"]).collect();
            panic!("no {what} event after position {from}: {actions:?}")
        })
}

#[tokio::test]
async fn the_record_history_of_a_sample_tells_its_life_in_order() {
    let r = Rev::new().await;
    let (_, s) = r.order(2, &[&r.cd]).await;
    let ids = r.cd_of(&s);
    let a = r.approved(&ids[..1]).await;
    // The other sample is in another batch: none of that batch's events are this sample's.
    let other = r.batch_by(&r.analyst, &ids[1..]).await;
    let put = r
        .put_as(
            &r.analyst,
            &other,
            json!([{"analysis_id": ids[1], "value": "0.150"}]),
        )
        .await;
    assert_eq!(put.status, StatusCode::OK, "{put:?}");

    let sid = id(&s[0]);
    let mut seen = Vec::new();
    for token in [&r.lab.admin, &r.reviewer.token, &r.signatory.token] {
        let events = r.app.audit_of(token, "sample", &sid).await;
        let seqs: Vec<i64> = events
            .iter()
            .map(|e| e["seq"].as_i64().expect("seq"))
            .collect();
        assert!(
            seqs.windows(2).all(|w| w[0] < w[1]),
            "in sequence order: {seqs:?}"
        );
        let register = first(&events, 0, "registration", |a| a == "sample.register");
        let receive = first(&events, register + 1, "receipt", |a| a == "sample.receive");
        let start = first(
            &events,
            receive + 1,
            "batch creation / start of analysis",
            |a| a == "batch.create" || a == "sample.start_analysis",
        );
        let save = first(&events, start + 1, "result save", |a| a == "batch.results");
        let submit = first(&events, save + 1, "submission", |a| a == "batch.submit");
        let verify = first(&events, submit + 1, "verification", |a| a.contains("verif"));
        let approve = first(&events, verify + 1, "approval", |a| a.contains("approv"));
        for (i, who) in [
            (register, "tech"),
            (receive, "tech"),
            (save, "analyst"),
            (submit, "analyst"),
            (verify, "reviewer"),
            (approve, "signatory"),
        ] {
            assert_eq!(events[i]["username"], who, "{}", events[i]);
        }
        assert!(
            events
                .iter()
                .any(|e| e["action"] == "batch.create" && e["entity_id"] == a["id"]),
            "the creation of its batch: {events:?}"
        );
        assert!(
            events[save].to_string().contains(&value_for(0)),
            "the save shows the value: {}",
            events[save]
        );
        assert!(
            !events.iter().any(|e| e["entity_id"] == other["id"]),
            "nothing of a batch the sample was never in: {events:?}"
        );
        seen.push(events);
    }
    assert_eq!(seen[0], seen[1], "admin and reviewer read the same history");
    assert_eq!(
        seen[0], seen[2],
        "admin and signatory read the same history"
    );

    // The trail is read by admin, reviewer and signatory only.
    let (status, _) = r
        .app
        .get(
            &format!("/api/v1/audit?entity=sample&entity_id={sid}"),
            &r.analyst.token,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let v = r.app.verify_audit(&r.reviewer.token).await;
    assert_eq!(v["ok"], true, "{v}");
    assert!(v["first_broken_seq"].is_null(), "{v}");
}
