#!/usr/bin/env bash
# `rasa data validate`, failing on any warning except one known false positive:
# Rasa 3.6 does not count a form's own question (`utter_ask_<slot>`) as used by a story or rule.
set -uo pipefail
rasa=${RASA:-.venv/rasa/bin/rasa}
out=$("$rasa" data validate --domain domain.yml --data data --config config.yml 2>&1)
status=$?
echo "$out" | grep -vE "DeprecationWarning|pkg_resources|jax|xla_computation|declare_namespace" | tail -n 20
[ $status -eq 0 ] || { echo "rasa data validate failed (exit $status)"; exit $status; }
forms_questions=$(grep -oE "utter_ask_[a-z_]+" domain.yml | sort -u | paste -sd'|')
unexpected=$(echo "$out" | grep -E "UserWarning" | grep -vE "The utterance '(${forms_questions:-none})' is not used" || true)
if [ -n "$unexpected" ]; then
  echo "rasa data validate printed warnings:"; echo "$unexpected"; exit 1
fi
echo "rasa data validate: clean"
