"""A software passkey for tests without a browser: a real P-256 key pair that answers allauth's
WebAuthn ceremonies (``creation_options`` to register, ``request_options`` to sign in) the way a
browser and an authenticator would, for a given origin. The server checks these answers with the
same code as in production (fido2's ``Fido2Server``): the challenge, the origin, the RP ID's hash,
the user-verified flag and the signature. The browser tests use Chromium's virtual authenticator
instead."""

from __future__ import annotations

import hashlib
import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from fido2.cose import ES256
from fido2.utils import websafe_decode
from fido2.webauthn import (
    Aaguid,
    AttestationObject,
    AttestedCredentialData,
    AuthenticationExtensionsClientOutputs,
    AuthenticationResponse,
    AuthenticatorAssertionResponse,
    AuthenticatorAttestationResponse,
    AuthenticatorData,
    CollectedClientData,
    RegistrationResponse,
)

FLAG = AuthenticatorData.FLAG


class SoftPasskey:
    def __init__(self, *, resident: bool = True, user_verified: bool = True) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(16)
        self.resident = resident
        self.user_verified = user_verified
        self.user_handle: bytes | None = None
        self.counter = 0

    def _flags(self) -> FLAG:
        return FLAG.UP | FLAG.UV if self.user_verified else FLAG.UP

    def create(self, creation_options: dict, *, origin: str) -> dict:
        """The registration response (as the browser posts it, JSON-ready) to
        ``navigator.credentials.create(creation_options)`` on ``origin``."""
        options = creation_options["publicKey"]
        self.user_handle = websafe_decode(options["user"]["id"])
        client_data = CollectedClientData.create(
            type="webauthn.create", challenge=options["challenge"], origin=origin
        )
        credential = AttestedCredentialData.create(
            Aaguid.NONE, self.credential_id, ES256.from_cryptography_key(self.key.public_key())
        )
        auth_data = AuthenticatorData.create(
            hashlib.sha256(options["rp"]["id"].encode()).digest(),
            self._flags() | FLAG.AT,
            self.counter,
            credential,
        )
        return dict(
            RegistrationResponse(
                raw_id=self.credential_id,
                response=AuthenticatorAttestationResponse(
                    client_data=client_data,
                    attestation_object=AttestationObject.create("none", auth_data, {}),
                ),
                client_extension_results=AuthenticationExtensionsClientOutputs(
                    {"credProps": {"rk": self.resident}}
                ),
            )
        )

    def for_chromium(self, *, rp_id: str = "localhost") -> dict:
        """The credential as Chromium's virtual authenticator takes it (DevTools protocol,
        ``WebAuthn.addCredential``): the private key in PKCS #8, binary fields in base64."""
        from base64 import b64encode

        from cryptography.hazmat.primitives import serialization

        private_key = self.key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        credential = {
            "credentialId": b64encode(self.credential_id).decode(),
            "isResidentCredential": self.resident,
            "rpId": rp_id,
            "privateKey": b64encode(private_key).decode(),
            "signCount": self.counter,
        }
        if self.resident and self.user_handle is not None:
            credential["userHandle"] = b64encode(self.user_handle).decode()
        return credential

    def get(self, request_options: dict, *, origin: str, rp_id: str | None = None) -> dict:
        """The authentication response to ``navigator.credentials.get(request_options)`` on
        ``origin``, signed with the key (``rp_id`` when the options do not name one)."""
        options = request_options["publicKey"]
        rp_id = options.get("rpId") or rp_id
        assert rp_id, "the request options name no RP ID"
        self.counter += 1
        client_data = CollectedClientData.create(
            type="webauthn.get", challenge=options["challenge"], origin=origin
        )
        auth_data = AuthenticatorData.create(
            hashlib.sha256(rp_id.encode()).digest(), self._flags(), self.counter
        )
        signature = self.key.sign(bytes(auth_data) + client_data.hash, ec.ECDSA(hashes.SHA256()))
        return dict(
            AuthenticationResponse(
                raw_id=self.credential_id,
                response=AuthenticatorAssertionResponse(
                    client_data=client_data,
                    authenticator_data=auth_data,
                    signature=signature,
                    user_handle=self.user_handle if self.resident else None,
                ),
            )
        )


# The keys this test process gave to accounts, by credential id: a browser test hands a key to
# Chromium's virtual authenticator (WebAuthn.addCredential), so that the same key answers there.
ISSUED: dict[bytes, SoftPasskey] = {}


def add_security_key(user, *, passwordless: bool = False, name: str = "Test key") -> SoftPasskey:
    """Give an account a WebAuthn authenticator (allauth's own row and data), as if its owner had
    added a key on localhost; returns the key, which can then sign in."""
    from allauth.account.utils import user_pk_to_url_str
    from allauth.mfa.webauthn.internal.auth import WebAuthn
    from fido2.utils import websafe_encode

    key = SoftPasskey(resident=passwordless)
    options = {
        "publicKey": {
            "rp": {"id": "localhost", "name": "localhost"},
            "user": {"id": websafe_encode(user_pk_to_url_str(user).encode())},
            "challenge": websafe_encode(os.urandom(32)),
        }
    }
    WebAuthn.add(user, name, key.create(options, origin="http://localhost"))
    ISSUED[key.credential_id] = key
    return key


def issued_key_of(user) -> SoftPasskey | None:
    """The key this process gave the account with ``add_security_key``, if any."""
    from allauth.mfa.models import Authenticator

    for authenticator in Authenticator.objects.filter(user=user, type=Authenticator.Type.WEBAUTHN):
        credential_id = authenticator.wrap().authenticator_data.credential_data.credential_id
        if credential_id in ISSUED:
            return ISSUED[credential_id]
    return None
