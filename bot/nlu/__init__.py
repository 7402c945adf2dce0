"""Rasa 3.6 NLU components for Vietnamese (Rasa virtualenv only).

Use them from config.yml as ``bot.nlu.tokenizer.VietnameseTokenizer`` and
``bot.nlu.featurizer.FoldedSyllableFeaturizer``; Rasa only needs the repository root on
PYTHONPATH. Nothing is imported here so that importing ``bot.nlu`` stays cheap.
"""
