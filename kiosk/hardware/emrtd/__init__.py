"""ICAO 9303 ID-document (eMRTD) reader: MRZ, BAC, secure messaging, DG1 and EF.SOD checks."""

from collections.abc import Sequence

from cryptography import x509

from kiosk.hardware.emrtd.errors import EmrtdError
from kiosk.hardware.emrtd.mrz import BacKey, bac_key_from_fields, parse_mrz
from kiosk.hardware.emrtd.pcsc_link import connected
from kiosk.hardware.emrtd.reader import read_emrtd

APDU_TIMEOUT = 3.0

__all__ = ["EmrtdError", "bac_key", "read_document"]


def bac_key(mrz_or_fields: str | tuple[str, str, str]) -> BacKey:
    """The BAC key from MRZ lines ('|' or newline separated) or the three typed fields."""
    if isinstance(mrz_or_fields, str):
        return parse_mrz(mrz_or_fields).bac_key
    return bac_key_from_fields(*mrz_or_fields)


def read_document(
    reader_name: str,
    mrz_or_fields: str | tuple[str, str, str],
    timeout: float,
    trust_anchors: Sequence[x509.Certificate] | None = None,
    apdu_timeout: float = APDU_TIMEOUT,
) -> dict[str, object]:
    """Wait for a document on the reader, read its chip and return the `id read` JSON fields;
    with trust anchors (CSCA certificates) the document signer's chain is checked too."""
    key = bac_key(mrz_or_fields)
    with connected(reader_name, timeout, apdu_timeout) as transmit:
        return read_emrtd(transmit, key, trust_anchors).as_dict()
