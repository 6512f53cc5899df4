//! The demo's work orders, one in each stage of the flow, registered oldest first.
use super::data::{
    self, soil_field, well_field, REVIEWER, SIGNATORY, SIGNATORY_2, SOIL, SOIL_ANALYST,
    SOIL_METALS, TECH, WATER, WATER_ANALYST, WATER_FULL,
};
use super::flow::{date_in, hours_ago, local, text, Lab, Ma, Order};
use serde_json::{json, Value};
use std::collections::HashMap;

/// A client's ids: client, project, sampling points by code.
pub type Site = (String, String, HashMap<String, String>);

/// A work order as the summary lists it.
pub struct OrderLine {
    pub id: String,
    pub number: String,
    pub client: &'static str,
    pub stage: &'static str,
}

/// A report as the summary lists it.
pub struct ReportLine {
    pub id: String,
    pub work_order: String,
    pub number: Option<String>,
    pub status: String,
    pub verification_code: Option<String>,
}

impl ReportLine {
    pub(super) fn of(work_order: &str, r: &Value) -> ReportLine {
        let opt = |f: &str| r[f].as_str().map(str::to_string);
        ReportLine {
            id: text(r, "id"),
            work_order: work_order.to_string(),
            number: opt("number"),
            status: text(r, "status"),
            verification_code: opt("verification_code"),
        }
    }
}

/// What the scenario made.
#[derive(Default)]
pub struct Made {
    pub orders: Vec<OrderLine>,
    pub reports: Vec<ReportLine>,
}

impl Made {
    pub(super) fn order(&mut self, o: &Order, client: &'static str, stage: &'static str) {
        self.orders.push(OrderLine {
            id: o.id.clone(),
            number: o.number.clone(),
            client,
            stage,
        });
    }
}

/// One sample to register: client sample id, point code, collected at, depth (soil) or field data.
pub(super) struct Spec {
    csid: String,
    point: &'static str,
    collected_at: String,
    depth: Option<(&'static str, &'static str)>,
    field: Value,
}

pub(super) fn soil(
    point: &'static str,
    top: &'static str,
    bottom: &'static str,
    collected_at: String,
) -> Spec {
    Spec {
        csid: format!("{point}-{bottom}"),
        point,
        collected_at,
        depth: Some((top, bottom)),
        field: soil_field("粉质黏土", "黄褐色"),
    }
}

fn well(point: &'static str, round: &str, collected_at: String, field: Value) -> Spec {
    Spec {
        csid: format!("{point}-{round}"),
        point,
        collected_at,
        depth: None,
        field,
    }
}

/// Registers a work order of `specs` for `analytes` of `matrix` (`values[i]`: the results sample
/// `i` will get), as the technician.
pub(super) async fn register(
    lab: &Lab,
    site: &Site,
    matrix: &str,
    analytes: &[&str],
    specs: Vec<Spec>,
    values: Vec<Vec<(&str, &str)>>,
    note: &str,
) -> Result<Order, String> {
    let mas: Vec<String> = analytes
        .iter()
        .map(|a| lab.cat.ma(matrix, a).map(|m| m.id.clone()))
        .collect::<Result<_, _>>()?;
    let samples = specs
        .into_iter()
        .map(|s| {
            let mut b = json!({"client_sample_id": s.csid, "matrix": matrix,
                "sampling_point_id": site.2.get(s.point), "collected_at": s.collected_at,
                "collected_by": "陈采样、郑协助", "field": s.field, "analyses": mas});
            if let Some((top, bottom)) = s.depth {
                b["depth_top_m"] = json!(top);
                b["depth_bottom_m"] = json!(bottom);
            }
            b
        })
        .collect::<Vec<_>>();
    let body = json!({"client_id": site.0, "project_id": site.1, "due_date": date_in(10),
        "note": note, "samples": samples});
    lab.register(TECH, body, values, matrix).await
}

fn rows(table: &[[(&'static str, &'static str); 7]]) -> Vec<Vec<(&'static str, &'static str)>> {
    table.iter().map(|r| r.to_vec()).collect()
}

fn mas<'a>(lab: &'a Lab, matrix: &str, analytes: &[&str]) -> Result<Vec<&'a Ma>, String> {
    analytes.iter().map(|a| lab.cat.ma(matrix, a)).collect()
}

/// Seeds every work order; `sites` are the two clients of [`data::CLIENTS`].
pub async fn seed(lab: &Lab, sites: &[Site]) -> Result<Made, String> {
    let (Some(site), Some(wells)) = (sites.first(), sites.get(1)) else {
        return Err("the demo needs its two clients".into());
    };
    let (s_name, w_name) = (data::CLIENTS[0].name, data::CLIENTS[1].name);
    let mut made = Made::default();
    super::amend::amended(lab, site, &mut made).await?;

    // Reported: soil with GB 36600 exceedances (As, Pb, Cr(VI) above the screening values).
    let specs = vec![
        soil("SB01", "0", "0.5", local(6, 9, 10)),
        soil("SB02", "0", "0.5", local(6, 10, 5)),
        soil("SB02", "1.0", "1.5", local(6, 10, 40)),
    ];
    let values = rows(&data::SOIL_REPORTED);
    let o = register(
        lab,
        site,
        SOIL,
        &SOIL_METALS,
        specs,
        values,
        "演示：地块初步调查第一批土壤样品",
    )
    .await?;
    lab.receive(TECH, &o, &local(6, 17, 20), "3.8").await?;
    let to_prep = json!({"action": "transferred", "from_person": "陈采样", "to_person": "林分析",
        "location": "土壤制样室（风干、研磨、过筛）", "at": local(5, 9, 0)});
    lab.custody(TECH, &o, to_prep).await?;
    let at = local(4, 10, 30);
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
    let issued = lab.issue(SIGNATORY, &draft).await?;
    made.reports.push(ReportLine::of(&o.number, &issued));
    made.order(
        &o,
        s_name,
        "已出具报告（含超筛选值）/ report issued (GB 36600 exceedances)",
    );

    // Reported: groundwater classed Ⅲ (MW01, MW03) and Ⅳ (MW02) under GB/T 14848.
    let specs = vec![
        well(
            "MW01",
            "R1",
            local(5, 8, 40),
            well_field("3.42", "22.6", "7.12", "512"),
        ),
        well(
            "MW02",
            "R1",
            local(5, 9, 35),
            well_field("4.87", "23.1", "6.86", "836"),
        ),
        well(
            "MW03",
            "R1",
            local(5, 10, 20),
            well_field("2.95", "22.4", "7.05", "604"),
        ),
    ];
    let values = data::WATER_REPORTED.iter().map(|r| r.to_vec()).collect();
    let o = register(
        lab,
        wells,
        WATER,
        &WATER_FULL,
        specs,
        values,
        "演示：第二季度地下水例行监测",
    )
    .await?;
    lab.receive(TECH, &o, &local(5, 15, 30), "4.0").await?;
    let stored = json!({"action": "stored", "from_person": "陈采样", "to_person": "样品管理员",
        "location": "样品冷藏室（0–4 ℃）", "temperature_c": "3.5", "at": local(5, 15, 45)});
    lab.custody(TECH, &o, stored).await?;
    let at = local(4, 14, 0);
    lab.work(
        &o,
        None,
        WATER_ANALYST,
        Some(&at),
        Some(REVIEWER),
        Some(SIGNATORY),
    )
    .await?;
    let draft = lab.draft(WATER_ANALYST, &o).await?;
    let issued = lab.issue(SIGNATORY_2, &draft).await?;
    made.reports.push(ReportLine::of(&o.number, &issued));
    made.order(
        &o,
        w_name,
        "已出具报告（Ⅲ/Ⅳ类）/ report issued (GB/T 14848 classes)",
    );

    // Completed: approved, its report drafted by the reviewer and awaiting a signatory.
    let specs = vec![
        soil("SB03", "0", "0.5", local(4, 9, 20)),
        soil("SB03", "1.0", "1.5", local(4, 9, 50)),
    ];
    let values = vec![
        vec![("cd", "0.24"), ("pb", "52.7")],
        vec![("cd", "0.15"), ("pb", "31.2")],
    ];
    let o = register(
        lab,
        site,
        SOIL,
        &["cd", "pb"],
        specs,
        values,
        "演示：补充采样",
    )
    .await?;
    lab.receive(TECH, &o, &local(4, 16, 0), "4.1").await?;
    let at = local(2, 10, 0);
    lab.work(
        &o,
        None,
        SOIL_ANALYST,
        Some(&at),
        Some(REVIEWER),
        Some(SIGNATORY),
    )
    .await?;
    let draft = lab.draft(REVIEWER, &o).await?;
    made.reports.push(ReportLine::of(&o.number, &draft));
    made.order(
        &o,
        s_name,
        "已批准，报告待签发 / approved, report draft awaiting a signatory",
    );

    // In review: the ammonia-N batch verified (awaiting approval), the anions submitted.
    let specs = vec![
        well(
            "MW01",
            "R2",
            local(3, 9, 0),
            well_field("3.51", "22.9", "7.08", "498"),
        ),
        well(
            "MW02",
            "R2",
            local(3, 9, 45),
            well_field("4.92", "23.4", "6.91", "851"),
        ),
    ];
    let values = vec![
        vec![
            ("ammonia_n", "0.205"),
            ("nitrate_n", "3.18"),
            ("fluoride", "0.455"),
            ("chloride", "40.12"),
            ("sulfate", "55.80"),
        ],
        vec![
            ("ammonia_n", "0.912"),
            ("nitrate_n", "6.74"),
            ("fluoride", "0.612"),
            ("chloride", "86.35"),
            ("sulfate", "102.4"),
        ],
    ];
    let analytes = ["ammonia_n", "nitrate_n", "fluoride", "chloride", "sulfate"];
    let o = register(
        lab,
        wells,
        WATER,
        &analytes,
        specs,
        values,
        "演示：加密监测",
    )
    .await?;
    lab.receive(TECH, &o, &local(3, 15, 0), "3.9").await?;
    let at = local(2, 11, 0);
    let nh3 = mas(lab, WATER, &["ammonia_n"])?;
    lab.work(
        &o,
        Some(nh3.as_slice()),
        WATER_ANALYST,
        Some(&at),
        Some(REVIEWER),
        None,
    )
    .await?;
    let anions = mas(lab, WATER, &analytes[1..])?;
    lab.work(
        &o,
        Some(anions.as_slice()),
        WATER_ANALYST,
        Some(&at),
        None,
        None,
    )
    .await?;
    made.order(
        &o,
        w_name,
        "审核中 / in review (one batch verified, one submitted)",
    );

    // In analysis: an open Cd/Pb batch with the cadmium results entered; arsenic on the worklist.
    let specs = vec![
        soil("SB01", "1.0", "1.5", local(2, 9, 30)),
        soil("SB04", "2.5", "3.0", local(2, 10, 15)),
    ];
    let values = vec![
        vec![("cd", "0.19"), ("pb", "38.5"), ("as", "9.82")],
        vec![("cd", "0.12"), ("pb", "22.4"), ("as", "7.15")],
    ];
    let o = register(
        lab,
        site,
        SOIL,
        &["cd", "pb", "as"],
        specs,
        values,
        "演示：深层土壤样品",
    )
    .await?;
    lab.receive(TECH, &o, &local(2, 16, 30), "4.3").await?;
    let cd = lab.cat.ma(SOIL, "cd")?;
    let cdpb = mas(lab, SOIL, &["cd", "pb"])?;
    for (method_id, analyses) in o.by_method(&lab.cat, Some(cdpb.as_slice())) {
        let b = lab
            .batch(SOIL_ANALYST, &method_id, &analyses, &o.number)
            .await?;
        let only_cd: HashMap<(String, String), String> = o
            .values
            .iter()
            .filter(|((_, ma), _)| *ma == cd.id)
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        lab.enter(SOIL_ANALYST, &b, &only_cd, None, false).await?;
    }
    made.order(
        &o,
        s_name,
        "分析中 / in analysis (open batch, some results)",
    );

    // Received: on the worklist.
    let specs = vec![
        well(
            "MW02",
            "R3",
            local(1, 9, 10),
            well_field("4.95", "23.0", "6.88", "842"),
        ),
        well(
            "MW03",
            "R3",
            local(1, 10, 0),
            well_field("3.02", "22.5", "7.02", "611"),
        ),
    ];
    let o = register(
        lab,
        wells,
        WATER,
        &["ammonia_n", "fe", "mn"],
        specs,
        vec![],
        "演示：复测井",
    )
    .await?;
    lab.receive(TECH, &o, &local(1, 14, 20), "3.6").await?;
    let stored = json!({"action": "stored", "from_person": "陈采样", "to_person": "样品管理员",
        "location": "样品冷藏室（0–4 ℃）", "temperature_c": "3.6", "at": local(1, 14, 35)});
    lab.custody(TECH, &o, stored).await?;
    made.order(&o, w_name, "已接收 / received, on the worklist");

    // Registered: collected this morning, on its way to the lab.
    let specs = vec![
        soil("SB03", "2.5", "3.0", hours_ago(3)),
        soil("SB04", "0", "0.5", hours_ago(2)),
    ];
    let o = register(
        lab,
        site,
        SOIL,
        &SOIL_METALS,
        specs,
        vec![],
        "演示：今日采样，运输途中",
    )
    .await?;
    made.order(&o, s_name, "已登记 / registered, awaiting receipt");
    Ok(made)
}
