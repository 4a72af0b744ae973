#!/usr/bin/env python3
"""Host side of the emulated board (Toolchain/emulate-board): assembles the initramfs, boots Debian's
arm64 kernel under qemu-system-aarch64 (TCG), drives the PL061 GPIO inputs through QEMU's qtest socket
following the scenario's timeline, records the output edges, then checks what lanternd produced.

    harness.py SCENARIO --lanternd BIN --feeder BIN --kernel-root DIR --busybox BIN --work DIR

Prints a summary; the last line is one JSON object. Exit 0 only when the scenario's expectations hold.
"""
import argparse
import csv
import json
import os
import queue
import shutil
import socket
import stat
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
MODULES = ("rc-core cec mc videodev videobuf2-common videobuf2-v4l2 videobuf2-memops videobuf2-vmalloc "
           "videobuf2-dma-contig v4l2-dv-timings v4l2-tpg vivid netfs fscache 9pnet 9p 9pnet_virtio "
           "virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci virtio_mmio").split()
ARM64_LIB_DIRS = ["/usr/lib/aarch64-linux-gnu", "/lib/aarch64-linux-gnu"]


def log(text):
    print(f"emulate-board: {text}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- initramfs

class Cpio:
    """A newc cpio archive written without root: every entry owned by 0:0."""

    def __init__(self, path):
        self.f = open(path, "wb")
        self.ino = 1
        self.dirs = set()

    def _entry(self, name, mode, data=b"", nlink=1):
        name_b = name.encode() + b"\0"
        hdr = "070701" + "".join(f"{v:08x}" for v in (
            self.ino, mode, 0, 0, nlink, 0, len(data), 0, 0, 0, 0, len(name_b), 0))
        self.ino += 1
        self.f.write(hdr.encode() + name_b)
        self.f.write(b"\0" * ((4 - (110 + len(name_b)) % 4) % 4))
        self.f.write(data)
        self.f.write(b"\0" * ((4 - len(data) % 4) % 4))

    def mkdir(self, name):
        parts = name.strip("/").split("/")
        for i in range(1, len(parts) + 1):
            d = "/".join(parts[:i])
            if d and d not in self.dirs:
                self.dirs.add(d)
                self._entry(d, stat.S_IFDIR | 0o755, nlink=2)

    def file(self, name, src=None, data=None, mode=0o755):
        name = name.strip("/")
        self.mkdir(os.path.dirname(name))
        if data is None:
            with open(src, "rb") as f:
                data = f.read()
        self._entry(name, stat.S_IFREG | mode, data)

    def symlink(self, name, target):
        name = name.strip("/")
        self.mkdir(os.path.dirname(name))
        self._entry(name, stat.S_IFLNK | 0o777, target.encode())

    def close(self):
        self._entry("TRAILER!!!", 0)
        self.f.close()


def needed_libraries(binary):
    """The arm64 shared libraries `binary` needs (recursively), resolved in Debian's multiarch dirs."""
    found, todo = {}, [binary]
    while todo:
        out = subprocess.run(["readelf", "-d", todo.pop()], capture_output=True, text=True, check=True).stdout
        for line in out.splitlines():
            if "(NEEDED)" in line:
                name = line.split("[", 1)[1].split("]", 1)[0]
                if name in found:
                    continue
                for d in ARM64_LIB_DIRS:
                    if os.path.exists(os.path.join(d, name)):
                        found[name] = os.path.realpath(os.path.join(d, name))
                        todo.append(found[name])
                        break
                else:
                    raise SystemExit(f"emulate-board: {binary} needs {name}, not found in {ARM64_LIB_DIRS}; "
                                     f"install its arm64 package (Toolchain/install-deps PKG:arm64)")
    return found


def build_initramfs(path, args, kernel_version):
    cpio = Cpio(path)
    for d in ("bin", "dev", "proc", "sys", "tmp", "mnt/host", "lib/aarch64-linux-gnu", "lib/modules/lantern"):
        cpio.mkdir(d)
    cpio.file("init", os.path.join(HERE, "init.sh"))
    cpio.file("bin/busybox", args.busybox)
    cpio.symlink("bin/sh", "busybox")
    cpio.file("bin/lanternd", args.lanternd)
    cpio.file("bin/lantern-feeder", args.feeder)
    libs = needed_libraries(args.lanternd)
    for name, real in sorted(libs.items()):
        cpio.file(f"lib/aarch64-linux-gnu/{name}", real, mode=0o755)
    cpio.file("lib/ld-linux-aarch64.so.1", os.path.realpath("/lib/ld-linux-aarch64.so.1"))
    moddir = os.path.join(args.kernel_root, "lib/modules", kernel_version)
    index = {}
    for dirpath, _, files in os.walk(moddir):
        for f in files:
            if f.endswith(".ko"):
                index[f[:-3].replace("_", "-")] = os.path.join(dirpath, f)
    for m in MODULES:
        src = index.get(m.replace("_", "-"))
        if src:  # virtio core is built in on arm64
            cpio.file(f"lib/modules/lantern/{m}.ko", src, mode=0o644)
    cpio.close()
    return sorted(libs)


# ---------------------------------------------------------------- QEMU sockets

class Qtest:
    """QEMU's qtest protocol: we listen, QEMU connects. Replies go to a queue; `IRQ raise/lower N`
    notifications are recorded with host time."""

    def __init__(self, path):
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(path)
        self.server.listen(1)
        self.replies = queue.Queue()
        self.irqs = []
        self.conn = None

    def accept(self, timeout):
        self.server.settimeout(timeout)
        self.conn, _ = self.server.accept()
        self.conn.settimeout(None)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        buf = b""
        while True:
            try:
                chunk = self.conn.recv(4096)
            except OSError:
                return
            if not chunk:
                return
            buf += chunk
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                text = line.decode(errors="replace").strip()
                if text.startswith("IRQ "):
                    _, what, n = text.split()
                    self.irqs.append((time.monotonic(), int(n), 1 if what == "raise" else 0))
                else:
                    self.replies.put(text)

    def cmd(self, text, timeout=10):
        self.conn.sendall((text + "\n").encode())
        reply = self.replies.get(timeout=timeout)
        if not reply.startswith("OK"):
            raise RuntimeError(f"qtest '{text}': {reply}")
        return reply


class QMP:
    def __init__(self, path, timeout=30):
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(path)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        self.f = self.sock.makefile("rwb")
        self._read()  # greeting
        self.call("qmp_capabilities")

    def _read(self):
        while True:
            msg = json.loads(self.f.readline())
            if "event" not in msg:
                return msg

    def call(self, command, **arguments):
        self.f.write(json.dumps({"execute": command, "arguments": arguments}).encode() + b"\n")
        self.f.flush()
        return self._read()

    def find_type(self, type_name):
        for n in range(64):
            r = self.call("qom-get", path=f"/machine/unattached/device[{n}]", property="type")
            if r.get("return") == type_name:
                return f"/machine/unattached/device[{n}]"
        raise RuntimeError(f"no {type_name} device found over QMP")


# ---------------------------------------------------------------- run

def run(args):
    t_start = time.monotonic()
    with open(args.scenario) as f:
        sc = json.load(f)
    base = os.path.dirname(os.path.abspath(args.scenario))

    def rel(p):
        return os.path.normpath(os.path.join(base, p))

    board = json.load(open(rel(sc["board"])))
    roles = {r["role"]: r for r in board["roles"]}
    for r in board["roles"]:
        if r["line"] in board.get("reserved", []):
            raise SystemExit(f"emulate-board: {sc['board']}: role {r['role']} uses reserved line {r['line']}")
    name = os.path.splitext(os.path.basename(args.scenario))[0]
    work = os.path.join(args.work, name)
    shutil.rmtree(work, ignore_errors=True)
    share_in, share_out = os.path.join(work, "share/in"), os.path.join(work, "share/out")
    os.makedirs(share_in)
    os.makedirs(share_out)
    shutil.copy(rel(sc["clip"]), os.path.join(share_in, "clip.y4m"))
    shutil.copy(rel(sc["site"]), os.path.join(share_in, "site.json"))
    shutil.copy(rel(sc["board"]), os.path.join(share_in, "board.json"))
    camera_missing = sc.get("cameraMissingSeconds")
    with open(os.path.join(share_in, "scenario.env"), "w") as f:
        f.write(f"INTERVAL={int(sc.get('interval', 5))}\n")
        f.write(f"VIVID_AT_BOOT={0 if camera_missing else 1}\n")
        f.write(f"VIVID_DELAY={camera_missing or 0}\n")
        f.write(f"TAIL_SECONDS={sc.get('tailSeconds', 1)}\n")
        f.write(f"MAX_SECONDS={int(sc.get('maxSeconds', 90))}\n")

    kernel_version = os.listdir(os.path.join(args.kernel_root, "lib/modules"))[0]
    vmlinuz = os.path.join(args.kernel_root, "boot", f"vmlinuz-{kernel_version}")
    initrd = os.path.join(work, "initrd.cpio")
    libs = build_initramfs(initrd, args, kernel_version)
    log(f"{name}: initramfs {os.path.getsize(initrd) // 1024} KB (kernel {kernel_version}; lanternd needs {', '.join(libs)})")

    qtest_path, qmp_path = os.path.join(work, "qtest.sock"), os.path.join(work, "qmp.sock")
    qtest = Qtest(qtest_path)
    cmd = ["qemu-system-aarch64", "-M", "virt", "-cpu", "cortex-a72", "-accel", "tcg", "-smp", "1", "-m", "512",
           "-nodefaults", "-display", "none", "-serial", "stdio", "-no-reboot", "-kernel", vmlinuz, "-initrd", initrd,
           "-append", "console=ttyAMA0 quiet loglevel=3 panic=-1",
           "-fsdev", f"local,id=fs0,path={os.path.join(work, 'share')},security_model=none",
           "-device", "virtio-9p-pci,fsdev=fs0,mount_tag=host",
           "-qtest", f"unix:{qtest_path}", "-qtest-log", "/dev/null",
           "-qmp", f"unix:{qmp_path},server=on,wait=off"]
    t_qemu = time.monotonic()
    qemu = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    console, marks = [], []
    marks_cv = threading.Condition()

    def read_console():
        for raw in qemu.stdout:
            t = time.monotonic()
            line = raw.decode(errors="replace").rstrip("\r\n")
            console.append((t, line))
            if line.startswith("MARK "):
                with marks_cv:
                    marks.append((t, line[5:]))
                    marks_cv.notify_all()
                if args.verbose or not line.startswith("MARK lanternd-stderr"):
                    log(f"  [{t - t_qemu:6.2f}s] {line[5:]}")
    threading.Thread(target=read_console, daemon=True).start()

    def wait_mark(prefix, timeout):
        deadline = time.monotonic() + timeout
        with marks_cv:
            while True:
                for t, m in marks:
                    if m.startswith(prefix):
                        return t
                left = deadline - time.monotonic()
                if left <= 0 or qemu.poll() is not None:
                    return None
                marks_cv.wait(min(left, 0.5))

    failures = []
    try:
        qtest.accept(timeout=30)
        qmp = QMP(qmp_path)
        pl061 = qmp.find_type("pl061")
        qtest.cmd(f"irq_intercept_out {pl061}")
        inputs = {r["role"]: r for r in board["roles"] if r["role"] in ("pir", "tamper", "light", "button")}

        def drive(role, value):
            r = inputs[role]
            level = (1 - value) if r.get("activeLow") else value
            qtest.cmd(f"set_irq_in {pl061} unnamed-gpio-in {r['line']} {level}")

        for role in inputs:
            drive(role, 0)
        t0 = wait_mark("lanternd-start", 90)
        if t0 is None:
            raise RuntimeError("the guest never started lanternd (see the console log)")
        driven = []
        for ev in sorted(sc.get("timeline", []), key=lambda e: e["t"]):
            delay = t0 + ev["t"] - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            if qemu.poll() is not None:
                failures.append(f"guest ended before timeline event at {ev['t']} s")
                break
            drive(ev["role"], ev["value"])
            driven.append((time.monotonic() - t0, ev["role"], ev["value"]))
        qemu.wait(timeout=sc.get("maxSeconds", 90) + 60)
    except Exception as e:  # noqa: BLE001 - reported in the summary
        failures.append(f"harness: {e}")
        t0 = t0 if "t0" in locals() else None
        driven = locals().get("driven", [])
        pl061 = locals().get("pl061")
    finally:
        if qemu.poll() is None:
            qemu.kill()
            qemu.wait()
    t_end = time.monotonic()
    with open(os.path.join(work, "console.log"), "w") as f:
        for t, line in console:
            f.write(f"{t - t_qemu:8.3f} {line}\n")
    return summarize(sc, name, work, share_out, board, roles, qtest.irqs, marks, driven, t_qemu, t0, failures,
                     t_end - t_start, rel)


# ---------------------------------------------------------------- summary

def summarize(sc, name, work, out, board, roles, irqs, marks, driven, t_qemu, t0, failures, seconds, rel):
    exp = sc.get("expect", {})
    records = []
    if os.path.exists(os.path.join(out, "records.jsonl")):
        for line in open(os.path.join(out, "records.jsonl")):
            line = line.strip()
            if line:
                records.append(json.loads(line))
    frames = []  # (seq, clip_frame, count, trusted)
    if os.path.exists(os.path.join(out, "frames.log")):
        for line in open(os.path.join(out, "frames.log")):
            p = line.split()
            if len(p) >= 4:
                frames.append((int(p[0]), int(p[1]), int(p[2]), p[3] == "1"))
    truth = {}
    with open(rel(sc["truth"])) as f:
        for row in csv.DictReader(f):
            truth[int(row["frame"])] = int(row["count"])
    stderr_lines = [m[len("lanternd-stderr "):] for _, m in marks if m.startswith("lanternd-stderr ")]

    coded = [fr for fr in frames if fr[1] >= 0]
    scored = [fr for fr in coded if fr[3] and fr[1] in truth]
    mae = sum(abs(fr[2] - truth[fr[1]]) for fr in scored) / len(scored) if scored else None
    distinct = len({fr[1] for fr in coded})

    # Output edges per line (host time relative to lanternd's start), only the board's output lines.
    out_lines = {r["line"]: r["role"] for r in board["roles"] if r["role"] in ("status-led", "privacy-led", "relay")}
    edges = {role: [] for role in out_lines.values()}
    level = {}
    for t, n, v in irqs:
        if n in out_lines and level.get(n) != v:
            level[n] = v
            edges[out_lines[n]].append((round(t - t0, 3) if t0 else None, v))

    # Streaming periods from lanternd's own console lines ("streaming" / "stopped" / "lost" / "unavailable").
    stream = []
    for t, m in marks:
        if not m.startswith("lanternd-stderr ") or t0 is None:
            continue
        text = m[len("lanternd-stderr "):]
        if ": streaming " in text:
            stream.append((round(t - t0, 3), 1))
        elif ": stopped" in text or ": lost" in text:
            stream.append((round(t - t0, 3), 0))

    tolerance = exp.get("privacyToleranceSeconds", 0.5)
    privacy = [e for e in edges.get("privacy-led", [])]
    # The PL061's output for a line reads 1 while the line is still an input (QEMU pulls it up); only
    # edges after lanternd requested the line count: drop a leading high-then-low before the first rise
    # that the agent itself makes.
    while privacy and stream and privacy[0][1] == 0 and privacy[0][0] is not None and privacy[0][0] < stream[0][0] - tolerance:
        privacy.pop(0)
    privacy_ok = len(privacy) == len(stream) and all(
        p[1] == s[1] and abs(p[0] - s[0]) <= tolerance for p, s in zip(privacy, stream))

    by_interval = {}
    for r in records:
        by_interval.setdefault((r["start"], r["end"]), []).append(r)
    intervals = []
    for (start, end), rs in sorted(by_interval.items()):
        whole = next((r for r in rs if "zone" in r and r["zone"] is None), rs[0])  # line records have no zone
        intervals.append({"start": start[11:19], "end": end[11:19], "status": whole["status"],
                          "coverage": whole["coverage"], "mean": whole["occupancy"]["mean"],
                          "pir": whole["gpio"]["pir"]})
    statuses = [iv["status"] for iv in intervals]
    pir_total = sum(iv["pir"] or 0 for iv in intervals)
    pir_driven = sum(1 for _, role, v in driven if role == "pir" and v == 1)
    heartbeat = len(edges.get("status-led", []))

    checks = {}
    if "maxMAE" in exp:
        checks["mae"] = mae is not None and mae <= exp["maxMAE"] and len(scored) >= exp.get("minScoredFrames", 1)
    if exp.get("tamperFlagged"):
        checks["tamper"] = "tamper" in statuses
    if exp.get("privacyLED"):
        checks["privacy"] = privacy_ok and len(stream) >= 1
    if "minHeartbeatToggles" in exp:
        checks["heartbeat"] = heartbeat >= exp["minHeartbeatToggles"]
    if exp.get("pirCounted"):
        checks["pir"] = pir_total >= pir_driven > 0
    if exp.get("cameraMissing"):
        unavailable = any("unavailable" in l or "no such device" in l for l in stderr_lines)
        first_ok = next((i for i, s in enumerate(statuses) if s == "ok"), None)
        checks["camera-missing"] = unavailable and first_ok is not None and "unknown" in statuses[:first_ok]
        checks["recovered"] = first_ok is not None and len(coded) > 0
    if "minFrames" in exp:
        checks["frames"] = len(coded) >= exp["minFrames"]
    for key, ok in checks.items():
        if not ok:
            failures.append(f"expectation '{key}' failed")

    print(f"scenario {name} ({seconds:.1f} s wall, {'TCG'})")
    print(f"  frames captured through V4L2: {len(frames)} ({len(coded)} carrying a clip frame code, "
          f"{distinct} distinct clip frames of {len(truth)}; {len(scored)} trusted after warm-up scored)")
    print(f"  count MAE vs ground truth: {mae:.3f}" if mae is not None else "  count MAE: no scored frames")
    print(f"  GPIO driven by the host: {', '.join(f'{t:.2f}s {r}={v}' for t, r, v in driven) or 'none'}")
    print(f"  GPIO seen by the agent: pir pulses counted {pir_total} (driven {pir_driven}); interval statuses {statuses}")
    for role, es in edges.items():
        print(f"  output {role}: {len(es)} edges {es[:12]}{' ...' if len(es) > 12 else ''}")
    print(f"  streaming per lanternd: {stream}; privacy LED matches within {tolerance} s: {privacy_ok}")
    for iv in intervals:
        print(f"  interval {iv['start']}-{iv['end']} {iv['status']:8} coverage {iv['coverage']} mean {iv['mean']} pir {iv['pir']}")
    for l in stderr_lines:
        print(f"  lanternd stderr: {l}")
    for f_ in failures:
        print(f"  FAILED: {f_}")
    print(f"  files: {work}")
    summary = {"scenario": name, "ok": not failures, "seconds": round(seconds, 1), "frames": len(frames),
               "codedFrames": len(coded), "distinctClipFrames": distinct, "scoredFrames": len(scored),
               "mae": round(mae, 3) if mae is not None else None, "pirDriven": pir_driven, "pirCounted": pir_total,
               "statuses": statuses, "outputEdges": {k: len(v) for k, v in edges.items()},
               "privacyMatches": privacy_ok, "checks": checks, "failures": failures}
    print(json.dumps(summary))
    return 0 if not failures else 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("scenario")
    ap.add_argument("--lanternd", required=True)
    ap.add_argument("--feeder", required=True)
    ap.add_argument("--kernel-root", required=True)
    ap.add_argument("--busybox", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--verbose", action="store_true")
    sys.exit(run(ap.parse_args()))


if __name__ == "__main__":
    main()
