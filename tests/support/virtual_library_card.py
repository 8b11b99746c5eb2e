"""A virtual ISO 15693 library card (PC/SC part 3 storage card) speaking vpcd's protocol."""

from __future__ import annotations

import contextlib
import socket
import struct
import threading

# PC/SC part 3 storage-card ATR: RID A0 00 00 03 06, standard 0B (ISO 15693 part 3), name 00 14.
ATR = bytes.fromhex("3B8F8001804F0CA0000003060B00140000000077")
DEFAULT_UID = bytes.fromhex("E004015012345678")
SW_OK = b"\x90\x00"
CONTROL_ATR = 4


class VirtualLibraryCard:
    """An ISO 15693 tag with 4-byte blocks; inserting it connects to vpcd, removing closes."""

    def __init__(
        self,
        uid: bytes = DEFAULT_UID,
        blocks: int = 28,
        multi_block: bool = True,
        silent_after: int | None = None,
    ):
        self.uid = uid
        self.memory = bytearray(blocks * 4)
        self.multi_block = multi_block
        self.apdus: list[bytes] = []
        self.writes_before_removal: int | None = None
        # After answering this many APDUs (of `apdus`) the tag stays on the reader but is silent.
        self.silent_after = silent_after
        self._socket: socket.socket | None = None
        self._thread: threading.Thread | None = None

    def insert(self, port: int) -> None:
        """Put the card on the reader behind vpcd's `port`."""
        self._socket = socket.create_connection(("127.0.0.1", port))
        self._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._thread = threading.Thread(target=self._serve, args=(self._socket,), daemon=True)
        self._thread.start()

    def remove(self) -> None:
        """Take the card off the reader."""
        if self._socket is not None:
            self._close(self._socket)
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._socket = self._thread = None

    def _close(self, sock: socket.socket) -> None:
        """Close the connection to vpcd (the card leaves the field)."""
        with contextlib.suppress(OSError):  # vpcd may have closed its end already
            sock.shutdown(socket.SHUT_RDWR)
        sock.close()

    def _serve(self, sock: socket.socket) -> None:
        """Answer vpcd until the connection closes."""
        try:
            while (message := _receive(sock)) is not None:
                reply = self._answer(message)
                if reply is None:
                    self._close(sock)  # pulled off the reader in the middle of a write
                    return
                if reply:
                    sock.sendall(struct.pack(">H", len(reply)) + reply)
        except OSError:
            return

    def _answer(self, message: bytes) -> bytes | None:
        """The reply to a control message or APDU (empty: none); None when the card is pulled."""
        if len(message) == 1:
            return ATR if message[0] == CONTROL_ATR else b""
        self.apdus.append(message)
        if self.silent_after is not None and len(self.apdus) > self.silent_after:
            return b""  # vpcd, and pcscd behind it, wait for this answer until the card leaves
        cla, ins, p1, p2 = message[:4]
        if cla != 0xFF:
            return b"\x6e\x00"
        handler = {0xCA: self._get_uid, 0xB0: self._read, 0xD6: self._write}.get(ins)
        return handler(p1 << 8 | p2, message[4:]) if handler else b"\x6d\x00"

    def _get_uid(self, _address: int, _body: bytes) -> bytes:
        """GET DATA: the UID."""
        return self.uid + SW_OK

    def _read(self, block: int, body: bytes) -> bytes:
        """READ BINARY of Le bytes from `block`."""
        length = body[0] if body else 4
        if length % 4 or (length > 4 and not self.multi_block):
            return b"\x67\x00"
        start = block * 4
        if start + length > len(self.memory):
            return b"\x6a\x82"
        return bytes(self.memory[start : start + length]) + SW_OK

    def _write(self, block: int, body: bytes) -> bytes | None:
        """UPDATE BINARY of one 4-byte block; None (no answer) when the card is pulled now."""
        if self.writes_before_removal == 0:
            return None
        if body[:1] != b"\x04" or len(body) != 5 or (block + 1) * 4 > len(self.memory):
            return b"\x67\x00"
        self.memory[block * 4 : block * 4 + 4] = body[1:]
        if self.writes_before_removal is not None:
            self.writes_before_removal -= 1
        return SW_OK


def _receive(sock: socket.socket) -> bytes | None:
    """One length-prefixed message from vpcd, or None when it closed."""
    header = _exactly(sock, 2)
    return None if header is None else _exactly(sock, struct.unpack(">H", header)[0])


def _exactly(sock: socket.socket, size: int) -> bytes | None:
    """Exactly `size` bytes, acknowledging at once (vpcd sends length and APDU separately)."""
    data = b""
    while len(data) < size:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
        chunk = sock.recv(size - len(data))
        if not chunk:
            return None
        data += chunk
    return data
