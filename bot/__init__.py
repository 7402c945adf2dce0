"""The commune assistant: Vietnamese text handling, Rasa components, knowledge, state, gateway.

Sub-packages are split by the environment they run in: `bot.text` is pure Python (used by both
virtualenvs), `bot.nlu` runs only inside the Rasa env, everything else only in the modern env.
Keep this file free of imports so either env can import any sub-package.
"""
