//! The todo endpoints: list, create, read, replace, delete — each scoped
//! to the caller.
//!
//! Every query filters on `owner_id = <the token's id>`, so another user's
//! todo is indistinguishable from one that does not exist: 404 either way,
//! which tells nobody which ids are taken.
//!
//! Fields: `title` 3 to 100 characters (required), `description` up to
//! 1000 characters (default empty), `priority` an integer 1 to 5
//! (required), `complete` a boolean (default `false`). `PUT` replaces all
//! four (the same rules as `POST`) and answers with the updated todo.
//!
//! Left out: paging (a user may keep at most
//! [`MAX_TODOS_PER_USER`](super::db::MAX_TODOS_PER_USER) todos, so the list
//! is bounded), partial updates (`PATCH`), sharing.

use hyper::body::Incoming;
use hyper::{Request, StatusCode};
use serde::Deserialize;
use serde_json::Value;

use super::State;
use super::auth::authenticate;
use super::db::TodoFields;
use super::routes::{
    ApiError, FieldError, Resp, empty, json, json_response, parse_json, read_json, string_field,
};

/// A todo body's fields as given: `None` when absent, `Some(Value::Null)`
/// for an explicit `null`, which no todo field allows (the OpenAPI
/// document's `TodoRequest` has no nullable field), so `null` is a type
/// error, not a default.
#[derive(Deserialize)]
struct TodoIn {
    #[serde(default, deserialize_with = "present")]
    title: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    description: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    priority: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    complete: Option<Value>,
}

/// A field that is there, `null` included.
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

/// Parses and validates a todo body (`POST` and `PUT`), naming every bad
/// field: what the handlers run on the bytes they read.
pub fn parse_todo(body: &[u8]) -> Result<TodoFields, ApiError> {
    fields(parse_json(body)?)
}

/// A JSON number's integer value, if it has one: `1` and `1.0` alike.
///
/// > String values MUST be one of the six primitive types ("null",
/// > "boolean", "object", "array", "number", or "string"), or "integer"
/// > which matches any number with a zero fractional part.
/// > — [JSON Schema Validation §6.1.1]
///
/// So `"priority": 1.0` is a schema-valid `integer` and is accepted as 1,
/// as the OpenAPI document promises; `2.5` is not an integer.
///
/// [JSON Schema Validation §6.1.1]: https://json-schema.org/draft/2020-12/json-schema-validation#section-6.1.1
fn integer(n: &serde_json::Number) -> Option<i64> {
    if let Some(i) = n.as_i64() {
        return Some(i);
    }
    let f = n.as_f64()?;
    // Within ±2^53 every f64 with no fraction is an exact integer.
    (f.fract() == 0.0 && f.abs() <= 9_007_199_254_740_992.0).then_some(f as i64)
}

/// Validates a todo body, naming every bad field.
fn fields(input: TodoIn) -> Result<TodoFields, ApiError> {
    let mut errors = Vec::new();
    let title = string_field(&mut errors, "title", input.title, true, 3..=100);
    let description = string_field(
        &mut errors,
        "description",
        input.description,
        false,
        0..=1000,
    );
    let priority = match input.priority {
        None => {
            errors.push(FieldError::body("priority", "missing", "Field required"));
            None
        }
        Some(Value::Number(n)) => match integer(&n) {
            Some(p @ 1..=5) => Some(p),
            _ => {
                errors.push(FieldError::body(
                    "priority",
                    "int_range",
                    "Priority should be an integer from 1 to 5",
                ));
                None
            }
        },
        Some(_) => {
            errors.push(FieldError::body(
                "priority",
                "int_type",
                "Input should be a valid integer",
            ));
            None
        }
    };
    let complete = match input.complete {
        None => Some(false),
        Some(Value::Bool(b)) => Some(b),
        Some(_) => {
            errors.push(FieldError::body(
                "complete",
                "bool_type",
                "Input should be a valid boolean",
            ));
            None
        }
    };
    match (title, priority, complete) {
        (Some(title), Some(priority), Some(complete)) if errors.is_empty() => Ok(TodoFields {
            title,
            description: description.unwrap_or_default(),
            priority,
            complete,
        }),
        _ => Err(ApiError::Invalid(errors)),
    }
}

/// A validly signed token whose `id` names no user here (a token from
/// another service sharing the secret, or from before the database was
/// replaced): 401, the same as `/users/me` answers. The store checks the
/// user on the connection that runs the query and answers `None`.
const UNKNOWN_USER: ApiError = ApiError::InvalidToken("unknown_user");

/// `GET /todo`: the caller's todos, oldest first. The hot path: verify the
/// token, one primary-key lookup and one indexed query, the JSON written
/// by the store.
pub(crate) async fn list(state: &State, req: Request<Incoming>) -> Result<Resp, ApiError> {
    let owner = authenticate(state, &req)?.id;
    let body = state.db.list_todos_json(owner).await?.ok_or(UNKNOWN_USER)?;
    Ok(json_response(StatusCode::OK, body))
}

/// `POST /todo`: 201 with the new todo.
pub(crate) async fn create(state: &State, req: Request<Incoming>) -> Result<Resp, ApiError> {
    let owner = authenticate(state, &req)?.id;
    let new = fields(read_json(state, req).await?)?;
    let todo = state
        .db
        .insert_todo(owner, new)
        .await?
        .ok_or(UNKNOWN_USER)?
        .ok_or(ApiError::Conflict("Todo limit reached"))?;
    json(StatusCode::CREATED, &todo)
}

/// `GET /todo/{id}`.
pub(crate) async fn get(state: &State, req: Request<Incoming>, id: i64) -> Result<Resp, ApiError> {
    let owner = authenticate(state, &req)?.id;
    match state.db.get_todo(owner, id).await?.ok_or(UNKNOWN_USER)? {
        Some(todo) => json(StatusCode::OK, &todo),
        None => Err(ApiError::NotFound),
    }
}

/// `PUT /todo/{id}`: 200 with the updated todo.
pub(crate) async fn update(
    state: &State,
    req: Request<Incoming>,
    id: i64,
) -> Result<Resp, ApiError> {
    let owner = authenticate(state, &req)?.id;
    let new = fields(read_json(state, req).await?)?;
    let updated = state
        .db
        .update_todo(owner, id, new)
        .await?
        .ok_or(UNKNOWN_USER)?;
    match updated {
        Some(todo) => json(StatusCode::OK, &todo),
        None => Err(ApiError::NotFound),
    }
}

/// `DELETE /todo/{id}`: 204.
pub(crate) async fn delete(
    state: &State,
    req: Request<Incoming>,
    id: i64,
) -> Result<Resp, ApiError> {
    let owner = authenticate(state, &req)?.id;
    let deleted = state.db.delete_todo(owner, id).await?.ok_or(UNKNOWN_USER)?;
    if deleted {
        Ok(empty(StatusCode::NO_CONTENT))
    } else {
        Err(ApiError::NotFound)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(v: Value) -> Result<TodoFields, Vec<FieldError>> {
        fields(serde_json::from_value(v).unwrap()).map_err(|e| match e {
            ApiError::Invalid(errors) => errors,
            other => panic!("{other:?}"),
        })
    }

    #[test]
    fn a_todo_needs_a_title_and_a_priority() {
        let errors = parse(serde_json::json!({})).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.loc[1]).collect();
        assert_eq!(fields, ["title", "priority"]);
    }

    #[test]
    fn field_bounds_are_enforced() {
        let ok = parse(serde_json::json!({"title": "abc", "priority": 5})).unwrap();
        assert_eq!((ok.description.as_str(), ok.complete), ("", false));
        for (bad, field) in [
            (serde_json::json!({"title": "ab", "priority": 1}), "title"),
            (
                serde_json::json!({"title": "x".repeat(101), "priority": 1}),
                "title",
            ),
            (
                serde_json::json!({"title": "abc", "priority": 0}),
                "priority",
            ),
            (
                serde_json::json!({"title": "abc", "priority": 6}),
                "priority",
            ),
            (
                serde_json::json!({"title": "abc", "priority": 2.5}),
                "priority",
            ),
            (
                serde_json::json!({"title": "abc", "priority": 5.000001}),
                "priority",
            ),
            (
                serde_json::json!({"title": "abc", "priority": 1e300}),
                "priority",
            ),
            (
                serde_json::json!({"title": "abc", "priority": "1"}),
                "priority",
            ),
            (
                serde_json::json!({"title": "abc", "priority": 1, "complete": 1}),
                "complete",
            ),
            (
                serde_json::json!({"title": "abc", "priority": 1, "description": "d".repeat(1001)}),
                "description",
            ),
        ] {
            let errors = parse(bad.clone()).unwrap_err();
            assert_eq!(errors.len(), 1, "{bad}");
            assert_eq!(errors[0].loc, ["body", field], "{bad}");
        }
    }

    #[test]
    fn null_is_no_todo_fields_value_not_even_for_the_defaulted_ones() {
        for field in ["title", "description", "priority", "complete"] {
            let mut body = serde_json::json!({"title": "abc", "priority": 1});
            body[field] = Value::Null;
            let errors = parse(body).unwrap_err();
            assert_eq!(errors.len(), 1, "{field}");
            assert_eq!(errors[0].loc, ["body", field]);
            assert_ne!(errors[0].kind, "missing", "{field}");
        }
    }

    #[test]
    fn a_priority_with_a_zero_fraction_is_the_integer_json_schema_says_it_is() {
        for (p, want) in [(serde_json::json!(1.0), 1), (serde_json::json!(5e0), 5)] {
            let ok = parse(serde_json::json!({"title": "abc", "priority": p})).unwrap();
            assert_eq!(ok.priority, want);
        }
    }

    #[test]
    fn titles_count_characters_not_bytes() {
        assert!(parse(serde_json::json!({"title": "é".repeat(100), "priority": 1})).is_ok());
    }
}
