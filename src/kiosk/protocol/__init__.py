"""The fixed MQTT contract: topic names, message types, encode/decode/validate.

Rule: pure and shared. Every role imports this package and nothing of the other roles; it imports
only the standard library. See docs/protocol.md for the wire format.
"""

from .codec import (MAX_PAYLOAD, MAX_STATE_PAYLOAD, PRESS_ACTIONS, REQUEST_OPS, ProtocolError, Press, Reply, Request,
                    decode_json, decode_press, decode_reply, decode_request, encode, envelope_of, error_reply,
                    ok_reply)
from .topics import Topics, valid_id

__all__ = [
    "MAX_PAYLOAD", "MAX_STATE_PAYLOAD", "PRESS_ACTIONS", "REQUEST_OPS", "ProtocolError", "Press", "Reply", "Request",
    "Topics", "decode_json", "decode_press", "decode_reply", "decode_request", "encode", "envelope_of", "error_reply",
    "ok_reply", "valid_id",
]
