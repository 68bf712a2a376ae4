//! `heisessie check-goal`: the SMART check of one goal, as JSON.

use std::process::ExitCode;

use chrono::NaiveDate;
use clap::ValueEnum;
use heisessie_domain::Lang;
use heisessie_domain::smart::{Agreement, GoalFields, check_goal};
use heisessie_server::strategy_view::SmartLettersView;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum GoalLang {
    Nl,
    En,
}

#[derive(Debug, clap::Args)]
pub struct CheckGoalArgs {
    /// The language the goal is written in (and the answer is given in).
    #[arg(long, value_enum, default_value = "nl")]
    lang: GoalLang,
    /// The goal, in one sentence.
    text: String,
    /// What is measured, e.g. "omzet".
    #[arg(long)]
    metric: Option<String>,
    /// Where it stands now.
    #[arg(long)]
    baseline: Option<f64>,
    /// Where it should be.
    #[arg(long)]
    target: Option<f64>,
    /// When, as YYYY-MM-DD.
    #[arg(long, value_parser = parse_date)]
    deadline: Option<NaiveDate>,
    /// Who answers for it.
    #[arg(long)]
    owner: Option<String>,
    /// The means or budget.
    #[arg(long)]
    means: Option<String>,
    /// Why (the reason).
    #[arg(long)]
    reason: Option<String>,
}

fn parse_date(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| format!("expected a date as YYYY-MM-DD, got {text:?}"))
}

pub fn run(args: CheckGoalArgs) -> ExitCode {
    let lang = match args.lang {
        GoalLang::Nl => Lang::Nl,
        GoalLang::En => Lang::En,
    };
    let fields = GoalFields {
        metric: args.metric,
        baseline: args.baseline,
        target: args.target,
        deadline: args.deadline,
        owner: args.owner,
        means: args.means,
        reason: args.reason,
    };
    let today = chrono::Local::now().date_naive();
    let check = check_goal(&args.text, lang, &fields, &Agreement::default(), today);
    let letters = SmartLettersView::from(&check);
    match serde_json::to_string(&letters) {
        Ok(json) => println!("{json}"),
        Err(error) => {
            eprintln!("heisessie check-goal: {error}");
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}
