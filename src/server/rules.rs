//! The entity rules over HTTP: `GET /api/entities/rules` lists them, and `POST
//! /api/entities/rules/{alias,retype,block,remove}` with a JSON body edits them (the same edits as
//! `newsdex entities ...`, answered with the rules after the change).
//!
//! Reading needs what every other route needs; editing changes what every user of the index sees,
//! so it needs an edit or admin key, or, for callers without one, [`Edits`]: open on a loopback
//! address, refused elsewhere unless the server was given a token, which each edit must then carry
//! as `Authorization: Bearer TOKEN` (see [`super::access`], which applies both). Edits take
//! JSON only, so a page of another site cannot send one from the user's browser without a CORS
//! preflight (which this server never grants), and a request whose `Origin` is not this server is
//! refused as well.
use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::{HeaderMap, StatusCode, header};
use serde::Deserialize;

use super::api::blocking;
use super::{ApiError, AppState};
use newsdex::entities::EntityKind;
use newsdex::entities::rules::{Edit, EntityRules};
use newsdex::features::rules::{Edited, edit_rules};

/// Who may change the rules through the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edits {
    /// Anyone who can reach the server (it listens on loopback only).
    Open,
    /// Requests with this bearer token.
    Token(String),
    /// Nobody: the server is reachable from elsewhere and has no token.
    Refused,
}

impl Edits {
    /// The guard for a server at `addr`: loopback is open, anything else needs `token`.
    pub fn for_address(addr: &std::net::SocketAddr, token: Option<String>) -> Edits {
        match token.filter(|t| !t.is_empty()) {
            Some(t) => Edits::Token(t),
            None if addr.ip().is_loopback() => Edits::Open,
            None => Edits::Refused,
        }
    }

    pub fn check(&self, headers: &HeaderMap) -> Result<(), ApiError> {
        same_origin(headers)?;
        match self {
            Edits::Open => Ok(()),
            Edits::Refused => Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "editing entity rules is off: the server listens beyond this machine without \
                 --edit-token",
            )),
            Edits::Token(token) => {
                let given = headers
                    .get(header::AUTHORIZATION)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.strip_prefix("Bearer "));
                if given.is_some_and(|g| constant_time_eq(g.as_bytes(), token.as_bytes())) {
                    Ok(())
                } else {
                    Err(ApiError::new(
                        StatusCode::UNAUTHORIZED,
                        "editing entity rules needs the server's edit token (Authorization: Bearer TOKEN)",
                    ))
                }
            }
        }
    }
}

/// A browser names the page that sent a request; an edit must come from this server's own page.
pub(super) fn same_origin(headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return Ok(());
    };
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let origin_host = origin.split_once("://").map(|(_, rest)| rest);
    if host.is_some() && origin_host == host {
        return Ok(());
    }
    Err(ApiError::new(
        StatusCode::FORBIDDEN,
        "entity rules are edited only from this server's own page",
    ))
}

/// Comparing tokens without stopping at the first difference, so timing tells nothing.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// `POST .../alias`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AliasBody {
    pub from: String,
    pub to: String,
    #[serde(default)]
    pub kind: Option<EntityKind>,
}

/// `POST .../retype`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetypeBody {
    pub name: String,
    pub to: EntityKind,
    #[serde(default)]
    pub kind: Option<EntityKind>,
}

/// `POST .../block` and `.../remove`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NameBody {
    pub name: String,
    #[serde(default)]
    pub kind: Option<EntityKind>,
}

pub async fn list(State(state): State<AppState>) -> Result<Json<EntityRules>, ApiError> {
    let rules = blocking(&state, |shared| {
        shared.engine.entity_rules().map_err(ApiError::from)
    })
    .await?;
    Ok(Json(rules))
}

fn body<T>(body: Result<Json<T>, JsonRejection>, shape: &str) -> Result<T, ApiError> {
    body.map(|Json(b)| b).map_err(|e| {
        ApiError::bad_request(format!("the body must be JSON {shape}: {}", e.body_text()))
    })
}

/// Who may edit was settled by [`super::access::guard`] before the handler ran.
async fn edit(
    state: &AppState,
    _headers: &HeaderMap,
    edit: Edit,
) -> Result<Json<Edited>, ApiError> {
    let edited = blocking(state, move |shared| {
        edit_rules(shared.engine.as_ref(), edit).map_err(ApiError::from)
    })
    .await?;
    Ok(Json(edited))
}

pub async fn alias(
    State(state): State<AppState>,
    headers: HeaderMap,
    b: Result<Json<AliasBody>, JsonRejection>,
) -> Result<Json<Edited>, ApiError> {
    let b = body(b, r#"{"from": "...", "to": "...", "kind": "person"}"#)?;
    let e = Edit::AddAlias {
        from: b.from,
        to: b.to,
        kind: b.kind,
    };
    edit(&state, &headers, e).await
}

pub async fn retype(
    State(state): State<AppState>,
    headers: HeaderMap,
    b: Result<Json<RetypeBody>, JsonRejection>,
) -> Result<Json<Edited>, ApiError> {
    let b = body(b, r#"{"name": "...", "to": "place", "kind": "person"}"#)?;
    let e = Edit::Retype {
        name: b.name,
        to: b.to,
        kind: b.kind,
    };
    edit(&state, &headers, e).await
}

pub async fn block(
    State(state): State<AppState>,
    headers: HeaderMap,
    b: Result<Json<NameBody>, JsonRejection>,
) -> Result<Json<Edited>, ApiError> {
    let b = body(b, r#"{"name": "...", "kind": "org"}"#)?;
    let (name, kind) = (b.name, b.kind);
    edit(&state, &headers, Edit::Block { name, kind }).await
}

pub async fn remove(
    State(state): State<AppState>,
    headers: HeaderMap,
    b: Result<Json<NameBody>, JsonRejection>,
) -> Result<Json<Edited>, ApiError> {
    let b = body(b, r#"{"name": "...", "kind": "org"}"#)?;
    let (name, kind) = (b.name, b.kind);
    edit(&state, &headers, Edit::Remove { name, kind }).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(k.clone(), v.parse().unwrap());
        }
        h
    }

    #[test]
    fn loopback_is_open_elsewhere_needs_a_token() {
        let local: std::net::SocketAddr = "127.0.0.1:7700".parse().unwrap();
        let wide: std::net::SocketAddr = "0.0.0.0:7700".parse().unwrap();
        assert_eq!(Edits::for_address(&local, None), Edits::Open);
        assert_eq!(Edits::for_address(&wide, None), Edits::Refused);
        let guarded = Edits::for_address(&wide, Some("s3cret".into()));
        assert!(guarded.check(&HeaderMap::new()).is_err());
        let wrong = headers(&[(header::AUTHORIZATION, "Bearer nope")]);
        assert_eq!(
            guarded.check(&wrong).unwrap_err().status,
            StatusCode::UNAUTHORIZED
        );
        assert!(
            guarded
                .check(&headers(&[(header::AUTHORIZATION, "Bearer s3cret")]))
                .is_ok()
        );
    }

    #[test]
    fn another_sites_page_cannot_edit() {
        let from_elsewhere = headers(&[
            (header::HOST, "127.0.0.1:7700"),
            (header::ORIGIN, "http://evil.example"),
        ]);
        assert_eq!(
            Edits::Open.check(&from_elsewhere).unwrap_err().status,
            StatusCode::FORBIDDEN
        );
        let own = headers(&[
            (header::HOST, "127.0.0.1:7700"),
            (header::ORIGIN, "http://127.0.0.1:7700"),
        ]);
        assert!(Edits::Open.check(&own).is_ok());
    }
}
