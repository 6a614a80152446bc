"""The asyncio driver of an ICE agent: UDP sockets per interface, TCP/TLS for TURN.

Every datagram read is fed to the agent with ``now = loop.time()``; after each drained burst
(not each datagram) the agent is serviced once: events out, datagrams out, one timer re-armed.
TURN over TCP or TLS: the agent emits datagrams with ``transport`` ``tcp``/``tls`` towards the
server; the first opens the connection, bytes read from it go back to the agent as a stream
(the agent's TURN client frames them).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import socket
import ssl
from collections.abc import Callable
from typing import Any

from purertc.ice import Agent, Candidate, IceError, Transmit, parse_ice_server_url
from purertc.ice.candidate import canonical_ip

from .interfaces import host_addresses
from .pump import Pump
from .resolver import NoResolver, Resolver
from .udp import Address, UdpSocket, open_udp_socket


class _StreamConnection:
    """One TCP/TLS connection to a TURN server, labelled by the agent's (socket, server)."""

    def __init__(self) -> None:
        self.writer: asyncio.StreamWriter | None = None
        self.pending: list[bytes] = []
        self.task: asyncio.Task[None] | None = None


class IceDriver(Pump):
    """Pumps an :class:`~purertc.ice.Agent` over real sockets."""

    def __init__(
        self,
        agent: Agent,
        *,
        on_event: Callable[[Any], None] | None = None,
        resolver: Resolver | None = None,
        ssl_context: ssl.SSLContext | None = None,
        loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(agent, on_event=on_event, loop=loop)
        self.agent = agent
        self.resolver: Resolver = resolver or NoResolver()
        self.ssl_context = ssl_context
        self.sockets: dict[Address, UdpSocket] = {}
        self._streams: dict[tuple[Address, Address], _StreamConnection] = {}
        self._tls_names: dict[Address, str] = {}  # server address -> name to verify (SNI)
        self.dropped_unroutable = 0

    # --- setup ------------------------------------------------------------------------------

    def open_sockets(
        self,
        addresses: list[str] | None = None,
        *,
        include_loopback: bool = False,
        port_range: tuple[int, int] | None = None,
    ) -> list[Candidate]:
        """Bind one UDP socket per address (default: every interface) as host candidates."""
        if addresses is None:
            addresses = host_addresses(include_loopback=include_loopback)
        candidates = []
        for address in addresses:
            try:
                sock = open_udp_socket(address, port_range=port_range)
            except OSError:
                continue
            udp = UdpSocket(self.loop, sock, self._on_datagram, self.service)
            key = (canonical_ip(udp.address[0]), udp.address[1])
            udp.address = key
            self.sockets[key] = udp
            candidates.append(self.agent.add_local_socket(key))
        return candidates

    async def add_ice_server(
        self, url: str, username: str | None = None, credential: str | None = None
    ) -> list[Address]:
        """Add a ``stun:``/``stuns:``/``turn:``/``turns:`` server by URL (RFC 7064/7065).

        The host is resolved here (one address per IP family the open sockets use); call after
        :meth:`open_sockets` and before :meth:`gather`. Returns the addresses added.
        """
        server = parse_ice_server_url(url)
        if server.scheme == "stuns":
            raise IceError(f"{url!r}: STUN over TLS is not supported (use stun: or turns:)")
        if server.is_turn and (username is None or credential is None):
            raise IceError(f"TURN server {url!r} needs a username and a credential")
        families = {":" in address[0] for address in self.sockets}
        infos = await self.loop.getaddrinfo(server.host, server.port, type=socket.SOCK_DGRAM)
        added: list[Address] = []
        for family, _type, _proto, _name, sockaddr in infos:
            ipv6 = family == socket.AF_INET6
            if ipv6 not in families or any((":" in a[0]) == ipv6 for a in added):
                continue
            address = (canonical_ip(str(sockaddr[0])), int(sockaddr[1]))
            added.append(address)
            if server.transport == "tls" and server.host != address[0]:
                self._tls_names[address] = server.host
            if server.is_turn:
                assert username is not None and credential is not None
                self.agent.add_turn_server(
                    address, username, credential, transport=server.transport
                )
            else:
                self.agent.add_stun_server(address)
        return added

    # --- commands ---------------------------------------------------------------------------

    def gather(self) -> None:
        self.agent.gather()
        self.service()

    async def add_remote_candidate(self, candidate: Candidate | None) -> bool:
        """Add a remote candidate; an mDNS ``.local`` one is resolved first."""
        if candidate is not None and candidate.is_mdns:
            address = await self.resolver.resolve(candidate.address)
            if address is None:
                return False
            candidate = dataclasses.replace(candidate, address=canonical_ip(address))
        added = self.agent.add_remote_candidate(candidate)
        self.service()
        return added

    def send(self, data: bytes) -> bool:
        sent = self.agent.send(data)
        if sent:
            self._send_pending(self.loop.time())
        return sent

    def restart(self) -> None:
        self.agent.restart()
        self.service()

    async def close(self) -> None:
        """Close the agent (TURN deallocation goes out), then every socket."""
        self.agent.close()
        self.service()
        await asyncio.sleep(0)
        self.stop()
        for stream in self._streams.values():
            if stream.task is not None:
                stream.task.cancel()
            if stream.writer is not None:
                stream.writer.close()
        for udp in self.sockets.values():
            udp.close()
        self.sockets.clear()

    # --- I/O ----------------------------------------------------------------------------------

    def _on_datagram(self, data: bytes, source: Address, destination: Address) -> None:
        if ":" in source[0]:
            source = (canonical_ip(source[0]), source[1])
        self.agent.receive(data, source, destination, self.loop.time())

    def _send_pending(self, now: float) -> None:
        sockets = self.sockets
        for transmit in self.agent.datagrams_to_send(now):
            if transmit.transport == "udp":
                udp = sockets.get(transmit.source)
                if udp is None:
                    self.dropped_unroutable += 1
                else:
                    udp.send(transmit.data, transmit.destination)
            else:
                self._stream_send(transmit)

    def _stream_send(self, transmit: Transmit) -> None:
        key = (transmit.source, transmit.destination)
        stream = self._streams.get(key)
        if stream is None:
            stream = self._streams[key] = _StreamConnection()
            stream.pending.append(transmit.data)
            stream.task = self.loop.create_task(self._run_stream(key, stream, transmit.transport))
        elif stream.writer is None:
            stream.pending.append(transmit.data)
        else:
            stream.writer.write(transmit.data)

    async def _run_stream(
        self, key: tuple[Address, Address], stream: _StreamConnection, transport: str
    ) -> None:
        local, server = key
        context = None
        if transport == "tls":
            context = self.ssl_context or ssl.create_default_context()
        try:
            reader, writer = await asyncio.open_connection(
                server[0],
                server[1],
                ssl=context,
                local_addr=(local[0], 0),
                server_hostname=self._tls_names.get(server, server[0]) if context else None,
            )
        except OSError:
            self._streams.pop(key, None)
            return
        stream.writer = writer
        for data in stream.pending:
            writer.write(data)
        stream.pending.clear()
        try:
            while data := await reader.read(65536):
                self.agent.receive(data, server, local, self.loop.time())
                self.service()
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            with contextlib.suppress(Exception):
                writer.close()
            self._streams.pop(key, None)
