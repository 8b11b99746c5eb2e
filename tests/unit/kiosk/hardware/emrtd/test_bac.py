"""BAC and secure messaging against the worked example of ICAO Doc 9303 part 11, appendix D."""

import pytest

from kiosk.hardware.emrtd import bac, tdes
from kiosk.hardware.emrtd.errors import AccessDenied, SecureMessagingError
from kiosk.hardware.emrtd.mrz import bac_key_from_fields
from kiosk.hardware.emrtd.secure_messaging import SecureChannel

H = bytes.fromhex
MRZ_INFORMATION = "L898902C<369080619406236"
KENC, KMAC = H("AB94FDECF2674FDFB9B391F85D7F76F2"), H("7962D9ECE03D1ACD4C76089DCE131543")
RND_IFD, RND_ICC = H("781723860C06C226"), H("4608F91988702212")
K_IFD = H("0B795240CB7049B01C19B33E32804F0B")
CMD_DATA = H("72C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F25F1448EEA8AD90A7")
ICC_ANSWER = H("46B9342A41396CD7386BF5803104D7CEDC122B9132139BAF2EEDC94EE178534F2F2D235D074D7449")
KS_ENC, KS_MAC = H("979EC13B1CBFE9DCD01AB0FED307EAE5"), H("F1CB1F1FB5ADF208806B89DC579DC1F8")
SSC = 0x887022120C06C226


def test_d1_mrz_information_from_typed_fields() -> None:
    assert bac_key_from_fields("L898902C", "690806", "940623").mrz_information() == MRZ_INFORMATION


def test_d1_key_derivation() -> None:
    seed = bac.key_seed(MRZ_INFORMATION)
    assert seed == H("239AB9CB282DAF66231DC5A4DF6BFBAE")
    keys = bac.keys_from_seed(seed)
    assert (keys.enc, keys.mac) == (KENC, KMAC)


def test_d2_external_authenticate_data() -> None:
    keys = bac.KeyPair(KENC, KMAC)
    assert bac.authentication_data(keys, RND_ICC, RND_IFD, K_IFD) == CMD_DATA


def test_d2_session_keys_and_counter() -> None:
    channel = bac.open_session(bac.KeyPair(KENC, KMAC), RND_ICC, RND_IFD, K_IFD, ICC_ANSWER)
    assert channel.ssc == SSC
    assert channel.wrap(H("00A4020C"), H("011E"))[5:16] == H("8709016375432908C044F6")
    assert bac.keys_from_seed(H("0036D272F5C350ACAC50C3F572D23600")) == bac.KeyPair(KS_ENC, KS_MAC)


def scripted(responses: list[bytes], sent: list[bytes]):
    """A card that answers with the given responses in order and records what it got."""

    def transmit(apdu: bytes) -> bytes:
        sent.append(apdu)
        return responses.pop(0)

    return transmit


def test_d2_authenticate_sends_the_example_apdus() -> None:
    sent: list[bytes] = []
    card = scripted([RND_ICC + H("9000"), ICC_ANSWER + H("9000")], sent)
    randoms = [RND_IFD, K_IFD]
    channel = bac.authenticate(card, MRZ_INFORMATION, random=lambda n: randoms.pop(0))
    assert sent == [H("0084000008"), H("0082000028") + CMD_DATA + H("28")]
    assert channel.ssc == SSC


@pytest.mark.parametrize("status", ["6300", "6982"])
def test_refused_mutual_authenticate_is_access_denied(status: str) -> None:
    card = scripted([RND_ICC + H("9000"), H(status)], [])
    with pytest.raises(AccessDenied) as caught:
        bac.authenticate(card, MRZ_INFORMATION)
    assert caught.value.code == "access_denied"


def test_forged_chip_answer_is_rejected() -> None:
    forged = ICC_ANSWER[:-1] + b"\x00"
    with pytest.raises(SecureMessagingError):
        bac.open_session(bac.KeyPair(KENC, KMAC), RND_ICC, RND_IFD, K_IFD, forged)


def test_d3_select_ef_com() -> None:
    channel = SecureChannel(KS_ENC, KS_MAC, SSC)
    apdu = channel.wrap(H("00A4020C"), H("011E"))
    assert apdu == H("0CA4020C158709016375432908C044F68E08BF8B92D635FF24F800")
    assert channel.unwrap(H("990290008E08FA855A5D4C50A8ED9000")) == (b"", 0x9000)
    assert channel.ssc == 0x887022120C06C228


def test_d3_read_binary_header_and_rest() -> None:
    channel = SecureChannel(KS_ENC, KS_MAC, 0x887022120C06C228)
    assert channel.wrap(H("00B00000"), le=4) == H("0CB000000D9701048E08ED6705417E96BA5500")
    response = H("8709019FF0EC34F9922651990290008E08AD55CC17140B2DED9000")
    assert channel.unwrap(response) == (H("60145F01"), 0x9000)
    assert channel.wrap(H("00B00004"), le=0x12) == H("0CB000040D9701128E082EA28A70F3C7B53500")
    response = H(
        "871901FB9235F4E4037F2327DCC8964F1F9B8C30F42C8E2FFF224A990290008E08C8B2787EAEA07D749000"
    )
    assert channel.unwrap(response) == (H("04303130365F36063034303030305C026175"), 0x9000)
    assert channel.ssc == 0x887022120C06C22C


def test_tampered_response_mac_is_rejected() -> None:
    channel = SecureChannel(KS_ENC, KS_MAC, SSC)
    channel.wrap(H("00A4020C"), H("011E"))
    with pytest.raises(SecureMessagingError):
        channel.unwrap(H("990290008E08FA855A5D4C50A8EE9000"))


def test_response_without_mac_is_rejected() -> None:
    with pytest.raises(SecureMessagingError):
        SecureChannel(KS_ENC, KS_MAC, SSC).unwrap(H("6988"))


def test_padding_and_parity() -> None:
    assert tdes.pad(H("011E")) == H("011E800000000000")
    assert tdes.pad(bytes(8)) == bytes(8) + H("8000000000000000")
    assert tdes.unpad(H("011E800000000000")) == H("011E")
    assert tdes.adjust_parity(H("00FF")) == H("01FE")


def test_channel_repr_hides_keys() -> None:
    assert KS_ENC.hex() not in repr(SecureChannel(KS_ENC, KS_MAC, SSC)).lower()
