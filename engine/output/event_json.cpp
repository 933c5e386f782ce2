#include "output/event_json.h"

#include <fmt/format.h>
#include <sys/socket.h>

#include <cstring>

#include "bpf/events.h"
#include "kernel/event_types.h"
#include "kernel/syscall_table.h"
#include "output/record_json.h"
#include "output/terminal_text.h"

namespace vigil::output {
namespace {

using kernel::Event;

const char* FamilyName(uint16_t family) {
  switch (family) {
    case AF_INET:
      return "AF_INET";
    case AF_INET6:
      return "AF_INET6";
    case AF_UNIX:
      return "AF_UNIX";
    case AF_NETLINK:
      return "AF_NETLINK";
    case AF_PACKET:
      return "AF_PACKET";
    default:
      return nullptr;
  }
}

const char* TcpStateName(int state) {
  static const char* const kNames[] = {
      "UNKNOWN", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2",   "TIME_WAIT",
      "CLOSE",   "CLOSE_WAIT",  "LAST_ACK", "LISTEN",   "CLOSING",   "NEW_SYN_RECV"};
  return state >= 0 && state < 13 ? kNames[state] : "UNKNOWN";
}

// The family's constant name, or its number.
nlohmann::json FamilyJson(uint16_t family) {
  if (const char* name = FamilyName(family)) return name;
  return family;
}

nlohmann::json SockAddrJson(const kernel::SockAddr& a) {
  nlohmann::json j = {{"family", FamilyJson(a.family)}};
  if (a.is_ip()) {
    j["address"] = IpAddressText(a.ip);
    j["port"] = a.port;
  } else {
    j["address"] = a.path;
  }
  return j;
}

// The raw call of a syscall event: its name, errno name, named arguments, strings (with the
// ones cut short or unreadable) and socket address.
void SyscallJson(const Event& e, nlohmann::json& k) {
  const kernel::SyscallInfo* info = kernel::SyscallById(e.syscall);
  k["syscall"] = info ? info->name : "unknown";
  if (e.retval < 0 && e.retval > -4096)
    if (const char* name = strerrorname_np(static_cast<int>(-e.retval))) k["error"] = name;
  nlohmann::json args = nlohmann::json::object();
  for (uint8_t i = 0; i < e.arg_count; ++i) {
    if (e.args[i].is_signed)
      args[e.args[i].name] = static_cast<int64_t>(e.args[i].value);
    else
      args[e.args[i].name] = e.args[i].value;
  }
  nlohmann::json truncated = nlohmann::json::array(), unreadable = nlohmann::json::array();
  for (int i = 0; i < 3; ++i) {
    const char* name = info ? info->string_names[i] : nullptr;
    if (!name) continue;
    if (e.syscall == VIGIL_SC_prctl && i == 0 && e.strings[0].empty()) continue;
    args[name] = e.strings[i];
    if (e.string_truncated[i]) truncated.push_back(name);
    if (e.string_unreadable[i]) unreadable.push_back(name);
  }
  if (e.has_addr) args["addr"] = SockAddrJson(e.addr);
  k["args"] = std::move(args);
  if (!truncated.empty()) k["truncated"] = std::move(truncated);
  if (!unreadable.empty()) k["unreadable"] = std::move(unreadable);
}

// What the kernel's record carried that no rule field holds.
nlohmann::json KernelJson(const Event& e, kernel::ClockSource clock) {
  nlohmann::json k = {{"cpu", e.cpu}, {"clock", kernel::ClockName(clock)}, {"comm", e.comm}};
  switch (e.type) {
    case VIGIL_EVT_EXEC:
      k["exe"] = e.exe;
      k["argc"] = e.argc;
      k["argv_truncated"] = e.argv_truncated;
      k["exe_truncated"] = e.exe_truncated;
      k["filename_truncated"] = e.filename_truncated;
      k["cwd_truncated"] = e.cwd_truncated;
      k["env_truncated"] = e.env_truncated;
      k["cgroup_id"] = e.cgroup_id;
      k["start_ns"] = e.start_ns;
      k["parent_entity"] = e.parent_entity;
      break;
    case VIGIL_EVT_FORK:
      k["start_ns"] = e.start_ns;
      k["parent_entity"] = e.parent_entity;
      break;
    case VIGIL_EVT_EXIT:
      k["start_ns"] = e.start_ns;
      k["status"] = e.exit_status;
      break;
    case VIGIL_EVT_TCP_STATE:
      k["sock"] = e.sock;
      k["oldstate"] = TcpStateName(e.oldstate);
      k["newstate"] = TcpStateName(e.newstate);
      k["local"] = SockAddrJson(e.local);
      k["remote"] = SockAddrJson(e.remote);
      break;
    default:
      SyscallJson(e, k);
      break;
  }
  return k;
}

// Text of a socket address for the terminal: ADDRESS:PORT, or the unix path.
std::string SockAddrText(const kernel::SockAddr& a) {
  if (!a.is_ip()) return TerminalSafe(a.path);
  return IpAddressText(a.ip) + ":" + std::to_string(a.port);
}

}  // namespace

nlohmann::json EventToJson(const match::EventRecord& record, const Event* raw,
                           kernel::ClockSource clock) {
  nlohmann::json j = RecordToJson(record);
  if (raw) j["kernel"] = KernelJson(*raw, clock);
  return j;
}

void AppendEventText(std::string& out, const Event& e) {
  fmt::format_to(std::back_inserter(out),
                 "{}.{:09} {:<12} pid={} ppid={} uid={} comm=", e.ts_ns / 1000000000ULL,
                 e.ts_ns % 1000000000ULL, kernel::EventTypeName(e.type), e.pid, e.ppid, e.uid);
  out += TerminalSafe(e.comm);
  switch (e.type) {
    case VIGIL_EVT_EXEC:
      out += " exe=" + TerminalSafe(e.exe) + " argv=[";
      for (size_t i = 0; i < e.argv.size(); ++i) {
        if (i) out += ' ';
        out += TerminalSafe(e.argv[i]);
      }
      out += e.argv_truncated ? " ...]" : "]";
      break;
    case VIGIL_EVT_FORK:
      fmt::format_to(std::back_inserter(out), " child={}", e.pid);
      break;
    case VIGIL_EVT_EXIT:
      fmt::format_to(std::back_inserter(out), " code={} signal={}", (e.exit_status >> 8) & 0xff,
                     e.exit_status & 0x7f);
      break;
    case VIGIL_EVT_TCP_STATE:
      fmt::format_to(std::back_inserter(out), " {} -> {} {} -> {}", TcpStateName(e.oldstate),
                     TcpStateName(e.newstate), SockAddrText(e.local), SockAddrText(e.remote));
      break;
    default: {
      const kernel::SyscallInfo* info = kernel::SyscallById(e.syscall);
      fmt::format_to(std::back_inserter(out), " {}(", info ? info->name : "?");
      bool first = true;
      for (uint8_t i = 0; i < e.arg_count; ++i) {
        fmt::format_to(std::back_inserter(out), "{}{}={}", first ? "" : " ", e.args[i].name,
                       e.args[i].is_signed ? std::to_string(static_cast<int64_t>(e.args[i].value))
                                           : std::to_string(e.args[i].value));
        first = false;
      }
      for (int i = 0; i < 3; ++i) {
        const char* name = info ? info->string_names[i] : nullptr;
        if (!name || e.strings[i].empty()) continue;
        out += first ? "" : " ";
        out += name;
        out += '=';
        out += TerminalSafe(e.strings[i]);
        first = false;
      }
      if (e.has_addr) out += (first ? "" : " ") + std::string("addr=") + SockAddrText(e.addr);
      fmt::format_to(std::back_inserter(out), ") = {}", e.retval);
      break;
    }
  }
}

}  // namespace vigil::output
