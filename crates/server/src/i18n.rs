//! The product's words in Dutch and English, from the same locale files the browser
//! client loads (`web/locales/*.json`), so a message is written once for both. The
//! catalog itself lives in the export crate, which renders the same words into reports;
//! this module adds the server's own renderings of domain errors.

use std::convert::Infallible;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use heisessie_domain::Lang;
use heisessie_domain::model_file::{ModelFileError, ModelProblem};
pub use heisessie_export::locale::{content_plan_error, source, text};

/// Extractor: the language the caller reads, from `?lang=` or else `Accept-Language`
/// (Dutch when neither says), as [`crate::error::request_lang`] decides for error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestLang(pub Lang);

impl<S: Send + Sync> FromRequestParts<S> for RequestLang {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Infallible> {
        Ok(RequestLang(crate::error::request_lang(&parts.headers, parts.uri.query())))
    }
}

/// What is wrong with one field of a model, in `lang` (`model_problem.{code}`).
pub fn model_problem(lang: Lang, problem: &ModelProblem) -> String {
    let args = problem.args();
    let args: Vec<(&str, &str)> = args.iter().map(|(name, value)| (*name, value.as_str())).collect();
    text(lang, &format!("model_problem.{}", problem.code()), &args)
}

/// A model file's error in `lang`: the line, the column, the field when there is one, and
/// what is wrong there.
pub fn model_file_error(lang: Lang, error: &ModelFileError) -> String {
    let detail = model_problem(lang, error.problem());
    let (line, column) = (error.line().to_string(), error.column().to_string());
    let mut args = vec![("line", line.as_str()), ("column", column.as_str()), ("detail", detail.as_str())];
    let key = if error.field().is_empty() {
        "error.invalid_model_file"
    } else {
        args.push(("field", error.field()));
        "error.invalid_model_file_field"
    };
    text(lang, key, &args)
}

#[cfg(test)]
mod tests {
    use heisessie_domain::model_file::parse_model_file;

    use super::*;

    #[test]
    fn a_model_file_error_is_told_wholly_in_the_callers_language() {
        let error = parse_model_file("id = \"x\"\n[name]\nnl = 1").expect_err("a number for a text");
        let dutch = model_file_error(Lang::Nl, &error);
        assert!(dutch.starts_with("Het modelbestand klopt niet op regel 3, kolom 6"), "{dutch}");
        assert!(dutch.contains("‘name.nl’"), "{dutch}");
        assert!(!dutch.contains("invalid type"), "no English in Dutch: {dutch}");
        let english = model_file_error(Lang::En, &error);
        assert!(english.contains("line 3, column 6") && english.contains("invalid type"), "{english}");
    }

    #[test]
    fn every_model_problem_has_a_message_with_its_values_in_both_languages() {
        let problems = [
            ModelProblem::Syntax("expected `=`".to_owned()),
            ModelProblem::UnknownField { name: "minuten".to_owned(), detail: "unknown field `minuten`".to_owned() },
            ModelProblem::Missing,
            ModelProblem::NoParts,
            ModelProblem::TooManyParts { max: 30, got: 31 },
            ModelProblem::DuplicateKey { key: "doelen".to_owned(), first: 2 },
            ModelProblem::TooManyQuestions { max: 10, got: 12 },
            ModelProblem::MinutesOutOfRange { got: 500 },
            ModelProblem::BadCode { max: 40, got: "Één".to_owned() },
            ModelProblem::Empty { lang: None },
            ModelProblem::Empty { lang: Some(Lang::En) },
            ModelProblem::TooLong { lang: None, max: 120, got: 130 },
            ModelProblem::TooLong { lang: Some(Lang::Nl), max: 120, got: 130 },
            ModelProblem::BadChoice { choices: "\"must\", \"should\", \"could\"".to_owned(), got: "moet".to_owned() },
        ];
        for lang in [Lang::Nl, Lang::En] {
            for problem in &problems {
                let message = model_problem(lang, problem);
                assert!(!message.starts_with("model_problem."), "no message for {}", problem.code());
                assert!(!message.contains('{'), "a placeholder left in {message}");
                for (name, value) in problem.args() {
                    // The parser's English words are left out of the Dutch message.
                    if name != "detail" || lang == Lang::En {
                        assert!(message.contains(&value), "{message} does not say {value}");
                    }
                }
            }
        }
    }
}
