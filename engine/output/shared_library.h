// A shared library opened when it is first needed (dlopen) instead of linked into the binary:
// libcurl and librdkafka, with their ~30 dependencies (TLS, Kerberos, LDAP, SASL, ...), cost
// every vigil command ~11 ms of start-up in the dynamic loader, yet only a webhook or Kafka
// output uses them. Each library is a table of function pointers, each typed from the
// library's own header (decltype(&::curl_easy_init)), so the compiler checks every call as it
// would a linked one. The table lists its functions once, as an X-macro:
//
//   #define VIGIL_FOO_FUNCTIONS(X) X(foo_open) X(foo_close)
//   struct FooLibrary { VIGIL_FOO_FUNCTIONS(VIGIL_LIBRARY_FUNCTION) };
//   Status BindFoo(SharedLibrary& library, FooLibrary& table) {
//     VIGIL_FOO_FUNCTIONS(VIGIL_LIBRARY_BIND)
//     return library.status();
//   }
//   Result<const FooLibrary*> LoadFoo(const std::string& soname) {
//     return LoadLibraryOnce<FooLibrary>(soname, "libfoo1", BindFoo);
//   }
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "util/result.h"

// A member of a library table: the function `name`, typed as its header declares it.
#define VIGIL_LIBRARY_FUNCTION(name) decltype(&::name) name = nullptr;
// Looks `name` up in `library` into `table.name` (in a function with those two parameters).
#define VIGIL_LIBRARY_BIND(name) library.Bind(#name, table.name);

namespace vigil::output {

// One dlopen handle (RAII: dlclose when destroyed).
class SharedLibrary {
 public:
  // dlopen(soname, RTLD_NOW | RTLD_LOCAL). The error names the library, says why it could not
  // be loaded and which Debian package installs it.
  static Result<std::unique_ptr<SharedLibrary>> Open(const std::string& soname,
                                                     const std::string& package);
  ~SharedLibrary();
  SharedLibrary(const SharedLibrary&) = delete;
  SharedLibrary& operator=(const SharedLibrary&) = delete;

  // Looks `symbol` up into `fn` (nullptr when missing); status() reports the first missing one.
  template <typename Fn>
  void Bind(const char* symbol, Fn*& fn) {
    fn = reinterpret_cast<Fn*>(Lookup(symbol));
  }
  // Ok when every Bind found its symbol; otherwise an error that names the first missing
  // symbol, the library and the package.
  Status status() const;

 private:
  SharedLibrary(void* handle, std::string soname, std::string package);
  void* Lookup(const char* symbol);

  void* handle_;
  std::string soname_, package_;
  std::string missing_;  // the first symbol not found, with dlerror's words
};

// The table of `soname`, loaded and bound (`bind` may also initialise the library) on the first
// call for that soname, once per process however many threads ask; later calls return the same
// table. A library that loaded stays loaded for the process's life (sinks keep pointers into it
// until exit, and librdkafka's threads must not outlive its code), so its table is never freed.
// A failure is not remembered: the next call tries again (the package may have been installed
// meanwhile).
template <typename Table>
Result<const Table*> LoadLibraryOnce(const std::string& soname, const std::string& package,
                                     Status (*bind)(SharedLibrary&, Table&)) {
  struct Loaded {
    std::unique_ptr<SharedLibrary> library;
    Table table;
  };
  static std::mutex mu;
  static auto* loaded = new std::map<std::string, std::unique_ptr<Loaded>>();  // never freed
  std::lock_guard lock(mu);
  if (auto it = loaded->find(soname); it != loaded->end()) return &it->second->table;
  auto library = SharedLibrary::Open(soname, package);
  if (!library) return Error{library.error()};
  auto entry = std::make_unique<Loaded>(Loaded{std::move(*library), Table{}});
  if (auto bound = bind(*entry->library, entry->table); !bound) return Error{bound.error()};
  const Table* table = &entry->table;
  loaded->emplace(soname, std::move(entry));
  return table;
}

}  // namespace vigil::output
