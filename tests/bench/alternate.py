#!/usr/bin/env python3
# tests/bench/alternate.py: times one process per file for two or more commands, alternating them file by file so
# that every command meets the same machine (a VM's speed drifts by a fifth within minutes).
#   alternate.py FILE... -- 'CMD {}' 'CMD {}' ...   ({} is the file; commands are split like a shell would)
# Prints one line: for each command, its mean wall ms per file and mean CPU ms (user + system of the process) per
# file. Exit codes and output are not looked at: the caller checks the verdicts separately.
import os
import shlex
import sys
import time


def run(argv, null):
    t0 = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        os.dup2(null, 1)
        os.dup2(null, 2)
        try:
            os.execvp(argv[0], argv)
        finally:
            os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    if os.waitstatus_to_exitcode(status) == 127:
        sys.exit("alternate.py: cannot run " + argv[0])
    return time.perf_counter() - t0, usage.ru_utime + usage.ru_stime


def main():
    if "--" not in sys.argv:
        sys.exit("usage: alternate.py FILE... -- 'CMD {}'...")
    cut = sys.argv.index("--")
    files, cmds = sys.argv[1:cut], sys.argv[cut + 1:]
    if not files or not cmds:
        sys.exit("usage: alternate.py FILE... -- 'CMD {}'...")
    null = os.open(os.devnull, os.O_WRONLY)
    wall = [0.0] * len(cmds)
    cpu = [0.0] * len(cmds)
    for i, f in enumerate(files):
        # Which command goes first changes every file, so neither always runs on a warmer cache.
        order = range(len(cmds)) if i % 2 == 0 else reversed(range(len(cmds)))
        for k in order:
            w, c = run([a.replace("{}", f) for a in shlex.split(cmds[k])], null)
            wall[k] += w
            cpu[k] += c
    print(" ".join("%.2f %.2f" % (1000 * wall[k] / len(files), 1000 * cpu[k] / len(files)) for k in range(len(cmds))))


if __name__ == "__main__":
    main()
