// basename()/dirname() as the language defines them (docs/matching.md), shared by the
// transformers and by the derivation of file.name and file.dir. Views into the argument.
#pragma once

#include <string_view>

namespace vigil::match {

// Text after the last '/': "/etc/shadow" -> "shadow", "/etc/" -> "", "shadow" -> "shadow".
inline std::string_view Basename(std::string_view path) {
  auto slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// Text before the last '/': "/etc/shadow" -> "/etc", "/shadow" -> "/", "shadow" -> ".".
inline std::string_view Dirname(std::string_view path) {
  auto slash = path.rfind('/');
  if (slash == std::string_view::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace vigil::match
