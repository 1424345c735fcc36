"""An independent verifier of powerai's DSSE envelopes, written against the specifications, not powerai's code.

It computes the DSSE pre-authentication encoding itself, checks the signature with python3-cryptography or
python3-securesystemslib (Debian 12's 0.26, which predates DSSE, so only its raw signature check is used), then
checks the in-toto Statement v1 and SLSA Provenance v1 fields and each subject's SHA-256 against the artifact.
"""
import base64
import binascii
import hashlib
import json
import re

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

IN_TOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json"
STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
SLSA_PROVENANCE_V1 = "https://slsa.dev/provenance/v1"
HEX64 = re.compile(r"^[0-9a-f]{64}$")
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


class VerificationError(Exception):
    """Why an envelope was refused, in one line."""


def pae(payload_type, payload):
    """DSSEv1 SP LEN(type) SP type SP LEN(body) SP body, lengths in ASCII decimal of the byte counts."""
    type_bytes = payload_type.encode("utf-8")
    return b"DSSEv1 %d %s %d %s" % (len(type_bytes), type_bytes, len(payload), payload)


def parse_envelope(text):
    try:
        envelope = json.loads(text)
    except ValueError as e:
        raise VerificationError(f"envelope is not JSON (truncated?): {e}") from e
    if not isinstance(envelope, dict):
        raise VerificationError("envelope is not a JSON object")
    for field in ("payloadType", "payload", "signatures"):
        if field not in envelope:
            raise VerificationError(f"envelope lacks '{field}'")
    if envelope["payloadType"] != IN_TOTO_PAYLOAD_TYPE:
        raise VerificationError(f"payloadType is {envelope['payloadType']!r}, not {IN_TOTO_PAYLOAD_TYPE}")
    if not isinstance(envelope["signatures"], list) or not envelope["signatures"]:
        raise VerificationError("envelope has no signature")
    try:
        payload = base64.b64decode(envelope["payload"], validate=True)
    except (binascii.Error, ValueError) as e:
        raise VerificationError(f"payload is not base64: {e}") from e
    return envelope, payload


def verify_with_cryptography(public_pem, message, signature):
    key = serialization.load_pem_public_key(public_pem)
    try:
        if isinstance(key, ec.EllipticCurvePublicKey):
            if key.curve.name != "secp256r1":
                raise VerificationError(f"unsupported curve {key.curve.name}")
            key.verify(signature, message, ec.ECDSA(hashes.SHA256()))  # DER-encoded (r, s)
        elif isinstance(key, ed25519.Ed25519PublicKey):
            key.verify(signature, message)
        else:
            raise VerificationError(f"unsupported key type {type(key).__name__}")
    except InvalidSignature:
        return False
    return True


def securesystemslib_key(public_pem):
    """The key as securesystemslib 0.26 describes it (its own key id, not DSSE's hint)."""
    from securesystemslib import keys

    key = serialization.load_pem_public_key(public_pem)
    if isinstance(key, ed25519.Ed25519PublicKey):
        raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return keys.format_metadata_to_key({"keytype": "ed25519", "scheme": "ed25519", "keyval": {"public": raw.hex()}})[0]
    return keys.import_ecdsakey_from_public_pem(public_pem.decode("ascii"))


def verify_with_securesystemslib(public_pem, message, signature):
    from securesystemslib import keys

    key = securesystemslib_key(public_pem)
    return keys.verify_signature(key, {"keyid": key["keyid"], "sig": signature.hex()}, message)


def check_statement(statement):
    """The in-toto Statement v1 layer and the SLSA Provenance v1 predicate's required fields."""
    if statement.get("_type") != STATEMENT_TYPE:
        raise VerificationError(f"_type is {statement.get('_type')!r}, not {STATEMENT_TYPE}")
    subjects = statement.get("subject")
    if not isinstance(subjects, list) or not subjects:
        raise VerificationError("statement has no subject")
    for s in subjects:
        if not isinstance(s.get("name"), str) or not isinstance(s.get("digest"), dict) or not s["digest"]:
            raise VerificationError(f"subject {s!r} lacks name or digest")
        if not HEX64.match(s["digest"].get("sha256", "")):
            raise VerificationError(f"subject {s.get('name')!r} has no lowercase hex sha256 digest")
    if statement.get("predicateType") != SLSA_PROVENANCE_V1:
        raise VerificationError(f"unknown predicate type {statement.get('predicateType')!r} (expected {SLSA_PROVENANCE_V1})")
    predicate = statement.get("predicate") or {}
    definition = predicate.get("buildDefinition") or {}
    if not URI.match(str(definition.get("buildType", ""))):
        raise VerificationError("buildDefinition.buildType is not a URI")
    if not isinstance(definition.get("externalParameters"), dict):
        raise VerificationError("buildDefinition.externalParameters is not an object")
    for optional in ("internalParameters",):
        if optional in definition and not isinstance(definition[optional], dict):
            raise VerificationError(f"buildDefinition.{optional} is not an object")
    for d in definition.get("resolvedDependencies", []):
        if not ({"uri", "digest", "content"} & set(d)):
            raise VerificationError(f"resolvedDependency {d!r} has none of uri, digest, content")
    run = predicate.get("runDetails") or {}
    if not URI.match(str((run.get("builder") or {}).get("id", ""))):
        raise VerificationError("runDetails.builder.id is not a URI")
    metadata = run.get("metadata") or {}
    for field in ("startedOn", "finishedOn"):
        if field in metadata and not RFC3339.match(metadata[field]):
            raise VerificationError(f"runDetails.metadata.{field} is not an RFC 3339 time: {metadata[field]!r}")
    return statement


def verify(envelope_text, public_pem, artifacts, verifier=verify_with_cryptography):
    """Verifies an envelope; artifacts maps each subject's name to its bytes. Returns the statement or raises."""
    envelope, payload = parse_envelope(envelope_text)
    message = pae(envelope["payloadType"], payload)
    signed = False
    for s in envelope["signatures"]:
        try:
            signature = base64.b64decode(s.get("sig", ""), validate=True)
        except (binascii.Error, ValueError):
            continue
        if verifier(public_pem, message, signature):
            signed = True
            break
    if not signed:
        raise VerificationError("no signature verifies with the given public key")
    try:
        statement = json.loads(payload)
    except ValueError as e:
        raise VerificationError(f"payload is not JSON: {e}") from e
    check_statement(statement)
    for s in statement["subject"]:
        if s["name"] not in artifacts:
            raise VerificationError(f"subject {s['name']!r}: no such artifact to check")
        actual = hashlib.sha256(artifacts[s["name"]]).hexdigest()
        if actual != s["digest"]["sha256"]:
            raise VerificationError(f"subject {s['name']!r}: digest mismatch (statement {s['digest']['sha256']}, artifact {actual})")
    return statement
