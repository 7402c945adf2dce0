#!/usr/bin/env bash
# `rasa data validate`, failing on any warning except two known false positives: Rasa 3.6
# does not count a form's own question (`utter_ask_<slot>`) nor a response that a custom action
# sends (`response="utter_..."` in actions/) as used by a story or rule.
set -uo pipefail
rasa=${RASA:-.venv/rasa/bin/rasa}
out=$("$rasa" data validate --domain domain.yml --data data --config config.yml 2>&1)
status=$?
echo "$out" | grep -vE "DeprecationWarning|pkg_resources|jax|xla_computation|declare_namespace" | tail -n 20
[ $status -eq 0 ] || { echo "rasa data validate failed (exit $status)"; exit $status; }
forms_questions=$(grep -oE "utter_ask_[a-z_]+" domain.yml | sort -u | paste -sd'|')
sent_by_actions=$(grep -ohE 'response="utter_[a-z_]+"' actions/*.py | grep -oE "utter_[a-z_]+" | sort -u | paste -sd'|')
known="${forms_questions:-none}|${sent_by_actions:-none}"
unexpected=$(echo "$out" | grep -E "UserWarning" | grep -vE "The utterance '(${known})' is not used" || true)
if [ -n "$unexpected" ]; then
  echo "rasa data validate printed warnings:"; echo "$unexpected"; exit 1
fi
echo "rasa data validate: clean"
