//! Intake schema: counters, clients, projects, sampling points, work orders, samples, containers,
//! custody events and analyses.
use crate::sql;
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0003_intake"
    }
}

const SCHEMA: &str = r#"
CREATE TABLE counter (
    name TEXT PRIMARY KEY,
    value {bigint} NOT NULL
)
--;
ALTER TABLE matrix ADD COLUMN lab_id_pattern TEXT NULL
--;
CREATE TABLE client (
    id {uuid} PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    address TEXT NULL,
    contact TEXT NULL,
    phone TEXT NULL,
    email TEXT NULL,
    version INTEGER NOT NULL,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL
)
--;
CREATE TABLE project (
    id {uuid} PRIMARY KEY,
    client_id {uuid} NOT NULL REFERENCES client(id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    land_use TEXT NULL,
    farmland_type TEXT NULL,
    standards TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    UNIQUE (client_id, code)
)
--;
CREATE TABLE sampling_point (
    id {uuid} PRIMARY KEY,
    project_id {uuid} NOT NULL REFERENCES project(id),
    code TEXT NOT NULL,
    kind TEXT NOT NULL,
    latitude TEXT NULL,
    longitude TEXT NULL,
    well_depth_m TEXT NULL,
    screen_top_m TEXT NULL,
    screen_bottom_m TEXT NULL,
    note TEXT NULL,
    version INTEGER NOT NULL,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    UNIQUE (project_id, code)
)
--;
CREATE TABLE work_order (
    id {uuid} PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    client_id {uuid} NOT NULL REFERENCES client(id),
    project_id {uuid} NOT NULL REFERENCES project(id),
    due_date TEXT NULL,
    note TEXT NULL,
    created_by {uuid} NULL,
    created_at {ts} NOT NULL,
    version INTEGER NOT NULL
)
--;
CREATE INDEX work_order_client ON work_order(client_id, number)
--;
CREATE TABLE sample (
    id {uuid} PRIMARY KEY,
    lab_id TEXT NOT NULL UNIQUE,
    work_order_id {uuid} NOT NULL REFERENCES work_order(id),
    client_id {uuid} NOT NULL REFERENCES client(id),
    project_id {uuid} NOT NULL REFERENCES project(id),
    client_sample_id TEXT NOT NULL,
    matrix TEXT NOT NULL REFERENCES matrix(code),
    sampling_point_id {uuid} NULL REFERENCES sampling_point(id),
    collected_at {ts} NOT NULL,
    collected_by TEXT NOT NULL,
    depth_top_m TEXT NULL,
    depth_bottom_m TEXT NULL,
    field_json TEXT NOT NULL,
    field_missing TEXT NOT NULL,
    status TEXT NOT NULL,
    received_at {ts} NULL,
    received_by {uuid} NULL,
    receipt_temperature_c TEXT NULL,
    receipt_condition_ok {bool} NULL,
    receipt_note TEXT NULL,
    rejected_reason TEXT NULL,
    created_at {ts} NOT NULL,
    version INTEGER NOT NULL,
    UNIQUE (work_order_id, client_sample_id)
)
--;
CREATE INDEX sample_status ON sample(status, lab_id)
--;
CREATE INDEX sample_client ON sample(client_id, lab_id)
--;
CREATE INDEX sample_collected ON sample(collected_at)
--;
CREATE TABLE sample_container (
    id {uuid} PRIMARY KEY,
    sample_id {uuid} NOT NULL REFERENCES sample(id),
    label TEXT NOT NULL UNIQUE,
    position INTEGER NOT NULL,
    container TEXT NULL,
    preservative TEXT NULL,
    condition_ok {bool} NULL,
    preserved {bool} NULL,
    received_at {ts} NULL
)
--;
CREATE INDEX sample_container_sample ON sample_container(sample_id, position)
--;
CREATE TABLE custody_event (
    id {uuid} PRIMARY KEY,
    sample_id {uuid} NOT NULL REFERENCES sample(id),
    action TEXT NOT NULL,
    from_person TEXT NULL,
    to_person TEXT NULL,
    location TEXT NULL,
    temperature_c TEXT NULL,
    note TEXT NULL,
    at {ts} NOT NULL,
    recorded_by {uuid} NULL,
    recorded_at {ts} NOT NULL
)
--;
CREATE INDEX custody_event_sample ON custody_event(sample_id, at)
--;
CREATE TABLE analysis (
    id {uuid} PRIMARY KEY,
    sample_id {uuid} NOT NULL REFERENCES sample(id),
    method_analyte_id {uuid} NOT NULL REFERENCES method_analyte(id),
    method_id {uuid} NOT NULL REFERENCES method(id),
    container_id {uuid} NULL REFERENCES sample_container(id),
    status TEXT NOT NULL,
    due_at {ts} NULL,
    holding_exceeded {bool} NOT NULL,
    attempt INTEGER NOT NULL,
    retest_of {uuid} NULL REFERENCES analysis(id),
    created_at {ts} NOT NULL,
    version INTEGER NOT NULL
)
--;
CREATE INDEX analysis_sample ON analysis(sample_id)
--;
CREATE INDEX analysis_worklist ON analysis(status, method_id, due_at)
"#;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        sql::run(manager, SCHEMA).await
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
