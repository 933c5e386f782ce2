// Records that do not fit their declared type are rejected whole, never half-decoded.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/un.h>

#include <array>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "bpf/events.h"
#include "kernel/decode.h"

namespace vigil::kernel {
namespace {

std::vector<uint8_t> OpenatRecord(const std::string& path) {
  vigil_syscall_event r{};
  r.hdr.type = VIGIL_EVT_OPEN;
  r.hdr.pid = 42;
  std::memcpy(r.hdr.comm, "cat", 3);
  r.syscall = VIGIL_SC_openat;
  r.args[0] = static_cast<uint64_t>(-100);
  r.args[2] = 0101;
  r.args[3] = 0644;
  r.retval = -2;
  std::memcpy(r.str0, path.data(), path.size());
  r.str_len[0] = static_cast<uint16_t>(path.size());
  const size_t size = offsetof(vigil_syscall_event, str0) + path.size() + 1;
  std::vector<uint8_t> bytes(size);
  std::memcpy(bytes.data(), &r, size);
  return bytes;
}

TEST(Decode, OpenatNamesItsArguments) {
  auto bytes = OpenatRecord("/etc/shadow");
  Event e;
  std::string error;
  auto decoded = DecodeRecord(bytes.data(), bytes.size(), &e);
  ASSERT_TRUE(decoded) << decoded.error();
  EXPECT_EQ(e.type, VIGIL_EVT_OPEN);
  EXPECT_EQ(e.comm, "cat");
  EXPECT_EQ(e.strings[0], "/etc/shadow");
  EXPECT_EQ(e.retval, -2);
  ASSERT_EQ(e.arg_count, 3);
  EXPECT_STREQ(e.args[0].name, "dirfd");
  EXPECT_EQ(static_cast<int64_t>(e.args[0].value), -100);
  EXPECT_STREQ(e.args[1].name, "flags");
  EXPECT_EQ(e.args[1].value, 0101u);
  EXPECT_EQ(e.args[2].value, 0644u);
}

TEST(Decode, RejectsTruncatedAndInconsistentRecords) {
  auto bytes = OpenatRecord("/etc/shadow");
  Event e;
  std::string error;
  EXPECT_FALSE(DecodeRecord(bytes.data(), bytes.size() - 8, &e));  // string cut off
  EXPECT_FALSE(DecodeRecord(bytes.data(), 10, &e));                // shorter than header
  auto wrong_type = bytes;
  reinterpret_cast<vigil_event_header*>(wrong_type.data())->type = VIGIL_EVT_CONNECT;
  EXPECT_FALSE(DecodeRecord(wrong_type.data(), wrong_type.size(), &e));
  auto unknown = bytes;
  reinterpret_cast<vigil_event_header*>(unknown.data())->type = 999;
  EXPECT_FALSE(DecodeRecord(unknown.data(), unknown.size(), &e));
  vigil_exec_event exec{};
  exec.hdr.type = VIGIL_EVT_EXEC;
  exec.exe_off = 2 * VIGIL_PATH_MAX - 1;
  exec.exe_len = 10;
  EXPECT_FALSE(DecodeRecord(&exec, sizeof(exec), &e));
}

// An exec record is its fixed part and then as many argument bytes as were read: the
// VIGIL_ARGV_INLINE bytes of room in place, or a long list of up to VIGIL_ARGV_CAP bytes.
std::vector<uint8_t> ExecRecord(const std::string& argv, size_t room) {
  std::vector<uint8_t> bytes(sizeof(vigil_exec_event) + room);
  auto* r = reinterpret_cast<vigil_exec_event*>(bytes.data());
  r->hdr.type = VIGIL_EVT_EXEC;
  r->argv_len = static_cast<uint32_t>(argv.size());
  std::memcpy(bytes.data() + sizeof(vigil_exec_event), argv.data(), argv.size());
  return bytes;
}

// The standard streams and the executable's mtime, as the exec program read them: only what
// the flags say is known is taken; a closed descriptor reads as not open.
TEST(Decode, ExecRecordsCarryStdioAndExeMtime) {
  auto bytes = ExecRecord("sh", VIGIL_ARGV_INLINE);
  auto* r = reinterpret_cast<vigil_exec_event*>(bytes.data());
  r->flags = VIGIL_EXEC_STDIO_KNOWN | VIGIL_EXEC_STDIN_OPEN | VIGIL_EXEC_EXE_MTIME;
  r->stdio_mode[0] = 0140777;  // a socket
  r->stdio_rdev[0] = 7;
  r->stdio_magic[0] = 0x534F434B;
  r->stdio_mode[1] = 0020666;  // left over: descriptor 1 is closed
  r->exe_mtime_sec = 1700000000;
  r->exe_mtime_nsec = 42;
  Event e;
  ASSERT_TRUE(DecodeRecord(bytes.data(), bytes.size(), &e));
  EXPECT_TRUE(e.has_stdio);
  EXPECT_TRUE(e.stdio[0].open);
  EXPECT_EQ(e.stdio[0].mode, 0140777);
  EXPECT_EQ(e.stdio[0].rdev, 7u);
  EXPECT_EQ(e.stdio[0].fs_magic, 0x534F434Bu);
  EXPECT_FALSE(e.stdio[1].open);
  EXPECT_EQ(e.stdio[1].mode, 0);
  EXPECT_TRUE(e.has_exe_mtime);
  EXPECT_EQ(e.exe_mtime_sec, 1700000000);
  EXPECT_EQ(e.exe_mtime_nsec, 42u);
  r->flags = 0;  // an older program, or a table it could not read
  ASSERT_TRUE(DecodeRecord(bytes.data(), bytes.size(), &e));
  EXPECT_FALSE(e.has_stdio);
  EXPECT_FALSE(e.stdio[0].open);
  EXPECT_FALSE(e.has_exe_mtime);
}

TEST(Decode, ExecRecordsCarryLongArgumentLists) {
  std::string argv = "sh";
  argv.push_back('\0');
  argv += "-c";
  argv.push_back('\0');
  argv += std::string(30000, 'x') + "; echo hidden";
  argv.push_back('\0');
  Event e;
  auto bytes = ExecRecord(argv, argv.size());
  ASSERT_TRUE(DecodeRecord(bytes.data(), bytes.size(), &e));
  ASSERT_EQ(e.argv.size(), 3u);
  EXPECT_EQ(e.argv[2].size(), 30000u + 13);
  EXPECT_EQ(e.argv[2].substr(30000), "; echo hidden");
  bytes = ExecRecord("ls", VIGIL_ARGV_INLINE);
  ASSERT_TRUE(DecodeRecord(bytes.data(), bytes.size(), &e));
  EXPECT_EQ(e.argv, std::vector<std::string>{"ls"});
  // Lengths beyond the record, or beyond the largest room, are rejected.
  bytes = ExecRecord(argv, argv.size());
  bytes.resize(bytes.size() - 1);
  EXPECT_FALSE(DecodeRecord(bytes.data(), bytes.size(), &e));
  bytes = ExecRecord("", VIGIL_ARGV_CAP + 8);
  EXPECT_FALSE(DecodeRecord(bytes.data(), bytes.size(), &e));
  bytes = ExecRecord("", VIGIL_ARGV_CAP);
  reinterpret_cast<vigil_exec_event*>(bytes.data())->argv_len = VIGIL_ARGV_CAP + 1;
  EXPECT_FALSE(DecodeRecord(bytes.data(), bytes.size(), &e));
}

TEST(Decode, SockAddrFamilies) {
  sockaddr_in in{};
  in.sin_family = AF_INET;
  in.sin_port = htons(8080);
  in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  SockAddr a = DecodeSockAddr(reinterpret_cast<uint8_t*>(&in), sizeof(in));
  EXPECT_TRUE(a.is_ip());
  EXPECT_EQ(IpAddressText(a.ip), "127.0.0.1");
  EXPECT_EQ(a.ip, *ParseIpAddress("127.0.0.1"));
  EXPECT_EQ(a.port, 8080);
  sockaddr_in6 in6{};
  in6.sin6_family = AF_INET6;
  in6.sin6_port = htons(443);
  in6.sin6_addr = in6addr_loopback;
  a = DecodeSockAddr(reinterpret_cast<uint8_t*>(&in6), sizeof(in6));
  EXPECT_EQ(IpAddressText(a.ip), "::1");
  EXPECT_EQ(a.port, 443);
  sockaddr_un un{};
  un.sun_family = AF_UNIX;
  std::memcpy(un.sun_path, "\0abstract", 9);
  a = DecodeSockAddr(reinterpret_cast<uint8_t*>(&un), sizeof(sa_family_t) + 9);
  EXPECT_FALSE(a.is_ip());
  EXPECT_EQ(a.path, "@abstract");
}

// A syscall record of `syscall` (event `type`) without strings, with `extra` bytes.
// `valid` is extra_len when it differs from the bytes copied.
std::vector<uint8_t> ExtraRecord(uint16_t type, uint16_t syscall, const void* extra, size_t len,
                                 std::array<uint64_t, 6> args = {}, size_t valid = SIZE_MAX) {
  vigil_syscall_event r{};
  r.hdr.type = type;
  r.syscall = syscall;
  for (int i = 0; i < 6; ++i) r.args[i] = args[i];
  std::memcpy(r.extra, extra, len);
  r.extra_len = static_cast<uint16_t>(valid == SIZE_MAX ? len : valid);
  const size_t size = offsetof(vigil_syscall_event, str0);
  std::vector<uint8_t> bytes(size);
  std::memcpy(bytes.data(), &r, size);
  return bytes;
}

// Every field a record can set, compared one by one: a record decoded into an Event reused
// from another record reads exactly as one decoded into a new Event.
void ExpectSameEvent(const Event& a, const Event& b) {
  EXPECT_EQ(a.type, b.type);
  EXPECT_EQ(a.ts_ns, b.ts_ns);
  EXPECT_EQ(a.cpu, b.cpu);
  EXPECT_EQ(a.entity, b.entity);
  EXPECT_EQ(a.matched, b.matched);
  EXPECT_EQ(a.policy_version, b.policy_version);
  EXPECT_EQ(a.killed_in_kernel, b.killed_in_kernel);
  EXPECT_EQ(a.kill_protected_in_kernel, b.kill_protected_in_kernel);
  EXPECT_EQ(a.pid, b.pid);
  EXPECT_EQ(a.tid, b.tid);
  EXPECT_EQ(a.ppid, b.ppid);
  EXPECT_EQ(a.uid, b.uid);
  EXPECT_EQ(a.gid, b.gid);
  EXPECT_EQ(a.comm, b.comm);
  EXPECT_EQ(a.start_ns, b.start_ns);
  EXPECT_EQ(a.parent_entity, b.parent_entity);
  EXPECT_EQ(a.mntns, b.mntns);
  EXPECT_EQ(a.pidns, b.pidns);
  EXPECT_EQ(a.cgroup_id, b.cgroup_id);
  EXPECT_EQ(a.euid, b.euid);
  EXPECT_EQ(a.loginuid, b.loginuid);
  EXPECT_EQ(a.tty, b.tty);
  EXPECT_EQ(a.filename, b.filename);
  EXPECT_EQ(a.exe, b.exe);
  EXPECT_EQ(a.cwd, b.cwd);
  EXPECT_EQ(a.argv, b.argv);
  EXPECT_EQ(a.argc, b.argc);
  EXPECT_EQ(a.vpid, b.vpid);
  EXPECT_EQ(a.tty_dev, b.tty_dev);
  EXPECT_EQ(a.argv_truncated, b.argv_truncated);
  EXPECT_EQ(a.exe_truncated, b.exe_truncated);
  EXPECT_EQ(a.filename_truncated, b.filename_truncated);
  EXPECT_EQ(a.cwd_truncated, b.cwd_truncated);
  EXPECT_EQ(a.env, b.env);
  EXPECT_EQ(a.env_truncated, b.env_truncated);
  EXPECT_EQ(a.has_stdio, b.has_stdio);
  for (size_t i = 0; i < a.stdio.size(); ++i) {
    EXPECT_EQ(a.stdio[i].open, b.stdio[i].open);
    EXPECT_EQ(a.stdio[i].mode, b.stdio[i].mode);
    EXPECT_EQ(a.stdio[i].rdev, b.stdio[i].rdev);
    EXPECT_EQ(a.stdio[i].fs_magic, b.stdio[i].fs_magic);
  }
  EXPECT_EQ(a.has_exe_mtime, b.has_exe_mtime);
  EXPECT_EQ(a.exe_mtime_sec, b.exe_mtime_sec);
  EXPECT_EQ(a.exe_mtime_nsec, b.exe_mtime_nsec);
  EXPECT_EQ(a.exit_status, b.exit_status);
  EXPECT_EQ(a.syscall, b.syscall);
  EXPECT_EQ(a.retval, b.retval);
  EXPECT_EQ(a.raw_args, b.raw_args);
  ASSERT_EQ(a.arg_count, b.arg_count);
  for (size_t i = 0; i < a.arg_count; ++i) {
    EXPECT_STREQ(a.args[i].name, b.args[i].name);
    EXPECT_EQ(a.args[i].value, b.args[i].value);
  }
  EXPECT_EQ(a.strings, b.strings);
  EXPECT_EQ(a.string_truncated, b.string_truncated);
  EXPECT_EQ(a.string_unreadable, b.string_unreadable);
  EXPECT_EQ(a.has_addr, b.has_addr);
  for (auto [x, y] : {std::pair{&a.addr, &b.addr}, std::pair{&a.local, &b.local},
                      std::pair{&a.remote, &b.remote}}) {
    EXPECT_EQ(x->family, y->family);
    EXPECT_EQ(x->ip, y->ip);
    EXPECT_EQ(x->port, y->port);
    EXPECT_EQ(x->path, y->path);
  }
  EXPECT_EQ(a.has_cred, b.has_cred);
  EXPECT_EQ(a.cred.uid, b.cred.uid);
  EXPECT_EQ(a.cred.cap_effective, b.cred.cap_effective);
  EXPECT_EQ(a.xattr_value, b.xattr_value);
  EXPECT_EQ(a.has_times, b.has_times);
  EXPECT_EQ(a.has_bpf_attr, b.has_bpf_attr);
  EXPECT_EQ(a.bpf_type, b.bpf_type);
  EXPECT_EQ(a.bpf_name, b.bpf_name);
  EXPECT_EQ(a.has_io_uring_params, b.has_io_uring_params);
  EXPECT_EQ(a.has_capset, b.has_capset);
  EXPECT_EQ(a.sock, b.sock);
  EXPECT_EQ(a.protocol, b.protocol);
}

// The reader decodes every record into one Event (its strings keep their storage): a record
// with long strings, lists and flags, then records with short or absent ones, leave nothing
// of the first in the next.
TEST(Decode, ARecordLeavesNothingBehindForTheNext) {
  std::string long_argv;
  for (int i = 0; i < 4; ++i) long_argv += std::string(200, static_cast<char>('a' + i)) + '\0';
  auto long_exec = ExecRecord(long_argv, long_argv.size());
  {
    auto* r = reinterpret_cast<vigil_exec_event*>(long_exec.data());
    r->hdr.pid = 7;
    std::memcpy(r->hdr.comm, "long-command-na", 15);
    const std::string exe(300, 'e'), cwd(300, 'c'), file(300, 'f');
    r->exe_off = 10;
    r->exe_len = exe.size();
    std::memcpy(r->exe_buf + r->exe_off, exe.data(), exe.size());
    r->cwd_off = 20;
    r->cwd_len = cwd.size();
    std::memcpy(r->cwd_buf + r->cwd_off, cwd.data(), cwd.size());
    r->filename_len = file.size();
    std::memcpy(r->filename, file.data(), file.size());
    const std::string env =
        std::string("LD_PRELOAD=") + std::string(100, 'p') + '\0' + "HISTFILE=/dev/null" + '\0';
    std::memcpy(r->env, env.data(), env.size());
    r->env_len = env.size();
    std::memcpy(r->tty, "pts3", 5);
    r->flags = VIGIL_EXEC_STDIO_KNOWN | VIGIL_EXEC_STDIN_OPEN | VIGIL_EXEC_STDOUT_OPEN |
               VIGIL_EXEC_EXE_MTIME | VIGIL_EXEC_ARGV_TRUNCATED | VIGIL_EXEC_ENV_TRUNCATED;
    r->stdio_mode[0] = r->stdio_mode[1] = 0140777;
    r->exe_mtime_sec = 5;
    r->mntns = r->pidns = r->cgroup_id = 9;
  }
  auto short_exec = ExecRecord("ls", VIGIL_ARGV_INLINE);
  reinterpret_cast<vigil_exec_event*>(short_exec.data())->hdr.pid = 8;
  vigil_fork_event fork{};
  fork.hdr.type = VIGIL_EVT_FORK;
  fork.start_ns = 3;
  auto long_open = OpenatRecord("/" + std::string(500, 'o'));
  auto short_open = OpenatRecord("");
  uint8_t attr[72] = {};
  std::memcpy(attr + 48, "a_long_prog_nam", 15);
  auto bpf = ExtraRecord(VIGIL_EVT_BPF, VIGIL_SC_bpf, attr, sizeof(attr), {5});
  sockaddr_un un{};
  un.sun_family = AF_UNIX;
  std::strcpy(un.sun_path, "/run/a/long/socket/path");
  auto connect = ExtraRecord(VIGIL_EVT_CONNECT, VIGIL_SC_connect, &un, sizeof(un));

  struct Record {
    const void* data;
    size_t size;
  };
  const std::vector<Record> records = {{long_exec.data(), long_exec.size()},
                                       {short_exec.data(), short_exec.size()},
                                       {long_exec.data(), long_exec.size()},
                                       {&fork, sizeof(fork)},
                                       {long_exec.data(), long_exec.size()},
                                       {long_open.data(), long_open.size()},
                                       {short_open.data(), short_open.size()},
                                       {bpf.data(), bpf.size()},
                                       {connect.data(), connect.size()},
                                       {long_exec.data(), long_exec.size()},
                                       {bpf.data(), bpf.size()},
                                       {short_exec.data(), short_exec.size()}};
  Event reused;
  for (size_t i = 0; i < records.size(); ++i) {
    SCOPED_TRACE("record " + std::to_string(i));
    Event fresh;
    ASSERT_TRUE(DecodeRecord(records[i].data, records[i].size, &fresh));
    ASSERT_TRUE(DecodeRecord(records[i].data, records[i].size, &reused));
    ExpectSameEvent(reused, fresh);
  }
  // And the storage was kept: the argument list's array still has room for the long exec's four
  // (records of other types in between), the exe's buffer for the long one.
  EXPECT_GE(reused.argv.capacity(), 4u);
  EXPECT_GE(reused.exe.capacity(), 300u);
  EXPECT_GE(reused.strings[0].capacity(), 501u);
  EXPECT_EQ(reused.argv, std::vector<std::string>{"ls"});
  EXPECT_TRUE(reused.env.empty());
  EXPECT_EQ(reused.comm, "");
}

TEST(Decode, CredentialsBeforeTheCallAndCapsetSets) {
  vigil_cred_extra x{};
  x.before = {1000, 0, 1000, 0, 100, 100, 100, 100, 0x1ffffffffffULL, 0x1ffffffffffULL, 0};
  x.request.version = 0x20080522;  // _LINUX_CAPABILITY_VERSION_3
  x.request.data[0] = 1u << 7;     // effective low
  x.request.data[1] = 1u << 6;     // permitted low
  x.request.data[4] = 1;           // permitted high: capability 32
  x.request.read = VIGIL_CAPSET_HEADER | VIGIL_CAPSET_LOW | VIGIL_CAPSET_HIGH;
  auto bytes = ExtraRecord(VIGIL_EVT_CAPSET, VIGIL_SC_capset, &x, sizeof(x));
  Event e;
  ASSERT_TRUE(DecodeRecord(bytes.data(), bytes.size(), &e));
  ASSERT_TRUE(e.has_cred);
  EXPECT_EQ(e.cred.uid, 1000u);
  EXPECT_EQ(e.cred.euid, 0u);
  EXPECT_EQ(e.cred.cap_effective, 0x1ffffffffffULL);
  ASSERT_TRUE(e.has_capset);
  EXPECT_EQ(e.capset_effective, 1u << 7);
  EXPECT_EQ(e.capset_permitted, (1ULL << 32) | (1u << 6));
  // Version 1 has no high half, whatever the kernel read after it.
  x.request.version = 0x19980330;
  bytes = ExtraRecord(VIGIL_EVT_CAPSET, VIGIL_SC_capset, &x, sizeof(x));
  ASSERT_TRUE(DecodeRecord(bytes.data(), bytes.size(), &e));
  EXPECT_EQ(e.capset_permitted, 1u << 6);
  // Data the kernel could not read is no request.
  x.request.read = VIGIL_CAPSET_HEADER;
  bytes = ExtraRecord(VIGIL_EVT_CAPSET, VIGIL_SC_capset, &x, sizeof(x));
  ASSERT_TRUE(DecodeRecord(bytes.data(), bytes.size(), &e));
  EXPECT_TRUE(e.has_cred);
  EXPECT_FALSE(e.has_capset);
  // A set*id record carries the credentials only.
  bytes = ExtraRecord(VIGIL_EVT_SETUID, VIGIL_SC_setuid, &x.before, sizeof(x.before));
  ASSERT_TRUE(DecodeRecord(bytes.data(), bytes.size(), &e));
  EXPECT_TRUE(e.has_cred);
  EXPECT_FALSE(e.has_addr);
  EXPECT_EQ(e.cred.gid, 100u);
}

TEST(Decode, TimesOfEachUtimesSyscall) {
  const int64_t ts[4] = {10, 20, 30, (1 << 30) - 2};  // timespec: UTIME_OMIT for mtime
  auto bytes = ExtraRecord(VIGIL_EVT_UTIMES, VIGIL_SC_utimensat, ts, sizeof(ts));
  Event e;
  ASSERT_TRUE(DecodeRecord(bytes.data(), bytes.size(), &e));
  ASSERT_TRUE(e.has_times);
  EXPECT_EQ(e.time_sec[0], 10);
  EXPECT_EQ(e.time_nsec[0], 20);
  EXPECT_EQ(e.time_nsec[1], (1 << 30) - 2);
  bytes = ExtraRecord(VIGIL_EVT_UTIMES, VIGIL_SC_utimes, ts, sizeof(ts));  // timeval: us
  ASSERT_TRUE(DecodeRecord(bytes.data(), bytes.size(), &e));
  EXPECT_EQ(e.time_nsec[0], 20000);
  bytes = ExtraRecord(VIGIL_EVT_UTIMES, VIGIL_SC_utime, ts, 16);  // utimbuf: seconds
  ASSERT_TRUE(DecodeRecord(bytes.data(), bytes.size(), &e));
  EXPECT_EQ(e.time_sec[1], 20);
  EXPECT_EQ(e.time_nsec[1], 0);
  bytes = ExtraRecord(VIGIL_EVT_UTIMES, VIGIL_SC_utimensat, ts, 0);  // times == NULL
  ASSERT_TRUE(DecodeRecord(bytes.data(), bytes.size(), &e));
  EXPECT_FALSE(e.has_times);
}

TEST(Decode, BpfAttrCloneArgsXattrValueAndAcceptLocalAddress) {
  uint8_t attr[72] = {};
  attr[0] = 1;  // BPF_PROG_TYPE_SOCKET_FILTER
  std::memcpy(attr + 48, "my_prog", 7);
  auto bytes = ExtraRecord(VIGIL_EVT_BPF, VIGIL_SC_bpf, attr, sizeof(attr), {5});
  Event e;
  ASSERT_TRUE(DecodeRecord(bytes.data(), bytes.size(), &e));
  ASSERT_TRUE(e.has_bpf_attr);
  EXPECT_EQ(e.bpf_type, 1u);
  EXPECT_EQ(e.bpf_name, "my_prog");
  EXPECT_FALSE(e.has_addr);

  const uint64_t flags = 0x10000000;  // CLONE_NEWUSER
  bytes = ExtraRecord(VIGIL_EVT_NS_CREATE, VIGIL_SC_clone3, &flags, sizeof(flags), {0, 88});
  ASSERT_TRUE(DecodeRecord(bytes.data(), bytes.size(), &e));
  ASSERT_EQ(e.arg_count, 2);
  EXPECT_STREQ(e.args[1].name, "flags");
  EXPECT_EQ(e.args[1].value, flags);

  bytes = ExtraRecord(VIGIL_EVT_XATTR, VIGIL_SC_setxattr, "hello", 5);
  ASSERT_TRUE(DecodeRecord(bytes.data(), bytes.size(), &e));
  EXPECT_EQ(e.xattr_value, "hello");
  EXPECT_FALSE(e.has_addr);

  uint8_t accept[VIGIL_EXTRA_LEN] = {};
  sockaddr_in peer{AF_INET, htons(4000), {htonl(0x0a000001)}, {}};
  sockaddr_in local{AF_INET, htons(22), {htonl(0x7f000001)}, {}};
  std::memcpy(accept, &peer, sizeof(peer));
  std::memcpy(accept + VIGIL_ACCEPT_LOCAL_OFF, &local, sizeof(local));
  bytes = ExtraRecord(VIGIL_EVT_ACCEPT, VIGIL_SC_accept, accept, sizeof(accept), {}, sizeof(peer));
  ASSERT_TRUE(DecodeRecord(bytes.data(), bytes.size(), &e));
  ASSERT_TRUE(e.has_addr);
  EXPECT_EQ(e.addr.port, 4000);
  EXPECT_EQ(e.local.family, AF_INET);
  EXPECT_EQ(e.local.port, 22);
}

}  // namespace
}  // namespace vigil::kernel

#include "bpf/entity.h"
#include "kernel/env_names.h"

namespace vigil::kernel {
namespace {

// The exec record's new parts: vpid, terminal device, working directory, the selected
// environment (NUL-separated, each with its NUL) and its flags; out-of-range lengths rejected.
TEST(Decode, ExecIdentityAndEnvironment) {
  auto bytes = ExecRecord("true", VIGIL_ARGV_INLINE);
  auto* r = reinterpret_cast<vigil_exec_event*>(bytes.data());
  r->vpid = 7;
  r->tty_dev = (136 << 8) | 2;
  const std::string cwd = "/srv/app";
  r->cwd_off = VIGIL_PATH_MAX - cwd.size();
  r->cwd_len = cwd.size();
  std::memcpy(r->cwd_buf + r->cwd_off, cwd.data(), cwd.size());
  const std::string env = std::string("LD_PRELOAD=/x.so") + '\0' + "HISTFILE=" + '\0';
  std::memcpy(r->env, env.data(), env.size());
  r->env_len = env.size();
  r->flags = VIGIL_EXEC_ENV_VALUE_TRUNCATED | VIGIL_EXEC_CWD_TRUNCATED;
  std::memcpy(r->tty, "pts12", 6);  // the kernel's name of /dev/pts/12
  Event e;
  ASSERT_TRUE(DecodeRecord(bytes.data(), bytes.size(), &e));
  EXPECT_EQ(e.vpid, 7u);
  EXPECT_EQ(e.tty_dev, (136u << 8) | 2);
  EXPECT_EQ(e.tty, "pts/12");
  EXPECT_EQ(e.cwd, cwd);
  EXPECT_TRUE(e.cwd_truncated);
  EXPECT_EQ(e.env, (std::vector<std::string>{"LD_PRELOAD=/x.so", "HISTFILE="}));
  EXPECT_TRUE(e.env_truncated);
  r->env_len = sizeof(r->env) + 1;
  EXPECT_FALSE(DecodeRecord(bytes.data(), bytes.size(), &e));
  r->env_len = 0;
  r->cwd_off = 2 * VIGIL_PATH_MAX - 1;
  EXPECT_FALSE(DecodeRecord(bytes.data(), bytes.size(), &e));
}

TEST(EnvNames, DefaultsValidationAndHash) {
  EXPECT_TRUE(ValidateEnvNames(DefaultEnvNames()));
  EXPECT_EQ(DefaultEnvNames().size(), 13u);
  EXPECT_FALSE(ValidateEnvNames({""}));
  EXPECT_FALSE(ValidateEnvNames({"A=B"}));
  EXPECT_FALSE(ValidateEnvNames({"A", "A"}));
  EXPECT_FALSE(ValidateEnvNames({std::string(VIGIL_ENV_NAME_MAX, 'N')}));
  EXPECT_TRUE(ValidateEnvNames({std::string(VIGIL_ENV_NAME_MAX - 1, 'N')}));
  std::vector<std::string> many;
  for (int i = 0; i <= VIGIL_ENV_NAMES; ++i) many.push_back("V" + std::to_string(i));
  EXPECT_FALSE(ValidateEnvNames(many));
  // The hash the BPF program computes: byte steps from the seed, the length mixed in last.
  uint64_t h = VIGIL_ENV_HASH_SEED;
  for (char c : std::string("ENV")) h = vigil_env_hash_step(h, static_cast<uint8_t>(c));
  EXPECT_EQ(EnvNameHash("ENV"), vigil_env_hash_finish(h, 3));
  EXPECT_NE(EnvNameHash("ENV"), EnvNameHash("ENV2"));
  EXPECT_NE(EnvNameHash("LD_PRELOAD"), EnvNameHash("LD_PRELOADX"));
}

}  // namespace
}  // namespace vigil::kernel
