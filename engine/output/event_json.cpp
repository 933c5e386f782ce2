#include "output/event_json.h"

#include <fmt/format.h>
#include <sys/socket.h>

#include <cstring>

#include "bpf/events.h"
#include "kernel/event_types.h"
#include "kernel/syscall_table.h"
#include "output/json_escape.h"
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

void Key(std::string& out, const char* key) {
  out += '"';
  out += key;
  out += "\":";
}

void Num(std::string& out, const char* key, uint64_t v) {
  Key(out, key);
  fmt::format_to(std::back_inserter(out), "{}", v);
  out += ',';
}

void SNum(std::string& out, const char* key, int64_t v) {
  Key(out, key);
  fmt::format_to(std::back_inserter(out), "{}", v);
  out += ',';
}

void Str(std::string& out, const char* key, std::string_view v) {
  Key(out, key);
  AppendJsonString(out, v);
  out += ',';
}

void Bool(std::string& out, const char* key, bool v) {
  Key(out, key);
  out += v ? "true," : "false,";
}

void Hex(std::string& out, const char* key, uint64_t v) {
  Key(out, key);
  fmt::format_to(std::back_inserter(out), "\"{:016x}\"", v);
  out += ',';
}

// Replaces a trailing comma by the closing character.
void Close(std::string& out, char c) {
  if (!out.empty() && out.back() == ',')
    out.back() = c;
  else
    out += c;
}

void Addr(std::string& out, const char* key, const kernel::SockAddr& a) {
  Key(out, key);
  out += '{';
  if (const char* name = FamilyName(a.family))
    Str(out, "family", name);
  else
    Num(out, "family", a.family);
  Str(out, "address", a.address);
  if (a.family == AF_INET || a.family == AF_INET6) Num(out, "port", a.port);
  Close(out, '}');
  out += ',';
}

// Copies `key` of the enriched record's JSON object `from`, when present.
void Context(std::string& out, const nlohmann::json& from, const char* key) {
  auto it = from.find(key);
  if (it == from.end()) return;
  Key(out, key);
  out += DumpJsonLine(*it);
  out += ',';
}

}  // namespace

void AppendEventJson(std::string& out, const Event& e, kernel::ClockSource clock,
                     const nlohmann::json* context) {
  out += '{';
  Str(out, "type", kernel::EventTypeName(e.type));
  Num(out, "time_ns", e.ts_ns);
  Str(out, "clock", kernel::ClockName(clock));
  Num(out, "cpu", e.cpu);
  Num(out, "policy_version", e.policy_version);
  Key(out, "policies");
  out += '[';
  for (int p = 0; p < 64; ++p)
    if (e.matched & (1ULL << p)) fmt::format_to(std::back_inserter(out), "{},", p);
  Close(out, ']');
  out += ',';

  Key(out, "proc");
  out += '{';
  Num(out, "pid", e.pid);
  Num(out, "tid", e.tid);
  Num(out, "ppid", e.ppid);
  Num(out, "uid", e.uid);
  Num(out, "gid", e.gid);
  Str(out, "comm", e.comm);
  Hex(out, "entity", e.entity);
  if (context && context->contains("proc")) {
    Context(out, (*context)["proc"], "parent");
    Context(out, (*context)["proc"], "ancestors");
  }
  Close(out, '}');
  out += ',';

  switch (e.type) {
    case VIGIL_EVT_EXEC:
      Key(out, "exec");
      out += '{';
      Str(out, "filename", e.filename);
      Str(out, "exe", e.exe);
      Key(out, "argv");
      out += '[';
      for (const auto& a : e.argv) {
        AppendJsonString(out, a);
        out += ',';
      }
      Close(out, ']');
      out += ',';
      Num(out, "argc", e.argc);
      Bool(out, "argv_truncated", e.argv_truncated);
      Bool(out, "exe_truncated", e.exe_truncated);
      Bool(out, "filename_truncated", e.filename_truncated);
      Num(out, "euid", e.euid);
      Num(out, "loginuid", e.loginuid);
      Str(out, "tty", e.tty);
      Num(out, "mntns", e.mntns);
      Num(out, "pidns", e.pidns);
      Num(out, "cgroup_id", e.cgroup_id);
      Num(out, "start_ns", e.start_ns);
      Hex(out, "parent_entity", e.parent_entity);
      Close(out, '}');
      break;
    case VIGIL_EVT_FORK:
      Key(out, "fork");
      out += '{';
      Num(out, "start_ns", e.start_ns);
      Hex(out, "parent_entity", e.parent_entity);
      Close(out, '}');
      break;
    case VIGIL_EVT_EXIT:
      Key(out, "exit");
      out += '{';
      Num(out, "start_ns", e.start_ns);
      Num(out, "status", e.exit_status);
      Num(out, "code", (e.exit_status >> 8) & 0xff);
      Num(out, "signal", e.exit_status & 0x7f);
      Close(out, '}');
      break;
    case VIGIL_EVT_TCP_STATE:
      Key(out, "tcp");
      out += '{';
      Hex(out, "sock", e.sock);
      Str(out, "oldstate", TcpStateName(e.oldstate));
      Str(out, "newstate", TcpStateName(e.newstate));
      Addr(out, "local", e.local);
      Addr(out, "remote", e.remote);
      Close(out, '}');
      break;
    default: {
      const kernel::SyscallInfo* info = kernel::SyscallById(e.syscall);
      Key(out, "syscall");
      out += '{';
      Str(out, "name", info ? info->name : "unknown");
      SNum(out, "retval", e.retval);
      if (e.retval < 0 && e.retval > -4096) {
        const char* name = strerrorname_np(static_cast<int>(-e.retval));
        if (name) Str(out, "error", name);
      }
      Key(out, "args");
      out += '{';
      for (uint8_t i = 0; i < e.arg_count; ++i) {
        if (e.args[i].is_signed)
          SNum(out, e.args[i].name, static_cast<int64_t>(e.args[i].value));
        else
          Num(out, e.args[i].name, e.args[i].value);
      }
      std::string truncated, unreadable;
      for (int i = 0; i < 3; ++i) {
        const char* name = info ? info->string_names[i] : nullptr;
        if (e.syscall == VIGIL_SC_prctl && i == 0 && e.strings[0].empty()) continue;
        if (!name) continue;
        Str(out, name, e.strings[i]);
        if (e.string_truncated[i]) truncated += fmt::format("\"{}\",", name);
        if (e.string_unreadable[i]) unreadable += fmt::format("\"{}\",", name);
      }
      if (e.has_addr) Addr(out, "addr", e.addr);
      Close(out, '}');
      out += ',';
      if (!truncated.empty()) {
        Key(out, "truncated");
        out += '[' + truncated;
        Close(out, ']');
        out += ',';
      }
      if (!unreadable.empty()) {
        Key(out, "unreadable");
        out += '[' + unreadable;
        Close(out, ']');
        out += ',';
      }
      Close(out, '}');
      break;
    }
  }
  if (context) {
    if (out.back() != ',') out += ',';  // not every event type's object ends with one
    Context(out, *context, "container");
    Context(out, *context, "k8s");
    if (context->value("incomplete", false)) Bool(out, "incomplete", true);
  }
  Close(out, '}');
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
      fmt::format_to(std::back_inserter(out), " {} -> {} {}:{} -> {}:{}", TcpStateName(e.oldstate),
                     TcpStateName(e.newstate), e.local.address, e.local.port, e.remote.address,
                     e.remote.port);
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
      if (e.has_addr)
        out += (first ? "" : " ") + std::string("addr=") + TerminalSafe(e.addr.address) + ":" +
               std::to_string(e.addr.port);
      fmt::format_to(std::back_inserter(out), ") = {}", e.retval);
      break;
    }
  }
}

}  // namespace vigil::output
