#include "trace_harness.h"

#include <arpa/inet.h>
#include <bpf/libbpf.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <fmt/format.h>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <utility>

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

uint64_t NamespaceInode(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 ? st.st_ino : 0;
}

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) Reset(other.Release());
  return *this;
}

int UniqueFd::Release() {
  const int fd = fd_;
  fd_ = -1;
  return fd;
}

void UniqueFd::Reset(int fd) {
  if (fd_ >= 0) close(fd_);
  fd_ = fd;
}

TempDir::TempDir() {
  char tmpl[] = "/tmp/vigil-e2e-XXXXXX";
  if (mkdtemp(tmpl)) path_ = tmpl;
}

TempDir::~TempDir() {
  if (path_.empty()) return;
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

LoopbackListener::LoopbackListener(int backlog) {
  UniqueFd s(socket(AF_INET, SOCK_STREAM, 0));
  if (!s.valid()) return;
  addr_.sin_family = AF_INET;
  addr_.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr_);
  if (bind(s.get(), reinterpret_cast<sockaddr*>(&addr_), sizeof(addr_)) != 0 ||
      listen(s.get(), backlog) != 0 ||
      getsockname(s.get(), reinterpret_cast<sockaddr*>(&addr_), &len) != 0)
    return;
  fd_ = std::move(s);
}

int LoopbackListener::port() const {
  return ntohs(addr_.sin_port);
}

UniqueFd LoopbackListener::Accept(sockaddr_in* peer) {
  sockaddr_in from{};
  socklen_t len = sizeof(from);
  UniqueFd conn(accept(fd_.get(), reinterpret_cast<sockaddr*>(&from), &len));
  if (peer) *peer = from;
  return conn;
}

UniqueFd LoopbackListener::Connect() const {
  UniqueFd s(socket(AF_INET, SOCK_STREAM, 0));
  if (s.valid() && connect(s.get(), reinterpret_cast<const sockaddr*>(&addr_), sizeof(addr_)) != 0)
    s.Reset();
  return s;
}

Gate::Gate() {
  int hold[2], back[2];
  if (pipe2(hold, O_CLOEXEC) != 0) return;
  hold_read_.Reset(hold[0]);
  hold_write_.Reset(hold[1]);
  if (pipe2(back, O_CLOEXEC) != 0) return;
  back_read_.Reset(back[0]);
  back_write_.Reset(back[1]);
}

void Gate::Pass() {
  hold_write_.Reset();
  char c;
  for (;;) {
    const ssize_t n = read(hold_read_.get(), &c, 1);
    if (n > 0 || (n < 0 && errno == EINTR)) continue;
    break;
  }
}

void Gate::Open() {
  hold_write_.Reset();
}

void Gate::Tell(int64_t value) {
  if (write(back_write_.get(), &value, sizeof(value)) != sizeof(value)) _exit(126);
}

bool Gate::Hear(int64_t* value, std::chrono::milliseconds timeout) {
  pollfd p{back_read_.get(), POLLIN, 0};
  if (poll(&p, 1, static_cast<int>(timeout.count())) != 1) return false;
  return read(back_read_.get(), value, sizeof(*value)) == sizeof(*value);
}

std::string Cgroup2Root() {
  std::ifstream mounts("/proc/self/mounts");
  std::string dev, dir, type, rest, root;
  while (mounts >> dev >> dir >> type && std::getline(mounts, rest))
    if (type == "cgroup2") root = dir;
  return root;
}

uint64_t CgroupIdOf(pid_t pid) {
  const std::string root = Cgroup2Root();
  std::ifstream cg("/proc/" + std::to_string(pid) + "/cgroup");
  std::string line, path;
  while (std::getline(cg, line))
    if (line.rfind("0::", 0) == 0) path = line.substr(3);
  if (root.empty() || path.empty()) return 0;
  return NamespaceInode(root + path);
}

namespace {
bool WriteFile(const std::string& path, const std::string& text) {
  UniqueFd fd(open(path.c_str(), O_WRONLY | O_CLOEXEC));
  return fd.valid() &&
         write(fd.get(), text.data(), text.size()) == static_cast<ssize_t>(text.size());
}
}  // namespace

TempCgroup::TempCgroup(const std::string& name) : root_(Cgroup2Root()) {
  if (root_.empty()) return;
  path_ = root_ + "/" + name;
  if (mkdir(path_.c_str(), 0755) != 0) {
    path_.clear();
    return;
  }
  id_ = NamespaceInode(path_);
}

TempCgroup::~TempCgroup() {
  if (path_.empty()) return;
  // rmdir fails while the cgroup is populated: move what is left to the root first. A process
  // that is exiting leaves on its own, so retry for a moment.
  for (int attempt = 0; attempt < 200; ++attempt) {
    std::ifstream procs(path_ + "/cgroup.procs");
    pid_t pid;
    while (procs >> pid) WriteFile(root_ + "/cgroup.procs", std::to_string(pid));
    if (rmdir(path_.c_str()) == 0 || errno == ENOENT) return;
    usleep(10000);
  }
  ADD_FAILURE() << "cannot remove " << path_ << ": " << std::strerror(errno);
}

bool TempCgroup::Add(pid_t pid) const {
  return !path_.empty() && WriteFile(path_ + "/cgroup.procs", std::to_string(pid));
}

std::function<bool(const nlohmann::json&)> Is(const std::string& type, pid_t pid) {
  return [type, pid](const nlohmann::json& e) {
    return e["evt"].value("type", "") == type && e["proc"].value("pid", 0) == pid;
  };
}

}  // namespace vigil::e2e
