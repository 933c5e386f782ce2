#include "lang/pipeline.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "lang/parser.h"
#include "lang/passes.h"

namespace vigil::lang {

void Analyze(Program& program, Diagnostics& diags) {
  program.files.clear();
  for (uint32_t id = 0; id < program.sources.size(); ++id)
    program.files.push_back(ParseFile(program.sources, id, diags));
  // The pass order, in one place.
  CollectDeclarations(program, diags);
  ResolveReferences(program, diags);
  ExpandMacros(program, diags);
  CheckTypes(program, diags);
  CheckPolicies(program, diags);
  RunLintChecks(program, diags);
  diags.Sort();
}

namespace {

bool ReadFile(const std::string& path, std::string& out, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = std::strerror(errno);
    return false;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) {
    error = std::strerror(errno);
    return false;
  }
  out = ss.str();
  return true;
}

}  // namespace

std::vector<LoadError> LoadSources(const std::vector<std::string>& paths, Program& program) {
  namespace fs = std::filesystem;
  std::vector<LoadError> errors;
  for (const auto& path : paths) {
    if (path == "-") {
      std::string text((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
      program.sources.Add("<stdin>", std::move(text));
      continue;
    }
    std::error_code ec;
    auto status = fs::status(path, ec);
    if (ec) {
      errors.push_back({path, ec.message()});
      continue;
    }
    if (fs::is_directory(status)) {
      std::vector<std::string> found;
      fs::recursive_directory_iterator it(path, fs::directory_options::skip_permission_denied, ec);
      for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (it->is_regular_file(ec) && it->path().extension() == ".vgl")
          found.push_back(it->path().string());
      }
      if (ec) {
        errors.push_back({path, ec.message()});
        continue;
      }
      if (found.empty()) {
        errors.push_back({path, "no .vgl files found in this directory"});
        continue;
      }
      std::sort(found.begin(), found.end());
      for (const auto& f : found) {
        std::string text, error;
        if (!ReadFile(f, text, error)) errors.push_back({f, error});
        else program.sources.Add(f, std::move(text));
      }
      continue;
    }
    std::string text, error;
    if (!ReadFile(path, text, error)) errors.push_back({path, error});
    else program.sources.Add(path, std::move(text));
  }
  return errors;
}

}  // namespace vigil::lang
