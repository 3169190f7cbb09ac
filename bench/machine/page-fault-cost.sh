#!/usr/bin/env bash
# What first-touching memory costs on this machine: maps 512 MiB, writes one byte per 4 KiB page (each write
# faults a fresh page in), then writes them all again (no faults). On the 2-core VMs here a fault costs ~14 µs,
# tens of times a bare-metal fault, so a process that grows its heap by 1 GB spends seconds in the kernel.
# usage: bench/machine/page-fault-cost.sh [MIB=512]
set -euo pipefail
python3 - "${1:-512}" <<'PY'
import mmap, sys, time
size = int(sys.argv[1]) * 1024 * 1024
pages = size // 4096
memory = mmap.mmap(-1, size)
for label in ("first touch (page faults)", "second touch (no faults)"):
    started = time.perf_counter()
    for offset in range(0, size, 4096):
        memory[offset] = 1
    seconds = time.perf_counter() - started
    print(f"{label}: {pages:,} pages in {seconds:.2f} s = {seconds / pages * 1e6:.2f} us per page")
PY
