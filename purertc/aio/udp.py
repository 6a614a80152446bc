"""A UDP socket read by draining: every readable datagram per wake-up, no task per packet.

asyncio's datagram transport reads one datagram per readiness callback. Here one callback
reads until the socket would block (bounded by ``budget``), hands each datagram to
``on_datagram`` and then calls ``on_drained`` once, so the core behind it is serviced once
per burst. Uses ``loop.add_reader`` (selector event loops and uvloop).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Callable

Address = tuple[str, int]
RECEIVE_BUFFER = 1 << 20


def open_udp_socket(
    address: str, port: int = 0, *, port_range: tuple[int, int] | None = None
) -> socket.socket:
    """A non-blocking UDP socket bound to ``address`` (a port from ``port_range`` if given)."""
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    candidates = [port] if port_range is None else list(range(port_range[0], port_range[1] + 1))
    last_error: OSError | None = None
    for candidate in candidates:
        sock = socket.socket(family, socket.SOCK_DGRAM)
        try:
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            sock.bind((address, candidate))
        except OSError as exc:
            sock.close()
            last_error = exc
            continue
        for option in (socket.SO_RCVBUF, socket.SO_SNDBUF):
            with contextlib.suppress(OSError):  # the OS caps it; the default still works
                sock.setsockopt(socket.SOL_SOCKET, option, RECEIVE_BUFFER)
        sock.setblocking(False)
        return sock
    raise OSError(f"no free UDP port on {address} in {port_range}") from last_error


class UdpSocket:
    """One bound socket, drained on readiness; ``send`` is a direct non-blocking sendto."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        sock: socket.socket,
        on_datagram: Callable[[bytes, Address, Address], None],
        on_drained: Callable[[], None],
        *,
        budget: int = 256,
    ) -> None:
        self.loop = loop
        self.sock = sock
        name = sock.getsockname()
        self.address: Address = (str(name[0]), int(name[1]))
        self._on_datagram = on_datagram
        self._on_drained = on_drained
        self.budget = budget
        self.received = 0
        self.send_dropped = 0
        self._closed = False
        loop.add_reader(sock.fileno(), self._read_ready)

    def _read_ready(self) -> None:
        recvfrom = self.sock.recvfrom
        deliver = self._on_datagram
        local = self.address
        ipv6 = self.sock.family == socket.AF_INET6
        count = 0
        try:
            while count < self.budget:
                data, source = recvfrom(65536)
                count += 1
                # IPv4 addresses already are (host, port); IPv6 ones carry flowinfo and scope.
                deliver(data, (source[0], source[1]) if ipv6 else source, local)
        except (BlockingIOError, InterruptedError):
            pass
        except OSError:
            pass  # ICMP errors surface here on some systems: the datagram is just gone
        self.received += count
        if count:
            self._on_drained()

    def send(self, data: bytes, destination: Address) -> None:
        try:
            self.sock.sendto(data, destination)
        except (BlockingIOError, InterruptedError):
            self.send_dropped += 1  # a full send buffer drops, as the network would
        except OSError:
            self.send_dropped += 1

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self.loop.remove_reader(self.sock.fileno())
            self.sock.close()
