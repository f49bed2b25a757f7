"""A real SMTP server (aiosmtpd) on 127.0.0.1 for the tests."""

import socket
from email import message_from_bytes
from email.policy import default as default_policy


class Inbox:
    """What a real SMTP server on loopback received."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        """Keep every message the server accepts."""
        self.messages.append(message_from_bytes(envelope.content, policy=default_policy))
        return "250 OK"

    def to(self, address):
        """The messages sent to one address."""
        return [m for m in self.messages if address in m["To"]]


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class FailingInbox(Inbox):
    """A real SMTP server's handler that fails on purpose, one way at a time.

    - `refuse`: {address: "450 ..."/"550 ..."} answers RCPT TO for that recipient so;
    - `drop_at`: the n-th message (1-based) makes the server drop the connection before it
      accepts the message (it is not kept);
    - `hang_at`: at the n-th message the server stops answering (longer than the client's
      timeout) and does not keep the message;
    - `healthy()` turns all of that off: the server recovered.
    """

    def __init__(self):
        super().__init__()
        self.refuse = {}
        self.drop_at = None
        self.hang_at = None
        self.hang_seconds = 3
        self.seen = 0  # messages offered (DATA), kept or not

    def healthy(self):
        """The server works normally from now on."""
        self.refuse, self.drop_at, self.hang_at = {}, None, None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        """Refuse the recipients listed in `refuse`, accept the others."""
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        """Keep the message, unless this is the one to drop the connection or hang at."""
        import asyncio

        self.seen += 1
        if self.seen == self.drop_at:
            server.transport.close()
            return "421 closing"
        if self.seen == self.hang_at:
            await asyncio.sleep(self.hang_seconds)
            server.transport.close()
            return "421 too late"
        return await super().handle_DATA(server, session, envelope)
