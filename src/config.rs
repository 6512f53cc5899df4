//! Settings: `Rocket.toml` defaults, each overridable by an `EGRET_<KEY>` environment variable.
use rocket::figment::providers::Env;
use rocket::figment::Figment;
use serde::Deserialize;
use std::path::PathBuf;

/// Egret's own settings (Rocket's own — port, address, secret key, limits — stay Rocket's).
#[derive(Clone, Debug, Deserialize)]
pub struct Config {
    #[serde(default = "default_database_url")]
    pub database_url: String,
    #[serde(default)]
    pub admin_password: Option<String>,
    #[serde(default = "default_public_url")]
    pub public_url: String,
    #[serde(default = "default_data_dir")]
    pub data_dir: PathBuf,
    #[serde(default = "default_lockout_threshold")]
    pub lockout_threshold: u32,
    #[serde(default = "default_lockout_minutes")]
    pub lockout_minutes: u32,
    #[serde(default = "default_token_hours")]
    pub token_ttl_hours: u32,
    #[serde(default = "default_session_hours")]
    pub session_ttl_hours: u32,
    #[serde(default = "default_timezone")]
    pub timezone: String,
    #[serde(default = "default_bulk_json_limit")]
    pub bulk_json_limit_mib: u32,
    /// CJK font of labels and reports: `path` or `path#face-index`; unset = well-known Debian fonts.
    #[serde(default)]
    pub report_font: Option<String>,
    /// Size of a sample-container label, in millimetres.
    #[serde(default = "default_label_width")]
    pub label_width_mm: f32,
    #[serde(default = "default_label_height")]
    pub label_height_mm: f32,
    /// Folder of the test-report template (`default.toml`); without the file the built-in one is used.
    #[serde(default = "default_reports_dir")]
    pub reports_dir: PathBuf,
    /// The most samples one report may cover (larger work orders get several reports).
    #[serde(default = "default_report_max_samples")]
    pub report_max_samples: usize,
}

fn default_report_max_samples() -> usize {
    200
}

fn default_database_url() -> String {
    "sqlite://data/egret.db?mode=rwc".into()
}
fn default_public_url() -> String {
    "http://127.0.0.1:8000".into()
}
fn default_data_dir() -> PathBuf {
    PathBuf::from("data")
}
fn default_lockout_threshold() -> u32 {
    5
}
fn default_lockout_minutes() -> u32 {
    15
}
fn default_token_hours() -> u32 {
    12
}
fn default_session_hours() -> u32 {
    12
}
fn default_label_width() -> f32 {
    50.0
}
fn default_label_height() -> f32 {
    30.0
}
fn default_reports_dir() -> PathBuf {
    PathBuf::from("reports")
}
fn default_timezone() -> String {
    "Asia/Shanghai".into()
}
fn default_bulk_json_limit() -> u32 {
    64
}

/// Rocket's own figment (Rocket.toml, `ROCKET_*`, profile) with `EGRET_*` variables merged over it.
pub fn figment() -> Figment {
    rocket::Config::figment().merge(
        Env::prefixed("EGRET_")
            .ignore(&["TEST_DATABASE_URL"])
            .global(),
    )
}

impl Config {
    /// Reads and checks the settings; the error is one line naming the setting.
    pub fn from_figment(figment: &Figment) -> Result<Config, String> {
        let cfg: Config = figment.extract().map_err(|e| {
            let e = e
                .into_iter()
                .next()
                .map(|e| e.to_string())
                .unwrap_or_default();
            format!("invalid setting: {e}")
        })?;
        cfg.validate()?;
        Ok(cfg)
    }

    fn validate(&self) -> Result<(), String> {
        let url = &self.database_url;
        if !(url.starts_with("sqlite:")
            || url.starts_with("postgres://")
            || url.starts_with("postgresql://"))
        {
            return Err(format!(
                "invalid setting database_url (EGRET_DATABASE_URL): '{url}' must start with sqlite: or postgres://"
            ));
        }
        if !(self.public_url.starts_with("http://") || self.public_url.starts_with("https://")) {
            return Err(format!(
                "invalid setting public_url (EGRET_PUBLIC_URL): '{}' must start with http:// or https://",
                self.public_url
            ));
        }
        if self.timezone.parse::<chrono_tz::Tz>().is_err() {
            return Err(format!(
                "invalid setting timezone (EGRET_TIMEZONE): '{}' is not an IANA time zone such as Asia/Shanghai",
                self.timezone
            ));
        }
        for (name, v) in [
            (
                "lockout_threshold (EGRET_LOCKOUT_THRESHOLD)",
                self.lockout_threshold,
            ),
            (
                "lockout_minutes (EGRET_LOCKOUT_MINUTES)",
                self.lockout_minutes,
            ),
            (
                "token_ttl_hours (EGRET_TOKEN_TTL_HOURS)",
                self.token_ttl_hours,
            ),
            (
                "session_ttl_hours (EGRET_SESSION_TTL_HOURS)",
                self.session_ttl_hours,
            ),
            (
                "bulk_json_limit_mib (EGRET_BULK_JSON_LIMIT_MIB)",
                self.bulk_json_limit_mib,
            ),
        ] {
            if v == 0 {
                return Err(format!("invalid setting {name}: must be at least 1"));
            }
        }
        for (name, v) in [
            ("label_width_mm (EGRET_LABEL_WIDTH_MM)", self.label_width_mm),
            (
                "label_height_mm (EGRET_LABEL_HEIGHT_MM)",
                self.label_height_mm,
            ),
        ] {
            if !(15.0..=300.0).contains(&v) {
                return Err(format!(
                    "invalid setting {name}: must be between 15 and 300 mm"
                ));
            }
        }
        if let Some(pw) = &self.admin_password {
            crate::domain::password::check(pw).map_err(|e| {
                format!("invalid setting admin_password (EGRET_ADMIN_PASSWORD): {e}")
            })?;
        }
        if !(1..=5000).contains(&self.report_max_samples) {
            return Err(
                "invalid setting report_max_samples (EGRET_REPORT_MAX_SAMPLES): must be between 1 and 5000"
                    .into(),
            );
        }
        // Finds and parses the process-wide CJK font (see `report::font`).
        crate::report::font::configure(self.report_font.as_deref())?;
        // Reads the report template once (see `report::template`); a broken one stops start-up.
        crate::report::template::configure(&self.reports_dir)
            .map_err(|e| format!("invalid setting reports_dir (EGRET_REPORTS_DIR): {e}"))?;
        Ok(())
    }

    /// The lab's time zone (validated at start-up).
    pub fn tz(&self) -> chrono_tz::Tz {
        self.timezone.parse().unwrap_or(chrono_tz::Asia::Shanghai)
    }
}
