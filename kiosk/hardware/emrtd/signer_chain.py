"""Passive authentication of EF.SOD: the document signer's signature and its CSCA certificate."""

import hashlib
import hmac
from pathlib import Path

from asn1crypto import cms
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from kiosk.hardware.emrtd.errors import SecurityObjectError


def load_certificates(folder: Path) -> list[x509.Certificate]:
    """All PEM or DER certificates in a folder (other files are ignored)."""
    certificates = []
    for path in sorted(p for p in folder.iterdir() if p.is_file()):
        data = path.read_bytes()
        try:
            if b"-----BEGIN CERTIFICATE-----" in data:
                certificates.extend(x509.load_pem_x509_certificates(data))
            else:
                certificates.append(x509.load_der_x509_certificate(data))
        except ValueError:
            continue
    return certificates


def _verify(key: object, signature: bytes, data: bytes, algorithm: hashes.HashAlgorithm) -> None:
    """Verify an RSA PKCS#1 v1.5 or ECDSA signature; InvalidSignature or TypeError if not."""
    if isinstance(key, rsa.RSAPublicKey):
        key.verify(signature, data, padding.PKCS1v15(), algorithm)
    elif isinstance(key, ec.EllipticCurvePublicKey):
        key.verify(signature, data, ec.ECDSA(algorithm))
    else:
        raise TypeError("unsupported document signer key")


def _signed_attribute(signer: cms.SignerInfo, name: str) -> object:
    """The first value of a signed attribute."""
    return next(a["values"][0].native for a in signer["signed_attrs"] if a["type"].native == name)


def document_signer(signed_data: cms.SignedData) -> x509.Certificate:
    """Verify the SignerInfo over the LDS security object; return the signer's certificate."""
    signer = signed_data["signer_infos"][0]
    certificate = x509.load_der_x509_certificate(signed_data["certificates"][0].chosen.dump())
    digest_name = signer["digest_algorithm"]["algorithm"].native
    content = signed_data["encap_content_info"]["content"].native
    digest = hashlib.new(digest_name, content).digest()
    if not hmac.compare_digest(_signed_attribute(signer, "message_digest"), digest):
        raise SecurityObjectError("EF.SOD message digest does not match its content")
    signed_bytes = b"\x31" + signer["signed_attrs"].dump()[1:]  # DER of SET OF, not [0] IMPLICIT
    algorithm = getattr(hashes, digest_name.upper())()
    try:
        _verify(certificate.public_key(), signer["signature"].native, signed_bytes, algorithm)
    except (InvalidSignature, TypeError):
        raise SecurityObjectError("EF.SOD signature does not verify") from None
    return certificate


def verify_chain(signed_data: cms.SignedData, csca_folder: Path) -> None:
    """Check the EF.SOD signature and that a CSCA in the folder issued the document signer."""
    signer = document_signer(signed_data)
    for csca in load_certificates(csca_folder):
        if csca.subject != signer.issuer:
            continue
        try:
            signer.verify_directly_issued_by(csca)
        except (ValueError, TypeError, InvalidSignature):
            continue
        return
    raise SecurityObjectError("document signer is not issued by a configured CSCA")
