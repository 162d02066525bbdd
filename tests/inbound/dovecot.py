"""Debian's Dovecot as a real IMAP server for tests: its own config in a temporary folder, one
loopback port, no system service (scripts/ensure-dovecot.sh installs the package).

Run as root, Dovecot's own unprivileged users (dovecot, dovenull, made by the package) run
its processes and own the mail; run as anyone else, that user runs everything.
"""

import grp
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

DOVECOT = Path("/usr/sbin/dovecot")


def _free_port() -> int:
    # Dovecot cannot listen on port 0 and report the port; the race with another process
    # taking the port between these lines only makes the start fail loudly.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Dovecot:
    """Users are written before the start (Dovecot caches its passwd file): `users` of them,
    named user1, user2, …, all with `password`."""

    def __init__(self, password: str, users: int = 8) -> None:
        if not DOVECOT.exists():
            pytest.fail(f"{DOVECOT} is missing: run scripts/ensure-dovecot.sh (as root)")
        self.root = Path(tempfile.mkdtemp(prefix="hotline-dovecot-"))
        self.root.chmod(0o755)  # Dovecot's own users must reach the mail folders
        self.port = _free_port()
        if os.geteuid() == 0:
            internal, login = "dovecot", "dovenull"
            self.uid, self.gid = pwd.getpwnam("dovecot").pw_uid, grp.getgrnam("dovecot").gr_gid
        else:
            internal = login = pwd.getpwuid(os.geteuid()).pw_name
            self.uid, self.gid = os.geteuid(), os.getegid()
        group = grp.getgrgid(self.gid).gr_name if os.geteuid() != 0 else "dovecot"
        self.passwd = self.root / "passwd"
        self.users = [f"user{n}" for n in range(1, users + 1)]
        self.passwd.write_text("".join(f"{u}:{{PLAIN}}{password}\n" for u in self.users))
        self.config = self.root / "dovecot.conf"
        self.config.write_text(
            f"""base_dir = {self.root}/run
state_dir = {self.root}/state
instance_name = hotline-test-{self.port}
log_path = {self.root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = {self.uid}
mail_location = maildir:{self.root}/home/%u/Maildir
default_internal_user = {internal}
default_internal_group = {group}
default_login_user = {login}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {self.passwd}
}}
userdb {{
  driver = static
  args = uid={self.uid} gid={self.gid} home={self.root}/home/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""
        )
        self.serial = 0

    def start(self) -> "Dovecot":
        subprocess.run([str(DOVECOT), "-c", str(self.config)], check=True, timeout=30)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=5) as client:
                    if client.recv(100).startswith(b"* OK"):
                        return self
            except OSError:
                time.sleep(0.1)  # still starting: poll the port, not a fixed wait
        self.stop()
        pytest.fail(f"Dovecot did not answer on port {self.port}: {self.log()}")

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else "(no log)"

    def stop(self) -> None:
        pid_file = self.root / "run" / "master.pid"
        if pid_file.exists():
            pid = int(pid_file.read_text().strip())
            os.kill(pid, 15)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and _alive(pid):
                time.sleep(0.05)
        shutil.rmtree(self.root, ignore_errors=True)

    def new_mailbox(self) -> str:
        """The next unused user, with an empty INBOX."""
        user = self.users.pop(0)
        for folder in ("new", "cur", "tmp"):
            path = self.root / "home" / user / "Maildir" / folder
            path.mkdir(parents=True, exist_ok=True)
        self._own(self.root / "home")
        return user

    def deliver(self, user: str, raw: bytes, *, seen: bool = False) -> None:
        """Put a message in the user's INBOX as a delivery agent would (Maildir new/ or cur/)."""
        self.serial += 1
        maildir = self.root / "home" / user / "Maildir"
        name = f"{int(time.time())}.M{self.serial}P{os.getpid()}.hotline-test"
        target = maildir / ("cur" if seen else "new") / (name + (":2,S" if seen else ""))
        temporary = maildir / "tmp" / name
        temporary.write_bytes(raw)
        temporary.rename(target)
        self._own(maildir)

    def _own(self, path: Path) -> None:
        if os.geteuid() != 0:
            return
        for folder, _, files in os.walk(path):
            os.chown(folder, self.uid, self.gid)
            for file in files:
                os.chown(os.path.join(folder, file), self.uid, self.gid)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
