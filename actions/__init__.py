"""Custom actions for the rasa-sdk action server, grouped by citizen task.

Actions stay thin: they read the tracker, call the `bot` packages and send messages. The
action server (`python -m rasa_sdk --actions actions`) imports every module of this package.
"""
