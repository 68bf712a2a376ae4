//! The browser client: plain ES modules and CSS from `web/`, embedded in the binary so
//! that nothing is installed or built besides it. No Node, no bundler.

use axum::extract::Path;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;

/// Every file the browser may load: name, content type, content.
const ASSETS: &[(&str, &str, &str)] = &[
    ("app.css", "text/css; charset=utf-8", include_str!("../../../web/app.css")),
    ("dom.js", "text/javascript; charset=utf-8", include_str!("../../../web/dom.js")),
    ("i18n.js", "text/javascript; charset=utf-8", include_str!("../../../web/i18n.js")),
    ("protocol.js", "text/javascript; charset=utf-8", include_str!("../../../web/protocol.js")),
    ("room.js", "text/javascript; charset=utf-8", include_str!("../../../web/room.js")),
    ("room-state.js", "text/javascript; charset=utf-8", include_str!("../../../web/room-state.js")),
    ("board.js", "text/javascript; charset=utf-8", include_str!("../../../web/board.js")),
    ("prepare.js", "text/javascript; charset=utf-8", include_str!("../../../web/prepare.js")),
    ("workspaces.js", "text/javascript; charset=utf-8", include_str!("../../../web/workspaces.js")),
    ("strategy-changes.js", "text/javascript; charset=utf-8", include_str!("../../../web/strategy-changes.js")),
];

pub async fn asset(Path(file): Path<String>) -> Result<Response, ApiError> {
    let (_, content_type, body) = ASSETS.iter().find(|(name, _, _)| *name == file).ok_or(ApiError::RouteNotFound)?;
    // Revalidate each time: the files are small, and a new binary must not meet stale scripts.
    Ok(([(header::CONTENT_TYPE, *content_type), (header::CACHE_CONTROL, "no-cache")], *body).into_response())
}
