#!/usr/bin/env bash
# Runs only the emulated-Arm suites of qemu-tests (bridge is compiled, its host tests skipped) and
# prints the wall time of each.
#   qemu-tests/run.sh [SUITE...] [MAVEN_OPTION...]
# SUITE: aarch64-cortex-a72, aarch64-max, armhf-cortex-a15 (default: all three).
# MAVEN_OPTION: anything starting with '-', e.g. -o (offline) or -Dtest='Conv*'.
# Exit status: Maven's; 1 without the toolchains (run cross-toolchains/setup.sh first).
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
all_suites=(aarch64-cortex-a72 aarch64-max armhf-cortex-a15)
suites=() maven_options=()
for arg in "$@"; do
    case "$arg" in
        -*) maven_options+=("$arg") ;;
        aarch64-cortex-a72|aarch64-max|armhf-cortex-a15) suites+=("$arg") ;;
        *) echo "qemu-tests: unknown suite '$arg' (${all_suites[*]})" >&2; exit 2 ;;
    esac
done
[ ${#suites[@]} -gt 0 ] || suites=("${all_suites[@]}")

skips=()
for suite in "${all_suites[@]}"; do
    case " ${suites[*]} " in
        *" $suite "*)
            arch=arm64; [ "$suite" = armhf-cortex-a15 ] && arch=armhf
            if [ ! -x "$repo/.toolchains/$arch/usr/lib/jvm/java-17-openjdk-$arch/bin/java" ]; then
                echo "qemu-tests: no $arch JDK in $repo/.toolchains: run cross-toolchains/setup.sh first" >&2
                exit 1
            fi
            ;;
        *) skips+=("-Dqemu.skip.$suite=true") ;;
    esac
done

# Maven's output passes through; each suite's start and end are timed from its surefire lines.
cd "$repo"
now_ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }
seconds_since() { local ms=$(( $(now_ms) - $1 )); printf '%d.%d s' $((ms / 1000)) $((ms % 1000 / 100)); }
start=$(now_ms) current='' current_start=0 summary=()
finish_suite() {
    [ -n "$current" ] || return 0
    summary+=("$(printf '%-20s %s: %s' "$current" "$(seconds_since "$current_start")" "$1")")
    current=''
}
set +e
mvn -B -ntp -pl qemu-tests -am test -DskipTests -Dqemu.skipTests=false \
    ${skips[@]+"${skips[@]}"} ${maven_options[@]+"${maven_options[@]}"} 2>&1 | {
    while IFS= read -r line; do
        printf '%s\n' "$line"
        case "$line" in
            *"maven-surefire-plugin:"*":test (qemu-"*)
                finish_suite "no result"
                current=${line##*(qemu-}; current=${current%%)*}; current_start=$(now_ms) ;;
            "[INFO] Tests are skipped.") finish_suite "skipped" ;;
            "[INFO] Tests run: "*|"[ERROR] Tests run: "*)
                # the suite's total: the one "Tests run:" line without " -- in "
                case "$line" in *" -- in "*) ;; *) finish_suite "${line#* Tests run: }" ;; esac ;;
        esac
    done
    finish_suite "no result"
    echo "qemu-tests: wall time per suite"
    printf '  %s\n' "${summary[@]}"
    echo "  total with Maven and compilation: $(seconds_since "$start")"
}
status=${PIPESTATUS[0]}
exit "$status"
