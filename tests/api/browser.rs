//! The pages in a real browser (headless Chromium through chromedriver): sign in, create a user
//! after a refused first try, see it listed, switch to English, sign out.
//! Without Chromium the test is skipped, except in CI (`CI=true`), where that is a failure.
use crate::support::{TestApp, ADMIN_PASSWORD, PASSWORD};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
pub(crate) const WAIT: Duration = Duration::from_secs(15);

/// A chromedriver child process and the browser profile folder; both go when this is dropped,
/// also when the test panics.
pub(crate) struct Driver {
    child: Child,
    profile: PathBuf,
    url: String,
}

impl Driver {
    pub(crate) async fn start() -> Driver {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port for chromedriver");
        let profile =
            std::env::temp_dir().join(format!("egret-chromium-{}", uuid::Uuid::now_v7().simple()));
        std::fs::create_dir_all(&profile).expect("browser profile folder");
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let driver = Driver {
            child,
            profile,
            url: format!("http://127.0.0.1:{port}"),
        };
        let http = reqwest::Client::new();
        for _ in 0..200 {
            if let Ok(r) = http.get(format!("{}/status", driver.url)).send().await {
                if r.status().is_success() {
                    return driver;
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("chromedriver did not answer on {}", driver.url);
    }

    pub(crate) async fn browser(&self) -> Client {
        // Two rustls crypto providers are compiled in (ring for sqlx, aws-lc-rs for reqwest), so
        // fantoccini's connector cannot pick one by itself; another test may have installed it already.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": CHROMIUM,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--disable-dev-shm-usage",
                    "--window-size=1400,900",
                    format!("--user-data-dir={}", self.profile.display()),
                ],
            }),
        );
        ClientBuilder::rustls()
            .expect("TLS setup")
            .capabilities(caps)
            .connect(&self.url)
            .await
            .expect("a headless Chromium session")
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// Whether the browser is here; in CI its absence fails the test.
pub(crate) fn browser_installed() -> bool {
    if Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists() {
        return true;
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!(
            "browser test: {CHROMIUM} or {CHROMEDRIVER} is missing, and CI=true makes that a failure; \
             install them with `apt-get install -y chromium chromium-driver`"
        );
    }
    println!("browser test skipped: chromium not installed");
    false
}

#[tokio::test]
async fn admin_creates_a_user_switches_language_and_signs_out() {
    if !browser_installed() {
        return;
    }
    let app = TestApp::spawn().await;
    drive(
        app.base.clone(),
        |b, base| async move { steps(&b, &base).await },
    )
    .await;
}

/// Runs `steps` in a fresh headless Chromium against `base`. The steps run in their own task so
/// that, if one fails, the browser is still closed before the failure is passed on.
pub(crate) async fn drive<F, Fut>(base: String, steps: F)
where
    F: FnOnce(Client, String) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let driver = Driver::start().await;
    let browser = driver.browser().await;
    let outcome = tokio::spawn(steps(browser.clone(), base)).await;
    let _ = browser.close().await;
    drop(driver);
    if let Err(e) = outcome {
        if e.is_panic() {
            std::panic::resume_unwind(e.into_panic());
        }
        panic!("browser steps did not finish: {e}");
    }
}

async fn steps(b: &Client, base: &str) {
    // Sign in; the interface is Chinese by default.
    b.goto(&format!("{base}/login")).await.expect("login page");
    type_into(b, "#username", "admin").await;
    type_into(b, "#password", ADMIN_PASSWORD).await;
    click(b, "form[action='/login'] button[type=submit]").await;
    let users_link = "nav[aria-label=main] a[href='/admin/users']";
    wait_text(b, users_link, "用户").await;

    // Users → New user; a 5-character password is refused beside the password field.
    click(b, users_link).await;
    wait_for(b, "#new-user").await;
    click(b, "#new-user").await;
    wait_for(b, "#create-user").await;
    type_into(b, "#username", "tech1").await;
    type_into(b, "#display_name", "技术员一").await;
    type_into(b, "#password", "short").await;
    click(b, "input[name=roles][value=technician]").await;
    click(b, "#create-user").await;
    let error = wait_for(b, "#password-error").await;
    assert!(
        !error.text().await.unwrap_or_default().trim().is_empty(),
        "the password error is shown"
    );
    let password = find(b, "#password").await;
    assert_eq!(
        password
            .attr("aria-invalid")
            .await
            .ok()
            .flatten()
            .as_deref(),
        Some("true"),
        "the password field is marked invalid"
    );
    assert_eq!(
        value(b, "#password").await,
        "",
        "a password is never sent back"
    );
    assert_eq!(
        value(b, "#username").await,
        "tech1",
        "the typed username is kept"
    );
    assert_eq!(value(b, "#display_name").await, "技术员一");
    assert!(
        find(b, "input[name=roles][value=technician]")
            .await
            .is_selected()
            .await
            .unwrap_or(false),
        "the ticked role stays ticked"
    );
    // The error sits beside its field: inside the same field block.
    let beside: bool = b
        .execute(
            "return document.getElementById('password-error').parentElement \
             === document.getElementById('password').parentElement;",
            vec![],
        )
        .await
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(false);
    assert!(beside, "the password error is beside the password field");

    // Fixed: the user is created and listed with its role in words.
    type_into(b, "#password", PASSWORD).await;
    click(b, "#create-user").await;
    let flash = wait_for(b, ".flash").await;
    assert!(flash.text().await.unwrap_or_default().contains("tech1"));
    b.goto(&format!("{base}/admin/users"))
        .await
        .expect("users list");
    let table = wait_for(b, "#users").await;
    let text = table.text().await.unwrap_or_default();
    assert!(text.contains("tech1"), "tech1 is listed: {text}");
    assert!(
        text.contains("样品管理员"),
        "its role is shown in words: {text}"
    );
    screenshot(b, "users-list.png").await;

    // English, and it sticks after a reload.
    click(b, "#lang-switch").await;
    wait_text(b, users_link, "Users").await;
    b.refresh().await.expect("reload");
    wait_text(b, users_link, "Users").await;
    b.goto(&format!("{base}/admin/users"))
        .await
        .expect("users list");
    wait_text(b, "h1", "Users").await;
    let lang = find(b, "html").await.attr("lang").await.ok().flatten();
    assert_eq!(lang.as_deref(), Some("en"));

    // Sign out: back to the sign-in page, and the pages are closed again.
    click(b, "#logout").await;
    wait_for(b, "form[action='/login']").await;
    let url = b.current_url().await.expect("url");
    assert_eq!(url.path(), "/login");
    b.goto(&format!("{base}/admin/users"))
        .await
        .expect("users list");
    wait_for(b, "form[action='/login']").await;
}

pub(crate) async fn find(b: &Client, css: &str) -> fantoccini::elements::Element {
    b.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no {css} on the page: {e}"))
}

pub(crate) async fn wait_for(b: &Client, css: &str) -> fantoccini::elements::Element {
    b.wait()
        .at_most(WAIT)
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css} did not appear: {e}"))
}

/// Waits until the element's text is `expected` (pages change under the browser while it loads).
pub(crate) async fn wait_text(b: &Client, css: &str, expected: &str) {
    let mut last = String::new();
    for _ in 0..(WAIT.as_millis() / 100) {
        if let Ok(e) = b.find(Locator::Css(css)).await {
            if let Ok(t) = e.text().await {
                if t.trim() == expected {
                    return;
                }
                last = t;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{css} should read {expected:?}, reads {last:?}");
}

pub(crate) async fn click(b: &Client, css: &str) {
    wait_for(b, css)
        .await
        .click()
        .await
        .unwrap_or_else(|e| panic!("cannot click {css}: {e}"));
}

pub(crate) async fn type_into(b: &Client, css: &str, text: &str) {
    let e = wait_for(b, css).await;
    e.clear().await.expect("clear a field");
    e.send_keys(text).await.expect("type into a field");
}

pub(crate) async fn value(b: &Client, css: &str) -> String {
    find(b, css)
        .await
        .prop("value")
        .await
        .ok()
        .flatten()
        .unwrap_or_default()
}

/// A full-page PNG under `target/screenshots/`.
pub(crate) async fn screenshot(b: &Client, name: &str) {
    let height = b
        .execute(
            "return Math.max(document.body.scrollHeight, document.documentElement.scrollHeight);",
            vec![],
        )
        .await
        .ok()
        .and_then(|v| v.as_u64())
        .unwrap_or(900)
        .clamp(600, 10_000) as u32;
    let _ = b.set_window_size(1400, height + 100).await;
    let png = b.screenshot().await.expect("a screenshot");
    let dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"))
        .join("screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot folder");
    std::fs::write(dir.join(name), png).expect("screenshot written");
    let _ = b.set_window_size(1400, 900).await;
}
