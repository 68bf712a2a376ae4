//! The `heisessie` binary: parse the command line, wire the parts, run. Nothing else.

mod check_goal;
mod export;
mod load;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use chrono::{Duration, NaiveDateTime, Utc};
use chrono_tz::Tz;
use clap::error::ErrorKind;
use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use heisessie_domain::Lang;
use heisessie_domain::catalog;
use heisessie_domain::model::Model;
use heisessie_domain::model_file;
use heisessie_domain::planner::{self, PlanPart, PlannerSettings, SettingsError};
use heisessie_export::agenda::{agenda_markdown, agenda_table, agenda_view};
use heisessie_server::limits::Limits;
use heisessie_server::live::LiveConfig;
use heisessie_server::rooms::RoomConfig;
use heisessie_server::{AppState, api};
use heisessie_store::SqliteStore;

/// Heisessie: plan and run a marketing strategy day, online or in the room.
#[derive(Debug, Parser)]
#[command(name = "heisessie", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the web app.
    Serve(ServeArgs),
    /// Print the agenda of a model: parts and coffee breaks, per day. No server needed.
    Plan(PlanArgs),
    /// Print the OpenAPI document of the JSON API.
    Openapi,
    /// Put a running server under live-room load (loopback only) and report the figures.
    Load(load::LoadArgs),
    /// Check a goal's wording against SMART, letter by letter.
    CheckGoal(check_goal::CheckGoalArgs),
    /// Create a complete sample session to learn from, and print its links.
    Demo(DemoArgs),
    /// Write a stored session's report, deck, calendars or CSV into a folder.
    Export(export::ExportArgs),
}

#[derive(Debug, clap::Args)]
struct DemoArgs {
    /// nl: a Dutch bakery's strategy day; en: a bike shop's.
    #[arg(long, value_enum, default_value = "nl")]
    lang: LangArg,
    /// The folder of the SQLite database, as for `serve`.
    #[arg(long, env = "HEISESSIE_DATA_DIR", default_value = "./heisessie-data")]
    data_dir: PathBuf,
    /// The address the links point at, as for `serve`.
    #[arg(long, env = "HEISESSIE_PUBLIC_URL", default_value = "http://127.0.0.1:8080")]
    public_url: String,
}

async fn demo(args: DemoArgs) -> anyhow::Result<()> {
    let store = SqliteStore::open(&args.data_dir)
        .await
        .with_context(|| format!("cannot open the data folder {}", args.data_dir.display()))?;
    let state = AppState::new(Arc::new(store.clone()), &args.public_url);
    let lang = match args.lang {
        LangArg::Nl => Lang::Nl,
        LangArg::En => Lang::En,
    };
    let created = heisessie_server::demo::create_demo(&state, lang)
        .await
        .map_err(|error| anyhow::anyhow!("{}", error.message(lang)))?;
    store.close().await;
    println!("{}", created.state.details.title);
    println!("facilitator: {}", created.facilitator_link);
    println!("participant: {}", created.participant_link);
    Ok(())
}

#[derive(Debug, clap::Args)]
struct ServeArgs {
    /// The address to listen on.
    #[arg(long, env = "HEISESSIE_ADDR", default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// The folder for the SQLite database; created when missing.
    #[arg(long, env = "HEISESSIE_DATA_DIR", default_value = "./heisessie-data")]
    data_dir: PathBuf,
    /// The address people reach the app on, used in the links it hands out
    /// (default: http:// and the listening address).
    #[arg(long, env = "HEISESSIE_PUBLIC_URL")]
    public_url: Option<String>,
    /// Live connections one client address may hold open at once.
    #[arg(long, env = "HEISESSIE_MAX_CONNECTIONS_PER_ADDRESS", default_value_t = 100,
          value_parser = clap::value_parser!(u32).range(1..))]
    max_connections_per_address: u32,
    /// Live connections one session takes at once.
    #[arg(long, env = "HEISESSIE_MAX_CONNECTIONS_PER_SESSION", default_value_t = 250,
          value_parser = clap::value_parser!(u32).range(1..))]
    max_connections_per_session: u32,
    /// Kilobytes waiting to be sent to one live connection before it counts as too slow
    /// and is closed with "resync" (it then resumes where it was).
    #[arg(long, env = "HEISESSIE_CONNECTION_QUEUE_KB", default_value_t = 4096,
          value_parser = clap::value_parser!(u32).range(64..=1_048_576))]
    connection_queue_kb: u32,
    /// Kilobytes of strategy content (end goals, SMART goals, personas, core message,
    /// ideas, actions) one session may hold, stored.
    #[arg(long, env = "HEISESSIE_MAX_STRATEGY_KB", default_value_t = 1024,
          value_parser = clap::value_parser!(u32).range(16..=65_536))]
    max_strategy_kb: u32,
    /// Open connections at once, HTTP and WebSocket; more wait in the listen backlog.
    #[arg(long, env = "HEISESSIE_MAX_OPEN_CONNECTIONS", default_value_t = 20_000,
          value_parser = clap::value_parser!(u32).range(1..))]
    max_open_connections: u32,
    /// Seconds a client may take to send a request's headers.
    #[arg(long, env = "HEISESSIE_HEADER_TIMEOUT", default_value_t = 10,
          value_parser = clap::value_parser!(u32).range(1..=3600))]
    header_timeout: u32,
    /// Seconds a kept-alive HTTP connection may sit idle between requests, or a request's traffic may stall.
    #[arg(long, env = "HEISESSIE_IDLE_TIMEOUT", default_value_t = 60,
          value_parser = clap::value_parser!(u32).range(1..=3600))]
    idle_timeout: u32,
    /// Seconds a WebSocket may stay open without saying hello.
    #[arg(long, env = "HEISESSIE_HELLO_TIMEOUT", default_value_t = 10,
          value_parser = clap::value_parser!(u32).range(1..=3600))]
    hello_timeout: u32,
    /// Sessions one client address may create per minute.
    #[arg(long, env = "HEISESSIE_SESSIONS_PER_MINUTE", default_value_t = 10,
          value_parser = clap::value_parser!(u32).range(1..))]
    sessions_per_minute: u32,
    /// Joins from one client address per minute.
    #[arg(long, env = "HEISESSIE_JOINS_PER_MINUTE_PER_ADDRESS", default_value_t = 60,
          value_parser = clap::value_parser!(u32).range(1..))]
    joins_per_minute_per_address: u32,
    /// Joins through one session's participant link per minute (the facilitator link is exempt).
    #[arg(long, env = "HEISESSIE_JOINS_PER_MINUTE_PER_SESSION", default_value_t = 60,
          value_parser = clap::value_parser!(u32).range(1..))]
    joins_per_minute_per_session: u32,
    /// Ops one participant may send per second, across all their connections.
    #[arg(long, env = "HEISESSIE_OPS_PER_SECOND_PER_PARTICIPANT", default_value_t = 40,
          value_parser = clap::value_parser!(u32).range(1..))]
    ops_per_second_per_participant: u32,
    /// Presence updates a connection forwards per second (the rest are coalesced).
    #[arg(long, env = "HEISESSIE_PRESENCE_PER_SECOND", default_value_t = 5,
          value_parser = clap::value_parser!(u32).range(1..=1000))]
    presence_per_second: u32,
    /// PDFs typeset at the same time.
    #[arg(long, env = "HEISESSIE_PDF_CONCURRENCY", default_value_t = 2,
          value_parser = clap::value_parser!(u32).range(1..=64))]
    pdf_concurrency: u32,
    /// PDF requests that may wait for their turn; more are told "busy, try again" (503).
    #[arg(long, env = "HEISESSIE_PDF_QUEUE", default_value_t = 8,
          value_parser = clap::value_parser!(u32).range(0..=1000))]
    pdf_queue: u32,
}

impl ServeArgs {
    /// The limits of `docs/reliability.md`, as set on the command line.
    fn limits(&self) -> Limits {
        let seconds = |s: u32| std::time::Duration::from_secs(u64::from(s));
        Limits {
            header_read_timeout: seconds(self.header_timeout),
            idle_timeout: seconds(self.idle_timeout),
            max_open_connections: self.max_open_connections as usize,
            hello_timeout: seconds(self.hello_timeout),
            sessions_per_minute_per_address: self.sessions_per_minute,
            joins_per_minute_per_address: self.joins_per_minute_per_address,
            joins_per_minute_per_session: self.joins_per_minute_per_session,
            ops_per_second_per_participant: self.ops_per_second_per_participant,
            presence_per_second: self.presence_per_second,
            pdf_concurrency: self.pdf_concurrency as usize,
            pdf_queue: self.pdf_queue as usize,
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    Table,
    Json,
    Md,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum LangArg {
    Nl,
    En,
}

#[derive(Debug, clap::Args)]
struct PlanArgs {
    /// A built-in model (heidag, sostac, blank) or the path of a model file (TOML).
    #[arg(long, default_value = "heidag")]
    model: String,
    /// Local start of the first day, e.g. 2026-12-03T09:00 (default: tomorrow at 09:00).
    #[arg(long, value_parser = parse_start)]
    start: Option<NaiveDateTime>,
    /// IANA time zone.
    #[arg(long, default_value = "Europe/Amsterdam", value_parser = parse_tz)]
    tz: Tz,
    /// The longest a day may be, in hours, breaks included (e.g. 5 or 4.5).
    #[arg(long, default_value = "5", value_parser = parse_hours)]
    max_hours: u32,
    /// 1 or 2 days.
    #[arg(long, default_value_t = 1, allow_negative_numbers = true)]
    days: u32,
    /// Time between the two days: 1d, 7d, 2w.
    #[arg(long, default_value = "7d", value_parser = parse_gap)]
    gap: u32,
    /// At most this many minutes of work without a coffee break.
    #[arg(long, default_value_t = PlannerSettings::DEFAULT_MAX_WORK_STRETCH_MINUTES)]
    break_every: u32,
    /// The length of a coffee break in minutes.
    #[arg(long, default_value_t = PlannerSettings::DEFAULT_BREAK_MINUTES)]
    break_minutes: u32,
    #[arg(long, value_enum, default_value = "nl")]
    lang: LangArg,
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
}

fn parse_start(text: &str) -> Result<NaiveDateTime, String> {
    api::parse_start("start", text)
        .map_err(|_| format!("expected a local date and time such as 2026-12-03T09:00, got {text:?}"))
}

fn parse_tz(text: &str) -> Result<Tz, String> {
    text.parse::<Tz>().map_err(|_| format!("{text:?} is not an IANA time zone such as Europe/Amsterdam"))
}

/// Hours as "5", "4.5" or "4,5", to whole minutes.
fn parse_hours(text: &str) -> Result<u32, String> {
    let hours: f64 = text
        .trim()
        .replace(',', ".")
        .parse()
        .map_err(|_| format!("expected a number of hours such as 5 or 4.5, got {text:?}"))?;
    if !(1.0..=12.0).contains(&hours) {
        return Err(format!("a day lasts between 1 and 12 hours, got {text}"));
    }
    Ok((hours * 60.0).round() as u32)
}

/// A gap as "7d", "2w" or a plain number of days.
fn parse_gap(text: &str) -> Result<u32, String> {
    let text = text.trim();
    let (number, factor) = if let Some(days) = text.strip_suffix('d') {
        (days, 1)
    } else if let Some(weeks) = text.strip_suffix('w') {
        (weeks, 7)
    } else {
        (text, 1)
    };
    number
        .parse::<u32>()
        .ok()
        .and_then(|n| n.checked_mul(factor))
        .filter(|days| (1..=60).contains(days))
        .ok_or_else(|| format!("expected a gap of 1 to 60 days such as 1d, 7d or 2w, got {text:?}"))
}

/// Exits with clap's usage error (code 2), naming the flag.
fn usage_error(message: String) -> ! {
    Cli::command().error(ErrorKind::ValueValidation, message).exit()
}

fn load_model(name: &str) -> Model {
    if let Some(model) = catalog::builtin_model(name) {
        return model;
    }
    let path = PathBuf::from(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|error| {
        usage_error(format!(
            "--model: {name:?} is neither a built-in model ({}) nor a readable file: {error}",
            catalog::BUILTIN_IDS.join(", ")
        ))
    });
    model_file::parse_model_file(&text)
        .unwrap_or_else(|error| usage_error(format!("--model: {}: {error}", path.display())))
}

fn flag_of(error: &SettingsError) -> &'static str {
    match error {
        SettingsError::MaxDayMinutes(_) => "--max-hours",
        SettingsError::MaxWorkStretch(_) => "--break-every",
        SettingsError::BreakMinutes(_) => "--break-minutes",
        SettingsError::Days(_) => "--days",
        SettingsError::GapDays(_) => "--gap",
    }
}

fn plan(args: PlanArgs) -> ExitCode {
    let model = load_model(&args.model);
    let start = args.start.unwrap_or_else(|| {
        let tomorrow = Utc::now().with_timezone(&args.tz).date_naive() + Duration::days(1);
        tomorrow.and_hms_opt(9, 0, 0).unwrap_or_default()
    });
    let settings =
        PlannerSettings::new(start, args.tz, args.max_hours, args.break_every, args.break_minutes, args.days, args.gap)
            .unwrap_or_else(|error| usage_error(format!("{}: {error}", flag_of(&error))));
    let parts: Vec<PlanPart> = model
        .parts
        .iter()
        .zip(1..)
        .map(|(part, id)| PlanPart {
            id: planner::PartId(id),
            title: part.title.clone(),
            minutes: part.minutes.minutes(),
            priority: part.priority,
        })
        .collect();
    let lang = match args.lang {
        LangArg::Nl => Lang::Nl,
        LangArg::En => Lang::En,
    };
    let view = agenda_view(&planner::plan(&parts, &settings), lang);
    let output = match args.format {
        Format::Table => agenda_table(&view, lang),
        Format::Md => agenda_markdown(&view, lang),
        Format::Json => match serde_json::to_string_pretty(&view) {
            Ok(json) => json + "\n",
            Err(error) => {
                eprintln!("error: cannot write the agenda as JSON: {error}");
                return ExitCode::FAILURE;
            }
        },
    };
    print!("{output}");
    ExitCode::SUCCESS
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::warn!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::warn!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
    tracing::info!("shutting down: finishing the requests in flight");
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let limits = args.limits();
    let store = SqliteStore::open(&args.data_dir)
        .await
        .with_context(|| format!("cannot open the data folder {}", args.data_dir.display()))?;
    let listener =
        tokio::net::TcpListener::bind(args.addr).await.with_context(|| format!("cannot listen on {}", args.addr))?;
    let local = listener.local_addr()?;
    let public_url = args.public_url.unwrap_or_else(|| format!("http://{local}"));
    tracing::info!(addr = %local, data_dir = %args.data_dir.display(), %public_url, "Heisessie is serving");
    let rooms = RoomConfig {
        max_connections_per_session: args.max_connections_per_session as usize,
        connection_queue_bytes: args.connection_queue_kb as usize * 1024,
        max_strategy_bytes: args.max_strategy_kb as usize * 1024,
        ..RoomConfig::default()
    };
    let live =
        LiveConfig { max_connections_per_address: args.max_connections_per_address as usize, ..LiveConfig::default() };
    let state = AppState::with_config(Arc::new(store.clone()), &public_url, rooms, live).with_limits(limits);
    heisessie_server::serve(listener, state, shutdown_signal()).await?;
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Plan(args) => plan(args),
        Command::Load(args) => load::run(args),
        Command::CheckGoal(args) => check_goal::run(args),
        Command::Export(args) => export::run(args),
        Command::Demo(args) => match tokio::runtime::Builder::new_current_thread().enable_all().build() {
            Ok(runtime) => match runtime.block_on(demo(args)) {
                Ok(()) => ExitCode::SUCCESS,
                Err(error) => {
                    eprintln!("error: {error:#}");
                    ExitCode::FAILURE
                }
            },
            Err(error) => {
                eprintln!("error: cannot start the runtime: {error}");
                ExitCode::FAILURE
            }
        },
        Command::Openapi => {
            println!("{}", api::openapi_json());
            ExitCode::SUCCESS
        }
        Command::Serve(args) => {
            init_logging();
            let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
                Ok(runtime) => runtime,
                Err(error) => {
                    eprintln!("error: cannot start the runtime: {error}");
                    return ExitCode::FAILURE;
                }
            };
            match runtime.block_on(serve(args)) {
                Ok(()) => ExitCode::SUCCESS,
                Err(error) => {
                    tracing::error!("{error:#}");
                    eprintln!("error: {error:#}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}
