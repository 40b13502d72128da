#!/usr/bin/env bash
# The lab tier of `make test`: install what the lab needs, bring it up (failing with the
# component and its log if it cannot), run the integration tests (TestLab*, build tag lab),
# and bring it down again — unless it was already up before, in which case it stays up.
set -uo pipefail
cd "$(dirname "$0")/../.."
lab=testdata/lab/lab.sh

was_up=
if $lab status >/dev/null 2>&1; then was_up=1; fi
$lab install || exit 1
start=$(date +%s)
if ! $lab up; then
  $lab down >/dev/null 2>&1
  echo "lab tier FAILED: the lab did not come up (see above)" >&2
  exit 1
fi
echo "[lab] up in $(( $(date +%s) - start ))s"
pkgs=$(grep -rl --include='*_test.go' '^//go:build lab' . | xargs -n1 dirname | sort -u)
log=$(mktemp)
go test -race -p 1 -tags lab -count=1 -v -run '^TestLab' $pkgs 2>&1 | tee "$log" | grep -E '^(--- |FAIL|ok|panic)'
rc=${PIPESTATUS[0]}
passed=$(grep -c '^--- PASS' "$log"); failed=$(grep -c '^--- FAIL' "$log")
if [[ $rc != 0 ]]; then echo "---- details of the lab tier ----"; grep -v -E '^(=== (RUN|PAUSE|CONT)|--- PASS)' "$log"; fi
rm -f "$log"
if [[ -z $was_up ]]; then $lab down; fi
echo "lab: $passed passed, $failed failed"
exit $rc
