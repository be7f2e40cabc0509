#!/usr/bin/env python3
# tests/cli/syscall_order.py: reads an `strace -f` log of one `eseal seal` run and checks the order that makes an
# output crash-safe: (1) no output gets a name (linkat of /proc/self/fd/N) before a flush (fsync/fdatasync of N, or
# syncfs) that started after its last write completed and ended before the name; (2) --single: the directory is
# fsynced after the final name; (3) --batch: a document's "sealed" JSON line is written only after a flush that
# started after its output was named. Exits 1 naming the first violation.
#   syscall_order.py LOG --single | --batch [--min-names N]
import re
import sys

LINE = re.compile(r"^(\d+)\s+(.*)$")
CALL = re.compile(r"^(\w+)\((.*)$")
RESUMED = re.compile(r"^<\.\.\. (\w+) resumed>(.*)$")
RET = re.compile(r"\)\s+=\s+(-?\d+)")


def parse(path):
    """Events in log order: dict(name, args, pid, start, end, ret); start/end are line indexes."""
    pending, events = {}, []
    for i, raw in enumerate(open(path, encoding="utf-8", errors="replace")):
        m = LINE.match(raw.rstrip("\n"))
        if not m:
            continue
        pid, rest = m.group(1), m.group(2)
        r = RESUMED.match(rest)
        if r:
            ev = pending.pop(pid, None)
            if ev is None or ev["name"] != r.group(1):
                continue
            ev["args"] += r.group(2)
            ev["end"] = i
            ret = RET.search(r.group(2))
            ev["ret"] = int(ret.group(1)) if ret else None
            continue
        c = CALL.match(rest)
        if not c:
            continue
        ev = {"name": c.group(1), "args": c.group(2), "pid": pid, "start": i, "end": i, "ret": None}
        events.append(ev)
        if rest.endswith("<unfinished ...>"):
            ev["args"] = ev["args"][: -len("<unfinished ...>")]
            pending[pid] = ev
        else:
            ret = RET.search(rest)
            ev["ret"] = int(ret.group(1)) if ret else None
    return events


def first_arg(ev):
    return re.split(r"[,)]", ev["args"], 1)[0].strip()


def main():
    log, mode = sys.argv[1], sys.argv[2]
    min_names = int(sys.argv[sys.argv.index("--min-names") + 1]) if "--min-names" in sys.argv else 1
    events = parse(log)
    flushes = [e for e in events if e["name"] in ("fsync", "fdatasync", "syncfs") and e["ret"] == 0]
    last_write = {}  # fd -> end index of its last completed write
    named = {}  # base name -> its naming event
    checked = 0
    for ev in events:
        if ev["name"] in ("write", "pwrite64") and ev["ret"] is not None and ev["ret"] >= 0:
            last_write[first_arg(ev)] = ev["end"]
        if ev["name"] != "linkat" or ev["ret"] != 0:
            continue
        m = re.match(r'AT_FDCWD, "/proc/self/fd/(\d+)", (\w+), "([^"]*)"', ev["args"])
        if not m:
            continue
        fd, dirfd, base = m.group(1), m.group(2), m.group(3)
        wrote = last_write.get(fd)
        if wrote is None:
            sys.exit("linkat of fd %s (%s): no write to it was traced" % (fd, base))
        ok = any(f["start"] > wrote and f["end"] < ev["start"] and
                 (f["name"] == "syncfs" or first_arg(f) == fd) for f in flushes)
        if not ok:
            sys.exit("%s (fd %s) was named (line %d) before a flush of its data (last write line %d)" %
                     (base, fd, ev["start"] + 1, wrote + 1))
        named[base] = (ev, dirfd)
        checked += 1
    if checked < min_names:
        sys.exit("only %d outputs were named in the trace, want %d" % (checked, min_names))
    if mode == "--single":
        finals = [e for e in events if e["ret"] == 0 and (e["name"] in ("renameat", "renameat2") or
                                                         (e["name"] == "linkat" and ".eseal-tmp" not in e["args"]))]
        if not finals:
            sys.exit("no final name in the trace")
        last = finals[-1]
        dirfd = last["args"].split(",")[2].strip()  # newdirfd of linkat and renameat alike
        if not any(f["name"] == "fsync" and first_arg(f) == dirfd and f["start"] > last["end"] for f in flushes):
            sys.exit("the directory (fd %s) was not fsynced after the output got its name" % dirfd)
    elif mode == "--batch":
        reports = 0
        for ev in events:
            if ev["name"] != "write" or first_arg(ev) != "1" or '\\"status\\":\\"sealed\\"' not in ev["args"]:
                continue
            m = re.search(r'\\"output\\":\\"([^\\]*)\\"', ev["args"])
            base = m.group(1).rsplit("/", 1)[-1] if m else None
            if base not in named:
                sys.exit("a sealed line for %s, which was never named in the trace" % base)
            name_ev = named[base][0]
            if not any(f["start"] > name_ev["end"] and f["end"] < ev["start"] for f in flushes):
                sys.exit("%s was reported sealed (line %d) before a flush made its name durable" % (base, ev["start"] + 1))
            reports += 1
        if reports < min_names:
            sys.exit("only %d sealed lines were checked, want %d" % (reports, min_names))
    print("ok: %d outputs flushed before named%s" % (checked, ", reported after" if mode == "--batch" else ""))


main()
