#include "output/curl_library.h"

namespace vigil::output {
namespace {

Status BindCurl(SharedLibrary& library, CurlLibrary& table) {
  VIGIL_CURL_FUNCTIONS(VIGIL_LIBRARY_BIND)
  if (auto bound = library.status(); !bound) return bound;
  if (const CURLcode rc = table.curl_global_init(CURL_GLOBAL_DEFAULT); rc != CURLE_OK)
    return Error{"curl_global_init failed: " + std::string(table.curl_easy_strerror(rc))};
  return OkStatus();
}

}  // namespace

Result<const CurlLibrary*> LoadCurl(const std::string& soname) {
  return LoadLibraryOnce<CurlLibrary>(soname, "libcurl4", BindCurl);
}

}  // namespace vigil::output
