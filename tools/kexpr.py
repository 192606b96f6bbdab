"""``make sim TESTS=...``: check the pytest ``-k`` expression before the run.

pytest-xdist reports a malformed ``-k`` expression (``TESTS='gray and ('``) as an
``INTERNALERROR`` traceback from every worker; this prints one ``error:`` line
and exits 2 instead.  Uses pytest's own expression parser.
"""

from __future__ import annotations

import sys


def main(argv=None) -> None:
    args = sys.argv[1:] if argv is None else argv
    expr = args[0] if args else ""
    try:
        from _pytest.mark import expression
    except ImportError:  # a pytest without this module: let pytest judge the expression
        return
    # pytest < 8.4 raises its ParseError, later ones a SyntaxError naming the position
    errors = tuple(e for e in (getattr(expression, "ParseError", None), SyntaxError) if e)
    try:
        expression.Expression.compile(expr)
    except errors as exc:
        why = exc.msg if isinstance(exc, SyntaxError) else str(exc)
        col = f" at column {exc.offset}" if isinstance(exc, SyntaxError) and exc.offset else ""
        print(f"error: TESTS={expr!r} is not a pytest -k expression: {why}{col}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
