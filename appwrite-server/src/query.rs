//! Appwrite's list queries, as the JSON strings the server reads.

use std::fmt;

use serde_json::Value;

/// One query for a list request such as [`Users::list`](crate::Users::list), in Appwrite's JSON
/// form (`{"method":"equal","attribute":"email","values":["a@b.c"]}`), sent as a `queries[]`
/// parameter.
///
/// Only the few methods a login backend needs are here; any other query Appwrite supports can be
/// passed to [`ListUsers::query`](crate::requests::ListUsers::query) as its JSON string.
///
/// ```
/// use appwrite_server::Query;
///
/// assert_eq!(
///     Query::equal("email", "a@b.c").as_str(),
///     r#"{"method":"equal","attribute":"email","values":["a@b.c"]}"#
/// );
/// assert_eq!(
///     Query::equal("labels", ["admin", "beta"]).as_str(),
///     r#"{"method":"equal","attribute":"labels","values":["admin","beta"]}"#
/// );
/// assert_eq!(Query::limit(25).as_str(), r#"{"method":"limit","values":[25]}"#);
/// assert_eq!(Query::offset(50).as_str(), r#"{"method":"offset","values":[50]}"#);
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Query(String);

impl Query {
    /// Matches documents whose `attribute` equals `value`, or any of the values when given an
    /// array (`["a", "b"]`, a `Vec`).
    pub fn equal(attribute: &str, value: impl Into<QueryValue>) -> Self {
        Self::build("equal", Some(attribute), value.into().0)
    }

    /// Returns at most `limit` results (Appwrite's default is 25).
    pub fn limit(limit: u32) -> Self {
        Self::build("limit", None, vec![Value::from(limit)])
    }

    /// Skips the first `offset` results.
    pub fn offset(offset: u32) -> Self {
        Self::build("offset", None, vec![Value::from(offset)])
    }

    fn build(method: &str, attribute: Option<&str>, values: Vec<Value>) -> Self {
        // `Value`'s `Display` is its JSON text, escapes included; the fields go in the order
        // Appwrite's own SDKs write them.
        let method = Value::from(method);
        let values = Value::Array(values);
        Self(match attribute {
            Some(attribute) => format!(
                r#"{{"method":{method},"attribute":{},"values":{values}}}"#,
                Value::from(attribute)
            ),
            None => format!(r#"{{"method":{method},"values":{values}}}"#),
        })
    }

    /// The query's JSON text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The query's JSON text, owned.
    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Debug for Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Query").field(&self.0).finish()
    }
}

impl fmt::Display for Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<Query> for String {
    fn from(query: Query) -> Self {
        query.0
    }
}

impl AsRef<str> for Query {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// The value(s) a [`Query::equal`] compares with: a string, number or bool, or an array or `Vec`
/// of them.
#[derive(Clone, Debug, PartialEq)]
pub struct QueryValue(Vec<Value>);

macro_rules! scalar_query_value {
    ($($ty:ty),*) => {$(
        impl From<$ty> for QueryValue {
            fn from(value: $ty) -> Self {
                Self(vec![Value::from(value)])
            }
        }
    )*};
}

scalar_query_value!(&str, String, bool, i32, i64, u32, u64, f64);

impl From<&String> for QueryValue {
    fn from(value: &String) -> Self {
        Self(vec![Value::from(value.as_str())])
    }
}

impl<T: Into<Value>> From<Vec<T>> for QueryValue {
    fn from(values: Vec<T>) -> Self {
        Self(values.into_iter().map(Into::into).collect())
    }
}

impl<T: Into<Value>, const N: usize> From<[T; N]> for QueryValue {
    fn from(values: [T; N]) -> Self {
        Self(values.into_iter().map(Into::into).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_json_escaped() {
        let q = Query::equal("name", "say \"hi\"\n");
        let parsed: Value = serde_json::from_str(q.as_str()).unwrap();
        assert_eq!(parsed["method"], "equal");
        assert_eq!(parsed["attribute"], "name");
        assert_eq!(parsed["values"][0], "say \"hi\"\n");
        assert_eq!(
            Query::equal("status", false).as_str(),
            r#"{"method":"equal","attribute":"status","values":[false]}"#
        );
        assert_eq!(
            Query::equal("email", vec![String::from("a@b.c")]).to_string(),
            r#"{"method":"equal","attribute":"email","values":["a@b.c"]}"#
        );
    }
}
