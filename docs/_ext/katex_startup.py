"""Start sphinxcontrib-katex's Node render server reliably on a busy machine.

sphinxcontrib-katex 0.9.11 waits for the server's Unix socket file to appear
and then connects once. The file appears when Node binds the socket, a moment
before it listens, so on a loaded machine the single connect can be refused and
the whole build aborts with ``ConnectionRefusedError``. Its start-up timeout is
also 5 s, which a cold Node on two busy cores can exceed.

This extension replaces that one method with the same steps plus a retry of the
connect until the (longer) deadline, and reports a Node process that died.
"""

from __future__ import annotations

import socket
import time
from pathlib import Path
from subprocess import PIPE, Popen
from typing import Any

from sphinxcontrib import katex

#: Seconds Node may take to come up, and to render one formula.
STARTUP_TIMEOUT = 60.0
RENDER_TIMEOUT = 60.0


def _start_server_process(
    cls: type[katex.KaTeXServer], rundir: Path, timeout: float
) -> tuple[Popen, socket.socket]:
    socket_path = rundir / "katex.sock"
    process = Popen(cls.build_command(socket=socket_path), stdin=PIPE, stdout=PIPE, cwd=rundir)
    deadline = time.monotonic() + max(timeout, STARTUP_TIMEOUT)
    while True:
        if process.poll() is not None:
            raise katex.KaTeXError(
                f"the KaTeX render server (node) exited with code {process.returncode}"
            )
        if socket_path.is_socket():
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                sock.settimeout(max(deadline - time.monotonic(), 0.001))
                sock.connect(str(socket_path))
            except ConnectionRefusedError:
                sock.close()  # bound but not listening yet
            except TimeoutError:
                sock.close()
                process.kill()
                raise cls.timeout_error(timeout) from None
            else:
                sock.settimeout(None)
                return process, sock
        if time.monotonic() > deadline:
            process.kill()
            raise cls.timeout_error(timeout)
        time.sleep(0.005)


def setup(app: Any) -> dict[str, Any]:
    """Install the patient start-up and the longer timeouts."""
    katex.KaTeXServer.start_server_process = classmethod(_start_server_process)
    katex.STARTUP_TIMEOUT = STARTUP_TIMEOUT
    katex.RENDER_TIMEOUT = RENDER_TIMEOUT
    return {"parallel_read_safe": True, "parallel_write_safe": True}
