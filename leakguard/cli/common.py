"""Option bundles shared by several commands."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def lang_option(f: F) -> F:
    return click.option(
        "--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
        help="Language of the report (zh-CN or English).",
    )(f)


def lexicon_options(f: F) -> F:
    f = click.option(
        "--lexicon", "lexicons", multiple=True, type=click.Path(path_type=Path),
        help="Extra lexicon or case file/folder (TOML), added to the bundled ones. Repeatable.",
    )(f)
    f = click.option(
        "--only-lexicon", "only", multiple=True, type=click.Path(path_type=Path),
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
