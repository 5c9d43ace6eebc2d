"""leakguard — a pre-send leak checker for Chinese-language work messages.

Library use (no click needed)::

    from leakguard import Scanner, check
    verdict = Scanner.default().check("交办单拍给你们看看，别外传", to="家族群")
    verdict.verdict, [f.code for f in verdict.findings]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["Finding", "LeakguardError", "Scanner", "Verdict", "__version__", "check"]

if TYPE_CHECKING:
    from .model import Finding, LeakguardError, Verdict
    from .scanner import Scanner, check


def __getattr__(name: str) -> Any:  # lazy: `import leakguard` stays cheap
    if name in ("Scanner", "check"):
        from . import scanner

        return getattr(scanner, name)
    if name in ("Verdict", "Finding", "LeakguardError"):
        from . import model

        return getattr(model, name)
    raise AttributeError(name)
