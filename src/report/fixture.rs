//! A realistic test-report content (soil site investigation, GB 36600 verdicts) for tests and benchmarks.
//!
//! Deterministic: the same arguments give the same content. Values are text, as in a real
//! report; some samples exceed the class 2 screening values (As, Pb, benzo[a]pyrene) and one
//! the intervention value (Cr VI).
use crate::domain::evaluation::{LimitRow, Named, Outcome, Summary, Verdict};
use crate::domain::report::{
    ClientInfo, DateSpan, Deviation, IssueInfo, LabInfo, MethodInfo, PointInfo, ProjectInfo,
    QcLine, ReportContent, ResultLine, SampleInfo, SignLine, StandardInfo,
};

const STANDARD: &str = "GB36600-2018";

/// One analyte of GB 36600 table 1: names, CAS, method, MDL (mg/kg), class 2 screening and
/// intervention values (mg/kg).
#[derive(Copy, Clone)]
struct Analyte {
    code: &'static str,
    zh: &'static str,
    en: &'static str,
    cas: &'static str,
    method: &'static str,
    mdl: &'static str,
    screening: &'static str,
    intervention: &'static str,
}

const VOC: &str = "HJ 605-2011";
const SVOC: &str = "HJ 834-2017";

/// GB 36600-2018 table 1, the 45 basic items: code, names, CAS, method, MDL, class 2 screening
/// and intervention values.
#[rustfmt::skip]
const ANALYTES: &[[&str; 8]] = &[
    ["As", "砷", "Arsenic", "7440-38-2", "GB/T 22105.2-2008", "0.01", "60", "140"],
    ["Cd", "镉", "Cadmium", "7440-43-9", "GB/T 17141-1997", "0.01", "65", "172"],
    ["Cr6", "铬（六价）", "Chromium (VI)", "18540-29-9", "HJ 1082-2019", "0.5", "5.7", "78"],
    ["Cu", "铜", "Copper", "7440-50-8", "HJ 491-2019", "1", "18000", "36000"],
    ["Pb", "铅", "Lead", "7439-92-1", "HJ 491-2019", "10", "800", "2500"],
    ["Hg", "汞", "Mercury", "7439-97-6", "HJ 680-2013", "0.002", "38", "82"],
    ["Ni", "镍", "Nickel", "7440-02-0", "HJ 491-2019", "3", "900", "2000"],
    ["CCl4", "四氯化碳", "Carbon tetrachloride", "56-23-5", VOC, "0.0013", "2.8", "36"],
    ["CHCl3", "氯仿", "Chloroform", "67-66-3", VOC, "0.0011", "0.9", "10"],
    ["CH3Cl", "氯甲烷", "Chloromethane", "74-87-3", VOC, "0.0010", "37", "120"],
    ["11DCA", "1,1-二氯乙烷", "1,1-Dichloroethane", "75-34-3", VOC, "0.0012", "9", "100"],
    ["12DCA", "1,2-二氯乙烷", "1,2-Dichloroethane", "107-06-2", VOC, "0.0013", "5", "21"],
    ["11DCE", "1,1-二氯乙烯", "1,1-Dichloroethylene", "75-35-4", VOC, "0.0010", "66", "200"],
    ["c12DCE", "顺-1,2-二氯乙烯", "cis-1,2-Dichloroethylene", "156-59-2", VOC, "0.0013", "596", "2000"],
    ["t12DCE", "反-1,2-二氯乙烯", "trans-1,2-Dichloroethylene", "156-60-5", VOC, "0.0014", "54", "163"],
    ["DCM", "二氯甲烷", "Dichloromethane", "75-09-2", VOC, "0.0015", "616", "2000"],
    ["12DCP", "1,2-二氯丙烷", "1,2-Dichloropropane", "78-87-5", VOC, "0.0011", "5", "47"],
    ["1112TeCA", "1,1,1,2-四氯乙烷", "1,1,1,2-Tetrachloroethane", "630-20-6", VOC, "0.0012", "10", "100"],
    ["1122TeCA", "1,1,2,2-四氯乙烷", "1,1,2,2-Tetrachloroethane", "79-34-5", VOC, "0.0012", "6.8", "50"],
    ["PCE", "四氯乙烯", "Tetrachloroethylene", "127-18-4", VOC, "0.0014", "53", "183"],
    ["111TCA", "1,1,1-三氯乙烷", "1,1,1-Trichloroethane", "71-55-6", VOC, "0.0013", "840", "840"],
    ["112TCA", "1,1,2-三氯乙烷", "1,1,2-Trichloroethane", "79-00-5", VOC, "0.0012", "2.8", "15"],
    ["TCE", "三氯乙烯", "Trichloroethylene", "79-01-6", VOC, "0.0012", "2.8", "20"],
    ["123TCP", "1,2,3-三氯丙烷", "1,2,3-Trichloropropane", "96-18-4", VOC, "0.0012", "0.5", "5"],
    ["VC", "氯乙烯", "Vinyl chloride", "75-01-4", VOC, "0.0010", "0.43", "4.3"],
    ["Bz", "苯", "Benzene", "71-43-2", VOC, "0.0019", "4", "40"],
    ["CB", "氯苯", "Chlorobenzene", "108-90-7", VOC, "0.0012", "270", "1000"],
    ["12DCB", "1,2-二氯苯", "1,2-Dichlorobenzene", "95-50-1", VOC, "0.0015", "560", "560"],
    ["14DCB", "1,4-二氯苯", "1,4-Dichlorobenzene", "106-46-7", VOC, "0.0015", "20", "200"],
    ["EB", "乙苯", "Ethylbenzene", "100-41-4", VOC, "0.0012", "28", "280"],
    ["St", "苯乙烯", "Styrene", "100-42-5", VOC, "0.0011", "1290", "1290"],
    ["Tol", "甲苯", "Toluene", "108-88-3", VOC, "0.0013", "1200", "1200"],
    ["mpX", "间二甲苯+对二甲苯", "m-Xylene + p-Xylene", "108-38-3, 106-42-3", VOC, "0.0012", "570", "570"],
    ["oX", "邻二甲苯", "o-Xylene", "95-47-6", VOC, "0.0012", "640", "640"],
    ["NB", "硝基苯", "Nitrobenzene", "98-95-3", SVOC, "0.09", "76", "760"],
    ["An", "苯胺", "Aniline", "62-53-3", SVOC, "0.1", "260", "663"],
    ["2CP", "2-氯酚", "2-Chlorophenol", "95-57-8", SVOC, "0.06", "2256", "4500"],
    ["BaA", "苯并[a]蒽", "Benz[a]anthracene", "56-55-3", SVOC, "0.1", "15", "151"],
    ["BaP", "苯并[a]芘", "Benzo[a]pyrene", "50-32-8", SVOC, "0.1", "1.5", "15"],
    ["BbF", "苯并[b]荧蒽", "Benzo[b]fluoranthene", "205-99-2", SVOC, "0.2", "15", "151"],
    ["BkF", "苯并[k]荧蒽", "Benzo[k]fluoranthene", "207-08-9", SVOC, "0.1", "151", "1500"],
    ["Chr", "䓛", "Chrysene", "218-01-9", SVOC, "0.1", "1293", "12900"],
    ["DBA", "二苯并[a,h]蒽", "Dibenz[a,h]anthracene", "53-70-3", SVOC, "0.1", "1.5", "15"],
    ["IP", "茚并[1,2,3-cd]芘", "Indeno[1,2,3-cd]pyrene", "193-39-5", SVOC, "0.1", "15", "151"],
    ["Nap", "萘", "Naphthalene", "91-20-3", SVOC, "0.09", "70", "700"],
];

fn analyte(row: &[&'static str; 8]) -> Analyte {
    let [code, zh, en, cas, method, mdl, screening, intervention] = *row;
    Analyte {
        code,
        zh,
        en,
        cas,
        method,
        mdl,
        screening,
        intervention,
    }
}

/// Method titles by code.
const METHODS: &[(&str, &str)] = &[
    (
        "GB/T 22105.2-2008",
        "土壤质量 总汞、总砷、总铅的测定 原子荧光法 第2部分：土壤中总砷的测定",
    ),
    (
        "GB/T 17141-1997",
        "土壤质量 铅、镉的测定 石墨炉原子吸收分光光度法",
    ),
    (
        "HJ 1082-2019",
        "土壤和沉积物 六价铬的测定 碱溶液提取-火焰原子吸收分光光度法",
    ),
    (
        "HJ 491-2019",
        "土壤和沉积物 铜、锌、铅、镍、铬的测定 火焰原子吸收分光光度法",
    ),
    (
        "HJ 680-2013",
        "土壤和沉积物 汞、砷、硒、铋、锑的测定 微波消解/原子荧光法",
    ),
    (
        VOC,
        "土壤和沉积物 挥发性有机物的测定 吹扫捕集/气相色谱-质谱法",
    ),
    (SVOC, "土壤和沉积物 半挥发性有机物的测定 气相色谱-质谱法"),
];

/// The note GB 36600 attaches to arsenic above its screening value.
pub const BACKGROUND_NOTE: &str =
    "砷含量超过筛选值但等于或低于土壤环境背景值（GB 36600-2018 附录A）的，不纳入污染地块管理。";
const INTERVENTION_NOTE: &str =
    "超过管制值的，对人体健康通常存在不可接受风险，应当采取风险管控或修复措施。";

/// How one result stands.
#[derive(Copy, Clone, PartialEq)]
enum Level {
    Below,
    Screening,
    Intervention,
}

/// The reported value of analyte `k` in sample `i`, and how it stands.
fn value(k: usize, an: &Analyte, i: usize) -> (String, Level) {
    let nd = || (format!("{}L", an.mdl), Level::Below);
    match an.code {
        "As" if i % 7 == 3 => ("72.4".into(), Level::Screening),
        "As" => (tenths(82 + (i * 53) % 120), Level::Below),
        "Cd" if i.is_multiple_of(3) => nd(),
        "Cd" => (format!("0.{:02}", 2 + (i * 5) % 17), Level::Below),
        "Cr6" if i == 11 => ("82.0".into(), Level::Intervention),
        "Cr6" => nd(),
        "Cu" => ((18 + (i * 7) % 40).to_string(), Level::Below),
        "Pb" if i % 9 == 5 => ("1.02×10³".into(), Level::Screening),
        "Pb" => ((24 + (i * 11) % 60).to_string(), Level::Below),
        "Hg" => (format!("0.{:03}", 30 + (i * 13) % 70), Level::Below),
        "Ni" => ((15 + (i * 3) % 30).to_string(), Level::Below),
        "BaP" if i % 10 == 7 => ("1.8".into(), Level::Screening),
        "BaP" | "BbF" | "Chr" if i % 4 == 1 => (tenths(2 + (i + k) % 5), Level::Below),
        _ => nd(),
    }
}

/// `n` tenths as a decimal: 82 → "8.2".
fn tenths(n: usize) -> String {
    format!("{}.{}", n / 10, n % 10)
}

fn limit(kind: &str, value: &str) -> LimitRow {
    LimitRow {
        category: "second_class".into(),
        kind: kind.into(),
        unit: "mg/kg".into(),
        value: Some(value.into()),
        lower: None,
        upper: None,
        lower_inclusive: None,
        upper_inclusive: None,
        text: None,
        ph_min: None,
        ph_max: None,
        note: None,
    }
}

fn verdict(an: &Analyte, level: Level) -> Verdict {
    let (outcome, zh, en) = match level {
        Level::Below => (Outcome::LeScreening, "不超过筛选值", "≤ screening value"),
        Level::Screening => (Outcome::GtScreening, "超过筛选值", "> screening value"),
        Level::Intervention => (
            Outcome::GtIntervention,
            "超过管制值",
            "> intervention value",
        ),
    };
    Verdict {
        standard: STANDARD.into(),
        outcome,
        class: None,
        exceeds: level != Level::Below,
        classifiable: false,
        label_zh: zh.into(),
        label_en: en.into(),
        limits: vec![
            limit("screening", an.screening),
            limit("intervention", an.intervention),
        ],
        note: (an.code == "As" && level == Level::Screening).then(|| BACKGROUND_NOTE.to_string()),
    }
}

fn named(an: &Analyte) -> Named {
    Named {
        code: an.code.into(),
        name_zh: an.zh.into(),
        name_en: an.en.into(),
    }
}

fn summary(screening: &[&Analyte], intervention: &[&Analyte]) -> Summary {
    let names = |list: &[&Analyte], sep: &str, en: bool| {
        list.iter()
            .map(|a| if en { a.en } else { a.zh })
            .collect::<Vec<_>>()
            .join(sep)
    };
    let (mut zh, mut en) = (Vec::new(), Vec::new());
    if !screening.is_empty() {
        zh.push(format!(
            "{}超过第二类用地筛选值",
            names(screening, "、", false)
        ));
        en.push(format!(
            "{} above the class 2 screening value",
            names(screening, ", ", true)
        ));
    }
    if !intervention.is_empty() {
        zh.push(format!(
            "{}超过第二类用地管制值",
            names(intervention, "、", false)
        ));
        en.push(format!(
            "{} above the class 2 intervention value",
            names(intervention, ", ", true)
        ));
    }
    if zh.is_empty() {
        zh.push("所测项目均不超过第二类用地筛选值".into());
        en.push("no analyte above the class 2 screening values".into());
    }
    let mut notes = Vec::new();
    if screening.iter().any(|a| a.code == "As") {
        notes.push(BACKGROUND_NOTE.to_string());
    }
    if !intervention.is_empty() {
        notes.push(INTERVENTION_NOTE.to_string());
    }
    Summary {
        standard: STANDARD.into(),
        label_zh: zh.join("；"),
        label_en: en.join("; "),
        class: None,
        setting: Vec::new(),
        exceed_screening: screening.iter().map(|a| named(a)).collect(),
        exceed_intervention: intervention.iter().map(|a| named(a)).collect(),
        not_classifiable: Vec::new(),
        notes,
    }
}

/// A date `d` days after 2026-11-02, as `YYYY-MM-DD`.
fn day(d: usize) -> String {
    let date = chrono::NaiveDate::from_ymd_opt(2026, 11, 2)
        .and_then(|s| s.checked_add_days(chrono::Days::new(d as u64)));
    date.map_or_else(|| "2026-11-02".into(), |d| d.format("%Y-%m-%d").to_string())
}

/// A soil site-investigation report: `samples` samples with `analytes` results each (GB 36600
/// table 1 items, repeated with a suffix beyond its 45).
pub fn sample_content(samples: usize, analytes: usize) -> ReportContent {
    let chosen: Vec<(usize, Analyte, String, String)> = (0..analytes)
        .map(|k| {
            let an = analyte(&ANALYTES[k % ANALYTES.len()]);
            let round = k / ANALYTES.len();
            let (zh, en) = if round == 0 {
                (an.zh.to_string(), an.en.to_string())
            } else {
                (
                    format!("{}（{}）", an.zh, round + 1),
                    format!("{} ({})", an.en, round + 1),
                )
            };
            (k, an, zh, en)
        })
        .collect();
    let mut methods: Vec<MethodInfo> = Vec::new();
    for (_, an, _, _) in &chosen {
        if !methods.iter().any(|m| m.code == an.method) {
            let title = METHODS
                .iter()
                .find(|(c, _)| *c == an.method)
                .map_or("", |(_, t)| *t);
            methods.push(MethodInfo {
                code: an.method.into(),
                title: title.into(),
            });
        }
    }
    let mut points = Vec::new();
    let mut sample_list = Vec::new();
    let (mut sampled, mut received, mut analysed) = (
        DateSpan::default(),
        DateSpan::default(),
        DateSpan::default(),
    );
    let descriptions = [
        "棕黄色，壤土，潮，无异味，含少量植物根系",
        "灰褐色，粉质黏土，湿，无异味",
        "红褐色，砂质壤土，干，无异味，含碎石约 10%",
        "灰黑色，黏土，湿，略有异味",
    ];
    for i in 0..samples {
        let point = format!("S{}", i / 2 + 1);
        if i.is_multiple_of(2) {
            points.push(PointInfo {
                code: point.clone(),
                kind: "土壤钻孔 soil boring".into(),
                latitude: Some(format!("24.{:04}", 4812 + (i * 37) % 900)),
                longitude: Some(format!("118.{:04}", 392 + (i * 53) % 900)),
                note: (i == 0).then(|| "原化工厂储罐区 former tank farm".to_string()),
            });
        }
        let depth = if i.is_multiple_of(2) {
            "0–0.5"
        } else {
            "1.0–1.5"
        };
        let collected = day(i / 10);
        let receipt = day(i / 10 + 1);
        let mut span = DateSpan::default();
        span.include(&day(i / 10 + 2));
        span.include(&day(i / 10 + 6));
        sampled.include(&collected);
        received.include(&receipt);
        analysed.include(&day(i / 10 + 2));
        analysed.include(&day(i / 10 + 6));
        let mut results = Vec::new();
        let (mut over_s, mut over_i): (Vec<&Analyte>, Vec<&Analyte>) = (Vec::new(), Vec::new());
        for (k, an, zh, en) in &chosen {
            let (reported, level) = value(*k, an, i);
            match level {
                Level::Screening => over_s.push(an),
                Level::Intervention => over_i.push(an),
                Level::Below => {}
            }
            results.push(ResultLine {
                analyte_code: an.code.into(),
                analyte_zh: zh.clone(),
                analyte_en: en.clone(),
                cas: Some(an.cas.into()),
                method_code: an.method.into(),
                unit: "mg/kg".into(),
                mdl: Some(an.mdl.into()),
                final_value: (!reported.ends_with('L')).then(|| reported.clone()),
                below_mdl: reported.ends_with('L'),
                reported,
                analysed_at: format!("{} 10:{:02}", day(i / 10 + 2 + k % 5), k % 60),
                verdicts: vec![verdict(an, level)],
            });
        }
        sample_list.push(SampleInfo {
            lab_id: format!("SO-202611-{:05}", i + 1),
            client_sample_id: format!(
                "{point}-{}",
                if i.is_multiple_of(2) { "0.5" } else { "1.5" }
            ),
            matrix_zh: "土壤".into(),
            matrix_en: "soil".into(),
            point_code: Some(point),
            collected_at: format!("{collected} {:02}:{:02}", 9 + i % 8, (i * 17) % 60),
            collected_by: "郑海峰、李晨".into(),
            depth: Some(depth.into()),
            description: descriptions[i % descriptions.len()].into(),
            received_at: Some(format!("{receipt} 16:30")),
            condition: "样品完好，密封，冷藏 3.8 ℃".into(),
            analysed: span,
            summaries: vec![summary(&over_s, &over_i)],
            results,
        });
    }
    let deviations = if samples == 0 {
        Vec::new()
    } else {
        vec![
            Deviation {
                kind: "holding_time_exceeded".into(),
                samples: vec![format!("SO-202611-{:05}", samples.min(2))],
                analyte_zh: "氯乙烯".into(),
                analyte_en: "Vinyl chloride".into(),
                text: "保存期限至 2026-11-09 10:30，实际分析于 2026-11-10 15:20（超出 1 天 4 小时 50 分） / \
                       holding time ended 2026-11-09 10:30, analysed 2026-11-10 15:20"
                    .into(),
            },
            Deviation {
                kind: "qc_failure_accepted".into(),
                samples: Vec::new(),
                analyte_zh: "苯胺".into(),
                analyte_en: "Aniline".into(),
                text: "基体加标回收率 58%（要求 60%–130%）；空白加标回收率 92% 合格，判断为基体干扰，结果予以接受 / \
                       matrix spike recovery 58% (60–130% required); blank spike 92%: matrix interference, accepted"
                    .into(),
            },
        ]
    };
    let batches = samples.div_ceil(20).max(1) as u32;
    let methods_n = methods.len() as u32;
    ReportContent {
        lab: LabInfo {
            name_zh: "厦门市白鹭生态环境监测中心".into(),
            name_en: "Xiamen Egret Environmental Monitoring Centre".into(),
            address: "福建省厦门市思明区湖滨南路 388 号".into(),
            phone: "0592-5158800".into(),
            cma_number: "241312050123".into(),
        },
        client: ClientInfo {
            name: "厦门海沧湾置业有限公司".into(),
            address: Some("福建省厦门市海沧区沧林东路 99 号 8 楼".into()),
            contact: Some("陈思远".into()),
            phone: Some("0592-6051234".into()),
        },
        project: ProjectInfo {
            code: "PRJ-2026-0042".into(),
            name: "海沧区原化工厂地块土壤污染状况初步调查".into(),
            land_use: Some("second_class".into()),
            farmland_type: None,
            standards: vec![StandardInfo {
                code: STANDARD.into(),
                title: "GB 36600-2018 土壤环境质量 建设用地土壤污染风险管控标准（试行）".into(),
                title_en: "Soil environmental quality — Risk control standard for soil contamination of development land".into(),
            }],
        },
        work_order_number: "WO-2026-00318".into(),
        interim: false,
        points,
        samples: sample_list,
        methods,
        qc: vec![
            QcLine {
                kind: "blank".into(),
                count: 2 * batches * methods_n,
                judged: 2 * batches * methods_n,
                passed: 2 * batches * methods_n,
            },
            QcLine {
                kind: "duplicate".into(),
                count: 4 * batches * methods_n,
                judged: 4 * batches * methods_n,
                passed: 4 * batches * methods_n,
            },
            QcLine {
                kind: "spike".into(),
                count: 2 * batches * methods_n,
                judged: 2 * batches * methods_n,
                passed: (2 * batches * methods_n).saturating_sub(1),
            },
            QcLine {
                kind: "lcs".into(),
                count: batches * methods_n,
                judged: batches * methods_n,
                passed: batches * methods_n,
            },
        ],
        deviations,
        prepared: SignLine {
            name: "林晓燕".into(),
            date: "2026-11-18".into(),
        },
        reviewed: vec![
            SignLine {
                name: "陈志明".into(),
                date: "2026-11-16".into(),
            },
            SignLine {
                name: "黄丽华".into(),
                date: "2026-11-17".into(),
            },
        ],
        sampled,
        received,
        analysed,
    }
}

/// The issue of the report: number, approval by the signatory, verification URL.
pub fn sample_issue() -> IssueInfo {
    IssueInfo {
        number: "EGR-2026-000123".into(),
        revision: 0,
        approved: SignLine {
            name: "王建国".into(),
            date: "2026-11-20".into(),
        },
        issued_on: "2026-11-20".into(),
        verify_url: "https://lims.example.org/verify/EGR-2026-000123?code=7KQ2M9XD4TRH".into(),
        replaces: None,
    }
}
