"""powerai's attestations checked with Debian's own tools (python3-cryptography, python3-securesystemslib).

The fixtures (keys' public halves, artifacts, envelopes signed by powerai's Java) are written by the Java test
io.powerai.core.attest.InteropTest, which runs this file with POWERAI_INTEROP_DIR set; alone, it skips.
"""
import base64
import json
import os
import pathlib

import pytest

from verify_attestation import (VerificationError, check_statement, pae, verify, verify_with_cryptography,
                                verify_with_securesystemslib)

FIXTURES = os.environ.get("POWERAI_INTEROP_DIR")
pytestmark = pytest.mark.skipif(not FIXTURES, reason="POWERAI_INTEROP_DIR unset: InteropTest (Java) writes the fixtures")
KINDS = ["p256", "ed25519"]


def fixture(kind, name):
    return (pathlib.Path(FIXTURES) / kind / name).read_bytes()


def artifacts(kind):
    return {"outputs/model.joblib": fixture(kind, "model.joblib")}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("verifier", [verify_with_cryptography, verify_with_securesystemslib], ids=["cryptography", "securesystemslib"])
def test_powerais_envelope_verifies(kind, verifier):
    statement = verify(fixture(kind, "gpuTrain.dsse.json"), fixture(kind, "public.pem"), artifacts(kind), verifier)
    assert statement["subject"][0]["name"] == "outputs/model.joblib"


def test_pae_matches_the_dsse_example():
    assert pae("http://example.com/HelloWorld", b"hello world") == b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"


@pytest.mark.parametrize("kind", KINDS)
def test_statement_follows_in_toto_v1_and_slsa_provenance_v1(kind):
    envelope = json.loads(fixture(kind, "gpuTrain.dsse.json"))
    assert set(envelope) == {"payloadType", "payload", "signatures"}
    assert envelope["payloadType"] == "application/vnd.in-toto+json"
    assert all(set(s) == {"keyid", "sig"} for s in envelope["signatures"])
    statement = check_statement(json.loads(base64.b64decode(envelope["payload"])))
    assert set(statement) == {"_type", "subject", "predicateType", "predicate"}
    predicate = statement["predicate"]
    assert set(predicate) == {"buildDefinition", "runDetails"}
    assert {"buildType", "externalParameters", "internalParameters", "resolvedDependencies"} <= set(predicate["buildDefinition"])
    assert {"builder", "metadata"} <= set(predicate["runDetails"])
    assert {"invocationId", "startedOn", "finishedOn"} <= set(predicate["runDetails"]["metadata"])


@pytest.mark.parametrize("verifier", [verify_with_cryptography, verify_with_securesystemslib], ids=["cryptography", "securesystemslib"])
def test_wrong_key_fails(verifier):
    with pytest.raises(VerificationError, match="no signature verifies"):
        verify(fixture("p256", "gpuTrain.dsse.json"), fixture("p256", "other-public.pem"), artifacts("p256"), verifier)
    with pytest.raises(VerificationError, match="no signature verifies"):
        verify(fixture("ed25519", "gpuTrain.dsse.json"), fixture("p256", "public.pem"), artifacts("ed25519"), verifier)


@pytest.mark.parametrize("kind", KINDS)
def test_tampered_payload_fails(kind):
    envelope = json.loads(fixture(kind, "gpuTrain.dsse.json"))
    statement = json.loads(base64.b64decode(envelope["payload"]))
    statement["predicate"]["buildDefinition"]["externalParameters"]["args"] = ["--epochs", "1"]
    envelope["payload"] = base64.b64encode(json.dumps(statement).encode()).decode()
    with pytest.raises(VerificationError, match="no signature verifies"):
        verify(json.dumps(envelope), fixture(kind, "public.pem"), artifacts(kind))


@pytest.mark.parametrize("kind", KINDS)
def test_subject_digest_mismatch_fails(kind):
    changed = {"outputs/model.joblib": fixture(kind, "model.joblib") + b"!"}
    with pytest.raises(VerificationError, match="digest mismatch"):
        verify(fixture(kind, "gpuTrain.dsse.json"), fixture(kind, "public.pem"), changed)


@pytest.mark.parametrize("kind", KINDS)
def test_truncated_envelope_fails(kind):
    text = fixture(kind, "gpuTrain.dsse.json")
    with pytest.raises(VerificationError, match="not JSON"):
        verify(text[: len(text) // 2], fixture(kind, "public.pem"), artifacts(kind))


@pytest.mark.parametrize("kind", KINDS)
def test_unknown_predicate_type_fails_even_when_signed(kind):
    with pytest.raises(VerificationError, match="unknown predicate type"):
        verify(fixture(kind, "unknown-predicate.dsse.json"), fixture(kind, "public.pem"), artifacts(kind))


@pytest.mark.parametrize("kind", KINDS)
def test_unsigned_statement_is_not_an_envelope(kind):
    with pytest.raises(VerificationError, match="lacks 'payloadType'"):
        verify(fixture(kind, "gpuTrain.intoto.json"), fixture(kind, "public.pem"), artifacts(kind))
