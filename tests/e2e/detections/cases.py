"""The detection proof table: for each built-in rule, a safe trigger and a benign twin.

Each snippet runs under /bin/sh in a scratch setting: $S is a scratch folder outside /tmp, $T one
inside /tmp, $BIN holds renamed copies of /bin/true (nmap, xmrig, ...), $PORT is a loopback port
on which the harness listens. Triggers touch the system only where the rule requires a real path
(/etc/..., /var/log/...); `cleanup` undoes that and always runs. Every snippet takes well under
5 seconds and uses loopback only.

`container=True`: the trigger runs inside a real runc container (tests/e2e/container), the twin
on the host unless `twin_container=True` (then `runc exec` runs the twin's words directly, with no
shell in between). `rule`: the rule the trigger must raise. `twin`: the same kind of action done the legitimate way,
which must raise nothing at all. `skip`: why a rule is not provable here yet (kept visible in the
harness output, never silently dropped)."""

import shlex

PY = "python3 -c"

# Loads a one-instruction socket filter (r0 = 0; exit) with bpf(BPF_PROG_LOAD).
BPF_LOAD = """import ctypes, struct
libc = ctypes.CDLL(None, use_errno=True)
insns = ctypes.create_string_buffer(bytes.fromhex("b700000000000000" "9500000000000000"))
lic = ctypes.create_string_buffer(b"GPL")
attr = ctypes.create_string_buffer(struct.pack("=IIQQIIQII16s", 1, 2, ctypes.addressof(insns),
                                   ctypes.addressof(lic), 0, 0, 0, 0, 0, b"vgl_e2e") + bytes(64))
fd = libc.syscall(321, 5, attr, len(attr.raw))
assert fd >= 0, ctypes.get_errno()"""

# finit_module(2) on the file named by argv[1]: the kernel refuses a file that is no module.
MOD_LOAD = """import ctypes, os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
ctypes.CDLL(None).syscall(313, fd, b"", 0)"""

CASES = [
    # ---- credential access ---------------------------------------------------------------
    dict(rule="read_shadow_untrusted",
         trigger="cat /etc/shadow > /dev/null",
         twin="cat /etc/hosts > /dev/null"),
    dict(rule="credential_file_read",
         trigger="mkdir -p $S/home/.ssh && echo k > $S/home/.ssh/id_rsa && cat $S/home/.ssh/id_rsa > /dev/null",
         twin="mkdir -p $S/home/.ssh && echo k > $S/home/.ssh/id_rsa.pub && cat $S/home/.ssh/id_rsa.pub > /dev/null"),
    dict(rule="search_for_private_keys",
         trigger="find $S -name id_rsa > /dev/null",
         twin="find $S -name '*.c' > /dev/null"),
    dict(rule="read_other_process_memory",
         trigger="sleep 2 & p=$!; cat /proc/$p/environ > /dev/null; kill $p",
         # what ps, top and pmap read: stat, status, maps
         twin="sleep 2 & p=$!; cat /proc/$p/stat /proc/$p/status /proc/$p/maps > /dev/null; pmap $p > /dev/null; kill $p"),
    dict(rule="ptrace_attach_other",
         trigger=PY + " \"import ctypes,subprocess,time; c=subprocess.Popen(['sleep','2']); time.sleep(0.1); "
                      "l=ctypes.CDLL(None); l.ptrace(16,c.pid,0,0); time.sleep(0.1); l.ptrace(17,c.pid,0,0); c.kill()\"",
         twin=PY + " \"import ctypes,subprocess,time; c=subprocess.Popen(['sleep','2']); time.sleep(0.1); c.kill()\""),
    # ---- execution ------------------------------------------------------------------------
    dict(rule="shell_from_service",  # a web application under an application server
         trigger="$BIN/gunicorn -c \"" + PY + " \\\"import subprocess; subprocess.run(['sh','-c','true'])\\\"; true\"",
         # configuration management (Ansible runs every step so), build tools, package hooks
         twin=PY + " \"import subprocess; subprocess.run(['sh','-c','true'])\""),
    dict(rule="reverse_shell_streams",
         trigger=PY + " \"import socket,subprocess; a,b=socket.socketpair(); "
                      "subprocess.run(['sh','-c','sleep 0.3'], stdin=b, stdout=b)\"",
         twin="echo x | sh -c 'sleep 0.3'"),
    dict(rule="shell_dev_tcp",
         trigger="bash -c 'exec 3<>/dev/tcp/127.0.0.1/'$PORT'; exec 3>&-'",
         twin="bash -c 'ls /dev > /dev/null'"),
    dict(rule="netcat_program_execution",
         trigger="nc -l -p 0 -e /bin/true 127.0.0.1 2>/dev/null; true",
         twin="nc -z 127.0.0.1 $PORT"),
    dict(rule="exec_from_temp",
         trigger="cp /bin/true $T/dropped && $T/dropped",
         twin="/bin/true"),
    dict(rule="fileless_exec",
         trigger=PY + " \"import os; fd=os.memfd_create('x'); os.write(fd, open('/bin/true','rb').read()); "
                      "pid=os.fork(); (os.execv('/proc/self/fd/%d' % fd, ['x']) if pid==0 else os.waitpid(pid,0))\"",
         twin=PY + " \"import os; pid=os.fork(); (os.execv('/bin/true', ['true']) if pid==0 else os.waitpid(pid,0))\""),
    dict(rule="memfd_by_interpreter",
         trigger=PY + " \"import os; os.memfd_create('buf')\"",
         twin=PY + " \"import os; os.pipe()\""),
    dict(rule="drop_and_execute",
         trigger="cp /bin/sleep $S/payload && $S/payload 0.3",
         twin="/bin/true"),
    dict(rule="shell_in_container", container=True,
         trigger="sh -c 'sleep 0.1'",
         # a busybox applet run with `runc exec` (no shell in between): /bin/ls is busybox
         twin="ls /", twin_container=True),
    dict(rule="package_manager_in_container", container=True,
         trigger="apt-get install -y curl 2>/dev/null; true",
         twin="apt-get --version > /dev/null"),
    dict(rule="crypto_miner_arguments",
         trigger="$BIN/xmrig -o stratum+tcp://127.0.0.1:3333 -u x",
         twin="$BIN/xmrig --version"),
    # ---- persistence ------------------------------------------------------------------------
    dict(rule="write_cron",
         trigger=PY + " \"open('/etc/cron.d/vigil-e2e-probe','a').close()\"",
         twin="cat /etc/crontab > /dev/null 2>&1; true",
         setup="mkdir -p /etc/cron.d", cleanup="rm -f /etc/cron.d/vigil-e2e-probe"),
    dict(rule="write_systemd_unit",
         trigger=PY + " \"open('/etc/systemd/system/vigil-e2e-probe.service','a').close()\"",
         twin="ls /etc/systemd/system > /dev/null",
         setup="mkdir -p /etc/systemd/system", cleanup="rm -f /etc/systemd/system/vigil-e2e-probe.service"),
    dict(rule="write_authorized_keys",
         trigger="mkdir -p $S/home/.ssh && echo key >> $S/home/.ssh/authorized_keys",
         twin="cat $S/home/.ssh/authorized_keys > /dev/null",
         setup="mkdir -p $S/home/.ssh && touch $S/home/.ssh/authorized_keys"),
    dict(rule="write_ld_preload",
         trigger=PY + " \"open('/etc/ld.so.preload','a').close()\"",
         twin="cat /etc/ld.so.conf > /dev/null",
         setup="[ -e /etc/ld.so.preload ] || touch $S/.ld_preload_absent",
         cleanup="[ -e $S/.ld_preload_absent ] && rm -f /etc/ld.so.preload $S/.ld_preload_absent; true"),
    dict(rule="write_shell_profile",
         trigger=PY + " \"open('$S/home/.bashrc','a').write('# probe\\n')\"",
         twin="cat $S/home/.bashrc > /dev/null",
         setup="mkdir -p $S/home && touch $S/home/.bashrc"),
    dict(rule="write_rc_local",
         trigger=PY + " \"open('/etc/rc.local','a').close()\"",
         twin="cat /etc/hostname > /dev/null",
         setup="[ -e /etc/rc.local ] || touch $S/.rc_local_absent",
         cleanup="[ -e $S/.rc_local_absent ] && rm -f /etc/rc.local $S/.rc_local_absent; true"),
    dict(rule="account_created",
         trigger="$BIN/useradd -o -u 0 vigil-e2e-nobody",
         twin="id > /dev/null"),
    # ---- privilege escalation -----------------------------------------------------------------
    dict(rule="setuid_bit_set",
         trigger="touch $S/rootshell && chmod u+s $S/rootshell",
         twin="touch $S/script && chmod 755 $S/script"),
    dict(rule="mount_in_container", container=True,
         trigger="mount /dev/sda1 /mnt 2>/dev/null; true",
         twin="mkdir -p $S/a $S/b && mount --bind $S/a $S/b && umount $S/b"),
    dict(rule="write_sudoers",
         trigger=PY + " \"open('/etc/sudoers','a').close()\"",
         twin="cat /etc/hostname > /dev/null",
         setup="[ -e /etc/sudoers ] || touch $S/.sudoers_absent",
         cleanup="[ -e $S/.sudoers_absent ] && rm -f /etc/sudoers $S/.sudoers_absent; true"),
    dict(rule="setuid_root_by_unprivileged",
         trigger=PY + " \"import os; os.setresuid(65534, 65534, 0); os.setuid(0)\"",
         twin=PY + " \"import os; os.setresuid(65534, 65534, 0)\""),
    dict(rule="setns_into_other_process",
         trigger="nsenter -t $$ -u true",
         twin="unshare -u true"),
    dict(rule="write_release_agent",
         trigger="echo > /sys/fs/cgroup/vigil-e2e-ra/release_agent",
         # a file of that name on an ordinary file system
         twin="echo /x > $S/release_agent",
         setup="mkdir -p /sys/fs/cgroup/vigil-e2e-ra && mount -t cgroup -o none,name=vigil-e2e-ra cgroup /sys/fs/cgroup/vigil-e2e-ra",
         cleanup="umount /sys/fs/cgroup/vigil-e2e-ra; rmdir /sys/fs/cgroup/vigil-e2e-ra"),
    dict(rule="release_agent_on_mounted_cgroup",
         trigger="mkdir -p $S/cg && mount -t cgroup -o none,name=vigil-e2e-seq cgroup $S/cg && echo > $S/cg/release_agent",
         # a mount, then a file named release_agent on it, but no cgroup file system
         twin="mkdir -p $S/tm && mount -t tmpfs tmpfs $S/tm && echo > $S/tm/release_agent && umount $S/tm",
         cleanup="umount $S/cg; umount $S/tm; true"),
    dict(rule="write_passwd_directly",
         trigger=PY + " \"open('/etc/passwd','a').close()\"",
         twin="getent passwd root > /dev/null"),
    # ---- defense evasion ------------------------------------------------------------------
    dict(rule="kernel_module_load",
         trigger=PY + " \"import ctypes; ctypes.CDLL(None).syscall(313, -1, b'', 0)\"",
         twin="cat /proc/modules > /dev/null 2>&1; true"),
    dict(rule="log_truncated",
         trigger="echo x > /var/log/vigil-e2e-probe.log",
         twin="echo x >> /var/log/vigil-e2e-probe.log",
         setup="echo start > /var/log/vigil-e2e-probe.log", cleanup="rm -f /var/log/vigil-e2e-probe.log"),
    dict(rule="log_deleted",
         trigger="rm -f /var/log/vigil-e2e-probe2.log",
         twin="rm -f $S/app.log",
         setup="touch /var/log/vigil-e2e-probe2.log $S/app.log", cleanup="rm -f /var/log/vigil-e2e-probe2.log"),
    dict(rule="shell_history_tampering",
         trigger="ln -sf /dev/null $S/home/.bash_history",
         twin="echo ls >> $S/home/.bash_history",
         setup="mkdir -p $S/home && rm -f $S/home/.bash_history && touch $S/home/.bash_history"),
    dict(rule="symlink_to_sensitive_file",
         trigger="ln -s /etc/shadow $S/shadow-link",
         twin="ln -s /etc/hosts $S/hosts-link"),
    dict(rule="kernel_thread_lookalike",
         trigger=PY + " \"import os; os.execv('/bin/true', ['[kworker/0:1]'])\"",
         twin=PY + " \"import os; os.execv('/bin/true', ['true'])\""),
    dict(rule="process_renamed_itself",
         trigger=PY + " \"import ctypes; ctypes.CDLL(None).prctl(15, b'sshd', 0, 0, 0)\"",
         twin=PY + " \"import ctypes; b=ctypes.create_string_buffer(16); ctypes.CDLL(None).prctl(16, b, 0, 0, 0)\""),
    dict(rule="audit_or_firewall_disabled",
         trigger="$BIN/iptables -F",
         twin="$BIN/iptables -L"),
    # ---- discovery, command and control -----------------------------------------------
    dict(rule="packet_socket",
         trigger=PY + " \"import socket; socket.socket(socket.AF_PACKET, socket.SOCK_RAW)\"",
         twin=PY + " \"import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\""),
    dict(rule="network_scan_tool",
         trigger="$BIN/nmap -sT 127.0.0.1",
         twin="ping -c 1 -W 1 127.0.0.1 > /dev/null 2>&1; true"),
    dict(rule="shell_outbound_connect",
         trigger="bash -c 'exec 3<>/dev/tcp/127.0.0.1/'$PORT",
         twin=PY + " \"import socket; s=socket.create_connection(('127.0.0.1', $PORT)); s.close()\""),
    dict(rule="shell_or_interpreter_listens",
         trigger=PY + " \"import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); s.listen(1)\"",
         twin="timeout 0.3 nc -l 127.0.0.1 0; true"),
    dict(rule="remote_copy_tool_in_container", container=True,
         trigger="wget -q -T 1 -O /dev/null http://127.0.0.1:9/ 2>/dev/null; true",
         twin="python3 -c \"import urllib.request as u; u.urlopen('http://127.0.0.1:$PORT/', timeout=1)\" 2>/dev/null; true"),
    # ---- issue 19: new families ----------------------------------------------------------
    dict(rule="ld_preload_from_writable_dir",
         trigger="cp /lib/x86_64-linux-gnu/libm.so.6 $T/libhook.so && LD_PRELOAD=$T/libhook.so /bin/true",
         twin="LD_PRELOAD=/lib/x86_64-linux-gnu/libm.so.6 /bin/true"),
    dict(rule="security_tool_stopped",
         trigger="pkill -STOP -x falco; true",
         twin="pgrep -x falco > /dev/null; true"),
    dict(rule="bpf_program_load",
         trigger="python3 $S/bpf_load.py",
         twin="bpftool prog show > /dev/null",
         setup="printf '%s\\n' " + shlex.quote(BPF_LOAD) + " > $S/bpf_load.py"),
    dict(rule="ptrace_traceme_anti_debugging",
         trigger=PY + " \"import ctypes; ctypes.CDLL(None).ptrace(0, 0, 0, 0)\"",
         twin="gdb -q -batch -ex run --args /bin/true > /dev/null 2>&1"),
    dict(rule="kernel_module_from_unusual_path",
         trigger="echo notamodule > $T/rk.ko && python3 $S/mod_load.py $T/rk.ko",
         twin="echo notamodule > $T/rk.ko && cat $T/rk.ko > /dev/null",
         setup="printf '%s\\n' " + shlex.quote(MOD_LOAD) + " > $S/mod_load.py"),
    dict(rule="file_capability_set",
         trigger="cp /bin/true $S/capbin && setcap cap_setuid+ep $S/capbin",
         twin="cp /bin/true $S/capbin2 && setcap cap_net_raw+ep $S/capbin2"),
    dict(rule="failed_privilege_change",
         trigger="cd / && setpriv --reuid=65534 --regid=65534 --clear-groups /usr/bin/python3 -c 'import os; os.setuid(0)' 2>/dev/null; true",
         twin="cd / && setpriv --reuid=65534 --regid=65534 --clear-groups /usr/bin/python3 -c 'import os; os.setuid(65534)'"),
    dict(rule="discovery_burst",
         trigger="whoami > /dev/null; id > /dev/null; uname -a > /dev/null; hostname > /dev/null; ss -tan > /dev/null; true",
         twin="uname -a > /dev/null; hostname > /dev/null; true"),
    dict(rule="discovery_from_service",  # a web shell asking who and where it is
         trigger="$BIN/gunicorn -c 'id > /dev/null; ps > /dev/null'",
         # the same commands from an ordinary shell
         twin="sh -c 'id > /dev/null; ps > /dev/null'"),
    dict(rule="argv_padding_evasion",  # a shell whose arguments run past what the sensor reads
         trigger="sh -c true $(seq 1 20000)",
         # a long argument list to a program that is no interpreter (xargs, a linker) is ordinary
         twin="/bin/true $(seq 1 20000)"),
    dict(rule="decoded_payload_to_interpreter",
         trigger="echo ZWNobyBoaQo= | base64 -d | sh > /dev/null",
         # decoding to a file is what certificates and configuration do
         twin="echo ZWNobyBoaQo= | base64 -d > $S/decoded.txt && cat $S/decoded.txt > /dev/null"),
    dict(rule="io_uring_by_script_or_temp_program",
         trigger=PY + " \"import ctypes; ctypes.CDLL(None).syscall(425, 8, ctypes.create_string_buffer(120))\"",
         twin=PY + " \"import os; os.pipe()\""),
    dict(rule="timestomp_system_file",
         trigger="cp /bin/true /usr/local/bin/vigil-e2e-ts && touch -r /bin/ls /usr/local/bin/vigil-e2e-ts",
         twin="touch /usr/local/bin/vigil-e2e-ts",
         cleanup="rm -f /usr/local/bin/vigil-e2e-ts"),
    # ---- issue 19: container escape steps, container discovery and deployment ----------------
    dict(rule="container_writes_host_kernel_knob", container=True,
         # opened for appending, nothing written: read-only in runc, and harmless if it were not
         trigger=": >> /proc/sys/kernel/core_pattern 2>/dev/null; true",
         twin="cat /proc/sys/kernel/core_pattern", twin_container=True),
    dict(rule="host_block_device_in_container", container=True,
         trigger="cat /dev/sda 2>/dev/null; true",
         # the host itself reading its disks (blkid, lsblk, fsck) is ordinary
         twin="blkid > /dev/null 2>&1; true"),
    dict(rule="container_discovery_in_container", container=True,
         trigger="kubectl get pods -A 2>/dev/null; true",
         # an administrator on the host
         twin="$BIN/kubectl get pods -A"),
    dict(rule="container_deployed_from_container", container=True,
         trigger="docker run --privileged -v /:/host alpine 2>/dev/null; true",
         twin="$BIN/docker run alpine"),
    # ---- issue 19: credential access, defense evasion, command and control ---------------
    dict(rule="pam_config_or_module_written",
         trigger=PY + " \"open('/etc/pam.d/vigil-e2e-probe','a').close()\"",
         twin="cat /etc/pam.d/other > /dev/null 2>&1; true",
         setup="mkdir -p /etc/pam.d", cleanup="rm -f /etc/pam.d/vigil-e2e-probe"),
    dict(rule="hidden_exec_in_temp",
         trigger="mkdir -p $T/.hid && cp /bin/true $T/.hid/run && $T/.hid/run",
         # a hidden cache folder in /tmp that holds data, nothing run from it
         twin="mkdir -p $T/.cache && echo x > $T/.cache/data && cat $T/.cache/data > /dev/null"),
    dict(rule="proxy_or_tunnel_started",
         trigger="$BIN/chisel client 127.0.0.1:$PORT R:socks",
         twin="ssh -V 2>/dev/null; true"),
    dict(rule="shell_history_read",
         trigger="cat $S/home/.bash_history > /dev/null",
         # the shell appending to its own history
         twin="echo ls >> $S/home/.bash_history",
         setup="mkdir -p $S/home && touch $S/home/.bash_history"),
    dict(rule="system_daemon_name_masquerade",
         trigger="cp /bin/sleep $T/sshd && $T/sshd 0.1",
         # a link named like a daemon to an ordinary system program (no interpreter, no temp dir)
         twin="ln -sf /bin/true $S/sshd && $S/sshd"),
    # ---- issue 19: impact ------------------------------------------------------------------
    dict(rule="shutdown_from_container", container=True,
         trigger="shutdown -h now 2>/dev/null; true",
         # an administrator on the host (a renamed /bin/true: nothing is shut down)
         twin="$BIN/shutdown -h now"),
    dict(rule="destructive_wipe_command",
         trigger="rm -rf --no-preserve-root $S/nothing-here",
         twin="rm -rf $S/nothing-here"),
    dict(rule="archive_collected_data_in_temp",
         trigger="tar -czf $T/loot.tgz /etc/hostname 2>/dev/null",
         # the same archive as a backup into its own folder
         twin="tar -czf $S/etc-backup.tgz /etc/hostname 2>/dev/null"),
    dict(rule="program_deleted_itself",
         # busybox's rm applet runs in the busybox process itself: the program unlinks its own file
         trigger="cp /usr/bin/busybox $S/busybox && $S/busybox rm -f $S/busybox",
         # a program deleted by another one (rm)
         twin="cp /bin/true $S/other && rm -f $S/other"),
    dict(rule="system_file_world_writable",
         trigger="chmod 666 /etc/vigil-e2e-perm",
         twin="chmod 644 /etc/vigil-e2e-perm",
         setup="touch /etc/vigil-e2e-perm", cleanup="rm -f /etc/vigil-e2e-perm"),
    dict(rule="python_pty_spawn",
         trigger=PY + " \"import pty; pty.spawn('/bin/true')\" < /dev/null",
         # a program opening a terminal through its library
         twin=PY + " \"import os; os.openpty()\""),
]

# Renamed copies of /bin/true the triggers use ("a renamed copy of a tool still fires").
RENAMED_TOOLS = ["xmrig", "useradd", "iptables", "nmap", "kubectl", "docker", "chisel", "shutdown"]
# Renamed copies of /bin/sh: a server that runs what it is given (gunicorn running an app).
RENAMED_SHELLS = ["gunicorn"]
