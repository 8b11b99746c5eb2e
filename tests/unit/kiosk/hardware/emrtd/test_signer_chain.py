"""Passive authentication against CSCA certificates and ICAO CSCA master lists."""

from collections.abc import Callable
from pathlib import Path

import pytest
from asn1crypto import cms
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from kiosk.hardware import config
from kiosk.hardware.__main__ import main
from kiosk.hardware.emrtd import bac_key
from kiosk.hardware.emrtd.errors import SecurityObjectError
from kiosk.hardware.emrtd.reader import read_emrtd
from kiosk.hardware.emrtd.security_object import LDS_SECURITY_OBJECT, parse_security_object
from kiosk.hardware.emrtd.signer_chain import verify_chain
from kiosk.hardware.emrtd.trust_anchors import (
    TrustAnchorError,
    load_folder,
    load_master_list,
    load_trust_anchors,
)
from tests.support.virtual_emrtd import (
    TD3,
    TEST_CSCA,
    VALID,
    DocumentPki,
    Scheme,
    VirtualEmrtd,
    build_master_list,
    build_sod,
    document_pki,
    make_pki,
    signed_data,
)

ML_SIGNER = "Utopia ML CSCA"
RSA_PSS = "1.2.840.113549.1.1.10"


def write_master_list(folder: Path, cscas: list[x509.Certificate], signer: DocumentPki) -> Path:
    """A master list file of cscas signed by signer, in folder."""
    path = folder / "utopia.ml"
    path.write_bytes(build_master_list(cscas, signer))
    return path


def national_list(folder: Path) -> Path:
    """A master list with the test documents' CSCA, signed by a signer its own CSCA issued."""
    signer = make_pki(ML_SIGNER)
    return write_master_list(folder, [signer.csca, document_pki(TEST_CSCA).csca], signer)


def changed(path: Path, change: Callable[[cms.SignedData], None]) -> Path:
    """Rewrite a CMS file after change(signed_data) altered it in place."""
    content_info = cms.ContentInfo.load(path.read_bytes())
    change(content_info["content"])
    path.write_bytes(content_info.dump(force=True))
    return path


def read_with(anchors: list[x509.Certificate] | None, pki: DocumentPki | None = None) -> bool:
    """Read the virtual passport (of pki) checking against anchors; return chain_checked."""
    result = read_emrtd(VirtualEmrtd(TD3, pki=pki).respond, bac_key(TD3), anchors)
    assert result.sod_hash_ok
    return result.chain_checked


def sod_of(pki: DocumentPki) -> cms.SignedData:
    """The SignedData of an EF.SOD signed by pki's document signer."""
    return parse_security_object(build_sod({1: b"DG1"}, pki)).signed_data


def test_master_list_accepted_checks_the_chain(tmp_path: Path) -> None:
    assert read_with(load_trust_anchors(None, national_list(tmp_path))) is True


def test_without_trust_anchors_the_chain_is_not_checked() -> None:
    assert load_trust_anchors(None, None) is None
    assert read_with(None) is False


def flip_last_signature_byte(data: cms.SignedData) -> None:
    """Break the SignerInfo's signature."""
    signature = data["signer_infos"][0]["signature"].native
    data["signer_infos"][0]["signature"] = signature[:-1] + bytes([signature[-1] ^ 1])


def test_master_list_with_broken_signature_is_refused(tmp_path: Path) -> None:
    path = changed(national_list(tmp_path), flip_last_signature_byte)
    with pytest.raises(
        TrustAnchorError, match=r"utopia\.ml: master list signature does not verify"
    ):
        load_master_list(path)


def test_master_list_with_changed_content_is_refused(tmp_path: Path) -> None:
    other = build_master_list([document_pki("Other CSCA").csca], make_pki(ML_SIGNER))
    other_content = cms.ContentInfo.load(other)["content"]["encap_content_info"]

    def swap_content(data: cms.SignedData) -> None:
        data["encap_content_info"] = other_content.copy()

    path = changed(national_list(tmp_path), swap_content)
    with pytest.raises(TrustAnchorError, match="master list message digest does not match"):
        load_master_list(path)


def test_master_list_signer_must_be_issued_by_a_listed_csca(tmp_path: Path) -> None:
    path = write_master_list(tmp_path, [document_pki(TEST_CSCA).csca], make_pki(ML_SIGNER))
    with pytest.raises(TrustAnchorError, match="signer is not issued by a CSCA in the list"):
        load_master_list(path)


def test_other_signed_data_is_not_a_master_list(tmp_path: Path) -> None:
    path = tmp_path / "sod.ml"
    path.write_bytes(signed_data(LDS_SECURITY_OBJECT, b"\x30\x00", document_pki(TEST_CSCA)))
    with pytest.raises(TrustAnchorError, match=r"sod\.ml: not a CSCA master list"):
        load_master_list(path)


def test_document_signer_not_issued_by_a_listed_csca_is_rejected(tmp_path: Path) -> None:
    signer = make_pki(ML_SIGNER)
    anchors = load_master_list(write_master_list(tmp_path, [signer.csca], signer))
    with pytest.raises(SecurityObjectError, match="not issued by a configured CSCA"):
        read_with(anchors)


def test_folder_with_a_master_list_and_certificates(tmp_path: Path) -> None:
    national_list(tmp_path)
    other = document_pki("Other CSCA").csca
    (tmp_path / "other.pem").write_bytes(other.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "README").write_text("not a certificate")
    anchors = load_folder(tmp_path)
    assert len(anchors) == 3 and other in anchors
    assert read_with(anchors) is True


def test_folder_and_master_list_are_united(tmp_path: Path) -> None:
    folder, lists = tmp_path / "csca", tmp_path / "lists"
    folder.mkdir()
    lists.mkdir()
    other = document_pki("Other CSCA").csca
    (folder / "other.der").write_bytes(other.public_bytes(serialization.Encoding.DER))
    anchors = load_trust_anchors(folder, national_list(lists))
    assert anchors is not None and len(anchors) == 3 and other in anchors


def test_folder_without_certificates_is_refused(tmp_path: Path) -> None:
    with pytest.raises(TrustAnchorError, match="no CSCA certificates"):
        load_trust_anchors(tmp_path, None)
    with pytest.raises(TrustAnchorError, match="missing: No such file"):
        load_trust_anchors(tmp_path / "missing", None)


def test_config_loads_the_master_list_once(tmp_path: Path) -> None:
    environ = {"KIOSK_CSCA_MASTER_LIST": str(national_list(tmp_path))}
    assert len(config.document_reader(environ, default="pcsc").keywords["trust_anchors"]) == 2
    assert config.document_reader({}, default="pcsc").keywords["trust_anchors"] is None


def test_config_refuses_a_broken_master_list(tmp_path: Path) -> None:
    (tmp_path / "broken.ml").write_bytes(b"not DER")
    with pytest.raises(ValueError, match=r"broken\.ml: not a CSCA master list"):
        config.document_reader({"KIOSK_CSCA_DIR": str(tmp_path)}, default="pcsc")


@pytest.mark.parametrize(
    ("pki", "reason"),
    [
        (make_pki("Expired DS", signer=(-20, -10)), "document signer certificate expired"),
        (make_pki("Future DS", signer=(10, 20)), "document signer certificate is not yet valid"),
        (make_pki("Expired CSCA", csca=(-3650, -1)), "CSCA certificate expired"),
        (make_pki("Future CSCA", csca=(1, 3650)), "CSCA certificate is not yet valid"),
    ],
    ids=["ds-expired", "ds-future", "csca-expired", "csca-future"],
)
def test_certificates_outside_their_validity_are_rejected(pki: DocumentPki, reason: str) -> None:
    with pytest.raises(SecurityObjectError, match=reason):
        verify_chain(sod_of(pki), [pki.csca])


@pytest.mark.parametrize("scheme", ["rsa_pss", "rsa_pkcs1", "ecdsa"])
def test_signature_schemes_verify(scheme: Scheme) -> None:
    pki = make_pki(f"{scheme} CSCA", scheme)
    assert read_with([pki.csca], pki) is True


def test_rsa_pss_is_what_was_checked() -> None:
    pki = make_pki("rsa_pss CSCA", "rsa_pss")
    signer_info = sod_of(pki)["signer_infos"][0]
    assert signer_info["signature_algorithm"].signature_algo == "rsassa_pss"
    assert pki.document_signer.signature_algorithm_oid.dotted_string == RSA_PSS


def test_rsa_pss_with_other_salt_length_does_not_verify() -> None:
    pki = make_pki("rsa_pss CSCA", "rsa_pss")
    sod = sod_of(pki)
    sod["signer_infos"][0]["signature_algorithm"]["parameters"]["salt_length"] = 20
    with pytest.raises(SecurityObjectError, match="EF.SOD signature does not verify"):
        verify_chain(sod, [pki.csca])


def test_document_signer_with_a_forged_csca_signature_is_rejected() -> None:
    pki = make_pki("rsa_pss CSCA", "rsa_pss")
    impostor = make_pki("rsa_pss CSCA", "rsa_pss", VALID)  # other cache key: same names, new keys
    with pytest.raises(SecurityObjectError, match="not issued by a configured CSCA"):
        verify_chain(sod_of(pki), [impostor.csca])


def test_signer_named_by_subject_key_identifier() -> None:
    pki = document_pki(TEST_CSCA)
    sod = sod_of(pki)
    key_identifier = x509.SubjectKeyIdentifier.from_public_key(pki.document_signer.public_key())
    sod["signer_infos"][0]["sid"] = {"subject_key_identifier": key_identifier.digest}
    verify_chain(sod, [pki.csca])
    sod["signer_infos"][0]["sid"] = {"subject_key_identifier": bytes(20)}
    with pytest.raises(SecurityObjectError, match="EF.SOD signer has no certificate"):
        verify_chain(sod, [pki.csca])


def test_cli_refuses_a_broken_master_list_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = changed(national_list(tmp_path), flip_last_signature_byte)
    monkeypatch.setenv("KIOSK_CSCA_MASTER_LIST", str(path))
    assert main(["id", "read", "--reader", "none", "--mrz", TD3]) == 1
    assert capsys.readouterr().err == f"error: {path}: master list signature does not verify\n"
