#!/usr/bin/env bash
# The logic of scimconf's GitHub Action (action.yml): run `scimconf
# conformance` against INPUT_TARGET and hand the verdict and the report
# paths to the workflow. A runner sets GITHUB_OUTPUT and GITHUB_STEP_SUMMARY
# (files); cmd/scimconf/action_test.go runs this script the same way.
#
# Environment (action.yml maps the inputs):
#   INPUT_TARGET           SCIM base URL (required)
#   SCIM_TOKEN             bearer token (required; scimconf reads it from here)
#   INPUT_PROFILE          profiles, comma-separated (default rfc)
#   INPUT_VERIFIED_DOMAIN  verified domain(s) of the target account
#   INPUT_REPORT_DIR       report directory (default scimconf-reports)
#   SCIMCONF               scimconf binary to run; empty: build one from
#                          SCIMCONF_SOURCE (the action's checkout) with go
#   SCIMCONF_REF           the action's ref, for `scimconf version`
# Outputs: verdict (pass, fail, error), exit-code, report-dir, junit,
# report-md, report-html, report-json. Exit status: scimconf's (0 pass,
# 1 fail, 2 error).
set -uo pipefail

output() { # name value
	if [ -n "${GITHUB_OUTPUT:-}" ]; then
		printf '%s=%s\n' "$1" "$2" >>"$GITHUB_OUTPUT"
	fi
}

# fail_config says what to fix, as a workflow error, and ends with status 2.
fail_config() {
	echo "::error title=scimconf::$1"
	if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
		printf '## scimconf: configuration error\n\n%s\n' "$1" >>"$GITHUB_STEP_SUMMARY"
	fi
	output verdict error
	output exit-code 2
	exit 2
}

[ -n "${INPUT_TARGET:-}" ] || fail_config "the target input is empty: give the SCIM base URL of the server under test, e.g. target: https://scim.example.test/scim/v2"
[ -n "${SCIM_TOKEN:-}" ] || fail_config "the token input is empty: give the target's bearer token from a secret, e.g. token: \${{ secrets.SCIM_TOKEN }} (a secret is empty in workflows triggered from forks)"
export SCIM_TOKEN
# A token not given as a secret is masked in the log too.
echo "::add-mask::$SCIM_TOKEN"

report_dir=${INPUT_REPORT_DIR:-scimconf-reports}
case $report_dir in
/*) ;;
*) report_dir=$PWD/$report_dir ;;
esac
mkdir -p "$report_dir" || fail_config "cannot create the report directory $report_dir"

bin=${SCIMCONF:-}
if [ -z "$bin" ]; then
	src=${SCIMCONF_SOURCE:-}
	[ -n "$src" ] && [ -f "$src/go.mod" ] || fail_config "no scimconf input and no source to build it from (SCIMCONF_SOURCE=$src)"
	command -v go >/dev/null || fail_config "no scimconf input and no go command to build it: set up Go, or pass a binary in the scimconf input"
	bin=${RUNNER_TEMP:-${TMPDIR:-/tmp}}/scimconf-action/scimconf
	echo "::group::Build scimconf from the action's source"
	if ! go build -C "$src" -ldflags "-X main.version=${SCIMCONF_REF:-action}" -o "$bin" ./cmd/scimconf; then
		echo "::endgroup::"
		fail_config "building scimconf from $src failed (see the log above)"
	fi
	echo "::endgroup::"
fi
[ -x "$bin" ] || fail_config "the scimconf input $bin is not an executable file"
"$bin" version

args=(conformance --target "$INPUT_TARGET" --out "$report_dir" --profile "${INPUT_PROFILE:-rfc}")
if [ -n "${INPUT_VERIFIED_DOMAIN:-}" ]; then
	args+=(--verified-domain "$INPUT_VERIFIED_DOMAIN")
else
	echo "::notice title=scimconf::no verified-domain input: the users the suites create are named on example.com (the default); give the target account's verified domain if the server checks it"
fi

summary_size() { if [ -n "${GITHUB_STEP_SUMMARY:-}" ] && [ -f "$GITHUB_STEP_SUMMARY" ]; then wc -c <"$GITHUB_STEP_SUMMARY"; else echo 0; fi; }
before=$(summary_size)
"$bin" "${args[@]}"
status=$?

case $status in
0) verdict=pass ;;
1) verdict=fail ;;
*) verdict=error ;;
esac
output verdict "$verdict"
output exit-code "$status"
output report-dir "$report_dir"
for f in junit:junit.xml report-md:report.md report-html:report.html report-json:report.json; do
	if [ -f "$report_dir/${f#*:}" ]; then
		output "${f%%:*}" "$report_dir/${f#*:}"
	fi
done

# scimconf writes report.md to the step summary itself where it knows
# GITHUB_STEP_SUMMARY; a scimconf that did not (an older binary) gets it
# written here, so the summary is there either way, once.
if [ -n "${GITHUB_STEP_SUMMARY:-}" ] && [ "$(summary_size)" = "$before" ]; then
	if [ -f "$report_dir/report.md" ]; then
		cat "$report_dir/report.md" >>"$GITHUB_STEP_SUMMARY"
	else
		printf '## scimconf: %s (exit status %s)\n\nNo report was written; the log of this step says why.\n' "$verdict" "$status" >>"$GITHUB_STEP_SUMMARY"
	fi
fi
echo "scimconf: verdict $verdict (exit status $status); reports in $report_dir"
exit "$status"
