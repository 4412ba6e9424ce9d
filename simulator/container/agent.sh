# The simulator's in-container agent: one long-lived shell process, started as the container's main process,
# that runs the build's commands one after another as they arrive on its standard input.
# It is plain POSIX sh so that it runs in any image that CodeBuild could run (CodeBuild needs `sh` too).
#
# Started as `sh -c <this script> simulator-agent <this script> <git safe folder>...`.
# Handshake: the first line on standard input is the nonce of the end markers. It never appears in an argument
# or a variable of the environment, which every process in the container can read (/proc/1/cmdline).
# Request: a header line "<id> <mode> <shell> <user> <line count>" followed by that many lines of script.
#   mode  "inherit": the script starts with the container's environment;
#         "clean": it starts from an empty environment (the script restores the saved session itself).
#   user  "-" for root, else the Linux user to run as (buildspec `run-as`).
# Reply: the script's output (stdout and stderr merged, as in CodeBuild's log), then a marker
#   "\n<RS><nonce> <id> <exit status><RS>\n" that the host strips, leading newline included.
# Reading line by line with the `read` builtin costs no process per request: per-command overhead stays
# at one shell start, which is what keeps a command to a few milliseconds.
#
# Keeping the channel out of the build's reach: the build's commands run as root, like the agent, so they could
# open /proc/1/fd/0 (and steal requests) or /proc/1/mem (and read the nonce) unless the agent is not "dumpable".
# The kernel makes a process non-dumpable when it starts with its effective group other than its real one, so the
# agent restarts itself once through a set-group-id copy of its shell; the shell then drops back to group 0 (dash
# and bash do, without -p), and stays non-dumpable, which without CAP_SYS_PTRACE (Docker grants it only to
# privileged containers) closes /proc/1/fd, /proc/1/mem and /proc/1/environ to the build. The commands it starts
# are ordinary processes again, and no command pays for this: it happens once, at the start.
# That start is a "secure" one for the C library, which drops LD_LIBRARY_PATH, TMPDIR and the like from the
# environment and caps the stack limit: the first stage saves both and the second restores them.
tmp=/codebuild/output/tmp
private=/codebuild/output/.simulator-agent
if [ "$0" = simulator-agent ]; then
  agent_text=$1
  shift
  mkdir -p "$tmp" && chmod 1777 "$tmp"
  # The sources belong to whoever staged or mounted them; git must not call them of "dubious ownership".
  if command -v git >/dev/null 2>&1; then
    for folder in "$@"; do
      git config --system --add safe.directory "$folder" >/dev/null 2>&1
    done
  fi
  if mkdir -m 0700 "$private" 2>/dev/null &&
    cp /bin/sh "$private/sh" 2>/dev/null &&
    chown 0:65534 "$private/sh" 2>/dev/null &&
    chmod 2755 "$private/sh" 2>/dev/null &&
    [ "$("$private/sh" -c 'while read -r key real effective rest; do
           [ "$key" = Gid: ] && { echo "$real $effective"; break; }
         done < /proc/self/status' 2>/dev/null)" = "0 0" ] &&
    export -p > "$private/environment" &&
    printf 'ulimit -S -s %s 2>/dev/null\n' "$(ulimit -s)" >> "$private/environment"; then
    exec "$private/sh" -c "$agent_text" simulator-agent-hardened
  fi
  # The copy could not be made, or its shell keeps the other group: run unhardened rather than as the wrong group.
  rm -rf "$private"
elif [ "$0" = simulator-agent-hardened ]; then
  . "$private/environment"
  rm -rf "$private"
fi
IFS= read -r nonce
script="$tmp/script.sh"
runuser_path=$(command -v runuser 2>/dev/null)
last_shell=
shell_path=
rs=$(printf '\036')
while IFS=' ' read -r id mode shell user count; do
  : > "$script"
  while [ "$count" -gt 0 ] && IFS= read -r line; do
    printf '%s\n' "$line" >> "$script"
    count=$((count - 1))
  done
  chmod 0755 "$script"
  if [ "$shell" != "$last_shell" ]; then
    shell_path=$(command -v "$shell" 2>/dev/null)
    last_shell=$shell
  fi
  if [ -z "$shell_path" ]; then
    echo "simulator agent: shell '$shell' is not installed in this image"
    rc=127
  else
    set -- "$shell_path" "$script"
    if [ "$user" != "-" ]; then
      if [ -n "$runuser_path" ]; then
        set -- "$runuser_path" -u "$user" -- "$@"
      else
        set -- su -s "$shell_path" "$user" -c "$script"
      fi
    fi
    if [ "$mode" = clean ]; then
      set -- env -i "$@"
    fi
    "$@" < /dev/null 2>&1
    rc=$?
  fi
  printf '\n%s%s %s %s%s\n' "$rs" "$nonce" "$id" "$rc" "$rs"
done
