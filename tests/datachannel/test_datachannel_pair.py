"""Two channel managers joined by a perfect in-memory association: both state machines
against each other, independent of the real SCTP association."""

from __future__ import annotations

from purertc.datachannel import (
    ChannelClosed,
    ChannelMessage,
    ChannelOpen,
    ChannelState,
    DataChannelManager,
    Event,
    IncomingChannel,
)
from tests.datachannel.fake_association import LoopbackAssociation, loopback_pair


class Pair:
    def __init__(self) -> None:
        self.assoc_a, self.assoc_b = loopback_pair()
        self.a = DataChannelManager(self.assoc_a, is_dtls_client=True)
        self.b = DataChannelManager(self.assoc_b, is_dtls_client=False)
        self.events: dict[str, list[Event]] = {"a": [], "b": []}
        self.pump()

    def pump(self) -> None:
        ends: list[tuple[str, LoopbackAssociation, DataChannelManager]] = [
            ("a", self.assoc_a, self.a),
            ("b", self.assoc_b, self.b),
        ]
        progress = True
        while progress:
            progress = False
            for name, association, manager in ends:
                while association.inbox:
                    progress = True
                    manager.handle_sctp_event(association.inbox.pop(0), 1.0)
                while (event := manager.next_event()) is not None:
                    self.events[name].append(event)

    def take(self, name: str) -> list[Event]:
        events, self.events[name] = self.events[name], []
        return events


def test_open_messages_and_close_both_ways() -> None:
    pair = Pair()
    a_chan = pair.a.create_channel("from-a", protocol="chat", now=1.0)
    b_chan = pair.b.create_channel("from-b", ordered=False, max_retransmits=0, now=1.0)
    pair.pump()
    assert (a_chan, b_chan) == (0, 1)
    assert pair.take("a") == [
        ChannelOpen(0),
        IncomingChannel(1, "from-b", "", False, 0, None, 256),
        ChannelOpen(1),
    ]
    assert pair.take("b") == [
        ChannelOpen(1),
        IncomingChannel(0, "from-a", "chat", True, None, None, 256),
        ChannelOpen(0),
    ]
    for channel in (0, 1):
        pair.a.send(channel, f"text {channel}", now=1.0)
        pair.b.send(channel, bytes([channel]) * 3, now=1.0)
        pair.a.send(channel, "", now=1.0)
        pair.b.send(channel, b"", now=1.0)
    pair.pump()
    assert pair.take("b") == [
        ChannelMessage(0, "text 0"),
        ChannelMessage(0, ""),
        ChannelMessage(1, "text 1"),
        ChannelMessage(1, ""),
    ]
    assert pair.take("a") == [
        ChannelMessage(0, b"\x00\x00\x00"),
        ChannelMessage(0, b""),
        ChannelMessage(1, b"\x01\x01\x01"),
        ChannelMessage(1, b""),
    ]
    pair.a.close(0)  # A closes its own channel
    pair.a.close(1)  # ... and the one B opened
    pair.pump()
    assert pair.take("a") == [ChannelClosed(0), ChannelClosed(1)]
    assert pair.take("b") == [ChannelClosed(0), ChannelClosed(1)]
    assert pair.a.channel_ids == pair.b.channel_ids == []
    # both ids are free again on both sides
    assert pair.a.create_channel("again", now=2.0) == 0
    assert pair.b.create_channel("again", now=2.0) == 1
    pair.pump()
    assert pair.a.state(1) is pair.b.state(0) is ChannelState.OPEN


def test_negotiated_channels_need_no_dcep() -> None:
    pair = Pair()
    pair.a.create_channel("agreed", negotiated=True, id=42, now=1.0)
    pair.b.create_channel("agreed", negotiated=True, id=42, now=1.0)
    pair.pump()
    assert pair.take("a") == pair.take("b") == [ChannelOpen(42)]
    assert pair.assoc_a.sent == pair.assoc_b.sent == []
    pair.b.send(42, "hi", now=1.0)
    pair.pump()
    assert pair.take("a") == [ChannelMessage(42, "hi")]
