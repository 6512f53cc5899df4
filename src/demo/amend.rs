//! The amended report: issued, a result retested after approval, signed off again, amended.
use super::data::{self, REVIEWER, SIGNATORY, SIGNATORY_2, SOIL, SOIL_ANALYST, TECH};
use super::flow::{id, local, Lab};
use super::orders::{register, soil, Made, ReportLine, Site};
use serde_json::json;
use std::collections::HashMap;

/// Issued, then a cadmium result retested after approval (ordered by a signatory with a
/// reason), signed off again, amended by the reviewer and issued by the second signatory: the
/// original is superseded by `<number>-R1`.
pub(super) async fn amended(lab: &Lab, site: &Site, made: &mut Made) -> Result<(), String> {
    let specs = vec![
        soil("SB04", "0", "0.5", local(8, 9, 30)),
        soil("SB04", "1.0", "1.5", local(8, 10, 10)),
    ];
    let values = vec![
        vec![("cd", "0.18"), ("pb", "35.6")],
        vec![("cd", "0.27"), ("pb", "28.4")],
    ];
    let o = register(
        lab,
        site,
        SOIL,
        &["cd", "pb"],
        specs,
        values,
        "演示：西侧围墙内点位",
    )
    .await?;
    lab.receive(TECH, &o, &local(8, 16, 40), "4.2").await?;
    let at = local(6, 10, 0);
    lab.work(
        &o,
        None,
        SOIL_ANALYST,
        Some(&at),
        Some(REVIEWER),
        Some(SIGNATORY),
    )
    .await?;
    let draft = lab.draft(SOIL_ANALYST, &o).await?;
    let original = lab.issue(SIGNATORY, &draft).await?;

    let cd = lab.cat.ma(SOIL, "cd")?;
    let old = o.analysis(1, cd)?;
    let reason = "复核发现 SB04-1.5 镉测定的消解称样量记录有误，经授权签字人批准重新测定";
    let retest = lab
        .post(
            SIGNATORY,
            201,
            &format!("/api/v1/analyses/{old}/retest"),
            json!({"reason": reason}),
        )
        .await?;
    let sample = o.sample_ids().get(1).cloned().ok_or("no second sample")?;
    let analyses = vec![(id(&retest)?, sample.clone())];
    let b = lab
        .batch(SOIL_ANALYST, &cd.method_id, &analyses, "复测")
        .await?;
    let values = HashMap::from([((sample, cd.id.clone()), "0.41".to_string())]);
    let b = lab.enter(SOIL_ANALYST, &b, &values, None, true).await?;
    lab.submit(SOIL_ANALYST, &b).await?;
    lab.sign(REVIEWER, &b, "verify", "复测数据核对无误").await?;
    lab.sign(SIGNATORY, &b, "approve", "同意更正").await?;

    let why = "SB04-1.5 镉结果经复测更正（原消解称样量记录有误）";
    let amendment = lab.amend(REVIEWER, &original, why).await?;
    let issued = lab.issue(SIGNATORY_2, &amendment).await?;
    let path = format!("/api/v1/reports/{}", id(&original)?);
    let superseded = lab.get(REVIEWER, &path).await?;
    made.reports.push(ReportLine::of(&o.number, &superseded));
    made.reports.push(ReportLine::of(&o.number, &issued));
    made.order(
        &o,
        data::CLIENTS[0].name,
        "已出具修改报告（原报告被替代）/ amended report issued (original superseded)",
    );
    Ok(())
}
