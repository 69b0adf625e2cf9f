#!/usr/bin/env bash
# Runs gem's whole test suite. Tests that need ../shared (real data and the
# reference's golden output) skip with a message when it is absent.
set -euo pipefail
cd "$(dirname "$0")"
go vet ./...
unformatted=$(gofmt -l .)
if [ -n "$unformatted" ]; then
  echo "not gofmt-formatted:"; echo "$unformatted"; exit 1
fi
go test -count=1 ./...
