#!/usr/bin/env python3
"""Independent reference for realm-ts parity tests: ORQA's answer normalisation and regex matching.

Re-states language/orqa/utils/eval_utils.py (normalize_answer, regex_match_score) with only the Python
standard library (no TensorFlow). Reads JSON lines on stdin, one request each:
  {"normalize": "<text>"}                      -> {"normalized": "<normalize_answer(text)>"}
  {"pattern": "<regex>", "text": "<prediction>"} -> {"compiles": bool, "match": bool}
and writes one JSON line per request to stdout.
"""
import json
import re
import string
import sys
import unicodedata

PUNCTUATION = frozenset(string.punctuation)
ARTICLES = re.compile(r"\b(a|an|the)\b")


def normalize_answer(text):
  text = unicodedata.normalize("NFD", text).lower()
  text = "".join(ch for ch in text if ch not in PUNCTUATION)
  text = ARTICLES.sub(" ", text)
  return " ".join(text.split())


def regex_match(pattern, text):
  try:
    compiled = re.compile(pattern, flags=re.IGNORECASE + re.UNICODE + re.MULTILINE)
  except (re.error, ValueError, OverflowError):
    # re.error is what ORQA catches; ValueError/OverflowError would crash ORQA, so they also mean "no score".
    return {"compiles": False, "match": False}
  return {"compiles": True, "match": compiled.match(text) is not None}


def main():
  for line in sys.stdin:
    request = json.loads(line)
    if "normalize" in request:
      response = {"normalized": normalize_answer(request["normalize"])}
    else:
      response = regex_match(request["pattern"], request["text"])
    sys.stdout.write(json.dumps(response) + "\n")


if __name__ == "__main__":
  main()
