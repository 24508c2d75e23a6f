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
use super::db::{self, TodoFields};
use super::routes::{
    ApiError, FieldError, Resp, empty, json, json_response, parse_json, read_json, string_field,
};

#[derive(Deserialize)]
struct TodoIn {
    title: Option<Value>,
    description: Option<Value>,
    priority: Option<Value>,
    complete: Option<Value>,
}

/// Parses and validates a todo body (`POST` and `PUT`), naming every bad
/// field: what the handlers run on the bytes they read.
pub fn parse_todo(body: &[u8]) -> Result<TodoFields, ApiError> {
    fields(parse_json(body)?)
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
        Some(Value::Number(n)) => match n.as_i64() {
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

/// `GET /todo`: the caller's todos, oldest first. The hot path: verify the
/// token, one indexed query, the JSON written on the database thread.
pub(crate) async fn list(state: &State, req: Request<Incoming>) -> Result<Resp, ApiError> {
    let owner = authenticate(state, &req)?.id;
    let body = state
        .db
        .read(move |c| db::list_todos_json(c, owner))
        .await?;
    Ok(json_response(StatusCode::OK, body))
}

/// `POST /todo`: 201 with the new todo.
pub(crate) async fn create(state: &State, req: Request<Incoming>) -> Result<Resp, ApiError> {
    let owner = authenticate(state, &req)?.id;
    let new = fields(read_json(state, req).await?)?;
    let todo = state
        .db
        .write(move |c| db::insert_todo(c, owner, &new))
        .await?
        .ok_or(ApiError::Conflict("Todo limit reached"))?;
    json(StatusCode::CREATED, &todo)
}

/// `GET /todo/{id}`.
pub(crate) async fn get(state: &State, req: Request<Incoming>, id: i64) -> Result<Resp, ApiError> {
    let owner = authenticate(state, &req)?.id;
    match state.db.read(move |c| db::get_todo(c, owner, id)).await? {
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
    match state
        .db
        .write(move |c| db::update_todo(c, owner, id, &new))
        .await?
    {
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
    if state
        .db
        .write(move |c| db::delete_todo(c, owner, id))
        .await?
    {
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
    fn titles_count_characters_not_bytes() {
        assert!(parse(serde_json::json!({"title": "é".repeat(100), "priority": 1})).is_ok());
    }
}
