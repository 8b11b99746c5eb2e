"""Programs the tests start on a free port: wait until they listen, say what they wrote when they
do not, and stop them after."""

import socket
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
START_SECONDS = 20
STOP_SECONDS = 5


@dataclass(frozen=True)
class Program:
    """A started program and the file its output goes to."""

    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        """What the program wrote so far (standard output and error)."""
        return self.log.read_text(errors="replace")


@contextmanager
def running_program(
    name: str,
    command: Sequence[str],
    port: int,
    log: Path,
    env: Mapping[str, str] | None = None,
) -> Iterator[Program]:
    """Run `command` in the project folder, its output in `log`, until the block ends; the block
    starts once the program accepts connections on `port`."""
    with open(log, "ab") as output:
        process = subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    program = Program(process, log)
    try:
        _wait_until_listening(program, port, name)
        yield program
    finally:
        _stop(process)


def _wait_until_listening(program: Program, port: int, name: str) -> None:
    """Return once the program accepts connections; fail with what it wrote if it ends or hangs."""
    deadline = time.monotonic() + START_SECONDS
    while program.process.poll() is None and time.monotonic() < deadline:
        try:
            socket.create_connection((HOST, port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    code = program.process.poll()
    state = f"exited with {code}" if code is not None else "did not listen"
    raise RuntimeError(f"{name} on port {port} {state}:\n{program.output()}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    """End the program, killing it if it does not stop in time."""
    process.terminate()
    try:
        process.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
