"""Custom-token flow through the Python `appwrite` SDK (a server SDK), unmodified.

SSR flow (protocol §9): the API-key client creates user, token and session; the encoded
session from Session.secret then drives a key-less client (account endpoints reject keys).
"""
import base64
import json
import os
import re
import sys
from importlib.metadata import version

from appwrite.client import Client
from appwrite.exception import AppwriteException
from appwrite.id import ID
from appwrite.services.account import Account
from appwrite.services.users import Users

ENDPOINT = os.environ["APPWRITE_ENDPOINT"]
PROJECT = os.environ["APPWRITE_PROJECT_ID"]
KEY = os.environ["APPWRITE_API_KEY"]
CLIENT = f"appwrite (python) {version('appwrite')}"


def describe(e):
    if isinstance(e, AppwriteException) and e.code:
        return f"HTTP {e.code} {e.type or ''}: {e.message} (body: {e.response})"
    return f"{type(e).__name__}: {e}"


def step(name, fn):
    try:
        result = fn()
    except Exception as e:  # any failure ends the run with the server's message
        print(f"{CLIENT}: {name} ... FAILED: {describe(e)}", flush=True)
        sys.exit(1)
    print(f"{CLIENT}: {name} ... ok", flush=True)
    return result


def check(cond, message):
    if not cond:
        raise AssertionError(message)


def expect_401(call):
    try:
        value = call()
    except AppwriteException as e:
        if e.code == 401:
            return e
        raise
    raise AssertionError(f"expected HTTP 401, but the call succeeded: {value}")


admin = Client().set_endpoint(ENDPOINT).set_project(PROJECT).set_key(KEY)
users = Users(admin)


def create_user():
    # The SDK validates responses into pydantic models (attributes are lower-cased: .id, .userid).
    u = users.create(user_id=ID.unique(), name="conformance python")
    check(u.id, "user has no $id")
    return u


user = step("create user", create_user)


def create_token():
    t = users.create_token(user_id=user.id)
    check(t.userid == user.id, f"token.userId {t.userid} != {user.id}")
    check(re.fullmatch(r"[0-9a-f]{6}", t.secret), f"token.secret {t.secret!r} is not 6 lowercase hex chars")
    return t


token = step("create token", create_token)


def create_session():
    # With the key, Session.secret is the encoded session: base64(JSON {id, secret}) (§2).
    s = Account(admin).create_session(user_id=user.id, secret=token.secret)
    check(s.userid == user.id, f"session.userId {s.userid} != {user.id}")
    decoded = json.loads(base64.b64decode(s.secret, validate=True))
    check(decoded.get("id") == user.id and decoded.get("secret"), f"bad encoded session {s.secret!r}")
    return s


session = step("create session (API key)", create_session)

account = Account(Client().set_endpoint(ENDPOINT).set_project(PROJECT).set_session(session.secret))


def get_account():
    me = account.get()
    check(me.id == user.id, f"account.$id {me.id} != {user.id}")


step("get account", get_account)
step("delete session", lambda: account.delete_session(session_id="current"))
step("get account after logout fails with 401", lambda: expect_401(account.get))
