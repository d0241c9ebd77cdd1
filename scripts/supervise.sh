#!/usr/bin/env bash
# Run the process manager (concurrently) so that every way of stopping `make run` stops it all.
#
# concurrently shuts down on SIGINT, but with --restart-tries it answers SIGTERM by restarting
# the children it just forwarded the signal to. So it runs in a process group of its own, where
# neither the terminal's Ctrl-C nor a group-wide SIGTERM reaches it or its children directly,
# and this script turns INT, TERM and HUP into the one SIGINT that makes it stop them all.
set -u
setsid "$@" &
manager=$!
trap 'kill -INT "$manager" 2>/dev/null' INT TERM HUP
wait "$manager"
status=$?
# A trapped signal interrupts the first wait; the second waits for the shutdown to finish.
while kill -0 "$manager" 2>/dev/null; do wait "$manager"; status=$?; done
exit "$status"
