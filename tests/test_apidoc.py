"""``docs/api.md`` documents every name of ``core.api`` and is current."""

from core import api
from core.apidoc import describe, render
from core.paths import ROOT


def test_every_public_name_is_described():
    undocumented = [name for name in api.__all__ if not describe(name)[1].strip()]
    assert not undocumented, f"give these a docstring (or a note in core/apidoc.py): {undocumented}"


def test_the_reference_is_current():
    on_disk = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    assert on_disk == render(), "docs/api.md is stale: run `make api-docs`"
    for name in api.__all__:
        assert f"## `{name}`" in on_disk
