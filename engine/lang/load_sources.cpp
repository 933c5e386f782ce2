#include "lang/load_sources.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <set>

#include "lang/limits.h"
#include "lang/utf8.h"

namespace vigil::lang {
namespace {

namespace fs = std::filesystem;

std::string MiB(size_t bytes) {
  return std::to_string(bytes / (1024 * 1024)) + " MiB";
}

// Bytes that are neither part of valid UTF-8 nor text (control characters other than
// tab, newline, carriage return and form feed), in `text`.
size_t NonTextBytes(std::string_view text) {
  size_t bad = 0, i = 0;
  while (i < text.size()) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    const size_t len = Utf8SequenceLength(text, i);
    if (len == 0) {
      ++bad;
      ++i;
      continue;
    }
    if (len == 1 && ((c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f') || c == 0x7f))
      ++bad;
    i += len;
  }
  return bad;
}

// Reads `in` to its end, or stops at the first sign that it is not a rule file: a NUL byte
// (binary data, /dev/zero) or more than kMaxSourceBytes (an endless stream, a huge file).
// Returns why it stopped, or nothing when `out` holds the whole text.
std::optional<std::string> ReadText(std::istream& in, std::string& out) {
  out.clear();
  constexpr size_t kChunk = 64 * 1024;
  std::string chunk(kChunk, '\0');
  while (in) {
    in.read(chunk.data(), kChunk);
    size_t got = static_cast<size_t>(in.gcount());
    if (got == 0) break;
    if (const void* nul = std::memchr(chunk.data(), '\0', got)) {
      size_t offset =
          out.size() + static_cast<size_t>(static_cast<const char*>(nul) - chunk.data());
      return "not a rule file: it holds a NUL byte (offset " + std::to_string(offset) +
             "); rule files are UTF-8 text";
    }
    if (out.size() + got > kMaxSourceBytes)
      return "not read: longer than " + MiB(kMaxSourceBytes) +
             ", the limit for one rule file; split it into several files";
    out.append(chunk.data(), got);
  }
  if (in.bad()) return std::string("read failed: ") + std::strerror(errno);
  // Mostly bytes that are not text: binary data without NUL bytes, or another encoding.
  std::string_view sample = std::string_view(out).substr(0, kChunk);
  if (!sample.empty() && NonTextBytes(sample) * 10 > sample.size())
    return "not a rule file: more than 10% of its first " + std::to_string(sample.size()) +
           " bytes are not UTF-8 text";
  return std::nullopt;
}

class Loader {
 public:
  Loader(Program& program) : program_(program) {}

  void Path(const std::string& path) {
    if (path == "-") {
      std::string text;
      if (auto problem = ReadText(std::cin, text)) return Fail("<stdin>", *problem);
      program_.sources.Add("<stdin>", std::move(text));
      return;
    }
    std::error_code ec;
    auto status = fs::status(path, ec);
    if (ec) return Fail(path, "cannot read: " + ec.message());
    if (fs::is_directory(status)) return Directory(path);
    File(path);
  }

  std::vector<LoadError> errors;

 private:
  void Fail(const std::string& path, std::string message) {
    program_.sources.AddUnread(path, message);
    errors.push_back({path, std::move(message)});
  }

  // Every *.vgl below `root`, in sorted path order. Symbolic links to directories are not
  // followed (as `find` does not); a *.vgl entry that is not a readable file is reported.
  void Directory(const std::string& root) {
    std::vector<std::string> found;
    std::vector<fs::path> pending{fs::path(root)};
    while (!pending.empty()) {
      fs::path dir = std::move(pending.back());
      pending.pop_back();
      std::error_code ec;
      fs::directory_iterator it(dir, ec), end;
      if (ec) {
        Fail(dir.string(), "cannot read this directory: " + ec.message());
        continue;
      }
      // A Kubernetes ConfigMap or Secret volume (the kubelet's atomic writer): each file is a
      // link `x.vgl -> ..data/x.vgl`, `..data` links to a hidden timestamped directory holding
      // the real files, and names starting with `..` are the writer's own. Only the visible
      // names are read, so each file is loaded once and named as the user wrote it.
      const bool atomic_writer = IsAtomicWriterDir(dir.string());
      for (; it != end; it.increment(ec)) {
        std::error_code sec;
        const fs::path& p = it->path();
        if (atomic_writer && p.filename().string().starts_with("..")) continue;
        // The writer's visible link to a folder (a projected item `dir/x.vgl` makes
        // `dir -> ..data/dir`) points into the volume: it is walked like a folder.
        const bool writer_link = atomic_writer && it->is_symlink(sec) &&
                                 fs::read_symlink(p, sec).string().starts_with("..data/");
        if (it->is_directory(sec) && (!it->is_symlink(sec) || writer_link)) {
          pending.push_back(p);
        } else if (p.extension() == ".vgl") {
          found.push_back(p.string());
        }
      }
      if (ec) Fail(dir.string(), "cannot read this directory: " + ec.message());
    }
    if (found.empty()) {
      Fail(root, "no .vgl files in this directory");
      return;
    }
    std::sort(found.begin(), found.end());
    for (const auto& f : found) {
      std::error_code ec;
      auto status = fs::status(f, ec);
      if (ec)
        Fail(f, "cannot read: " + ec.message());
      else if (fs::is_directory(status))
        continue;  // a link to a directory
      else if (!fs::is_regular_file(status))
        Fail(f, "not a regular file (in a directory, only files are read)");
      else
        File(f);
    }
  }

  void File(const std::string& path) {
    // One load per real file, however it was named.
    std::error_code ec;
    fs::path real = fs::canonical(path, ec);
    if (!seen_.insert(ec ? path : real.string()).second) return;
    std::ifstream in(path, std::ios::binary);
    if (!in) return Fail(path, std::string("cannot read: ") + std::strerror(errno));
    std::string text;
    if (auto problem = ReadText(in, text)) return Fail(path, *problem);
    program_.sources.Add(path, std::move(text));
  }

  Program& program_;
  std::set<std::string> seen_;
};

}  // namespace

bool IsAtomicWriterDir(const std::string& dir) {
  std::error_code ec;
  const fs::path data = fs::path(dir) / "..data";
  if (!fs::is_symlink(fs::symlink_status(data, ec))) return false;
  const fs::path target = fs::read_symlink(data, ec);
  if (ec || target.has_parent_path() || !target.string().starts_with("..")) return false;
  return fs::is_directory(fs::path(dir) / target, ec);
}

std::vector<LoadError> LoadSources(const std::vector<std::string>& paths, Program& program) {
  Loader loader(program);
  for (const auto& path : paths) loader.Path(path);
  return std::move(loader.errors);
}

}  // namespace vigil::lang
