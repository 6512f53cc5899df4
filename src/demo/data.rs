//! What the demo lab holds: its profile, people, clients and sites, catalogue picks and results.
//!
//! Everything here is illustrative. The MDLs and reporting decimals are demo settings used only
//! where the seeded catalogue leaves them to the lab; the standards' limits are never touched.

/// The lab profile (`PUT /api/v1/lab`); the name says "demo" so nobody mistakes it.
pub const LAB_NAME_ZH: &str = "厦门市生态环境监测中心（演示）";
pub const LAB_NAME_EN: &str = "Xiamen Ecology and Environment Monitoring Centre (demo)";
pub const LAB_ADDRESS: &str = "福建省厦门市湖里区示例路 88 号（演示地址）";
pub const LAB_PHONE: &str = "0592-0000000";
pub const LAB_CMA: &str = "DEMO-000000";

/// The admin the demo creates when it cannot sign in as `admin` (see [`super::admin_login`]).
pub const DEMO_ADMIN: &str = "demo-admin";
pub const DEMO_ADMIN_NAME: &str = "演示管理员";
pub const DEMO_ADMIN_PASSWORD: &str = "demo-admin-2026";

/// A demo account. `client` is the index in [`CLIENTS`] of a client user's client.
pub struct Person {
    pub username: &'static str,
    pub display_name: &'static str,
    pub roles: &'static [&'static str],
    pub password: &'static str,
    pub client: Option<usize>,
}

const fn staff(
    username: &'static str,
    display_name: &'static str,
    role: &'static [&'static str],
    password: &'static str,
) -> Person {
    Person {
        username,
        display_name,
        roles: role,
        password,
        client: None,
    }
}

/// Every demo account; the passwords are fixed and documented (README, `egret demo` output).
pub const PEOPLE: [Person; 8] = [
    staff("chen", "陈采样", &["technician"], "demo-technician-2026"),
    staff("lin", "林分析", &["analyst"], "demo-analyst-2026"),
    staff("zhou", "周检测", &["analyst"], "demo-analyst-2026"),
    staff("wang", "王审核", &["reviewer"], "demo-reviewer-2026"),
    staff("zhao", "赵批准", &["signatory"], "demo-signatory-2026"),
    staff("liu", "刘签发", &["signatory"], "demo-signatory-2026"),
    Person {
        username: "client-site",
        display_name: "李业主（演示地块业主）",
        roles: &["client"],
        password: "demo-client-2026",
        client: Some(0),
    },
    Person {
        username: "client-wells",
        display_name: "黄主任（演示井群管理单位）",
        roles: &["client"],
        password: "demo-client-2026",
        client: Some(1),
    },
];

pub const TECH: &str = "chen";
pub const SOIL_ANALYST: &str = "lin";
pub const WATER_ANALYST: &str = "zhou";
pub const REVIEWER: &str = "wang";
pub const SIGNATORY: &str = "zhao";
pub const SIGNATORY_2: &str = "liu";

/// A client with its one project (`standards` by URL-safe code) and its sampling points.
pub struct Client {
    pub code: &'static str,
    pub name: &'static str,
    pub address: &'static str,
    pub contact: &'static str,
    pub phone: &'static str,
    pub email: &'static str,
    pub project_code: &'static str,
    pub project_name: &'static str,
    pub land_use: Option<&'static str>,
    pub standards: &'static [&'static str],
    pub points: &'static [Point],
}

/// A sampling point: code, kind, latitude, longitude, well depth, screen top/bottom (m), note.
pub struct Point {
    pub code: &'static str,
    pub kind: &'static str,
    pub lat: &'static str,
    pub lon: &'static str,
    pub well: Option<(&'static str, &'static str, &'static str)>,
    pub note: &'static str,
}

const fn boring(
    code: &'static str,
    lat: &'static str,
    lon: &'static str,
    note: &'static str,
) -> Point {
    Point {
        code,
        kind: "soil_boring",
        lat,
        lon,
        well: None,
        note,
    }
}

pub const CLIENTS: [Client; 2] = [
    Client {
        code: "DEMO-SITE",
        name: "厦门市某建设用地地块业主单位（演示）",
        address: "厦门市集美区示例大道 1 号（演示）",
        contact: "李业主",
        phone: "0592-0000001",
        email: "site-owner@example.cn",
        project_code: "JM-2026-01",
        project_name: "集美区某地块土壤污染状况调查（演示）",
        land_use: Some("second_class"),
        standards: &["GB36600-2018"],
        points: &[
            boring(
                "SB01",
                "24.5812",
                "118.0976",
                "地块东北角，原仓库区，钻孔深度 3.0 m",
            ),
            boring(
                "SB02",
                "24.5819",
                "118.0983",
                "原电镀车间旧址，钻孔深度 3.0 m",
            ),
            boring("SB03", "24.5806", "118.0991", "原办公区，钻孔深度 3.0 m"),
            boring(
                "SB04",
                "24.5824",
                "118.0969",
                "地块西侧围墙内，钻孔深度 4.5 m",
            ),
        ],
    },
    Client {
        code: "DEMO-WELLS",
        name: "厦门市某地下水监测井群管理单位（演示）",
        address: "厦门市思明区示例路 2 号（演示）",
        contact: "黄主任",
        phone: "0592-0000002",
        email: "wells@example.cn",
        project_code: "GW-2026-Q2",
        project_name: "某井群地下水环境质量监测（演示）",
        land_use: None,
        standards: &["GBT14848-2017"],
        points: &[
            Point {
                code: "MW01",
                kind: "monitoring_well",
                lat: "24.4912",
                lon: "118.1423",
                well: Some(("12.5", "6.0", "12.0")),
                note: "上游背景监测井",
            },
            Point {
                code: "MW02",
                kind: "monitoring_well",
                lat: "24.4935",
                lon: "118.1456",
                well: Some(("15.0", "8.0", "14.5")),
                note: "下游污染扩散监测井",
            },
            Point {
                code: "MW03",
                kind: "monitoring_well",
                lat: "24.4889",
                lon: "118.1478",
                well: Some(("10.0", "5.0", "9.5")),
                note: "侧向监测井",
            },
        ],
    },
];

/// One orderable analysis the demo uses: the catalogue method it prefers (the first of the
/// analyte's methods is taken when the catalogue lacks it), and the demo MDL and reporting
/// decimals used only where the seeded catalogue leaves them to the lab.
pub struct Pick {
    pub matrix: &'static str,
    pub analyte: &'static str,
    pub method_code: &'static str,
    pub demo_mdl: &'static str,
    pub demo_decimals: i32,
}

const fn pick(
    matrix: &'static str,
    analyte: &'static str,
    method_code: &'static str,
    demo_mdl: &'static str,
    demo_decimals: i32,
) -> Pick {
    Pick {
        matrix,
        analyte,
        method_code,
        demo_mdl,
        demo_decimals,
    }
}

pub const SOIL: &str = "soil";
pub const WATER: &str = "groundwater";

pub const PICKS: [Pick; 17] = [
    pick(SOIL, "as", "GB/T 22105.2-2008", "0.01", 2),
    pick(SOIL, "cd", "GB/T 17141-1997", "0.01", 2),
    pick(SOIL, "pb", "GB/T 17141-1997", "0.1", 1),
    pick(SOIL, "cu", "HJ 491-2019", "1", 0),
    pick(SOIL, "ni", "HJ 491-2019", "3", 0),
    pick(SOIL, "hg", "GB/T 22105 (Hg part)", "0.002", 3),
    pick(SOIL, "cr6", "HJ 1082-2019", "0.5", 1),
    pick(WATER, "ammonia_n", "HJ 535-2009", "0.025", 3),
    pick(WATER, "nitrate_n", "HJ 84-2016", "0.004", 2),
    pick(WATER, "fluoride", "HJ 84-2016", "0.006", 3),
    pick(WATER, "chloride", "HJ 84-2016", "0.007", 2),
    pick(WATER, "sulfate", "HJ 84-2016", "0.018", 2),
    pick(WATER, "fe", "HJ 700-2014", "0.82", 1),
    pick(WATER, "mn", "HJ 700-2014", "0.12", 1),
    pick(WATER, "as", "HJ 700-2014", "0.12", 2),
    pick(WATER, "cd", "HJ 700-2014", "0.05", 2),
    pick(WATER, "pb", "HJ 700-2014", "0.09", 2),
];

/// The seven soil metals of the site investigation (GB 36600 basic items).
pub const SOIL_METALS: [&str; 7] = ["as", "cd", "cu", "pb", "hg", "ni", "cr6"];
/// The groundwater indicators of the quarterly round (GB/T 14848 conventional items).
pub const WATER_FULL: [&str; 10] = [
    "ammonia_n",
    "nitrate_n",
    "fluoride",
    "chloride",
    "sulfate",
    "fe",
    "mn",
    "as",
    "cd",
    "pb",
];

/// Soil results (mg/kg) of the reported order: SB01 0–0.5 m, SB02 0–0.5 m (above the GB 36600
/// second-class screening values for As, Pb and Cr(VI)), SB02 1.0–1.5 m.
pub const SOIL_REPORTED: [[(&str, &str); 7]; 3] = [
    [
        ("as", "12.6"),
        ("cd", "0.21"),
        ("cu", "28"),
        ("pb", "46.3"),
        ("hg", "0.086"),
        ("ni", "24"),
        ("cr6", "ND"),
    ],
    [
        ("as", "85.3"),
        ("cd", "1.12"),
        ("cu", "156"),
        ("pb", "1020"),
        ("hg", "0.432"),
        ("ni", "62"),
        ("cr6", "7.2"),
    ],
    [
        ("as", "41.8"),
        ("cd", "0.36"),
        ("cu", "65"),
        ("pb", "212"),
        ("hg", "0.158"),
        ("ni", "38"),
        ("cr6", "1.6"),
    ],
];

/// Groundwater results of the reported round (mg/L; Fe, Mn, As, Cd, Pb in μg/L by ICP-MS):
/// MW01 class Ⅲ, MW02 class Ⅳ (ammonia-N, Fe, Mn), MW03 class Ⅲ.
pub const WATER_REPORTED: [[(&str, &str); 10]; 3] = [
    [
        ("ammonia_n", "0.182"),
        ("nitrate_n", "3.42"),
        ("fluoride", "0.482"),
        ("chloride", "38.62"),
        ("sulfate", "52.31"),
        ("fe", "126.4"),
        ("mn", "45.2"),
        ("as", "1.85"),
        ("cd", "ND"),
        ("pb", "0.62"),
    ],
    [
        ("ammonia_n", "0.864"),
        ("nitrate_n", "7.15"),
        ("fluoride", "0.587"),
        ("chloride", "92.47"),
        ("sulfate", "118.6"),
        ("fe", "412.3"),
        ("mn", "352.6"),
        ("as", "3.27"),
        ("cd", "0.08"),
        ("pb", "1.15"),
    ],
    [
        ("ammonia_n", "0.341"),
        ("nitrate_n", "12.6"),
        ("fluoride", "0.391"),
        ("chloride", "45.83"),
        ("sulfate", "68.92"),
        ("fe", "268.5"),
        ("mn", "92.5"),
        ("as", "0.96"),
        ("cd", "ND"),
        ("pb", "0.44"),
    ],
];

/// Field measurements of a groundwater sample (HJ 164-2020 mandatory items).
pub fn well_field(level: &str, temp: &str, ph: &str, conductivity: &str) -> serde_json::Value {
    serde_json::json!({
        "water_level_m": level, "water_temp_c": temp, "ph": ph, "do_mg_l": "4.86",
        "conductivity_us_cm": conductivity, "orp_mv": "126", "turbidity_ntu": "2.8",
        "odour": "无", "visible_matter": "无",
    })
}

/// Field description of a soil sample.
pub fn soil_field(texture: &str, colour: &str) -> serde_json::Value {
    serde_json::json!({"texture": texture, "colour": colour, "moisture": "潮", "note": "无明显异味"})
}
