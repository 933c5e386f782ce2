#include "importer/sigma/sigma_yaml.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace vigil::importer::sigma {
namespace {

bool IsYamlName(const std::filesystem::path& p) {
  auto ext = p.extension().string();
  return ext == ".yml" || ext == ".yaml";
}

}  // namespace

Result<std::vector<std::string>> FindRuleFiles(const std::vector<std::string>& inputs) {
  namespace fs = std::filesystem;
  std::vector<std::string> out;
  for (const auto& input : inputs) {
    std::error_code ec;
    auto status = fs::status(input, ec);
    if (ec || !fs::exists(status))
      return Error{"vigil import sigma: " + input + ": no such file or folder"};
    if (!fs::is_directory(status)) {
      out.push_back(input);
      continue;
    }
    std::vector<std::string> found;
    for (auto it = fs::recursive_directory_iterator(
             input, fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_regular_file(ec) && IsYamlName(it->path())) found.push_back(it->path().string());
    }
    if (ec) return Error{"vigil import sigma: " + input + ": " + ec.message()};
    std::sort(found.begin(), found.end());
    out.insert(out.end(), found.begin(), found.end());
  }
  return out;
}

Result<std::vector<YAML::Node>> ParseDocuments(const std::string& text, const std::string& file) {
  try {
    return YAML::LoadAll(text);
  } catch (const YAML::Exception& e) {
    std::string where = file;
    if (!e.mark.is_null())
      where += ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1);
    return Error{where + ": not valid YAML: " + e.msg};
  }
}

Result<std::vector<YAML::Node>> LoadDocuments(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Error{file + ": cannot be read"};
  std::string text;
  char buf[65536];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    text.append(buf, static_cast<size_t>(in.gcount()));
    if (text.size() > kMaxSigmaFileBytes)
      return Error{file + ": larger than " + std::to_string(kMaxSigmaFileBytes >> 20) +
                   " MiB, not a Sigma rule file"};
  }
  if (in.bad()) return Error{file + ": read error"};
  return ParseDocuments(text, file);
}

}  // namespace vigil::importer::sigma
