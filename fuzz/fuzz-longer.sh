#!/usr/bin/env bash
# Fuzzes the model loader and both backends for about MINUTES minutes (default 30): repeats the
# one-minute fuzz run of qbridge-fuzz, each resuming from the corpus the last one grew
# (fuzz/.cifuzz-corpus/, git-ignored). A finding stops it; the failing input is left as
# fuzz/src/test/resources/io/qbridge/fuzz/ModelFuzzTestInputs/loadRunCompare/crash-<sha1> (or in
# fuzz/ itself): fix the bug and commit that file, so that every test run replays it.
#   fuzz/fuzz-longer.sh [MINUTES]
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${1:-30}
# minute 1: builds bridge and the seeds, replays the kept findings, fuzzes (bridge's own tests are left out)
echo "qbridge-fuzz: minute 1 of $minutes"
mvn -B -q -ntp install -pl fuzz -am -Dtest=ModelFuzzTest -Dsurefire.failIfNoSpecifiedTests=false
for ((i = 2; i <= minutes; i++)); do
    echo "qbridge-fuzz: minute $i of $minutes ($(find fuzz/.cifuzz-corpus -type f | wc -l) inputs in the corpus)"
    # a new seed each minute, and no execution bound: the minute (maxDuration) ends each run
    mvn -B -q -ntp -o surefire:test@fuzz -pl fuzz -Dfuzz.seed="$RANDOM$i" -Dfuzz.runs=-1
done
