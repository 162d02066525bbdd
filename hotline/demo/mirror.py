"""A loopback web server that plays Telegram's public preview pages for the demo and tests."""

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

POST_TEMPLATE = (
    '<div class="tgme_widget_message" data-post="{channel}/{post}">'
    '<div class="tgme_widget_message_text">post {post}</div></div>'
)
PAGE_TEMPLATE = (
    '<html><head><meta property="og:title" content="{channel}"></head><body>'
    '<div class="tgme_channel_info"><div class="tgme_page_title">{channel}</div></div>'
    "{posts}</body></html>"
)


@dataclass
class MirrorState:
    """Which posts exist; the demo removes posts here as the platform 'acts'."""

    posts: set[tuple[str, int]] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def page(self, channel: str) -> str:
        with self.lock:
            live = sorted(p for c, p in self.posts if c == channel)
        posts = "".join(POST_TEMPLATE.format(channel=channel, post=p) for p in live)
        return PAGE_TEMPLATE.format(channel=channel, posts=posts)


class _Handler(BaseHTTPRequestHandler):
    state: ClassVar[MirrorState]

    def do_GET(self) -> None:
        # Paths look like /t.me/s/<channel>/<post>: the preview page of the channel.
        parts = [p for p in self.path.split("?")[0].split("/") if p]
        if len(parts) >= 3 and parts[0] == "t.me" and parts[1] == "s":
            body, status = self.state.page(parts[2]).encode(), 200
        else:
            body, status = b"not found", 404
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return


def start_mirror(state: MirrorState) -> tuple[ThreadingHTTPServer, str]:
    """Serve on 127.0.0.1 on a free port; returns the server and its base URL."""
    handler = type("MirrorHandler", (_Handler,), {"state": state})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"
