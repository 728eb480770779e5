//! API errors, rendered as `Status` objects with the apiserver's reasons and codes.

use crate::error::ErrorKind;

use crate::store::StoreError;
use serde_json::{Value, json};

#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum ApiError {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    AlreadyExists(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    BadRequest(String),
    #[error("Unauthorized")]
    Unauthorized,
    #[error("the server does not allow this method on the requested resource")]
    MethodNotAllowed,
    #[error("{0}")]
    Gone(String),
    #[error("Too many requests, please try again later.")]
    TooManyRequests,
    #[error("{0}")]
    Internal(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("{0}")]
    NotAcceptable(String),
}

impl ApiError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            ApiError::NotFound(_) => ErrorKind::NotFound,
            ApiError::AlreadyExists(_) => ErrorKind::AlreadyExists,
            ApiError::Conflict(_) => ErrorKind::Conflict,
            ApiError::Invalid(_) => ErrorKind::Invalid,
            ApiError::BadRequest(_) => ErrorKind::BadRequest,
            ApiError::Unauthorized => ErrorKind::Unauthorized,
            ApiError::MethodNotAllowed
            | ApiError::UnsupportedMediaType(_)
            | ApiError::NotAcceptable(_) => ErrorKind::Unsupported,
            ApiError::Gone(_) => ErrorKind::Expired,
            ApiError::TooManyRequests => ErrorKind::Overloaded,
            ApiError::Internal(_) => ErrorKind::Internal,
        }
    }

    pub fn code(&self) -> u16 {
        match self {
            ApiError::NotFound(_) => 404,
            ApiError::AlreadyExists(_) | ApiError::Conflict(_) => 409,
            ApiError::Invalid(_) => 422,
            ApiError::BadRequest(_) => 400,
            ApiError::Unauthorized => 401,
            ApiError::MethodNotAllowed => 405,
            ApiError::Gone(_) => 410,
            ApiError::TooManyRequests => 429,
            ApiError::Internal(_) => 500,
            ApiError::UnsupportedMediaType(_) => 415,
            ApiError::NotAcceptable(_) => 406,
        }
    }

    pub fn reason(&self) -> &'static str {
        match self {
            ApiError::NotFound(_) => "NotFound",
            ApiError::AlreadyExists(_) => "AlreadyExists",
            ApiError::Conflict(_) => "Conflict",
            ApiError::Invalid(_) => "Invalid",
            ApiError::BadRequest(_) => "BadRequest",
            ApiError::Unauthorized => "Unauthorized",
            ApiError::MethodNotAllowed => "MethodNotAllowed",
            ApiError::Gone(_) => "Expired",
            ApiError::TooManyRequests => "TooManyRequests",
            ApiError::Internal(_) => "InternalError",
            ApiError::UnsupportedMediaType(_) => "UnsupportedMediaType",
            ApiError::NotAcceptable(_) => "NotAcceptable",
        }
    }

    /// The `Status` object, with `details` naming the object when known.
    pub fn status(&self, details: Option<(&str, &str)>) -> Value {
        let mut s = json!({
            "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": self.to_string(), "reason": self.reason(), "code": self.code(),
        });
        if let Some((kind, name)) = details {
            s["details"] = json!({"name": name, "kind": kind});
        }
        if matches!(self, ApiError::TooManyRequests) {
            s["details"] = json!({"retryAfterSeconds": 1});
        }
        s
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        let msg = e.to_string();
        match e {
            StoreError::NotFound { .. } => ApiError::NotFound(msg),
            StoreError::AlreadyExists { .. } => ApiError::AlreadyExists(msg),
            StoreError::Conflict { .. } => ApiError::Conflict(msg),
            StoreError::Invalid(_) => ApiError::Invalid(msg),
            StoreError::Expired { .. } => ApiError::Gone(msg),
        }
    }
}

/// The `Status` of a successful delete (when no object is returned).
pub fn success_status(kind: &str, name: &str, uid: &str) -> Value {
    json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
           "details": {"name": name, "kind": kind, "uid": uid}})
}
