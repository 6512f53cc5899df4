//! `POST /work-orders/{id}/samples.csv`: UTF-8 (with or without BOM) and GBK files, both date forms,
//! columns in any order, field data columns, and errors by row and column with nothing written.
use super::*;
use chrono::TimeZone;
use reqwest::Method;

/// A day well in the past, as the lab writes it: (`2026-11-25 09:30`, `2026/11/25 9:30`, the instant).
fn dates() -> (String, String, DateTime<Utc>) {
    let tz = chrono_tz::Asia::Shanghai;
    let day = (Utc::now().with_timezone(&tz) - Duration::days(3)).date_naive();
    let local = tz
        .from_local_datetime(&day.and_hms_opt(9, 30, 0).unwrap())
        .unwrap();
    (
        local.format("%Y-%m-%d %H:%M").to_string(),
        local.format("%Y/%m/%d %-H:%M").to_string(),
        local.with_timezone(&Utc),
    )
}

struct Csv {
    app: TestApp,
    lab: Lab,
    wo: String,
}

impl Csv {
    async fn new() -> Csv {
        let app = TestApp::spawn().await;
        let lab = Lab::new(&app).await;
        let wo = lab
            .register(
                &app,
                vec![sample("S-EXIST", "soil", &ago(4), &[&lab.soil_ma])],
            )
            .await;
        Csv {
            app,
            lab,
            wo: id(&wo),
        }
    }

    async fn post(&self, bytes: Vec<u8>) -> Answer {
        self.app
            .raw(
                Method::POST,
                &format!("/api/v1/work-orders/{}/samples.csv", self.wo),
                Some(&self.lab.tech),
                "text/csv",
                bytes,
            )
            .await
    }

    /// Imports a file that must be accepted; returns the created samples.
    async fn import(&self, bytes: Vec<u8>, what: &str) -> Vec<Value> {
        let a = self.post(bytes).await;
        assert_eq!(a.status, StatusCode::CREATED, "{what}: {a:?}");
        a.body["items"].as_array().expect("items").clone()
    }

    async fn detail(&self, sample: &Value) -> Value {
        let (status, d) = self
            .app
            .get(&format!("/api/v1/samples/{}", id(sample)), &self.lab.tech)
            .await;
        assert_eq!(status, StatusCode::OK);
        d
    }
}

#[tokio::test]
async fn utf8_bom_and_gbk_files_import_with_both_date_forms_and_any_column_order() {
    let t = Csv::new().await;
    let (dash, slash, instant) = dates();
    let header = "client_sample_id,matrix,sampling_point,collected_at,collected_by,depth_top_m,depth_bottom_m,packages,analyses";
    let utf8 = format!(
        "{header}\nU-1,soil,SB-1,{dash},张三,0,0.2,,{ma}\nU-2,soil,,{slash},李四,,,GB36600-basic45,\n",
        ma = t.lab.soil_ma
    );
    let items = t.import(utf8.into_bytes(), "UTF-8").await;
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["client_sample_id"], "U-1");
    assert_eq!(items[0]["status"], "registered");
    assert!(items[0]["lab_id"].as_str().unwrap().starts_with("SO-"));
    assert!(
        items[1]["analyses"].as_array().unwrap().len() > 1,
        "the package expanded"
    );
    let d1 = t.detail(&items[0]).await;
    let d2 = t.detail(&items[1]).await;
    assert_eq!(at(&d1["collected_at"]), instant, "{dash} in the lab's zone");
    assert_eq!(
        at(&d2["collected_at"]),
        instant,
        "{slash} in the lab's zone"
    );
    assert_eq!(d1["collected_by"], "张三");
    assert_eq!(d1["sampling_point_id"], json!(t.lab.boring_id));
    assert_eq!(d1["depth_bottom_m"], "0.2");
    assert_eq!(d1["work_order_id"], json!(t.wo));

    // UTF-8 with a BOM (Excel's "CSV UTF-8"), columns in another order, a field column.
    let bom = format!(
        "\u{FEFF}matrix,collected_by,analyses,client_sample_id,collected_at,field.ph,field.water_level_m\ngroundwater,王五,{ma},B-1,{dash},7.2,3.15\n",
        ma = t.lab.water_ma
    );
    let items = t.import(bom.into_bytes(), "UTF-8 with BOM").await;
    assert_eq!(items.len(), 1);
    assert!(items[0]["lab_id"].as_str().unwrap().starts_with("GW-"));
    assert_eq!(
        items[0]["field_incomplete"], true,
        "odour and others are still missing"
    );
    let d = t.detail(&items[0]).await;
    assert_eq!(d["client_sample_id"], "B-1");
    assert_eq!(d["collected_by"], "王五");
    assert_eq!(d["field"]["ph"], "7.2");
    assert_eq!(d["field"]["water_level_m"], "3.15");

    // GBK, as Excel writes "CSV" on a Chinese Windows.
    let text = format!(
        "client_sample_id,matrix,collected_at,collected_by,packages,field.texture\n土-1,soil,{slash},赵六,GB36600-basic45,壤土\n"
    );
    let (gbk, _, lossy) = encoding_rs::GBK.encode(&text);
    assert!(!lossy);
    assert!(std::str::from_utf8(&gbk).is_err(), "really not UTF-8");
    let items = t.import(gbk.into_owned(), "GBK").await;
    assert_eq!(items[0]["client_sample_id"], "土-1");
    let d = t.detail(&items[0]).await;
    assert_eq!(d["collected_by"], "赵六");
    assert_eq!(d["field"]["texture"], "壤土");

    let (_, wo) = t
        .app
        .get(&format!("/api/v1/work-orders/{}", t.wo), &t.lab.tech)
        .await;
    assert_eq!(wo["samples_total"], 5);
    let events = t.app.audit_of(&t.lab.admin, "sample", &id(&items[0])).await;
    assert_eq!(events[0]["action"], "sample.register");
}

#[tokio::test]
async fn the_template_downloads_and_imports_as_is() {
    let t = Csv::new().await;
    let res = t
        .app
        .send(
            Method::GET,
            "/api/v1/templates/samples.csv",
            Some(&t.lab.tech),
            None,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let ct = res.headers()[reqwest::header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .to_string();
    assert!(ct.starts_with("text/csv"), "{ct}");
    let bytes = res.bytes().await.unwrap().to_vec();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "a BOM for Excel");
    let text = String::from_utf8(bytes.clone()).unwrap();
    for col in [
        "client_sample_id",
        "matrix",
        "collected_at",
        "packages",
        "field.ph",
    ] {
        assert!(text.lines().next().unwrap().contains(col), "{text}");
    }
    let items = t.import(bytes, "the template").await;
    assert_eq!(items.len(), 1);
}

#[tokio::test]
async fn bad_files_are_refused_by_row_and_column_and_write_nothing() {
    let t = Csv::new().await;
    let (dash, _, _) = dates();
    let ma = t.lab.soil_ma.clone();
    let head = "client_sample_id,matrix,collected_at,collected_by,analyses";
    let ok = |csid: &str| format!("{csid},soil,{dash},张三,{ma}");
    let before = counts(&t.app).await;
    let mut random = Vec::new();
    let mut x: u32 = 0x1234_5678;
    for _ in 0..600 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        random.push((x >> 24) as u8 | 0x80);
    }
    // Windows-1252 (a Western "ANSI" CSV): `é` before a comma is no GBK character.
    let latin_text = format!("{head}\nX-1,soil,{dash},José,{ma}\n");
    let latin = encoding_rs::WINDOWS_1252.encode(&latin_text).0.into_owned();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "an unknown column",
            format!("{head},colour\n{},brown\n", ok("X-1")).into_bytes(),
            "row 1, column colour",
        ),
        (
            "a ragged row",
            format!("{head}\n{}\nX-2,soil,{dash}\n", ok("X-1")).into_bytes(),
            "row 3",
        ),
        (
            "a bad date",
            format!("{head}\nX-1,soil,28.11.2026,张三,{ma}\n").into_bytes(),
            "row 2, column collected_at",
        ),
        (
            "a date in the future",
            format!("{head}\n{}\nX-2,soil,2999-01-01 09:00,张三,{ma}\n", ok("X-1")).into_bytes(),
            "row 3, column collected_at",
        ),
        (
            "a client_sample_id already in the work order",
            format!("{head}\n{}\n", ok("S-EXIST")).into_bytes(),
            "row 2, column client_sample_id",
        ),
        (
            "a client_sample_id twice in the file",
            format!("{head}\n{}\n{}\n", ok("X-1"), ok("X-1")).into_bytes(),
            "row 3, column client_sample_id",
        ),
        (
            "an unknown package",
            format!("client_sample_id,matrix,collected_at,collected_by,packages\nX-1,soil,{dash},张三,NOPE\n").into_bytes(),
            "row 2, column packages",
        ),
        (
            "an analysis that is not an id",
            format!("{head}\nX-1,soil,{dash},张三,lead\n").into_bytes(),
            "row 2, column analyses",
        ),
        (
            "an unknown sampling point",
            format!("{head},sampling_point\n{},NOWHERE\n", ok("X-1")).into_bytes(),
            "row 2, column sampling_point",
        ),
        (
            "pH out of range",
            format!("{head},field.ph\nX-1,groundwater,{dash},张三,{},15\n", t.lab.water_ma).into_bytes(),
            "row 2, column field.ph",
        ),
        (
            "a missing required column",
            format!("client_sample_id,matrix,collected_at,analyses\nX-1,soil,{dash},{ma}\n").into_bytes(),
            "row 1, column collected_by",
        ),
        ("no rows", format!("{head}\n").into_bytes(), "samples"),
        ("random bytes", random, "file"),
        ("Windows-1252", latin, "file"),
    ];
    for (what, bytes, field) in cases {
        let a = t.post(bytes).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{what}: {a:?}");
        assert!(
            a.fields().iter().any(|f| f == field),
            "{what}: expected {field}, got {:?}",
            a.fields()
        );
        a.assert_problem_shape();
        assert_eq!(counts(&t.app).await, before, "{what} wrote something");
    }
    // Rows are the file's lines, as a spreadsheet numbers them, even after a blank line.
    let a = t
        .post(format!("{head}\n{}\n\nX-2,soil,someday,张三,{ma}\n", ok("X-1")).into_bytes())
        .await;
    assert_eq!(a.fields(), ["row 4, column collected_at"], "{a:?}");
    let a = t
        .post(format!("{head}\n\n{}\nX-2,soil\n", ok("X-1")).into_bytes())
        .await;
    assert_eq!(a.fields(), ["row 4"], "{a:?}");
    // A good row does not carry a bad one through: the file is all or nothing.
    let a = t
        .post(format!("{head}\n{}\nX-2,soil,{dash},,{ma}\n", ok("X-1")).into_bytes())
        .await;
    a.assert_invalid("row 3, column collected_by");
    assert_eq!(counts(&t.app).await, before);
    // An unknown work order.
    let a = t
        .app
        .raw(
            Method::POST,
            &format!("/api/v1/work-orders/{}/samples.csv", uuid::Uuid::now_v7()),
            Some(&t.lab.tech),
            "text/csv",
            format!("{head}\n{}\n", ok("X-1")).into_bytes(),
        )
        .await;
    a.assert_problem(404);
    assert_eq!(counts(&t.app).await, before);
}
