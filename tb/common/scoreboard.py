"""In-order scoreboard: every observed transaction must equal the next expected one."""

from __future__ import annotations

from collections import deque


class Scoreboard:
    """Expected items come from a golden callable (or are pushed); observations pop them.

    ``check_empty`` at the end of a test proves nothing expected went missing.
    Mismatches are collected (not raised inside monitor callbacks) and reported
    together with the first few differences.
    """

    def __init__(self, name: str, expected=(), max_reported: int = 5):
        self.name = name
        self.expected = deque(expected)
        self.matched = 0
        self.mismatches = []
        self.unexpected = []
        self.max_reported = max_reported

    @classmethod
    def from_golden(cls, name: str, golden, *args, **kwargs):
        """Expected sequence = ``golden(*args, **kwargs)`` (an iterable of items)."""
        return cls(name, golden(*args, **kwargs))

    def observe(self, item):
        if not self.expected:
            self.unexpected.append(item)
            return
        want = self.expected.popleft()
        if item == want:
            self.matched += 1
        else:
            self.mismatches.append((self.matched + len(self.mismatches), item, want))

    def check(self):
        """Raise if anything mismatched or arrived unexpectedly."""
        if self.mismatches:
            shown = "; ".join(f"#{i}: got {got}, want {want}" for i, got, want in self.mismatches[: self.max_reported])
            raise AssertionError(f"{self.name}: {len(self.mismatches)} mismatches ({self.matched} matched): {shown}")
        if self.unexpected:
            raise AssertionError(f"{self.name}: {len(self.unexpected)} unexpected items, first {self.unexpected[0]}")

    def check_empty(self):
        """Final check: all matched and nothing still expected."""
        self.check()
        if self.expected:
            raise AssertionError(
                f"{self.name}: {len(self.expected)} expected items never arrived; next {self.expected[0]}")
