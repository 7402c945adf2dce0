"""Names of shared-state keys that more than one process reads or writes.

The gateway, the action server and the CLI are separate processes: a key they share is a contract,
so it is named here once rather than in one of them.
"""

# Handoff pause flag per Rasa sender id (set by the handoff action or the admin API, read by the
# gateway before it forwards anything to Rasa).
HANDOFF_PREFIX = "handoff:"
# A web conversation's citizen-readable transcript (gateway), deleted on a privacy request.
HISTORY_KEY_PREFIX = "webchat:history:"
