#!/usr/bin/env bash
# Runs every fuzz target for ${FUZZTIME:-30s}, one after the other, and
# prints each target's final execution count. Fails on the first target
# that fails (a crasher is then saved under the package's testdata/fuzz,
# and go test prints how to rerun it).
#
#   FUZZTIME=10m .ci/fuzz.sh            # longer runs
#   FUZZPARALLEL=1 .ci/fuzz.sh          # one fuzzing worker per target
#   .ci/fuzz.sh FuzzSlice FuzzString    # only these targets
set -euo pipefail
cd "$(dirname "$0")/.."

fuzztime="${FUZZTIME:-30s}"
targets=(
	"./guestptr FuzzPtrRead"
	"./guestptr FuzzPtrWrite"
	"./guestptr FuzzSlice"
	"./guestptr FuzzString"
	"./marshal FuzzDecode"
	"./memory FuzzBorrows"
	"./examples/wasi/wasihost FuzzHostCalls"
	"./bench/wasidecoders FuzzFdstat"
	"./bench/wasidecoders FuzzSubscription"
	"./bench/wasidecoders FuzzIovecs"
	"./guestptr/deep FuzzLoad"
)
parallel=()
if [ -n "${FUZZPARALLEL:-}" ]; then
	parallel=(-parallel "$FUZZPARALLEL")
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
for t in "${targets[@]}"; do
	read -r pkg name <<<"$t"
	if [ $# -gt 0 ] && [[ " $* " != *" $name "* ]]; then
		continue
	fi
	printf '%-13s %-11s ' "$name" "$pkg"
	ok=0
	for try in 1 2; do
		if go test -run='^$' -fuzz="^${name}\$" -fuzztime="$fuzztime" "${parallel[@]}" "$pkg" >"$log" 2>&1; then
			ok=1
			break
		fi
		# Go's fuzzing coordinator sometimes gives up on a busy worker
		# as the time runs out ("context deadline exceeded") with no
		# failing input: a tool flake, tried once more. Anything else,
		# or a saved crasher, is a failure.
		if ! grep -q 'context deadline exceeded' "$log" || grep -q 'Failing input written to' "$log"; then
			break
		fi
		printf '(deadline flake, again) '
	done
	if [ "$ok" != 1 ]; then
		echo "FAILED"
		cat "$log"
		exit 1
	fi
	# The last progress line: "fuzz: elapsed: 30s, execs: 123456 (4115/sec), ..."
	line=$(grep -E 'execs: [0-9]+' "$log" | tail -n 1 | sed -E 's/^fuzz: //; s/ \([0-9]+\/sec\)//' || true)
	echo "${line:-ok (no execution count reported)}"
done
