//! The demo's steps over the HTTP API, each as the person who does it in a real lab.
use super::data::PEOPLE;
use crate::loopback::Http;
use chrono::{Duration, TimeZone, Utc};
use reqwest::Method;
use rust_decimal::Decimal;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;

/// The lab's time zone (the demo's times are Xiamen times).
const TZ: chrono_tz::Tz = chrono_tz::Asia::Shanghai;

/// RFC 3339 of `hh:mm` in Xiamen, `days_ago` days before today (`days_ago` ≥ 1: always past).
pub fn local(days_ago: i64, hh: u32, mm: u32) -> String {
    let day = Utc::now().with_timezone(&TZ).date_naive() - Duration::days(days_ago);
    day.and_hms_opt(hh, mm, 0)
        .and_then(|t| TZ.from_local_datetime(&t).single())
        .map(|t| t.to_rfc3339())
        .unwrap_or_else(|| (Utc::now() - Duration::days(days_ago)).to_rfc3339())
}

/// RFC 3339 of `hours` before now, in Xiamen time.
pub fn hours_ago(hours: i64) -> String {
    (Utc::now() - Duration::hours(hours))
        .with_timezone(&TZ)
        .to_rfc3339()
}

/// `days` after today in Xiamen, as a date (`due_date`).
pub fn date_in(days: i64) -> String {
    (Utc::now().with_timezone(&TZ).date_naive() + Duration::days(days))
        .format("%Y-%m-%d")
        .to_string()
}

/// The `id` of an answer as text.
pub fn id(v: &Value) -> Result<String, String> {
    v["id"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| format!("no id in {v}"))
}

/// A text field of an answer.
pub fn text(v: &Value, field: &str) -> String {
    v[field].as_str().unwrap_or_default().to_string()
}

/// One orderable analysis of the catalogue as the demo uses it.
#[derive(Clone, Debug)]
pub struct Ma {
    pub id: String,
    pub method_id: String,
    pub method_code: String,
}

/// The demo's catalogue picks by (matrix, analyte code).
#[derive(Default)]
pub struct Catalogue {
    pub by_key: HashMap<(String, String), Ma>,
}

impl Catalogue {
    pub fn ma(&self, matrix: &str, analyte: &str) -> Result<&Ma, String> {
        self.by_key
            .get(&(matrix.to_string(), analyte.to_string()))
            .ok_or_else(|| format!("no {matrix} method for {analyte} was picked"))
    }

    /// The method of a method_analyte id.
    pub fn method_of(&self, ma_id: &str) -> Option<&Ma> {
        self.by_key.values().find(|m| m.id == ma_id)
    }
}

/// A registered work order: the answer of `POST /work-orders` and the values its analyses will
/// get, by (sample id, method_analyte id).
pub struct Order {
    pub id: String,
    pub number: String,
    pub samples: Vec<Value>,
    pub values: HashMap<(String, String), String>,
}

impl Order {
    pub fn sample_ids(&self) -> Vec<String> {
        self.samples.iter().filter_map(|s| id(s).ok()).collect()
    }

    /// The pending analyses of the order by method id: (analysis id, sample id), in sample order;
    /// only those whose method_analyte is in `only` when it is given.
    pub fn by_method(
        &self,
        cat: &Catalogue,
        only: Option<&[&Ma]>,
    ) -> BTreeMap<String, Vec<(String, String)>> {
        let mut out: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
        for s in &self.samples {
            let sid = text(s, "id");
            for a in s["analyses"].as_array().into_iter().flatten() {
                let ma_id = text(a, "method_analyte_id");
                if only.is_some_and(|o| !o.iter().any(|m| m.id == ma_id)) {
                    continue;
                }
                if let Some(m) = cat.method_of(&ma_id) {
                    out.entry(m.method_id.clone())
                        .or_default()
                        .push((text(a, "id"), sid.clone()));
                }
            }
        }
        out
    }

    /// The analysis of `sample` (index) for method_analyte `ma`.
    pub fn analysis(&self, sample: usize, ma: &Ma) -> Result<String, String> {
        self.samples
            .get(sample)
            .and_then(|s| s["analyses"].as_array())
            .into_iter()
            .flatten()
            .find(|a| a["method_analyte_id"].as_str() == Some(ma.id.as_str()))
            .map(|a| text(a, "id"))
            .ok_or_else(|| format!("{}: sample {sample} has no {}", self.number, ma.id))
    }
}

/// The demo lab over HTTP: every person's token and the catalogue picks.
pub struct Lab {
    pub http: Http,
    pub tokens: HashMap<String, String>,
    pub cat: Catalogue,
}

impl Lab {
    pub fn token(&self, who: &str) -> Result<&str, String> {
        self.tokens
            .get(who)
            .map(String::as_str)
            .ok_or_else(|| format!("{who} is not signed in"))
    }

    fn password(who: &str) -> Result<&'static str, String> {
        PEOPLE
            .iter()
            .find(|p| p.username == who)
            .map(|p| p.password)
            .ok_or_else(|| format!("{who} is not a demo user"))
    }

    pub async fn send(
        &self,
        who: &str,
        want: u16,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Value, String> {
        self.http
            .expect(want, method, path, Some(self.token(who)?), body)
            .await
    }

    pub async fn get(&self, who: &str, path: &str) -> Result<Value, String> {
        self.send(who, 200, Method::GET, path, None).await
    }

    pub async fn post(
        &self,
        who: &str,
        want: u16,
        path: &str,
        body: Value,
    ) -> Result<Value, String> {
        self.send(who, want, Method::POST, path, Some(&body)).await
    }

    /// `POST /work-orders` by the technician; `values[i]` are the results sample `i` will get.
    pub async fn register(
        &self,
        who: &str,
        order: Value,
        values: Vec<Vec<(&str, &str)>>,
        matrix: &str,
    ) -> Result<Order, String> {
        let wo = self.post(who, 201, "/api/v1/work-orders", order).await?;
        let samples = wo["samples"].as_array().cloned().unwrap_or_default();
        let mut map = HashMap::new();
        for (s, vals) in samples.iter().zip(values) {
            for (analyte, v) in vals {
                let ma = self.cat.ma(matrix, analyte)?;
                map.insert((id(s)?, ma.id.clone()), v.to_string());
            }
        }
        Ok(Order {
            id: id(&wo)?,
            number: text(&wo, "number"),
            samples,
            values: map,
        })
    }

    /// Receipt check of every sample of the order: good condition, preserved, at `temp` ℃.
    pub async fn receive(
        &self,
        who: &str,
        order: &Order,
        at: &str,
        temp: &str,
    ) -> Result<(), String> {
        for sid in order.sample_ids() {
            self.post(
                who,
                200,
                &format!("/api/v1/samples/{sid}/receive"),
                json!({"received_at": at, "temperature_c": temp, "condition_ok": true,
                    "note": "包装完好，标签清晰，保存条件符合要求"}),
            )
            .await?;
        }
        Ok(())
    }

    /// A custody event of every sample of the order.
    pub async fn custody(&self, who: &str, order: &Order, event: Value) -> Result<(), String> {
        for sid in order.sample_ids() {
            self.post(
                who,
                201,
                &format!("/api/v1/samples/{sid}/custody"),
                event.clone(),
            )
            .await?;
        }
        Ok(())
    }

    /// `POST /batches` of `analyses` (analysis id, sample id) by `analyst`; QC samples as the
    /// method's rule inserts them.
    pub async fn batch(
        &self,
        analyst: &str,
        method_id: &str,
        analyses: &[(String, String)],
        note: &str,
    ) -> Result<Value, String> {
        let ids: Vec<&str> = analyses.iter().map(|(a, _)| a.as_str()).collect();
        let body = json!({"method_id": method_id, "analysis_ids": ids, "note": note});
        self.post(analyst, 201, "/api/v1/batches", body).await
    }

    /// Enters the results of the batch's analyses found in `values` (others stay empty) and,
    /// when `qc`, of its QC samples; all analysed at `at` (now when `None`).
    pub async fn enter(
        &self,
        analyst: &str,
        batch: &Value,
        values: &HashMap<(String, String), String>,
        at: Option<&str>,
        qc: bool,
    ) -> Result<Value, String> {
        let mut rows = Vec::new();
        let mut parent: HashMap<(String, String), String> = HashMap::new();
        for item in batch["items"].as_array().into_iter().flatten() {
            let key = (text(item, "sample_id"), text(item, "method_analyte_id"));
            if let Some(v) = values.get(&key) {
                rows.push(row(
                    json!({"analysis_id": item["analysis_id"], "value": v}),
                    at,
                ));
                parent.insert(key, v.clone());
            }
        }
        let mas: Vec<String> = batch["method_analytes"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|m| text(m, "id"))
            .collect();
        for q in batch["qc"].as_array().into_iter().flatten().filter(|_| qc) {
            for (i, ma) in mas.iter().enumerate() {
                let of = parent.get(&(text(q, "of_sample_id"), ma.clone()));
                let mdl = batch["method_analytes"][i]["mdl"].as_str().unwrap_or("1");
                if let Some(r) = qc_row(q, ma, of.map(String::as_str), mdl) {
                    rows.push(row(r, at));
                }
            }
        }
        self.send(
            analyst,
            200,
            Method::PUT,
            &format!("/api/v1/batches/{}/results", id(batch)?),
            Some(&Value::Array(rows)),
        )
        .await
    }

    /// Submits the batch for review.
    pub async fn submit(&self, analyst: &str, batch: &Value) -> Result<Value, String> {
        let path = format!("/api/v1/batches/{}/submit", id(batch)?);
        self.post(analyst, 200, &path, json!({})).await
    }

    /// An e-signature on the batch: `verify` or `approve`.
    pub async fn sign(
        &self,
        who: &str,
        batch: &Value,
        what: &str,
        note: &str,
    ) -> Result<Value, String> {
        let path = format!("/api/v1/batches/{}/{what}", id(batch)?);
        let body = json!({"password": Self::password(who)?, "note": note});
        self.post(who, 200, &path, body).await
    }

    /// A batch of each method of the order's analyses (in `only` if given), entered by
    /// `analyst` analysed at `at`, submitted, verified by `reviewer` and approved by `signatory`
    /// (either step left out when `None`).
    pub async fn work(
        &self,
        order: &Order,
        only: Option<&[&Ma]>,
        analyst: &str,
        at: Option<&str>,
        reviewer: Option<&str>,
        signatory: Option<&str>,
    ) -> Result<Vec<Value>, String> {
        let mut batches = Vec::new();
        for (method_id, analyses) in order.by_method(&self.cat, only) {
            let b = self
                .batch(analyst, &method_id, &analyses, &order.number)
                .await?;
            let b = self.enter(analyst, &b, &order.values, at, true).await?;
            self.submit(analyst, &b).await?;
            if let Some(r) = reviewer {
                self.sign(r, &b, "verify", "数据完整，质控合格").await?;
                if let Some(s) = signatory {
                    self.sign(s, &b, "approve", "同意").await?;
                }
            }
            batches.push(b);
        }
        Ok(batches)
    }

    /// `POST /work-orders/{id}/reports` by `who` (the "prepared" signature).
    pub async fn draft(&self, who: &str, order: &Order) -> Result<Value, String> {
        let path = format!("/api/v1/work-orders/{}/reports", order.id);
        let body = json!({"password": Self::password(who)?});
        self.post(who, 201, &path, body).await
    }

    /// `POST /reports/{id}/issue` by a signatory.
    pub async fn issue(&self, who: &str, report: &Value) -> Result<Value, String> {
        let path = format!("/api/v1/reports/{}/issue", id(report)?);
        let body = json!({"password": Self::password(who)?});
        self.post(who, 200, &path, body).await
    }

    /// `POST /reports/{id}/amend` by `who` with `reason`.
    pub async fn amend(&self, who: &str, report: &Value, reason: &str) -> Result<Value, String> {
        let path = format!("/api/v1/reports/{}/amend", id(report)?);
        let body = json!({"password": Self::password(who)?, "reason": reason});
        self.post(who, 201, &path, body).await
    }
}

fn row(mut r: Value, at: Option<&str>) -> Value {
    if let Some(t) = at {
        r["analysed_at"] = json!(t);
    }
    r
}

/// The result row of one QC sample for `ma`: a blank below the MDL, a duplicate within a few per
/// cent of its parent, a spike recovering 96 % of an amount about the parent's value, an LCS 98 %
/// of a certified value of 20 × MDL. `None` when a duplicate's or spike's parent has no value yet.
fn qc_row(q: &Value, ma: &str, parent: Option<&str>, mdl: &str) -> Option<Value> {
    let qc_id = q["id"].clone();
    let mdl = Decimal::from_str(mdl).unwrap_or(Decimal::ONE);
    let parent_num = parent.and_then(|p| Decimal::from_str(p).ok());
    let scale = |d: Decimal, like: Option<Decimal>| {
        d.round_dp(like.map_or(mdl.scale() + 1, |l| l.scale()))
            .normalize()
            .to_string()
    };
    let base = json!({"qc_id": qc_id, "method_analyte_id": ma});
    let with = |extra: Value| {
        let mut r = base.clone();
        if let (Some(r), Some(e)) = (r.as_object_mut(), extra.as_object()) {
            r.extend(e.clone());
        }
        r
    };
    match q["kind"].as_str()? {
        "blank" => Some(with(json!({"value": "ND"}))),
        "duplicate" => {
            let v = match parent_num {
                Some(p) => scale(p * Decimal::new(103, 2), Some(p)),
                None => parent?.to_string(),
            };
            Some(with(json!({"value": v})))
        }
        "spike" => {
            parent?;
            let amount = parent_num
                .filter(|p| *p > mdl * Decimal::TEN)
                .unwrap_or(mdl * Decimal::TEN);
            let found = parent_num.unwrap_or_default() + amount * Decimal::new(96, 2);
            Some(with(
                json!({"value": scale(found, parent_num), "spike_amount": scale(amount, parent_num)}),
            ))
        }
        "lcs" => {
            let certified = mdl * Decimal::from(20);
            let found = certified * Decimal::new(98, 2);
            Some(with(
                json!({"value": scale(found, None), "certified_value": scale(certified, None)}),
            ))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qc_rows_follow_their_parent() {
        let q = |kind: &str| json!({"id": "q", "kind": kind});
        let dup = qc_row(&q("duplicate"), "m", Some("85.3"), "0.01").unwrap();
        assert_eq!(dup["value"], "87.9");
        let nd = qc_row(&q("duplicate"), "m", Some("ND"), "0.01").unwrap();
        assert_eq!(nd["value"], "ND");
        assert!(qc_row(&q("duplicate"), "m", None, "0.01").is_none());
        assert_eq!(
            qc_row(&q("blank"), "m", None, "0.01").unwrap()["value"],
            "ND"
        );
        let lcs = qc_row(&q("lcs"), "m", None, "0.05").unwrap();
        assert_eq!(lcs["certified_value"], "1");
        assert_eq!(lcs["value"], "0.98");
        let spk = qc_row(&q("spike"), "m", Some("12.6"), "0.01").unwrap();
        assert_eq!(spk["spike_amount"], "12.6");
        assert_eq!(spk["value"], "24.7");
    }

    #[test]
    fn local_times_are_past() {
        let t = chrono::DateTime::parse_from_rfc3339(&local(1, 23, 59)).unwrap();
        assert!(t < Utc::now());
        assert!(local(2, 9, 30).ends_with("+08:00"));
    }
}
