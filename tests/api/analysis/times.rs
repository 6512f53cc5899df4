//! When an analysis was done: now by default, never in the future nor before the sample was
//! received; past the holding time it is flagged.
use super::*;

#[tokio::test]
async fn analysed_at_defaults_to_now_lies_between_receipt_and_now_and_late_work_is_flagged() {
    let a = Ana::ready().await;
    a.set_ma(&a.cd, json!({"holding_time_hours": 48})).await;
    let s = a
        .register(vec![
            sample("LATE", "soil", &ago(72), &[&a.cd]), // due 24 h ago
            sample("FRESH", "soil", &ago(10), &[&a.cd]), // due in 38 h
        ])
        .await;
    a.receive_at(&s[0], &ago(60)).await;
    a.receive_at(&s[1], &ago(5)).await;
    let late = analysis_of(&s[0], &a.cd);
    let fresh = analysis_of(&s[1], &a.cd);
    let b = a.batch(&[late.clone(), fresh.clone()]).await;

    let t0 = Utc::now() - chrono::Duration::seconds(2);
    let b = a
        .enter(&b, json!([{"analysis_id": fresh, "value": "0.50"}]))
        .await;
    let t1 = Utc::now() + chrono::Duration::seconds(2);
    let it = item(&b, &fresh);
    let at = time(&it["analysed_at"]);
    assert!(t0 <= at && at <= t1, "now by default: {it}");
    assert!(
        !flags(it).contains(&"holding_time_exceeded".to_string()),
        "{it}"
    );

    let before = a.get_batch(&b).await;
    let counts = a.counts().await;
    let v = item(&b, &fresh)["version"].clone();
    for (what, analysed_at) in [
        ("in the future", json!(ago(-1))),
        ("before receipt (5 h ago)", json!(ago(6))),
        ("not a time", json!("yesterday")),
    ] {
        let r = a
            .put_results(
                &b,
                json!([{"analysis_id": fresh, "value": "0.40", "analysed_at": analysed_at, "version": v}]),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{what}: {r:?}");
        r.assert_invalid("[0].analysed_at");
        assert_eq!(a.get_batch(&b).await, before, "{what}");
        assert_eq!(a.counts().await, counts, "{what}");
    }

    // Analysed 30 h ago: after receipt (60 h ago), before the deadline (24 h ago) → no flag.
    let b = a
        .enter(
            &b,
            json!([{"analysis_id": late, "value": "0.40", "analysed_at": ago(30)}]),
        )
        .await;
    let it = item(&b, &late);
    assert!(
        (time(&it["analysed_at"]) - (Utc::now() - chrono::Duration::hours(30)))
            .num_minutes()
            .abs()
            < 5,
        "{it}"
    );
    assert!(
        !flags(it).contains(&"holding_time_exceeded".to_string()),
        "{it}"
    );
    // Re-analysed an hour ago, past the deadline → flagged.
    let b = a
        .enter(
            &b,
            json!([{"analysis_id": late, "value": "0.42", "analysed_at": ago(1), "version": it["version"]}]),
        )
        .await;
    let it = item(&b, &late);
    assert!(
        flags(it).contains(&"holding_time_exceeded".to_string()),
        "{it}"
    );
    assert!(!flags(item(&b, &fresh)).contains(&"holding_time_exceeded".to_string()));
}
