"""Runs a command in a pseudo-terminal and plays a scripted session against it.

Usage: python3 pty-session.py STEPS_JSON COMMAND [ARG...]

STEPS_JSON is a list of {"send": text} and {"expect": text} steps: "send" types the text, and
"expect" waits until the text appears in the terminal's output after what the last expect
matched (escape sequences removed). At the end it waits for the command to exit. Prints one JSON object:
{"status": exit status or null, "output": everything the terminal showed, "error": what failed}.
Python's pty module, so the test needs no native Node module.
"""

import json
import os
import pty
import re
import select
import signal
import sys
import time

TIMEOUT = 10.0
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def main() -> None:
    steps = json.loads(sys.argv[1])
    command = sys.argv[2:]
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(command[0], command)

    output = b""
    seen = 0  # where the text not yet matched by an expect starts (escape sequences removed)
    error = None

    def read(deadline: float) -> bool:
        nonlocal output
        ready, _, _ = select.select([fd], [], [], max(0.0, min(0.05, deadline - time.time())))
        if not ready:
            return True
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # EIO: the child closed the terminal
            return False
        if not chunk:
            return False
        output += chunk
        return True

    for step in steps:
        if "send" in step:
            os.write(fd, step["send"].encode("utf-8"))
            # Keys that arrive together are a paste to readline (a Tab in a paste is text).
            time.sleep(0.05)
            continue
        wanted = step["expect"]
        deadline = time.time() + TIMEOUT
        while True:
            at = ANSI.sub("", output.decode("utf-8", "replace")).find(wanted, seen)
            if at >= 0:
                seen = at + len(wanted)
                break
            if time.time() > deadline or not read(deadline):
                error = f"timed out waiting for {wanted!r}"
                break
        if error:
            break

    status = None
    deadline = time.time() + (0 if error else TIMEOUT)
    while time.time() <= deadline:
        done, code = os.waitpid(pid, os.WNOHANG)
        if done:
            status = os.waitstatus_to_exitcode(code)
            break
        read(deadline)
    if status is None:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        error = error or "the command did not exit"
    while read(time.time()):  # drain what is left
        pass
    print(json.dumps({"status": status, "output": output.decode("utf-8", "replace"), "error": error}))


main()
