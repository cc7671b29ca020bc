//! `GET /api/keys`, `POST /api/keys` and `DELETE /api/keys/{name}`: managing access keys through
//! the server, for admin keys only (the guard in [`super::access`] sees to that). A key made here
//! is in the reply and nowhere else; the server's cache is replaced at once, so a revoked key
//! stops working with the next request.
use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};

use super::api::blocking;
use super::{ApiError, AppState};
use newsdex::features::keys;
use newsdex::model::keys::{KeySummary, Role};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateBody {
    pub role: String,
    #[serde(default)]
    pub name: Option<String>,
    /// A date or an RFC 3339 time, as `keys create --expires` takes.
    #[serde(default)]
    pub expires: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Created {
    /// The key itself: shown this once.
    pub key: String,
    pub name: String,
    pub role: Role,
    pub expires: Option<chrono::DateTime<chrono::Utc>>,
}

pub async fn list(State(state): State<AppState>) -> Result<Json<Vec<KeySummary>>, ApiError> {
    let list = blocking(&state, |shared| {
        keys::list(shared.engine.as_ref()).map_err(ApiError::from)
    })
    .await?;
    Ok(Json(list))
}

pub async fn create(
    State(state): State<AppState>,
    body: Result<Json<CreateBody>, JsonRejection>,
) -> Result<Json<Created>, ApiError> {
    let Json(body) = body.map_err(|e| {
        ApiError::bad_request(format!(
            r#"the body must be JSON {{"role": "read", "name": "...", "expires": "2027-01-31"}}: {}"#,
            e.body_text()
        ))
    })?;
    let role = Role::parse(&body.role)?;
    let expires = body
        .expires
        .as_deref()
        .map(|e| keys::parse_expiry(e, chrono::Utc::now()))
        .transpose()?;
    let made = blocking(&state, move |shared| {
        let made = keys::create(shared.engine.as_ref(), role, body.name.as_deref(), expires)?;
        shared.access.reloaded(shared.engine.access_keys()?);
        Ok(made)
    })
    .await?;
    Ok(Json(Created {
        key: made.key,
        name: made.record.name,
        role: made.record.role,
        expires: made.record.expires,
    }))
}

pub async fn revoke(
    State(state): State<AppState>,
    name: Result<Path<String>, PathRejection>,
) -> Result<Json<KeySummary>, ApiError> {
    let Path(name) = name.map_err(|_| ApiError::not_found("no key with that name"))?;
    let gone = blocking(&state, move |shared| {
        let gone = keys::revoke(shared.engine.as_ref(), &name).map_err(|e| match e {
            newsdex::Error::Usage(m) => ApiError::not_found(m),
            other => ApiError::from(other),
        })?;
        shared.access.reloaded(shared.engine.access_keys()?);
        Ok(gone)
    })
    .await?;
    Ok(Json(gone.summary(chrono::Utc::now())))
}
