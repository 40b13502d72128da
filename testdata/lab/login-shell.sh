#!/bin/sh
# The lab user's login shell (installed as /usr/local/lib/opsdeck-lab/login-shell by lab.sh
# install): it appends each command sshd runs for the user to $LAB_STATE/logs/ssh-commands.log,
# then runs it exactly as /bin/sh would, in the same process (exec), so sshd's signals (a
# client's SIGKILL goes to the session's process group) still reach it. Not a ForceCommand:
# sshd refuses client signals to forced-command sessions. Logging failures are ignored (the
# labs of other checkouts share this user and have no such log).
# One record per command: "<UTC time> <host> <byte length> <command>\n" — the length lets a
# reader take commands that contain newlines (testdata/soak/sshcmds reads it back).
if [ "$#" -eq 2 ] && [ "$1" = -c ]; then
  { printf '%s %s %d %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "${LAB_HOST:-?}" "${#2}" "$2" >> "${LAB_STATE:-/nonexistent}/logs/ssh-commands.log"; } 2>/dev/null
  exec /bin/sh -c "$2"
fi
exec /bin/sh "$@"
