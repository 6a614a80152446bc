# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Compiled twin of the SCTP hot framing: DATA and SACK chunks and the packet's chunk walk.

It builds the pure module's own chunk classes (purertc.sctp.chunks), so the association cannot
tell which codec parsed a packet. Every other chunk type goes through the pure parsers, handed
over by ``bind()`` with the layer's error class when purertc.sctp imports this module.
"""

from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize, PyBytes_GET_SIZE
from libc.string cimport memcpy, memset

cdef object _SctpError = ValueError
cdef object _DataChunk = None
cdef object _SackChunk = None
cdef object _UnknownChunk = None
cdef dict _parsers = {}
cdef object _new = object.__new__
cdef object _crc32c = None
cdef bytes _ZERO4 = b"\x00\x00\x00\x00"


def bind(error, data_chunk, sack_chunk, unknown_chunk, parsers, crc32c):
    """Receive the layer's error, the chunk classes to build, the pure per-type parsers and the
    CRC32c function (``crc32c(data, seed)``)."""
    global _SctpError, _DataChunk, _SackChunk, _UnknownChunk, _parsers, _crc32c
    _crc32c = crc32c
    _SctpError = error
    _DataChunk = data_chunk
    _SackChunk = sack_chunk
    _UnknownChunk = unknown_chunk
    _parsers = dict(parsers)


cdef inline unsigned int _u32(const unsigned char* p):
    return (<unsigned int>p[0] << 24) | (<unsigned int>p[1] << 16) | (<unsigned int>p[2] << 8) | p[3]


cdef inline unsigned int _u16(const unsigned char* p):
    return (<unsigned int>p[0] << 8) | p[1]


cdef inline void _put32(unsigned char* p, unsigned long long v):
    p[0] = (v >> 24) & 0xFF
    p[1] = (v >> 16) & 0xFF
    p[2] = (v >> 8) & 0xFF
    p[3] = v & 0xFF


cdef inline void _put16(unsigned char* p, unsigned long long v):
    p[0] = (v >> 8) & 0xFF
    p[1] = v & 0xFF


# RFC 9260 §3.3.1 DATA: TSN, stream id, SSN, PPID, then user data
cdef object _data_from(const unsigned char* buf, Py_ssize_t start, Py_ssize_t size, int flags,
                       bytes source):
    """A DataChunk from the ``size`` body bytes at ``buf + start`` (``source`` owns them)."""
    if size < 12:
        raise _SctpError(f"DATA: chunk length {size + 4} is below 16")
    cdef const unsigned char* p = buf + start
    # object.__new__ + slot stores skip the dataclass __init__ frame (the bulk of the cost)
    chunk = _new(_DataChunk)
    chunk.flags = flags
    chunk.tsn = _u32(p)
    chunk.stream_id = _u16(p + 4)
    chunk.stream_seq = _u16(p + 6)
    chunk.ppid = _u32(p + 8)
    chunk.user_data = PyBytes_FromStringAndSize(<const char*>p + 12, size - 12)
    return chunk


def parse_data(int flags, bytes body):
    """Same result and errors as purertc.sctp.chunks._parse_data."""
    return _data_from(<const unsigned char*>PyBytes_AS_STRING(body), 0, PyBytes_GET_SIZE(body),
                      flags, body)


# RFC 9260 §3.3.4 SACK: cumulative TSN ack, a_rwnd, N gap blocks, M duplicate TSNs
cdef object _sack_from(const unsigned char* buf, Py_ssize_t start, Py_ssize_t size, int flags):
    if size < 12:
        raise _SctpError(f"SACK: chunk length {size + 4} is below 16")
    cdef const unsigned char* p = buf + start
    cdef Py_ssize_t count_gaps = _u16(p + 8), count_dups = _u16(p + 10), i
    if size != 12 + 4 * count_gaps + 4 * count_dups:
        raise _SctpError(
            f"SACK: {count_gaps} gap blocks and {count_dups} duplicates do not fit "
            f"chunk length {size + 4}"
        )
    cdef tuple gaps = ()
    cdef tuple dups = ()
    if count_gaps:
        gaps = tuple([(_u16(p + 12 + 4 * i), _u16(p + 14 + 4 * i)) for i in range(count_gaps)])
    if count_dups:
        p = p + 12 + 4 * count_gaps
        dups = tuple([_u32(p + 4 * i) for i in range(count_dups)])
        p = buf + start
    chunk = _new(_SackChunk)
    chunk.cumulative_tsn = _u32(p)
    chunk.a_rwnd = _u32(p + 4)
    chunk.gaps = gaps
    chunk.duplicates = dups
    chunk.flags = flags
    return chunk


def parse_sack(int flags, bytes body):
    """Same result and errors as purertc.sctp.chunks._parse_sack."""
    return _sack_from(<const unsigned char*>PyBytes_AS_STRING(body), 0, PyBytes_GET_SIZE(body),
                      flags)


def parse_chunk(int kind, int flags, bytes body):
    """Same as purertc.sctp.chunks.parse_chunk."""
    if kind == 0:
        return parse_data(flags, body)
    if kind == 3:
        return parse_sack(flags, body)
    parser = _parsers.get(kind)
    if parser is None:
        return _UnknownChunk(kind, flags, body)
    return parser(flags, body)


def encode_data(int flags, unsigned int tsn, unsigned int stream_id, unsigned int ssn,
                unsigned int ppid, data):
    """Same bytes as purertc.sctp.chunks.encode_data: header, user data, zero padding."""
    cdef const unsigned char[::1] view
    cdef Py_ssize_t size
    cdef const char* src
    if type(data) is bytes:
        size = PyBytes_GET_SIZE(data)
        src = PyBytes_AS_STRING(data)
    else:
        view = data
        size = view.shape[0]
        src = <const char*>&view[0] if size else NULL
    if size > 0xFFFF - 16:
        raise _SctpError(f"DATA: user data of {size} bytes does not fit the chunk length")
    cdef Py_ssize_t padded = (size + 3) & ~3
    out = PyBytes_FromStringAndSize(NULL, 16 + padded)
    cdef unsigned char* p = <unsigned char*>PyBytes_AS_STRING(out)
    p[0] = 0
    p[1] = flags & 0xFF
    _put16(p + 2, 16 + size)
    _put32(p + 4, tsn)
    _put16(p + 8, stream_id)
    _put16(p + 10, ssn)
    _put32(p + 12, ppid)
    if size:
        memcpy(p + 16, src, size)
    if padded != size:
        memset(p + 16 + size, 0, padded - size)
    return out


def serialize_data(chunk):
    """Same bytes as DataChunk.serialize."""
    return encode_data(chunk.flags, chunk.tsn, chunk.stream_id, chunk.stream_seq, chunk.ppid,
                       chunk.user_data)


def iter_chunks(bytes data):
    """Same result and errors as purertc.sctp.packet.iter_chunks (walk after the 12-byte header)."""
    cdef Py_ssize_t end = PyBytes_GET_SIZE(data), offset = 12, length
    cdef const unsigned char* buf = <const unsigned char*>PyBytes_AS_STRING(data)
    cdef int kind, flags
    cdef list chunks = []
    while offset < end:
        if end - offset < 4:
            raise _SctpError(f"chunk header: {end - offset} trailing bytes after the last chunk")
        kind = buf[offset]
        flags = buf[offset + 1]
        length = _u16(buf + offset + 2)
        if length < 4 or offset + length > end:
            raise _SctpError(
                f"chunk type {kind}: length {length} runs past the end of the packet"
            )
        if kind == 0:
            chunks.append(_data_from(buf, offset + 4, length - 4, flags, data))
        elif kind == 3:
            chunks.append(_sack_from(buf, offset + 4, length - 4, flags))
        else:
            body = data[offset + 4 : offset + length]
            parser = _parsers.get(kind)
            chunks.append(_UnknownChunk(kind, flags, body) if parser is None else parser(flags, body))
        offset += (length + 3) & ~3
    return chunks


def parse_packet(packet_cls, data, bint verify_checksum=True):
    """Same result and errors as purertc.sctp.packet.Packet.parse (RFC 9260 §3.1, Appendix A)."""
    if type(data) is not bytes:
        data = bytes(data)
    cdef bytes raw = data
    cdef Py_ssize_t size = PyBytes_GET_SIZE(raw)
    if size < 16:
        raise _SctpError(f"packet length {size} is below 16 (header + one chunk)")
    cdef const unsigned char* p = <const unsigned char*>PyBytes_AS_STRING(raw)
    cdef unsigned int stored
    if verify_checksum:
        stored = p[8] | (<unsigned int>p[9] << 8) | (<unsigned int>p[10] << 16) | (
            <unsigned int>p[11] << 24
        )
        view = memoryview(raw)
        if stored != _crc32c(view[12:], _crc32c(_ZERO4, _crc32c(view[:8]))):
            raise _SctpError("checksum: CRC32c does not match")
    packet = _new(packet_cls)
    packet.source_port = _u16(p)
    packet.destination_port = _u16(p + 2)
    packet.verification_tag = _u32(p + 4)
    packet.chunks = iter_chunks(raw)
    return packet
