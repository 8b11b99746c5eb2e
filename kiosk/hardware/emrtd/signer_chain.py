"""Passive authentication: a CMS SignerInfo's signature and the signer's CSCA certificate."""

import hashlib
import hmac
from collections.abc import Sequence
from datetime import datetime
from typing import cast

from asn1crypto import algos, cms
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from kiosk.hardware.emrtd.errors import SecurityObjectError
from shared.clock import SYSTEM_CLOCK


def _hash(name: str) -> hashes.HashAlgorithm:
    """The cryptography hash for an asn1crypto digest name such as 'sha256'."""
    return getattr(hashes, name.upper())()


def _pss(parameters: algos.RSASSAPSSParams) -> tuple[padding.PSS, hashes.HashAlgorithm]:
    """PSS padding and the message hash from RSASSA-PSS AlgorithmIdentifier parameters."""
    mgf_hash = parameters["mask_gen_algorithm"]["parameters"]["algorithm"].native
    mgf = padding.MGF1(_hash(mgf_hash))
    pss = padding.PSS(mgf, parameters["salt_length"].native)
    return pss, _hash(parameters["hash_algorithm"]["algorithm"].native)


def _verify(
    key: object, signature: bytes, data: bytes, algorithm: algos.SignedDigestAlgorithm, digest: str
) -> None:
    """Verify an RSA-PSS, RSA PKCS#1 v1.5 or ECDSA signature; raise when it does not verify."""
    if isinstance(key, rsa.RSAPublicKey) and algorithm.signature_algo == "rsassa_pss":
        key.verify(signature, data, *_pss(algorithm["parameters"]))
    elif isinstance(key, rsa.RSAPublicKey) and algorithm.signature_algo == "rsassa_pkcs1v15":
        key.verify(signature, data, padding.PKCS1v15(), _hash(digest))
    elif isinstance(key, ec.EllipticCurvePublicKey) and algorithm.signature_algo == "ecdsa":
        key.verify(signature, data, ec.ECDSA(_hash(digest)))
    else:
        raise TypeError("unsupported signature algorithm")


def _signed_attribute(signer: cms.SignerInfo, name: str) -> object:
    """The first value of a signed attribute, or None when it is absent."""
    attributes = signer["signed_attrs"]
    values = (a["values"][0].native for a in attributes if a["type"].native == name)
    return next(values, None)


def _signer_certificate(
    signed_data: cms.SignedData, signer: cms.SignerInfo
) -> x509.Certificate | None:
    """The certificate among the SignedData's certificates that the SignerInfo names."""
    sid = signer["sid"]
    for choice in signed_data["certificates"]:
        certificate = choice.chosen
        if sid.name == "subject_key_identifier":
            found = certificate.key_identifier == sid.chosen.native
        else:
            wanted = (sid.chosen["issuer"], sid.chosen["serial_number"].native)
            found = (certificate.issuer, certificate.serial_number) == wanted
        if found:
            return x509.load_der_x509_certificate(certificate.dump())
    return None


def _verify_signer_info(signed_data: cms.SignedData, what: str) -> x509.Certificate:
    """Verify the (first) SignerInfo over the encapsulated content; return its certificate."""
    signer = signed_data["signer_infos"][0]
    certificate = _signer_certificate(signed_data, signer)
    if certificate is None:
        raise SecurityObjectError(f"{what} signer has no certificate")
    encap = signed_data["encap_content_info"]
    if _signed_attribute(signer, "content_type") != encap["content_type"].native:
        raise SecurityObjectError(f"{what} content type is not the signed one")
    digest_name = signer["digest_algorithm"]["algorithm"].native
    digest = hashlib.new(digest_name, encap["content"].native).digest()
    # The message digest attribute is an OCTET STRING, which asn1crypto reads as bytes.
    signed_digest = cast(bytes, _signed_attribute(signer, "message_digest") or b"")
    if not hmac.compare_digest(signed_digest, digest):
        raise SecurityObjectError(f"{what} message digest does not match its content")
    signed_bytes = b"\x31" + signer["signed_attrs"].dump()[1:]  # DER of SET OF, not [0] IMPLICIT
    try:
        _verify(
            certificate.public_key(),
            signer["signature"].native,
            signed_bytes,
            signer["signature_algorithm"],
            digest_name,
        )
    except (InvalidSignature, TypeError, ValueError, AttributeError):
        raise SecurityObjectError(f"{what} signature does not verify") from None
    return certificate


def verify_signed_data(signed_data: cms.SignedData, what: str) -> x509.Certificate:
    """The signer's certificate of a CMS SignedData whose signature verifies; what names it."""
    try:
        return _verify_signer_info(signed_data, what)
    except (ValueError, KeyError, IndexError, TypeError) as error:
        reason = f"{what} signer cannot be read ({type(error).__name__})"
        raise SecurityObjectError(reason) from None


def _valid_at(certificate: x509.Certificate, now: datetime) -> bool:
    """True when now lies within the certificate's validity period."""
    return certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc


def check_validity(certificate: x509.Certificate, role: str, now: datetime) -> None:
    """Refuse a certificate whose validity period does not include now."""
    if now < certificate.not_valid_before_utc:
        raise SecurityObjectError(f"{role} certificate is not yet valid")
    if now > certificate.not_valid_after_utc:
        raise SecurityObjectError(f"{role} certificate expired")


def issued_by(certificate: x509.Certificate, issuer: x509.Certificate) -> bool:
    """True when issuer's name and key signed certificate (ECDSA, RSA PKCS#1 v1.5 or RSA-PSS)."""
    if certificate.issuer != issuer.subject:
        return False
    try:
        certificate.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def verify_chain(signed_data: cms.SignedData, trust_anchors: Sequence[x509.Certificate]) -> None:
    """Check EF.SOD's signature and that a CSCA among trust_anchors, valid now, issued it."""
    now = SYSTEM_CLOCK.now()
    signer = verify_signed_data(signed_data, "EF.SOD")
    check_validity(signer, "document signer", now)
    issuers = [csca for csca in trust_anchors if issued_by(signer, csca)]
    if not issuers:
        raise SecurityObjectError("document signer is not issued by a configured CSCA")
    if not any(_valid_at(csca, now) for csca in issuers):
        check_validity(issuers[0], "CSCA", now)  # raises, saying expired or not yet valid
