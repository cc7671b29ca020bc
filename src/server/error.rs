//! The API's error responses: one JSON shape, `{"error": "...", "position": N}`, for every failure,
//! and the mapping from the library's [`newsdex::Error`] to HTTP status codes.
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// An error as the client sees it: a status and a message meant for a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
    /// Character position in `q` of a query syntax error.
    pub position: Option<usize>,
}

#[derive(Serialize)]
struct Body<'a> {
    error: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    position: Option<usize>,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            message: message.into(),
            position: None,
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }

    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, message)
    }

    /// Internal failures are logged in full but shown to the client only in outline.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        eprintln!("newsdex: internal error: {detail}");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
    }
}

impl From<newsdex::Error> for ApiError {
    fn from(err: newsdex::Error) -> Self {
        match err {
            newsdex::Error::Usage(message) => ApiError::bad_request(message),
            newsdex::Error::Query {
                position, message, ..
            } => ApiError {
                status: StatusCode::BAD_REQUEST,
                message: format!("query error at position {position}: {message}"),
                position: Some(position),
            },
            // The cluster's address (never a password) and what it said: the client can tell
            // a cluster that is down or degraded from a fault of ours, and retry later.
            err @ newsdex::Error::Engine { .. } => ApiError::unavailable(err.to_string()),
            // A search that stopped at its deadline: the server is not at fault, the query may be
            // too broad for the time allowed.
            err @ newsdex::Error::TooLong => ApiError::unavailable(err.to_string()),
            other => ApiError::internal(other),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Body {
            error: &self.message,
            position: self.position,
        };
        (self.status, Json(body)).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_engine_failure_is_unavailable_and_names_the_cluster() {
        let err = newsdex::Error::Engine {
            url: "http://127.0.0.1:9200/news".into(),
            message: "2 of 4 shards failed".into(),
        };
        let api = ApiError::from(err);
        assert_eq!(api.status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(
            api.message.contains("http://127.0.0.1:9200/news"),
            "{}",
            api.message
        );
        assert!(
            api.message.contains("2 of 4 shards failed"),
            "{}",
            api.message
        );
    }

    #[test]
    fn other_library_failures_stay_internal_and_unexplained() {
        let err = newsdex::Error::Incompatible {
            path: "/srv/index".into(),
            reason: "schema 9".into(),
        };
        let api = ApiError::from(err);
        assert_eq!(api.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(api.message, "internal error");
    }
}
