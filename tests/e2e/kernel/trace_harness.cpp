#include "trace_harness.h"

#include <bpf/libbpf.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <fmt/format.h>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>

#ifndef VIGIL_BINARY
#error "VIGIL_BINARY must name the vigil executable"
#endif

namespace vigil::e2e {

bool BpfRequired() {
  const char* require = std::getenv("VIGIL_REQUIRE_BPF");
  return require && std::string(require) == "1";
}

std::string BpfUnavailableReason() {
  if (geteuid() != 0) return "needs root";
  if (libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_TRACEPOINT, nullptr) != 1)
    return "BPF tracepoint programs are not available";
  return "";
}

TraceProcess::TraceProcess(std::vector<std::string> args) {
  int out[2], err[2];
  if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) return;
  pid_ = fork();
  if (pid_ == 0) {
    dup2(out[1], 1);
    dup2(err[1], 2);
    std::vector<char*> argv;
    std::string bin = VIGIL_BINARY;
    argv.push_back(bin.data());
    std::string trace = "trace";
    argv.push_back(trace.data());
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(bin.c_str(), argv.data());
    _exit(127);
  }
  close(out[1]);
  close(err[1]);
  out_fd_ = out[0];
  err_fd_ = err[0];
  reader_ = std::thread([this] { ReadStdout(); });
}

TraceProcess::~TraceProcess() {
  if (pid_ > 0 && status_ == -1) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  if (reader_.joinable()) reader_.join();
  if (out_fd_ >= 0) close(out_fd_);
  if (err_fd_ >= 0) close(err_fd_);
}

void TraceProcess::ReadStdout() {
  std::string pending;
  char buf[65536];
  pollfd fds[2] = {{out_fd_, POLLIN, 0}, {err_fd_, POLLIN, 0}};
  int open_fds = 2;
  while (open_fds > 0) {
    if (poll(fds, 2, 1000) < 0) break;
    for (auto& f : fds) {
      if (f.fd < 0 || !(f.revents & (POLLIN | POLLHUP))) continue;
      ssize_t n = read(f.fd, buf, sizeof(buf));
      if (n <= 0) {
        f.fd = -1;
        --open_fds;
        continue;
      }
      std::lock_guard<std::mutex> lock(mu_);
      if (f.fd == err_fd_) {
        stderr_.append(buf, static_cast<size_t>(n));
      } else {
        pending.append(buf, static_cast<size_t>(n));
        size_t nl;
        while ((nl = pending.find('\n')) != std::string::npos) {
          std::string line = pending.substr(0, nl);
          pending.erase(0, nl + 1);
          auto j = nlohmann::json::parse(line, nullptr, false);
          if (j.is_discarded() || !j.is_object())
            ++malformed_;
          else
            events_.push_back({std::move(j), BoottimeNs()});
        }
      }
      cv_.notify_all();
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  stdout_closed_ = true;
  cv_.notify_all();
}

bool TraceProcess::WaitReady(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_for(lock, timeout, [&] {
    return stderr_.find("vigil trace: ready") != std::string::npos || stdout_closed_;
  }) && stderr_.find("vigil trace: ready") != std::string::npos;
}

nlohmann::json TraceProcess::WaitFor(const std::function<bool(const nlohmann::json&)>& pred,
                                     std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  size_t seen = 0;
  nlohmann::json found;
  cv_.wait_for(lock, timeout, [&] {
    for (; seen < events_.size(); ++seen)
      if (pred(events_[seen].event)) {
        found = events_[seen].event;
        return true;
      }
    return stdout_closed_;
  });
  return found;
}

int TraceProcess::Stop() {
  if (pid_ <= 0) return -1;
  if (status_ == -1) {
    kill(pid_, SIGINT);
    int status = 0;
    waitpid(pid_, &status, 0);
    status_ = status;
  }
  if (reader_.joinable()) reader_.join();
  return status_;
}

std::vector<Received> TraceProcess::events() const {
  std::lock_guard<std::mutex> lock(mu_);
  return events_;
}

std::map<std::string, uint64_t> TraceProcess::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::map<std::string, uint64_t> out;
  const size_t at = stderr_.rfind("stats: ");
  if (at == std::string::npos) return out;
  std::string line = stderr_.substr(at, stderr_.find('\n', at) - at);
  // "drops main=0 net=0" -> drops_main, drops_net; "events exec=1" -> events_exec
  std::string section;
  std::istringstream words(line);
  std::string w;
  while (words >> w) {
    if (!w.empty() && (w.back() == ';')) w.pop_back();
    const size_t eq = w.find('=');
    if (eq == std::string::npos) {
      section = w;
      continue;
    }
    std::string key = w.substr(0, eq);
    if (section == "events" || section == "drops" || section == "buffers")
      key = section + "_" + key;
    out[key] = std::strtoull(w.c_str() + eq + 1, nullptr, 10);
  }
  return out;
}

pid_t Spawn(const std::function<int()>& body) {
  pid_t pid = fork();
  if (pid == 0) _exit(body());
  return pid;
}

int WaitExit(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return status;
}

ChildGuard::~ChildGuard() {
  if (pid_ > 0 && !reaped_) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

int ChildGuard::Wait() {
  reaped_ = true;
  return WaitExit(pid_);
}

uint64_t BoottimeNs() {
  timespec ts{};
  clock_gettime(CLOCK_BOOTTIME, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ULL + static_cast<uint64_t>(ts.tv_nsec);
}

uint64_t ProcStartTicks(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t close = stat.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream rest(stat.substr(close + 2));
  std::string field;
  // After "pid (comm) ", field 3 (state) is first; starttime is field 22.
  for (int i = 3; i <= 22; ++i)
    if (!(rest >> field)) return 0;
  return std::strtoull(field.c_str(), nullptr, 10);
}

std::string EntityHex(uint64_t entity) {
  return fmt::format("{:016x}", entity);
}

uint64_t NamespaceInode(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 ? st.st_ino : 0;
}

std::function<bool(const nlohmann::json&)> Is(const std::string& type, pid_t pid) {
  return [type, pid](const nlohmann::json& e) {
    return e.value("type", "") == type && e["proc"].value("pid", 0) == pid;
  };
}

}  // namespace vigil::e2e
