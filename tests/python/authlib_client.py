"""An integrator's Python back end against the sandbox, with Authlib's OAuth 2 client
(requests integration): code exchange with HTTP Basic, the account API, refresh, the rotated
refresh token refused, a wrong secret, a reused code. Prints one JSON line of what happened;
tests/api/oauth-clients.test.mjs asserts on it.

Usage: python3 authlib_client.py SANDBOX_URL CLIENT_ID CLIENT_SECRET REDIRECT_URI
"""
import json
import sys
from urllib.parse import urlencode

import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.integrations.base_client.errors import OAuthError


def allow(base, client_id, state):
    """Answers the sandbox's consent form as an account admin would: the Redirect URI with the code."""
    q = urlencode({"state": state, "mode": "post_message", "origin": "https://integrator.example/page", "client_id": client_id})
    r = requests.post(f"{base}/oauth/decide", data={"q": q, "decision": "allow", "account_id": "31000001"},
                      headers={"Origin": base}, allow_redirects=False, timeout=10)
    assert r.status_code == 303, r.status_code
    return r.headers["location"]


def error_of(call):
    try:
        call()
    except OAuthError as e:
        return e.error
    return None


def main():
    base, client_id, secret, redirect = sys.argv[1:5]
    token_url = f"{base}/oauth2/access_token"
    session = OAuth2Session(client_id, secret, token_endpoint_auth_method="client_secret_basic", redirect_uri=redirect, state="py-1")
    callback = allow(base, client_id, "py-1")
    token = session.fetch_token(token_url, authorization_response=callback)
    account = requests.get(f"{base}/api/v4/account", headers={"Authorization": f"Bearer {token['access_token']}"}, timeout=10)
    refreshed = session.refresh_token(token_url, refresh_token=token["refresh_token"])
    used = requests.get(f"{base}/api/v4/account", headers={"Authorization": f"Bearer {refreshed['access_token']}"}, timeout=10)
    rotated = error_of(lambda: session.refresh_token(token_url, refresh_token=token["refresh_token"]))
    wrong = OAuth2Session(client_id, "not-the-secret", token_endpoint_auth_method="client_secret_basic", redirect_uri=redirect, state="py-2")
    wrong_secret = error_of(lambda: wrong.fetch_token(token_url, authorization_response=allow(base, client_id, "py-2")))
    reused = error_of(lambda: session.fetch_token(token_url, authorization_response=callback))
    print(json.dumps({
        "token_type": token["token_type"], "expires_in": token["expires_in"], "account": account.status_code,
        "refreshed": refreshed["refresh_token"] != token["refresh_token"], "refreshed_account": used.status_code,
        "rotated": rotated, "wrong_secret": wrong_secret, "reused": reused,
    }))


if __name__ == "__main__":
    main()
