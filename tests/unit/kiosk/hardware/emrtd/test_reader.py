"""The eMRTD read flow against the virtual chip, in process (no pcscd)."""

from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from kiosk.hardware.emrtd import bac_key
from kiosk.hardware.emrtd.errors import AccessDenied, ChipNotAnswering, SecurityObjectError
from kiosk.hardware.emrtd.reader import EF_DG1, read_emrtd
from kiosk.hardware.emrtd.trust_anchors import load_folder
from tests.support.virtual_emrtd import (
    EF_DG2,
    TD1,
    TD3,
    TEST_CSCA,
    VirtualEmrtd,
    document_pki,
)
from tests.support.virtual_emrtd import (
    SPECIMEN_READ as EXPECTED,
)


def csca_folder(tmp_path: Path, country: str = TEST_CSCA) -> list[x509.Certificate]:
    """The trust anchors of a folder holding one PEM CSCA certificate."""
    pem = document_pki(country).csca.public_bytes(serialization.Encoding.PEM)
    (tmp_path / "csca.pem").write_bytes(pem)
    return load_folder(tmp_path)


def test_reads_passport_without_dg2() -> None:
    card = VirtualEmrtd(TD3)
    assert read_emrtd(card.respond, bac_key(TD3)).as_dict() == EXPECTED
    assert EF_DG2 not in card.selected
    assert not any(apdu[1] == 0xB0 and apdu[2] & 0x80 for apdu in card.commands)


def test_reads_id_card_from_typed_fields() -> None:
    card = VirtualEmrtd(TD1)
    result = read_emrtd(card.respond, bac_key(("D23145890", "740812", "120415")))
    assert result.as_dict() == {**EXPECTED, "document_type": "I"}


def test_full_read_apdu_count() -> None:
    card = VirtualEmrtd(TD3)
    read_emrtd(card.respond, bac_key(TD3))
    sod_size = len(card.files[0x011D])
    sod_reads = 1 + -(-(sod_size - 4) // 0xE7)
    assert len(card.commands) == 3 + 3 + 3 + 1 + sod_reads


def test_wrong_mrz_is_access_denied_without_document_number() -> None:
    with pytest.raises(AccessDenied) as caught:
        read_emrtd(VirtualEmrtd(TD3).respond, bac_key(("L898902C", "740812", "120416")))
    assert caught.value.code == "access_denied"
    assert "L898902C" not in str(caught.value)


def test_chip_refuses_reading_before_bac() -> None:
    card = VirtualEmrtd(TD3)
    assert card.respond(bytes.fromhex("00A4020C020101"))[-2:] == bytes.fromhex("6982")


def test_tampered_dg1_fails_the_hash_check() -> None:
    card = VirtualEmrtd(TD3)
    card.files[EF_DG1] = card.files[EF_DG1].replace(b"ANNA", b"ANNE")
    result = read_emrtd(card.respond, bac_key(TD3))
    assert (result.mrz.given_names, result.sod_hash_ok) == ("ANNE MARIA", False)


def test_chain_checked_against_configured_csca(tmp_path: Path) -> None:
    result = read_emrtd(VirtualEmrtd(TD3).respond, bac_key(TD3), csca_folder(tmp_path))
    assert (result.sod_hash_ok, result.chain_checked) == (True, True)


def test_chain_from_another_csca_is_rejected(tmp_path: Path) -> None:
    folder = csca_folder(tmp_path, "Other CSCA")
    with pytest.raises(SecurityObjectError, match="not issued by a configured CSCA"):
        read_emrtd(VirtualEmrtd(TD3).respond, bac_key(TD3), folder)


def test_chip_without_emrtd_application_is_not_answering() -> None:
    with pytest.raises(ChipNotAnswering, match="6A82"):
        read_emrtd(lambda apdu: bytes.fromhex("6A82"), bac_key(TD3))
