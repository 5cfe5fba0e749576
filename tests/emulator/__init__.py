"""A faithful local Azure for tests and the demo.

``from tests.emulator import Emulator``; ``python -m tests.emulator`` runs it by hand.
See docs/emulator.md.
"""
from .emulator import Emulator

__all__ = ["Emulator"]
