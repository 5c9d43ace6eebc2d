"""Option bundles shared by several commands (click), and ``prepare`` for a click command."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from .guard import Env, prepare_env

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


def guard_options(f: F) -> F:
    f = click.option("--baseline", "baseline", type=click.Path(dir_okay=False), default=None, callback=as_path,
                     help="Report only findings not in this baseline (see `leakguard baseline create`).")(f)
    f = click.option("--no-config", is_flag=True, help="Ignore .leakguard.toml / [tool.leakguard] settings.")(f)
    f = click.option("--config", "config", type=click.Path(dir_okay=False), default=None, callback=as_path,
                     help="Settings file (default: .leakguard.toml or pyproject.toml [tool.leakguard], "
                          "found by walking up from the current folder).")(f)
    return f


def lang_given(ctx: click.Context) -> bool:
    """Whether ``--lang`` came from the command line (not its default): it then beats the settings."""
    return ctx.get_parameter_source("lang") not in (None, click.core.ParameterSource.DEFAULT)


def prepare(ctx: click.Context, config: Path | None, no_config: bool, baseline: Path | None,
            lexicons: tuple[Path, ...], only: tuple[Path, ...], lang: str, fail_on: str | None) -> Env:
    return prepare_env(config, no_config, baseline, lexicons, only, lang, lang_given(ctx), fail_on)
