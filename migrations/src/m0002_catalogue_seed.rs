//! Seeds the reference catalogue (matrices, analytes, methods, packages, standards and their limits)
//! from the CSV files in `migrations/seed/`, converted from the standards' reference tables.
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::sea_query::Value;
use std::collections::HashMap;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0002_catalogue_seed"
    }
}

const MATRICES: &str = include_str!("../seed/matrices.csv");
const ANALYTES: &str = include_str!("../seed/analytes.csv");
const STANDARDS: &str = include_str!("../seed/standards.csv");
const LIMITS: &str = include_str!("../seed/standard_limits.csv");
const METHODS: &str = include_str!("../seed/methods.csv");
const METHOD_ANALYTES: &str = include_str!("../seed/method_analytes.csv");
const PACKAGES: &str = include_str!("../seed/packages.csv");

type Row = HashMap<String, String>;

fn rows(name: &str, text: &str) -> Result<Vec<Row>, DbErr> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| DbErr::Migration(format!("{name}: {e}")))?
        .clone();
    reader
        .records()
        .map(|rec| {
            let rec = rec.map_err(|e| DbErr::Migration(format!("{name}: {e}")))?;
            Ok(headers
                .iter()
                .zip(rec.iter())
                .map(|(h, v)| (h.to_string(), v.trim().to_string()))
                .collect())
        })
        .collect()
}

fn get<'a>(row: &'a Row, col: &str) -> &'a str {
    row.get(col).map(String::as_str).unwrap_or("")
}

fn text(row: &Row, col: &str) -> Value {
    Value::String(Some(get(row, col).to_string()))
}

fn opt_text(row: &Row, col: &str) -> Value {
    match get(row, col) {
        "" => Value::String(None),
        v => Value::String(Some(v.to_string())),
    }
}

fn opt_int(name: &str, row: &Row, col: &str) -> Result<Value, DbErr> {
    match get(row, col) {
        "" => Ok(Value::Int(None)),
        v => v
            .parse::<i32>()
            .map(|n| Value::Int(Some(n)))
            .map_err(|_| DbErr::Migration(format!("{name}: column {col}: not an integer: {v}"))),
    }
}

fn opt_bool(row: &Row, col: &str) -> Value {
    match get(row, col) {
        "true" => Value::Bool(Some(true)),
        "false" => Value::Bool(Some(false)),
        _ => Value::Bool(None),
    }
}

fn lookup(name: &str, map: &HashMap<String, uuid::Uuid>, key: &str) -> Result<Value, DbErr> {
    map.get(key)
        .map(|id| Value::Uuid(Some(*id)))
        .ok_or_else(|| DbErr::Migration(format!("{name}: unknown reference {key}")))
}

async fn insert(
    manager: &SchemaManager<'_>,
    table: &str,
    cols: &[&str],
    values: Vec<Vec<Value>>,
) -> Result<(), DbErr> {
    for chunk in values.chunks(200) {
        let mut stmt = Query::insert();
        stmt.into_table(Alias::new(table))
            .columns(cols.iter().map(|c| Alias::new(*c)));
        for row in chunk {
            stmt.values(row.iter().cloned().map(Expr::val))
                .map_err(|e| DbErr::Migration(format!("{table}: {e}")))?;
        }
        manager.exec_stmt(stmt).await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let matrices = rows("matrices.csv", MATRICES)?;
        let values = matrices
            .iter()
            .enumerate()
            .map(|(i, r)| {
                vec![
                    text(r, "code"),
                    text(r, "name_zh"),
                    text(r, "name_en"),
                    text(r, "lab_id_prefix"),
                    Value::Int(Some(i as i32)),
                    Value::Int(Some(1)),
                ]
            })
            .collect();
        insert(
            manager,
            "matrix",
            &[
                "code",
                "name_zh",
                "name_en",
                "lab_id_prefix",
                "sort_order",
                "version",
            ],
            values,
        )
        .await?;

        let mut analyte_ids = HashMap::new();
        let mut values = Vec::new();
        for r in rows("analytes.csv", ANALYTES)? {
            let id = uuid::Uuid::now_v7();
            analyte_ids.insert(get(&r, "code").to_string(), id);
            values.push(vec![
                Value::Uuid(Some(id)),
                text(&r, "code"),
                text(&r, "name_zh"),
                text(&r, "name_en"),
                opt_text(&r, "cas"),
                opt_text(&r, "default_unit"),
            ]);
        }
        insert(
            manager,
            "analyte",
            &["id", "code", "name_zh", "name_en", "cas", "default_unit"],
            values,
        )
        .await?;

        let values = rows("standards.csv", STANDARDS)?
            .iter()
            .map(|r| {
                vec![
                    text(r, "code"),
                    text(r, "title"),
                    text(r, "title_en"),
                    text(r, "matrix"),
                ]
            })
            .collect();
        insert(
            manager,
            "standard",
            &["code", "title", "title_en", "matrix"],
            values,
        )
        .await?;

        let mut values = Vec::new();
        for (i, r) in rows("standard_limits.csv", LIMITS)?.iter().enumerate() {
            values.push(vec![
                Value::Uuid(Some(uuid::Uuid::now_v7())),
                text(r, "standard_code"),
                lookup("standard_limits.csv", &analyte_ids, get(r, "analyte_code"))?,
                text(r, "category"),
                text(r, "kind"),
                text(r, "unit"),
                opt_text(r, "value"),
                opt_text(r, "lower"),
                opt_text(r, "upper"),
                opt_bool(r, "lower_inclusive"),
                opt_bool(r, "upper_inclusive"),
                opt_text(r, "text"),
                opt_text(r, "ph_min"),
                opt_text(r, "ph_max"),
                opt_text(r, "note"),
                text(r, "source"),
                Value::Int(Some(i as i32)),
            ]);
        }
        insert(
            manager,
            "standard_limit",
            &[
                "id",
                "standard_code",
                "analyte_id",
                "category",
                "kind",
                "unit",
                "value",
                "lower",
                "upper",
                "lower_inclusive",
                "upper_inclusive",
                "text",
                "ph_min",
                "ph_max",
                "note",
                "source",
                "sort_order",
            ],
            values,
        )
        .await?;

        let mut method_ids = HashMap::new();
        let mut values = Vec::new();
        for (i, r) in rows("methods.csv", METHODS)?.iter().enumerate() {
            let id = uuid::Uuid::now_v7();
            method_ids.insert(get(r, "key").to_string(), id);
            values.push(vec![
                Value::Uuid(Some(id)),
                text(r, "key"),
                text(r, "code"),
                text(r, "title"),
                text(r, "matrix"),
                opt_text(r, "technique"),
                text(r, "status"),
                text(r, "source"),
                Value::Int(Some(i as i32)),
                Value::Int(Some(1)),
            ]);
        }
        insert(
            manager,
            "method",
            &[
                "id",
                "key",
                "code",
                "title",
                "matrix",
                "technique",
                "status",
                "source",
                "sort_order",
                "version",
            ],
            values,
        )
        .await?;

        let mut values = Vec::new();
        for (i, r) in rows("method_analytes.csv", METHOD_ANALYTES)?
            .iter()
            .enumerate()
        {
            let name = "method_analytes.csv";
            values.push(vec![
                Value::Uuid(Some(uuid::Uuid::now_v7())),
                lookup(name, &method_ids, get(r, "method_key"))?,
                lookup(name, &analyte_ids, get(r, "analyte_code"))?,
                text(r, "unit"),
                opt_text(r, "mdl"),
                opt_int(name, r, "decimals")?,
                opt_int(name, r, "significant_figures")?,
                text(r, "result_type"),
                opt_text(r, "text_options"),
                opt_int(name, r, "holding_time_hours")?,
                opt_int(name, r, "holding_time_unpreserved_hours")?,
                opt_text(r, "container"),
                opt_text(r, "preservative"),
                Value::String(Some("[]".into())),
                opt_text(r, "mdl_source"),
                Value::Int(Some(i as i32)),
                Value::Int(Some(1)),
            ]);
        }
        insert(
            manager,
            "method_analyte",
            &[
                "id",
                "method_id",
                "analyte_id",
                "unit",
                "mdl",
                "decimals",
                "significant_figures",
                "result_type",
                "text_options",
                "holding_time_hours",
                "holding_time_unpreserved_hours",
                "container",
                "preservative",
                "qc_rules",
                "mdl_source",
                "sort_order",
                "version",
            ],
            values,
        )
        .await?;

        let items = rows("packages.csv", PACKAGES)?;
        let mut packages: Vec<Vec<Value>> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let mut values = Vec::new();
        for r in &items {
            if seen.insert(get(r, "package_code").to_string()) {
                packages.push(vec![
                    text(r, "package_code"),
                    text(r, "name"),
                    text(r, "matrix"),
                ]);
            }
            values.push(vec![
                text(r, "package_code"),
                opt_int("packages.csv", r, "position")?,
                lookup("packages.csv", &analyte_ids, get(r, "analyte_code"))?,
            ]);
        }
        insert(manager, "package", &["code", "name", "matrix"], packages).await?;
        insert(
            manager,
            "package_item",
            &["package_code", "position", "analyte_id"],
            values,
        )
        .await?;
        Ok(())
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
