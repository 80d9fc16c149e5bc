"""A throwaway varnishd with Newsroom's VCL (deploy/varnish/newsroom.vcl), for the tests.

    with varnish(backend_port) as edge:
        http.client.HTTPConnection("127.0.0.1", edge.port)

The VCL is rendered for the test (another backend port, purgers, probe
interval: plain lines of the file) into a folder of its own, and varnishd runs
in the foreground from it, keeping nothing on disk.
"""

import glob
import http.client
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

VCL = Path(__file__).resolve().parents[2] / "deploy" / "varnish" / "newsroom.vcl"
# Where Debian and a build from source put the vmods.
VMODS = ("/usr/lib/*/varnish/vmods", "/usr/lib/varnish/vmods", "/usr/local/lib/varnish/vmods")
INSTALL = "sudo apt-get install varnish varnish-modules (make test installs them as root)"


def binary(name: str) -> str | None:
    """A Varnish program: Debian puts varnishd in /usr/sbin, not always on a user's PATH."""
    return shutil.which(name, path=f"{os.environ.get('PATH', '')}:/usr/sbin:/usr/local/sbin")


def missing() -> str | None:
    """What this machine lacks to run the VCL, and how to get it; None when nothing."""
    if binary("varnishd") is None:
        return f"no varnishd: {INSTALL}"
    if not any(glob.glob(f"{folder}/libvmod_xkey.so") for folder in VMODS):
        return f"no xkey vmod (varnish-modules): {INSTALL}"
    return None


def render_vcl(
    *,
    backend_port: int,
    purgers: tuple[str, ...] = ("127.0.0.1", "::1"),
    probe_interval: str = "",
    more_backends: tuple[int, ...] = (),
) -> str:
    """The VCL with another backend port, other purgers ("192.0.2.1", "10.0.0.0/24") and,
    if given, another probe interval ("200ms"). With `more_backends`, requests go round the
    backend and those (ports on this machine), as docs/edge.md shows for several app servers."""
    text = _replace_once(r'\.port = "\d+";', f'.port = "{backend_port}";', VCL.read_text())
    if more_backends:
        block = re.search(r"(?ms)^backend default \{\n.*?^\}\n", text)[0]
        others = "".join(
            block.replace("backend default", f"backend app{n}").replace(f'"{backend_port}"', f'"{port}"')
            for n, port in enumerate(more_backends, 1)
        )
        added = "".join(f"    app.add_backend(app{n});\n" for n in range(1, len(more_backends) + 1))
        director = (
            f"{others}\nsub vcl_init {{\n    new app = directors.round_robin();\n"
            f"    app.add_backend(default);\n{added}}}\n\n"
            "sub vcl_recv {\n    set req.backend_hint = app.backend();\n}\n"
        )
        text = _replace_once(r"(?m)^import xkey;$", "import xkey;\nimport directors;", text)
        text = text.replace(block, block + director, 1)
    entries = "".join(f"    {_acl_entry(address)};\n" for address in purgers)
    text = _replace_once(r"(?ms)^(acl purgers \{\n).*?^(\})", rf"\g<1>{entries}\g<2>", text)
    if probe_interval:
        text = _replace_once(r"\.interval = \w+;", f".interval = {probe_interval};", text)
    return text


def _acl_entry(address: str) -> str:
    host, _, bits = address.partition("/")
    return f'"{host}"/{bits}' if bits else f'"{host}"'


def _replace_once(pattern: str, replacement: str, text: str) -> str:
    text, count = re.subn(pattern, replacement, text)
    if count != 1:
        raise ValueError(f"{VCL} has {count} places matching {pattern!r}, not one")
    return text


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Varnish:
    """A varnishd on 127.0.0.1:`port` running `vcl`; stop() and start() again keep the port
    (and lose the cache: storage is in memory)."""

    def __init__(self, *, vcl: Path, workdir: Path):
        self.vcl = vcl
        self.workdir = workdir
        self.log = workdir.with_suffix(".log")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def command(self) -> list[str]:
        return [
            binary("varnishd"),
            *("-F", "-j", "none", "-n", str(self.workdir)),
            *("-a", f"127.0.0.1:{self.port}", "-f", str(self.vcl), "-s", "malloc,32m"),
            # One small thread pool and log space start faster; a child that crashes stays down.
            *("-p", "thread_pools=1", "-p", "thread_pool_min=10", "-p", "vsl_space=1M"),
            *("-p", "auto_restart=off"),
        ]

    def start(self) -> None:
        with self.log.open("a") as log:
            self.process = subprocess.Popen(  # noqa: S603 - the system's varnishd, fixed arguments
                self.command(), stdout=log, stderr=subprocess.STDOUT
            )
        self._wait_until_answering()

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def backend_health(self) -> str:
        """What the probe says of the backend: "healthy" or "sick" (varnishadm backend.list)."""
        listing = subprocess.run(  # noqa: S603 - the system's varnishadm, fixed arguments
            [binary("varnishadm"), "-n", str(self.workdir), "backend.list"],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout
        return "sick" if re.search(r"\bsick\b", listing, re.IGNORECASE) else "healthy"

    def wait_for_backend(self, health: str, seconds: float = 10) -> None:
        deadline = time.monotonic() + seconds
        while self.backend_health() != health:
            if time.monotonic() > deadline:
                raise RuntimeError(f"the probe did not find the backend {health} within {seconds} s")
            time.sleep(0.05)

    def _wait_until_answering(self, seconds: float = 30) -> None:
        """Wait for the child to answer: a PURGE without keys is answered by Varnish alone."""
        deadline = time.monotonic() + seconds
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"varnishd exited: {self.log.read_text()}")
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
            try:
                connection.request("PURGE", "/")
                connection.getresponse().read()
                return
            except OSError:
                pass
            finally:
                connection.close()
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"varnishd did not answer on port {self.port} within {seconds} s")
            time.sleep(0.05)


@contextmanager
def varnish(
    backend_port: int,
    *,
    purgers: tuple[str, ...] = ("127.0.0.1", "::1"),
    probe_interval: str = "",
    more_backends: tuple[int, ...] = (),
) -> Iterator[Varnish]:
    """Run varnishd with the VCL rendered for `backend_port` (see render_vcl) until the block ends."""
    with tempfile.TemporaryDirectory(prefix="newsroom-varnish-") as folder:
        vcl = Path(folder) / "newsroom.vcl"
        rendered = render_vcl(
            backend_port=backend_port,
            purgers=purgers,
            probe_interval=probe_interval,
            more_backends=more_backends,
        )
        vcl.write_text(rendered)
        edge = Varnish(vcl=vcl, workdir=Path(folder) / "work")
        edge.start()
        try:
            yield edge
        finally:
            edge.stop()
