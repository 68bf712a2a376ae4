//! `heisessie export`: a stored session's report, deck, calendars or CSV, written as files.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::ValueEnum;
use heisessie_server::exports::{self, ExportKind};
use heisessie_store::{SessionId, SqliteStore, Store, StoreError};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    Pdf,
    Html,
    Md,
    Ics,
    Csv,
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// The session's id (from its links: /s/<id>).
    #[arg(value_parser = parse_id)]
    session: SessionId,
    /// What to write: pdf (report and deck), html (report and deck), md (report), ics (calendars), csv.
    #[arg(long, value_enum)]
    format: ExportFormat,
    /// The folder to write into; created when missing.
    #[arg(long)]
    out: PathBuf,
    /// The folder of the SQLite database, as for `serve`.
    #[arg(long, env = "HEISESSIE_DATA_DIR", default_value = "./heisessie-data")]
    data_dir: PathBuf,
    /// The address the board link in the calendars points at, as for `serve`.
    #[arg(long, env = "HEISESSIE_PUBLIC_URL", default_value = "http://127.0.0.1:8080")]
    public_url: String,
}

fn parse_id(text: &str) -> Result<SessionId, String> {
    SessionId::parse_str(text.trim())
        .map_err(|_| format!("{text:?} is not a session id (the part after /s/ in a link)"))
}

fn format_code(format: ExportFormat) -> &'static str {
    match format {
        ExportFormat::Pdf => "pdf",
        ExportFormat::Html => "html",
        ExportFormat::Md => "md",
        ExportFormat::Ics => "ics",
        ExportFormat::Csv => "csv",
    }
}

async fn export(args: ExportArgs) -> anyhow::Result<()> {
    if !args.data_dir.join("heisessie.sqlite3").exists() {
        anyhow::bail!("there is no Heisessie database in {}", args.data_dir.display());
    }
    let store = SqliteStore::open(&args.data_dir).await?;
    let state = match store.load_session(args.session).await {
        Ok((_, state)) => state,
        Err(StoreError::NotFound) => {
            anyhow::bail!("there is no session {} in {}", args.session, args.data_dir.display())
        }
        Err(other) => return Err(other.into()),
    };
    store.close().await;
    std::fs::create_dir_all(&args.out)?;
    let kinds: Vec<ExportKind> = exports::ExportKind::of_format(format_code(args.format)).unwrap_or_default();
    let public_url = args.public_url.trim_end_matches('/');
    for (index, kind) in kinds.iter().enumerate() {
        let name = exports::file_name(args.session, *kind);
        eprint!("[{}/{}] {name} … ", index + 1, kinds.len());
        let started = std::time::Instant::now();
        let bytes = exports::render(*kind, args.session, &state, public_url)
            .map_err(|error| anyhow::anyhow!("{}", error.message(state.details.language)))?;
        let path = args.out.join(&name);
        std::fs::write(&path, &bytes)?;
        eprintln!("{} KB in {} ms", bytes.len().div_ceil(1024), started.elapsed().as_millis());
        println!("{}", path.display());
    }
    Ok(())
}

pub fn run(args: ExportArgs) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(export(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
