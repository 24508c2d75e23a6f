"""Real third-party clients against the real server (no browser): the
tutorial's own token minting (python-jose), JWT libraries reading our
tokens (PyJWT, python-jose), and OAuth 2.0 / HTTP clients doing the
password grant (authlib, requests-oauthlib, httpx). Each test is named
for the rule it shows.
"""

import os
from datetime import datetime, timedelta, timezone

import httpx
import jwt as pyjwt
import pytest
from authlib.integrations.requests_client import OAuth2Session as AuthlibSession
from authlib.integrations.base_client.errors import OAuthError
from jose import jwt as jose_jwt
from oauthlib.oauth2 import InvalidGrantError, LegacyApplicationClient
from requests_oauthlib import OAuth2Session as RequestsOAuthSession


def create_access_token(username, user_id, secret, expires_delta):
    """The FastAPI tutorial's own function, as its reader writes it."""
    encode = {"sub": username, "id": user_id}
    expires = datetime.now(timezone.utc) + expires_delta
    encode.update({"exp": expires})
    return jose_jwt.encode(encode, secret, algorithm="HS256")


def test_a_token_from_the_tutorials_create_access_token_works_everywhere(server):
    username, _, user_id = server.create_user()
    token = create_access_token(username, user_id, server.secret, timedelta(minutes=20))
    me = server.request("GET", "/users/me", token=token)
    assert me.status == 200, me
    assert me.json()["username"] == username
    made = server.request("POST", "/todo", json_body={"title": "one login", "priority": 1}, token=token)
    assert made.status == 201, made
    listed = server.request("GET", "/todo", token=token)
    assert [t["title"] for t in listed.json()] == ["one login"]


def test_a_tutorial_token_for_an_id_with_no_user_is_401_not_500(server):
    token = create_access_token("ghost", 987654, server.secret, timedelta(minutes=20))
    for method, path, body in [
        ("GET", "/todo", None),
        ("POST", "/todo", {"title": "boo", "priority": 1}),
        ("GET", "/users/me", None),
    ]:
        r = server.request(method, path, json_body=body, token=token)
        assert r.status == 401, (method, path, r)
        assert r.headers["www-authenticate"] == 'Bearer error="invalid_token"'


def test_an_expired_tutorial_token_is_refused(server):
    username, _, user_id = server.create_user()
    token = create_access_token(username, user_id, server.secret, timedelta(seconds=-1))
    assert server.request("GET", "/todo", token=token).status == 401


def test_pyjwt_and_python_jose_read_the_tokens_we_issue(server):
    username, password, user_id = server.create_user()
    token = server.login(username, password)
    for claims in [
        pyjwt.decode(token, server.secret, algorithms=["HS256"], options={"require": ["exp", "sub"]}),
        jose_jwt.decode(token, server.secret, algorithms=["HS256"]),
    ]:
        assert claims["sub"] == username
        assert claims["id"] == user_id
        assert claims["exp"] > claims["iat"]
        assert claims["jti"]


def test_authlib_fetch_token_logs_in_and_a_wrong_password_raises_invalid_grant(server):
    username, password, _ = server.create_user()
    session = AuthlibSession()
    token = session.fetch_token(server.url + "/token", username=username, password=password)
    assert token["token_type"] == "bearer" and token["access_token"]
    r = session.get(server.url + "/todo")
    assert r.status_code == 200, r.text
    with pytest.raises(OAuthError) as e:
        AuthlibSession().fetch_token(server.url + "/token", username=username, password="wrong password")
    assert e.value.error == "invalid_grant"


def test_requests_oauthlib_legacy_client_logs_in_and_a_wrong_password_raises_invalid_grant(server, monkeypatch):
    # oauthlib refuses plain http unless told: the server is on loopback.
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    username, password, _ = server.create_user()
    session = RequestsOAuthSession(client=LegacyApplicationClient(client_id="tutorial"))
    token = session.fetch_token(server.url + "/token", username=username, password=password, include_client_id=True)
    assert token["access_token"]
    assert session.get(server.url + "/todo").status_code == 200
    failing = RequestsOAuthSession(client=LegacyApplicationClient(client_id="tutorial"))
    with pytest.raises(InvalidGrantError):
        failing.fetch_token(server.url + "/token", username=username, password="wrong password", include_client_id=True)


def test_httpx_does_the_tutorials_calls(server):
    username, password, _ = server.create_user()
    with httpx.Client(base_url=server.url) as client:
        r = client.post("/token", data={"username": username, "password": password})
        assert r.status_code == 200
        assert r.headers["cache-control"] == "no-store"
        headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
        assert client.post("/todo", json={"title": "via httpx", "priority": 1.0}, headers=headers).status_code == 201
        assert client.get("/todo", headers=headers).json()[0]["title"] == "via httpx"
        # Two Authorization fields: refused, so no proxy can disagree with us.
        two = httpx.Headers([("Authorization", headers["Authorization"]), ("Authorization", "Bearer x")])
        assert client.get("/todo", headers=two).status_code == 400
