"""A virtual eMRTD on vpcd: enforces BAC and secure messaging, holds EF.COM, DG1, DG2 and EF.SOD."""

import functools
import hashlib
import os
import socket
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Literal

from asn1crypto import cms
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID

from kiosk.hardware.emrtd import bac, tdes, tlv
from kiosk.hardware.emrtd.mrz import parse_mrz
from kiosk.hardware.emrtd.reader import EF_COM, EF_DG1, EF_SOD, EMRTD_AID
from kiosk.hardware.emrtd.security_object import LDS_SECURITY_OBJECT, LdsSecurityObject
from kiosk.hardware.emrtd.trust_anchors import CSCA_MASTER_LIST, CscaMasterList

VPCD_PORT = 35963
TEST_CSCA = "Test CSCA"
ATR = bytes.fromhex("3B80800101")  # ISO 14443-4 card without historical bytes
EF_DG2 = 0x0102
MAX_RESPONSE = 0xE7
OK, WRONG_KEY, NOT_ALLOWED = 0x9000, 0x6300, 0x6982
TD3 = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<|L898902C36UTO7408122F1204159ZE184226B<<<<<10"
TD1 = "I<UTOD231458907<<<<<<<<<<<<<<<|7408122F1204159UTO<<<<<<<<<<<6|ERIKSSON<<ANNA<MARIA<<<<<<<<<<"
# What reading the ICAO specimen (Anna Maria Eriksson, Utopia) gives, without a CSCA folder.
SPECIMEN_READ = {
    "document_type": "P",
    "issuing_state": "UTO",
    "surname": "ERIKSSON",
    "given_names": "ANNA MARIA",
    "nationality": "UTO",
    "birth_date": "1974-08-12",
    "sex": "F",
    "expiry_date": "2012-04-15",
    "sod_hash_ok": True,
    "chain_checked": False,
}


PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
Scheme = Literal["ecdsa", "rsa_pss", "rsa_pkcs1"]
# Validity as (first, last) day relative to today.
Validity = tuple[int, int]
VALID: Validity = (-1, 3650)
PSS_SHA256 = {
    "hash_algorithm": {"algorithm": "sha256"},
    "mask_gen_algorithm": {"algorithm": "mgf1", "parameters": {"algorithm": "sha256"}},
    "salt_length": 32,
}


@dataclass(frozen=True)
class DocumentPki:
    """A country signing CA and a signer it issued (a document or master-list signer)."""

    csca: x509.Certificate
    document_signer: x509.Certificate
    signer_key: PrivateKey
    scheme: Scheme = "ecdsa"


def _name(common_name: str) -> x509.Name:
    """A Dutch name with this common name."""
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "NL"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _certificate(
    name: str,
    key: PrivateKey,
    issuer: tuple[str, PrivateKey],
    scheme: Scheme = "ecdsa",
    validity: Validity = VALID,
) -> x509.Certificate:
    """A certificate for key named name, signed by issuer (a name and key) with scheme."""
    today = datetime.now(UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(name))
        .issuer_name(_name(issuer[0]))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(today + timedelta(days=validity[0]))
        .not_valid_after(today + timedelta(days=validity[1]))
        .add_extension(x509.BasicConstraints(ca=name == issuer[0], path_length=None), True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
    )
    pss = padding.PSS(padding.MGF1(hashes.SHA256()), padding.PSS.DIGEST_LENGTH)
    return builder.sign(
        issuer[1], hashes.SHA256(), rsa_padding=pss if scheme == "rsa_pss" else None
    )


def _private_key(scheme: Scheme) -> PrivateKey:
    """A fresh P-256 key for ECDSA, else a 2048-bit RSA key."""
    if scheme == "ecdsa":
        return ec.generate_private_key(ec.SECP256R1())
    return rsa.generate_private_key(65537, 2048)


@functools.cache
def make_pki(
    country: str, scheme: Scheme = "ecdsa", csca: Validity = VALID, signer: Validity = VALID
) -> DocumentPki:
    """A CSCA and signer with these signature scheme and validity days, made once per process."""
    csca_key, signer_key = _private_key(scheme), _private_key(scheme)
    csca_certificate = _certificate(country, csca_key, (country, csca_key), scheme, csca)
    signer_certificate = _certificate(
        f"{country} DS", signer_key, (country, csca_key), scheme, signer
    )
    return DocumentPki(csca_certificate, signer_certificate, signer_key, scheme)


def document_pki(country: str) -> DocumentPki:
    """An ECDSA CSCA and document signer, generated once per process for each country name."""
    return make_pki(country)


def _signature(pki: DocumentPki, data: bytes) -> tuple[dict[str, object], bytes]:
    """The CMS signature algorithm and the signer's signature over data."""
    key = pki.signer_key
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return {"algorithm": "sha256_ecdsa"}, key.sign(data, ec.ECDSA(hashes.SHA256()))
    if pki.scheme == "rsa_pss":
        pss = padding.PSS(padding.MGF1(hashes.SHA256()), 32)
        algorithm = {"algorithm": "rsassa_pss", "parameters": PSS_SHA256}
        return algorithm, key.sign(data, pss, hashes.SHA256())
    return {"algorithm": "sha256_rsa"}, key.sign(data, padding.PKCS1v15(), hashes.SHA256())


def signed_data(content_type: str, content: bytes, pki: DocumentPki) -> bytes:
    """DER of a CMS ContentInfo with SignedData over content, signed by pki's signer."""
    attrs = cms.CMSAttributes(
        [
            {"type": "content_type", "values": [content_type]},
            {"type": "message_digest", "values": [hashlib.sha256(content).digest()]},
        ]
    )
    signer_cert = asn1_x509.Certificate.load(
        pki.document_signer.public_bytes(serialization.Encoding.DER)
    )
    algorithm, signature = _signature(pki, attrs.dump())
    signer_info = {
        "version": "v1",
        "sid": {
            "issuer_and_serial_number": {
                "issuer": signer_cert.issuer,
                "serial_number": signer_cert.serial_number,
            }
        },
        "digest_algorithm": {"algorithm": "sha256"},
        "signed_attrs": attrs,
        "signature_algorithm": algorithm,
        "signature": signature,
    }
    data = cms.SignedData(
        {
            "version": "v3",
            "digest_algorithms": [{"algorithm": "sha256"}],
            "encap_content_info": {"content_type": content_type, "content": content},
            "certificates": [signer_cert],
            "signer_infos": [signer_info],
        }
    )
    return cms.ContentInfo({"content_type": "signed_data", "content": data}).dump()


def build_sod(data_groups: dict[int, bytes], pki: DocumentPki) -> bytes:
    """EF.SOD: CMS SignedData over an LDS security object with SHA-256 hashes of data_groups."""
    lds = LdsSecurityObject(
        {
            "version": 0,
            "hash_algorithm": {"algorithm": "sha256"},
            "data_group_hash_values": [
                {"data_group_number": n, "data_group_hash_value": hashlib.sha256(dg).digest()}
                for n, dg in sorted(data_groups.items())
            ],
        }
    ).dump()
    return tlv.encode(0x77, signed_data(LDS_SECURITY_OBJECT, lds, pki))


def build_master_list(cscas: list[x509.Certificate], signer: DocumentPki) -> bytes:
    """An ICAO CSCA master list of cscas, signed by signer's signer certificate."""
    content = CscaMasterList(
        {
            "version": 0,
            "cert_list": [
                asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER))
                for c in cscas
            ],
        }
    ).dump()
    return signed_data(CSCA_MASTER_LIST, content, signer)


def document_files(mrz: str, pki: DocumentPki) -> dict[int, bytes]:
    """EF.COM, DG1, DG2 (a dummy photo) and EF.SOD for a document with this MRZ."""
    dg1 = tlv.encode(0x61, tlv.encode(0x5F1F, mrz.replace("|", "").encode("ascii")))
    dg2 = tlv.encode(0x75, tlv.encode(0x7F61, bytes(700)))
    ef_com = tlv.encode(
        0x60,
        tlv.encode(0x5F01, b"0107") + tlv.encode(0x5F36, b"040000") + tlv.encode(0x5C, b"\x61\x75"),
    )
    return {EF_COM: ef_com, EF_DG1: dg1, EF_DG2: dg2, EF_SOD: build_sod({1: dg1, 2: dg2}, pki)}


class _CardSession:
    """The chip's side of a BAC session: checks commands, protects responses."""

    def __init__(self, keys: bac.KeyPair, ssc: int) -> None:
        self.keys, self.ssc = keys, ssc

    def _mac(self, data: bytes) -> bytes:
        """Increment the counter and MAC it with data."""
        self.ssc += 1
        return tdes.retail_mac(self.keys.mac, self.ssc.to_bytes(8, "big") + data)

    def open(self, apdu: bytes) -> tuple[bytes, int | None] | None:
        """Plain data and Le of a protected command, or None when its MAC is wrong."""
        objects = {tag: (value, raw) for tag, value, raw in tlv.iter_tlv(apdu[5 : 5 + apdu[4]])}
        signed = b"".join(objects[t][1] for t in (0x87, 0x97) if t in objects)
        if 0x8E not in objects or self._mac(tdes.pad(apdu[:4]) + signed) != objects[0x8E][0]:
            return None
        data = (
            tdes.unpad(tdes.decrypt(self.keys.enc, objects[0x87][0][1:]))
            if 0x87 in objects
            else b""
        )
        le = objects[0x97][0][0] or 256 if 0x97 in objects else None
        return data, le

    def seal(self, data: bytes, sw: int) -> bytes:
        """A protected response with DO'87', DO'99' and DO'8E'."""
        do87 = (
            tlv.encode(0x87, b"\x01" + tdes.encrypt(self.keys.enc, tdes.pad(data))) if data else b""
        )
        do99 = tlv.encode(0x99, sw.to_bytes(2, "big"))
        return do87 + do99 + tlv.encode(0x8E, self._mac(do87 + do99)) + sw.to_bytes(2, "big")


class VirtualEmrtd:
    """A chip inserted in a vpcd reader while the context is open; it records every APDU."""

    def __init__(
        self,
        mrz: str = TD3,
        port: int = VPCD_PORT,
        remove_after: int | None = None,
        silent_after: int | None = None,
        pki: DocumentPki | None = None,
    ) -> None:
        self.files = document_files(mrz, pki or document_pki(TEST_CSCA))
        self.mrz_information = parse_mrz(mrz).bac_key.mrz_information()
        self.port, self.remove_after, self.silent_after = port, remove_after, silent_after
        self.commands: list[bytes] = []
        self.selected: list[int] = []
        self._stopped = threading.Event()
        self._reset()

    def _reset(self) -> None:
        """Power-on state: nothing selected, no challenge, no session."""
        self._challenge: bytes | None = None
        self._session: _CardSession | None = None
        self._current: int | None = None

    def __enter__(self) -> "VirtualEmrtd":
        return self.insert()

    def insert(self) -> "VirtualEmrtd":
        """Put the card on the reader: connect to vpcd and start answering."""
        self._socket = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        self._socket.settimeout(None)
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.remove()

    def remove(self) -> None:
        """Take the card out of the reader."""
        self._stopped.set()
        self._socket.close()
        self._thread.join(5)

    def _receive(self, size: int) -> bytes:
        """Exactly size bytes from vpcd (empty when the socket closed)."""
        data = b""
        while len(data) < size:
            self._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
            chunk = self._socket.recv(size - len(data))
            if not chunk:
                return b""
            data += chunk
        return data

    def _message(self) -> bytes:
        """The next message from vpcd, or empty when it is gone."""
        try:
            header = self._receive(2)
            return self._receive(int.from_bytes(header, "big")) if header else b""
        except OSError:
            return b""

    def _send(self, payload: bytes) -> None:
        """One length-prefixed message to vpcd."""
        self._socket.sendall(len(payload).to_bytes(2, "big") + payload)

    def _serve(self) -> None:
        """Answer vpcd until removed; after remove_after/silent_after answers vanish or hang."""
        while message := self._message():
            if len(message) == 1:
                self._control(message[0])
                continue
            if self.remove_after is not None and len(self.commands) >= self.remove_after:
                self._socket.close()
                return
            if self.silent_after is not None and len(self.commands) >= self.silent_after:
                self._stopped.wait()
                return
            self._send(self.respond(message))

    def _control(self, code: int) -> None:
        """Power off (0), on (1), reset (2) or ATR request (4)."""
        if code == 4:
            self._send(ATR)
        else:
            self._reset()

    def respond(self, apdu: bytes) -> bytes:
        """Record a command APDU and return the card's response (also usable without vpcd)."""
        self.commands.append(apdu)
        return self._answer(apdu)

    def _answer(self, apdu: bytes) -> bytes:
        """The response to one command APDU."""
        if self._session is not None:
            return self._secure(apdu, self._session)
        ins, p1 = apdu[1], apdu[2]
        if ins == 0xA4 and p1 == 0x04:
            return _sw(OK if apdu[5 : 5 + apdu[4]] == EMRTD_AID else 0x6A82)
        if ins == 0x84:
            self._challenge = os.urandom(8)
            return self._challenge + _sw(OK)
        if ins == 0x82:
            return self._mutual_authenticate(apdu[5 : 5 + apdu[4]])
        return _sw(NOT_ALLOWED)

    def _mutual_authenticate(self, data: bytes) -> bytes:
        """Check E_IFD/M_IFD against the document's keys and open the session."""
        keys = bac.keys_from_seed(bac.key_seed(self.mrz_information))
        if (
            self._challenge is None
            or len(data) != 40
            or tdes.retail_mac(keys.mac, data[:32]) != data[32:]
        ):
            return _sw(WRONG_KEY)
        plain = tdes.decrypt(keys.enc, data[:32])
        rnd_ifd, rnd_icc, k_ifd = plain[:8], plain[8:16], plain[16:]
        if rnd_icc != self._challenge:
            return _sw(WRONG_KEY)
        k_icc = os.urandom(16)
        answer = bac.authentication_data(keys, rnd_ifd, rnd_icc, k_icc)  # E(RND.ICC||RND.IFD||K)
        session = bac.keys_from_seed(bytes(a ^ b for a, b in zip(k_ifd, k_icc, strict=True)))
        self._session = _CardSession(session, int.from_bytes(rnd_icc[4:] + rnd_ifd[4:], "big"))
        return answer + _sw(OK)

    def _secure(self, apdu: bytes, session: _CardSession) -> bytes:
        """Handle a command under secure messaging; a plain or badly MACed one ends the session."""
        opened = session.open(apdu) if apdu[0] & 0x0C == 0x0C and len(apdu) > 5 else None
        if opened is None:
            self._session = None
            return _sw(0x6988)
        data, sw = self._file_command(apdu[1], apdu[2:4], *opened)
        return session.seal(data, sw)

    def _file_command(
        self, ins: int, p1p2: bytes, data: bytes, le: int | None
    ) -> tuple[bytes, int]:
        """SELECT EF by identifier or READ BINARY of the current EF."""
        if ins == 0xA4:
            file_id = int.from_bytes(data, "big")
            self.selected.append(file_id)
            self._current = file_id if file_id in self.files else None
            return b"", OK if self._current is not None else 0x6A82
        if ins != 0xB0 or self._current is None or le is None:
            return b"", 0x6D00 if ins != 0xB0 else 0x6986
        content, offset = self.files[self._current], int.from_bytes(p1p2, "big")
        if offset >= len(content):
            return b"", 0x6B00
        chunk = content[offset : offset + min(le, MAX_RESPONSE)]
        return chunk, OK if len(chunk) == le else 0x6282


def _sw(status: int) -> bytes:
    """A status word as two bytes."""
    return status.to_bytes(2, "big")
