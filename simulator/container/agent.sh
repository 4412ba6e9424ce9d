# The simulator's in-container agent: one long-lived shell process, started as the container's main process,
# that runs the build's commands one after another as they arrive on its standard input.
# It is plain POSIX sh so that it runs in any image that CodeBuild could run (CodeBuild needs `sh` too).
#
# Request: a header line "<id> <mode> <shell> <user> <line count>" followed by that many lines of script.
#   mode  "inherit": the script starts with the container's environment;
#         "clean": it starts from an empty environment (the script restores the saved session itself).
#   user  "-" for root, else the Linux user to run as (buildspec `run-as`).
# Reply: the script's output (stdout and stderr merged, as in CodeBuild's log), then a marker
#   "\n<RS><nonce> <id> <exit status><RS>\n" that the host strips, leading newline included.
# Reading line by line with the `read` builtin costs no process per request: per-command overhead stays
# at one shell start, which is what keeps a command to a few milliseconds.
nonce=$1
tmp=/codebuild/output/tmp
mkdir -p "$tmp" && chmod 1777 "$tmp"
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
