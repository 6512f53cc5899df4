//! Start-up: health, the first admin, a second start on the same database.
use crate::support::*;
use reqwest::StatusCode;

#[tokio::test]
async fn health_answers_once_migrated() {
    let app = TestApp::spawn().await;
    let res = app.client.get(app.url("/health")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body, serde_json::json!({"status": "ok", "database": "ok"}));
}

#[tokio::test]
async fn first_start_creates_admin_and_second_start_reuses_the_database() {
    let mut app = TestApp::spawn().await;
    let token = app.admin_token().await;
    let (status, me) = app.get("/api/v1/me", &token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["username"], "admin");
    assert_eq!(me["roles"], serde_json::json!(["admin"]));
    app.stop();
    // A second process on the same database: no new admin, the old password still works.
    let again = TestApp::launch(&app.database_url, &app.data_dir, |f| {
        f.merge(("admin_password", "another-password-1"))
    })
    .await;
    let token = again.login("admin", ADMIN_PASSWORD).await;
    let (status, users) = again.get("/api/v1/users", &token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(users["items"].as_array().unwrap().len(), 1);
}
