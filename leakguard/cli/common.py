"""Option bundles shared by several commands."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from pathlib import Path

F = TypeVar("F", bound=Callable[..., Any])


def as_path(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    """Option callback: a given value (or each of a repeated option's) as a ``pathlib.Path``.

    Used with ``type=click.Path()`` instead of ``click.Path(path_type=Path)``, so that pathlib
    (3 ms with urllib) is imported only when a path option is actually given.
    """
    if not value:
        return value
    from pathlib import Path

    return tuple(Path(v) for v in value) if isinstance(value, tuple) else Path(value)


def lang_option(f: F) -> F:
    return click.option(
        "--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
        help="Language of the report (zh-CN or English).",
    )(f)


def lexicon_options(f: F) -> F:
    f = click.option(
        "--lexicon", "lexicons", multiple=True, type=click.Path(), callback=as_path,
        help="Extra lexicon or case file/folder (TOML), added to the bundled ones. Repeatable.",
    )(f)
    f = click.option(
        "--only-lexicon", "only", multiple=True, type=click.Path(), callback=as_path,
        help="Use only these lexicon/case files or folders instead of the bundled ones.",
    )(f)
    return f


def make_scanner(lexicons: tuple[Path, ...], only: tuple[Path, ...], lang: str) -> Any:
    from ..scanner import Scanner

    if not lexicons and not only:
        return Scanner.default()
    return Scanner.from_paths(list(only) if only else None, extra=list(lexicons), lang=lang)


def styler(color: bool | None) -> Callable[..., str]:
    if color is False:
        from ..render.text import _plain

        return _plain
    return lambda s, **kw: click.style(s, **kw)
