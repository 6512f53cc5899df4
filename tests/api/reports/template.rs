//! A broken report template stops start-up with a message naming the file, line and column.
use rocket::figment::Figment;

#[test]
fn a_broken_template_stops_start_up_naming_file_and_line() {
    let dir = std::env::temp_dir().join(format!("egret-template-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let shipped =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/reports/default.toml"))
            .expect("the shipped template");
    // A typo in a key on one line of the shipped file.
    let line = shipped
        .lines()
        .position(|l| l.starts_with("language"))
        .expect("a language line")
        + 1;
    let broken = shipped.replacen("language =", "langauge =", 1);
    std::fs::write(dir.join("default.toml"), broken).expect("write");
    let figment: Figment = egret::config::figment()
        .merge(("database_url", "sqlite::memory:"))
        .merge(("reports_dir", dir.display().to_string()));
    let err = egret::config::Config::from_figment(&figment).expect_err("start-up must stop");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(err.contains("reports_dir"), "{err}");
    assert!(err.contains("default.toml"), "{err}");
    assert!(err.contains(&format!("line {line}")), "{err}");
    assert!(!err.contains('\n'), "one line: {err}");
}
