"""A minimal IMAP4rev1 server (an RFC 3501 subset) on loopback, for testing the poller.

It speaks just what `hotline imap-poll` uses: CAPABILITY, LOGIN, SELECT, UID SEARCH UNSEEN,
UID FETCH (BODY.PEEK[]), UID STORE +FLAGS (\\Seen), NOOP, CLOSE and LOGOUT.
"""

import shlex
import socketserver
import threading
from dataclasses import dataclass, field


@dataclass
class StoredMail:
    uid: int
    raw: bytes
    flags: set[str] = field(default_factory=set)


@dataclass
class Mailbox:
    user: str
    password: str
    mails: list[StoredMail] = field(default_factory=list)
    uidvalidity: int = 7
    refuse_store: int = 0  # refuse this many STORE commands (a flag update that fails)

    def add(self, raw: bytes, *flags: str) -> StoredMail:
        mail = StoredMail(uid=len(self.mails) + 1, raw=raw, flags=set(flags))
        self.mails.append(mail)
        return mail


class _Handler(socketserver.StreamRequestHandler):
    mailbox: Mailbox

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        self.reply("* OK [CAPABILITY IMAP4rev1] test IMAP server ready")
        while line := self.rfile.readline():
            tag, _, rest = line.decode().rstrip("\r\n").partition(" ")
            command, _, args = rest.partition(" ")
            if not self.dispatch(tag, command.upper(), args):
                return

    def dispatch(self, tag: str, command: str, args: str) -> bool:
        box = self.mailbox
        if command == "CAPABILITY":
            self.reply("* CAPABILITY IMAP4rev1")
        elif command == "LOGIN":
            if shlex.split(args) != [box.user, box.password]:
                self.reply(f"{tag} NO [AUTHENTICATIONFAILED] invalid credentials")
                return True
        elif command == "SELECT":
            self.reply(f"* {len(box.mails)} EXISTS")
            self.reply(f"* OK [UIDVALIDITY {box.uidvalidity}] UIDs valid")
        elif command == "UID":
            return self.uid(tag, args)
        elif command == "LOGOUT":
            self.reply("* BYE logging out")
            self.reply(f"{tag} OK LOGOUT completed")
            return False
        elif command not in ("NOOP", "CLOSE"):
            self.reply(f"{tag} BAD unknown command")
            return True
        self.reply(f"{tag} OK {command} completed")
        return True

    def uid(self, tag: str, args: str) -> bool:
        sub, _, rest = args.partition(" ")
        sub = sub.upper()
        mails = {m.uid: (seq, m) for seq, m in enumerate(self.mailbox.mails, 1)}
        if sub == "SEARCH" and rest.upper() == "UNSEEN":
            unseen = [str(m.uid) for m in self.mailbox.mails if "\\Seen" not in m.flags]
            self.reply("* SEARCH " + " ".join(unseen))
        elif sub == "FETCH":
            seq, mail = mails[int(rest.split()[0])]
            self.wfile.write(
                f"* {seq} FETCH (UID {mail.uid} BODY[] {{{len(mail.raw)}}}\r\n".encode()
                + mail.raw
                + b")\r\n"
            )
        elif sub == "STORE":
            if self.mailbox.refuse_store > 0:
                self.mailbox.refuse_store -= 1
                self.reply(f"{tag} NO STORE refused")
                return True
            seq, mail = mails[int(rest.split()[0])]
            mail.flags.add("\\Seen")
            self.reply(f"* {seq} FETCH (UID {mail.uid} FLAGS (\\Seen))")
        else:
            self.reply(f"{tag} BAD unsupported UID command")
            return True
        self.reply(f"{tag} OK UID {sub} completed")
        return True


class ImapTestServer:
    def __init__(self, mailbox: Mailbox) -> None:
        handler = type("Handler", (_Handler,), {"mailbox": mailbox})
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "ImapTestServer":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()
