"""CSCA trust anchors: certificate files in a folder and ICAO CSCA master lists (9303-12 §9)."""

from collections.abc import Sequence
from pathlib import Path

from asn1crypto import cms, core
from asn1crypto import x509 as asn1_x509
from cryptography import x509

from kiosk.hardware.emrtd.errors import SecurityObjectError
from kiosk.hardware.emrtd.signer_chain import issued_by, verify_signed_data

CSCA_MASTER_LIST = "2.23.136.1.1.2"
MASTER_LIST_SUFFIX = ".ml"


class CertificateSet(core.SetOf):
    """The CSCA certificates of a master list."""

    _child_spec = asn1_x509.Certificate


class CscaMasterList(core.Sequence):
    """The signed content of a CSCA master list."""

    _fields = [("version", core.Integer), ("cert_list", CertificateSet)]


class TrustAnchorError(ValueError):
    """A configured CSCA folder or master list cannot be used; str() names the file and why."""


def _read(path: Path) -> bytes:
    """A file's bytes; TrustAnchorError when it cannot be read."""
    try:
        return path.read_bytes()
    except OSError as error:
        raise TrustAnchorError(f"{path}: {error.strerror}") from None


def _parse_master_list(data: bytes) -> tuple[cms.SignedData, list[x509.Certificate]]:
    """The SignedData and the CSCAs of a master list, letting parse errors through."""
    content_info = cms.ContentInfo.load(data)
    if content_info["content_type"].native != "signed_data":
        raise ValueError("not CMS SignedData")
    signed_data = content_info["content"]
    encap = signed_data["encap_content_info"]
    if encap["content_type"].dotted != CSCA_MASTER_LIST:
        raise ValueError("not a CSCA master list")
    master_list = CscaMasterList.load(encap["content"].native)
    cscas = [x509.load_der_x509_certificate(c.dump()) for c in master_list["cert_list"]]
    return signed_data, cscas


def load_master_list(path: Path) -> list[x509.Certificate]:
    """The CSCAs of a master list whose signature verifies and whose signer one of them issued."""
    data = _read(path)
    try:
        signed_data, cscas = _parse_master_list(data)
    except (ValueError, KeyError, IndexError, TypeError) as error:
        raise TrustAnchorError(f"{path}: not a CSCA master list ({type(error).__name__})") from None
    try:
        signer = verify_signed_data(signed_data, "master list")
    except SecurityObjectError as error:
        raise TrustAnchorError(f"{path}: {error}") from None
    if not any(issued_by(signer, csca) for csca in cscas):
        raise TrustAnchorError(f"{path}: master list signer is not issued by a CSCA in the list")
    return cscas


def _certificate_file(path: Path) -> list[x509.Certificate]:
    """The certificates of a PEM or DER file; none when it holds no certificate."""
    data = _read(path)
    try:
        if b"-----BEGIN CERTIFICATE-----" in data:
            return x509.load_pem_x509_certificates(data)
        return [x509.load_der_x509_certificate(data)]
    except ValueError:
        return []


def load_folder(folder: Path) -> list[x509.Certificate]:
    """The CSCAs in a folder: PEM or DER certificate files and `.ml` master lists."""
    try:
        paths = sorted(p for p in folder.iterdir() if p.is_file())
    except OSError as error:
        raise TrustAnchorError(f"{folder}: {error.strerror}") from None
    certificates = []
    for path in paths:
        is_master_list = path.suffix.lower() == MASTER_LIST_SUFFIX
        certificates.extend(load_master_list(path) if is_master_list else _certificate_file(path))
    return certificates


def load_trust_anchors(
    folder: Path | None, master_list: Path | None
) -> Sequence[x509.Certificate] | None:
    """The CSCAs of the folder and the master list together; None when neither is configured."""
    if folder is None and master_list is None:
        return None
    anchors = [
        *(load_folder(folder) if folder is not None else []),
        *(load_master_list(master_list) if master_list is not None else []),
    ]
    if not anchors:
        raise TrustAnchorError(f"{folder}: no CSCA certificates")
    return tuple(anchors)
