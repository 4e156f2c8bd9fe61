"""A plugin compares workflow states and actions with the enums, never with string literals.

``event.state == RequestState.APROVED`` fails the first time the line runs (an
:class:`AttributeError`), but ``event.state == "aproved"`` is simply false, for ever, in
production. This check reads a plugin's source (it runs nothing) and reports each string
literal compared with a workflow state or action:

- with ``event.state`` / ``event.action`` (and any ``<something>.event.state``), every
  literal — the enum member is the only way to write it;
- with any other ``.state`` or ``.action`` (a request's, a step's, an assignment's), a literal
  that is a workflow word or looks like a misspelt one (``"aproved"``), so that a plugin's own,
  unrelated ``state`` words are left alone.

Core's test suite runs it over every installed plugin (``tests/test_workflow_contract.py``),
and a plugin's own tests run it on their package through ``core.api.check_workflow_literals``:
``assert check_workflow_literals(danwei_myplugin) == []``.
"""

from __future__ import annotations

import ast
import difflib
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from .states import AssignmentState, EventAction, RequestState, StepState, TimelineAction

#: The enums whose words a watched attribute holds: ``(attribute, on an event)`` → enums.
ENUMS = {
    ("state", True): (RequestState,),
    ("action", True): (EventAction,),
    ("state", False): (RequestState, StepState, AssignmentState),
    ("action", False): (TimelineAction, EventAction),
}
#: Attributes whose values are workflow words.
WATCHED = ("state", "action")


def _members(enums) -> dict[str, list[str]]:
    """``{word: ["RequestState.APPROVED", ...]}`` for the words of *enums*."""
    words: dict[str, list[str]] = {}
    for enum in enums:
        for member in enum:
            words.setdefault(member.value, []).append(f"{enum.__name__}.{member.name}")
    return words


@dataclass(frozen=True)
class Finding:
    """One string literal compared with a workflow state or action."""

    path: str
    line: int
    literal: str
    advice: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.literal!r}: {self.advice}"


def _is_event(node: ast.expr) -> bool:
    return (isinstance(node, ast.Name) and node.id == "event") or (
        isinstance(node, ast.Attribute) and node.attr == "event")


def _watched(node: ast.expr) -> tuple[str, bool] | None:
    """``(attribute, on an event)`` when one side of a comparison holds workflow words."""
    if isinstance(node, ast.Attribute) and node.attr in WATCHED:
        return node.attr, _is_event(node.value)
    return None


def _literals(node: ast.expr) -> list[ast.Constant]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node]
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return [e for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
    return []


def _advice(literal: str, watched: tuple[str, bool]) -> str | None:
    """What to write instead of *literal*, or None when it is no concern of the contract."""
    words = _members(ENUMS[watched])
    if literal in words:
        return f"compare with {' or '.join(words[literal])}, not with a string"
    close = difflib.get_close_matches(literal, words, n=1, cutoff=0.8)
    if close:
        return f"no workflow {watched[0]} is called so; did you mean {words[close[0]][0]}?"
    if watched[1]:
        names = " or ".join(enum.__name__ for enum in ENUMS[watched])
        return f"no workflow {watched[0]} is called so; compare with a member of {names}"
    return None


def check_source(source: str, path: str = "<source>") -> list[Finding]:
    """The string literals *source* compares with workflow states or actions."""
    found: list[Finding] = []

    def report(constant: ast.Constant, watched: tuple[str, bool]) -> None:
        advice = _advice(constant.value, watched)
        if advice is not None:
            found.append(Finding(path, constant.lineno, constant.value, advice))

    for node in ast.walk(ast.parse(source, filename=path)):
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            sides = [side for side in map(_watched, operands) if side is not None]
            if sides:
                for operand in operands:
                    for constant in _literals(operand):
                        report(constant, sides[0])
        elif isinstance(node, ast.Match) and (watched := _watched(node.subject)):
            for case in node.cases:
                for sub in ast.walk(case.pattern):
                    if isinstance(sub, ast.MatchValue):
                        for constant in _literals(sub.value):
                            report(constant, watched)
    return sorted(found, key=lambda f: f.line)


def check_package(package: ModuleType | str | Path,
                  skip: tuple[str, ...] = ("tests", "migrations")) -> list[Finding]:
    """Every finding in the Python files of *package* (an imported plugin package, or its
    folder), leaving out the folders named in *skip*: tests may well compare with strings."""
    folder = Path(package.__path__[0] if isinstance(package, ModuleType) else package)
    found: list[Finding] = []
    for file in sorted(folder.rglob("*.py")):
        if any(part in skip for part in file.relative_to(folder).parts[:-1]):
            continue
        found += check_source(file.read_text(encoding="utf-8"), str(file))
    return found
