//! Accounts over the API: tokens, revocation, lockout, disabled users, password policy, the last admin,
//! client users and optimistic versions.
use crate::support::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn sign_in(app: &TestApp, username: &str, password: &str) -> Answer {
    app.answer(
        Method::POST,
        "/api/v1/auth/token",
        None,
        Some(&json!({"username": username, "password": password})),
    )
    .await
}

async fn me(app: &TestApp, token: &str) -> Answer {
    app.answer(Method::GET, "/api/v1/me", Some(token), None)
        .await
}

fn id_of(user: &Value) -> String {
    user["id"].as_str().expect("user id").to_string()
}

#[tokio::test]
async fn a_token_has_the_documented_shape() {
    let app = TestApp::spawn().await;
    let a = sign_in(&app, "admin", ADMIN_PASSWORD).await;
    assert_eq!(a.status, StatusCode::OK, "{a:?}");
    assert!(a.content_type.starts_with("application/json"), "{a:?}");
    let token = a.body["token"].as_str().expect("token");
    assert!(token.len() >= 32, "a token is long and random: {token}");
    let expires = a.body["expires_at"].as_str().expect("expires_at");
    let expires = chrono::DateTime::parse_from_rfc3339(expires).expect("RFC 3339 expires_at");
    assert!(expires > chrono::Utc::now(), "the token is not yet expired");
    let user = &a.body["user"];
    assert!(uuid::Uuid::parse_str(user["id"].as_str().unwrap()).is_ok());
    assert_eq!(user["username"], "admin");
    assert_eq!(user["roles"], json!(["admin"]));
    let m = me(&app, token).await;
    assert_eq!(m.status, StatusCode::OK);
    assert_eq!(m.body["id"], user["id"]);
    assert!(m.body.get("password_hash").is_none() && m.body.get("password").is_none());
    // Each sign-in gets its own token.
    let other = sign_in(&app, "admin", ADMIN_PASSWORD).await;
    assert_ne!(other.body["token"], a.body["token"]);
}

#[tokio::test]
async fn a_wrong_password_or_unknown_user_is_401_problem() {
    let app = TestApp::spawn().await;
    let mut details = Vec::new();
    for (user, pw) in [
        ("admin", "not-the-password"),
        ("nobody", ADMIN_PASSWORD),
        ("admin", ""),
    ] {
        let a = sign_in(&app, user, pw).await;
        a.assert_problem(401);
        assert!(a.body.get("token").is_none());
        details.push(a.body["detail"].clone());
    }
    // The answer does not tell whether the username exists.
    assert_eq!(details[0], details[1]);
    // A body without a password is a client error, not a sign-in.
    let a = app
        .answer(
            Method::POST,
            "/api/v1/auth/token",
            None,
            Some(&json!({"username": "admin"})),
        )
        .await;
    a.assert_invalid("password");
}

#[tokio::test]
async fn a_revoked_or_garbage_token_is_401() {
    let app = TestApp::spawn().await;
    let keep = app.admin_token().await;
    let token = app.admin_token().await;
    assert_eq!(me(&app, &token).await.status, StatusCode::OK);
    let (status, _) = app.delete("/api/v1/auth/token", &token).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    me(&app, &token).await.assert_problem(401);
    // Revoking again with the dead token is refused too.
    app.answer(Method::DELETE, "/api/v1/auth/token", Some(&token), None)
        .await
        .assert_problem(401);
    // Only the token in use is revoked.
    assert_eq!(me(&app, &keep).await.status, StatusCode::OK);
    // No token, a garbage token, another scheme.
    app.answer(Method::GET, "/api/v1/me", None, None)
        .await
        .assert_problem(401);
    me(&app, "garbage-token").await.assert_problem(401);
    let res = app
        .client
        .get(app.url("/api/v1/me"))
        .header("Authorization", format!("Basic {keep}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn five_wrong_passwords_lock_the_account_until_an_admin_unlocks_it() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let user = app.create_user(&admin, "lena", &["analyst"], None).await;
    let id = id_of(&user);
    for _ in 1..=4 {
        sign_in(&app, "lena", "wrong-password-x")
            .await
            .assert_problem(401);
    }
    let locked = sign_in(&app, "lena", "wrong-password-x").await;
    locked.assert_problem(423);
    let detail = locked.body["detail"].as_str().unwrap();
    assert!(detail.contains("until"), "says until when: {detail}");
    assert!(
        detail.chars().filter(|c| c.is_ascii_digit()).count() >= 8,
        "names a time: {detail}"
    );
    // Even the right password is refused while locked.
    sign_in(&app, "lena", PASSWORD).await.assert_problem(423);
    let (_, shown) = app.get(&format!("/api/v1/users/{id}"), &admin).await;
    assert!(shown["locked_until"].is_string(), "{shown}");
    let events = app.audit_of(&admin, "user", &id).await;
    assert!(
        events
            .iter()
            .any(|e| e["action"] == "user.locked" && e["after"]["locked_until"].is_string()),
        "the lock is audited: {events:?}"
    );
    // The admin lifts it; that is audited too.
    let (status, after) = app
        .patch(
            &format!("/api/v1/users/{id}"),
            &admin,
            json!({"unlock": true}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{after}");
    assert!(after["locked_until"].is_null(), "{after}");
    let events = app.audit_of(&admin, "user", &id).await;
    let unlock = events.last().unwrap();
    assert_eq!(unlock["username"], "admin", "{unlock}");
    assert!(unlock["before"]["locked_until"].is_string(), "{unlock}");
    assert!(unlock["after"]["locked_until"].is_null(), "{unlock}");
    assert!(unlock["reason"].as_str().unwrap_or("").contains("unlock"));
    app.login("lena", PASSWORD).await;
}

#[tokio::test]
async fn the_lockout_threshold_is_configurable() {
    let app = TestApp::spawn_with(|f| f.merge(("lockout_threshold", 3))).await;
    let admin = app.admin_token().await;
    app.create_user(&admin, "tom", &["technician"], None).await;
    for _ in 0..2 {
        sign_in(&app, "tom", "wrong-password-x")
            .await
            .assert_problem(401);
    }
    sign_in(&app, "tom", "wrong-password-x")
        .await
        .assert_problem(423);
    sign_in(&app, "tom", PASSWORD).await.assert_problem(423);
}

#[tokio::test]
async fn a_successful_sign_in_starts_the_count_again() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    app.create_user(&admin, "rita", &["reviewer"], None).await;
    for _ in 0..4 {
        sign_in(&app, "rita", "wrong-password-x")
            .await
            .assert_problem(401);
    }
    app.login("rita", PASSWORD).await;
    for _ in 0..4 {
        sign_in(&app, "rita", "wrong-password-x")
            .await
            .assert_problem(401);
    }
    app.login("rita", PASSWORD).await;
}

#[tokio::test]
async fn a_disabled_user_cannot_sign_in_and_their_tokens_stop_working() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let user = app.create_user(&admin, "sam", &["signatory"], None).await;
    let id = id_of(&user);
    let token = app.login("sam", PASSWORD).await;
    assert_eq!(me(&app, &token).await.status, StatusCode::OK);
    let (status, body) = app
        .patch(
            &format!("/api/v1/users/{id}"),
            &admin,
            json!({"active": false}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["active"], false);
    me(&app, &token).await.assert_problem(401);
    sign_in(&app, "sam", PASSWORD).await.assert_problem(401);
    // Enabled again: a new sign-in works, the old token stays dead.
    let (status, _) = app
        .patch(
            &format!("/api/v1/users/{id}"),
            &admin,
            json!({"active": true}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let fresh = app.login("sam", PASSWORD).await;
    assert_eq!(me(&app, &fresh).await.status, StatusCode::OK);
    me(&app, &token).await.assert_problem(401);
}

#[tokio::test]
async fn passwords_need_ten_characters_and_usernames_are_unique() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let new = |name: &str, pw: &str| json!({"username": name, "display_name": "X", "password": pw, "roles": ["analyst"]});
    let a = app
        .answer(
            Method::POST,
            "/api/v1/users",
            Some(&admin),
            Some(&new("ann", "123456789")),
        )
        .await;
    a.assert_invalid("password");
    // Nothing was created.
    sign_in(&app, "ann", "123456789").await.assert_problem(401);
    let (status, user) = app
        .post("/api/v1/users", &admin, new("ann", "1234567890"))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{user}");
    let a = app
        .answer(
            Method::POST,
            "/api/v1/users",
            Some(&admin),
            Some(&new("ann", "another-password-1")),
        )
        .await;
    a.assert_invalid("username");
    // A password reset follows the same policy, and revokes the old tokens.
    let id = id_of(&user);
    let old_token = app.login("ann", "1234567890").await;
    let a = app
        .answer(
            Method::PATCH,
            &format!("/api/v1/users/{id}"),
            Some(&admin),
            Some(&json!({"password": "short"})),
        )
        .await;
    a.assert_invalid("password");
    let (status, _) = app
        .patch(
            &format!("/api/v1/users/{id}"),
            &admin,
            json!({"password": "a-new-password-9"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    sign_in(&app, "ann", "1234567890").await.assert_problem(401);
    me(&app, &old_token).await.assert_problem(401);
    app.login("ann", "a-new-password-9").await;
}

#[tokio::test]
async fn the_last_active_admin_is_kept() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let (_, me_body) = app.get("/api/v1/me", &admin).await;
    let id = id_of(&me_body);
    for patch in [
        json!({"active": false}),
        json!({"roles": ["technician"]}),
        json!({"roles": ["technician"], "active": false}),
    ] {
        app.answer(
            Method::PATCH,
            &format!("/api/v1/users/{id}"),
            Some(&admin),
            Some(&patch),
        )
        .await
        .assert_problem(409);
    }
    let (_, still) = app.get("/api/v1/me", &admin).await;
    assert_eq!(still["roles"], json!(["admin"]));
    assert_eq!(still["active"], true);
    // With a second active admin the first may step down.
    app.create_user(&admin, "second-admin", &["admin"], None)
        .await;
    let (status, body) = app
        .patch(
            &format!("/api/v1/users/{id}"),
            &admin,
            json!({"roles": ["reviewer"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["roles"], json!(["reviewer"]));
}

#[tokio::test]
async fn a_client_user_needs_a_client_id() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let body = json!({"username": "acme", "display_name": "Acme", "password": PASSWORD, "roles": ["client"]});
    app.answer(Method::POST, "/api/v1/users", Some(&admin), Some(&body))
        .await
        .assert_invalid("client_id");
    let mixed = json!({"username": "acme", "display_name": "Acme", "password": PASSWORD,
        "roles": ["client", "analyst"], "client_id": uuid::Uuid::now_v7()});
    app.answer(Method::POST, "/api/v1/users", Some(&admin), Some(&mixed))
        .await
        .assert_invalid("roles");
    let client = uuid::Uuid::now_v7();
    let user = app
        .create_user(&admin, "acme", &["client"], Some(client))
        .await;
    assert_eq!(user["client_id"], json!(client));
    assert_eq!(user["roles"], json!(["client"]));
}

#[tokio::test]
async fn a_stale_version_is_refused_with_409() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let user = app.create_user(&admin, "vera", &["analyst"], None).await;
    let id = id_of(&user);
    let v = user["version"].as_i64().expect("version");
    let (status, body) = app
        .patch(
            &format!("/api/v1/users/{id}"),
            &admin,
            json!({"display_name": "Vera One", "version": v}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["version"].as_i64(), Some(v + 1));
    let a = app
        .answer(
            Method::PATCH,
            &format!("/api/v1/users/{id}"),
            Some(&admin),
            Some(&json!({"display_name": "Vera Two", "version": v})),
        )
        .await;
    a.assert_problem(409);
    let (_, now) = app.get(&format!("/api/v1/users/{id}"), &admin).await;
    assert_eq!(now["display_name"], "Vera One");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_changes_from_one_version_let_exactly_one_through() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let user = app.create_user(&admin, "cora", &["analyst"], None).await;
    let id = id_of(&user);
    let v = user["version"].as_i64().unwrap();
    let path = format!("/api/v1/users/{id}");
    let calls = (0..12).map(|i| {
        let body = json!({"display_name": format!("Cora {i}"), "version": v});
        let (app, admin, path) = (&app, &admin, &path);
        async move { app.patch(path, admin, body).await }
    });
    let answers = join_all(calls).await;
    let ok: Vec<&Value> = answers
        .iter()
        .filter(|(s, _)| *s == StatusCode::OK)
        .map(|(_, b)| b)
        .collect();
    assert_eq!(ok.len(), 1, "one change wins: {answers:?}");
    assert!(answers
        .iter()
        .all(|(s, _)| *s == StatusCode::OK || *s == StatusCode::CONFLICT));
    let (_, now) = app.get(&path, &admin).await;
    assert_eq!(now["version"].as_i64(), Some(v + 1));
    assert_eq!(now["display_name"], ok[0]["display_name"]);
    // The audit trail holds the one change, not a lost one.
    let updates = app
        .audit_of(&admin, "user", &id)
        .await
        .into_iter()
        .filter(|e| e["action"] == "user.update")
        .count();
    assert_eq!(updates, 1);
}
