//! `GET /openapi.json`: the service described in OpenAPI 3.1, built once
//! at start-up. Every endpoint, request and response schema, and error
//! response is listed; a test checks that each route the server answers
//! appears here.

use bytes::Bytes;
use serde_json::{Value, json};

use super::db::MAX_TODOS_PER_USER;
use super::routes::MAX_FORM_FIELDS;

fn error_ref(description: &str) -> Value {
    json!({
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    })
}

fn ok_ref(description: &str, schema: &str) -> Value {
    json!({
        "description": description,
        "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}}}
    })
}

fn unauthorized() -> Value {
    json!({
        "description": "No token (`Not authenticated`, `WWW-Authenticate: Bearer`), or an invalid, expired or forged token (`Could not validate user.`, `WWW-Authenticate: Bearer error=\"invalid_token\"`, RFC 6750 §3).",
        "headers": {"WWW-Authenticate": {"schema": {"type": "string"}}},
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    })
}

fn method_not_allowed() -> Value {
    json!({
        "description": "Wrong method; `Allow` lists the right ones.",
        "headers": {"Allow": {"schema": {"type": "string"}}},
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    })
}

/// The operations that read or write the database, and so may answer 503
/// when it cannot (`DbError` → `ApiError::Unavailable` in
/// `routes/error.rs`).
const USES_DATABASE: &[&str] = &[
    "register",
    "login",
    "me",
    "listTodos",
    "createTodo",
    "getTodo",
    "updateTodo",
    "deleteTodo",
    "ready",
];

/// The operations that write, and so may answer 507 when the disk is full.
const WRITES: &[&str] = &["register", "createTodo", "updateTodo", "deleteTodo"];

/// 503: the database cannot answer now; for the password operations the
/// hashing threads may be the cause too.
fn unavailable(hashes: bool) -> Value {
    let why = if hashes {
        "The password hashing threads are busy (this request would wait longer than the server's limit), or the database is unreachable, stalled, locked or no longer at its path."
    } else {
        "The database is unreachable, stalled, locked or no longer at its path."
    };
    json!({
        "description": format!("{why} Nothing was changed; retry after `Retry-After` seconds."),
        "headers": {"Retry-After": {"schema": {"type": "integer"}}},
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    })
}

fn todo_body() -> Value {
    json!({
        "required": true,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TodoRequest"}}}
    })
}

fn todo_id() -> Value {
    json!({
        "name": "todo_id", "in": "path", "required": true,
        "schema": {"type": "integer", "minimum": 1, "format": "int64"}
    })
}

/// Adds what every operation may answer: 400 (a missing or repeated `Host`,
/// two `Authorization` fields, an unreadable body: `routes/headers.rs`,
/// `routes/body.rs`); for those with a body 408, 413 and 415; for those
/// that use the database 503, and for those that write 507.
fn with_common_responses(mut doc: Value) -> Value {
    let Some(paths) = doc["paths"].as_object_mut() else {
        return doc;
    };
    for item in paths.values_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for (method, op) in item.iter_mut() {
            if method == "parameters" {
                continue;
            }
            let has_body = op.get("requestBody").is_some();
            let id = op["operationId"].as_str().unwrap_or_default();
            let (uses_db, writes) = (USES_DATABASE.contains(&id), WRITES.contains(&id));
            let hashes = matches!(id, "register" | "login");
            let Some(responses) = op["responses"].as_object_mut() else {
                continue;
            };
            responses.insert(
                "400".into(),
                error_ref("A missing or repeated `Host`, two `Authorization` fields (RFC 9112 §3.2, RFC 9110 §5.3), or a body that could not be read."),
            );
            if uses_db {
                responses.insert("503".into(), unavailable(hashes));
            }
            if writes {
                responses.insert(
                    "507".into(),
                    error_ref("The disk is full: the change was not saved."),
                );
            }
            if has_body {
                responses.insert("408".into(), error_ref("The body did not arrive in time."));
                responses.insert("413".into(), error_ref("Body too large."));
                responses
                    .entry("415")
                    .or_insert_with(|| error_ref("Unsupported Content-Type."));
            }
        }
    }
    doc
}

/// The document, serialized.
pub fn document() -> Bytes {
    let secured = json!([{"OAuth2PasswordBearer": []}]);
    let doc = json!({
        "openapi": "3.1.0",
        "info": {
            "title": "barejwt todo service",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Log in once with the OAuth 2.0 password grant, then call the todo endpoints with `Authorization: Bearer <token>`. Tokens are HS256 JWTs signed and verified by barejwt. Every error body is `{\"detail\": ...}`."
        },
        "paths": {
            "/users": {"post": {
                "summary": "Register a user",
                "operationId": "register",
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CreateUserRequest"}}}},
                "responses": {
                    "201": ok_ref("The new user (never the password hash).", "User"),
                    "409": error_ref("The user name is taken."),
                    "413": error_ref("Body too large."),
                    "415": error_ref("Content-Type is not application/json."),
                    "422": ok_ref("Invalid input; each entry names its field.", "ValidationError"),
                }
            }},
            "/token": {"post": {
                "summary": "Log in (OAuth 2.0 password grant, RFC 6749 §4.3)",
                "operationId": "login",
                "requestBody": {"required": true, "content": {"application/x-www-form-urlencoded": {"schema": {"$ref": "#/components/schemas/TokenRequest"}}}},
                "responses": {
                    "200": {
                        "description": "A bearer token (`Cache-Control: no-store`).",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Token"}}}
                    },
                    "401": {
                        "description": "Unknown user or wrong password: the tutorial's `{\"detail\": \"Could not validate user.\"}` and, for OAuth clients, `\"error\": \"invalid_grant\"` (RFC 6749 §5.2).",
                        "headers": {"WWW-Authenticate": {"schema": {"type": "string", "const": "Bearer"}}},
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TokenError"}}}
                    },
                    "413": error_ref("Body too large."),
                    "415": error_ref("Content-Type is not application/x-www-form-urlencoded."),
                    "422": ok_ref("Missing field, bad grant_type, or a password over 72 bytes.", "ValidationError"),
                }
            }},
            "/users/me": {"get": {
                "summary": "The caller",
                "operationId": "me",
                "security": secured,
                "responses": {"200": ok_ref("The caller.", "User"), "401": unauthorized()}
            }},
            "/todo": {
                "get": {
                    "summary": "The caller's todos, oldest first",
                    "operationId": "listTodos",
                    "security": secured,
                    "responses": {
                        "200": {"description": "The todos.", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/Todo"}}}}},
                        "401": unauthorized()
                    }
                },
                "post": {
                    "summary": "Create a todo",
                    "operationId": "createTodo",
                    "security": secured,
                    "requestBody": todo_body(),
                    "responses": {
                        "201": ok_ref("The new todo.", "Todo"),
                        "401": unauthorized(),
                        "409": error_ref(&format!("The caller already has {MAX_TODOS_PER_USER} todos.")),
                        "413": error_ref("Body too large."),
                        "415": error_ref("Content-Type is not application/json."),
                        "422": ok_ref("Invalid input.", "ValidationError")
                    }
                }
            },
            "/todo/{todo_id}": {
                "parameters": [todo_id()],
                "get": {
                    "summary": "One todo",
                    "operationId": "getTodo",
                    "security": secured,
                    "responses": {
                        "200": ok_ref("The todo.", "Todo"),
                        "401": unauthorized(),
                        "404": error_ref("No such todo of the caller's (another user's todo is 404 too)."),
                        "422": ok_ref("The id is not a positive integer.", "ValidationError")
                    }
                },
                "put": {
                    "summary": "Replace a todo's fields",
                    "operationId": "updateTodo",
                    "security": secured,
                    "requestBody": todo_body(),
                    "responses": {
                        "200": ok_ref("The updated todo.", "Todo"),
                        "401": unauthorized(),
                        "404": error_ref("No such todo of the caller's."),
                        "413": error_ref("Body too large."),
                        "415": error_ref("Content-Type is not application/json."),
                        "422": ok_ref("Invalid input.", "ValidationError")
                    }
                },
                "delete": {
                    "summary": "Delete a todo",
                    "operationId": "deleteTodo",
                    "security": secured,
                    "responses": {
                        "204": {"description": "Deleted."},
                        "401": unauthorized(),
                        "404": error_ref("No such todo of the caller's."),
                        "422": ok_ref("The id is not a positive integer.", "ValidationError")
                    }
                }
            },
            "/openapi.json": {"get": {
                "summary": "This document",
                "operationId": "openapi",
                "responses": {"200": {"description": "OpenAPI 3.1.", "content": {"application/json": {}}}}
            }},
            "/healthz": {"get": {
                "summary": "Liveness",
                "operationId": "health",
                "responses": {"200": {"description": "`{\"status\": \"ok\"}`", "content": {"application/json": {"schema": {"type": "object", "properties": {"status": {"type": "string"}}}}}}}
            }},
            "/readyz": {"get": {
                "summary": "Readiness: the database answers a read and the writer's turn in time",
                "operationId": "ready",
                "responses": {
                    "200": {"description": "`{\"status\": \"ready\"}`", "content": {"application/json": {"schema": {"type": "object", "properties": {"status": {"type": "string"}}}}}}
                }
            }}
        },
        "components": {
            "securitySchemes": {
                "OAuth2PasswordBearer": {
                    "type": "oauth2",
                    "flows": {"password": {"tokenUrl": "/token", "scopes": {}}}
                }
            },
            "responses": {
                "NotFound": error_ref("Unknown path."),
                "MethodNotAllowed": method_not_allowed(),
                "BadRequest": error_ref("The body could not be read."),
                "RequestTimeout": error_ref("The body did not arrive in time."),
                "InternalError": error_ref("Something failed on the server; the log says what.")
            },
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["detail"],
                    "properties": {"detail": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"$ref": "#/components/schemas/FieldError"}}]}}
                },
                "TokenError": {
                    "type": "object",
                    "required": ["detail", "error", "error_description"],
                    "properties": {
                        "detail": {"type": "string", "const": "Could not validate user."},
                        "error": {"type": "string", "const": "invalid_grant"},
                        "error_description": {"type": "string"}
                    }
                },
                "FieldError": {
                    "type": "object",
                    "required": ["loc", "msg", "type"],
                    "properties": {
                        "loc": {"type": "array", "items": {"type": "string"}, "examples": [["body", "title"]]},
                        "msg": {"type": "string"},
                        "type": {"type": "string"}
                    }
                },
                "ValidationError": {
                    "type": "object",
                    "required": ["detail"],
                    "properties": {"detail": {"type": "array", "items": {"$ref": "#/components/schemas/FieldError"}}}
                },
                "CreateUserRequest": {
                    "type": "object",
                    "required": ["username", "password"],
                    "properties": {
                        "username": {"type": "string", "minLength": 3, "maxLength": 32, "pattern": "^[A-Za-z0-9._-]+$"},
                        "password": {"type": "string", "format": "bcrypt-password", "maxLength": 72, "description": "Format `bcrypt-password`: 8 to 72 bytes of UTF-8 (bcrypt reads no more than 72 bytes; a longer password is refused, never cut), no NUL. JSON Schema counts characters, so the byte rule is this format's."},
                        "email": {"type": ["string", "null"], "minLength": 3, "maxLength": 254, "pattern": "@", "description": "3 to 254 characters, one of them `@`."},
                        "first_name": {"type": ["string", "null"], "maxLength": 100},
                        "last_name": {"type": ["string", "null"], "maxLength": 100}
                    }
                },
                "User": {
                    "type": "object",
                    "required": ["id", "username", "email", "first_name", "last_name"],
                    "properties": {
                        "id": {"type": "integer", "format": "int64"},
                        "username": {"type": "string"},
                        "email": {"type": ["string", "null"]},
                        "first_name": {"type": ["string", "null"]},
                        "last_name": {"type": ["string", "null"]}
                    }
                },
                "TokenRequest": {
                    "type": "object",
                    "description": "Other fields are ignored (RFC 6749 §3.2), but each name once (a repeated name is 422) and at most 16 fields.",
                    "required": ["username", "password"],
                    "additionalProperties": {"type": "string"},
                    "maxProperties": MAX_FORM_FIELDS,
                    "properties": {
                        "grant_type": {"type": "string", "const": "password"},
                        "username": {"type": "string", "minLength": 1},
                        "password": {"type": "string", "format": "bcrypt-input", "minLength": 1, "maxLength": 72, "description": "Format `bcrypt-input`: 1 to 72 bytes of UTF-8 (bcrypt's limit)."},
                        "scope": {"type": "string"},
                        "client_id": {"type": "string"},
                        "client_secret": {"type": "string"}
                    }
                },
                "Token": {
                    "type": "object",
                    "required": ["access_token", "token_type", "expires_in"],
                    "properties": {
                        "access_token": {"type": "string", "description": "HS256 JWT with claims sub, id, iat, exp, jti."},
                        "token_type": {"type": "string", "const": "bearer"},
                        "expires_in": {"type": "integer", "description": "Seconds."}
                    }
                },
                "TodoRequest": {
                    "type": "object",
                    "required": ["title", "priority"],
                    "properties": {
                        "title": {"type": "string", "minLength": 3, "maxLength": 100},
                        "description": {"type": "string", "maxLength": 1000, "default": ""},
                        "priority": {"type": "integer", "minimum": 1, "maximum": 5},
                        "complete": {"type": "boolean", "default": false}
                    }
                },
                "Todo": {
                    "type": "object",
                    "required": ["id", "title", "description", "priority", "complete", "owner_id"],
                    "properties": {
                        "id": {"type": "integer", "format": "int64"},
                        "title": {"type": "string"},
                        "description": {"type": "string"},
                        "priority": {"type": "integer", "minimum": 1, "maximum": 5},
                        "complete": {"type": "boolean"},
                        "owner_id": {"type": "integer", "format": "int64"}
                    }
                }
            }
        }
    });
    Bytes::from(serde_json::to_vec(&with_common_responses(doc)).unwrap_or_default())
}
