//! `egret demo` and `egret serve --demo`: a demo lab seeded through the real HTTP API.
//!
//! [`seed`] drives an Egret over HTTP as its people would: the admin sets the lab profile, the
//! demo catalogue settings and the accounts; the technician registers and receives samples; the
//! analysts enter results; the reviewer verifies; the signatories approve, order a retest, and
//! issue reports and an amendment. Every audit event, number, signature and rule is the real one.
//! It refuses a database that already holds work orders, clients or another lab's profile.
//!
//! [`run`] (`egret demo`) starts Egret in this process on the configured database on a free
//! loopback port, seeds it and stops; [`on_serve`] (`egret serve --demo`) seeds the serving
//! Egret once it listens, when its database is empty. Both sign in as `admin` when
//! `EGRET_ADMIN_PASSWORD` is `admin`'s password, and otherwise as `demo-admin` (admin role,
//! password `demo-admin-2026`), created like `egret user add` would.
mod amend;
mod data;
mod flow;
mod orders;
mod setup;

pub use data::{Person, DEMO_ADMIN, DEMO_ADMIN_PASSWORD, LAB_NAME_ZH, PEOPLE};
pub use orders::{OrderLine, ReportLine};

use crate::config::Config;
use crate::db::Db;
use crate::domain::role::{Role, Roles};
use crate::entity::{app_user, client, work_order};
use crate::loopback::{free_port, Http, Server};
use crate::state::AppState;
use crate::Prepared;
use rocket::fairing::AdHoc;
use rocket::figment::Figment;
use sea_orm::{EntityTrait, PaginatorTrait};
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

const NOT_EMPTY_WORK_ORDERS: &str = "the database already has work orders: the demo seeds only a \
     new, empty database and never mixes demo data into a real lab (point EGRET_DATABASE_URL at a new one)";
const NOT_EMPTY_CLIENTS: &str = "the database already has clients: the demo seeds only a new, \
     empty database and never mixes demo data into a real lab (point EGRET_DATABASE_URL at a new one)";

fn not_empty_profile(name: &str) -> String {
    format!(
        "the lab profile is already filled in ({name}): the demo seeds only a new, empty database \
         and never mixes demo data into a real lab (point EGRET_DATABASE_URL at a new one)"
    )
}

/// How long one request of the demo may take.
const TIMEOUT: Duration = Duration::from_secs(300);

/// What the demo seeded, for the console and for tests.
pub struct Summary {
    pub work_orders: Vec<OrderLine>,
    pub reports: Vec<ReportLine>,
    /// One line per demo catalogue setting (MDL, decimals, QC insertion rule).
    pub demo_settings: Vec<String>,
    pub audit_events: u64,
}

/// The admin account the demo signed in with.
pub struct AdminLogin {
    pub username: String,
    pub password: String,
    /// The password is `EGRET_ADMIN_PASSWORD` (not printed).
    pub from_env: bool,
}

impl Summary {
    /// The text `egret demo` prints: accounts and passwords, work orders, reports, demo settings.
    pub fn text(&self, admin: &AdminLogin, sign_in: &str) -> String {
        let mut out = format!(
            "egret demo: seeded {LAB_NAME_ZH} — DEMO DATA, not a real laboratory (CMA {})\n\n\
             Sign in at {sign_in} as:\n",
            data::LAB_CMA
        );
        let pw = if admin.from_env {
            "(EGRET_ADMIN_PASSWORD)".to_string()
        } else {
            admin.password.clone()
        };
        out.push_str(&format!("  {:<14} {:<24} admin\n", admin.username, pw));
        for p in &PEOPLE {
            out.push_str(&format!(
                "  {:<14} {:<24} {} — {}\n",
                p.username,
                p.password,
                p.roles.join(", "),
                p.display_name
            ));
        }
        out.push_str("\nWork orders:\n");
        for o in &self.work_orders {
            out.push_str(&format!("  {}  {}  {}\n", o.number, o.stage, o.client));
        }
        out.push_str("\nReports:\n");
        for r in &self.reports {
            let number = r.number.as_deref().unwrap_or("(draft)");
            let verify = match (&r.number, &r.verification_code) {
                (Some(n), Some(c)) => format!("  verify: /verify/{n}?code={c}"),
                _ => String::new(),
            };
            out.push_str(&format!(
                "  {number:<20} {:<10} of {}{verify}\n",
                r.status, r.work_order
            ));
        }
        if !self.demo_settings.is_empty() {
            out.push_str(
                "\nDemo catalogue settings (demo values where the catalogue leaves them to the lab — \
                 NOT regulatory numbers; set your own before real use):\n",
            );
            for s in &self.demo_settings {
                out.push_str(&format!("  {s}\n"));
            }
        }
        out.push_str(&format!(
            "\nAudit chain verified: {} events.",
            self.audit_events
        ));
        out
    }
}

/// Seeds the demo lab into the Egret at `base_url` (e.g. `http://127.0.0.1:8000`) as the admin
/// whose bearer token is `admin_token`. Refuses a lab that is not empty.
pub async fn seed(base_url: &str, admin_token: &str) -> Result<Summary, String> {
    let http = Http::new(base_url, TIMEOUT)?;
    setup::check_empty(&http, admin_token).await?;
    seed_lab(http, admin_token)
        .await
        .map_err(|e| format!("the demo stopped half-way, seed a new database instead: {e}"))
}

async fn seed_lab(http: Http, admin: &str) -> Result<Summary, String> {
    let step = |what: &'static str| move |e: String| format!("{what}: {e}");
    setup::lab_profile(&http, admin)
        .await
        .map_err(step("lab profile"))?;
    let (cat, demo_settings) = setup::catalogue(&http, admin)
        .await
        .map_err(step("catalogue"))?;
    let mut tokens = setup::people(&http, admin, None)
        .await
        .map_err(step("staff"))?;
    let tech = tokens
        .get(data::TECH)
        .cloned()
        .ok_or("the technician is not signed in")?;
    let sites = setup::clients(&http, &tech)
        .await
        .map_err(step("clients"))?;
    let client_ids: Vec<String> = sites.iter().map(|s| s.0.clone()).collect();
    tokens.extend(
        setup::people(&http, admin, Some(&client_ids))
            .await
            .map_err(step("client users"))?,
    );
    tokens.insert("admin".into(), admin.to_string());
    let lab = flow::Lab {
        http: http.clone(),
        tokens,
        cat,
    };
    let made = orders::seed(&lab, &sites)
        .await
        .map_err(step("work orders"))?;
    for r in &made.reports {
        let (Some(number), Some(code)) = (&r.number, &r.verification_code) else {
            continue;
        };
        let path = format!("/verify/{number}?code={code}");
        let v = http
            .expect(200, reqwest::Method::GET, &path, None, None)
            .await?;
        if v["authentic"] != serde_json::Value::Bool(true) {
            return Err(format!("{path} does not say authentic: {v}"));
        }
    }
    let audit_events = http.verify_audit(admin).await?;
    Ok(Summary {
        work_orders: made.orders,
        reports: made.reports,
        demo_settings,
        audit_events,
    })
}

/// `egret demo`: starts Egret on the configured database (a free loopback port), seeds the demo
/// lab and stops. `announce` gets the admin password if this start generated one.
pub async fn run(
    figment: Figment,
    announce: impl FnOnce(&str),
) -> Result<(Summary, AdminLogin, String), String> {
    // Where `egret serve` will listen with these settings: the sign-in address to print.
    let sign_in = format!(
        "{}/login",
        base_url(
            figment
                .extract_inner::<IpAddr>("address")
                .unwrap_or(Ipv4Addr::LOCALHOST.into()),
            figment.extract_inner::<u16>("port").unwrap_or(8000),
        )
    );
    let port = free_port()?;
    let figment = figment
        .merge(("port", port))
        .merge(("address", "127.0.0.1"))
        .merge(("log_level", "off"));
    let prepared = crate::prepare(figment).await?;
    if let Some(pw) = &prepared.generated_admin_password {
        announce(pw);
    }
    let db = database(&prepared)?;
    check_database(&db, &prepared.config).await?;
    check_font()?;
    let admin = admin_login(&db, &prepared.config).await?;
    let server = Server::launch(prepared.rocket, port, TIMEOUT).await?;
    let seeded = async {
        let token = server.http.login(&admin.username, &admin.password).await?;
        seed(server.http.base(), &token).await
    }
    .await;
    server.stop().await;
    Ok((seeded?, admin, sign_in))
}

/// `egret serve --demo`: when the database is empty, attaches a fairing that seeds the demo lab
/// once the server listens and prints the summary; otherwise says why not and serves as it is.
pub async fn on_serve(prepared: Prepared) -> Prepared {
    let ready = async {
        let db = database(&prepared)?;
        check_database(&db, &prepared.config).await?;
        check_font()?;
        admin_login(&db, &prepared.config).await
    }
    .await;
    let admin = match ready {
        Ok(a) => a,
        Err(e) => {
            println!("egret: --demo: not seeding the demo: {e}");
            return prepared;
        }
    };
    let Prepared {
        rocket,
        generated_admin_password,
        config,
    } = prepared;
    let rocket = rocket.attach(AdHoc::on_liftoff("egret demo", move |r| {
        let base = base_url(r.config().address, r.config().port);
        Box::pin(async move {
            let sign_in = format!("{base}/login");
            tokio::spawn(async move {
                println!("egret: --demo: seeding the demo lab over {base} …");
                match seed_as(&base, &admin).await {
                    Ok(s) => println!("{}", s.text(&admin, &sign_in)),
                    Err(e) => eprintln!("egret: --demo: the demo could not be seeded: {e}"),
                }
            });
        })
    }));
    Prepared {
        rocket,
        generated_admin_password,
        config,
    }
}

/// `http://address:port`, the loopback address for an unspecified one (`0.0.0.0`, `::`).
fn base_url(ip: IpAddr, port: u16) -> String {
    let ip = match ip {
        IpAddr::V4(a) if a.is_unspecified() => Ipv4Addr::LOCALHOST.into(),
        IpAddr::V6(a) if a.is_unspecified() => Ipv6Addr::LOCALHOST.into(),
        other => other,
    };
    format!("http://{}", SocketAddr::new(ip, port))
}

async fn seed_as(base: &str, admin: &AdminLogin) -> Result<Summary, String> {
    let http = Http::new(base, TIMEOUT)?;
    http.wait_healthy().await?;
    let token = http.login(&admin.username, &admin.password).await?;
    seed(base, &token).await
}

fn database(prepared: &Prepared) -> Result<Db, String> {
    prepared
        .rocket
        .state::<AppState>()
        .map(|s| s.db.clone())
        .ok_or_else(|| "the application state is missing".to_string())
}

/// The database holds no work orders, no clients and no other lab's profile.
async fn check_database(db: &Db, cfg: &Config) -> Result<(), String> {
    let failed = |e: sea_orm::DbErr| format!("cannot read the database: {e}");
    if work_order::Entity::find()
        .count(&db.conn)
        .await
        .map_err(failed)?
        > 0
    {
        return Err(NOT_EMPTY_WORK_ORDERS.into());
    }
    if client::Entity::find()
        .count(&db.conn)
        .await
        .map_err(failed)?
        > 0
    {
        return Err(NOT_EMPTY_CLIENTS.into());
    }
    let lab = crate::service::lab::get(db, &cfg.timezone)
        .await
        .map_err(|e| e.detail())?;
    if !lab.name_zh.is_empty() && lab.name_zh != LAB_NAME_ZH {
        return Err(not_empty_profile(&lab.name_zh));
    }
    Ok(())
}

/// The demo issues reports: without a CJK font it would stop half-way.
fn check_font() -> Result<(), String> {
    crate::report::font::status()
        .map(|_| ())
        .map_err(|advice| format!("the demo issues test reports and needs a CJK font: {advice}"))
}

/// `admin` when `EGRET_ADMIN_PASSWORD` is its password (checked without counting a failed
/// sign-in); otherwise `demo-admin`, created with the admin role if it does not exist.
async fn admin_login(db: &Db, cfg: &Config) -> Result<AdminLogin, String> {
    let usable = |u: &app_user::Model| {
        u.active
            && Roles::from_db(&u.roles).has(Role::Admin)
            && u.locked_until.is_none_or(|t| t <= chrono::Utc::now())
    };
    let find = |name: &'static str| async move {
        crate::service::users::find_by_username(db, name)
            .await
            .map_err(|e| e.detail())
    };
    if let Some(pw) = &cfg.admin_password {
        if let Some(u) = find("admin").await? {
            if usable(&u) && crate::auth::password::verify(pw, Some(&u.password_hash)).await {
                return Ok(AdminLogin {
                    username: u.username,
                    password: pw.clone(),
                    from_env: true,
                });
            }
        }
    }
    let demo = AdminLogin {
        username: DEMO_ADMIN.into(),
        password: DEMO_ADMIN_PASSWORD.into(),
        from_env: false,
    };
    match find(DEMO_ADMIN).await? {
        Some(u) => {
            let ok = usable(&u)
                && crate::auth::password::verify(DEMO_ADMIN_PASSWORD, Some(&u.password_hash)).await;
            if ok {
                Ok(demo)
            } else {
                Err(format!(
                    "the user {DEMO_ADMIN} exists but is not the demo's (another password, no admin \
                     role, disabled or locked): set EGRET_ADMIN_PASSWORD to admin's password"
                ))
            }
        }
        None => {
            crate::service::users::add_from_cli(
                db,
                DEMO_ADMIN,
                data::DEMO_ADMIN_NAME,
                vec![Role::Admin],
                DEMO_ADMIN_PASSWORD,
            )
            .await
            .map_err(|e| format!("cannot create {DEMO_ADMIN}: {}", e.detail()))?;
            Ok(demo)
        }
    }
}

/// Signs in every demo account with its documented password (for tests and checks).
pub async fn sign_in_all(base: &str) -> Result<HashMap<String, String>, String> {
    let http = Http::new(base, TIMEOUT)?;
    let mut tokens = HashMap::new();
    for p in &PEOPLE {
        tokens.insert(
            p.username.to_string(),
            http.login(p.username, p.password).await?,
        );
    }
    Ok(tokens)
}
