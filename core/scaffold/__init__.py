"""``danwei plugin new NAME``: write a complete, installable plugin from a template.

The template (``template/``) is plain Jinja2, already a dependency, rendered with ``[[ ]]`` and
``[% %]`` delimiters so that the plugin's own Jinja templates pass through untouched; ``__name__``
in a path becomes the plugin's name, and every file ends in ``.jinja`` (dropped on writing) so
that no tool takes the template for code. Copier was weighed for its ``copier update``, but it
updates only from a template kept in a git repository with tags, which a template shipped
inside core's wheel is not; the answers are recorded in ``.danwei-plugin.json`` instead, so an
update tool can be added without regenerating.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

TEMPLATE = Path(__file__).parent / "template"
#: Bumped when the template changes, recorded in the generated plugin.
TEMPLATE_VERSION = "2"
NAME = re.compile(r"^[a-z][a-z0-9_]{1,30}$")


class ScaffoldError(ValueError):
    """The name or the target folder cannot be used."""


def answers(name: str, label: str | None = None, label_zh: str | None = None) -> dict:
    """The values the template is rendered with."""
    if not NAME.match(name) or name.endswith("_"):
        raise ScaffoldError(
            f"{name!r} is not a plugin name: lower-case letters, digits and _, starting with a "
            "letter (it becomes the package danwei_<name> and the prefix of its tables)")
    camel = "".join(part.capitalize() for part in name.split("_"))
    label = label or name.replace("_", " ").capitalize()
    return {
        "name": name,
        "package": f"danwei_{name}",
        "model": f"{camel}Item",
        "table": f"{name}_items",
        "revision": f"{name.replace('_', '')[:4]}01",
        "label": label,
        "label_zh": label_zh or label,
        "today": date.today().isoformat(),
        "template_version": TEMPLATE_VERSION,
    }


def generate(name: str, target: Path, label: str | None = None,
             label_zh: str | None = None) -> Path:
    """Write the plugin *name* into the folder *target* (which must not exist yet or be empty)
    and compile its catalogue, so that ``pip install -e target`` gives a working plugin."""
    values = answers(name, label, label_zh)
    if target.exists() and any(target.iterdir()):
        raise ScaffoldError(f"{target} exists and is not empty")
    env = Environment(
        loader=FileSystemLoader(TEMPLATE), undefined=StrictUndefined, keep_trailing_newline=True,
        variable_start_string="[[", variable_end_string="]]",
        block_start_string="[%", block_end_string="%]",
        comment_start_string="[#", comment_end_string="#]",
    )
    for source in sorted(TEMPLATE.rglob("*")):
        if source.is_dir() or source.suffix != ".jinja":
            continue
        relative = source.relative_to(TEMPLATE).as_posix()
        destination = target / relative.removesuffix(".jinja").replace(
            "__name__", name).replace("__date__", values["today"].replace("-", "_")).replace(
            "__revision__", values["revision"])
        destination.parent.mkdir(parents=True, exist_ok=True)
        text = env.get_template(relative).render(values)
        destination.write_text(text, encoding="utf-8")
    (target / ".danwei-plugin.json").write_text(
        json.dumps(values, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    compile_catalogue(target / values["package"] / "translations", values["package"])
    return target


def compile_catalogue(translations: Path, domain: str) -> list[Path]:
    """Compile every ``<locale>/LC_MESSAGES/<domain>.po`` under *translations* to ``.mo``."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po in sorted(translations.glob(f"*/LC_MESSAGES/{domain}.po")):
        with po.open("rb") as handle:
            catalog = read_po(handle)
        with po.with_suffix(".mo").open("wb") as handle:
            write_mo(handle, catalog)
        written.append(po.with_suffix(".mo"))
    return written
