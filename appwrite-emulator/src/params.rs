//! Request parameters and Appwrite's validators for them.
//!
//! Appwrite reads a JSON body only when the content type is `application/json`; a body that does
//! not parse, or is not an object, counts as no parameters at all (utopia-php/http
//! `Request::decodePayload`), so a broken body surfaces as `Param "x" is not optional.`.

use std::ops::RangeInclusive;

use appwrite_models::ID;
use appwrite_models::protocol::rules;
use serde_json::{Map, Value};

use crate::error::ApiError;

/// The parameters of one request (JSON body, form body or query string).
#[derive(Debug, Default)]
pub(crate) struct Params(Map<String, Value>);

/// `Parameter must contain …` (utopia-php/database `Key`, used by `CustomId`).
const CUSTOM_ID_DESCRIPTION: &str = "Parameter must contain at most 36 chars. Valid chars are a-z, A-Z, 0-9, period, hyphen, and underscore. Can't start with a special char";
/// utopia-php/database `UID`.
const UID_DESCRIPTION: &str = "UID must contain at most 36 chars. Valid chars are a-z, A-Z, 0-9, and underscore. Can't start with a leading underscore";
const BOOLEAN_DESCRIPTION: &str = "Value must be a valid boolean";
const EMAIL_DESCRIPTION: &str = "Value must be a valid email address";
const PHONE_DESCRIPTION: &str =
    "Phone number must start with a '+' can have a maximum of fifteen digits.";
const PASSWORD_DESCRIPTION: &str = "Password must be between 8 and 256 characters long.";

impl Params {
    /// Parameters from a request body with the given `Content-Type`.
    pub(crate) fn from_body(content_type: Option<&str>, body: &[u8]) -> Self {
        let media = content_type
            .map(|ct| {
                ct.split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase()
            })
            .unwrap_or_default();
        match media.as_str() {
            "application/json" => match serde_json::from_slice(body) {
                Ok(Value::Object(map)) => Self(map),
                _ => Self::default(),
            },
            "application/x-www-form-urlencoded" => Self::from_query(&String::from_utf8_lossy(body)),
            _ => Self::default(),
        }
    }

    /// Parameters from a query string. `key[]=a&key[0]=b` become arrays, as PHP reads them.
    pub(crate) fn from_query(query: &str) -> Self {
        let mut map = Map::new();
        for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
            let value = Value::String(value.into_owned());
            if let Some(open) = key.find('[').filter(|_| key.ends_with(']')) {
                let name = &key[..open];
                let entry = map
                    .entry(name.to_owned())
                    .or_insert_with(|| Value::Array(Vec::new()));
                if let Value::Array(items) = entry {
                    items.push(value);
                } else {
                    *entry = Value::Array(vec![value]);
                }
            } else {
                map.insert(key.into_owned(), value);
            }
        }
        Self(map)
    }

    /// The raw value, `None` when absent or `null` (optional parameters then take their default).
    pub(crate) fn get(&self, name: &str) -> Option<&Value> {
        self.0.get(name).filter(|v| !v.is_null())
    }

    /// Whether the parameter was sent at all, even as `null`.
    pub(crate) fn present(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }

    /// A required string parameter validated by `Text(max)` (at least 1 character).
    pub(crate) fn required_text(&self, name: &str, max: usize) -> Result<&str, ApiError> {
        if !self.present(name) {
            return Err(ApiError::missing_param(name));
        }
        text(name, self.0.get(name), 1, max)
    }

    /// An optional string parameter validated by `Text(max)` when present.
    pub(crate) fn optional_text(&self, name: &str, max: usize) -> Result<Option<&str>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            some => text(name, some, 1, max).map(Some),
        }
    }

    /// A required `CustomId` parameter: `unique()` becomes a new id.
    pub(crate) fn custom_id(&self, name: &str) -> Result<String, ApiError> {
        if !self.present(name) {
            return Err(ApiError::missing_param(name));
        }
        match self.0.get(name) {
            Some(Value::String(id)) => custom_id(name, id),
            _ => Err(ApiError::invalid_param(name, CUSTOM_ID_DESCRIPTION)),
        }
    }

    /// An optional integer parameter validated by `Range(min, max)`.
    pub(crate) fn range(
        &self,
        name: &str,
        default: u64,
        range: &RangeInclusive<u64>,
    ) -> Result<u64, ApiError> {
        let Some(value) = self.get(name) else {
            return Ok(default);
        };
        let number = match value {
            Value::Number(n) => n.as_u64(),
            Value::String(s) => s.trim().parse::<u64>().ok(),
            _ => None,
        };
        number.filter(|n| range.contains(n)).ok_or_else(|| {
            ApiError::invalid_param(
                name,
                &format!(
                    "Value must be a valid range between {} and {}",
                    thousands(*range.start()),
                    thousands(*range.end())
                ),
            )
        })
    }

    /// A boolean parameter (`Boolean(true)`: also `"true"`, `"false"`, `"1"`, `"0"`, 1, 0).
    /// `default` `None` makes it required.
    pub(crate) fn boolean(&self, name: &str, default: Option<bool>) -> Result<bool, ApiError> {
        match (self.get(name), default) {
            (None, Some(default)) => Ok(default),
            (None, None) if !self.present(name) => Err(ApiError::missing_param(name)),
            (None, None) => Err(ApiError::invalid_param(name, BOOLEAN_DESCRIPTION)),
            (Some(value), _) => match value {
                Value::Bool(b) => Ok(*b),
                Value::Number(n) if n.as_u64() == Some(1) => Ok(true),
                Value::Number(n) if n.as_u64() == Some(0) => Ok(false),
                Value::String(s) if s == "true" || s == "1" => Ok(true),
                Value::String(s) if s == "false" || s == "0" => Ok(false),
                _ => Err(ApiError::invalid_param(name, BOOLEAN_DESCRIPTION)),
            },
        }
    }

    /// A required email parameter.
    pub(crate) fn email(&self, name: &str) -> Result<&str, ApiError> {
        if !self.present(name) {
            return Err(ApiError::missing_param(name));
        }
        match self.0.get(name) {
            Some(Value::String(e)) if rules::is_email(e) => Ok(e),
            _ => Err(ApiError::invalid_param(name, EMAIL_DESCRIPTION)),
        }
    }

    /// An optional, nullable email parameter.
    pub(crate) fn optional_email(&self, name: &str) -> Result<Option<&str>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some(_) => self.email(name).map(Some),
        }
    }

    /// A required phone parameter (`+` and up to 15 digits).
    pub(crate) fn phone(&self, name: &str) -> Result<&str, ApiError> {
        if !self.present(name) {
            return Err(ApiError::missing_param(name));
        }
        match self.0.get(name) {
            Some(Value::String(p)) if rules::is_phone(p) => Ok(p),
            _ => Err(ApiError::invalid_param(name, PHONE_DESCRIPTION)),
        }
    }

    /// An optional, nullable phone parameter.
    pub(crate) fn optional_phone(&self, name: &str) -> Result<Option<&str>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some(_) => self.phone(name).map(Some),
        }
    }

    /// An optional password: absent means none, anything given (`""` too) must have 8 to 256
    /// bytes (utopia validates every parameter that was sent; Appwrite's `Password` validator
    /// counts with `strlen`, src/Appwrite/Auth/Validator/Password.php).
    pub(crate) fn optional_password(&self, name: &str) -> Result<Option<&str>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::String(p)) if rules::check_password(p).is_ok() => Ok(Some(p)),
            Some(_) => Err(ApiError::invalid_param(name, PASSWORD_DESCRIPTION)),
        }
    }

    /// An optional URL (`http`, `https` or a custom scheme with a host).
    pub(crate) fn optional_url(&self, name: &str) -> Result<Option<url::Url>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::String(u)) if u.is_empty() => Ok(None),
            Some(Value::String(u)) => url::Url::parse(u)
                .ok()
                .filter(|u| u.host_str().is_some_and(|h| !h.is_empty()))
                .map(Some)
                .ok_or_else(|| ApiError::invalid_param(name, "URL host must be one of: ")),
            Some(_) => Err(ApiError::invalid_param(name, "URL host must be one of: ")),
        }
    }

    /// An array of strings (`queries[]`).
    pub(crate) fn string_array(&self, name: &str) -> Result<Vec<String>, ApiError> {
        match self.get(name) {
            None => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| match v {
                    Value::String(s) => Ok(s.clone()),
                    other => Ok(other.to_string()),
                })
                .collect(),
            Some(Value::String(s)) => Ok(vec![s.clone()]),
            Some(_) => Err(ApiError::invalid_param(name, "Value must be a valid array")),
        }
    }
}

fn text<'a>(
    name: &str,
    value: Option<&'a Value>,
    min: usize,
    max: usize,
) -> Result<&'a str, ApiError> {
    match value {
        Some(Value::String(s)) if (min..=max).contains(&s.chars().count()) => Ok(s),
        _ => Err(ApiError::invalid_param(
            name,
            &format!(
                "Value must be a valid string and at least {min} chars and no longer than {max} chars"
            ),
        )),
    }
}

/// Checks a `CustomId` (`unique()` allowed and replaced by a new id).
pub(crate) fn custom_id(name: &str, id: &str) -> Result<String, ApiError> {
    if id == "unique()" {
        return Ok(ID::unique());
    }
    ID::validate_custom(id)
        .map(|()| id.to_owned())
        .map_err(|_| ApiError::invalid_param(name, CUSTOM_ID_DESCRIPTION))
}

/// Checks a `UID` parameter (same rules as a custom id, `unique()` not allowed).
pub(crate) fn uid<'a>(name: &str, id: &'a str) -> Result<&'a str, ApiError> {
    ID::validate_custom(id)
        .map(|()| id)
        .map_err(|_| invalid_uid(name))
}

/// The error for a value that is not a `UID`.
pub(crate) fn invalid_uid(name: &str) -> ApiError {
    ApiError::invalid_param(name, UID_DESCRIPTION)
}

/// PHP `number_format`: thousands separated by commas.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use appwrite_models::ErrorType;

    fn message(e: &ApiError) -> &str {
        e.message()
    }

    #[test]
    fn bodies_parse_like_appwrite() {
        let p = Params::from_body(Some("application/json; charset=utf-8"), br#"{"a":1}"#);
        assert!(p.get("a").is_some());
        assert!(
            Params::from_body(Some("application/json"), b"{oops")
                .get("a")
                .is_none()
        );
        assert!(
            Params::from_body(Some("application/json"), b"[1]")
                .get("a")
                .is_none()
        );
        assert!(
            Params::from_body(Some("text/plain"), br#"{"a":1}"#)
                .get("a")
                .is_none()
        );
        let form = Params::from_body(Some("application/x-www-form-urlencoded"), b"length=8");
        assert_eq!(form.range("length", 6, &(4..=128)).unwrap(), 8);
    }

    #[test]
    fn query_arrays() {
        let p = Params::from_query("queries%5B%5D=a&queries[1]=b&search=x&total=false");
        assert_eq!(p.string_array("queries").unwrap(), vec!["a", "b"]);
        assert!(!p.boolean("total", Some(true)).unwrap());
        assert_eq!(p.optional_text("search", 256).unwrap(), Some("x"));
    }

    #[test]
    fn validators_and_messages() {
        let p = Params::from_body(
            Some("application/json"),
            br#"{"length":3,"expire":"61","name":"","id":"_bad","ok":"unique()","flag":"yes","n":null}"#,
        );
        let err = p.range("length", 6, &(4..=128)).unwrap_err();
        assert!(
            message(&err)
                .contains("Invalid `length` param: Value must be a valid range between 4 and 128")
        );
        let big = Params::from_body(Some("application/json"), br#"{"big":59}"#);
        let err = big.range("big", 900, &(60..=31_536_000)).unwrap_err();
        assert!(message(&err).contains("between 60 and 31,536,000"));
        assert_eq!(p.range("expire", 900, &(60..=3600)).unwrap(), 61);
        assert_eq!(p.range("n", 900, &(60..=3600)).unwrap(), 900);
        assert!(
            p.optional_text("name", 128).is_err(),
            "empty name is rejected by Text(128)"
        );
        assert_eq!(
            p.custom_id("id").unwrap_err().kind(),
            &ErrorType::GeneralArgumentInvalid
        );
        assert_eq!(p.custom_id("ok").unwrap().len(), 20);
        assert!(
            message(&p.custom_id("missing").unwrap_err())
                .contains(r#"Param "missing" is not optional."#)
        );
        assert!(p.boolean("flag", Some(false)).is_err());
        assert!(p.boolean("absent", None).is_err());
        assert!(uid("userId", "unique()").is_err());
    }

    #[test]
    fn numbers() {
        assert_eq!(thousands(31_536_000), "31,536,000");
        assert_eq!(thousands(128), "128");
        assert_eq!(thousands(3600), "3,600");
    }
}
