"""A minimal OpenID Connect provider on 127.0.0.1 for the login tests: discovery, authorize (it logs in the
user it was given without asking), token (authorization code with PKCE S256, client secret), JWKS and
userinfo; ID tokens are RS256-signed with joserfc. Enough for Streamlit's st.login, nothing more."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

from joserfc import jwt
from joserfc.jwk import RSAKey


class Provider:
    """Serves until stop(); `user` holds the claims of whoever logs in next."""

    def __init__(self, client_id: str = "pilot-tracker", client_secret: str | None = None):
        self.client_id, self.client_secret = client_id, client_secret or secrets.token_urlsafe(24)
        self.key = RSAKey.generate_key(2048, parameters={"kid": "test-key", "use": "sig", "alg": "RS256"})
        self.user = {"sub": "u1", "email": "virkamies@tem.fi", "email_verified": True, "name": "Virkamies"}
        self.codes: dict[str, dict] = {}
        self.log: list[str] = []
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args):  # quiet
                return

            def do_GET(self):  # noqa: N802 - the http.server API
                provider.log.append(f"GET {self.path.split('?')[0]}")
                url = urlparse(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                if url.path == "/.well-known/openid-configuration":
                    return self._json(provider.discovery())
                if url.path == "/jwks":
                    return self._json({"keys": [provider.key.as_dict(private=False)]})
                if url.path == "/authorize":
                    return self._redirect(provider.authorize(query))
                if url.path == "/userinfo":
                    return self._json(provider.user)
                self.send_error(404)

            def do_POST(self):  # noqa: N802
                provider.log.append(f"POST {self.path}")
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                form = {k: v[0] for k, v in parse_qs(body).items()}
                status, answer = provider.token(form, self.headers.get("Authorization"))
                self._json(answer, status)

            def _json(self, doc: dict, status: int = 200):
                data = json.dumps(doc).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _redirect(self, location: str):
                self.send_response(302)
                self.send_header("Location", location)
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def metadata_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def discovery(self) -> dict:
        return {
            "issuer": self.issuer, "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token", "jwks_uri": f"{self.issuer}/jwks",
            "userinfo_endpoint": f"{self.issuer}/userinfo", "response_types_supported": ["code"],
            "subject_types_supported": ["public"], "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile"], "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        }

    def authorize(self, query: dict) -> str:
        code = secrets.token_urlsafe(16)
        self.codes[code] = query
        return f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query.get('state', '')})}"

    def token(self, form: dict, authorization: str | None) -> tuple[int, dict]:
        client_id, secret = form.get("client_id"), form.get("client_secret")
        if authorization and authorization.startswith("Basic "):
            client_id, secret = base64.b64decode(authorization[6:]).decode().split(":", 1)
        request = self.codes.pop(form.get("code", ""), None)
        if client_id != self.client_id or secret != self.client_secret or request is None:
            return 400, {"error": "invalid_grant"}
        if request.get("code_challenge"):
            verifier = form.get("code_verifier", "").encode()
            challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=").decode()
            if challenge != request["code_challenge"]:
                return 400, {"error": "invalid_grant", "error_description": "PKCE"}
        now = int(time.time())
        claims = {**self.user, "iss": self.issuer, "aud": self.client_id, "iat": now, "exp": now + 600}
        if request.get("nonce"):
            claims["nonce"] = request["nonce"]
        id_token = jwt.encode({"alg": "RS256", "kid": "test-key"}, claims, self.key)
        return 200, {"access_token": secrets.token_urlsafe(16), "token_type": "Bearer", "expires_in": 600,
                     "id_token": id_token, "scope": request.get("scope", "openid")}

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
