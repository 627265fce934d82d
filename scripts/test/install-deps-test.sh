#!/usr/bin/env bash
# Regression test of scripts/install-deps.sh's decisions: it runs the script against stub
# dpkg-query, apt-cache, apt-get, sudo, id and java on a PATH that holds nothing else, and checks
# what it would install. The stub apt-cache prints a policy as long as a real one with many
# versions (far past a pipe's 64 KiB), the case where `apt-cache policy P | grep -q ...` under
# pipefail read as "not available" (grep exits at the first match, apt-cache dies of SIGPIPE) and
# Arm NN was never installed on a fresh machine.
#   scripts/test/install-deps-test.sh       # prints one line per case and "N passed, M failed"
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
script=$root/scripts/install-deps.sh
bash_bin=$(command -v bash)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
armnn=(libarmnn-dev libarmnntfliteparser-dev libarmnn-cpuref-backend22)
passed=0
failed=0

# Writes the stubs into $work/bin. Their state comes from the environment of each case:
#   STUB_INSTALLED  packages dpkg-query reports installed      STUB_AVAILABLE  packages with a candidate
#   STUB_UID        what `id -u` prints                         STUB_LOG        where apt-get and sudo log
make_stubs() {
    local bin=$work/bin
    rm -rf "$bin"
    mkdir -p "$bin"
    local tool
    for tool in sed head cat grep; do ln -s "$(command -v "$tool")" "$bin/$tool"; done
    cat > "$bin/dpkg-query" <<'EOF'
#!/bin/sh
for p in $STUB_INSTALLED; do
    if [ "$p" = "$3" ]; then printf 'install ok installed'; exit 0; fi
done
echo "dpkg-query: no packages found matching $3" >&2
exit 1
EOF
    cat > "$bin/apt-cache" <<'EOF'
#!/bin/sh
[ "$1" = policy ] || exit 100
candidate='(none)'
for p in $STUB_AVAILABLE; do [ "$p" = "$2" ] && candidate=20.08-12; done
printf '%s:\n  Installed: (none)\n  Candidate: %s\n  Version table:\n' "$2" "$candidate"
i=0
while [ $i -lt 4000 ]; do
    printf '     20.08-%d 500\n        500 http://deb.debian.org/debian bookworm/main amd64 Packages\n' $i
    i=$((i + 1))
done
EOF
    cat > "$bin/apt-get" <<'EOF'
#!/bin/sh
echo "apt-get $*" >> "$STUB_LOG"
EOF
    cat > "$bin/sudo" <<'EOF'
#!/bin/sh
echo "sudo $*" >> "$STUB_LOG"
exec "$@"
EOF
    cat > "$bin/id" <<'EOF'
#!/bin/sh
echo "$STUB_UID"
EOF
    chmod +x "$bin"/*
}

# Adds a stub JDK of that major version (java -version, javac) and mvn, g++, cmake, make.
with_tools() {
    local major=$1 t
    printf '#!/bin/sh\necho "openjdk version \\"%s.0.15\\" 2025-04-15" >&2\n' "$major" > "$work/bin/java"
    for t in javac mvn g++ cmake make; do printf '#!/bin/sh\nexit 0\n' > "$work/bin/$t"; done
    chmod +x "$work/bin"/*
}

# run_case NAME EXPECTED_STATUS: runs the script with the stubs; its log and stderr are left in
# $work/log and $work/err for the checks that follow.
status=0
run_case() {
    case_name=$1
    : > "$work/log"
    status=0
    env -i PATH="$work/bin" STUB_LOG="$work/log" STUB_UID="${STUB_UID:-0}" \
        STUB_INSTALLED="${STUB_INSTALLED:-}" STUB_AVAILABLE="${STUB_AVAILABLE:-}" \
        "$bash_bin" "$script" > "$work/out" 2> "$work/err" || status=$?
    case_ok=yes
    case_why=()
    [ "$status" -eq "$2" ] || fail "exit status $status, expected $2"
}

fail() { case_ok=no; case_why+=("$1"); }
installs() { grep -q -- "install .*$1" "$work/log" || fail "does not install $1"; }
not_installs() { ! grep -q -- "install .*$1" "$work/log" || fail "installs $1"; }
no_apt() { [ ! -s "$work/log" ] || fail "ran apt: $(head -n1 "$work/log")"; }
says() { grep -q -- "$1" "$work/err" || fail "does not say '$1'"; }
end_case() {
    if [ $case_ok = yes ]; then
        passed=$((passed + 1))
        echo "ok   $case_name"
    else
        failed=$((failed + 1))
        echo "FAIL $case_name: ${case_why[*]}"
        sed 's/^/       stderr: /' "$work/err" | head -n 5
    fi
}

make_stubs; with_tools 17
STUB_INSTALLED="${armnn[*]}" STUB_AVAILABLE="${armnn[*]}" run_case "everything installed: no apt at all" 0
no_apt; end_case

make_stubs; with_tools 17
STUB_AVAILABLE="${armnn[*]}" run_case "Arm NN offered with a long policy output: installed" 0
for p in "${armnn[@]}"; do installs "$p"; done
end_case

make_stubs; with_tools 17
run_case "Arm NN not offered: says so, installs nothing else" 0
for p in "${armnn[@]}"; do not_installs "$p"; done
says "libarmnn-dev is not available here"
end_case

make_stubs
STUB_INSTALLED="${armnn[*]}" run_case "no JDK, Maven or compilers: all installed" 0
for p in openjdk-17-jdk-headless maven g++ cmake make; do installs "$p"; done
end_case

make_stubs; with_tools 11
STUB_INSTALLED="${armnn[*]}" run_case "JDK 11 only: JDK 17 installed" 0
installs openjdk-17-jdk-headless; not_installs maven
end_case

make_stubs; with_tools 17
STUB_UID=1000 STUB_AVAILABLE="${armnn[*]}" run_case "not root: apt through sudo" 0
grep -q "^sudo apt-get .*install .*libarmnn-dev" "$work/log" || fail "does not install through sudo"
end_case

make_stubs; with_tools 17; rm "$work/bin/sudo"
STUB_UID=1000 STUB_AVAILABLE="${armnn[*]}" run_case "not root and no sudo: fails naming the packages" 1
no_apt; says "need root or sudo to install: .*libarmnn-dev"
end_case

# The pattern behind the bug, anywhere in the project's shell scripts (comments aside).
case_name="no pipeline into a quiet grep in the project's scripts"
case_ok=yes; case_why=()
: > "$work/err"
offenders=$(cd "$root" && git ls-files '*.sh' '*/java' 2>/dev/null \
    | xargs grep -n -E '\|[[:space:]]*grep[[:space:]]+(-[a-zA-Z]*q|--quiet)' 2>/dev/null \
    | grep -v -E '^[^:]+:[0-9]+:[[:space:]]*#' || true)
[ -z "$offenders" ] || fail "$(echo "$offenders" | head -n 3 | tr '\n' ' ')"
end_case

echo "install-deps: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
