"""The catalogue file: each branch takes the ISIL of its own library within the organisation;
the reasons for cancelling, each with a Dutch label."""

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.catalogue.loader import CatalogueError, load_catalogue
from shared.models.catalogue import Branch, CancelReason


def branch_isils(db_session: Session) -> dict[str, str]:
    """Each branch's code with its ISIL."""
    return {code: isil for code, isil in db_session.execute(select(Branch.code, Branch.isil))}


def test_each_branch_has_the_isil_of_its_prefix(db_session: Session) -> None:
    assert branch_isils(db_session) == {
        "5270": "NL-083076",  # Ruinerwold
        "9401": "NL-070297",  # Annen
        "9453": "NL-070297",  # Roden
    }


def write(tmp_path: Path, isil: str, branch: str) -> Path:
    """A small catalogue file with ISIL entries and one branch."""
    path = tmp_path / "catalogue.toml"
    path.write_text(
        f'organisation = "test"\n{isil}\n[[branch]]\n{branch}\nname = "B"\nstreet = "S 1"\n'
        'postcode = "1234 AB"\ncity = "C"\nphone = "1"\nemail = "b@example.nl"\nwebsite = "w"\n',
        encoding="utf-8",
    )
    return path


def test_a_branch_no_isil_covers_is_refused(db_session: Session, tmp_path: Path) -> None:
    path = write(tmp_path, '[[isil]]\ncode = "NL-1"\nbranches = ["1000"]', 'code = "2000"')
    with pytest.raises(CatalogueError, match="branch 2000"):
        load_catalogue(db_session, path)


def test_a_prefix_of_two_isils_is_refused(db_session: Session, tmp_path: Path) -> None:
    isils = (
        '[[isil]]\ncode = "NL-1"\nbranches = ["1000"]\n[[isil]]\ncode = "NL-2"\nbranches = ["1000"]'
    )
    with pytest.raises(CatalogueError, match="1000"):
        load_catalogue(db_session, write(tmp_path, isils, 'code = "1000"'))


def test_the_reasons_for_cancelling_are_loaded_in_order_the_desks_own_marked(
    db_session: Session,
) -> None:
    reasons = db_session.scalars(select(CancelReason).order_by(CancelReason.sort_order)).all()
    assert [reason.code for reason in reasons][:2] == ["verhuisd", "te_duur"]
    assert [reason.code for reason in reasons if reason.desk_only] == ["overleden"]
    assert all(reason.label("nl") and reason.label("en") for reason in reasons)


def test_a_reason_for_cancelling_without_a_dutch_label_is_refused(
    db_session: Session, tmp_path: Path
) -> None:
    path = write(tmp_path, '[[isil]]\ncode = "NL-1"\nbranches = ["1000"]', 'code = "1000"')
    reason = '\n[[cancel_reason]]\ncode = "weg"\nlabels = { en = "Gone" }\n'
    path.write_text(path.read_text(encoding="utf-8") + reason, encoding="utf-8")
    with pytest.raises(CatalogueError, match="cancel reason weg"):
        load_catalogue(db_session, path)


def subscription(code: str, price: str, extra: str = "") -> str:
    """A subscription entry of a catalogue file."""
    return (
        f'\n[[subscription]]\ncode = "{code}"\nnames = {{ nl = "{code}" }}\n'
        f'summaries = {{ nl = "{code}" }}\nprice = "{price}"\nvalidity = "until_age"\n'
        f"max_age = 18\n{extra}"
    )


def test_a_next_subscription_that_costs_money_is_refused(
    db_session: Session, tmp_path: Path
) -> None:
    path = write(tmp_path, '[[isil]]\ncode = "NL-1"\nbranches = ["1000"]', 'code = "1000"')
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text
        + subscription("young", "0.00", 'next_code = "paid"\n')
        + subscription("paid", "58.00"),
        encoding="utf-8",
    )
    with pytest.raises(CatalogueError, match="subscription young: next_code names a paid one"):
        load_catalogue(db_session, path)
