//! Regulatory evaluation as printed: GB 36600 verdicts beside each result and per sample, from
//! the project's land class, comparing the unrounded value (DESIGN.md "Evaluating results").
use super::*;
use crate::intake::id;

#[tokio::test]
async fn gb36600_verdicts_are_printed_beside_results_and_summarised() {
    let r = Rep::new().await;
    // Second-class land: cadmium screening 65, intervention 172 mg/kg (GB 36600-2018 table 1).
    // 65 exactly is not above the screening value; 65.001 is; 172.5 is above intervention.
    let (wo, s) = r.approved_order(&["65", "65.001", "172.5"], 3).await;
    let issued = r.issue(&r.draft(&wo).await).await;
    let layout = r.pdf(&issued, &r.lab.admin).await.text();
    let text = squeeze(&layout);
    assert!(text.contains("GB36600-2018"), "{layout}");
    assert!(text.contains("超筛选值"), "{layout}");
    assert!(text.contains("超管制值"), "{layout}");
    assert!(text.contains("≤筛选值"), "{layout}");

    // The export carries the same verdicts, one row per sample.
    let csv = r
        .app
        .send(
            Method::GET,
            &format!("/api/v1/work-orders/{}/results.csv", id(&wo)),
            Some(&r.lab.admin),
            None,
        )
        .await
        .text()
        .await
        .expect("csv");
    let verdict_of = |sample: &Value| -> String {
        let lab_id = crate::analysis::lab_id(sample);
        csv.lines()
            .find(|l| l.contains(&lab_id))
            .map(String::from)
            .unwrap_or_default()
    };
    assert!(verdict_of(&s[0]).contains("≤筛选值"), "{csv}");
    assert!(verdict_of(&s[1]).contains("超筛选值"), "{csv}");
    assert!(verdict_of(&s[2]).contains("超管制值"), "{csv}");
}
