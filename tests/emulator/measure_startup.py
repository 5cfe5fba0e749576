"""Measure how long the whole stack (fakes + Azurite) takes to start: ``python -m tests.emulator.measure_startup [N]``.

Prints one line per run and the median; the target is under 3 s. The reference figure is
Azurite alone (node start until its port listens), measured in the same run, so the ratio shows what
the fakes add.
"""
from __future__ import annotations

import statistics
import sys
import tempfile
import time

from .azurite import Azurite, make_accounts
from .emulator import Emulator
from .tls import make_tls_files


def main(argv=None) -> int:
    runs = int((argv or sys.argv[1:] or ["5"])[0])
    whole, azurite_only = [], []
    for _ in range(runs):
        started = time.monotonic()
        emu = Emulator(speed=600).start()
        whole.append(time.monotonic() - started)
        emu.stop()
        with tempfile.TemporaryDirectory() as tmp:
            az = Azurite(make_tls_files(tmp), tmp, make_accounts(24))
            started = time.monotonic()
            az.start()
            azurite_only.append(time.monotonic() - started)
            az.stop()
        print(f"stack {whole[-1]:.3f} s   azurite alone {azurite_only[-1]:.3f} s")
    med, ref = statistics.median(whole), statistics.median(azurite_only)
    print(f"median stack startup {med:.3f} s (target < 3 s); azurite alone {ref:.3f} s; ratio {med / ref:.2f}")
    return 0 if med < 3 else 1


if __name__ == "__main__":
    sys.exit(main())
