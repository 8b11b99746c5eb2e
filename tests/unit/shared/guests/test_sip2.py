"""Our SIP2 frames against pysip2's codec (a third party): the same bytes and checksum out, its
frames read back, and a wrong checksum or a cut-off frame refused."""

import pytest
from pysip2 import PatronInformationRequest, PatronInformationResponse, encode_message

from shared.guests.sip2 import Message, Sip2Error, decode, encode

FIXED_63 = "000" + "20261206    120000" + " " * 10


def test_a_request_is_the_frame_pysip2_writes() -> None:
    theirs = PatronInformationRequest(
        language="000",
        transaction_date="20261206    120000",
        summary=" " * 10,
        institution_id="NL-087041",
        patron_identifier="28415000012345",
        terminal_password="",
        patron_password="",
    )
    fields = [("AO", "NL-087041"), ("AA", "28415000012345"), ("AC", ""), ("AD", "")]
    ours = encode(Message("63", FIXED_63, fields), 3, "cp850")
    assert ours == encode_message(theirs, sequence_number=3, checksum=True, encoding="cp850")


def test_an_answer_pysip2_writes_is_read_with_its_repeated_fields() -> None:
    response = PatronInformationResponse(
        patron_status=" " * 14,
        language="000",
        transaction_date="20261206    120000",
        hold_items_count="0000",
        overdue_items_count="0001",
        charged_items_count="0002",
        fine_items_count="0000",
        recall_items_count="0000",
        unavailable_holds_count="0000",
        institution_id="NL-087041",
        patron_identifier="28415000012345",
        personal_name="Brouwér, Sjoukje",
        valid_patron="Y",
        screen_message=("Welkom", "Tot ziens"),
    )
    frame = encode_message(response, sequence_number=7, checksum=True, encoding="cp850")
    message = decode(frame, "cp850")
    assert (message.command, message.fixed[14:17]) == ("64", "000")
    assert message.value("AE") == "Brouwér, Sjoukje" and message.value("BL") == "Y"
    assert message.values("AF") == ["Welkom", "Tot ziens"] and message.value("PA") is None


def test_a_wrong_checksum_or_a_cut_off_answer_is_refused() -> None:
    frame = encode(Message("94", "1"), 0)
    assert decode(frame).fixed == "1"
    with pytest.raises(Sip2Error, match="checksum"):
        decode(frame.replace(b"941", b"940"))
    with pytest.raises(Sip2Error, match="cut off"):
        decode(b"64" + b" " * 20 + b"\r")
    with pytest.raises(Sip2Error, match="unexpected"):
        decode(b"XX\r")


def test_a_value_that_would_break_the_frame_is_refused() -> None:
    with pytest.raises(Sip2Error, match="holds"):
        encode(Message("63", FIXED_63, [("AA", "12|34")]), 0)
    with pytest.raises(Sip2Error, match="fixed part"):
        encode(Message("63", "000", []), 0)


def test_malformed_error_detection_is_refused_but_a_name_holding_az_is_not() -> None:
    for frame in (b"941AY3AZ12G4\r", b"941AZ12\r", b"64" + b" " * 59 + b"AOx|AY3AZ\r"):
        with pytest.raises(Sip2Error, match="malformed"):
            decode(frame)
    named = decode(b"64" + b" " * 59 + b"AOx|AEBrouwer, AZ|BLY|\r")
    assert named.value("AE") == "Brouwer, AZ" and named.sequence is None
    assert decode(encode(Message("94", "1"), 7)).sequence == 7
