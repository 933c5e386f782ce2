#include "output/shared_library.h"

#include <dlfcn.h>

namespace vigil::output {
namespace {

std::string DlError() {
  const char* e = ::dlerror();
  return e ? e : "unknown error";
}

}  // namespace

SharedLibrary::SharedLibrary(void* handle, std::string soname, std::string package)
    : handle_(handle), soname_(std::move(soname)), package_(std::move(package)) {}

SharedLibrary::~SharedLibrary() {
  ::dlclose(handle_);
}

Result<std::unique_ptr<SharedLibrary>> SharedLibrary::Open(const std::string& soname,
                                                           const std::string& package) {
  void* handle = ::dlopen(soname.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle)
    return Error{"cannot load " + soname + " (" + DlError() + "); install the Debian package " +
                 package};
  return std::unique_ptr<SharedLibrary>(new SharedLibrary(handle, soname, package));
}

void* SharedLibrary::Lookup(const char* symbol) {
  ::dlerror();  // clear
  void* p = ::dlsym(handle_, symbol);
  if (!p && missing_.empty()) missing_ = std::string(symbol) + " (" + DlError() + ")";
  return p;
}

Status SharedLibrary::status() const {
  if (missing_.empty()) return OkStatus();
  return Error{soname_ + " lacks the function " + missing_ +
               "; install a current version of the Debian package " + package_};
}

}  // namespace vigil::output
