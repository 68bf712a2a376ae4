//! Models loaded from a TOML model file, so that a facilitator can bring their own
//! backbone (kapstok) to a session without waiting for a release.
//!
//! The format is documented for facilitators in `docs/models.md`; in short:
//!
//! ```toml
//! id = "etail"                      # 1–40 characters of a-z, 0-9, _ and -
//!
//! [name]
//! nl = "E-tail aanvalsplan"
//! en = "E-tail attack plan"
//!
//! [description]                     # required
//! nl = "..."
//! en = "..."
//!
//! [credit]                          # optional: who made the model
//! nl = "..."
//! en = "..."
//!
//! [[parts]]                         # 1 to 30 parts, in the order of the day
//! key = "traffic"                   # unique; same alphabet as id
//! title = { nl = "Traffic", en = "Traffic" }   # 1–120 characters
//! explanation = { nl = "...", en = "..." }     # optional, at most 1000 characters
//! questions = [ { nl = "...", en = "..." }, "same words in both languages" ]  # at most 10
//! minutes = 45                      # 5–240
//! priority = "must"                 # optional: must | should | could (default should)
//! workspace = "board"               # optional: board | end_goals | smart_goals | personas |
//!                                   #   core_message | actions | notes (default board)
//! ```
//!
//! Every text is either a table `{ nl = "...", en = "..." }` or a plain string, which then
//! means the same words in both languages. Unknown fields are errors, so that a misspelt
//! field never silently does nothing.
//!
//! The file structs here are private: the domain types do not derive the file format, so
//! the format can evolve (and stay strict) without touching what other crates code against.

use std::collections::HashMap;
use std::fmt;
use std::ops::Range;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use toml::Spanned;

use crate::language::{Lang, Localized};
use crate::model::{Model, ModelPart, Priority, WorkspaceKind};
use crate::timebox::{MAX_PARTS, Timebox};

/// The longest model id or part key, in characters.
pub const MAX_ID_CHARS: usize = 40;
/// The longest model name, in characters.
pub const MAX_NAME_CHARS: usize = 120;
/// The longest model description, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 1000;
/// The longest credit line, in characters.
pub const MAX_CREDIT_CHARS: usize = 200;
/// The longest part title, in characters.
pub const MAX_TITLE_CHARS: usize = 120;
/// The longest part explanation, in characters.
pub const MAX_EXPLANATION_CHARS: usize = 1000;
/// The most guiding questions a part may have.
pub const MAX_QUESTIONS: usize = 10;
/// The longest guiding question, in characters.
pub const MAX_QUESTION_CHARS: usize = 300;

/// What is wrong with one field of a model: a code with its values, so that the server can
/// say it in the facilitator's language; `Display` gives the English sentence fragment
/// that follows the field, as the command line shows it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModelProblem {
    /// The TOML parser's own words (English): a syntax error or a value of the wrong type.
    #[error("{0}")]
    Syntax(String),
    /// A field the format does not have (often a misspelling); `detail` is the parser's
    /// words, which list the fields it expected.
    #[error("{detail}")]
    UnknownField { name: String, detail: String },
    #[error("is required but missing")]
    Missing,
    #[error("a model file needs at least 1 part; add a [[parts]] table")]
    NoParts,
    #[error("a model has at most {max} parts, got {got}")]
    TooManyParts { max: usize, got: usize },
    #[error("duplicate key {key:?}: parts[{first}] already uses it")]
    DuplicateKey { key: String, first: usize },
    #[error("a part has at most {max} questions, got {got}")]
    TooManyQuestions { max: usize, got: usize },
    #[error("must be between {} and {}, got {got}", Timebox::MIN_MINUTES, Timebox::MAX_MINUTES)]
    MinutesOutOfRange { got: i64 },
    #[error("must be 1 to {max} characters of a-z, 0-9, _ and -, got {got:?}")]
    BadCode { max: usize, got: String },
    #[error("{}must not be empty", in_language(*.lang))]
    Empty { lang: Option<Lang> },
    #[error("{}must be at most {max} characters, got {got}", in_language(*.lang))]
    TooLong { lang: Option<Lang>, max: usize, got: usize },
    #[error("must be one of {choices}, got {got:?}")]
    BadChoice { choices: String, got: String },
}

/// "the nl text " before a problem of one language of a text given in two.
fn in_language(lang: Option<Lang>) -> String {
    lang.map(|lang| format!("the {} text ", lang.code())).unwrap_or_default()
}

impl ModelProblem {
    /// A stable code, the key of the message in the locale files (`model_problem.{code}`).
    pub fn code(&self) -> &'static str {
        match self {
            ModelProblem::Syntax(_) => "syntax",
            ModelProblem::UnknownField { .. } => "unknown_field",
            ModelProblem::Missing => "missing",
            ModelProblem::NoParts => "no_parts",
            ModelProblem::TooManyParts { .. } => "too_many_parts",
            ModelProblem::DuplicateKey { .. } => "duplicate_key",
            ModelProblem::TooManyQuestions { .. } => "too_many_questions",
            ModelProblem::MinutesOutOfRange { .. } => "minutes_out_of_range",
            ModelProblem::BadCode { .. } => "bad_code",
            ModelProblem::Empty { lang: None } => "empty",
            ModelProblem::Empty { lang: Some(_) } => "empty_in",
            ModelProblem::TooLong { lang: None, .. } => "too_long",
            ModelProblem::TooLong { lang: Some(_), .. } => "too_long_in",
            ModelProblem::BadChoice { .. } => "bad_choice",
        }
    }

    /// The values the message names, by placeholder. A language is given by its code
    /// (`nl`, `en`), as the file writes it.
    pub fn args(&self) -> Vec<(&'static str, String)> {
        match self {
            ModelProblem::Syntax(detail) => vec![("detail", detail.clone())],
            ModelProblem::UnknownField { name, detail } => vec![("name", name.clone()), ("detail", detail.clone())],
            ModelProblem::Missing | ModelProblem::NoParts => Vec::new(),
            ModelProblem::TooManyParts { max, got } | ModelProblem::TooManyQuestions { max, got } => {
                vec![("max", max.to_string()), ("got", got.to_string())]
            }
            ModelProblem::DuplicateKey { key, first } => {
                vec![("key", key.clone()), ("first", format!("parts[{first}]"))]
            }
            ModelProblem::MinutesOutOfRange { got } => vec![
                ("min", Timebox::MIN_MINUTES.to_string()),
                ("max", Timebox::MAX_MINUTES.to_string()),
                ("got", got.to_string()),
            ],
            ModelProblem::BadCode { max, got } => vec![("max", max.to_string()), ("got", got.clone())],
            ModelProblem::Empty { lang } => {
                lang.map(|lang| vec![("language", lang.code().to_owned())]).unwrap_or_default()
            }
            ModelProblem::TooLong { lang, max, got } => {
                let mut args = vec![("max", max.to_string()), ("got", got.to_string())];
                args.extend(lang.map(|lang| ("language", lang.code().to_owned())));
                args
            }
            ModelProblem::BadChoice { choices, got } => vec![("choices", choices.clone()), ("got", got.clone())],
        }
    }
}

/// What is wrong with a model, named by the field at fault (`parts[2].minutes`, counted
/// from 0) so that a form or a file error can point at it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct InvalidModel {
    field: String,
    problem: ModelProblem,
}

impl InvalidModel {
    fn new(field: impl Into<String>, problem: ModelProblem) -> Self {
        InvalidModel { field: field.into(), problem }
    }

    /// The path of the field at fault, such as `parts[2].minutes`.
    pub fn field(&self) -> &str {
        &self.field
    }

    /// What is wrong.
    pub fn problem(&self) -> &ModelProblem {
        &self.problem
    }
}

/// A model file that cannot be loaded, with the place in the file where the fault is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", describe(*.line, *.column, .field, .problem))]
pub struct ModelFileError {
    line: usize,
    column: usize,
    field: String,
    problem: ModelProblem,
}

impl ModelFileError {
    fn at(text: &str, offset: usize, field: String, problem: ModelProblem) -> Self {
        let (line, column) = line_and_column(text, offset);
        ModelFileError { line, column, field, problem }
    }

    /// The 1-based line of the file where the fault is.
    pub fn line(&self) -> usize {
        self.line
    }

    /// The 1-based column, in characters, where the fault is.
    pub fn column(&self) -> usize {
        self.column
    }

    /// The path of the field at fault, such as `parts[2].minutes`; empty when the fault
    /// is not inside any field (a syntax error before the first key, say).
    pub fn field(&self) -> &str {
        &self.field
    }

    /// What is wrong, such as `must be between 5 and 240, got 500`.
    pub fn problem(&self) -> &ModelProblem {
        &self.problem
    }
}

fn describe(line: usize, column: usize, field: &str, problem: &ModelProblem) -> String {
    if field.is_empty() {
        format!("line {line}, column {column}: {problem}")
    } else {
        format!("line {line}, column {column}: {field}: {problem}")
    }
}

/// Reads a model from the text of a model file. Pure: the caller reads the file.
///
/// Of several faults, the error names the one that comes first in the file, so that a
/// facilitator fixing a file from the top never meets an error above the last one fixed.
pub fn parse_model_file(text: &str) -> Result<Model, ModelFileError> {
    // Editors on Windows may save a byte order mark; it is not part of the TOML, and
    // leaving it would shift every column on the first line.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let file: FileModel = toml::from_str(text).map_err(|error| toml_error(text, &error))?;
    let mut spans = Spans::default();
    let mut problems = Vec::new();
    let model = file.into_model(&mut spans, &mut problems);
    problems.extend(model_problems(&model));
    match problems.into_iter().min_by_key(|problem| spans.offset_of(&problem.field)) {
        Some(problem) => {
            let offset = spans.offset_of(&problem.field);
            Err(ModelFileError::at(text, offset, problem.field, problem.problem))
        }
        None => Ok(model),
    }
}

/// Checks a model against the rules every model obeys, built in or loaded from a file.
///
/// A model without parts passes: the blank built-in model is one, and a facilitator adds
/// parts in the room. Only a model *file* must bring at least one part, since a file
/// without parts can only be a mistake.
pub fn validate_model(model: &Model) -> Result<(), InvalidModel> {
    match model_problems(model).into_iter().next() {
        Some(problem) => Err(problem),
        None => Ok(()),
    }
}

fn model_problems(model: &Model) -> Vec<InvalidModel> {
    let mut problems = Vec::new();
    check_code(&mut problems, "id", &model.id);
    check_text(&mut problems, "name", &model.name, 1, MAX_NAME_CHARS);
    check_text(&mut problems, "description", &model.description, 1, MAX_DESCRIPTION_CHARS);
    if let Some(credit) = &model.credit {
        check_text(&mut problems, "credit", credit, 1, MAX_CREDIT_CHARS);
    }
    if model.parts.len() > MAX_PARTS {
        problems
            .push(InvalidModel::new("parts", ModelProblem::TooManyParts { max: MAX_PARTS, got: model.parts.len() }));
    }
    let mut first_with_key: HashMap<&str, usize> = HashMap::new();
    for (index, part) in model.parts.iter().enumerate() {
        let at = |field: &str| format!("parts[{index}].{field}");
        check_code(&mut problems, &at("key"), &part.key);
        if let Some(first) = first_with_key.get(part.key.as_str()) {
            problems.push(InvalidModel::new(
                at("key"),
                ModelProblem::DuplicateKey { key: part.key.clone(), first: *first },
            ));
        } else {
            first_with_key.insert(&part.key, index);
        }
        check_text(&mut problems, &at("title"), &part.title, 1, MAX_TITLE_CHARS);
        check_text(&mut problems, &at("explanation"), &part.explanation, 0, MAX_EXPLANATION_CHARS);
        if part.questions.len() > MAX_QUESTIONS {
            problems.push(InvalidModel::new(
                at("questions"),
                ModelProblem::TooManyQuestions { max: MAX_QUESTIONS, got: part.questions.len() },
            ));
        }
        for (number, question) in part.questions.iter().enumerate() {
            let field = format!("parts[{index}].questions[{number}]");
            check_text(&mut problems, &field, question, 1, MAX_QUESTION_CHARS);
        }
    }
    problems
}

/// Ids and keys end up in URLs, CSV columns and file names, hence the small alphabet.
fn check_code(problems: &mut Vec<InvalidModel>, field: &str, code: &str) {
    let length = code.chars().count();
    let alphabet_ok = code.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
    if length == 0 || length > MAX_ID_CHARS || !alphabet_ok {
        problems.push(InvalidModel::new(field, ModelProblem::BadCode { max: MAX_ID_CHARS, got: code.to_owned() }));
    }
}

fn check_text(problems: &mut Vec<InvalidModel>, field: &str, text: &Localized, min: usize, max: usize) {
    // A text given once counts once: naming a language the author never wrote would confuse.
    let languages: &[(Option<Lang>, &str)] = if text.nl == text.en {
        &[(None, text.nl.as_str())]
    } else {
        &[(Some(Lang::Nl), text.nl.as_str()), (Some(Lang::En), text.en.as_str())]
    };
    for &(lang, words) in languages {
        let length = words.trim().chars().count();
        let problem = if length < min {
            ModelProblem::Empty { lang }
        } else if length > max {
            ModelProblem::TooLong { lang, max, got: length }
        } else {
            continue;
        };
        problems.push(InvalidModel::new(field, problem));
        return;
    }
}

/// The byte ranges of the fields of one file, by field path, so that a problem found
/// after parsing can still point at its line.
#[derive(Default)]
struct Spans(HashMap<String, Range<usize>>);

impl Spans {
    fn record(&mut self, field: impl Into<String>, span: Range<usize>) {
        self.0.insert(field.into(), span);
    }

    /// The offset of a field, or of the nearest enclosing field the file spells out
    /// (an optional field left out has no place of its own).
    fn offset_of(&self, field: &str) -> usize {
        let mut path = field;
        loop {
            if let Some(span) = self.0.get(path) {
                return span.start;
            }
            match parent_path(path) {
                Some(parent) => path = parent,
                None => return 0,
            }
        }
    }
}

fn parent_path(path: &str) -> Option<&str> {
    if path.ends_with(']') { path.rfind('[').map(|at| &path[..at]) } else { path.rfind('.').map(|at| &path[..at]) }
}

/// The file as written. Every field that a rule checks is `Spanned`, so that a broken
/// rule can name its line.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileModel {
    id: Spanned<String>,
    name: Spanned<FileText>,
    description: Spanned<FileText>,
    credit: Option<Spanned<FileText>>,
    parts: Option<Spanned<Vec<Spanned<FilePart>>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FilePart {
    key: Spanned<String>,
    title: Spanned<FileText>,
    explanation: Option<Spanned<FileText>>,
    questions: Option<Spanned<Vec<Spanned<FileText>>>>,
    minutes: Spanned<FileMinutes>,
    priority: Option<Spanned<String>>,
    workspace: Option<Spanned<String>>,
}

impl FileModel {
    /// Converts the file into a model, collecting the faults only the file can have (an
    /// unknown priority, no parts at all); the rest is left to `model_problems`.
    fn into_model(self, spans: &mut Spans, problems: &mut Vec<InvalidModel>) -> Model {
        spans.record("id", self.id.span());
        spans.record("name", self.name.span());
        spans.record("description", self.description.span());
        let credit = self.credit.map(|credit| {
            spans.record("credit", credit.span());
            credit.into_inner().into_localized()
        });
        let mut parts = Vec::new();
        if let Some(file_parts) = self.parts {
            spans.record("parts", file_parts.span());
            for (index, part) in file_parts.into_inner().into_iter().enumerate() {
                spans.record(format!("parts[{index}]"), part.span());
                parts.push(part.into_inner().into_part(index, spans, problems));
            }
        }
        if parts.is_empty() {
            problems.push(InvalidModel::new("parts", ModelProblem::NoParts));
        }
        Model {
            id: self.id.into_inner(),
            name: self.name.into_inner().into_localized(),
            description: self.description.into_inner().into_localized(),
            credit,
            parts,
        }
    }
}

impl FilePart {
    fn into_part(self, index: usize, spans: &mut Spans, problems: &mut Vec<InvalidModel>) -> ModelPart {
        let at = |field: &str| format!("parts[{index}].{field}");
        spans.record(at("key"), self.key.span());
        spans.record(at("title"), self.title.span());
        spans.record(at("minutes"), self.minutes.span());
        let explanation = match self.explanation {
            Some(explanation) => {
                spans.record(at("explanation"), explanation.span());
                explanation.into_inner().into_localized()
            }
            None => Localized::same(""),
        };
        let mut questions = Vec::new();
        if let Some(file_questions) = self.questions {
            spans.record(at("questions"), file_questions.span());
            for (number, question) in file_questions.into_inner().into_iter().enumerate() {
                spans.record(format!("parts[{index}].questions[{number}]"), question.span());
                questions.push(question.into_inner().into_localized());
            }
        }
        // An out-of-range timebox is reported here, with the number as written; the part
        // then carries a valid stand-in so the same fault is not reported twice.
        let written_minutes = self.minutes.into_inner().0;
        let minutes = match u32::try_from(written_minutes).ok().and_then(|minutes| Timebox::new(minutes).ok()) {
            Some(minutes) => minutes,
            None => {
                problems
                    .push(InvalidModel::new(at("minutes"), ModelProblem::MinutesOutOfRange { got: written_minutes }));
                Timebox::SHORTEST
            }
        };
        let priority = match self.priority {
            Some(code) => {
                spans.record(at("priority"), code.span());
                Priority::parse(code.get_ref()).unwrap_or_else(|| {
                    problems.push(InvalidModel::new(
                        at("priority"),
                        ModelProblem::BadChoice {
                            choices: "\"must\", \"should\", \"could\"".to_owned(),
                            got: code.get_ref().clone(),
                        },
                    ));
                    Priority::Should
                })
            }
            None => Priority::Should,
        };
        let workspace = match self.workspace {
            Some(code) => {
                spans.record(at("workspace"), code.span());
                WorkspaceKind::parse(code.get_ref()).unwrap_or_else(|| {
                    let known: Vec<String> =
                        WorkspaceKind::ALL.iter().map(|kind| format!("{:?}", kind.code())).collect();
                    problems.push(InvalidModel::new(
                        at("workspace"),
                        ModelProblem::BadChoice { choices: known.join(", "), got: code.get_ref().clone() },
                    ));
                    WorkspaceKind::Board
                })
            }
            None => WorkspaceKind::Board,
        };
        ModelPart {
            key: self.key.into_inner(),
            title: self.title.into_inner().into_localized(),
            explanation,
            questions,
            minutes,
            priority,
            workspace,
        }
    }
}

/// A text as a file may write it: once for both languages, or as `{ nl, en }`.
///
/// Deserialized by hand rather than as an untagged enum, because an untagged enum hides
/// the real fault behind "data did not match any variant"; this way a facilitator reads
/// "missing field `en`" or "unknown field `de`".
enum FileText {
    Same(String),
    Both { nl: String, en: String },
}

impl FileText {
    /// Trims the text, since TOML's multi-line strings bring line breaks at both ends.
    fn into_localized(self) -> Localized {
        match self {
            FileText::Same(text) => Localized::same(text.trim()),
            FileText::Both { nl, en } => Localized::new(nl.trim(), en.trim()),
        }
    }
}

impl<'de> Deserialize<'de> for FileText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(FileTextVisitor)
    }
}

struct FileTextVisitor;

impl<'de> Visitor<'de> for FileTextVisitor {
    type Value = FileText;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a text: a string, or a table with `nl` and `en` strings")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<FileText, E> {
        Ok(FileText::Same(text.to_owned()))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<FileText, A::Error> {
        let mut nl: Option<String> = None;
        let mut en: Option<String> = None;
        while let Some(language) = map.next_key::<String>()? {
            let slot = match language.as_str() {
                "nl" => &mut nl,
                "en" => &mut en,
                other => return Err(de::Error::unknown_field(other, &["nl", "en"])),
            };
            *slot = Some(map.next_value()?);
        }
        match (nl, en) {
            (Some(nl), Some(en)) => Ok(FileText::Both { nl, en }),
            (None, _) => Err(de::Error::missing_field("nl")),
            (_, None) => Err(de::Error::missing_field("en")),
        }
    }
}

/// Minutes as written, wider than `u32` so that "-5" or "500" gets the range message
/// rather than a type error about unsigned integers.
struct FileMinutes(i64);

impl<'de> Deserialize<'de> for FileMinutes {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_i64(FileMinutesVisitor)
    }
}

struct FileMinutesVisitor;

impl Visitor<'_> for FileMinutesVisitor {
    type Value = FileMinutes;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a whole number of minutes, such as 45")
    }

    fn visit_i64<E: de::Error>(self, minutes: i64) -> Result<FileMinutes, E> {
        Ok(FileMinutes(minutes))
    }

    fn visit_u64<E: de::Error>(self, minutes: u64) -> Result<FileMinutes, E> {
        Ok(FileMinutes(i64::try_from(minutes).unwrap_or(i64::MAX)))
    }
}

/// Turns a TOML syntax or type error into a located error. The toml crate knows the byte
/// span but not a field path one can read, so the path is recovered from the text.
fn toml_error(text: &str, error: &toml::de::Error) -> ModelFileError {
    let offset = error.span().map_or(0, |span| span.start);
    let message = error.message().lines().map(str::trim).filter(|line| !line.is_empty());
    let message = message.collect::<Vec<_>>().join("; ");
    if let Some(missing) = missing_field_name(&message) {
        // A missing field is reported on the table that lacks it, so the path is the
        // table's, and the field is added by name.
        let table = field_path_at(text, offset, false);
        let field = if table.is_empty() { missing.to_owned() } else { format!("{table}.{missing}") };
        return ModelFileError::at(text, offset, field, ModelProblem::Missing);
    }
    // A text table reports an unknown language at the table, not at the key, because
    // serde does not hand a visitor the key's place; the key is found in the text instead.
    let unknown = unknown_field_name(&message).map(str::to_owned);
    let offset = unknown.as_deref().and_then(|name| find_key_in_table(text, offset, name)).unwrap_or(offset);
    let problem = match unknown {
        Some(name) => ModelProblem::UnknownField { name, detail: message },
        None => ModelProblem::Syntax(message),
    };
    ModelFileError::at(text, offset, field_path_at(text, offset, true), problem)
}

fn unknown_field_name(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("unknown field `")?;
    rest.split('`').next()
}

/// The offset of `key = ` inside the table that starts at `table_start`: up to the next
/// header for a `[table]`, up to the end of the line for an inline `{ table }`.
fn find_key_in_table(text: &str, table_start: usize, key: &str) -> Option<usize> {
    let rest = text.get(table_start..)?;
    let extent = if rest.starts_with('[') {
        let body_start = rest.find('\n').map_or(rest.len(), |at| at + 1);
        let next_header = rest[body_start..]
            .match_indices('\n')
            .map(|(at, _)| body_start + at + 1)
            .find(|&at| rest[at..].trim_start().starts_with('['));
        &rest[..next_header.unwrap_or(rest.len())]
    } else {
        rest.split('\n').next().unwrap_or(rest)
    };
    extent.match_indices(key).map(|(at, _)| at).find_map(|at| {
        let before = extent[..at].chars().next_back();
        let after = extent[at + key.len()..].trim_start_matches([' ', '\t']);
        let starts_key = before.is_none_or(|c| matches!(c, ' ' | '\t' | '\n' | '{' | ','));
        (starts_key && after.starts_with('=')).then_some(table_start + at)
    })
}

fn missing_field_name(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("missing field `")?;
    rest.split('`').next()
}

/// The 1-based line and column (in characters) of a byte offset.
fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |at| at + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// Where the scanner is inside a value: in an array at some element, or in an inline
/// table at some key.
enum Frame {
    Array(usize),
    Inline(Vec<String>),
}

/// The field path (`parts[2].questions[1].en`) at a byte offset of a TOML text.
///
/// A small scanner rather than a second parser: it only tracks table headers, keys,
/// brackets and strings, which is all a path needs, and it keeps working on text that
/// does not parse. When `take_key_at_offset` is set and the offset is at a key, that key
/// is part of the path (an unknown field is reported at its key); otherwise the path
/// stops at the enclosing table (a missing field is reported at the table that lacks it).
fn field_path_at(text: &str, offset: usize, take_key_at_offset: bool) -> String {
    let bytes = text.as_bytes();
    let mut table: Vec<String> = Vec::new();
    let mut array_tables: HashMap<String, usize> = HashMap::new();
    let mut key: Vec<String> = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut expect_key = true;
    let mut i = 0;
    while i < bytes.len() {
        let reached = i >= offset;
        let byte = bytes[i];
        if expect_key {
            match byte {
                b' ' | b'\t' | b'\r' | b'\n' | b',' => {
                    if reached {
                        break;
                    }
                    i += 1;
                }
                b'#' => {
                    if reached {
                        break;
                    }
                    i = skip_comment(bytes, i);
                }
                b'[' if stack.is_empty() => {
                    let (segments, end) = read_header(text, i, &mut array_tables);
                    table = segments;
                    key.clear();
                    i = end;
                    if reached {
                        break;
                    }
                }
                b'}' if matches!(stack.last(), Some(Frame::Inline(_))) => {
                    if reached {
                        break;
                    }
                    stack.pop();
                    expect_key = false;
                    i += 1;
                }
                _ => {
                    if reached && !take_key_at_offset {
                        break;
                    }
                    let (segments, end) = read_key(text, i);
                    match stack.last_mut() {
                        Some(Frame::Inline(inline_key)) => *inline_key = segments,
                        _ => key = segments,
                    }
                    expect_key = false;
                    i = end;
                    if reached {
                        break;
                    }
                }
            }
            continue;
        }
        if reached {
            break;
        }
        match byte {
            b'"' | b'\'' => {
                i = skip_string(bytes, i);
                continue;
            }
            b'#' => {
                i = skip_comment(bytes, i);
                continue;
            }
            b'\n' if stack.is_empty() => {
                expect_key = true;
                key.clear();
            }
            b'[' => stack.push(Frame::Array(0)),
            b'{' => {
                stack.push(Frame::Inline(Vec::new()));
                expect_key = true;
            }
            b']' | b'}' => {
                stack.pop();
            }
            b',' => match stack.last_mut() {
                Some(Frame::Array(element)) => *element += 1,
                Some(Frame::Inline(inline_key)) => {
                    inline_key.clear();
                    expect_key = true;
                }
                None => {}
            },
            _ => {}
        }
        i += 1;
    }
    let mut path = table;
    path.extend(key);
    for frame in stack {
        match frame {
            Frame::Array(element) => match path.last_mut() {
                Some(last) => last.push_str(&format!("[{element}]")),
                None => path.push(format!("[{element}]")),
            },
            Frame::Inline(inline_key) => path.extend(inline_key),
        }
    }
    path.join(".")
}

/// Reads a `[table]` or `[[array.of.tables]]` header at `start`; returns its path, with
/// the index of each array-of-tables element, and the offset after the header.
fn read_header(text: &str, start: usize, array_tables: &mut HashMap<String, usize>) -> (Vec<String>, usize) {
    let bytes = text.as_bytes();
    let double = bytes.get(start + 1) == Some(&b'[');
    let names_start = start + if double { 2 } else { 1 };
    let mut names_end = names_start;
    while names_end < bytes.len() && !matches!(bytes[names_end], b']' | b'\n') {
        names_end = match bytes[names_end] {
            b'"' | b'\'' => skip_string(bytes, names_end),
            _ => names_end + 1,
        };
    }
    let names_end = names_end.min(bytes.len());
    let mut end = names_end;
    for _ in 0..(if double { 2 } else { 1 }) {
        if bytes.get(end) == Some(&b']') {
            end += 1;
        }
    }
    let names = split_dotted(&text[names_start..names_end]);
    let mut segments: Vec<String> = Vec::new();
    let last = names.len().saturating_sub(1);
    for (position, name) in names.into_iter().enumerate() {
        // Counting per indexed parent path makes a nested array of tables restart its
        // count under each element of its parent, as TOML does.
        let base = if segments.is_empty() { name.clone() } else { format!("{}.{name}", segments.join(".")) };
        if double && position == last {
            let count = array_tables.entry(base).or_insert(0);
            segments.push(format!("{name}[{count}]"));
            *count += 1;
        } else if let Some(count) = array_tables.get(&base) {
            segments.push(format!("{name}[{}]", count.saturating_sub(1)));
        } else {
            segments.push(name);
        }
    }
    (segments, end)
}

/// Reads a (dotted, possibly quoted) key at `start` up to and including its `=`.
fn read_key(text: &str, start: usize) -> (Vec<String>, usize) {
    let bytes = text.as_bytes();
    let mut end = start;
    while end < bytes.len() && !matches!(bytes[end], b'=' | b'\n') {
        end = match bytes[end] {
            b'"' | b'\'' => skip_string(bytes, end),
            _ => end + 1,
        };
    }
    let end = end.min(bytes.len());
    let segments = split_dotted(&text[start..end]);
    let after = if bytes.get(end) == Some(&b'=') { end + 1 } else { end };
    (segments, after)
}

fn split_dotted(key: &str) -> Vec<String> {
    let mut segments = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    for c in key.chars() {
        match (quote, c) {
            (Some(open), c) if c == open => quote = None,
            (Some(_), c) => current.push(c),
            (None, '"' | '\'') => quote = Some(c),
            (None, '.') => segments.push(std::mem::take(&mut current).trim().to_owned()),
            (None, c) => current.push(c),
        }
    }
    segments.push(current.trim().to_owned());
    segments
}

/// Skips a basic, literal or multi-line string starting at `start`; returns the offset
/// after it (or the end of the line for an unterminated one-line string).
fn skip_string(bytes: &[u8], start: usize) -> usize {
    let quote = bytes[start];
    let triple = [quote; 3];
    if bytes[start..].starts_with(&triple) {
        let mut i = start + 3;
        while i < bytes.len() {
            if quote == b'"' && bytes[i] == b'\\' {
                i += 2;
            } else if bytes[i..].starts_with(&triple) {
                i += 3;
                // TOML lets up to two quotes sit right before the closing delimiter.
                let mut extra = 0;
                while extra < 2 && bytes.get(i) == Some(&quote) {
                    i += 1;
                    extra += 1;
                }
                return i;
            } else {
                i += 1;
            }
        }
        return bytes.len();
    }
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if quote == b'"' => i += 2,
            b'\n' => return i,
            byte if byte == quote => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

fn skip_comment(bytes: &[u8], start: usize) -> usize {
    bytes[start..].iter().position(|&byte| byte == b'\n').map_or(bytes.len(), |at| start + at)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ETAIL: &str = include_str!("../../../docs/examples/etail-aanvalsplan.toml");

    /// A small valid file; the bad files below are this one with one thing broken, so
    /// that each case tests exactly one fault.
    const GOOD: &str = r#"id = "test"

[name]
nl = "Testmodel"
en = "Test model"

[description]
nl = "Een model om mee te testen."
en = "A model to test with."

[[parts]]
key = "one"
title = { nl = "Een", en = "One" }
minutes = 30
priority = "must"
workspace = "board"

[[parts]]
key = "two"
title = "Twee"
explanation = { nl = "Uitleg.", en = "Explanation." }
questions = [
  { nl = "Wie?", en = "Who?" },
  "Wat?",
]
minutes = 45
priority = "should"
workspace = "personas"
"#;

    fn broken(from: &str, to: &str) -> String {
        assert!(GOOD.contains(from), "{from:?} is not in the good file");
        GOOD.replacen(from, to, 1)
    }

    #[test]
    fn the_good_file_parses_into_the_model_it_describes() {
        let model = parse_model_file(GOOD).expect("the good file");
        assert_eq!(model.id, "test");
        assert_eq!(model.name, Localized::new("Testmodel", "Test model"));
        assert_eq!(model.credit, None);
        assert_eq!(model.total_minutes(), 75);
        let two = &model.parts[1];
        assert_eq!(two.title, Localized::same("Twee"));
        assert_eq!(two.questions, vec![Localized::new("Wie?", "Who?"), Localized::same("Wat?")]);
        assert_eq!(two.priority, Priority::Should);
        assert_eq!(two.workspace, WorkspaceKind::Personas);
        assert_eq!(model.parts[0].explanation, Localized::same(""));
    }

    #[test]
    fn left_out_optional_fields_get_their_documented_defaults() {
        let text = broken("priority = \"must\"\nworkspace = \"board\"\n", "");
        let model = parse_model_file(&text).expect("a file without priority and workspace");
        assert_eq!(model.parts[0].priority, Priority::Should);
        assert_eq!(model.parts[0].workspace, WorkspaceKind::Board);
    }

    #[test]
    fn the_documented_etail_example_loads() {
        let model = parse_model_file(ETAIL).expect("docs/examples/etail-aanvalsplan.toml");
        assert_eq!(model.id, "etail-aanvalsplan");
        assert!(model.parts.len() >= 5);
        assert_eq!(
            model.total_minutes(),
            270,
            "like the heidag, the example fits the seed's 5-hour day with two coffee breaks"
        );
        let doc = include_str!("../../../docs/models.md");
        assert!(doc.contains(ETAIL), "docs/models.md shows the example file unchanged");
        assert_eq!(validate_model(&model), Ok(()));
    }

    #[test]
    fn bad_files_name_the_field_and_line_at_fault() {
        // (what is broken, the file, the field path, the line, a piece of the problem)
        let long_title = format!("title = \"{}\"", "x".repeat(121));
        let many_questions = format!("questions = [{}]", ["\"Q?\""; 11].join(", "));
        let cases: Vec<(&str, String, &str, usize, &str)> = vec![
            (
                "unknown field",
                broken("minutes = 45", "minutes = 45\ncolour = \"red\""),
                "parts[1].colour",
                27,
                "unknown field `colour`",
            ),
            ("missing title", broken("title = \"Twee\"\n", ""), "parts[1].title", 18, "is required but missing"),
            (
                "minutes 500",
                broken("minutes = 30", "minutes = 500"),
                "parts[0].minutes",
                14,
                "must be between 5 and 240, got 500",
            ),
            (
                "negative minutes",
                broken("minutes = 45", "minutes = -5"),
                "parts[1].minutes",
                26,
                "must be between 5 and 240, got -5",
            ),
            (
                "bad priority",
                broken("priority = \"should\"", "priority = \"maybe\""),
                "parts[1].priority",
                27,
                "must be one of \"must\", \"should\", \"could\", got \"maybe\"",
            ),
            (
                "bad workspace",
                broken("workspace = \"board\"", "workspace = \"whiteboard\""),
                "parts[0].workspace",
                16,
                "got \"whiteboard\"",
            ),
            (
                "duplicate key",
                broken("key = \"two\"", "key = \"one\""),
                "parts[1].key",
                19,
                "duplicate key \"one\": parts[0] already uses it",
            ),
            ("syntax error", broken("minutes = 30", "minutes = 30 30"), "parts[0].minutes", 14, "expected newline"),
            (
                "wrong type",
                broken("minutes = 45", "minutes = \"ten\""),
                "parts[1].minutes",
                26,
                "expected a whole number of minutes",
            ),
            (
                "zero parts",
                GOOD.split("[[parts]]").next().unwrap_or_default().replacen(
                    "id = \"test\"\n",
                    "id = \"test\"\nparts = []\n",
                    1,
                ),
                "parts",
                2,
                "at least 1 part",
            ),
            (
                "unknown language in a text table",
                broken("en = \"Test model\"", "en = \"Test model\"\nde = \"Testmodell\""),
                "name.de",
                6,
                "unknown field `de`, expected `nl` or `en`",
            ),
            (
                "no parts at all",
                GOOD.split("[[parts]]").next().unwrap_or_default().to_owned(),
                "parts",
                1,
                "at least 1 part",
            ),
            ("bad id", broken("id = \"test\"", "id = \"Mijn Model\""), "id", 1, "a-z, 0-9, _ and -"),
            ("missing id", broken("id = \"test\"\n", ""), "id", 1, "is required but missing"),
            (
                "missing English in a text table",
                broken("en = \"Test model\"\n", ""),
                "name.en",
                3,
                "is required but missing",
            ),
            (
                "unknown language in an inline text",
                broken("{ nl = \"Een\", en = \"One\" }", "{ nl = \"Een\", de = \"Eins\" }"),
                "parts[0].title.de",
                13,
                "unknown field `de`",
            ),
            (
                "wrong type inside a question",
                broken("{ nl = \"Wie?\", en = \"Who?\" }", "{ nl = \"Wie?\", en = 5 }"),
                "parts[1].questions[0].en",
                23,
                "expected a string",
            ),
            ("empty title", broken("title = \"Twee\"", "title = \"  \""), "parts[1].title", 20, "must not be empty"),
            ("title too long", broken("title = \"Twee\"", &long_title), "parts[1].title", 20, "at most 120"),
            (
                "too many questions",
                broken("questions = [\n  { nl = \"Wie?\", en = \"Who?\" },\n  \"Wat?\",\n]", &many_questions),
                "parts[1].questions",
                22,
                "at most 10 questions, got 11",
            ),
            ("duplicate table", broken("[description]", "[name]"), "name", 7, "duplicate key"),
        ];
        for (what, text, field, line, problem) in cases {
            let error = parse_model_file(&text).expect_err(what);
            assert_eq!(error.field(), field, "{what}: {error}");
            assert_eq!(error.line(), line, "{what}: {error}");
            assert!(error.problem().to_string().contains(problem), "{what}: {error}");
        }
    }

    #[test]
    fn the_error_reads_line_column_field_problem() {
        let error = parse_model_file(&broken("minutes = 30", "minutes = 500")).expect_err("minutes 500");
        assert_eq!(error.to_string(), "line 14, column 11: parts[0].minutes: must be between 5 and 240, got 500");
        assert_eq!(error.column(), 11);
    }

    #[test]
    fn of_several_faults_the_first_in_the_file_is_reported() {
        let text = broken("minutes = 45", "minutes = 500").replacen("minutes = 30", "minutes = 1", 1);
        let error = parse_model_file(&text).expect_err("two bad timeboxes");
        assert_eq!((error.field(), error.line()), ("parts[0].minutes", 14));
    }

    #[test]
    fn lines_and_columns_count_characters_and_survive_a_byte_order_mark() {
        let text = format!("\u{feff}{}", broken("{ nl = \"Een\", en = \"One\" }", "{ nl = \"Één\", en = 5 }"));
        let error = parse_model_file(&text).expect_err("a number for a text, after accents");
        assert_eq!((error.field(), error.line(), error.column()), ("parts[0].title.en", 13, 28));
    }

    #[test]
    fn validate_model_checks_what_a_form_can_get_wrong() {
        let good = parse_model_file(GOOD).expect("the good file");
        type Change = Box<dyn Fn(&mut Model)>;
        let cases: Vec<(&str, Change, &str)> = vec![
            ("bad key", Box::new(|m| m.parts[0].key = "Één".to_owned()), "parts[0].key"),
            ("empty en title", Box::new(|m| m.parts[0].title.en = String::new()), "parts[0].title"),
            (
                "too many parts",
                Box::new(|m| {
                    let part = m.parts[0].clone();
                    m.parts = (0..31).map(|n| ModelPart { key: format!("p{n}"), ..part.clone() }).collect();
                }),
                "parts",
            ),
            ("long credit", Box::new(|m| m.credit = Some(Localized::same("c".repeat(201)))), "credit"),
        ];
        assert_eq!(validate_model(&good), Ok(()));
        for (what, change, field) in cases {
            let mut model = good.clone();
            change(&mut model);
            let problem = validate_model(&model).expect_err(what);
            assert_eq!(problem.field(), field, "{what}: {problem}");
        }
        let mut no_parts = good;
        no_parts.parts.clear();
        assert_eq!(validate_model(&no_parts), Ok(()), "a model may be empty; only a file may not");
    }

    #[test]
    fn the_scanner_finds_the_path_at_an_offset() {
        let text = "id = \"x\"\n[name]\nnl = \"a # not a comment\"\n[[parts]]\nkey = \"a\"\n[[parts]]\n\
                    title = { nl = \"t\", en = \"u\" }\nquestions = [\"a\", { nl = \"b\", en = \"c\" }]\n\
                    [parts.extra]\n\"quoted.key\" = 1\n";
        let at = |needle: &str| text.find(needle).expect("a needle in the text");
        let cases = [
            (at("id"), true, "id"),
            (at("id"), false, ""),
            (at("\"x\""), true, "id"),
            (at("[name]"), false, "name"),
            (at("\"a #"), true, "name.nl"),
            (at("key"), true, "parts[0].key"),
            (at("\"u\""), true, "parts[1].title.en"),
            (at("{ nl = \"t\""), true, "parts[1].title"),
            (at("\"b\""), true, "parts[1].questions[1].nl"),
            (at("\"a\", {"), true, "parts[1].questions[0]"),
            (at("\"quoted"), true, "parts[1].extra.quoted.key"),
        ];
        for (offset, take_key, expected) in cases {
            assert_eq!(field_path_at(text, offset, take_key), expected, "offset {offset}");
        }
    }
}
