"""One register of refusals: every code raised is registered, every registered code is raised."""

import ast
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

from shared.paths import PROJECT_ROOT
from shared.refusals import ENGLISH, GENERIC, REFUSALS, Presenter, describe, http_status

SOURCES = ("shared", "portal", "kiosk")


def python_files() -> Iterator[Path]:
    """Every module of the apps and the domain (the Mollie sandbox has errors of its own)."""
    for top in SOURCES:
        for path in (PROJECT_ROOT / top).rglob("*.py"):
            if "mollie_sandbox" not in path.parts:
                yield path


def codes_in(node: ast.expr) -> list[str]:
    """The literal codes an expression can be: a string, or either side of `a if c else b`."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return codes_in(node.body) + codes_in(node.orelse)
    return []


def domain_error_calls() -> Iterator[tuple[str, ast.Call]]:
    """Each `DomainError(...)` made in the sources (also a subclass's `super().__init__(...)`),
    with the file it is in."""
    for path in python_files():
        tree = ast.parse(path.read_text(), str(path))
        inits = subclass_inits(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            if getattr(node.func, "id", None) == "DomainError" or node in inits:
                yield str(path.relative_to(PROJECT_ROOT)), node


def subclass_inits(tree: ast.Module) -> list[ast.Call]:
    """The `super().__init__(...)` calls in the module's subclasses of DomainError."""
    classes = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef)
        and any(getattr(base, "id", None) == "DomainError" for base in node.bases)
    ]
    return [
        node
        for cls in classes
        for node in ast.walk(cls)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "__init__"
        and getattr(getattr(node.func.value, "func", None), "id", None) == "super"
    ]


def domain_errors() -> Iterator[tuple[str, int, ast.expr]]:
    """Where each `DomainError(...)` is made: file, line and its code argument."""
    for path, call in domain_error_calls():
        yield path, call.lineno, call.args[0]


def test_every_code_is_a_literal_that_is_registered() -> None:
    found = list(domain_errors())
    assert len(found) > 60
    for path, line, argument in found:
        codes = codes_in(argument)
        assert codes, f"{path}:{line}: a refusal's code must be written out, not computed"
        for code in codes:
            assert code in REFUSALS, f"{path}:{line}: {code!r} is not in shared/refusals.py"


def test_every_refusal_carries_the_details_its_message_names() -> None:
    for path, call in domain_error_calls():
        given = {keyword.arg for keyword in call.keywords}
        if None in given:  # **details: passed on from another refusal, checked where made
            continue
        for code in codes_in(call.args[0]):
            missing = REFUSALS[code].details - given
            assert not missing, f"{path}:{call.lineno}: {code!r} lacks {sorted(missing)}"


def test_a_refusal_without_the_details_its_message_names_gets_the_generic_message(
    caplog,  # noqa: ANN001
) -> None:
    assert describe("secondary_card", {}, ENGLISH) == GENERIC
    assert "secondary_card" in caplog.text and "main" in caplog.text


def test_every_registered_code_is_raised() -> None:
    raised = {code for _path, _line, argument in domain_errors() for code in codes_in(argument)}
    assert set(REFUSALS) - raised == set()


def test_an_unregistered_code_gets_the_generic_message_and_a_log_line(caplog) -> None:  # noqa: ANN001
    assert describe("no_such_rule", {}, ENGLISH) == GENERIC
    assert "no_such_rule" in caplog.text
    assert http_status("no_such_rule") == 422


def test_details_fill_the_message_times_and_amounts_in_the_apps_form() -> None:
    shown = Presenter(
        translate=lambda message, **details: message % details,
        moment=lambda moment: f"{moment:%H:%M}",
        amount=lambda amount: f"EUR {amount}",
    )
    throttled = {"until": "2026-12-04T15:30:00+00:00"}
    assert describe("too_many_attempts", throttled, shown).endswith("after 15:30.")
    refund = describe("refund_too_much", {"available": Decimal("7.50")}, shown)
    assert refund.startswith("At most EUR 7.50")


def test_details_that_do_not_fit_give_the_generic_message(caplog) -> None:  # noqa: ANN001
    assert describe("too_many_attempts", {"until": "not a time"}, ENGLISH) == GENERIC
    assert "too_many_attempts" in caplog.text
