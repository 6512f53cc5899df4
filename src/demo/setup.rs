//! The demo lab's set-up over HTTP: emptiness check, lab profile, people, catalogue, clients.
use super::data::{self, LAB_NAME_ZH, PEOPLE, PICKS};
use super::flow::{id, text, Catalogue, Ma};
use crate::loopback::Http;
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::{BTreeSet, HashMap};

/// Refuses a lab that already holds work (work orders or clients) or another lab's profile: the
/// demo never mixes its data into a real lab.
pub async fn check_empty(http: &Http, admin: &str) -> Result<(), String> {
    let get = |path: &'static str| http.expect(200, Method::GET, path, Some(admin), None);
    let orders = get("/api/v1/work-orders?limit=1").await?;
    if orders["items"].as_array().is_some_and(|i| !i.is_empty()) {
        return Err(super::NOT_EMPTY_WORK_ORDERS.into());
    }
    let clients = get("/api/v1/clients?limit=1").await?;
    if clients["items"].as_array().is_some_and(|i| !i.is_empty()) {
        return Err(super::NOT_EMPTY_CLIENTS.into());
    }
    let lab = get("/api/v1/lab").await?;
    let name = text(&lab, "name_zh");
    if !name.is_empty() && name != LAB_NAME_ZH {
        return Err(super::not_empty_profile(&name));
    }
    Ok(())
}

/// `PUT /api/v1/lab` with the demo profile (below-MDL results as `0.01L`).
pub async fn lab_profile(http: &Http, admin: &str) -> Result<(), String> {
    let body = json!({"name_zh": LAB_NAME_ZH, "name_en": data::LAB_NAME_EN,
        "address": data::LAB_ADDRESS, "phone": data::LAB_PHONE, "cma_number": data::LAB_CMA,
        "below_mdl_style": "mdl_l", "timezone": "Asia/Shanghai"});
    http.expect(200, Method::PUT, "/api/v1/lab", Some(admin), Some(&body))
        .await
        .map(|_| ())
}

/// Creates the demo's staff accounts (`clients` `None`) or its client users (`clients`: the ids
/// of [`data::CLIENTS`]) and signs each in; an account left by an interrupted run is reused when
/// its demo password works.
pub async fn people(
    http: &Http,
    admin: &str,
    clients: Option<&[String]>,
) -> Result<HashMap<String, String>, String> {
    let mut tokens = HashMap::new();
    for p in PEOPLE
        .iter()
        .filter(|p| p.client.is_some() == clients.is_some())
    {
        let mut body = json!({"username": p.username, "display_name": p.display_name,
            "password": p.password, "roles": p.roles});
        if let Some(c) = p.client {
            let cid = clients
                .and_then(|cs| cs.get(c))
                .ok_or("a demo client is missing")?;
            body["client_id"] = json!(cid);
        }
        let (status, answer) = http
            .call(Method::POST, "/api/v1/users", Some(admin), Some(&body))
            .await?;
        if status != 201 && status != 422 {
            return Err(format!(
                "POST /api/v1/users ({}) answered {status}: {answer}",
                p.username
            ));
        }
        let token = http.login(p.username, p.password).await.map_err(|e| {
            if status == 422 {
                format!(
                    "the user {} cannot be created ({answer}) and {e}",
                    p.username
                )
            } else {
                e
            }
        })?;
        tokens.insert(p.username.to_string(), token);
    }
    Ok(tokens)
}

/// Picks the demo's method_analytes and, where the seeded catalogue leaves them to the lab, sets
/// demo MDLs and reporting decimals, and a QC insertion rule (one blank, 10 % duplicates and
/// matrix spikes) on methods without one. Returns the picks and a line per demo setting made.
pub async fn catalogue(http: &Http, admin: &str) -> Result<(Catalogue, Vec<String>), String> {
    let mut cat = Catalogue::default();
    let mut settings = Vec::new();
    for p in &PICKS {
        let path = format!(
            "/api/v1/method-analytes?matrix={}&analyte={}&limit=100",
            p.matrix, p.analyte
        );
        let list = http
            .expect(200, Method::GET, &path, Some(admin), None)
            .await?;
        let items = list["items"].as_array().cloned().unwrap_or_default();
        let item = items
            .iter()
            .find(|i| i["method_code"].as_str() == Some(p.method_code))
            .or_else(|| items.first())
            .ok_or_else(|| format!("the catalogue has no {} method for {}", p.matrix, p.analyte))?;
        let ma_id = id(item)?;
        let mut patch = serde_json::Map::new();
        let mut said = Vec::new();
        if item["mdl"].is_null() {
            patch.insert("mdl".into(), json!(p.demo_mdl));
            said.push(format!("MDL {} {}", p.demo_mdl, text(item, "unit")));
        }
        if item["decimals"].is_null() && item["significant_figures"].is_null() {
            patch.insert("decimals".into(), json!(p.demo_decimals));
            said.push(format!("reported to {} decimal places", p.demo_decimals));
        }
        if !patch.is_empty() {
            let path = format!("/api/v1/method-analytes/{ma_id}");
            http.expect(
                200,
                Method::PATCH,
                &path,
                Some(admin),
                Some(&Value::Object(patch)),
            )
            .await?;
            settings.push(format!(
                "{} {} ({}): {}",
                text(item, "method_code"),
                p.analyte,
                p.matrix,
                said.join(", ")
            ));
        }
        cat.by_key.insert(
            (p.matrix.to_string(), p.analyte.to_string()),
            Ma {
                id: ma_id,
                method_id: text(item, "method_id"),
                method_code: text(item, "method_code"),
            },
        );
    }
    let methods: BTreeSet<(String, String)> = cat
        .by_key
        .values()
        .map(|m| (m.method_code.clone(), m.method_id.clone()))
        .collect();
    for (code, mid) in methods {
        let path = format!("/api/v1/methods/{mid}");
        let m = http
            .expect(200, Method::GET, &path, Some(admin), None)
            .await?;
        let rule = &m["qc_insertion"];
        let unset = [
            "batch_max_samples",
            "blanks_per_batch",
            "lcs_per_batch",
            "duplicate_rate_pct",
            "spike_rate_pct",
        ]
        .iter()
        .all(|k| rule[*k].is_null());
        if unset {
            let body = json!({"batch_max_samples": 20, "blanks_per_batch": 1,
                "duplicate_rate_pct": "10", "spike_rate_pct": "10"});
            http.expect(200, Method::PATCH, &path, Some(admin), Some(&body))
                .await?;
            settings.push(format!(
                "{code}: QC insertion rule — at most 20 samples a batch, 1 blank, 10 % duplicates, \
                 10 % matrix spikes (acceptance limits not set: shown, not judged)"
            ));
        }
    }
    Ok((cat, settings))
}

/// The clients, their projects and sampling points, created by the technician. Returns, per
/// client of [`data::CLIENTS`], (client id, project id, point ids by code).
pub async fn clients(
    http: &Http,
    tech: &str,
) -> Result<Vec<(String, String, HashMap<String, String>)>, String> {
    let post = |path: &'static str, body: Value| async move {
        http.expect(201, Method::POST, path, Some(tech), Some(&body))
            .await
    };
    let mut out = Vec::new();
    for c in &data::CLIENTS {
        let client = post(
            "/api/v1/clients",
            json!({"code": c.code, "name": c.name, "address": c.address, "contact": c.contact,
                "phone": c.phone, "email": c.email}),
        )
        .await?;
        let client_id = id(&client)?;
        let mut project = json!({"client_id": client_id, "code": c.project_code,
            "name": c.project_name, "standards": c.standards});
        if let Some(l) = c.land_use {
            project["land_use"] = json!(l);
        }
        let project_id = id(&post("/api/v1/projects", project).await?)?;
        let mut points = HashMap::new();
        for p in c.points {
            let mut body = json!({"project_id": project_id, "code": p.code, "kind": p.kind,
                "latitude": p.lat, "longitude": p.lon, "note": p.note});
            if let Some((depth, top, bottom)) = p.well {
                body["well_depth_m"] = json!(depth);
                body["screen_top_m"] = json!(top);
                body["screen_bottom_m"] = json!(bottom);
            }
            let point = post("/api/v1/sampling-points", body).await?;
            points.insert(p.code.to_string(), id(&point)?);
        }
        out.push((client_id, project_id, points));
    }
    Ok(out)
}
