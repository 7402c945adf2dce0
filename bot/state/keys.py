"""Names of shared-state keys that more than one process reads or writes.

The gateway, the action server and the CLI are separate processes: a key they share is a contract,
so it is named here once rather than in one of them.
"""

# Handoff pause flag per Rasa sender id (set by the handoff action or the admin API, read by the
# gateway before it forwards anything to Rasa).
HANDOFF_PREFIX = "handoff:"
# A web conversation's citizen-readable transcript (gateway), deleted on a privacy request.
HISTORY_KEY_PREFIX = "webchat:history:"
# Small per-conversation markers of the web chat (no personal data, but keyed by the sender id):
# the handoff acknowledgement was sent, when staff last wrote, the rating was asked / answered.
# Deleted with the conversation on a privacy request.
HANDOFF_ACK_PREFIX = "webchat:handoff-ack:"
STAFF_MARKER_PREFIX = "webchat:staff-at:"
RATING_ANSWERED_PREFIX = "webchat:rating:answered:"
RATING_OFFERED_PREFIX = "webchat:rating:offered:"
WEB_MARKER_PREFIXES = (
    HANDOFF_ACK_PREFIX,
    STAFF_MARKER_PREFIX,
    RATING_ANSWERED_PREFIX,
    RATING_OFFERED_PREFIX,
)
