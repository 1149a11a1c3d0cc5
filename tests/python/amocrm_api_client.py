"""amoCRM's Python client (`amocrm-api` on PyPI) against the sandbox, through its own URL
building: it always calls https://{subdomain}.amocrm.ru. Inside this process only, that host is
mapped to the test's TLS front on loopback (socket.getaddrinfo), whose per-run CA
REQUESTS_CA_BUNDLE names. Runs the code exchange, the account API, a forced expiry that the
library notices on its own schedule (it reads the access token's `exp`), the refresh, the
rotated refresh token refused, a 401 on a revoked token, and a wrong secret. Prints one JSON
line; tests/api/amocrm-clients.test.mjs asserts on it.

Usage: python3 amocrm_api_client.py SANDBOX_URL FRONT_PORT CLIENT_ID CLIENT_SECRET REDIRECT_URI CODE WRONG_SECRET_CODE
"""
import datetime as real_datetime
import json
import socket
import sys
import time

import requests
from amocrm.v2 import tokens
from amocrm.v2.account import AccountInteraction
from amocrm.v2.exceptions import UnAuthorizedException

SUBDOMAIN = "sandbox-alpha"


def map_provider_to_front(port):
    """`*.amocrm.ru` resolves to the TLS front on loopback, in this process only."""
    resolve = socket.getaddrinfo

    def getaddrinfo(host, service, *args, **kwargs):
        if isinstance(host, str) and host.endswith(".amocrm.ru"):
            return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", ("127.0.0.1", port))]
        return resolve(host, service, *args, **kwargs)

    socket.getaddrinfo = getaddrinfo


class Clock(real_datetime.datetime):
    """The library's clock (`datetime.utcnow()` in amocrm.v2.tokens), moved as the sandbox's is."""
    offset = real_datetime.timedelta(0)

    @classmethod
    def utcnow(cls):
        return real_datetime.datetime.utcnow() + cls.offset


def advance(base, seconds):
    r = requests.post(f"{base}/sandbox/api/clock", json={"advance_seconds": seconds}, timeout=10)
    assert r.status_code == 200, r.status_code
    Clock.offset += real_datetime.timedelta(seconds=seconds)


def main():
    base, port, client_id, secret, redirect, code, other_code = sys.argv[1:8]
    map_provider_to_front(int(port))
    tokens.datetime = Clock
    storage = tokens.MemoryTokensStorage()
    tokens.default_token_manager(client_id=client_id, client_secret=secret, subdomain=SUBDOMAIN,
                                 redirect_url=redirect, storage=storage)
    tokens.default_token_manager.init(code=code)
    first_access, first_refresh = storage.get_access_token(), storage.get_refresh_token()
    # The sandbox's clock may run ahead of the wall clock (earlier tests moved it): the
    # library's starts where the token was issued.
    issued = tokens.jwt.decode(first_access, options={"verify_signature": False})["iat"]
    Clock.offset = real_datetime.timedelta(seconds=issued - time.time())
    account = AccountInteraction().get()

    # A day later the library finds its access token expired by its `exp`, and refreshes first.
    advance(base, 86_401)
    expired_seen = tokens.TokenManager._is_expire(first_access)
    after_expiry = AccountInteraction().get()
    refreshed = storage.get_refresh_token() != first_refresh

    # The refresh token it replaced, presented again: refused, and the family revoked.
    current = (storage.get_access_token(), storage.get_refresh_token())
    storage.save_tokens(current[0], first_refresh)
    try:
        tokens.default_token_manager._get_new_tokens()
        rotated = None
    except EnvironmentError as e:
        rotated = str(e)
    storage.save_tokens(*current)
    # The library does not refresh on a 401: its revoked token's 401 is raised.
    try:
        AccountInteraction().get()
        revoked = None
    except UnAuthorizedException:
        revoked = 401

    wrong = tokens.TokenManager()
    wrong(client_id=client_id, client_secret="not-the-secret", subdomain=SUBDOMAIN, redirect_url=redirect,
          storage=tokens.MemoryTokensStorage())
    try:
        wrong.init(code=other_code)
        wrong_secret = None
    except Exception as e:  # the library raises Exception(hint)
        wrong_secret = str(e)

    print(json.dumps({
        "account": account.get("id"), "account_fields": sorted(account.keys()),
        "expired_seen": expired_seen, "refreshed": refreshed, "after_expiry": after_expiry.get("id"),
        "rotated": rotated, "revoked": revoked, "wrong_secret": wrong_secret,
    }))


if __name__ == "__main__":
    main()
