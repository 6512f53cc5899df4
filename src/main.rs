//! The `egret` command: serve (default), migrate, demo, user add, audit verify, bench intake|results.
use clap::{Parser, Subcommand};
use egret::config::{self, Config};
use egret::domain::role::Role;
use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "egret",
    version,
    about = "Egret LIMS — laboratory information management for environmental monitoring"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Start the web server (the default).
    Serve {
        /// On an empty database (no work orders, no clients), seed the demo lab once listening.
        #[arg(long)]
        demo: bool,
    },
    /// Seed a demo lab (people, clients, work orders in every stage, issued and amended
    /// reports) into the configured database through the HTTP API; refuses a database that has
    /// work orders.
    Demo,
    /// Create or upgrade the database schema and seed the reference catalogue, then exit.
    Migrate,
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// The audit trail.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Benchmarks (on fresh databases; nothing is kept).
    Bench {
        #[command(subcommand)]
        command: BenchCommand,
    },
}

#[derive(Subcommand)]
enum BenchCommand {
    /// Register one work order of N samples × M analyses over HTTP on a fresh database and compare
    /// it with a plain insert of the same rows in one transaction.
    Intake {
        /// Samples in the work order.
        #[arg(long, default_value_t = 10_000)]
        samples: usize,
        /// Analyses per sample (the first method_analytes of groundwater in the catalogue).
        #[arg(long, default_value_t = 10)]
        analyses: usize,
        /// A PostgreSQL server (postgres://user@host:port/postgres): the benchmark creates fresh
        /// databases egret_bench_<uuid> on it and drops them afterwards. Default: a temporary SQLite file.
        #[arg(long)]
        database_url: Option<String>,
    },
    /// Render test-report PDFs: one large report and single-sample reports per second.
    Report {
        /// Samples in the large report.
        #[arg(long, default_value_t = 20)]
        samples: usize,
        /// Analytes per sample.
        #[arg(long, default_value_t = 45)]
        analytes: usize,
        /// Timed renders of the large report.
        #[arg(long, default_value_t = 20)]
        runs: usize,
        /// Single-sample reports rendered for the rate.
        #[arg(long, default_value_t = 100)]
        singles: usize,
    },
    /// Import instrument CSV files (N result rows) into batches over HTTP on a fresh database and
    /// time the imports.
    Results {
        /// Result rows in all (samples × analytes).
        #[arg(long, default_value_t = 100_000)]
        rows: usize,
        /// Analytes per sample (the method_analytes of one soil method, else groundwater).
        #[arg(long, default_value_t = 20)]
        analytes: usize,
        /// Samples per batch (set as the method's batch_max_samples).
        #[arg(long, default_value_t = 100)]
        batch_samples: usize,
        /// A PostgreSQL server (postgres://user@host:port/postgres): the benchmark creates a fresh
        /// database egret_bench_<uuid> on it and drops it afterwards. Default: a temporary SQLite file.
        #[arg(long)]
        database_url: Option<String>,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a user; the password is read from standard input, or prompted for on a terminal.
    Add {
        #[arg(long)]
        username: String,
        /// One or more roles: admin, technician, analyst, reviewer, signatory (repeat or comma-separate).
        #[arg(long = "role", required = true, value_delimiter = ',')]
        roles: Vec<String>,
        #[arg(long)]
        display_name: Option<String>,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Recompute the hash chain; exits 1 and names the first broken link if it is broken.
    Verify,
}

fn init_logging(default: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("EGRET_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .init();
}

fn fail(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("egret: {msg}");
    ExitCode::from(2)
}

#[rocket::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(match cli.command {
        // The benchmark prints its own table; request lines would only interleave with it.
        Some(Command::Bench { .. } | Command::Demo) => {
            "warn,rocket=error,_=error,sea_orm=warn,sqlx=warn"
        }
        _ => "info,rocket=error,_=error,sea_orm=warn,sqlx=warn",
    });
    let figment = config::figment();
    let cfg = match Config::from_figment(&figment) {
        Ok(c) => c,
        Err(e) => return fail(e),
    };
    match cli.command.unwrap_or(Command::Serve { demo: false }) {
        Command::Serve { demo } => serve(figment, demo).await,
        Command::Demo => demo(figment).await,
        Command::Migrate => match egret::open_database(&cfg).await {
            Ok(_) => {
                println!(
                    "egret: database is migrated ({})",
                    egret::db::redact(&cfg.database_url)
                );
                ExitCode::SUCCESS
            }
            Err(e) => fail(e),
        },
        Command::User {
            command:
                UserCommand::Add {
                    username,
                    roles,
                    display_name,
                },
        } => {
            let mut parsed = Vec::new();
            for r in &roles {
                match Role::parse(r.trim()) {
                    Some(role) => parsed.push(role),
                    None => return fail(format!("unknown role '{r}' (admin, technician, analyst, reviewer, signatory, client)")),
                }
            }
            let password = match read_password() {
                Ok(p) => p,
                Err(e) => return fail(e),
            };
            let db = match egret::open_database(&cfg).await {
                Ok(db) => db,
                Err(e) => return fail(e),
            };
            let name = display_name.unwrap_or_else(|| username.clone());
            match egret::service::users::add_from_cli(&db, &username, &name, parsed, &password)
                .await
            {
                Ok(u) => {
                    println!("egret: user {} created ({})", u.username, u.id);
                    ExitCode::SUCCESS
                }
                Err(e) => fail(e.detail()),
            }
        }
        Command::Audit {
            command: AuditCommand::Verify,
        } => {
            let db = match egret::open_database(&cfg).await {
                Ok(db) => db,
                Err(e) => return fail(e),
            };
            match egret::service::audit::verify(&db).await {
                Ok(v) if v.ok => {
                    println!(
                        "audit chain OK: {} events checked, {} unsealed",
                        v.events_checked, v.unsealed
                    );
                    ExitCode::SUCCESS
                }
                Ok(v) => {
                    println!(
                        "audit chain BROKEN at seq {}: {} ({} events checked)",
                        v.first_broken_seq.unwrap_or_default(),
                        v.problem.unwrap_or_default(),
                        v.events_checked
                    );
                    ExitCode::from(1)
                }
                Err(e) => fail(e.detail()),
            }
        }
        Command::Bench {
            command:
                BenchCommand::Intake {
                    samples,
                    analyses,
                    database_url,
                },
        } => {
            let opts = egret::bench::IntakeOptions {
                samples,
                analyses,
                database_url,
            };
            match egret::bench::intake(&opts).await {
                Ok(report) => {
                    println!("{}", report.table());
                    ExitCode::SUCCESS
                }
                Err(e) => fail(e),
            }
        }
        Command::Bench {
            command:
                BenchCommand::Report {
                    samples,
                    analytes,
                    runs,
                    singles,
                },
        } => {
            let opts = egret::bench::ReportOptions {
                samples,
                analytes,
                runs,
                singles,
            };
            match egret::bench::report(&opts) {
                Ok(report) => {
                    println!("{}", report.table());
                    ExitCode::SUCCESS
                }
                Err(e) => fail(e),
            }
        }
        Command::Bench {
            command:
                BenchCommand::Results {
                    rows,
                    analytes,
                    batch_samples,
                    database_url,
                },
        } => {
            let opts = egret::bench::ResultsOptions {
                rows,
                analytes,
                batch_samples,
                database_url,
            };
            match egret::bench::results(&opts).await {
                Ok(report) => {
                    println!("{}", report.table());
                    ExitCode::SUCCESS
                }
                Err(e) => fail(e),
            }
        }
    }
}

fn read_password() -> Result<String, String> {
    let stdin = std::io::stdin();
    let pw = if stdin.is_terminal() {
        let a = rpassword::prompt_password("Password: ").map_err(|e| e.to_string())?;
        let b = rpassword::prompt_password("Repeat password: ").map_err(|e| e.to_string())?;
        if a != b {
            return Err("the two passwords differ".into());
        }
        a
    } else {
        let mut line = String::new();
        stdin
            .lock()
            .read_line(&mut line)
            .map_err(|e| e.to_string())?;
        line.trim_end_matches(['\r', '\n']).to_string()
    };
    egret::domain::password::check(&pw).map_err(|e| format!("password {e}"))?;
    Ok(pw)
}

fn announce_admin_password(pw: &str) {
    println!("============================================================");
    println!(" Egret created the user 'admin' with this password:");
    println!("     {pw}");
    println!(" It is shown only this once. Sign in and change it.");
    println!("============================================================");
}

async fn demo(figment: rocket::figment::Figment) -> ExitCode {
    match egret::demo::run(figment, announce_admin_password).await {
        Ok((summary, admin, sign_in)) => {
            println!("{}", summary.text(&admin, &sign_in));
            println!("Start the server with `egret serve` to look around.");
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}

async fn serve(figment: rocket::figment::Figment, demo: bool) -> ExitCode {
    let prepared = match egret::prepare(figment).await {
        Ok(p) => p,
        Err(e) => return fail(e),
    };
    if let Some(pw) = &prepared.generated_admin_password {
        announce_admin_password(pw);
    }
    let prepared = if demo {
        egret::demo::on_serve(prepared).await
    } else {
        prepared
    };
    let rocket = match prepared.rocket.ignite().await {
        Ok(r) => r,
        Err(e) => return fail(format!("cannot start: {e}")),
    };
    let cfg = rocket.config();
    println!(
        "egret: listening on http://{}:{} ({})",
        cfg.address,
        cfg.port,
        egret::db::redact(&prepared.config.database_url)
    );
    match rocket.launch().await {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => fail(format!("server error: {e}")),
    }
}
