//! Appwrite's HTML error page (app/views/general/error.phtml) in place of the JSON error body.
//!
//! app/controllers/general.php's error handler renders it when the matched route's path does not
//! start with `/v1` (`empty($route) || !str_starts_with($route->getPath(), '/v1')`): every
//! unmatched request, since utopia-php/http's wildcard route has the path `''`, whatever the
//! path asked for; and for the routes with an `error` view label, the OAuth2 routes of
//! account.php. The page holds the error's label, message and `type`; the status, CORS and
//! no-cache headers are those of the JSON answer.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use http::{HeaderValue, StatusCode};

use crate::error::JSON_CONTENT_TYPE;
use crate::state::Shared;

/// The largest JSON error body turned into a page (Appwrite's are a few hundred bytes).
const MAX_ERROR_BODY: usize = 64 * 1024;

/// HTML escaping as PHP's `htmlspecialchars` does it (`View::print`).
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#039;"),
            c => out.push(c),
        }
    }
    out
}

/// The page error.phtml renders for an error of `code` and `kind` (not in development mode).
fn render(project: &str, code: u16, kind: &str, message: &str) -> String {
    // error.phtml's `switch ($type)`: the route-not-found page has its own words.
    let (label, message, size) = match kind {
        "general_route_not_found" => (
            "Page not found".to_owned(),
            "The page you're looking for doesn't exist.",
            "large-error",
        ),
        _ => (format!("Error {code}"), message, "small-error"),
    };
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"UTF-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1.0\">\n\
         <title>{title} - Error</title>\n</head>\n<body>\n<div class=\"main\">\n\
         <div id=\"views-error\" class=\"content {size}\">\n\
         <div class=\"center\"><span class=\"\">{label}</span></div>\n\
         <h1>{message}</h1>\n\
         <div class=\"center\">\n<span class='type'>{kind}</span>\n</div>\n\
         </div>\n</div>\n</body>\n</html>\n",
        title = escape(project),
        label = escape(&label),
        message = escape(message),
        kind = escape(kind),
    )
}

/// A JSON error answer turned into the HTML page, keeping its status and headers; anything else
/// is returned as it is.
async fn to_page(project: &str, response: Response) -> Response {
    let is_json_error = response.status().as_u16() >= 400
        && response.headers().get(CONTENT_TYPE) == Some(&JSON_CONTENT_TYPE);
    if !is_json_error {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_ERROR_BODY).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let error: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
    let text = |key: &str| error.get(key).and_then(|v| v.as_str()).unwrap_or("");
    let page = render(
        project,
        parts.status.as_u16(),
        text("type"),
        text("message"),
    );
    parts.headers.remove(CONTENT_LENGTH);
    parts.headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=UTF-8"),
    );
    Response::from_parts(parts, Body::from(page))
}

/// Middleware for the routes whose errors Appwrite renders as the page.
pub(crate) async fn html_errors(
    State(shared): State<Arc<Shared>>,
    request: Request,
    next: Next,
) -> Response {
    let response = next.run(request).await;
    to_page(&shared.config.project, response).await
}

/// An error as the page, for answers made outside a route (the wildcard route).
pub(crate) async fn page(shared: &Shared, error: crate::error::ApiError) -> Response {
    to_page(&shared.config.project, error.into_response()).await
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn page_holds_type_and_escaped_message() {
        let page = render(
            "demo",
            400,
            "general_argument_invalid",
            "Invalid `x` <param>",
        );
        assert!(page.contains("<span class='type'>general_argument_invalid</span>"));
        assert!(page.contains("<h1>Invalid `x` &lt;param&gt;</h1>"));
        assert!(page.contains("Error 400"));
        let page = render("demo", 404, "general_route_not_found", "Route not found.");
        assert!(page.contains("<h1>The page you&#039;re looking for doesn&#039;t exist.</h1>"));
    }
}
