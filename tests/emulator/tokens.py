"""JWT minting and checking shared by the Entra ID and OIDC fakes (RS256, one key per emulator).

Expiry is real wall-clock epoch time (what azure-identity, msal and Azurite compare against);
lifetimes are given in simulated seconds and scaled by the emulator's clock.
"""
from __future__ import annotations

import base64
import math
import time
import uuid

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


class TokenError(Exception):
    """A presented token is not acceptable; ``reason`` says why (expired, bad signature, ...)."""

    def __init__(self, reason: str, *, expired: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.expired = expired


class TokenMinter:
    def __init__(self):
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._public_pem = self._key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        self.kid = uuid.uuid4().hex
        # Tokens minted before this epoch are rejected (fault "token expiry" / reset).
        self.not_before_epoch = 0.0

    def mint(self, claims: dict, lifetime_real_seconds: float) -> str:
        now = time.time()
        # exp has 1 s resolution: round up and keep at least 2 s so a token is usable right away.
        body = {"iat": int(now), "nbf": int(now) - 1, "exp": math.ceil(now + max(lifetime_real_seconds, 2)),
                "jti": uuid.uuid4().hex, **claims}
        body["_mint"] = now
        return jwt.encode(body, self._key, algorithm="RS256", headers={"kid": self.kid})

    def check(self, token: str, *, audiences: list[str] | None = None) -> dict:
        try:
            claims = jwt.decode(token, self._public_pem, algorithms=["RS256"],
                                options={"verify_aud": False, "verify_exp": False})
        except jwt.PyJWTError as exc:
            raise TokenError(f"signature or format invalid ({exc})") from None
        if claims.get("_mint", 0) < self.not_before_epoch:
            raise TokenError("token was revoked/expired by the emulator", expired=True)
        if time.time() >= claims.get("exp", 0):
            raise TokenError("token is expired", expired=True)
        if time.time() < claims.get("nbf", 0) - 300:
            raise TokenError("token is not yet valid")
        if audiences is not None:
            aud = claims.get("aud")
            norm = {a.rstrip("/").lower() for a in audiences}
            if not isinstance(aud, str) or aud.rstrip("/").lower() not in norm:
                raise TokenError(f"audience {aud!r} is not accepted")
        return claims

    def jwks(self) -> dict:
        numbers = self._key.public_key().public_numbers()

        def b64(n: int) -> str:
            raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
            return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

        return {"keys": [{"kty": "RSA", "use": "sig", "alg": "RS256", "kid": self.kid,
                          "n": b64(numbers.n), "e": b64(numbers.e)}]}
