"""A visitor for the production test: plain HTTP(S) from a chosen loopback address, cookies kept.

Not a browser and not Flask's test client: real sockets to nginx (or gunicorn), the
certificate checked, cookies kept the way a browser keeps them (a Secure cookie is sent
back over HTTPS only), and the source address picked, so nginx sees 127.0.0.2, 127.0.0.3 ...
as different clients.
"""

import gzip
import http.client
import re
import ssl
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import urlencode

CSRF = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')


@dataclass
class Answer:
    """A response: status, headers (case-insensitive lookups) and the body, unzipped."""

    status: int
    headers: object
    body: bytes
    raw_size: int

    @property
    def text(self):
        """The body as text."""
        return self.body.decode("utf-8", "replace")

    def header(self, name, default=None):
        """One header's value."""
        return self.headers.get(name, default)


class Visitor:
    """One client: its own address, its own cookies."""

    def __init__(self, port, cafile=None, source="127.0.0.1", scheme="https"):
        self.port, self.source, self.scheme = port, source, scheme
        self.context = ssl.create_default_context(cafile=cafile) if scheme == "https" else None
        self.cookies = {}
        self.cookie_flags = {}

    def _connection(self):
        """A new connection from this visitor's address."""
        if self.scheme == "https":
            return http.client.HTTPSConnection("127.0.0.1", self.port, timeout=30,
                                               source_address=(self.source, 0),
                                               context=self.context)
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=30,
                                          source_address=(self.source, 0))

    def request(self, method, path, body=None, headers=None):
        """Send one request, keep the cookies it sets, return the Answer."""
        sent = {"Accept-Encoding": "gzip", **(headers or {})}
        secure = self.scheme == "https"
        cookies = "; ".join(f"{k}={v}" for k, v in self.cookies.items()
                            if secure or not self.cookie_flags[k]["secure"])
        if cookies:
            sent["Cookie"] = cookies
        connection = self._connection()
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            raw = response.read()
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                self.cookies[name] = morsel.value
                self.cookie_flags[name] = {"secure": bool(morsel["secure"]),
                                           "httponly": bool(morsel["httponly"])}
        body = gzip.decompress(raw) if response.headers.get("Content-Encoding") == "gzip" else raw
        return Answer(response.status, response.headers, body, len(raw))

    def get(self, path, **headers):
        """GET a path."""
        return self.request("GET", path, headers=headers)

    def post_form(self, path, fields, **headers):
        """POST a form, urlencoded, as a browser does without JavaScript (Referer and all)."""
        return self.request("POST", path, body=urlencode(fields), headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"{self.scheme}://127.0.0.1:{self.port}{path}", **headers})

    def log_in(self, email, password):
        """The real login form: the page, its CSRF token, the post; returns the post's Answer."""
        token = CSRF.search(self.get("/login").text).group(1)
        return self.post_form("/login", {"email": email, "password": password,
                                         "csrf_token": token})
