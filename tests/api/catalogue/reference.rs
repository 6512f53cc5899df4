//! The reference catalogue read back through the API and compared with an independent read of the
//! standards' reference tables (`shared/reference`): every GB 36600 table 1–2 value, GB/T 14848 class
//! limits, GB 15618 Cd pH bands.
use crate::support::*;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

fn read_csv(dir: &Path, file: &str) -> Vec<HashMap<String, String>> {
    let mut r = csv::Reader::from_path(dir.join(file)).expect(file);
    let headers = r.headers().unwrap().clone();
    r.records()
        .map(|rec| {
            let rec = rec.expect(file);
            headers
                .iter()
                .zip(rec.iter())
                .map(|(h, v)| (h.to_string(), v.trim().to_string()))
                .collect()
        })
        .collect()
}

fn s(v: &Value) -> Option<String> {
    v.as_str().map(str::to_string)
}

/// A limit as (lower, lower inclusive, upper, upper inclusive, text); a flag counts only with its bound.
type Bounds = (
    Option<String>,
    Option<bool>,
    Option<String>,
    Option<bool>,
    Option<String>,
);

fn api_bounds(l: &Value) -> Bounds {
    let lower = s(&l["lower"]);
    let upper = s(&l["upper"]);
    let li = lower.as_ref().and(l["lower_inclusive"].as_bool());
    let ui = upper.as_ref().and(l["upper_inclusive"].as_bool());
    (lower, li, upper, ui, s(&l["text"]))
}

/// Parses a GB/T 14848 table cell as printed: `≤x`, `>x`, `无`, `不得检出 (…)`, `a≤pH<b 或 …`.
fn cell_bounds(cell: &str) -> Vec<Bounds> {
    let cell = cell.trim();
    if let Some(x) = cell.strip_prefix('≤') {
        return vec![(None, None, Some(x.into()), Some(true), None)];
    }
    if let Some(x) = cell.strip_prefix('>') {
        return vec![(Some(x.into()), Some(false), None, None, None)];
    }
    if !cell.contains("pH") {
        let word = cell.split(" (").next().unwrap().to_string();
        return vec![(None, None, None, None, Some(word))];
    }
    cell.split(" 或 ")
        .map(|part| {
            let (left, right) = part.split_once("pH").unwrap();
            let side = |t: &str, op_first: bool| -> Option<(String, bool)> {
                if t.is_empty() {
                    return None;
                }
                let (num, op) = if op_first {
                    (t.trim_start_matches(['≤', '<', '>']), t.chars().next())
                } else {
                    (t.trim_end_matches(['≤', '<']), t.chars().last())
                };
                Some((num.to_string(), op == Some('≤')))
            };
            let mut b: Bounds = (None, None, None, None, None);
            if let Some((n, incl)) = side(left, false) {
                (b.0, b.1) = (Some(n), Some(incl));
            }
            if right.starts_with('>') {
                let (n, _) = side(right, true).unwrap();
                (b.0, b.1) = (Some(n), Some(false));
            } else if let Some((n, incl)) = side(right, true) {
                (b.2, b.3) = (Some(n), Some(incl));
            }
            b
        })
        .collect()
}

#[tokio::test]
async fn every_gb36600_limit_matches_the_reference() {
    let Some(dir) = reference_dir("every_gb36600_limit_matches_the_reference") else {
        return;
    };
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    let analytes = app.all_items("/api/v1/analytes?limit=1000", &token).await;
    let by_cas: HashMap<String, String> = analytes
        .iter()
        .filter_map(|a| Some((s(&a["cas"])?, s(&a["code"])?)))
        .collect();
    let limits = app
        .all_items("/api/v1/standards/GB36600-2018/limits?limit=100", &token)
        .await;
    assert_eq!(
        limits.len(),
        85 * 4,
        "tables 1–2: 85 items × 2 classes × 2 kinds"
    );
    let mut api: BTreeMap<(String, String, String), Value> = BTreeMap::new();
    for l in &limits {
        assert_eq!(l["unit"], "mg/kg", "{l}");
        let key = (
            s(&l["analyte_code"]).unwrap(),
            s(&l["category"]).unwrap(),
            s(&l["kind"]).unwrap(),
        );
        assert!(
            api.insert(key, l.clone()).is_none(),
            "one row per item, class and kind: {l}"
        );
    }
    let mut rows = read_csv(&dir, "gb36600_2018_table1_basic45.csv");
    rows.extend(read_csv(&dir, "gb36600_2018_table2_other40.csv"));
    assert_eq!(rows.len(), 85);
    let mut seen = BTreeSet::new();
    for r in &rows {
        let cas = &r["cas"];
        let code = if cas.is_empty() || cas == "—" {
            // No CAS: the same item by its printed Chinese name.
            let hit: Vec<&Value> = limits
                .iter()
                .filter(|l| l["analyte_name_zh"] == r["name_cn"].as_str())
                .collect();
            assert!(!hit.is_empty(), "no limits for {}", r["name_cn"]);
            s(&hit[0]["analyte_code"]).unwrap()
        } else {
            by_cas
                .get(cas)
                .unwrap_or_else(|| panic!("no analyte with CAS {cas}"))
                .clone()
        };
        assert!(seen.insert(code.clone()), "{code} matched twice");
        for (col, category, kind) in [
            ("screening_cat1_mg_kg", "first_class", "screening"),
            ("screening_cat2_mg_kg", "second_class", "screening"),
            ("intervention_cat1_mg_kg", "first_class", "intervention"),
            ("intervention_cat2_mg_kg", "second_class", "intervention"),
        ] {
            let key = (code.clone(), category.to_string(), kind.to_string());
            let l = api.get(&key).unwrap_or_else(|| panic!("missing {key:?}"));
            assert_eq!(l["value"].as_str(), Some(r[col].as_str()), "{key:?}: {l}");
        }
    }
    assert_eq!(seen.len(), 85);
}

#[tokio::test]
async fn gbt14848_class_limits_match_the_reference() {
    let Some(dir) = reference_dir("gbt14848_class_limits_match_the_reference") else {
        return;
    };
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    let rows = read_csv(&dir, "gbt14848_2017_table1_conventional39.csv");
    let classes = ["class_I", "class_II", "class_III", "class_IV", "class_V"];
    for (name_en, code) in [
        ("Lead", "pb"),
        ("Arsenic", "as"),
        ("Nitrate (as N)", "nitrate_n"),
        ("pH", "ph"),
        ("Odour and taste", "odour_taste"),
        ("Anionic surfactants", "anionic_surfactant"),
    ] {
        let r = rows
            .iter()
            .find(|r| r["name_en"] == name_en)
            .expect(name_en);
        let (_, page) = app
            .get(
                &format!("/api/v1/standards/GBT14848-2017/limits?analyte={code}"),
                &token,
            )
            .await;
        let items = page["items"].as_array().unwrap();
        for l in items {
            assert_eq!(l["kind"], "class_limit", "{l}");
            assert_eq!(l["analyte_code"], code);
        }
        for (i, class) in classes.iter().enumerate() {
            let col = format!("class_{}", ["I", "II", "III", "IV", "V"][i]);
            let mut want = cell_bounds(&r[&col]);
            let mut got: Vec<Bounds> = items
                .iter()
                .filter(|l| l["category"] == *class)
                .map(api_bounds)
                .collect();
            want.sort();
            got.sort();
            assert_eq!(got, want, "{code} {class}: cell {:?}", r[&col]);
        }
    }
    // The shapes the brief names, spelled out.
    let (_, ph) = app
        .get("/api/v1/standards/GBT14848-2017/limits?analyte=ph", &token)
        .await;
    let iv = ph["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["category"] == "class_IV")
        .count();
    assert_eq!(iv, 2, "pH class IV has two ranges");
    let (_, odour) = app
        .get(
            "/api/v1/standards/GBT14848-2017/limits?analyte=odour_taste",
            &token,
        )
        .await;
    let texts: Vec<&str> = odour["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts, ["无", "无", "无", "无", "有"]);
    let (_, pb) = app
        .get("/api/v1/standards/GBT14848-2017/limits?analyte=pb", &token)
        .await;
    assert!(pb["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|l| l["unit"] == "mg/L"));
}

#[tokio::test]
async fn gb15618_cadmium_has_ph_bands_per_land_type() {
    let Some(dir) = reference_dir("gb15618_cadmium_has_ph_bands_per_land_type") else {
        return;
    };
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    let (_, page) = app
        .get("/api/v1/standards/GB15618-2018/limits?analyte=cd", &token)
        .await;
    let items = page["items"].as_array().unwrap();
    let bands = [
        ("pH<=5.5", None, Some("5.5")),
        ("5.5<pH<=6.5", Some("5.5"), Some("6.5")),
        ("6.5<pH<=7.5", Some("6.5"), Some("7.5")),
        ("pH>7.5", Some("7.5"), None),
    ];
    let mut want = BTreeSet::new();
    for r in read_csv(&dir, "gb15618_2018_table1_screening.csv")
        .iter()
        .filter(|r| r["symbol"] == "Cd")
    {
        let category = if r["land_use"].starts_with("水田") {
            "paddy"
        } else {
            "other"
        };
        for (col, min, max) in bands {
            want.insert(("screening", category, min, max, r[col].clone()));
        }
    }
    for r in read_csv(&dir, "gb15618_2018_table3_intervention.csv")
        .iter()
        .filter(|r| r["symbol"] == "Cd")
    {
        for (col, min, max) in bands {
            want.insert(("intervention", "all", min, max, r[col].clone()));
        }
    }
    assert_eq!(want.len(), 12);
    let got: BTreeSet<_> = items
        .iter()
        .map(|l| {
            let c = &l["conditions"];
            assert!(c.is_object(), "every Cd row has its pH band: {l}");
            (
                l["kind"].as_str().unwrap(),
                l["category"].as_str().unwrap(),
                c["ph_min"].as_str(),
                c["ph_max"].as_str(),
                s(&l["value"]).unwrap(),
            )
        })
        .collect();
    assert_eq!(got, want);
}
