# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Compiled twin of purertc.rtp.packet.RtpPacket (RFC 3550 §5.1 framing).

Same attributes, methods and errors as the pure class, which stays the reference. The cold
paths (RFC 8285 element decoding and encoding) are the pure functions, handed over by
``bind()`` when purertc.rtp imports this module.
"""

from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize, PyBytes_GET_SIZE
from libc.string cimport memcpy
from types import MappingProxyType

cdef object _RtpError = ValueError
cdef object _decode = None
cdef object _encode = None
cdef object _is_two_byte = None
cdef object _EMPTY = MappingProxyType({})


def bind(error, decode, encode, is_two_byte):
    """Receive the layer's error class and extension codec from purertc.rtp."""
    global _RtpError, _decode, _encode, _is_two_byte
    _RtpError = error
    _decode = decode
    _encode = encode
    _is_two_byte = is_two_byte


cdef inline unsigned int _u32(const unsigned char* p):
    return (<unsigned int>p[0] << 24) | (<unsigned int>p[1] << 16) | (<unsigned int>p[2] << 8) | p[3]


cdef inline void _put32(unsigned char* p, unsigned long long v):
    p[0] = (v >> 24) & 0xFF
    p[1] = (v >> 16) & 0xFF
    p[2] = (v >> 8) & 0xFF
    p[3] = v & 0xFF


cdef dict _decode_block(long long profile, bytes raw):
    """RFC 8285 elements (same rules as purertc.rtp.extensions.decode_extensions)."""
    cdef dict elements = {}
    cdef Py_ssize_t length = PyBytes_GET_SIZE(raw), pos = 0, start
    cdef const unsigned char* buf = <const unsigned char*>PyBytes_AS_STRING(raw)
    cdef int ext_id
    if profile == 0xBEDE:
        while pos < length:
            if buf[pos] == 0:
                pos += 1
                continue
            ext_id = buf[pos] >> 4
            if ext_id == 15:
                break
            start = pos + 1
            pos = start + (buf[pos] & 0x0F) + 1
            if pos > length:
                raise _RtpError(f"header extension id {ext_id}: length overruns the block")
            if ext_id not in elements:
                elements[ext_id] = raw[start:pos]
    elif profile & 0xFFF0 == 0x1000:
        while pos < length:
            ext_id = buf[pos]
            if ext_id == 0:
                pos += 1
                continue
            if pos + 2 > length:
                raise _RtpError(f"header extension id {ext_id}: length byte missing")
            start = pos + 2
            pos = start + buf[pos + 1]
            if pos > length:
                raise _RtpError(f"header extension id {ext_id}: length overruns the block")
            if ext_id not in elements:
                elements[ext_id] = raw[start:pos]
    return elements


cdef class RtpPacket:
    """One RTP packet (compiled twin; see purertc.rtp.packet.RtpPacket)."""

    cdef public bint marker
    cdef public long long payload_type
    cdef public long long sequence_number
    cdef public long long timestamp
    cdef public long long ssrc
    cdef public tuple csrc
    cdef public object extension_profile
    cdef public bytes extension_data
    cdef public bytes payload
    cdef public bytes padding_data
    cdef object _extensions

    version = 2

    def __init__(
        self,
        *,
        payload_type=0,
        sequence_number=0,
        timestamp=0,
        ssrc=0,
        marker=False,
        csrc=(),
        payload=b"",
        extensions=None,
        padding_size=0,
    ):
        self.marker = marker
        self.payload_type = payload_type
        self.sequence_number = sequence_number
        self.timestamp = timestamp
        self.ssrc = ssrc
        self.csrc = tuple(csrc)
        self.payload = bytes(payload)
        self.extension_profile = None
        self.extension_data = b""
        self._extensions = _EMPTY
        if extensions:
            self.extensions = extensions
        self.padding_size = padding_size

    @staticmethod
    def parse(data):
        cdef bytes raw = data if type(data) is bytes else bytes(data)
        cdef Py_ssize_t length = PyBytes_GET_SIZE(raw)
        cdef const unsigned char* buf = <const unsigned char*>PyBytes_AS_STRING(raw)
        cdef Py_ssize_t pos = 12, start, words, count, pad, i
        cdef RtpPacket packet
        if length < 12:
            raise _RtpError(f"RTP header truncated: {length} bytes, need 12")
        cdef unsigned char first = buf[0]
        if first & 0xC0 != 0x80:
            raise _RtpError(f"RTP version {first >> 6}: only version 2 exists")
        packet = RtpPacket.__new__(RtpPacket)
        count = first & 0x0F
        if count:
            pos += 4 * count
            if pos > length:
                raise _RtpError(f"RTP CSRC list truncated: CC={count} needs {pos} bytes")
            packet.csrc = tuple([_u32(buf + 12 + 4 * i) for i in range(count)])
        else:
            packet.csrc = ()
        if first & 0x10:
            if pos + 4 > length:
                raise _RtpError("RTP header extension truncated: missing profile/length")
            words = (buf[pos + 2] << 8) | buf[pos + 3]
            start = pos + 4
            if start + 4 * words > length:
                raise _RtpError(f"RTP header extension length {words} words overruns the packet")
            packet.extension_profile = (buf[pos] << 8) | buf[pos + 1]
            pos = start + 4 * words
            packet.extension_data = PyBytes_FromStringAndSize(<const char*>buf + start, pos - start)
            packet._extensions = None
        else:
            packet.extension_profile = None
            packet.extension_data = b""
            packet._extensions = _EMPTY
        if first & 0x20:
            pad = buf[length - 1]
            if pad == 0 or pad > length - pos:
                raise _RtpError(f"RTP padding count {pad} invalid for {length - pos} bytes")
            packet.payload = PyBytes_FromStringAndSize(<const char*>buf + pos, length - pad - pos)
            packet.padding_data = PyBytes_FromStringAndSize(<const char*>buf + length - pad, pad)
        else:
            packet.payload = PyBytes_FromStringAndSize(<const char*>buf + pos, length - pos)
            packet.padding_data = b""
        packet.marker = buf[1] >> 7
        packet.payload_type = buf[1] & 0x7F
        packet.sequence_number = (buf[2] << 8) | buf[3]
        packet.timestamp = _u32(buf + 4)
        packet.ssrc = _u32(buf + 8)
        return packet

    def serialize(self):
        cdef Py_ssize_t count = len(self.csrc), ext_len = 0, total, pos, i
        cdef long long profile = 0
        cdef bytes ext = self.extension_data
        cdef bytes payload = self.payload
        cdef bytes padding = self.padding_data
        cdef bint has_ext = self.extension_profile is not None
        cdef unsigned char* out
        if self.payload_type < 0 or self.payload_type > 127:
            raise _RtpError(f"RTP payload type {self.payload_type}: out of range 0..127")
        if self.sequence_number < 0 or self.sequence_number > 0xFFFF:
            raise _RtpError(f"RTP header field out of range: sequence number {self.sequence_number}")
        if not (0 <= self.timestamp <= 0xFFFFFFFF and 0 <= self.ssrc <= 0xFFFFFFFF):
            raise _RtpError("RTP header field out of range: timestamp or SSRC not 32-bit")
        if count > 15:
            raise _RtpError(f"RTP CSRC count {count}: at most 15")
        for value in self.csrc:
            if not 0 <= value <= 0xFFFFFFFF:
                raise _RtpError(f"RTP header field out of range: CSRC {value}")
        if has_ext:
            profile = self.extension_profile
            if not 0 <= profile <= 0xFFFF:
                raise _RtpError(f"RTP header field out of range: extension profile {profile}")
            ext_len = len(ext)
            if ext_len & 3:
                raise _RtpError("RTP header extension data: length not a multiple of 4")
        total = 12 + 4 * count + (4 + ext_len if has_ext else 0) + len(payload) + len(padding)
        result = PyBytes_FromStringAndSize(NULL, total)
        out = <unsigned char*>PyBytes_AS_STRING(result)
        out[0] = 0x80 | count | (0x20 if padding else 0) | (0x10 if has_ext else 0)
        out[1] = self.payload_type | (0x80 if self.marker else 0)
        out[2] = (self.sequence_number >> 8) & 0xFF
        out[3] = self.sequence_number & 0xFF
        _put32(out + 4, self.timestamp)
        _put32(out + 8, self.ssrc)
        pos = 12
        for i in range(count):
            _put32(out + pos, self.csrc[i])
            pos += 4
        if has_ext:
            out[pos] = (profile >> 8) & 0xFF
            out[pos + 1] = profile & 0xFF
            out[pos + 2] = (ext_len >> 10) & 0xFF
            out[pos + 3] = (ext_len >> 2) & 0xFF
            memcpy(out + pos + 4, PyBytes_AS_STRING(ext), ext_len)
            pos += 4 + ext_len
        memcpy(out + pos, PyBytes_AS_STRING(payload), len(payload))
        pos += len(payload)
        memcpy(out + pos, PyBytes_AS_STRING(padding), len(padding))
        return result

    @property
    def extensions(self):
        if self._extensions is None:
            self._extensions = MappingProxyType(
                _decode_block(self.extension_profile, self.extension_data)
            )
        return self._extensions

    @extensions.setter
    def extensions(self, elements):
        if not elements:
            self.extension_profile = None
            self.extension_data = b""
            self._extensions = _EMPTY
            return
        two_byte = self.extension_profile is not None and _is_two_byte(self.extension_profile)
        self.extension_profile, self.extension_data = _encode(elements, two_byte=two_byte)
        self._extensions = MappingProxyType(dict(elements))

    def set_extension_block(self, profile, data):
        self.extension_profile = profile
        self.extension_data = bytes(data) if profile is not None else b""
        self._extensions = None if profile is not None else _EMPTY

    def set_extension(self, ext_id, value):
        elements = dict(self.extensions)
        elements[ext_id] = bytes(value)
        self.extensions = elements

    def remove_extension(self, ext_id):
        elements = dict(self.extensions)
        elements.pop(ext_id, None)
        self.extensions = elements

    @property
    def padding(self):
        return bool(self.padding_data)

    @property
    def padding_size(self):
        return len(self.padding_data)

    @padding_size.setter
    def padding_size(self, size):
        if not 0 <= size <= 255:
            raise _RtpError(f"RTP padding size {size}: out of range 0..255")
        self.padding_data = b"\x00" * (size - 1) + bytes((size,)) if size else b""

    def _key(self):
        return (
            self.marker,
            self.payload_type,
            self.sequence_number,
            self.timestamp,
            self.ssrc,
            self.csrc,
            self.extension_profile,
            self.extension_data,
            bytes(self.payload),
            self.padding_data,
        )

    def __eq__(self, other):
        if not hasattr(other, "serialize") or not hasattr(other, "extension_data"):
            return NotImplemented
        return self._key() == RtpPacket._key(other) if isinstance(other, RtpPacket) else (
            self._key() == type(other)._key(other)
        )

    __hash__ = None

    def __repr__(self):
        return (
            f"RtpPacket(pt={self.payload_type}, seq={self.sequence_number}, "
            f"ts={self.timestamp}, ssrc={self.ssrc:#010x}, marker={self.marker}, "
            f"csrc={list(self.csrc)}, extensions={dict(self.extensions)}, "
            f"payload={len(self.payload)} bytes, padding={self.padding_size})"
        )

    def copy(self):
        return RtpPacket.parse(self.serialize())
