#include "output/rdkafka_library.h"

namespace vigil::output {
namespace {

Status BindRdKafka(SharedLibrary& library, RdKafkaLibrary& table) {
  VIGIL_RDKAFKA_FUNCTIONS(VIGIL_LIBRARY_BIND)
  return library.status();
}

}  // namespace

Result<const RdKafkaLibrary*> LoadRdKafka(const std::string& soname) {
  return LoadLibraryOnce<RdKafkaLibrary>(soname, "librdkafka1", BindRdKafka);
}

}  // namespace vigil::output
