//! Two analysts saving the same cell at the same moment: one write wins, the other gets 409 with the
//! winner's value, and nothing is lost or half-written.
use super::*;

#[tokio::test]
async fn concurrent_saves_of_one_cell_let_exactly_one_win() {
    let a = Ana::ready().await;
    let s = a.soil(1, &[&a.cd]).await;
    let cd = analysis_of(&s[0], &a.cd);
    let b = a.batch(std::slice::from_ref(&cd)).await;
    let b = a
        .enter(&b, json!([{"analysis_id": cd, "value": "0.100"}]))
        .await;
    let version = item(&b, &cd)["version"].clone();
    for round in 0..5 {
        let first = format!("0.2{round}0");
        let second = format!("0.3{round}0");
        let current = item(&a.get_batch(&b).await, &cd)["version"].clone();
        let (x, y) = tokio::join!(
            a.put_results(
                &b,
                json!([{"analysis_id": cd, "value": first, "version": current}])
            ),
            a.put_results(
                &b,
                json!([{"analysis_id": cd, "value": second, "version": current}])
            ),
        );
        let ok: Vec<&Answer> = [&x, &y]
            .into_iter()
            .filter(|r| r.status == StatusCode::OK)
            .collect();
        let conflict: Vec<&Answer> = [&x, &y]
            .into_iter()
            .filter(|r| r.status == StatusCode::CONFLICT)
            .collect();
        assert_eq!((ok.len(), conflict.len()), (1, 1), "{x:?}\n{y:?}");
        let winner = item(&ok[0].body, &cd)["value"].clone();
        let now = a.get_batch(&b).await;
        assert_eq!(
            item(&now, &cd)["value"],
            winner,
            "the stored value is the winner's"
        );
        assert_eq!(
            conflict[0].body["current"][0]["value"], winner,
            "the loser is told the winner's value: {:?}",
            conflict[0].body
        );
        assert_eq!(
            item(&now, &cd)["version"].as_i64(),
            current.as_i64().map(|v| v + 1),
            "one write, one new version"
        );
    }
    assert!(version.as_i64().is_some());
    // Every accepted write is in the audit trail with the value it replaced.
    let events = a.app.audit_of(&a.lab.admin, "batch", &id(&b)).await;
    let saves = events
        .iter()
        .filter(|e| e["action"] == "batch.results")
        .count();
    assert_eq!(saves, 6, "one event per accepted save: {events:?}");
}
