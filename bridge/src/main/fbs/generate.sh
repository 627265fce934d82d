#!/usr/bin/env bash
# Regenerates bridge/src/gen/java from tflite.fbs with Debian's flatc 2.0.8 (package
# flatbuffers-compiler), the version that matches the flatbuffers-java runtime in the pom.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out="$here/../../gen/java"
version=$(flatc --version | awk '{print $3}')
[ "$version" = "2.0.8" ] || { echo "flatc 2.0.8 expected, found $version (apt-get install flatbuffers-compiler)" >&2; exit 1; }
rm -rf "$out/io/qbridge/tflite/schema"
flatc --java --gen-all -o "$out" "$here/tflite.fbs"
echo "generated $(find "$out/io/qbridge/tflite/schema" -name '*.java' | wc -l) classes in $out"
