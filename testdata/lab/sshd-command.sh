#!/bin/sh
# The lab sshd's ForceCommand: append the command the client sent to $LAB_STATE/logs/ssh-commands.log,
# then run it exactly as sshd would have (the user's shell with -c), so nothing else changes.
# One record per command: "<UTC time> <host> <byte length> <command>\n" — the length lets a
# reader take commands that contain newlines (testdata/soak/sshcmds reads it back).
cmd=$SSH_ORIGINAL_COMMAND
printf '%s %s %d %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "${LAB_HOST:-?}" "${#cmd}" "$cmd" >> "$LAB_STATE/logs/ssh-commands.log"
if [ -z "$cmd" ]; then exec "${SHELL:-/bin/sh}" -l; fi
exec "${SHELL:-/bin/sh}" -c "$cmd"
