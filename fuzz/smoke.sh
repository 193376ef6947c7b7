#!/usr/bin/env bash
# Fuzz smoke test: every target for SECONDS seconds (default 20) from the
# seed corpora; exits non-zero if any target finds a crash, a failed
# invariant, a timeout or an out-of-memory. Crashing inputs are written to
# fuzz/artifacts/<target>/.
#
#   fuzz/smoke.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-20}"

if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi

# libFuzzer instrumentation (-Zsanitizer, sancov) takes unstable flags. A
# nightly compiler has them; where none is installed (and none can be
# downloaded) the stable one accepts them under RUSTC_BOOTSTRAP=1, and its
# sanitizer runtimes ship with it. FUZZ_TOOLCHAIN names one explicitly.
toolchain="${FUZZ_TOOLCHAIN:-}"
if [[ -z $toolchain ]]; then
    if rustup run nightly rustc --version >/dev/null 2>&1; then
        toolchain=nightly
    else
        toolchain=stable
    fi
fi
export RUSTUP_TOOLCHAIN="$toolchain"
if [[ $toolchain != nightly* ]]; then
    export RUSTC_BOOTSTRAP=1
fi
echo "fuzz smoke: toolchain $(rustc --version)${RUSTC_BOOTSTRAP:+ (RUSTC_BOOTSTRAP=1)}"

./seed.sh
cargo fuzz build

logs="$(mktemp -d)"
trap 'rm -rf "$logs"' EXIT
failed=()
printf '%-30s %12s %10s  %s\n' target executions exec/s result
for target in $(cargo fuzz list); do
    status=ok
    # -timeout: one input may not run for more than 10 s.
    if ! cargo fuzz run "$target" -- -max_total_time="$seconds" -timeout=10 \
        >"$logs/$target.log" 2>&1; then
        status=FAILED
        failed+=("$target")
    fi
    done_line="$(grep -E '^#[0-9]+[[:space:]]+DONE' "$logs/$target.log" | tail -n 1 || true)"
    runs="$(sed -nE 's/^Done ([0-9]+) runs.*/\1/p' "$logs/$target.log" | tail -n 1)"
    rate="$(sed -nE 's/.*exec\/s: ([0-9]+).*/\1/p' <<<"$done_line")"
    printf '%-30s %12s %10s  %s\n' "$target" "${runs:-?}" "${rate:-?}" "$status"
    if [[ $status != ok ]]; then
        grep -E 'panicked|ERROR|SUMMARY|Test unit written|Reproduce with|Minimize' \
            "$logs/$target.log" | head -n 20 || tail -n 20 "$logs/$target.log"
    fi
done

if ((${#failed[@]})); then
    echo "fuzz smoke: ${#failed[@]} target(s) failed: ${failed[*]}" >&2
    exit 1
fi
echo "fuzz smoke: every target ran ${seconds}s without a crash"
