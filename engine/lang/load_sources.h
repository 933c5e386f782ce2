// Reading rule files from the paths a user names: files, directories, standard input. Every
// path that cannot be read as rules becomes a LoadError and an unread entry in the source set,
// so that the analysis reports it as a finding (V044) like any other problem.
#pragma once

#include <string>
#include <vector>

#include "lang/program.h"

namespace vigil::lang {

struct LoadError {
  std::string path;
  std::string message;  // "No such file or directory", "no .vgl files found", ...
};

// Adds the files named by `paths` to `program.sources`: a file, a directory (every *.vgl
// below it, recursively, in sorted order) or "-" for standard input. A file reached twice
// (named twice, through a directory and by name, or through a symbolic link) is loaded once,
// under the first name it was reached by. Input that is not a rule file (a NUL byte, mostly
// invalid UTF-8, more than kMaxSourceBytes) is not kept. Each path that could not be read
// is returned and added to the source set as an unread file (SourceFile::unread), which
// Analyze reports as a V044 finding.
//
// A directory in the kubelet's atomic-writer layout (a ConfigMap or Secret volume, see
// IsAtomicWriterDir) contributes its visible names only (`x.vgl`, a link through `..data`, and
// the files below a visible link to a folder, `dir -> ..data/dir`), never the writer's
// `..`-prefixed entries, so each file is loaded once under its visible name.
std::vector<LoadError> LoadSources(const std::vector<std::string>& paths, Program& program);

// Whether `dir` holds the kubelet's atomic-writer layout: a `..data` symbolic link naming a
// sibling directory whose name starts with `..` (the timestamped directory of real files).
bool IsAtomicWriterDir(const std::string& dir);

}  // namespace vigil::lang
