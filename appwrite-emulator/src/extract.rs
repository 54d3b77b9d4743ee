//! The axum extractors handlers take: the request context, the signed-in user, the body and the
//! path parameters, each rejecting with an Appwrite error.

use std::sync::Arc;

use appwrite_models::ErrorType;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use http::header;
use http::request::Parts;
use serde::de::DeserializeOwned;

use crate::auth::{AuthUser, Ctx, resolve};
use crate::error::ApiError;
use crate::params::Params;
use crate::state::Shared;

impl FromRequestParts<Arc<Shared>> for Ctx {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, shared: &Arc<Shared>) -> Result<Self, ApiError> {
        resolve(parts, shared)
    }
}

/// A request authorized for the `account` scope, and the user it acts for: what every
/// `/v1/account` handler starts with. `Me` (`GATED` true) also refuses a session that lacks a
/// factor its user's MFA asks for; [`MfaMe`] is for the routes of Appwrite's `mfa` group, which
/// such a session may call (see [`Ctx::authorize_mfa_route`]).
#[derive(Debug)]
pub(crate) struct Me<const GATED: bool = true> {
    pub ctx: Ctx,
    pub user: AuthUser,
}

/// [`Me`] for the routes of Appwrite's `mfa` group.
pub(crate) type MfaMe = Me<false>;

impl<const GATED: bool> FromRequestParts<Arc<Shared>> for Me<GATED> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, shared: &Arc<Shared>) -> Result<Self, ApiError> {
        let ctx = resolve(parts, shared)?;
        if GATED {
            ctx.authorize(&["account"])?;
        } else {
            ctx.authorize_mfa_route(&["account"])?;
        }
        let user = ctx.user()?.clone();
        Ok(Self { ctx, user })
    }
}

/// A request body read up to the configured limit, as parameters.
#[derive(Debug)]
pub(crate) struct Body(pub Params);

impl FromRequest<Arc<Shared>> for Body {
    type Rejection = ApiError;

    async fn from_request(req: Request, shared: &Arc<Shared>) -> Result<Self, ApiError> {
        let limit = shared.config.max_body_bytes;
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let read = axum::body::to_bytes(req.into_body(), limit);
        let bytes = tokio::time::timeout(shared.config.body_timeout, read)
            .await
            .map_err(|_| ApiError::body_timeout(shared.config.body_timeout))?
            .map_err(|_| ApiError::body_too_large(limit))?;
        Ok(Self(Params::from_body(content_type.as_deref(), &bytes)))
    }
}

/// Path parameters whose rejection is an Appwrite error.
#[derive(Debug)]
pub(crate) struct PathParams<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for PathParams<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(t)| Self(t))
            .map_err(|_| ApiError::new(ErrorType::GeneralArgumentInvalid))
    }
}
