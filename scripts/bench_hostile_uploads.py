"""How fast hostile uploads are refused, and whether the server process stays responsive (12.2).

Not a test: prints measured times on this machine. A 68 KB .docx inflating to 24 MB of XML
(4 M paragraphs) once held the server for over 12 minutes; here it is parsed the way uploads
are, in the sandbox:
  1. with the default limits (refused by the archive check before unpacking);
  2. with the cooperative limits lifted, so only the sandbox's hard time limit stops it,
     while this process keeps reading a small file every 0.1 s (its latency is printed);
  3. a normal small upload right after (the sandbox restarts its worker).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
import zipfile
from pathlib import Path

from ingest.errors import FileOverLimit
from ingest.loaders import load_file
from ingest.sandbox import Sandbox
from ingest.settings import ParseLimits


def docx_bomb(path: Path, paragraphs: int) -> Path:
    """A valid .docx whose document.xml holds `paragraphs` empty paragraphs."""
    import docx

    template = path.with_name("template.docx")
    d = docx.Document()
    d.add_paragraph("x")
    d.save(str(template))
    with zipfile.ZipFile(template) as src, zipfile.ZipFile(path, "w") as out:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "word/document.xml":
                head, _, rest = data.decode().partition("<w:body>")
                tail = rest[rest.index("<w:sectPr") :]
                data = (head + "<w:body>" + "<w:p/>" * paragraphs + tail).encode()
            out.writestr(item, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return path


def timed_refusal(box: Sandbox, path: Path, root: Path) -> tuple[float, str]:
    t0 = time.perf_counter()
    try:
        box.load(path, root)
        reason = "accepted"
    except FileOverLimit as exc:
        reason = str(exc).split(": ", 1)[1][:90]
    return time.perf_counter() - t0, reason


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--paragraphs", type=int, default=4_000_000)
    parser.add_argument("--seconds", type=float, default=10.0, help="hard limit for step 2")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="complyqa-hostile-"))
    bomb = docx_bomb(root / "bomb.docx", args.paragraphs)
    with zipfile.ZipFile(bomb) as z:
        inflated = sum(m.file_size for m in z.infolist())
    note = root / "note.md"
    note.write_text("# Note\n\nLighthouse keepers log the lamp nightly.\n")
    print(f"bomb: {bomb.stat().st_size / 1024:.0f} KB on disk, {inflated / 1e6:.1f} MB unpacked")

    box = Sandbox()
    t0 = time.perf_counter()
    box.load(note, root)
    print(f"sandbox cold start + first small file: {time.perf_counter() - t0:.2f} s")
    seconds, reason = timed_refusal(box, bomb, root)
    print(f"1. default limits: refused in {seconds * 1000:.0f} ms ({reason})")
    box.close()

    lifted = ParseLimits(
        max_zip_ratio=1e9, max_paragraphs=10**9, max_chars=10**9, seconds=args.seconds
    )
    hard = Sandbox(lifted)
    hard.load(note, root)  # start the worker outside the measurement
    latencies: list[float] = []
    done = threading.Event()

    def keep_reading() -> None:
        while not done.is_set():
            t = time.perf_counter()
            load_file(note, root)
            latencies.append((time.perf_counter() - t) * 1000)
            time.sleep(0.1)

    reader = threading.Thread(target=keep_reading)
    reader.start()
    seconds, reason = timed_refusal(hard, bomb, root)
    done.set()
    reader.join()
    print(
        f"2. cooperative limits lifted, hard limit {args.seconds:g} s: stopped after "
        f"{seconds:.1f} s ({reason})"
    )
    print(
        f"   meanwhile this process read a small file {len(latencies)} times: p50 "
        f"{statistics.median(latencies):.1f} ms, max {max(latencies):.1f} ms"
    )
    t0 = time.perf_counter()
    hard.load(note, root)
    print(f"3. next small file (worker restarted): {time.perf_counter() - t0:.2f} s")
    hard.close()


if __name__ == "__main__":
    main()
