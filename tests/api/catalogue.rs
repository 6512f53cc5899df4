//! The catalogue over the API: standards, matrices, packages, analyte search, method and
//! method-analyte edits and their validation, the lab profile, pagination.
//! (The comparison with the reference tables is in `catalogue/reference.rs`; formulas, totals and
//! scientific notation in `catalogue/formula.rs`.)
use crate::support::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::collections::{BTreeSet, HashMap};

mod formula;
mod reference;

fn s(v: &Value) -> Option<String> {
    v.as_str().map(str::to_string)
}

#[tokio::test]
async fn standards_matrices_packages_and_analyte_search() {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    let (_, st) = app.get("/api/v1/standards", &token).await;
    let codes: BTreeSet<&str> = st["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        BTreeSet::from([
            "GB15618-2018",
            "GB36600-2018",
            "GB3838-2002",
            "GBT14848-2017"
        ])
    );
    assert!(st["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["title"].as_str().unwrap().contains("GB/T 14848-2017")));
    let (_, m) = app.get("/api/v1/matrices", &token).await;
    let mcodes: Vec<&str> = m["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["code"].as_str().unwrap())
        .collect();
    for c in ["soil", "groundwater", "surface_water"] {
        assert!(mcodes.contains(&c), "{mcodes:?}");
    }
    app.answer(
        Method::GET,
        "/api/v1/standards/GB99999/limits",
        Some(&token),
        None,
    )
    .await
    .assert_problem(404);

    // Packages: every analyte either has its method_analyte or is listed as missing.
    let mas = app
        .all_items("/api/v1/method-analytes?limit=1000", &token)
        .await;
    let ma_by_id: HashMap<&str, &Value> =
        mas.iter().map(|m| (m["id"].as_str().unwrap(), m)).collect();
    let (_, pk) = app.get("/api/v1/packages", &token).await;
    for (code, matrix, n) in [
        ("GB36600-basic45", "soil", 45),
        ("GBT14848-conventional39", "groundwater", 39),
    ] {
        let p = pk["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["code"] == code)
            .expect(code);
        let ids = p["method_analyte_ids"]
            .as_array()
            .expect("method_analyte_ids");
        let missing = p["missing"].as_array().expect("missing");
        let mut covered = BTreeSet::new();
        for id in ids {
            let ma = ma_by_id[id.as_str().unwrap()];
            assert_eq!(ma["matrix"], matrix, "{code}: {ma}");
            assert!(
                covered.insert(s(&ma["analyte_code"]).unwrap()),
                "{code}: one method per analyte"
            );
        }
        for m in missing {
            assert!(
                covered.insert(s(m).unwrap()),
                "{code}: {m} both covered and missing"
            );
        }
        assert_eq!(covered.len(), n, "{code}");
        let (status, one) = app.get(&format!("/api/v1/packages/{code}"), &token).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(&one, p);
    }

    for q in ["pb", "PB", "铅", "7439-92-1", "lead"] {
        let (status, found) = app
            .get(&format!("/api/v1/analytes?q={}", urlencode(q)), &token)
            .await;
        assert_eq!(status, StatusCode::OK);
        let codes: Vec<&str> = found["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["code"].as_str().unwrap())
            .collect();
        assert!(codes.contains(&"pb"), "q={q}: {codes:?}");
    }
    let (_, found) = app.get("/api/v1/analytes?q=7439-92-1", &token).await;
    assert_eq!(found["items"].as_array().unwrap().len(), 1);
    assert_eq!(found["items"][0]["name_zh"], "铅");

    let (_, cands) = app
        .get("/api/v1/method-analytes?analyte=pb&matrix=soil", &token)
        .await;
    let cands = cands["items"].as_array().unwrap();
    assert!(!cands.is_empty(), "lead in soil has candidate methods");
    for c in cands {
        assert_eq!(c["analyte_code"], "pb");
        assert_eq!(c["matrix"], "soil");
        assert!(c["method_code"].as_str().is_some_and(|m| !m.is_empty()));
    }
}

fn urlencode(q: &str) -> String {
    q.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn method_analyte_edits_are_exact_and_validated() {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    let (_, cands) = app
        .get("/api/v1/method-analytes?analyte=pb&matrix=soil", &token)
        .await;
    let id = cands["items"][0]["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/method-analytes/{id}");
    let patch = |body: Value| {
        let (app, token, path) = (&app, &token, &path);
        async move {
            app.answer(Method::PATCH, path, Some(token), Some(&body))
                .await
        }
    };
    let a = patch(json!({"mdl": "0.010", "decimals": 2, "unit": "µg/kg"})).await;
    assert_eq!(a.status, StatusCode::OK, "{a:?}");
    assert_eq!(a.body["mdl"], "0.010");
    assert_eq!(
        a.body["unit"], "\u{03bc}g/kg",
        "µ (U+00B5) is stored as μ (U+03BC)"
    );
    let (_, read) = app.get(&path, &token).await;
    assert_eq!(read["mdl"], "0.010", "the MDL keeps its trailing zero");
    assert_eq!(read["decimals"], 2);
    let version = read["version"].clone();

    patch(json!({"significant_figures": 3}))
        .await
        .assert_invalid("significant_figures");
    patch(json!({"mdl": "abc"})).await.assert_invalid("mdl");
    patch(json!({"mdl": "1e-3"})).await.assert_invalid("mdl");
    patch(json!({"mdl": "-1"})).await.assert_invalid("mdl");
    patch(json!({"mdl": 0.01})).await.assert_invalid("mdl");
    patch(json!({"qc_rules": [{"applies_to": "spike", "min": "120", "max": "80"}]}))
        .await
        .assert_invalid("qc_rules[0].min");
    patch(json!({"qc_rules": [{"applies_to": "spike", "min": "70", "max": "130"}, {"applies_to": "blank", "max": "x"}]}))
        .await
        .assert_invalid("qc_rules[1].max");
    patch(json!({"qc_rules": [{"applies_to": "sometimes"}]}))
        .await
        .assert_invalid("qc_rules[0].applies_to");
    patch(json!({"holding_time_hours": 0}))
        .await
        .assert_invalid("holding_time_hours");
    let stale = patch(json!({"mdl": "0.02", "version": version.as_i64().unwrap() - 1})).await;
    stale.assert_problem(409);
    let (_, unchanged) = app.get(&path, &token).await;
    assert_eq!(unchanged, read, "refused edits change nothing");

    // Switch precision, set QC rules, then clear with null.
    let a = patch(json!({"decimals": null, "significant_figures": 3,
        "qc_rules": [{"applies_to": "duplicate", "max": "20", "conc_min": "2"}]}))
    .await;
    assert_eq!(a.status, StatusCode::OK, "{a:?}");
    assert!(a.body["decimals"].is_null());
    assert_eq!(a.body["significant_figures"], 3);
    assert_eq!(
        a.body["qc_rules"],
        json!([{"applies_to": "duplicate", "max": "20", "conc_min": "2"}])
    );
    let a = patch(json!({"mdl": null, "container": "棕色玻璃瓶"})).await;
    assert!(a.body["mdl"].is_null(), "{a:?}");
    assert_eq!(a.body["container"], "棕色玻璃瓶");
    assert!(a.body["to_be_set_by_lab"]
        .as_array()
        .unwrap()
        .contains(&json!("mdl")));
    patch(json!({"container": null})).await;
    let (_, read) = app.get(&path, &token).await;
    assert!(read["container"].is_null());
    assert_eq!(
        read["significant_figures"], 3,
        "absent fields are left alone"
    );
}

#[tokio::test]
async fn method_qc_rule_and_new_method_analytes() {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    let (_, methods) = app.get("/api/v1/methods?matrix=soil&limit=1", &token).await;
    let method_id = methods["items"][0]["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/methods/{method_id}");
    let rule = json!({"batch_max_samples": 20, "blanks_per_batch": 2, "lcs_per_batch": 1,
        "duplicate_rate_pct": "10", "spike_rate_pct": "5.0"});
    let (status, m) = app.patch(&path, &token, rule).await;
    assert_eq!(status, StatusCode::OK, "{m}");
    let (_, m) = app.get(&path, &token).await;
    assert_eq!(
        m["qc_insertion"],
        json!({"batch_max_samples": 20, "blanks_per_batch": 2,
        "lcs_per_batch": 1, "duplicate_rate_pct": "10", "spike_rate_pct": "5.0"})
    );
    for (body, field) in [
        (json!({"duplicate_rate_pct": "120"}), "duplicate_rate_pct"),
        (json!({"spike_rate_pct": "-1"}), "spike_rate_pct"),
        (json!({"batch_max_samples": 0}), "batch_max_samples"),
        (json!({"blanks_per_batch": -1}), "blanks_per_batch"),
    ] {
        app.answer(Method::PATCH, &path, Some(&token), Some(&body))
            .await
            .assert_invalid(field);
    }
    let (status, m) = app
        .patch(&path, &token, json!({"spike_rate_pct": null}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(m["qc_insertion"]["spike_rate_pct"].is_null());
    assert_eq!(m["qc_insertion"]["duplicate_rate_pct"], "10");

    let new = json!({"method_id": method_id, "analyte": "ddt_total_4", "unit": "µg/kg", "mdl": "0.50", "decimals": 1});
    let (status, ma) = app
        .post("/api/v1/method-analytes", &token, new.clone())
        .await;
    assert_eq!(status, StatusCode::CREATED, "{ma}");
    assert_eq!(ma["analyte_code"], "ddt_total_4");
    assert_eq!(ma["mdl"], "0.50");
    assert_eq!(ma["unit"], "μg/kg");
    let (_, listed) = app
        .get(
            &format!("/api/v1/method-analytes?method_id={method_id}&analyte=ddt_total_4"),
            &token,
        )
        .await;
    assert_eq!(listed["items"][0]["id"], ma["id"]);
    app.answer(
        Method::POST,
        "/api/v1/method-analytes",
        Some(&token),
        Some(&new),
    )
    .await
    .assert_invalid("analyte");
    let bad = json!({"method_id": uuid::Uuid::now_v7(), "analyte": "no_such_thing", "unit": ""});
    let a = app
        .answer(
            Method::POST,
            "/api/v1/method-analytes",
            Some(&token),
            Some(&bad),
        )
        .await;
    for f in ["method_id", "analyte", "unit"] {
        a.assert_invalid(f);
    }
}

#[tokio::test]
async fn the_lab_profile_has_defaults_and_validates() {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    let (status, lab) = app.get("/api/v1/lab", &token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(lab["below_mdl_style"], "mdl_l");
    assert_eq!(lab["timezone"], "Asia/Shanghai");
    let good = json!({"name_zh": "厦门市环境监测站", "name_en": "Xiamen", "address": "厦门", "phone": "0592",
        "cma_number": "CMA-1", "below_mdl_style": "nd", "timezone": "Asia/Shanghai"});
    for (change, field) in [
        (json!({"below_mdl_style": "x"}), "below_mdl_style"),
        (json!({"timezone": "Mars/Olympus"}), "timezone"),
        (json!({"name_zh": "  "}), "name_zh"),
    ] {
        let mut body = good.clone();
        body.as_object_mut()
            .unwrap()
            .extend(change.as_object().unwrap().clone());
        app.answer(Method::PUT, "/api/v1/lab", Some(&token), Some(&body))
            .await
            .assert_invalid(field);
    }
    let (_, still) = app.get("/api/v1/lab", &token).await;
    assert_eq!(still, lab, "refused edits change nothing");
    let (status, saved) = app.put("/api/v1/lab", &token, good.clone()).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    let (_, read) = app.get("/api/v1/lab", &token).await;
    assert_eq!(read["name_zh"], "厦门市环境监测站");
    assert_eq!(read["below_mdl_style"], "nd");
    let mut stale = good;
    stale["version"] = json!(0);
    app.answer(Method::PUT, "/api/v1/lab", Some(&token), Some(&stale))
        .await
        .assert_problem(409);
}

#[tokio::test]
async fn lists_page_with_cursors() {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    let (_, all) = app.get("/api/v1/analytes?limit=1000", &token).await;
    assert!(all["next_cursor"].is_null());
    let all: Vec<&str> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["code"].as_str().unwrap())
        .collect();
    assert!(all.len() > 100, "{}", all.len());
    let (_, first) = app.get("/api/v1/analytes?limit=10", &token).await;
    assert_eq!(first["items"].as_array().unwrap().len(), 10);
    assert!(first["next_cursor"].is_string());
    let paged = app.all_items("/api/v1/analytes?limit=10", &token).await;
    let codes: Vec<&str> = paged.iter().map(|a| a["code"].as_str().unwrap()).collect();
    assert_eq!(codes, all, "every analyte once, in order");
    let limits = app
        .all_items("/api/v1/standards/GBT14848-2017/limits?limit=7", &token)
        .await;
    let (_, one_page) = app
        .get("/api/v1/standards/GBT14848-2017/limits?limit=1000", &token)
        .await;
    assert_eq!(&limits, one_page["items"].as_array().unwrap());
    let mas = app
        .all_items("/api/v1/method-analytes?limit=9", &token)
        .await;
    let ids: BTreeSet<&str> = mas.iter().map(|m| m["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), mas.len(), "no method_analyte twice");
    for bad in ["limit=0", "limit=5000", "limit=-1", "limit=ten"] {
        app.answer(
            Method::GET,
            &format!("/api/v1/analytes?{bad}"),
            Some(&token),
            None,
        )
        .await
        .assert_invalid("limit");
    }
    for list in [
        "analytes",
        "methods",
        "method-analytes",
        "users",
        "audit",
        "standards/GB36600-2018/limits",
    ] {
        app.answer(
            Method::GET,
            &format!("/api/v1/{list}?cursor=not*a*cursor"),
            Some(&token),
            None,
        )
        .await
        .assert_invalid("cursor");
    }
}
