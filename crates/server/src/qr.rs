//! QR codes of the participant link, drawn here as SVG: no external service sees the link.

use axum::http::header;
use axum::response::{IntoResponse, Response};
use qrcode::QrCode;
use qrcode::render::svg;
use serde::Deserialize;

use crate::api::ApiJson;
use crate::error::{ApiError, FieldProblem};

pub fn svg_of(text: &str) -> Result<String, ApiError> {
    let code = QrCode::new(text.as_bytes()).map_err(|_| {
        ApiError::field(
            "text",
            FieldProblem::Text(heisessie_domain::text::TextProblem::TooLong { max: 500, got: text.len() }),
        )
    })?;
    Ok(code.render::<svg::Color>().min_dimensions(220, 220).quiet_zone(true).build())
}

/// `data:` URL of the QR code, for an `<img>` under our Content-Security-Policy.
pub fn data_url(text: &str) -> Result<String, ApiError> {
    let svg = svg_of(text)?;
    let mut url = String::from("data:image/svg+xml,");
    for byte in svg.bytes() {
        if byte.is_ascii_alphanumeric() || b" =:/.-_\"'".contains(&byte) {
            url.push(byte as char);
        } else {
            url.push_str(&format!("%{byte:02X}"));
        }
    }
    Ok(url)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QrRequest {
    pub text: String,
}

/// `POST /api/qr`: the QR code of a text (a link) as SVG.
pub async fn qr(ApiJson(request): ApiJson<QrRequest>) -> Result<Response, ApiError> {
    let length = request.text.chars().count();
    if length == 0 || length > 500 {
        return Err(ApiError::field("text", FieldProblem::OutOfRange { min: 1, max: 500, got: length as i64 }));
    }
    Ok(([(header::CONTENT_TYPE, "image/svg+xml")], svg_of(&request.text)?).into_response())
}
